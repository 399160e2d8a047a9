/**
 * Row decoding shared by statements and cursors.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaParser from "effect/SchemaParser"
import * as Stream from "effect/Stream"
import type * as PgError from "@pgfx/connection/PgError"

/** Decodes a stream's rows one by one, the row index counted from the start of the stream. */
export const decodeStream = (
  rows: Stream.Stream<unknown, PgError.PgError>,
  schema: Schema.Constraint
): Stream.Stream<unknown, PgError.PgError | Schema.SchemaError, any> => {
  const parse = SchemaParser.decodeUnknownEffect(schema)
  return Stream.suspend(() => {
    let offset = 0
    return Stream.mapArrayEffect(rows, (chunk) => {
      const base = offset
      offset += chunk.length
      return Effect.forEach(chunk, (row, i) =>
        Effect.mapError(parse(row), (issue) => new Schema.SchemaError(new SchemaIssue.Pointer([base + i], issue)))) as Effect.Effect<
          readonly [unknown, ...Array<unknown>],
          Schema.SchemaError,
          any
        >
    })
  })
}

