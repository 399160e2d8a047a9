/**
 * `PgSchema`'s scalar schemas that check or convert: integers with their PostgreSQL ranges
 * (`int2`, `int4`, `oid`, `int8`, `int8` as a safe `number`), `numeric` as its exact server text,
 * as `BigDecimal` and as a (lossy) `number`, and the checked `text` and `uuid` strings.
 *
 * The `numeric` text checks and conversions themselves are character loops in
 * `schemaNumeric.ts`. Scalars that are Effect's own schemas unchanged (`Bool`, `Float8`,
 * `Bytea`, …) are declared in `PgSchema.ts`, where their public documentation also is.
 *
 * @since 0.1.0
 */
import type * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { invalid } from "./schemaIssues.ts"
import {
  bigDecimalFromNumeric,
  isCanonicalNumeric,
  numericFromBigDecimal,
  numericFromNumber
} from "./schemaNumeric.ts"

/** The smallest `int8`. */
export const INT64_MIN = -9_223_372_036_854_775_808n
/** The largest `int8`. */
export const INT64_MAX = 9_223_372_036_854_775_807n

/** A number that is an integer in `minimum … maximum`; both checks report `expected`. */
export const integerIn = (minimum: number, maximum: number, expected: string): Schema.Number =>
  Schema.Number.check(Schema.isInt({ expected }), Schema.isBetween({ minimum, maximum }, { expected }))

/** `PgSchema.Int2`. */
export const Int2: Schema.Number = integerIn(-32_768, 32_767, "an int2 (integer in -32768 … 32767)")

/** `PgSchema.Int4`. */
export const Int4: Schema.Number = integerIn(
  -2_147_483_648,
  2_147_483_647,
  "an int4 (integer in -2147483648 … 2147483647)"
)

/** `PgSchema.Oid`. */
export const Oid: Schema.Number = integerIn(0, 4_294_967_295, "an oid (integer in 0 … 4294967295)")

/** `PgSchema.Int8`. */
export const Int8: Schema.BigInt = Schema.BigInt.check(
  Schema.isBetweenBigInt({ minimum: INT64_MIN, maximum: INT64_MAX }, {
    expected: "an int8 (integer in -9223372036854775808 … 9223372036854775807)"
  })
)

const SafeInteger = integerIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "a safe integer")

/** `PgSchema.Int8Number`: `int8` → `number`, failing beyond ±(2⁵³ − 1). */
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

/** `PgSchema.Numeric`: a string in the form `numeric_out` prints. */
export const Numeric: Schema.String = Schema.String.check(
  Schema.makeFilter<string>(isCanonicalNumeric, {
    expected: "a numeric as PostgreSQL prints it (-?digits[.digits] without an exponent, NaN, Infinity, -Infinity)"
  })
)

/** `PgSchema.NumericBigDecimal`: `numeric` ⇄ `BigDecimal`, keeping the scale. */
export const NumericBigDecimal: Schema.decodeTo<Schema.BigDecimal, Schema.String> = Numeric.pipe(
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

/** `PgSchema.NumericNumber`: `numeric` → `number`, lossy. */
export const NumericNumber: Schema.decodeTo<Schema.Number, Schema.String> = Numeric.pipe(
  Schema.decodeTo(
    Schema.Number,
    SchemaTransformation.transform<number, string>({
      decode: (s) => Number(s),
      encode: numericFromNumber
    })
  )
)

/** `PgSchema.Text`: a string without NUL. */
export const Text: Schema.String = Schema.String.check(
  Schema.makeFilter<string>((s) => s.indexOf("\u0000") === -1, {
    expected: "a string without NUL (\\u0000) characters"
  })
)

/** `PgSchema.Uuid`: the 8-4-4-4-12 hexadecimal form. */
export const Uuid: Schema.String = Schema.String.check(Schema.isGUID({ expected: "a UUID (8-4-4-4-12 hex digits)" }))
