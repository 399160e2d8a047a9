/**
 * {@link PgTime} and {@link PgTimeTz}, PostgreSQL's `time` and `timetz`: microseconds since
 * midnight (`24:00:00` included), the latter with a UTC offset, with their validating
 * constructors, parsers and printers. `PgDateTime` re-exports them.
 *
 * @since 0.1.0
 */
import { clock, inspectSymbol, isInt, isoOffset, pgOffset } from "./dateTimeFormat.ts"
import type { TypeName } from "./dateTimeText.ts"
import {
  checkText,
  expectEnd,
  invalid,
  MAX_OFFSET_SECONDS,
  MICROS_PER_SECOND,
  scan,
  scanClock,
  scanOffset
} from "./dateTimeText.ts"

const MICROS_PER_DAY = 86_400_000_000

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
