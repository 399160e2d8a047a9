/**
 * {@link PgDate}, PostgreSQL's `date`: days since 1970-01-01 or ±infinity, with its validating
 * constructors, its parser (ISO DateStyle and ISO 8601) and its printers. `PgDateTime`
 * re-exports it.
 *
 * @since 0.1.0
 */
import { inspectSymbol, isInt, isoDate, MAX_DATE_MILLIS, pgDate } from "./dateTimeFormat.ts"
import {
  checkText,
  civilFromDays,
  dateDays,
  daysFromCivil,
  daysInMonth,
  expectEnd,
  infinity,
  invalid,
  scan,
  scanBc,
  scanDate
} from "./dateTimeText.ts"

/** 4714-11-24 BC (Julian day 0), the first date PostgreSQL accepts, in days since 1970-01-01. */
const MIN_EPOCH_DAYS = -2_440_588
/** 5874897-12-31, the last date PostgreSQL accepts, in days since 1970-01-01. */
const MAX_EPOCH_DAYS = 2_145_042_905

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
