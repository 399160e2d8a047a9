/**
 * `PgSchema.Range` and `PgSchema.Multirange`: a `PgRange` whose finite bounds each go through
 * an item schema, keeping the inclusivity flags; unbounded sides and the empty range pass
 * through unchanged, and a range whose bounds decode to themselves is returned as it is.
 *
 * The public documentation of the exports is in `PgSchema.ts`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaParser from "effect/SchemaParser"
import * as PgRange_ from "@pgfx/protocol/PgRange"
import type * as PgSchema from "../PgSchema.ts"
import { atKey, succeedNull } from "./schemaIssues.ts"

/** `PgSchema.Range`: each finite bound through `item`; an issue points at `lower` or `upper`. */
export const Range = <S extends Schema.Constraint>(item: S): PgSchema.Range<S> => {
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

/** `PgSchema.Multirange`: an array of {@link Range}s, as the codecs decode a multirange. */
export const Multirange = <S extends Schema.Constraint>(item: S): Schema.$Array<PgSchema.Range<S>> =>
  Schema.Array(Range(item))
