/**
 * {@link PgTimestamp}, PostgreSQL's `timestamp` and `timestamptz`: whole seconds since 1970 and
 * a microsecond, or ±infinity, with the validating constructors, the parser (ISO DateStyle and
 * ISO 8601), the calendar accessors and the printers. `PgDateTime` re-exports it.
 *
 * @since 0.1.0
 */
import { clock, inspectSymbol, isInt, isoDate, MAX_DATE_MILLIS, MICROS_PER_SECOND_N, pgDate } from "./dateTimeFormat.ts"
import type { TypeName } from "./dateTimeText.ts"
import {
  checkText,
  civilFromDays,
  CH_SPACE,
  CH_T,
  CH_t,
  dateDays,
  daysFromCivil,
  daysInMonth,
  expectEnd,
  infinity,
  invalid,
  isDigit,
  MAX_EPOCH_SECONDS,
  MIN_EPOCH_SECONDS,
  MICROS_PER_SECOND,
  scan,
  scanBc,
  scanClock,
  scanDate,
  scanOffset,
  SECONDS_PER_DAY
} from "./dateTimeText.ts"
import { PgDate } from "./pgDate.ts"
import { PgTime } from "./pgTime.ts"

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
