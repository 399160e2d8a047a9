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
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaParser from "effect/SchemaParser"
import * as SchemaTransformation from "effect/SchemaTransformation"

import * as PgArray_ from "@pgfx/protocol/PgArray"
import * as PgDateTime from "@pgfx/protocol/PgDateTime"
import type * as PgGeometry from "@pgfx/protocol/PgGeometry"
import * as PgRange_ from "@pgfx/protocol/PgRange"

import {
  bigDecimalFromNumeric,
  isCanonicalNumeric,
  numericFromBigDecimal,
  numericFromNumber
} from "./internal/schemaNumeric.ts"

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

const INT64_MIN = -9_223_372_036_854_775_808n
const INT64_MAX = 9_223_372_036_854_775_807n
/** The range of JavaScript's `Date` (and so of `DateTime`), in milliseconds either side of 1970. */
const MAX_DATE_MILLIS = 8.64e15
const MILLIS_PER_DAY = 86_400_000
const MICROS_PER_DAY_N = 86_400_000_000n

/** A failed decode or encode step with a message of our own (the value itself is not echoed). */
const invalid = (
  message: string,
  input: unknown,
  options: SchemaAST.ParseOptions
): Effect.Effect<never, SchemaIssue.Issue> => Effect.fail(new SchemaIssue.InvalidValue({ message }, input, options))

/** Wraps an element's issue in a pointer to its key, under the container's node. */
const atKey = (
  ast: SchemaAST.AST,
  key: PropertyKey,
  issue: SchemaIssue.Issue,
  input: unknown,
  options: SchemaAST.ParseOptions
): SchemaIssue.Issue => new SchemaIssue.Composite(ast, [new SchemaIssue.Pointer([key], issue)], input, options)

const succeedNull: Effect.Effect<null> = Effect.succeed(null)

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
export const PgTimestamp: Schema.declare<PgDateTime.PgTimestamp> = Schema.declare(
  (u): u is PgDateTime.PgTimestamp => u instanceof PgDateTime.PgTimestamp,
  {
    expected: "PgTimestamp",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgTimestamp(${a.toString()})`
  }
)

/**
 * A `date` value exactly as the codecs decode it: a `PgDate` (days since 1970, ±infinity, BC).
 * Identity.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgDate: Schema.declare<PgDateTime.PgDate> = Schema.declare(
  (u): u is PgDateTime.PgDate => u instanceof PgDateTime.PgDate,
  {
    expected: "PgDate",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgDate(${a.toString()})`
  }
)

/**
 * A `time` value exactly as the codecs decode it: a `PgTime` (microseconds since midnight).
 * Identity.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgTime: Schema.declare<PgDateTime.PgTime> = Schema.declare(
  (u): u is PgDateTime.PgTime => u instanceof PgDateTime.PgTime,
  {
    expected: "PgTime",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgTime(${a.toString()})`
  }
)

/**
 * A `timetz` value exactly as the codecs decode it: a `PgTimeTz` (time of day and UTC offset).
 * Identity.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgTimeTz: Schema.declare<PgDateTime.PgTimeTz> = Schema.declare(
  (u): u is PgDateTime.PgTimeTz => u instanceof PgDateTime.PgTimeTz,
  {
    expected: "PgTimeTz",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgTimeTz(${a.toString()})`
  }
)

/**
 * An `interval` value exactly as the codecs decode it: a `PgInterval` (months, days and
 * microseconds kept apart, ±infinity). Identity.
 *
 * @category declarations
 * @since 0.1.0
 */
export const PgInterval: Schema.declare<PgDateTime.PgInterval> = Schema.declare(
  (u): u is PgDateTime.PgInterval => u instanceof PgDateTime.PgInterval,
  {
    expected: "PgInterval",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgInterval(${a.toString()})`
  }
)

/** A `PgTimestamp` of the given kind (`timestamptz` when `withTimeZone`). */
const timestampOfKind = (withTimeZone: boolean): Schema.declare<PgDateTime.PgTimestamp> =>
  PgTimestamp.check(
    Schema.makeFilter<PgDateTime.PgTimestamp>((t) => t.withTimeZone === withTimeZone, {
      message: withTimeZone
        ? "Expected a timestamptz value (PgTimestamp with withTimeZone: true); " +
          "for a timestamp column use PgSchema.Timestamp"
        : "Expected a timestamp value (PgTimestamp with withTimeZone: false); " +
          "for a timestamptz column use PgSchema.Timestamptz"
    })
  )

const TimestamptzWire = timestampOfKind(true)
const TimestampWire = timestampOfKind(false)

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

/** A number that is an integer in `minimum … maximum`; both checks report `expected`. */
const integerIn = (minimum: number, maximum: number, expected: string): Schema.Number =>
  Schema.Number.check(Schema.isInt({ expected }), Schema.isBetween({ minimum, maximum }, { expected }))

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
export const Int2: Schema.Number = integerIn(-32_768, 32_767, "an int2 (integer in -32768 … 32767)")

/**
 * `int4` (integer) ⇄ `number`, checked to be an int32.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Int4: Schema.Number = integerIn(
  -2_147_483_648,
  2_147_483_647,
  "an int4 (integer in -2147483648 … 2147483647)"
)

/**
 * `oid` (and `xid`, `cid`, `regclass`, … — every type the codecs decode to an unsigned 32-bit
 * number) ⇄ `number`, checked to be a uint32.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Oid: Schema.Number = integerIn(0, 4_294_967_295, "an oid (integer in 0 … 4294967295)")

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
export const Int8: Schema.BigInt = Schema.BigInt.check(
  Schema.isBetweenBigInt({ minimum: INT64_MIN, maximum: INT64_MAX }, {
    expected: "an int8 (integer in -9223372036854775808 … 9223372036854775807)"
  })
)

/**
 * Alias of {@link Int8}: `int8` ⇄ `bigint`.
 *
 * @category scalars
 * @since 0.1.0
 */
export const BigIntFromInt8: Schema.BigInt = Int8

const SafeInteger = integerIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "a safe integer")

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
export const Int8Number: Schema.decodeTo<Schema.Number, Schema.BigInt> = Int8.pipe(
  Schema.decodeTo(
    SafeInteger,
    SchemaTransformation.transformEffect<number, bigint>({
      decode: (n, options) =>
        n >= -9_007_199_254_740_991n && n <= 9_007_199_254_740_991n
          ? Effect.succeed(Number(n))
          : invalid(
            "int8 value is not a safe integer (beyond ±9007199254740991); decode it with PgSchema.Int8 (bigint)",
            n,
            options
          ),
      encode: (n) => Effect.succeed(BigInt(n))
    })
  )
)

const Canonical = Schema.String.check(
  Schema.makeFilter<string>(isCanonicalNumeric, {
    expected: "a numeric as PostgreSQL prints it (-?digits[.digits] without an exponent, NaN, Infinity, -Infinity)"
  })
)

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
export const Numeric: Schema.String = Canonical

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
export const NumericBigDecimal: Schema.decodeTo<Schema.BigDecimal, Schema.String> = Canonical.pipe(
  Schema.decodeTo(
    Schema.BigDecimal,
    SchemaTransformation.transformEffect<BigDecimal.BigDecimal, string>({
      decode: (s, options) =>
        s === "NaN" || s === "Infinity" || s === "-Infinity"
          ? invalid(
            `numeric ${s} cannot be represented as a BigDecimal; decode it with PgSchema.Numeric (string)`,
            s,
            options
          )
          : Effect.succeed(bigDecimalFromNumeric(s)),
      encode: (bd) => Effect.succeed(numericFromBigDecimal(bd))
    })
  )
)

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
export const NumericNumber: Schema.decodeTo<Schema.Number, Schema.String> = Canonical.pipe(
  Schema.decodeTo(
    Schema.Number,
    SchemaTransformation.transform<number, string>({
      decode: (s) => Number(s),
      encode: numericFromNumber
    })
  )
)

/**
 * `text`, `varchar`, `bpchar`, `name`, … ⇄ `string`, checked to contain no NUL character
 * (PostgreSQL text cannot hold one).
 *
 * @category scalars
 * @since 0.1.0
 */
export const Text: Schema.String = Schema.String.check(
  Schema.makeFilter<string>((s) => s.indexOf("\u0000") === -1, {
    expected: "a string without NUL (\\u0000) characters"
  })
)

/**
 * `uuid` ⇄ `string` in the 8-4-4-4-12 hexadecimal form. Any 128-bit value is accepted (as
 * PostgreSQL's `uuid` type does), not only RFC 9562 versions; the codecs decode to lower case.
 *
 * @category scalars
 * @since 0.1.0
 */
export const Uuid: Schema.String = Schema.String.check(Schema.isGUID({ expected: "a UUID (8-4-4-4-12 hex digits)" }))

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

const MIN_TIMESTAMP_SECONDS = PgDateTime.PgTimestamp.min.epochSeconds

type TimestampKind = "timestamptz" | "timestamp"

/** The epoch milliseconds of a finite `PgTimestamp` within `Date`'s range, rounded down; or an issue. */
const timestampMillis = (
  t: PgDateTime.PgTimestamp,
  kind: TimestampKind,
  target: string,
  options: SchemaAST.ParseOptions
): Effect.Effect<number, SchemaIssue.Issue> => {
  if (!t.isFinite) {
    return invalid(
      `${kind} ${t.epochSeconds > 0 ? "infinity" : "-infinity"} cannot be represented as a ${target}; ` +
        `decode it with PgSchema.${kind === "timestamptz" ? "TimestamptzOrInfinity" : "PgTimestamp"}`,
      t,
      options
    )
  }
  const ms = t.epochMilliseconds
  if (ms < -MAX_DATE_MILLIS || ms > MAX_DATE_MILLIS) {
    return invalid(
      `${kind} is outside the range of ${target} (years -271821 … 275760); decode it with PgSchema.PgTimestamp`,
      t,
      options
    )
  }
  return Effect.succeed(ms)
}

/** The `PgTimestamp` of epoch milliseconds (its millisecond becomes `microsecond = ms × 1000`). */
const timestampFromMillis = (
  ms: number,
  kind: TimestampKind,
  options: SchemaAST.ParseOptions
): Effect.Effect<PgDateTime.PgTimestamp, SchemaIssue.Issue> => {
  const seconds = Math.floor(ms / 1000)
  if (seconds < MIN_TIMESTAMP_SECONDS) {
    return invalid(`${kind} before 4714-11-24 00:00:00 BC, the first one PostgreSQL accepts`, ms, options)
  }
  return Effect.succeed(new PgDateTime.PgTimestamp(seconds, (ms - seconds * 1000) * 1000, kind === "timestamptz"))
}

const dateTimeFromTimestamp = (kind: TimestampKind) =>
  SchemaTransformation.transformEffect<DateTime.Utc, PgDateTime.PgTimestamp>({
    decode: (t, options) =>
      Effect.mapEager(timestampMillis(t, kind, "DateTime.Utc", options), (ms) => DateTime.makeUnsafe(ms)),
    encode: (dt, options) => timestampFromMillis(dt.epochMilliseconds, kind, options)
  })

const dateFromTimestamp = (kind: TimestampKind) =>
  SchemaTransformation.transformEffect<globalThis.Date, PgDateTime.PgTimestamp>({
    decode: (t, options) => Effect.mapEager(timestampMillis(t, kind, "Date", options), (ms) => new globalThis.Date(ms)),
    encode: (d, options) => timestampFromMillis(d.getTime(), kind, options)
  })

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
export const Timestamptz: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgTimestamp>> = TimestamptzWire
  .pipe(Schema.decodeTo(Schema.DateTimeUtc, dateTimeFromTimestamp("timestamptz")))

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

const Infinities = Schema.Literals(["infinity", "-infinity"])

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
> = TimestamptzWire.pipe(
  Schema.decodeTo(
    Schema.Union([Schema.DateTimeUtc, Infinities]),
    SchemaTransformation.transformEffect<DateTimeOrInfinity, PgDateTime.PgTimestamp>({
      decode: (t, options) =>
        t.isFinite
          ? Effect.mapEager(timestampMillis(t, "timestamptz", "DateTime.Utc", options), (ms) => DateTime.makeUnsafe(ms))
          : Effect.succeed(t.epochSeconds > 0 ? "infinity" : "-infinity"),
      encode: (v, options) =>
        v === "infinity"
          ? Effect.succeed(PgDateTime.PgTimestamp.infinity)
          : v === "-infinity"
          ? Effect.succeed(PgDateTime.PgTimestamp.negativeInfinity)
          : timestampFromMillis(v.epochMilliseconds, "timestamptz", options)
    })
  )
)

/**
 * `timestamptz` ⇄ JavaScript `Date`, with the same rules as {@link Timestamptz} (truncated to
 * the millisecond; ±infinity and instants beyond `Date`'s range fail).
 *
 * @category timestamps
 * @since 0.1.0
 */
export const TimestamptzDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgTimestamp>> = TimestamptzWire
  .pipe(Schema.decodeTo(Schema.Date, dateFromTimestamp("timestamptz")))

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
export const Timestamp: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgTimestamp>> = TimestampWire
  .pipe(Schema.decodeTo(Schema.DateTimeUtc, dateTimeFromTimestamp("timestamp")))

/**
 * `timestamp` (without time zone) ⇄ JavaScript `Date`, the wall clock read as UTC (see
 * {@link Timestamp}): use the `getUTC…` methods to get the fields back.
 *
 * @category timestamps
 * @since 0.1.0
 */
export const TimestampDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgTimestamp>> = TimestampWire.pipe(
  Schema.decodeTo(Schema.Date, dateFromTimestamp("timestamp"))
)

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

const MIN_EPOCH_DAYS = PgDateTime.PgDate.min.epochDays

/** Epoch milliseconds of midnight UTC of a finite `PgDate` within `Date`'s range; or an issue. */
const dateMillis = (d: PgDateTime.PgDate, target: string, options: SchemaAST.ParseOptions) => {
  if (!d.isFinite) {
    return invalid(
      `date ${d.epochDays > 0 ? "infinity" : "-infinity"} cannot be represented as a ${target}; ` +
        "decode it with PgSchema.PgDate",
      d,
      options
    )
  }
  const ms = d.epochDays * MILLIS_PER_DAY
  if (ms < -MAX_DATE_MILLIS || ms > MAX_DATE_MILLIS) {
    return invalid(
      `date is outside the range of ${target} (years -271821 … 275760); decode it with PgSchema.PgDate`,
      d,
      options
    )
  }
  return Effect.succeed(ms)
}

/** The `PgDate` of epoch milliseconds that must be midnight UTC. */
const dateFromMillis = (
  ms: number,
  options: SchemaAST.ParseOptions
): Effect.Effect<PgDateTime.PgDate, SchemaIssue.Issue> => {
  const days = Math.floor(ms / MILLIS_PER_DAY)
  if (days * MILLIS_PER_DAY !== ms) {
    return invalid(
      "a date must be midnight UTC (e.g. new Date(Date.UTC(y, m, d))); this value has a time of day",
      ms,
      options
    )
  }
  if (days < MIN_EPOCH_DAYS) return invalid("date before 4714-11-24 BC, the first one PostgreSQL accepts", ms, options)
  return Effect.succeed(new PgDateTime.PgDate(days))
}

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
export const DateFromPgDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgDate>> = PgDate.pipe(
  Schema.decodeTo(
    Schema.Date,
    SchemaTransformation.transformEffect<globalThis.Date, PgDateTime.PgDate>({
      decode: (d, options) => Effect.mapEager(dateMillis(d, "Date", options), (ms) => new globalThis.Date(ms)),
      encode: (d, options) => dateFromMillis(d.getTime(), options)
    })
  )
)

/**
 * `date` (a `PgDate`) ⇄ `DateTime.Utc` at midnight UTC of that day; the rules of
 * {@link DateFromPgDate} apply (encoding requires midnight UTC, e.g. `DateTime.removeTime`).
 *
 * @category dates
 * @since 0.1.0
 */
export const DateTimeFromPgDate: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgDate>> = PgDate.pipe(
  Schema.decodeTo(
    Schema.DateTimeUtc,
    SchemaTransformation.transformEffect<DateTime.Utc, PgDateTime.PgDate>({
      decode: (d, options) => Effect.mapEager(dateMillis(d, "DateTime.Utc", options), (ms) => DateTime.makeUnsafe(ms)),
      encode: (dt, options) => dateFromMillis(dt.epochMilliseconds, options)
    })
  )
)

// ---------------------------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------------------------

const durationFromInterval = (strict: boolean) =>
  SchemaTransformation.transformEffect<Duration.Duration, PgDateTime.PgInterval>({
    decode: (i, options) => {
      if (!i.isFinite) return Effect.succeed(i.months > 0 ? Duration.infinity : Duration.negativeInfinity)
      if (i.months !== 0) {
        return invalid(
          "interval with months cannot be a Duration (a month has no fixed length); " +
            "decode it with PgSchema.IntervalParts or PgSchema.PgInterval",
          i,
          options
        )
      }
      if (strict && i.days !== 0) {
        return invalid(
          "interval with days cannot be a Duration in PgSchema.IntervalStrict (a day is not always 24 hours); " +
            "use PgSchema.Interval to count days as 24 hours, or PgSchema.IntervalParts",
          i,
          options
        )
      }
      const micros = i.days === 0 ? i.microseconds : BigInt(i.days) * MICROS_PER_DAY_N + i.microseconds
      return Effect.succeed(Duration.nanos(micros * 1000n))
    },
    encode: (d, options) => {
      const tag = d.value._tag
      if (tag === "Infinity") return Effect.succeed(PgDateTime.PgInterval.infinity)
      if (tag === "NegativeInfinity") return Effect.succeed(PgDateTime.PgInterval.negativeInfinity)
      const nanos = Duration.toNanosUnsafe(d)
      if (nanos % 1000n !== 0n) {
        return invalid("a Duration with a fraction of a microsecond cannot be an interval exactly", d, options)
      }
      const micros = nanos / 1000n
      if (micros < INT64_MIN || micros > INT64_MAX) {
        return invalid("Duration is too long for an interval (int64 microseconds)", d, options)
      }
      return Effect.succeed(new PgDateTime.PgInterval(0, 0, micros))
    }
  })

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
export const Interval: Schema.decodeTo<Schema.Duration, Schema.declare<PgDateTime.PgInterval>> = PgInterval.pipe(
  Schema.decodeTo(Schema.Duration, durationFromInterval(false))
)

/**
 * `interval` ⇄ `Duration` for intervals made of time only: like {@link Interval}, but decoding
 * also fails when days ≠ 0 (a calendar day is not always 24 hours).
 *
 * @category intervals
 * @since 0.1.0
 */
export const IntervalStrict: Schema.decodeTo<Schema.Duration, Schema.declare<PgDateTime.PgInterval>> = PgInterval
  .pipe(Schema.decodeTo(Schema.Duration, durationFromInterval(true)))

const IntervalFields = Schema.Struct({
  months: integerIn(-2_147_483_648, 2_147_483_647, "an int32 month count"),
  days: integerIn(-2_147_483_648, 2_147_483_647, "an int32 day count"),
  microseconds: Int8
})

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
export const IntervalParts: Schema.decodeTo<typeof IntervalFields, Schema.declare<PgDateTime.PgInterval>> = PgInterval
  .pipe(
    Schema.decodeTo(
      IntervalFields,
      SchemaTransformation.transform<IntervalFields, PgDateTime.PgInterval>({
        decode: (i) => ({ months: i.months, days: i.days, microseconds: i.microseconds }),
        encode: (p) => new PgDateTime.PgInterval(p.months, p.days, p.microseconds)
      })
    )
  )

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
export const Range = <S extends Schema.Constraint>(item: S): Range<S> => {
  const schema = Schema.declareConstructor<PgRange_.PgRange<S["Type"]>, PgRange_.PgRange<S["Encoded"]>>()(
    [item],
    ([item]) => {
      const parse = SchemaParser.decodeUnknownEffect(item)
      return (input, ast, options) => {
        if (!(input instanceof PgRange_.PgRange)) return Effect.fail(new SchemaIssue.InvalidType(ast, input, options))
        if (input.empty) return Effect.succeed(input)
        const range: PgRange_.PgRange<unknown> = input
        const bound = (key: "lower" | "upper") => {
          const value = range[key]
          return value === null ? succeedNull : Effect.mapErrorEager(
            parse(value, options),
            (issue) => atKey(ast, key, issue, input, options)
          )
        }
        return Effect.flatMapEager(bound("lower"), (lower) =>
          Effect.mapEager(bound("upper"), (upper) =>
            lower === range.lower && upper === range.upper
              ? range
              : new PgRange_.PgRange(lower, upper, range.lowerInclusive, range.upperInclusive, false)))
      }
    },
    { expected: "PgRange" }
  )
  return Schema.make(schema.ast, { item })
}

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
export const Multirange = <S extends Schema.Constraint>(item: S): Schema.$Array<Range<S>> => Schema.Array(Range(item))

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

const arraySchema = <S extends Schema.Constraint>(item: S): $Array<S> => {
  const schema = Schema.declareConstructor<
    ReadonlyArray<S["Type"]>,
    ReadonlyArray<S["Encoded"]> | PgArray_.PgArray<S["Encoded"]>
  >()(
    [item],
    ([item]) => {
      const parse = SchemaParser.decodeUnknownEffect(item)
      return (input, ast, options) => {
        const elements: unknown = input instanceof PgArray_.PgArray ? input.elements : input
        if (!globalThis.Array.isArray(elements)) return Effect.fail(new SchemaIssue.InvalidType(ast, input, options))
        return Effect.forEach(
          elements as ReadonlyArray<unknown>,
          (element, i) => Effect.mapErrorEager(parse(element, options), (issue) => atKey(ast, i, issue, input, options))
        )
      }
    },
    { expected: "an array" }
  )
  return Schema.make(schema.ast, { item })
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
