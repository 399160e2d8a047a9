/**
 * Effect `Schema`s for PostgreSQL values: from what pgfx's wire codecs decode to, to the types
 * applications want, and back for parameters.
 *
 * The codecs in `@pgfx/protocol` decode every column losslessly (`int8` → `bigint`, `numeric` →
 * its exact text, `timestamptz` → a microsecond-exact `PgTimestamp` with ±infinity, …; see the
 * value table in the protocol package's README). The schemas here sit on top: each one's
 * *encoded* side is that wire value and its *type* side is what your code works with, so a row
 * decodes with `Schema.decodeUnknownEffect(rowSchema)(row)` and a parameter encodes with
 * `Schema.encodeEffect(schema)(value)`. Failures are Schema issues, never exceptions.
 *
 * | schema | wire value (encoded) | decoded type | notes |
 * |---|---|---|---|
 * | {@link Bool}, {@link Text}, {@link Uuid}, {@link Bytea} | `boolean`, `string`, `string`, `Uint8Array` | same | checked |
 * | {@link Int2}, {@link Int4}, {@link Oid} | `number` | `number` | integer range checked |
 * | {@link Float4}, {@link Float8} | `number` | `number` | NaN, ±Infinity, -0 kept |
 * | {@link Int8} | `bigint` | `bigint` | int64 range checked |
 * | {@link Int8Number} | `bigint` | `number` | fails beyond ±(2⁵³ − 1) |
 * | {@link Numeric} | `string` | `string` | exact server text |
 * | {@link NumericBigDecimal} | `string` | `BigDecimal` | scale kept; fails on NaN / ±Infinity |
 * | {@link NumericNumber} | `string` | `number` | lossy, opt-in |
 * | {@link Timestamptz} | `PgTimestamp` | `DateTime.Utc` | truncated to the millisecond; fails on ±infinity |
 * | {@link TimestamptzOrInfinity} | `PgTimestamp` | `DateTime.Utc \| "infinity" \| "-infinity"` | |
 * | {@link TimestamptzDate} | `PgTimestamp` | `Date` | truncated to the millisecond |
 * | {@link Timestamp}, {@link TimestampDate} | `PgTimestamp` (no zone) | `DateTime.Utc`, `Date` | wall clock read as UTC |
 * | {@link DateFromPgDate}, {@link DateTimeFromPgDate} | `PgDate` | `Date`, `DateTime.Utc` | midnight UTC |
 * | {@link Interval}, {@link IntervalStrict} | `PgInterval` | `Duration` | fails when months ≠ 0 |
 * | {@link IntervalParts} | `PgInterval` | `{ months, days, microseconds }` | lossless |
 * | {@link PgTimestamp}, {@link PgDate}, {@link PgTime}, {@link PgTimeTz}, {@link PgInterval} | the class | the class | lossless (identity) |
 * | {@link Json} | parsed JSON | `schema`'s type | via `Schema.toCodecJson` |
 * | {@link Enum} | `string` | literal union | |
 * | {@link Range}, {@link Multirange} | `PgRange<wire>` | `PgRange<decoded>` | bounds through the item schema |
 * | {@link Array} | nested arrays or `PgArray` | `ReadonlyArray<decoded>` | lower bounds dropped |
 * | {@link Point}, {@link Box}, … | `PgGeometry` objects | same | |
 *
 * SQL NULL is `null`: wrap a nullable column's schema in {@link Nullable} (`Schema.NullOr`).
 *
 * **Example** (A row schema)
 *
 * ```ts
 * import { Schema } from "effect"
 * import { PgSchema } from "@pgfx/client"
 *
 * const User = Schema.Struct({
 *   id: PgSchema.Int4,
 *   balance: PgSchema.NumericBigDecimal,
 *   created: PgSchema.Timestamptz,
 *   deleted: PgSchema.Nullable(PgSchema.Timestamptz),
 *   role: PgSchema.Enum(["admin", "member"]),
 *   tags: PgSchema.Array(PgSchema.Text),
 *   settings: PgSchema.Json(Schema.Struct({ theme: Schema.String }))
 * })
 *
 * // row: what the client returns for `select id, balance, created, … from users`
 * const decodeUser = Schema.decodeUnknownEffect(User)
 * ```
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import type * as PgArray_ from "@pgfx/protocol/PgArray"
import type * as PgDateTime from "@pgfx/protocol/PgDateTime"
import type * as PgGeometry from "@pgfx/protocol/PgGeometry"
import type * as PgRange_ from "@pgfx/protocol/PgRange"

import { arraySchema } from "./internal/schemaArray.ts"
import * as schemaDateTime from "./internal/schemaDateTime.ts"
import * as schemaInterval from "./internal/schemaInterval.ts"
import * as schemaRange from "./internal/schemaRange.ts"
import * as schemaScalars from "./internal/schemaScalars.ts"

// Each schema is built once, in the internal module named below, and re-exported here under its
// documented type; schemas that are Effect's own (`Bool`, `Float8`, …) and the geometry structs
// are declared here. Under `./internal/`:
// - `schemaScalars.ts`   integers, `numeric` (text helpers in `schemaNumeric.ts`), `text`, `uuid`
// - `schemaDateTime.ts`  the wire-class declarations, timestamps, dates
// - `schemaInterval.ts`  intervals
// - `schemaRange.ts`     ranges and multiranges
// - `schemaArray.ts`     arrays
// - `schemaIssues.ts`    the issues the transformations fail with

// ---------------------------------------------------------------------------------------------
// Declarations for the wire classes (identity schemas, lossless)
// ---------------------------------------------------------------------------------------------

/**
 * A `timestamp` or `timestamptz` value exactly as the codecs decode it: a `PgTimestamp`,
 * microsecond-exact, with ±infinity. Identity: decodes and encodes unchanged.
 *
 * **When to use**
 *
 * The lossless default for timestamp columns; convert with {@link Timestamptz} or
 * {@link Timestamp} when millisecond `DateTime`s are enough.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgTimestamp: Schema.declare<PgDateTime.PgTimestamp> = schemaDateTime.PgTimestamp

/**
 * A `date` value exactly as the codecs decode it: a `PgDate` (days since 1970, ±infinity, BC).
 * Identity.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgDate: Schema.declare<PgDateTime.PgDate> = schemaDateTime.PgDate

/**
 * A `time` value exactly as the codecs decode it: a `PgTime` (microseconds since midnight).
 * Identity.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgTime: Schema.declare<PgDateTime.PgTime> = schemaDateTime.PgTime

/**
 * A `timetz` value exactly as the codecs decode it: a `PgTimeTz` (time of day and UTC offset).
 * Identity.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgTimeTz: Schema.declare<PgDateTime.PgTimeTz> = schemaDateTime.PgTimeTz

/**
 * An `interval` value exactly as the codecs decode it: a `PgInterval` (months, days and
 * microseconds kept apart, ±infinity). Identity.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgInterval: Schema.declare<PgDateTime.PgInterval> = schemaDateTime.PgInterval

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

/**
 * `bool` ⇄ `boolean`.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Bool: Schema.Boolean = Schema.Boolean

/**
 * `int2` (smallint) ⇄ `number`, checked to be an integer in −32,768 … 32,767.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Int2: Schema.Number = schemaScalars.Int2

/**
 * `int4` (integer) ⇄ `number`, checked to be an int32.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Int4: Schema.Number = schemaScalars.Int4

/**
 * `oid` (and `xid`, `cid`, `regclass`, … — every type the codecs decode to an unsigned 32-bit
 * number) ⇄ `number`, checked to be a uint32.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Oid: Schema.Number = schemaScalars.Oid

/**
 * `float4` (real) ⇄ `number`. Any number: NaN, ±Infinity and -0 are valid `float4` values.
 *
 * **Gotchas**
 *
 * Encoding does not check that the number is exactly representable in 32 bits: the codec
 * rounds it to the nearest `float4`, as PostgreSQL does with a `float8` cast to `real`.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Float4: Schema.Number = Schema.Number

/**
 * `float8` (double precision) ⇄ `number`. NaN, ±Infinity and -0 are kept.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Float8: Schema.Number = Schema.Number

/**
 * `int8` (bigint) ⇄ `bigint`, checked to be in the int64 range. Identity: this is what the
 * codecs decode an `int8` to.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Int8: Schema.BigInt = schemaScalars.Int8

/**
 * Alias of {@link Int8}: `int8` ⇄ `bigint`.
 *
 * @category scalars
 * @since 0.1.0
 */
export const BigIntFromInt8: Schema.BigInt = Int8

/**
 * `int8` → `number`, for counts and ids known to stay below 2⁵³.
 *
 * **Details**
 *
 * Decoding fails (a Schema issue, never a rounded number) when the value is outside
 * ±9,007,199,254,740,991 (`Number.MAX_SAFE_INTEGER`). Encoding takes a safe integer.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Int8Number: Schema.decodeTo<Schema.Number, Schema.BigInt> = schemaScalars.Int8Number

/**
 * `numeric` ⇄ `string`, the exact text the server prints (`"1.50"`, `"-0.001"`, `"NaN"`,
 * `"Infinity"`). Identity, checked: an optional `-`, digits without leading zeros, an optional
 * fraction, no exponent, no `-0`; or `NaN`, `Infinity`, `-Infinity`.
 *
 * **Gotchas**
 *
 * Encoding checks the same canonical form, so `"1e5"` or `"007"` are rejected here (the
 * server would accept them as text input; encode them without this schema, or through
 * {@link NumericBigDecimal}).
 *
 * @category scalars
 * @since 0.1.0
 */
export const Numeric: Schema.String = schemaScalars.Numeric

/**
 * `numeric` ⇄ `BigDecimal` (`effect/BigDecimal`), exactly, keeping the scale.
 *
 * **Details**
 *
 * - Decoding `"1.50"` gives `BigDecimal.make(150n, 2)` (value 150, scale 2), not the normalised
 *   `1.5`; encoding it gives `"1.50"` back. A negative scale encodes as trailing zeros
 *   (`make(15n, -2)` → `"1500"`); no exponent is ever written.
 * - `NaN`, `Infinity` and `-Infinity` have no `BigDecimal`: decoding them fails with an issue
 *   naming the value. Use {@link Numeric} (or `Schema.Union` with literals) to accept them.
 *
 * @category scalars
 * @since 0.1.0
 */
export const NumericBigDecimal: Schema.decodeTo<Schema.BigDecimal, Schema.String> = schemaScalars.NumericBigDecimal

/**
 * `numeric` → `number`. **Lossy**, opt-in: `Number(text)`, so digits beyond a double's ~17
 * significant digits are rounded and huge values become `Infinity`. `NaN`, `Infinity` and
 * `-Infinity` decode to the JavaScript values.
 *
 * **Details**
 *
 * Encoding writes the number's shortest round-trip decimal without an exponent
 * (`1e21` → `"1000000000000000000000"`), `-0` as `"0"`, and NaN / ±Infinity as such
 * (PostgreSQL 14+ for the infinities).
 *
 * @category scalars
 * @since 0.1.0
 */
export const NumericNumber: Schema.decodeTo<Schema.Number, Schema.String> = schemaScalars.NumericNumber

/**
 * `text`, `varchar`, `bpchar`, `name`, … ⇄ `string`, checked to contain no NUL character
 * (PostgreSQL text cannot hold one).
 *
 * @category scalars
 * @since 0.1.0
 */
export const Text: Schema.String = schemaScalars.Text

/**
 * `uuid` ⇄ `string` in the 8-4-4-4-12 hexadecimal form. Any 128-bit value is accepted (as
 * PostgreSQL's `uuid` type does), not only RFC 9562 versions; the codecs decode to lower case.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Uuid: Schema.String = schemaScalars.Uuid

/**
 * `bytea` ⇄ `Uint8Array` (the codecs decode an owned copy).
 *
 * @category scalars
 * @since 0.1.0
 */
export const Bytea: Schema.Uint8Array = Schema.Uint8Array

/**
 * `json` / `jsonb` → the value decoded by `schema`.
 *
 * **Details**
 *
 * The codecs already parse the JSON text, so the wire value is a JSON value (objects, arrays,
 * strings, numbers, booleans, `null`). It is decoded with `Schema.toCodecJson(schema)`: the
 * schema's canonical JSON codec, so fields that are not JSON themselves decode from their JSON
 * form (`Schema.DateTimeUtc` from an ISO string, `Schema.BigInt` from a string, …). Encoding
 * goes back through the same codec and yields a JSON value the codec serialises.
 *
 * **Example** (A jsonb column)
 *
 * ```ts
 * import { Schema } from "effect"
 * import { PgSchema } from "@pgfx/client"
 *
 * const Settings = PgSchema.Json(Schema.Struct({ theme: Schema.Literals(["dark", "light"]) }))
 * ```
 *
 * @category scalars
 * @since 0.1.0
 */
export const Json = <S extends Schema.Constraint>(schema: S): Schema.toCodecJson<S> => Schema.toCodecJson(schema)

/**
 * An enum type's label (`text` on the wire) → a union of string literals. Decoding a label
 * not in the list fails with an issue listing the expected labels.
 *
 * **Example** (An enum column)
 *
 * ```ts
 * import { PgSchema } from "@pgfx/client"
 *
 * const Mood = PgSchema.Enum(["sad", "ok", "happy"])
 * ```
 *
 * @category scalars
 * @since 0.1.0
 */
export const Enum = <const L extends ReadonlyArray<string>>(literals: L): Schema.Literals<L> =>
  Schema.Literals(literals)

/**
 * SQL NULL: `schema` or `null`. The same as `Schema.NullOr(schema)`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const Nullable = <S extends Schema.Constraint>(schema: S): Schema.NullOr<S> => Schema.NullOr(schema)

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

/**
 * `timestamptz` (a `PgTimestamp` with `withTimeZone: true`) ⇄ `DateTime.Utc`.
 *
 * **Details**
 *
 * - Precision: `DateTime` holds milliseconds, PostgreSQL microseconds. Decoding **truncates**
 *   (rounds down) to the millisecond and never fails for that reason:
 *   `…05.123999` decodes to `…05.123`. Encoding is exact (`microsecond = ms × 1000`), so
 *   DateTime → wire → DateTime is the identity, and wire → DateTime → wire is the identity
 *   when the microseconds are a whole number of milliseconds. Use {@link PgTimestamp} when
 *   microseconds matter.
 * - `infinity` / `-infinity` fail with an issue that names them; use
 *   {@link TimestamptzOrInfinity} to accept them.
 * - Instants beyond `Date`'s range (after 275760-09-13) fail; PostgreSQL goes to year 294276.
 *   Instants before 4714-11-24 BC fail to encode.
 * - A `timestamp` (no zone) value fails with an issue pointing at {@link Timestamp}.
 *
 * @category timestamps
 * @since 0.1.0
 */
export const Timestamptz: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgTimestamp>> =
  schemaDateTime.Timestamptz

/**
 * Alias of {@link Timestamptz}: `timestamptz` ⇄ `DateTime.Utc`.
 *
 * @category timestamps
 * @since 0.1.0
 */
export const DateTimeUtc: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgTimestamp>> = Timestamptz

/**
 * The decoded type of {@link TimestamptzOrInfinity}: an instant, or one of PostgreSQL's
 * infinities spelled as the server prints them.
 *
 * @category models
 * @since 0.1.0
 */
export type DateTimeOrInfinity = DateTime.Utc | "infinity" | "-infinity"

/**
 * `timestamptz` ⇄ `DateTime.Utc | "infinity" | "-infinity"`: {@link Timestamptz} that also
 * accepts PostgreSQL's infinities, as the strings the server prints (and `to_json` writes).
 * Tell them apart with `typeof value === "string"` or `DateTime.isDateTime(value)`.
 *
 * @category timestamps
 * @since 0.1.0
 */
export const TimestamptzOrInfinity: Schema.decodeTo<
  Schema.Union<readonly [Schema.DateTimeUtc, Schema.Literals<readonly ["infinity", "-infinity"]>]>,
  Schema.declare<PgDateTime.PgTimestamp>
> = schemaDateTime.TimestamptzOrInfinity

/**
 * `timestamptz` ⇄ JavaScript `Date`, with the same rules as {@link Timestamptz} (truncated to
 * the millisecond; ±infinity and instants beyond `Date`'s range fail).
 *
 * @category timestamps
 * @since 0.1.0
 */
export const TimestamptzDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgTimestamp>> =
  schemaDateTime.TimestamptzDate

/**
 * `timestamp` (without time zone; a `PgTimestamp` with `withTimeZone: false`) ⇄
 * `DateTime.Utc`, reading the wall-clock fields **as if they were UTC**.
 *
 * **Details**
 *
 * A `timestamp` is a reading of a clock with no zone, not an instant. `DateTime.Utc` holds
 * exactly those fields when interpreted in UTC: `2024-01-02 03:04:05` decodes to
 * `2024-01-02T03:04:05Z`, and `DateTime.toPartsUtc` gives back the wall-clock fields. Do not
 * compare it with real instants unless the column's convention is UTC. Precision, range and
 * infinity rules are those of {@link Timestamptz}; ±infinity fail (use {@link PgTimestamp}).
 *
 * @category timestamps
 * @since 0.1.0
 */
export const Timestamp: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgTimestamp>> =
  schemaDateTime.Timestamp

/**
 * `timestamp` (without time zone) ⇄ JavaScript `Date`, the wall clock read as UTC (see
 * {@link Timestamp}): use the `getUTC…` methods to get the fields back.
 *
 * @category timestamps
 * @since 0.1.0
 */
export const TimestampDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgTimestamp>> =
  schemaDateTime.TimestampDate

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/**
 * `date` (a `PgDate`) ⇄ JavaScript `Date` at midnight UTC of that day.
 *
 * **Details**
 *
 * - Decoding `2024-01-02` gives `new Date(Date.UTC(2024, 0, 2))`; read it back with the
 *   `getUTC…` methods. `infinity` / `-infinity` and dates beyond `Date`'s range fail.
 * - Encoding requires midnight UTC and fails otherwise, rather than silently choosing a day
 *   for a `Date` built in local time (`new Date(2024, 0, 2)` is not midnight UTC outside
 *   UTC).
 *
 * @category dates
 * @since 0.1.0
 */
export const DateFromPgDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgDate>> =
  schemaDateTime.DateFromPgDate

/**
 * `date` (a `PgDate`) ⇄ `DateTime.Utc` at midnight UTC of that day; the rules of
 * {@link DateFromPgDate} apply (encoding requires midnight UTC, e.g. `DateTime.removeTime`).
 *
 * @category dates
 * @since 0.1.0
 */
export const DateTimeFromPgDate: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgDate>> =
  schemaDateTime.DateTimeFromPgDate

// ---------------------------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------------------------

/**
 * `interval` ⇄ `Duration` (`effect/Duration`), for intervals without months.
 *
 * **Details**
 *
 * - Months have no fixed length, so an interval with months ≠ 0 fails to decode (use
 *   {@link IntervalParts} or {@link PgInterval}).
 * - Days are counted as 24 hours, as PostgreSQL's own interval comparison and
 *   `extract(epoch …)` do. Adding `'1 day'` to a `timestamptz` across a DST change moves the
 *   wall clock by a day, which is 23 or 25 hours: use {@link IntervalStrict} to reject days.
 * - PostgreSQL 17's `infinity` / `-infinity` map to `Duration.infinity` /
 *   `Duration.negativeInfinity` and back (older servers reject them as parameters).
 * - Encoding writes microseconds only (`months = 0, days = 0`): `Duration.days(1)` is sent as
 *   `24:00:00`, which PostgreSQL's `=` considers equal to `1 day`. It fails for a Duration
 *   with a fraction of a microsecond, and beyond the int64 range.
 *
 * @category intervals
 * @since 0.1.0
 */
export const Interval: Schema.decodeTo<Schema.Duration, Schema.declare<PgDateTime.PgInterval>> =
  schemaInterval.Interval

/**
 * `interval` ⇄ `Duration` for intervals made of time only: like {@link Interval}, but decoding
 * also fails when days ≠ 0 (a calendar day is not always 24 hours).
 *
 * @category intervals
 * @since 0.1.0
 */
export const IntervalStrict: Schema.decodeTo<Schema.Duration, Schema.declare<PgDateTime.PgInterval>> =
  schemaInterval.IntervalStrict

/**
 * The decoded type of {@link IntervalParts}: the three fields PostgreSQL stores.
 *
 * @category models
 * @since 0.1.0
 */
export interface IntervalFields {
  readonly months: number
  readonly days: number
  readonly microseconds: bigint
}

/**
 * `interval` ⇄ `{ months, days, microseconds }` (int32, int32, int64 `bigint`), lossless.
 * PostgreSQL 17's infinities are their sentinel fields (all maximal / all minimal), as on the
 * wire.
 *
 * @category intervals
 * @since 0.1.0
 */
export const IntervalParts: Schema.decodeTo<
  typeof schemaInterval.IntervalFieldsSchema,
  Schema.declare<PgDateTime.PgInterval>
> = schemaInterval.IntervalParts

// ---------------------------------------------------------------------------------------------
// Ranges and arrays
// ---------------------------------------------------------------------------------------------

/**
 * The schema type of {@link Range}.
 *
 * @category models
 * @since 0.1.0
 */
export interface Range<S extends Schema.Constraint> extends
  Schema.declareConstructor<PgRange_.PgRange<S["Type"]>, PgRange_.PgRange<S["Encoded"]>, readonly [S]>
{
  readonly "Rebuild": Range<S>
  readonly item: S
}

/**
 * A range (`int4range`, `tstzrange`, …, or an element of a multirange): `PgRange<wire>` ⇄
 * `PgRange<decoded>`, each finite bound going through `item`.
 *
 * **Details**
 *
 * Unbounded sides (`null`) and the empty range pass through unchanged; inclusivity flags are
 * kept. An issue in a bound points at `lower` or `upper`.
 *
 * **Example** (A tstzrange column)
 *
 * ```ts
 * import { PgSchema } from "@pgfx/client"
 *
 * const During = PgSchema.Range(PgSchema.Timestamptz) // PgRange<PgTimestamp> ⇄ PgRange<DateTime.Utc>
 * ```
 *
 * @category ranges
 * @since 0.1.0
 */
export const Range: <S extends Schema.Constraint>(item: S) => Range<S> = schemaRange.Range

/**
 * Alias of {@link Range}: the `PgRange` declaration, parameterised by its item schema.
 *
 * @category ranges
 * @since 0.1.0
 */
export const PgRange: <S extends Schema.Constraint>(item: S) => Range<S> = Range

/**
 * A multirange (`int4multirange`, …): the codecs decode it to an array of ranges, so this is
 * `Schema.Array(Range(item))`.
 *
 * @category ranges
 * @since 0.1.0
 */
export const Multirange: <S extends Schema.Constraint>(item: S) => Schema.$Array<Range<S>> = schemaRange.Multirange

/**
 * The schema type of {@link Array}.
 *
 * @category models
 * @since 0.1.0
 */
export interface $Array<S extends Schema.Constraint> extends
  Schema.declareConstructor<
    ReadonlyArray<S["Type"]>,
    ReadonlyArray<S["Encoded"]> | PgArray_.PgArray<S["Encoded"]>,
    readonly [S]
  >
{
  readonly "Rebuild": $Array<S>
  readonly item: S
}

export {
  /**
   * An array column → `ReadonlyArray<decoded>`, each element through `item`; nested arrays
   * nest: `Array(Array(Int4))` for `int4[][]`.
   *
   * **Details**
   *
   * - Accepts what the array codecs decode to: plain nested arrays, or a `PgArray` when a lower
   *   bound is not 1 — whose elements are taken and whose **bounds are dropped** (read the raw
   *   value without a schema, or with `Schema.Unknown`, to keep them).
   * - SQL NULL elements reach `item` as `null`: use `Array(Nullable(item))` when the array may
   *   hold NULLs.
   * - Encodes to a plain array (lower bound 1).
   *
   * @category arrays
   * @since 0.1.0
   */
  arraySchema as Array
}

// ---------------------------------------------------------------------------------------------
// Geometry
// ---------------------------------------------------------------------------------------------

/**
 * `point` ⇄ `{ x, y }` (module `PgGeometry` of `@pgfx/protocol`).
 *
 * @category geometry
 * @since 0.1.0
 */
export const Point: Schema.Codec<PgGeometry.Point> = Schema.Struct({ x: Schema.Number, y: Schema.Number })

/**
 * `line` ⇄ `{ a, b, c }`, the line `a·x + b·y + c = 0`.
 *
 * @category geometry
 * @since 0.1.0
 */
export const Line: Schema.Codec<PgGeometry.Line> = Schema.Struct({
  a: Schema.Number,
  b: Schema.Number,
  c: Schema.Number
})

/**
 * `lseg` ⇄ `{ start, end }`.
 *
 * @category geometry
 * @since 0.1.0
 */
export const LineSegment: Schema.Codec<PgGeometry.LineSegment> = Schema.Struct({ start: Point, end: Point })

/**
 * `box` ⇄ `{ upperRight, lowerLeft }`.
 *
 * @category geometry
 * @since 0.1.0
 */
export const Box: Schema.Codec<PgGeometry.Box> = Schema.Struct({ upperRight: Point, lowerLeft: Point })

/**
 * `path` ⇄ `{ closed, points }`.
 *
 * @category geometry
 * @since 0.1.0
 */
export const Path: Schema.Codec<PgGeometry.Path> = Schema.Struct({
  closed: Schema.Boolean,
  points: Schema.Array(Point)
})

/**
 * `polygon` ⇄ `{ points }`.
 *
 * @category geometry
 * @since 0.1.0
 */
export const Polygon: Schema.Codec<PgGeometry.Polygon> = Schema.Struct({ points: Schema.Array(Point) })

/**
 * `circle` ⇄ `{ center, radius }`.
 *
 * @category geometry
 * @since 0.1.0
 */
export const Circle: Schema.Codec<PgGeometry.Circle> = Schema.Struct({ center: Point, radius: Schema.Number })
