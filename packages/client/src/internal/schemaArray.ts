/**
 * `PgSchema.Array`: an array column as a `ReadonlyArray` whose elements each go through an item
 * schema. Accepts the plain nested arrays the array codecs decode to, or a `PgArray` (a lower
 * bound other than 1), whose bounds are dropped; an element's issue points at its index.
 *
 * The public documentation is in `PgSchema.ts`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaParser from "effect/SchemaParser"
import * as PgArray_ from "@pgfx/protocol/PgArray"
import type * as PgSchema from "../PgSchema.ts"
import { atKey } from "./schemaIssues.ts"

/** `PgSchema.Array`: each element through `item`, encoding to a plain array. */
export const arraySchema = <S extends Schema.Constraint>(item: S): PgSchema.$Array<S> => {
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
