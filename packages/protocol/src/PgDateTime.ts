/**
 * Exact date and time values for PostgreSQL's `date`, `time`, `timetz`, `timestamp`,
 * `timestamptz` and `interval` types.
 *
 * JavaScript's `Date` cannot hold what these types hold: it has millisecond precision, no
 * infinities, a smaller range than `date` and no notion of a time of day without a date or of
 * an interval with separate months and days. The classes here keep every value the server can
 * send, exactly:
 *
 * | type | class | stored as |
 * |---|---|---|
 * | `date` | {@link PgDate} | days since 1970-01-01 (±`Infinity` for ±infinity) |
 * | `time` | {@link PgTime} | microseconds since midnight (0 … 86,400,000,000; `24:00:00` is valid) |
 * | `timetz` | {@link PgTimeTz} | microseconds since midnight and a UTC offset in seconds, east positive |
 * | `timestamp`, `timestamptz` | {@link PgTimestamp} | whole seconds since 1970-01-01 (±`Infinity`) and a microsecond 0 … 999,999 |
 * | `interval` | {@link PgInterval} | months, days and microseconds (`bigint`), never normalised |
 *
 * **Conventions**
 * - Calendar: proleptic Gregorian, as PostgreSQL. Years are astronomical, as in ISO 8601 and
 *   JavaScript's `Date`: year `0` is 1 BC, year `-1` is 2 BC. `toString()` prints PostgreSQL's
 *   `0001-01-01 BC` form; `toJSON()` prints ISO 8601's `0000-01-01`.
 * - `toString()` is exactly the server's output with `DateStyle=ISO`, `IntervalStyle=postgres`
 *   and `TimeZone=UTC`. `toJSON()` is ISO 8601 (RFC 3339 where it can be): years outside
 *   0 … 9999 use the expanded form with a sign and at least six digits (`+294276-12-31`,
 *   `-004713-11-24`, the form `Date.prototype.toISOString` uses), infinities print as
 *   `"infinity"` / `"-infinity"` (as PostgreSQL's `to_json` does).
 * - The static `parse` functions read what the server prints with `DateStyle=ISO` and
 *   `IntervalStyle` `postgres` or `iso_8601` (and what `toJSON` prints) and throw a `CodecError`
 *   on anything else (module `PgTextStyle` reads the other styles); so do the validating
 *   constructors (`make`, `fromDate`, …). The class constructors themselves do not validate:
 *   they exist for codecs that have already checked their input.
 *
 * @since 0.1.0
 */
import type { Civil, TypeName } from "./internal/dateTimeText.ts"
import {
  checkText,
  civilFromDays,
  CH_SPACE,
  CH_T,
  CH_t,
  CH_COLON,
  dateDays,
  daysFromCivil,
  daysInMonth,
  digits,
  expect,
  expectEnd,
  infinity,
  invalid,
  isDigit,
  MAX_EPOCH_SECONDS,
  MAX_OFFSET_SECONDS,
  MIN_EPOCH_SECONDS,
  MICROS_PER_SECOND,
  microsFraction,
  scan,
  scanBc,
  scanClock,
  scanDate,
  scanOffset,
  SECONDS_PER_DAY,
  sign
} from "./internal/dateTimeText.ts"

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

const MICROS_PER_DAY = 86_400_000_000
/** 4714-11-24 BC (Julian day 0), the first date PostgreSQL accepts, in days since 1970-01-01. */
const MIN_EPOCH_DAYS = -2_440_588
/** 5874897-12-31, the last date PostgreSQL accepts, in days since 1970-01-01. */
const MAX_EPOCH_DAYS = 2_145_042_905
/** The range of JavaScript's `Date`, in milliseconds either side of 1970. */
const MAX_DATE_MILLIS = 8.64e15

const INT32_MIN = -2_147_483_648
const INT32_MAX = 2_147_483_647
const INT64_MIN = -9_223_372_036_854_775_808n
const INT64_MAX = 9_223_372_036_854_775_807n
const MICROS_PER_HOUR_N = 3_600_000_000n
const MICROS_PER_SECOND_N = 1_000_000n

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom")

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, astronomical years)
// ---------------------------------------------------------------------------------------------

export {
  /**
   * The number of days in `month` (1 … 12) of `year` (astronomical).
   *
   * @category utils
   * @since 0.1.0
   */
  daysInMonth,
  /**
   * Whether `year` (astronomical: 0 is 1 BC) is a leap year in the proleptic Gregorian calendar.
   *
   * @category utils
   * @since 0.1.0
   */
  isLeapYear
} from "./internal/dateTimeText.ts"

const isInt = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n)

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

const pad2 = (n: number): string => (n < 10 ? "0" + n : "" + n)

const pad = (n: number, width: number): string => {
  const s = "" + n
  return s.length >= width ? s : "0".repeat(width - s.length) + s
}

/** `.ffffff` with trailing zeros trimmed, or "" for a whole second. */
const fraction = (micros: number): string => {
  if (micros === 0) return ""
  let width = 6
  while (micros % 10 === 0) {
    micros /= 10
    width--
  }
  return "." + pad(micros, width)
}

/** PostgreSQL's year: at least four digits, BC years counted from 1 (the " BC" is added later). */
const pgYear = (year: number): string => pad(year > 0 ? year : 1 - year, 4)

/** ISO 8601 year: four digits in 0 … 9999, else a sign and at least six digits. */
const isoYear = (year: number): string =>
  year >= 0 && year <= 9999 ? pad(year, 4) : (year < 0 ? "-" : "+") + pad(Math.abs(year), 6)

const pgDate = (c: Civil): string => pgYear(c.year) + "-" + pad2(c.month) + "-" + pad2(c.day)

const isoDate = (c: Civil): string => isoYear(c.year) + "-" + pad2(c.month) + "-" + pad2(c.day)

/** `HH:MM:SS[.ffffff]` of a microsecond of the day (24:00:00 allowed). */
const clock = (microsOfDay: number): string => {
  const seconds = Math.floor(microsOfDay / MICROS_PER_SECOND)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds - h * 3600) / 60)
  return pad2(h) + ":" + pad2(m) + ":" + pad2(seconds - h * 3600 - m * 60) +
    fraction(microsOfDay - seconds * MICROS_PER_SECOND)
}

/**
 * A UTC offset (east positive) as `±HH`, then `:MM` when `alwaysMinutes` or not whole hours,
 * then `:SS` when not whole minutes.
 */
const formatOffset = (offsetSeconds: number, alwaysMinutes: boolean): string => {
  const abs = Math.abs(offsetSeconds)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs - h * 3600) / 60)
  const s = abs - h * 3600 - m * 60
  let out = (offsetSeconds >= 0 ? "+" : "-") + pad2(h)
  if (alwaysMinutes || m !== 0 || s !== 0) out += ":" + pad2(m)
  return s !== 0 ? out + ":" + pad2(s) : out
}

/** PostgreSQL's offset: `+05:30`, `-08`, `-04:56:02` (east positive). */
const pgOffset = (offsetSeconds: number): string => formatOffset(offsetSeconds, false)

/** ISO 8601 offset: `+05:30`, `-08:00`, `+00:00`; seconds only when present (`-04:56:02`). */
const isoOffset = (offsetSeconds: number): string => formatOffset(offsetSeconds, true)

// ---------------------------------------------------------------------------------------------
// PgDate
// ---------------------------------------------------------------------------------------------

/**
 * A calendar date (PostgreSQL `date`): proleptic Gregorian, 4714-11-24 BC … 5874897-12-31, or
 * ±infinity.
 *
 * **Details**
 * - `epochDays` counts days since 1970-01-01 (negative before); it is `Infinity` / `-Infinity`
 *   for the infinities, so comparing `epochDays` orders dates as PostgreSQL does.
 * - `year` is astronomical (0 = 1 BC); `year`, `month` and `day` are `NaN` for the infinities.
 * - `toDate()` gives midnight UTC of the date, or an Invalid Date (`NaN` time) for the
 *   infinities and for dates beyond JavaScript's range (±271,821 years around 1970).
 *
 * **Example** (Building and printing)
 *
 * ```ts
 * import { PgDate } from "@pgfx/protocol/PgDateTime"
 *
 * const d = PgDate.make(-43, 3, 15)
 * d.toString() // "0044-03-15 BC"
 * d.toJSON()   // "-000043-03-15"
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export class PgDate {
  /** Days since 1970-01-01; `±Infinity` for ±infinity. */
  readonly epochDays: number

  /**
   * Unchecked: `epochDays` must be an integer in range or `±Infinity`. Prefer {@link PgDate.make},
   * {@link PgDate.fromEpochDays}, {@link PgDate.fromDate} or {@link PgDate.parse}.
   */
  constructor(epochDays: number) {
    this.epochDays = epochDays
  }

  /** PostgreSQL's `infinity` date. */
  static readonly infinity: PgDate = new PgDate(Infinity)
  /** PostgreSQL's `-infinity` date. */
  static readonly negativeInfinity: PgDate = new PgDate(-Infinity)
  /** The first finite date, 4714-11-24 BC. */
  static readonly min: PgDate = new PgDate(MIN_EPOCH_DAYS)
  /** The last finite date, 5874897-12-31. */
  static readonly max: PgDate = new PgDate(MAX_EPOCH_DAYS)

  /**
   * The date `year-month-day` (astronomical `year`: 0 is 1 BC); throws a `CodecError` when a
   * field is not an integer, the day does not exist, or the date is out of PostgreSQL's range.
   */
  static make(year: number, month: number, day: number): PgDate {
    if (!isInt(year) || !isInt(month) || !isInt(day)) return invalid("date", "fields must be integers")
    if (month < 1 || month > 12) return invalid("date", "month out of range")
    if (day < 1 || day > daysInMonth(year, month)) return invalid("date", "day out of range")
    return PgDate.fromEpochDays(daysFromCivil(year, month, day))
  }

  /** The date `epochDays` days after 1970-01-01 (`±Infinity` for the infinities); validated. */
  static fromEpochDays(epochDays: number): PgDate {
    if (epochDays === Infinity) return PgDate.infinity
    if (epochDays === -Infinity) return PgDate.negativeInfinity
    if (!isInt(epochDays)) return invalid("date", "day count must be an integer")
    if (epochDays < MIN_EPOCH_DAYS || epochDays > MAX_EPOCH_DAYS) return invalid("date", "date out of range")
    return new PgDate(epochDays)
  }

  /** The UTC calendar date of a JavaScript `Date`; throws a `CodecError` for an Invalid Date. */
  static fromDate(date: Date): PgDate {
    const ms = date.getTime()
    if (Number.isNaN(ms)) return invalid("date", "Invalid Date")
    return PgDate.fromEpochDays(Math.floor(ms / 86_400_000))
  }

  /**
   * Parses the server's text form (`2024-01-02`, `0044-03-15 BC`, `294276-12-31`, `infinity`,
   * `-infinity`) and the ISO 8601 form `toJSON` prints (`-000043-03-15`, `+294276-12-31`).
   */
  static parse(text: string): PgDate {
    const s = checkText(text, "date")
    const inf = infinity(s)
    if (inf !== 0) return inf > 0 ? PgDate.infinity : PgDate.negativeInfinity
    const c = scan(s, "date")
    scanDate(c)
    const bc = scanBc(c)
    expectEnd(c)
    return PgDate.fromEpochDays(dateDays(c, bc))
  }

  /** Orders two dates: -1, 0 or 1. */
  static compare(a: PgDate, b: PgDate): -1 | 0 | 1 {
    return a.epochDays < b.epochDays ? -1 : a.epochDays > b.epochDays ? 1 : 0
  }

  /** Whether the date is neither `infinity` nor `-infinity`. */
  get isFinite(): boolean {
    return Number.isFinite(this.epochDays)
  }

  /** Astronomical year (0 = 1 BC, -1 = 2 BC); `NaN` when infinite. */
  get year(): number {
    return this.isFinite ? civilFromDays(this.epochDays).year : NaN
  }

  /** Month 1 … 12; `NaN` when infinite. */
  get month(): number {
    return this.isFinite ? civilFromDays(this.epochDays).month : NaN
  }

  /** Day of the month 1 … 31; `NaN` when infinite. */
  get day(): number {
    return this.isFinite ? civilFromDays(this.epochDays).day : NaN
  }

  /** Midnight UTC of this date; an Invalid Date when infinite or beyond `Date`'s range. */
  toDate(): Date {
    const ms = this.epochDays * 86_400_000
    return new Date(ms >= -MAX_DATE_MILLIS && ms <= MAX_DATE_MILLIS ? ms : NaN)
  }

  /** PostgreSQL's ISO output: `2024-01-02`, `0044-03-15 BC`, `infinity`. */
  toString(): string {
    if (!this.isFinite) return this.epochDays > 0 ? "infinity" : "-infinity"
    const c = civilFromDays(this.epochDays)
    return c.year > 0 ? pgDate(c) : pgDate(c) + " BC"
  }

  /** ISO 8601: `2024-01-02`, `-000043-03-15`, `+294276-12-31`, `"infinity"`, `"-infinity"`. */
  toJSON(): string {
    if (!this.isFinite) return this.epochDays > 0 ? "infinity" : "-infinity"
    return isoDate(civilFromDays(this.epochDays))
  }

  /** Same date. */
  equals(that: PgDate): boolean {
    return that instanceof PgDate && this.epochDays === that.epochDays
  }

  [inspectSymbol](): string {
    return `PgDate(${this.toString()})`
  }
}

// ---------------------------------------------------------------------------------------------
// PgTime, PgTimeTz
// ---------------------------------------------------------------------------------------------

/**
 * The components of a time of day, for {@link PgTime.make} and {@link PgTimeTz.make}.
 *
 * @category models
 * @since 0.1.0
 */
export interface TimeParts {
  readonly hour: number
  readonly minute: number
  readonly second?: number | undefined
  readonly microsecond?: number | undefined
}

const timeFromParts = (parts: TimeParts, type: TypeName): number => {
  const { hour, minute, second = 0, microsecond = 0 } = parts
  if (!isInt(hour) || !isInt(minute) || !isInt(second) || !isInt(microsecond)) {
    return invalid(type, "fields must be integers")
  }
  if (
    hour < 0 || hour > 24 || minute < 0 || minute > 59 || second < 0 || second > 59 || microsecond < 0 ||
    microsecond > 999_999 || (hour === 24 && (minute !== 0 || second !== 0 || microsecond !== 0))
  ) {
    return invalid(type, "time field out of range")
  }
  return ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + microsecond
}

const checkMicrosOfDay = (micros: number, type: TypeName): number =>
  isInt(micros) && micros >= 0 && micros <= MICROS_PER_DAY ? micros : invalid(type, "time out of range")

/**
 * A time of day without a date or zone (PostgreSQL `time`), with microsecond precision.
 *
 * **Details**
 * `microsOfDay` runs from 0 (`00:00:00`) to 86,400,000,000 inclusive: PostgreSQL accepts and
 * prints `24:00:00` as the end of the day.
 *
 * @category models
 * @since 0.1.0
 */
export class PgTime {
  /** Microseconds since midnight, 0 … 86,400,000,000. */
  readonly microsOfDay: number

  /** Unchecked; prefer {@link PgTime.make}, {@link PgTime.fromMicrosOfDay} or {@link PgTime.parse}. */
  constructor(microsOfDay: number) {
    this.microsOfDay = microsOfDay
  }

  /** `00:00:00`. */
  static readonly midnight: PgTime = new PgTime(0)
  /** `24:00:00`, the end of the day. */
  static readonly endOfDay: PgTime = new PgTime(MICROS_PER_DAY)

  /** The time `hour:minute:second.microsecond`; `24:00:00` allowed; validated. */
  static make(parts: TimeParts): PgTime {
    return new PgTime(timeFromParts(parts, "time"))
  }

  /** The time `microsOfDay` microseconds after midnight (0 … 86,400,000,000); validated. */
  static fromMicrosOfDay(microsOfDay: number): PgTime {
    return new PgTime(checkMicrosOfDay(microsOfDay, "time"))
  }

  /** Parses `HH:MM:SS[.ffffff]` (seconds optional; `24:00:00` and the leap second `23:59:60` allowed). */
  static parse(text: string): PgTime {
    const c = scan(checkText(text, "time"), "time")
    const micros = scanClock(c)
    expectEnd(c)
    return new PgTime(checkMicrosOfDay(micros, "time"))
  }

  /** 0 … 24. */
  get hour(): number {
    return Math.floor(this.microsOfDay / 3_600_000_000)
  }

  /** 0 … 59. */
  get minute(): number {
    return Math.floor(this.microsOfDay / 60_000_000) % 60
  }

  /** 0 … 59. */
  get second(): number {
    return Math.floor(this.microsOfDay / MICROS_PER_SECOND) % 60
  }

  /** Microseconds within the second, 0 … 999,999. */
  get microsecond(): number {
    return this.microsOfDay % MICROS_PER_SECOND
  }

  /** PostgreSQL's output: `04:05:06.789`, `24:00:00`. */
  toString(): string {
    return clock(this.microsOfDay)
  }

  /** ISO 8601 time, the same text as {@link toString}. */
  toJSON(): string {
    return clock(this.microsOfDay)
  }

  /** Same time of day. */
  equals(that: PgTime): boolean {
    return that instanceof PgTime && this.microsOfDay === that.microsOfDay
  }

  [inspectSymbol](): string {
    return `PgTime(${this.toString()})`
  }
}

/**
 * A time of day with a UTC offset (PostgreSQL `timetz`).
 *
 * **Details**
 * - `offsetSeconds` is the conventional, east-positive offset: `+05:30` is `19800`, `-08` is
 *   `-28800`. (The wire format stores the opposite sign, seconds *west* of UTC; the codec
 *   converts.) PostgreSQL accepts offsets up to ±15:59:59.
 * - `equals` compares the time and the offset, like PostgreSQL's `=` on `timetz`
 *   (`12:00+01` and `11:00+00` are different values).
 *
 * @category models
 * @since 0.1.0
 */
export class PgTimeTz {
  /** Microseconds since midnight (local to the offset), 0 … 86,400,000,000. */
  readonly microsOfDay: number
  /** UTC offset in seconds, east positive (`+05:30` → 19800), within ±57,599. */
  readonly offsetSeconds: number

  /** Unchecked; prefer {@link PgTimeTz.make}, {@link PgTimeTz.fromMicrosOfDay} or {@link PgTimeTz.parse}. */
  constructor(microsOfDay: number, offsetSeconds: number) {
    this.microsOfDay = microsOfDay
    this.offsetSeconds = offsetSeconds
  }

  /** The time `hour:minute:second.microsecond` at `offsetSeconds` east of UTC; validated. */
  static make(parts: TimeParts & { readonly offsetSeconds: number }): PgTimeTz {
    return new PgTimeTz(timeFromParts(parts, "timetz"), checkOffset(parts.offsetSeconds))
  }

  /** The time `microsOfDay` after midnight at `offsetSeconds` east of UTC; validated. */
  static fromMicrosOfDay(microsOfDay: number, offsetSeconds: number): PgTimeTz {
    return new PgTimeTz(checkMicrosOfDay(microsOfDay, "timetz"), checkOffset(offsetSeconds))
  }

  /** Parses `HH:MM:SS[.ffffff]±HH[:MM[:SS]]` (or `Z`); the offset is required. */
  static parse(text: string): PgTimeTz {
    const c = scan(checkText(text, "timetz"), "timetz")
    const micros = scanClock(c)
    const offset = scanOffset(c)
    if (offset === undefined) return invalid("timetz", "missing UTC offset")
    expectEnd(c)
    return new PgTimeTz(checkMicrosOfDay(micros, "timetz"), offset)
  }

  /** 0 … 24. */
  get hour(): number {
    return Math.floor(this.microsOfDay / 3_600_000_000)
  }

  /** 0 … 59. */
  get minute(): number {
    return Math.floor(this.microsOfDay / 60_000_000) % 60
  }

  /** 0 … 59. */
  get second(): number {
    return Math.floor(this.microsOfDay / MICROS_PER_SECOND) % 60
  }

  /** Microseconds within the second, 0 … 999,999. */
  get microsecond(): number {
    return this.microsOfDay % MICROS_PER_SECOND
  }

  /** The local time without the offset. */
  get time(): PgTime {
    return new PgTime(this.microsOfDay)
  }

  /** PostgreSQL's output: `12:00:00+05:30`, `12:00:00-08`, `00:00:00.5-04:56:02`. */
  toString(): string {
    return clock(this.microsOfDay) + pgOffset(this.offsetSeconds)
  }

  /** ISO 8601: `12:00:00+05:30`, `12:00:00-08:00`, `00:00:00+00:00`. */
  toJSON(): string {
    return clock(this.microsOfDay) + isoOffset(this.offsetSeconds)
  }

  /** Same time and same offset. */
  equals(that: PgTimeTz): boolean {
    return that instanceof PgTimeTz && this.microsOfDay === that.microsOfDay &&
      this.offsetSeconds === that.offsetSeconds
  }

  [inspectSymbol](): string {
    return `PgTimeTz(${this.toString()})`
  }
}

const checkOffset = (offsetSeconds: number): number =>
  isInt(offsetSeconds) && Math.abs(offsetSeconds) <= MAX_OFFSET_SECONDS
    ? offsetSeconds
    : invalid("timetz", "UTC offset out of range")

// ---------------------------------------------------------------------------------------------
// PgTimestamp
// ---------------------------------------------------------------------------------------------

/**
 * The components of a timestamp, for {@link PgTimestamp.make}; `year` is astronomical (0 = 1 BC).
 *
 * @category models
 * @since 0.1.0
 */
export interface TimestampParts {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour?: number | undefined
  readonly minute?: number | undefined
  readonly second?: number | undefined
  readonly microsecond?: number | undefined
}

/**
 * All calendar and clock fields of a finite timestamp, as {@link PgTimestamp.toParts} returns them.
 *
 * @category models
 * @since 0.1.0
 */
export interface TimestampFields {
  /** Astronomical year (0 = 1 BC). */
  readonly year: number
  /** 1 … 12. */
  readonly month: number
  /** 1 … 31. */
  readonly day: number
  /** 0 … 23. */
  readonly hour: number
  /** 0 … 59. */
  readonly minute: number
  /** 0 … 59. */
  readonly second: number
  /** 0 … 999,999. */
  readonly microsecond: number
}

/**
 * Options of the {@link PgTimestamp} constructors.
 *
 * @category models
 * @since 0.1.0
 */
export interface TimestampOptions {
  /**
   * `true` (the default) for a `timestamptz` — an instant, whose fields are UTC; `false` for a
   * `timestamp` — a wall-clock reading with no zone.
   */
  readonly withTimeZone?: boolean | undefined
}

const timestampType = (withTimeZone: boolean): TypeName => (withTimeZone ? "timestamptz" : "timestamp")

/**
 * A microsecond-exact timestamp (PostgreSQL `timestamp` or `timestamptz`), 4714-11-24 BC …
 * 294276-12-31 23:59:59.999999, or ±infinity.
 *
 * **Details**
 * - Stored as `epochSeconds` (whole seconds since 1970-01-01 00:00:00, rounded down; ±`Infinity`
 *   for the infinities) and `microsecond` (0 … 999,999 within that second). Both are plain
 *   numbers, exact over the whole range, so decoding allocates one small object and no `bigint`;
 *   calendar fields are computed only when asked for.
 * - `withTimeZone` says which type the value is: `true` for `timestamptz`, an instant whose fields
 *   are UTC (`toString()` ends in `+00`, `toJSON()` in `Z`); `false` for `timestamp`, a wall-clock
 *   reading with no zone (no suffix). The codecs write either kind to either type, as
 *   PostgreSQL's casts do with `TimeZone=UTC`.
 * - `year`, `month`, `day`, `hour`, … are `NaN` for the infinities; `year` is astronomical.
 * - `toDate()` rounds down to the millisecond; it returns an Invalid Date (`NaN` time) for the
 *   infinities and for instants beyond `Date`'s range (±271,821 years around 1970).
 * - `equals` compares the instant and `withTimeZone`; {@link PgTimestamp.compare} only the
 *   instant.
 *
 * **Example** (From and to `Date`)
 *
 * ```ts
 * import { PgTimestamp } from "@pgfx/protocol/PgDateTime"
 *
 * const t = PgTimestamp.parse("2024-01-02 03:04:05.123456+00")
 * t.toJSON()            // "2024-01-02T03:04:05.123456Z"
 * t.toDate()            // 2024-01-02T03:04:05.123Z
 * t.epochMicroseconds   // 1704164645123456n
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export class PgTimestamp {
  /** Whole seconds since 1970-01-01 00:00:00 (rounded down); `±Infinity` for ±infinity. */
  readonly epochSeconds: number
  /** Microseconds within the second, 0 … 999,999 (0 for the infinities). */
  readonly microsecond: number
  /** `true` for `timestamptz` (an instant, UTC fields), `false` for `timestamp` (wall clock). */
  readonly withTimeZone: boolean

  /**
   * Unchecked: `epochSeconds` must be an integer in range or `±Infinity`, `microsecond` an
   * integer in 0 … 999,999. Prefer {@link PgTimestamp.make}, {@link PgTimestamp.fromDate},
   * {@link PgTimestamp.fromEpochMicroseconds} or {@link PgTimestamp.parse}.
   */
  constructor(epochSeconds: number, microsecond: number, withTimeZone: boolean) {
    this.epochSeconds = epochSeconds
    this.microsecond = microsecond
    this.withTimeZone = withTimeZone
  }

  /** `timestamptz` `infinity`; use `.toTimestamp()` for the `timestamp` one. */
  static readonly infinity: PgTimestamp = new PgTimestamp(Infinity, 0, true)
  /** `timestamptz` `-infinity`; use `.toTimestamp()` for the `timestamp` one. */
  static readonly negativeInfinity: PgTimestamp = new PgTimestamp(-Infinity, 0, true)
  /** The first finite `timestamptz`, 4714-11-24 00:00:00 BC UTC. */
  static readonly min: PgTimestamp = new PgTimestamp(MIN_EPOCH_SECONDS, 0, true)
  /** The last finite `timestamptz`, 294276-12-31 23:59:59.999999 UTC. */
  static readonly max: PgTimestamp = new PgTimestamp(MAX_EPOCH_SECONDS, 999_999, true)

  /**
   * The timestamp with these fields (UTC for a `timestamptz`); omitted time fields are 0.
   * Throws a `CodecError` when a field is not an integer or is out of range (hour 0 … 23), or
   * the result is outside PostgreSQL's range.
   */
  static make(parts: TimestampParts, options?: TimestampOptions): PgTimestamp {
    const withTimeZone = options?.withTimeZone ?? true
    const type = timestampType(withTimeZone)
    const { year, month, day, hour = 0, minute = 0, second = 0, microsecond = 0 } = parts
    if (![year, month, day, hour, minute, second, microsecond].every(isInt)) {
      return invalid(type, "fields must be integers")
    }
    if (month < 1 || month > 12) return invalid(type, "month out of range")
    if (day < 1 || day > daysInMonth(year, month)) return invalid(type, "day out of range")
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return invalid(type, "time field out of range")
    }
    if (microsecond < 0 || microsecond > 999_999) return invalid(type, "microsecond out of range")
    const seconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + (hour * 60 + minute) * 60 + second
    return checkedTimestamp(seconds, microsecond, withTimeZone)
  }

  /** The instant `epochMicroseconds` µs after 1970-01-01 00:00:00 UTC; validated. */
  static fromEpochMicroseconds(epochMicroseconds: bigint, options?: TimestampOptions): PgTimestamp {
    const withTimeZone = options?.withTimeZone ?? true
    if (typeof epochMicroseconds !== "bigint") return invalid(timestampType(withTimeZone), "expected a bigint")
    let seconds = epochMicroseconds / MICROS_PER_SECOND_N
    let micros = epochMicroseconds - seconds * MICROS_PER_SECOND_N
    if (micros < 0n) {
      micros += MICROS_PER_SECOND_N
      seconds -= 1n
    }
    if (seconds < BigInt(MIN_EPOCH_SECONDS) || seconds > BigInt(MAX_EPOCH_SECONDS)) {
      return invalid(timestampType(withTimeZone), "timestamp out of range")
    }
    return new PgTimestamp(Number(seconds), Number(micros), withTimeZone)
  }

  /**
   * The instant of a JavaScript `Date` (its millisecond becomes `microsecond = ms * 1000`); with
   * `withTimeZone: false` its UTC wall-clock reading. Throws a `CodecError` for an Invalid Date
   * and for dates before 4714-11-24 BC.
   */
  static fromDate(date: Date, options?: TimestampOptions): PgTimestamp {
    const withTimeZone = options?.withTimeZone ?? true
    const ms = date.getTime()
    if (Number.isNaN(ms)) return invalid(timestampType(withTimeZone), "Invalid Date")
    const seconds = Math.floor(ms / 1000)
    return checkedTimestamp(seconds, (ms - seconds * 1000) * 1000, withTimeZone)
  }

  /**
   * Parses the server's ISO output (`2024-01-02 03:04:05.123456+00`, `0044-03-15 12:00:00+00 BC`,
   * `294276-12-31 23:59:59.999999`, `infinity`, offsets `+05:30` / `-04:56:02`) and ISO 8601
   * (`2024-01-02T03:04:05Z`, `+294276-12-31T…`). The time part is optional.
   *
   * **Details**
   * For a `timestamptz` (the default) an offset is applied and a missing one means UTC. For a
   * `timestamp` an offset is ignored, as PostgreSQL's `timestamp_in` does.
   */
  static parse(text: string, options?: TimestampOptions): PgTimestamp {
    const withTimeZone = options?.withTimeZone ?? true
    const type = timestampType(withTimeZone)
    const s = checkText(text, type)
    const inf = infinity(s)
    if (inf !== 0) {
      const value = inf > 0 ? PgTimestamp.infinity : PgTimestamp.negativeInfinity
      return withTimeZone ? value : value.toTimestamp()
    }
    const c = scan(s, type)
    scanDate(c)
    let micros = 0
    const sep = s.charCodeAt(c.i)
    if ((sep === CH_SPACE || sep === CH_T || sep === CH_t) && isDigit(s.charCodeAt(c.i + 1))) {
      c.i++
      micros = scanClock(c)
    }
    const offset = scanOffset(c)
    const bc = scanBc(c)
    expectEnd(c)
    const micro = micros % MICROS_PER_SECOND
    let seconds = dateDays(c, bc) * SECONDS_PER_DAY + (micros - micro) / MICROS_PER_SECOND
    if (withTimeZone && offset !== undefined) seconds -= offset
    return checkedTimestamp(seconds, micro, withTimeZone)
  }

  /** Orders two timestamps by instant (ignoring `withTimeZone`): -1, 0 or 1. */
  static compare(a: PgTimestamp, b: PgTimestamp): -1 | 0 | 1 {
    if (a.epochSeconds !== b.epochSeconds) return a.epochSeconds < b.epochSeconds ? -1 : 1
    return a.microsecond < b.microsecond ? -1 : a.microsecond > b.microsecond ? 1 : 0
  }

  /** Whether the timestamp is neither `infinity` nor `-infinity`. */
  get isFinite(): boolean {
    return Number.isFinite(this.epochSeconds)
  }

  /** Milliseconds since 1970 (rounded down; `±Infinity` when infinite); exact within `Date`'s range. */
  get epochMilliseconds(): number {
    return this.isFinite ? this.epochSeconds * 1000 + Math.floor(this.microsecond / 1000) : this.epochSeconds
  }

  /** Microseconds since 1970, exactly. Throws a `RangeError` when infinite. */
  get epochMicroseconds(): bigint {
    return BigInt(this.epochSeconds) * MICROS_PER_SECOND_N + BigInt(this.microsecond)
  }

  /** The calendar date (UTC for a `timestamptz`). */
  get date(): PgDate {
    if (this.isFinite) return new PgDate(Math.floor(this.epochSeconds / SECONDS_PER_DAY))
    return this.epochSeconds > 0 ? PgDate.infinity : PgDate.negativeInfinity
  }

  /** The time of day (UTC for a `timestamptz`); `NaN` fields when infinite. */
  get time(): PgTime {
    return new PgTime(this.secondOfDay() * MICROS_PER_SECOND + this.microsecond)
  }

  /** Astronomical year; `NaN` when infinite. */
  get year(): number {
    return this.date.year
  }

  /** 1 … 12; `NaN` when infinite. */
  get month(): number {
    return this.date.month
  }

  /** 1 … 31; `NaN` when infinite. */
  get day(): number {
    return this.date.day
  }

  /** 0 … 23; `NaN` when infinite. */
  get hour(): number {
    return Math.floor(this.secondOfDay() / 3600)
  }

  /** 0 … 59; `NaN` when infinite. */
  get minute(): number {
    return Math.floor(this.secondOfDay() / 60) % 60
  }

  /** 0 … 59; `NaN` when infinite. */
  get second(): number {
    return this.secondOfDay() % 60
  }

  /** All calendar and clock fields at once (UTC for a `timestamptz`); `NaN` when infinite. */
  toParts(): TimestampFields {
    if (!this.isFinite) {
      return { year: NaN, month: NaN, day: NaN, hour: NaN, minute: NaN, second: NaN, microsecond: NaN }
    }
    const days = Math.floor(this.epochSeconds / SECONDS_PER_DAY)
    const sod = this.epochSeconds - days * SECONDS_PER_DAY
    const { year, month, day } = civilFromDays(days)
    return {
      year,
      month,
      day,
      hour: Math.floor(sod / 3600),
      minute: Math.floor(sod / 60) % 60,
      second: sod % 60,
      microsecond: this.microsecond
    }
  }

  /** The same fields as a `timestamp` (wall clock, no zone). */
  toTimestamp(): PgTimestamp {
    return this.withTimeZone ? new PgTimestamp(this.epochSeconds, this.microsecond, false) : this
  }

  /** The same fields as a `timestamptz` (read as UTC). */
  toTimestampTz(): PgTimestamp {
    return this.withTimeZone ? this : new PgTimestamp(this.epochSeconds, this.microsecond, true)
  }

  /** The instant as a `Date`, rounded down to the millisecond; Invalid Date when not representable. */
  toDate(): Date {
    const ms = this.epochMilliseconds
    return new Date(ms >= -MAX_DATE_MILLIS && ms <= MAX_DATE_MILLIS ? ms : NaN)
  }

  /**
   * PostgreSQL's ISO output with `TimeZone=UTC`: `2024-01-02 03:04:05.123456+00` (timestamptz),
   * `2024-01-02 03:04:05.123456` (timestamp), `0044-03-15 12:00:00+00 BC`, `infinity`.
   */
  toString(): string {
    if (!this.isFinite) return this.epochSeconds > 0 ? "infinity" : "-infinity"
    const days = Math.floor(this.epochSeconds / SECONDS_PER_DAY)
    const c = civilFromDays(days)
    const s = pgDate(c) + " " +
      clock((this.epochSeconds - days * SECONDS_PER_DAY) * MICROS_PER_SECOND + this.microsecond) +
      (this.withTimeZone ? "+00" : "")
    return c.year > 0 ? s : s + " BC"
  }

  /**
   * ISO 8601: `2024-01-02T03:04:05.123456Z` (timestamptz), `2024-01-02T03:04:05.123456`
   * (timestamp), `-000043-03-15T12:00:00Z`, `"infinity"`, `"-infinity"`. Fractional zeros are
   * trimmed.
   */
  toJSON(): string {
    if (!this.isFinite) return this.epochSeconds > 0 ? "infinity" : "-infinity"
    const days = Math.floor(this.epochSeconds / SECONDS_PER_DAY)
    return isoDate(civilFromDays(days)) + "T" +
      clock((this.epochSeconds - days * SECONDS_PER_DAY) * MICROS_PER_SECOND + this.microsecond) +
      (this.withTimeZone ? "Z" : "")
  }

  /** Same instant and same `withTimeZone`. */
  equals(that: PgTimestamp): boolean {
    return that instanceof PgTimestamp && this.epochSeconds === that.epochSeconds &&
      this.microsecond === that.microsecond && this.withTimeZone === that.withTimeZone
  }

  [inspectSymbol](): string {
    return `PgTimestamp(${this.toString()})`
  }

  private secondOfDay(): number {
    return this.epochSeconds - Math.floor(this.epochSeconds / SECONDS_PER_DAY) * SECONDS_PER_DAY
  }
}

const checkedTimestamp = (seconds: number, microsecond: number, withTimeZone: boolean): PgTimestamp =>
  seconds >= MIN_EPOCH_SECONDS && seconds <= MAX_EPOCH_SECONDS
    ? new PgTimestamp(seconds, microsecond, withTimeZone)
    : invalid(timestampType(withTimeZone), "timestamp out of range")

// ---------------------------------------------------------------------------------------------
// PgInterval
// ---------------------------------------------------------------------------------------------

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
