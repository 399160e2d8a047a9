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

// ---------------------------------------------------------------------------------------------
// PgDate
// ---------------------------------------------------------------------------------------------

export {
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
  PgDate
} from "./internal/pgDate.ts"

// ---------------------------------------------------------------------------------------------
// PgTime, PgTimeTz
// ---------------------------------------------------------------------------------------------

export type {
  /**
   * The components of a time of day, for {@link PgTime.make} and {@link PgTimeTz.make}.
   *
   * @category models
   * @since 0.1.0
   */
  TimeParts
} from "./internal/pgTime.ts"

export {
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
  PgTime,
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
  PgTimeTz
} from "./internal/pgTime.ts"

// ---------------------------------------------------------------------------------------------
// PgTimestamp
// ---------------------------------------------------------------------------------------------

export type {
  /**
   * The components of a timestamp, for {@link PgTimestamp.make}; `year` is astronomical (0 = 1 BC).
   *
   * @category models
   * @since 0.1.0
   */
  TimestampParts,
  /**
   * All calendar and clock fields of a finite timestamp, as {@link PgTimestamp.toParts} returns them.
   *
   * @category models
   * @since 0.1.0
   */
  TimestampFields,
  /**
   * Options of the {@link PgTimestamp} constructors.
   *
   * @category models
   * @since 0.1.0
   */
  TimestampOptions
} from "./internal/pgTimestamp.ts"

export {
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
  PgTimestamp
} from "./internal/pgTimestamp.ts"

// ---------------------------------------------------------------------------------------------
// PgInterval
// ---------------------------------------------------------------------------------------------

export type {
  /**
   * The components of an interval, for {@link PgInterval.make}; all optional integers, each with
   * its own sign.
   *
   * @category models
   * @since 0.1.0
   */
  IntervalParts,
  /**
   * The fields PostgreSQL prints for an interval (`interval2itm`): months split into years and
   * months, microseconds into hours … microseconds, each truncated toward zero so that all time
   * fields share the sign of the microsecond total.
   *
   * @category models
   * @since 0.1.0
   */
  IntervalFields
} from "./internal/pgInterval.ts"

export {
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
  PgInterval
} from "./internal/pgInterval.ts"
