/**
 * {@link PgInterval}, PostgreSQL's `interval`: months, days and microseconds kept apart, plus
 * PostgreSQL 17's infinities, with the validating constructors, the parsers of the `postgres`
 * and `iso_8601` IntervalStyles and the printers. `PgDateTime` re-exports it.
 *
 * @since 0.1.0
 */
import { fraction, inspectSymbol, isInt, MICROS_PER_SECOND_N, pad2 } from "./dateTimeFormat.ts"
import {
  checkText,
  CH_COLON,
  CH_SPACE,
  CH_T,
  digits,
  expect,
  infinity,
  invalid,
  MICROS_PER_SECOND,
  microsFraction,
  scan,
  sign
} from "./dateTimeText.ts"

const INT32_MIN = -2_147_483_648
const INT32_MAX = 2_147_483_647
const INT64_MIN = -9_223_372_036_854_775_808n
const INT64_MAX = 9_223_372_036_854_775_807n
const MICROS_PER_HOUR_N = 3_600_000_000n

/**
 * The components of an interval, for {@link PgInterval.make}; all optional integers, each with
 * its own sign.
 *
 * @category models
 * @since 0.1.0
 */
export interface IntervalParts {
  readonly years?: number | undefined
  readonly months?: number | undefined
  readonly weeks?: number | undefined
  readonly days?: number | undefined
  readonly hours?: number | undefined
  readonly minutes?: number | undefined
  readonly seconds?: number | undefined
  readonly microseconds?: number | bigint | undefined
}

/**
 * The fields PostgreSQL prints for an interval (`interval2itm`): months split into years and
 * months, microseconds into hours … microseconds, each truncated toward zero so that all time
 * fields share the sign of the microsecond total.
 *
 * @category models
 * @since 0.1.0
 */
export interface IntervalFields {
  readonly years: number
  readonly months: number
  readonly days: number
  readonly hours: number
  readonly minutes: number
  readonly seconds: number
  readonly microseconds: number
}

const isInfinityInterval = (months: number, days: number, micros: bigint): boolean =>
  months === INT32_MAX && days === INT32_MAX && micros === INT64_MAX

const isNegativeInfinityInterval = (months: number, days: number, micros: bigint): boolean =>
  months === INT32_MIN && days === INT32_MIN && micros === INT64_MIN

/**
 * A PostgreSQL `interval`: months, days and microseconds kept separately, never normalised (a
 * month is not 30 days and a day is not 24 hours across a DST change), plus PostgreSQL 17's
 * `infinity` and `-infinity`.
 *
 * **Details**
 * - `months` and `days` are int32, `microseconds` an int64 `bigint`; each has its own sign.
 * - The infinities are the wire's sentinel values: all three fields at their maximum
 *   (`infinity`) or minimum (`-infinity`); {@link PgInterval.isFinite} tells them apart.
 * - `equals` compares the three fields; PostgreSQL's `=` is looser (`'1 mon' = '30 days'`).
 * - `toString()` is the `postgres` IntervalStyle (`1 year 2 mons 3 days 04:05:06.789`),
 *   `toJSON()` the `iso_8601` one (`P1Y2M3DT4H5M6.789S`); `parse` reads both.
 *
 * @category models
 * @since 0.1.0
 */
export class PgInterval {
  /** Months (int32). */
  readonly months: number
  /** Days (int32). */
  readonly days: number
  /** Microseconds (int64). */
  readonly microseconds: bigint

  /** Unchecked; prefer {@link PgInterval.make}, {@link PgInterval.fromFields} or {@link PgInterval.parse}. */
  constructor(months: number, days: number, microseconds: bigint) {
    this.months = months
    this.days = days
    this.microseconds = microseconds
  }

  /** `00:00:00`. */
  static readonly zero: PgInterval = new PgInterval(0, 0, 0n)
  /** `infinity` (PostgreSQL 17+). */
  static readonly infinity: PgInterval = new PgInterval(INT32_MAX, INT32_MAX, INT64_MAX)
  /** `-infinity` (PostgreSQL 17+). */
  static readonly negativeInfinity: PgInterval = new PgInterval(INT32_MIN, INT32_MIN, INT64_MIN)

  /** An interval from its three stored fields; validated (int32, int32, int64). */
  static fromFields(months: number, days: number, microseconds: bigint): PgInterval {
    if (!isInt(months) || months < INT32_MIN || months > INT32_MAX) return invalid("interval", "months out of range")
    if (!isInt(days) || days < INT32_MIN || days > INT32_MAX) return invalid("interval", "days out of range")
    if (typeof microseconds !== "bigint" || microseconds < INT64_MIN || microseconds > INT64_MAX) {
      return invalid("interval", "microseconds out of range")
    }
    return new PgInterval(months, days, microseconds)
  }

  /**
   * An interval from components: months = years × 12 + months, days = weeks × 7 + days,
   * microseconds = ((hours × 60 + minutes) × 60 + seconds) × 10⁶ + microseconds. Each component is
   * an integer; throws a `CodecError` when a total overflows its field.
   */
  static make(parts: IntervalParts): PgInterval {
    const { years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0, seconds = 0, microseconds = 0 } =
      parts
    if (![years, months, weeks, days, hours, minutes, seconds].every(Number.isSafeInteger)) {
      return invalid("interval", "fields must be safe integers")
    }
    if (typeof microseconds !== "bigint" && !Number.isSafeInteger(microseconds)) {
      return invalid("interval", "fields must be safe integers")
    }
    const micros = ((BigInt(hours) * 60n + BigInt(minutes)) * 60n + BigInt(seconds)) * MICROS_PER_SECOND_N +
      BigInt(microseconds)
    return PgInterval.fromFields(years * 12 + months, weeks * 7 + days, micros)
  }

  /**
   * Parses the `postgres` IntervalStyle the server prints (`1 year 2 mons -3 days +04:05:06.5`,
   * `-00:00:01`, `infinity`) and the `iso_8601` one (`P1Y2M-3DT4H5M6.5S`, `PT0S`).
   */
  static parse(text: string): PgInterval {
    const s = checkText(text, "interval")
    const inf = infinity(s)
    if (inf !== 0) return inf > 0 ? PgInterval.infinity : PgInterval.negativeInfinity
    return s.charCodeAt(0) === 80 /* P */ ? parseIsoInterval(s) : parsePostgresInterval(s)
  }

  /** Whether the interval is neither `infinity` nor `-infinity`. */
  get isFinite(): boolean {
    return !isInfinityInterval(this.months, this.days, this.microseconds) &&
      !isNegativeInfinityInterval(this.months, this.days, this.microseconds)
  }

  /** The fields PostgreSQL prints (see {@link IntervalFields}); `NaN` when infinite. */
  toParts(): IntervalFields {
    if (!this.isFinite) {
      return { years: NaN, months: NaN, days: NaN, hours: NaN, minutes: NaN, seconds: NaN, microseconds: NaN }
    }
    const hoursN = this.microseconds / MICROS_PER_HOUR_N
    const rest = Number(this.microseconds - hoursN * MICROS_PER_HOUR_N)
    const minutes = Math.trunc(rest / 60_000_000)
    const restSeconds = rest - minutes * 60_000_000
    const seconds = Math.trunc(restSeconds / MICROS_PER_SECOND)
    return {
      years: Math.trunc(this.months / 12) + 0,
      months: (this.months % 12) + 0,
      days: this.days,
      hours: Number(hoursN),
      minutes: minutes + 0,
      seconds: seconds + 0,
      microseconds: restSeconds - seconds * MICROS_PER_SECOND + 0
    }
  }

  /** The `postgres` IntervalStyle: `1 year 2 mons 3 days 04:05:06.789`, `-1 days +01:00:00`, `00:00:00`. */
  toString(): string {
    if (!this.isFinite) return this.months > 0 ? "infinity" : "-infinity"
    const f = this.toParts()
    let out = ""
    let isZero = true
    let isBefore = false
    const part = (value: number, unit: string): void => {
      if (value === 0) return
      out += (isZero ? "" : " ") + (isBefore && value > 0 ? "+" : "") + value + " " + unit + (value !== 1 ? "s" : "")
      isBefore = value < 0
      isZero = false
    }
    part(f.years, "year")
    part(f.months, "mon")
    part(f.days, "day")
    if (isZero || f.hours !== 0 || f.minutes !== 0 || f.seconds !== 0 || f.microseconds !== 0) {
      const minus = f.hours < 0 || f.minutes < 0 || f.seconds < 0 || f.microseconds < 0
      out += (isZero ? "" : " ") + (minus ? "-" : isBefore ? "+" : "") + pad2(Math.abs(f.hours)) + ":" +
        pad2(Math.abs(f.minutes)) + ":" + pad2(Math.abs(f.seconds)) + fraction(Math.abs(f.microseconds))
    }
    return out
  }

  /** ISO 8601 duration as PostgreSQL's `iso_8601` IntervalStyle prints it: `P1Y2M-3DT4H5M6.5S`, `PT0S`. */
  toJSON(): string {
    if (!this.isFinite) return this.months > 0 ? "infinity" : "-infinity"
    const f = this.toParts()
    if (
      f.years === 0 && f.months === 0 && f.days === 0 && f.hours === 0 && f.minutes === 0 && f.seconds === 0 &&
      f.microseconds === 0
    ) return "PT0S"
    const n = isoPart
    let out = "P" + n(f.years, "Y") + n(f.months, "M") + n(f.days, "D")
    if (f.hours !== 0 || f.minutes !== 0 || f.seconds !== 0 || f.microseconds !== 0) {
      out += "T" + n(f.hours, "H") + n(f.minutes, "M")
      if (f.seconds !== 0 || f.microseconds !== 0) {
        out += (f.seconds < 0 || f.microseconds < 0 ? "-" : "") + Math.abs(f.seconds) +
          fraction(Math.abs(f.microseconds)) + "S"
      }
    }
    return out
  }

  /** Same months, days and microseconds (not PostgreSQL's looser `=`). */
  equals(that: PgInterval): boolean {
    return that instanceof PgInterval && this.months === that.months && this.days === that.days &&
      this.microseconds === that.microseconds
  }

  [inspectSymbol](): string {
    return `PgInterval(${this.toString()})`
  }
}

/** One `iso_8601` interval component: `-3D`, or nothing for zero. */
const isoPart = (value: number, unit: string): string => (value === 0 ? "" : value + unit)

/** Accumulates interval components while parsing; ranges are checked at the end. */
interface IntervalAcc {
  months: number
  days: number
  micros: bigint
  /** Bit set of the units seen, to reject repeats as PostgreSQL does. */
  seen: number
}

const finishInterval = (acc: IntervalAcc): PgInterval => {
  if (acc.months < INT32_MIN || acc.months > INT32_MAX || acc.days < INT32_MIN || acc.days > INT32_MAX) {
    return invalid("interval", "interval out of range")
  }
  if (acc.micros < INT64_MIN || acc.micros > INT64_MAX) return invalid("interval", "interval out of range")
  if (isInfinityInterval(acc.months, acc.days, acc.micros)) return PgInterval.infinity
  if (isNegativeInfinityInterval(acc.months, acc.days, acc.micros)) return PgInterval.negativeInfinity
  return new PgInterval(acc.months, acc.days, acc.micros)
}

const addUnit = (acc: IntervalAcc, bit: number): void => {
  if ((acc.seen & bit) !== 0) invalid("interval", "repeated unit")
  acc.seen |= bit
}

const UNIT_YEAR = 1
const UNIT_MONTH = 2
const UNIT_DAY = 4
const UNIT_TIME = 8
const UNIT_WEEK = 16
const UNIT_HOUR = 32
const UNIT_MINUTE = 64
const UNIT_SECOND = 128

/** `[+-]N year(s) [+-]N mon(s) [+-]N day(s) [+-]H:MM[:SS[.f]]`, space separated, in any order. */
const parsePostgresInterval = (s: string): PgInterval => {
  const c = scan(s, "interval")
  const acc: IntervalAcc = { months: 0, days: 0, micros: 0n, seen: 0 }
  const n = s.length
  while (c.i < n) {
    const sg = sign(c)
    const value = digits(c, 1, 10, "number")
    const ch = s.charCodeAt(c.i)
    if (ch === CH_COLON) {
      // time: H…:MM[:SS[.f]]
      addUnit(acc, UNIT_TIME)
      c.i++
      const m = digits(c, 2, 2, "minutes")
      let sec = 0
      let micros = 0
      if (s.charCodeAt(c.i) === CH_COLON) {
        c.i++
        sec = digits(c, 2, 2, "seconds")
        micros = microsFraction(c)
      }
      if (m > 59 || sec > 59) invalid("interval", "time field out of range")
      const total = BigInt(value) * MICROS_PER_HOUR_N + BigInt((m * 60 + sec) * MICROS_PER_SECOND + micros)
      acc.micros = sg < 0 ? -total : total
    } else {
      expect(c, CH_SPACE, "number without unit")
      const start = c.i
      while (c.i < n && s.charCodeAt(c.i) !== CH_SPACE) c.i++
      const unit = s.slice(start, c.i)
      const v = sg * value
      if (unit === "year" || unit === "years") {
        addUnit(acc, UNIT_YEAR)
        acc.months += v * 12
      } else if (unit === "mon" || unit === "mons" || unit === "month" || unit === "months") {
        addUnit(acc, UNIT_MONTH)
        acc.months += v
      } else if (unit === "day" || unit === "days") {
        addUnit(acc, UNIT_DAY)
        acc.days += v
      } else {
        invalid("interval", "unknown unit")
      }
    }
    if (c.i < n) {
      expect(c, CH_SPACE, "separator")
      if (c.i === n) invalid("interval", "trailing space")
    }
  }
  if (acc.seen === 0) invalid("interval", "empty")
  return finishInterval(acc)
}

/** `P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]`, each number with an optional sign. */
const parseIsoInterval = (s: string): PgInterval => {
  const c = scan(s, "interval")
  c.i = 1
  const acc: IntervalAcc = { months: 0, days: 0, micros: 0n, seen: 0 }
  const n = s.length
  let inTime = false
  while (c.i < n) {
    if (!inTime && s.charCodeAt(c.i) === CH_T) {
      inTime = true
      c.i++
      if (c.i === n) invalid("interval", "empty time part")
      continue
    }
    const sg = sign(c)
    const value = digits(c, 1, 10, "number")
    const micros = inTime ? microsFraction(c) : 0
    const unit = s.charCodeAt(c.i++)
    if (micros !== 0 && unit !== 83 /* S */) invalid("interval", "fraction on a unit other than seconds")
    const v = sg * value
    if (!inTime && unit === 89 /* Y */) {
      addUnit(acc, UNIT_YEAR)
      acc.months += v * 12
    } else if (!inTime && unit === 77 /* M */) {
      addUnit(acc, UNIT_MONTH)
      acc.months += v
    } else if (!inTime && unit === 87 /* W */) {
      addUnit(acc, UNIT_WEEK)
      acc.days += v * 7
    } else if (!inTime && unit === 68 /* D */) {
      addUnit(acc, UNIT_DAY)
      acc.days += v
    } else if (inTime && unit === 72 /* H */) {
      addUnit(acc, UNIT_HOUR)
      acc.micros += BigInt(v) * MICROS_PER_HOUR_N
    } else if (inTime && unit === 77 /* M */) {
      addUnit(acc, UNIT_MINUTE)
      acc.micros += BigInt(v) * 60_000_000n
    } else if (inTime && unit === 83 /* S */) {
      addUnit(acc, UNIT_SECOND)
      acc.micros += BigInt(sg) * (BigInt(value) * MICROS_PER_SECOND_N + BigInt(micros))
    } else {
      invalid("interval", "unknown unit")
    }
  }
  if (acc.seen === 0) invalid("interval", "empty")
  return finishInterval(acc)
}
