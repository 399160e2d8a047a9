/**
 * `PgSchema`'s interval schemas: `interval` ⇄ `Duration` (months rejected; days counted as 24
 * hours, or rejected in the strict variant; PostgreSQL 17's infinities mapped to Duration's),
 * and the lossless `{ months, days, microseconds }` form.
 *
 * The public documentation of the exports is in `PgSchema.ts`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as PgDateTime from "@pgfx/protocol/PgDateTime"
import type { IntervalFields } from "../PgSchema.ts"
import { PgInterval } from "./schemaDateTime.ts"
import { invalid } from "./schemaIssues.ts"
import { INT64_MAX, INT64_MIN, Int8, integerIn } from "./schemaScalars.ts"

const MICROS_PER_DAY_N = 86_400_000_000n

/** Decodes an interval without months as a Duration; `strict` also rejects days. */
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

/** `PgSchema.Interval`: `interval` ⇄ `Duration`, days as 24 hours. */
export const Interval: Schema.decodeTo<Schema.Duration, Schema.declare<PgDateTime.PgInterval>> = PgInterval.pipe(
  Schema.decodeTo(Schema.Duration, durationFromInterval(false))
)

/** `PgSchema.IntervalStrict`: `interval` ⇄ `Duration`, rejecting days. */
export const IntervalStrict: Schema.decodeTo<Schema.Duration, Schema.declare<PgDateTime.PgInterval>> = PgInterval
  .pipe(Schema.decodeTo(Schema.Duration, durationFromInterval(true)))

/** The fields of {@link IntervalParts}, each checked to its PostgreSQL range. */
export const IntervalFieldsSchema = Schema.Struct({
  months: integerIn(-2_147_483_648, 2_147_483_647, "an int32 month count"),
  days: integerIn(-2_147_483_648, 2_147_483_647, "an int32 day count"),
  microseconds: Int8
})

/** `PgSchema.IntervalParts`: `interval` ⇄ `{ months, days, microseconds }`. */
export const IntervalParts: Schema.decodeTo<
  typeof IntervalFieldsSchema,
  Schema.declare<PgDateTime.PgInterval>
> = PgInterval.pipe(
  Schema.decodeTo(
    IntervalFieldsSchema,
    SchemaTransformation.transform<IntervalFields, PgDateTime.PgInterval>({
      decode: (i) => ({ months: i.months, days: i.days, microseconds: i.microseconds }),
      encode: (p) => new PgDateTime.PgInterval(p.months, p.days, p.microseconds)
    })
  )
)
