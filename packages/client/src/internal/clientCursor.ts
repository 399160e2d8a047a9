/**
 * Server-side cursors as Streams: `DECLARE c NO SCROLL CURSOR [WITH HOLD] FOR …`, then
 * `FETCH FORWARD n FROM c` until a short batch, then `CLOSE c`.
 *
 * The cursor lives on one connection: the transaction's when the stream runs inside
 * `withTransaction`, else a reserved one. Outside a transaction a cursor needs one, so the
 * stream opens it (`BEGIN`) and ends it with the stream (`COMMIT` when the stream completes,
 * `ROLLBACK` when it fails or is interrupted) — unless `hold` is set: a `WITH HOLD` cursor is
 * declared outside any transaction (the server materialises its result when the implicit
 * transaction commits) and survives until `CLOSE`.
 *
 * The statement is described once (prepared), which discovers its column types and gives the
 * `DECLARE` typed parameters; batches are fetched with the extended protocol and binary results
 * when every column has a binary codec, otherwise with the simple protocol (text results).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type { PgConnection, RowMode } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import type * as Schema from "effect/Schema"
import type * as PgSql from "../PgSql.ts"
import { type ClientCore, compile, traced } from "./clientCore.ts"
import { decodeStream } from "./clientDecode.ts"
import { commit, rollback } from "./clientTransaction.ts"
import { adopt } from "./typeDiscovery.ts"

/**
 * Options of `cursor`.
 *
 * @category models
 * @since 0.1.0
 */
export interface CursorOptions {
  /** Rows per `FETCH` (default 1000). */
  readonly batchSize?: number | undefined
  /** Declare the cursor `WITH HOLD`, outside any transaction (ignored inside one). */
  readonly hold?: boolean | undefined
  /** Rows to skip first, with `MOVE FORWARD n` (default 0). */
  readonly skip?: number | undefined
}

let cursorCounter = 0

/** A stream of the rows of `fragment` through a server-side cursor. */
export const cursor = (
  core: ClientCore,
  fragment: PgSql.Fragment,
  rowMode: RowMode,
  schema: Schema.Constraint | undefined,
  options: CursorOptions | undefined
): Stream.Stream<any, PgError.PgError | Schema.SchemaError, any> => {
  const batchSize = Math.max(1, Math.floor(options?.batchSize ?? 1000))
  const skip = Math.max(0, Math.floor(options?.skip ?? 0))
  const rows = Stream.scoped(Stream.fromPull(
    Effect.withFiber((fiber) => {
      const compiled = compile(fragment)
      if (compiled instanceof PgError.PgError) return Effect.fail(compiled)
      const tx = fiber.getRef(core.transaction)
      const hold = tx === undefined && options?.hold === true
      const open = Effect.gen(function*() {
        const connection: PgConnection = tx !== undefined ? tx.connection : yield* core.source.reserve
        adopt(core.types, connection)
        const name = `pgfx_cursor_${++cursorCounter}`
        const described = yield* connection.prepare(compiled.text, compiled.paramTypes)
        if (tx === undefined && !hold) {
          yield* Effect.acquireRelease(
            connection.simple("BEGIN"),
            (_, exit) =>
              Exit.isSuccess(exit)
                ? Effect.catch(commit(connection), () => rollback(core, connection))
                : rollback(core, connection)
          )
        }
        yield* Effect.acquireRelease(
          connection.execute(
            `DECLARE ${name} NO SCROLL CURSOR${hold ? " WITH HOLD" : ""} FOR ${compiled.text}`,
            compiled.params,
            { paramTypes: described.paramTypes, mode: "unnamed" }
          ),
          // In a failed transaction CLOSE fails too; the ROLLBACK that follows disposes of it.
          () => Effect.ignore(connection.simple(`CLOSE ${name}`))
        )
        if (skip > 0) yield* connection.simple(`MOVE FORWARD ${skip} FROM ${name}`)
        const registry = connection.registry
        const binary = (described.fields ?? []).every((f) => PgTypes.get(registry, f.typeOid)?.decodeBinary !== undefined)
        const fetchText = `FETCH FORWARD ${batchSize} FROM ${name}`
        const fetch: Effect.Effect<ReadonlyArray<any>, PgError.PgError> = binary
          ? Effect.map(connection.execute(fetchText, [], { mode: "unnamed", rowMode }), (r) => r.rows)
          : Effect.map(connection.simple(fetchText, { rowMode }), (rs) => rs[0]?.rows ?? [])
        let done = false
        return Effect.suspend(() => {
          if (done) return Cause.done()
          return Effect.flatMap(fetch, (rows) => {
            if (rows.length < batchSize) done = true
            return rows.length === 0 ? Cause.done() : Effect.succeed(rows as readonly [any, ...Array<any>])
          })
        })
      })
      return traced(core, fiber, compiled.text, open, "pgfx.cursor")
    })
  ))
  return schema === undefined ? rows : decodeStream(rows, schema)
}
