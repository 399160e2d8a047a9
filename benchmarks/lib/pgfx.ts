/**
 * The pgfx contender. This is the one file that knows pgfx's API: it uses `@pgfx/connection`'s
 * `PgConnection` today; switching the benchmarks to `@pgfx/client`'s `PgClient` / `PgPool`
 * means rewriting this file only.
 *
 * Every operation runs as one Effect program (the loop is inside the Effect, as a pgfx user
 * would write it), started with `Effect.runPromise` by the harness.
 *
 * - W2 with `connections > 1`: `@pgfx/client`'s `PgPool` with min = max = connections (shared,
 *   pipelined connections, least-loaded placement), each statement through
 *   `pool.withConnection`. If that module cannot be loaded (it is being written), the statements
 *   are dealt round-robin over that many connections instead, and the table says so.
 * - W7: the statement's fiber is interrupted (what `Effect.timeout` does); the interruption
 *   completes once the CancelRequest was sent and the connection drained to ReadyForQuery.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as PgConnection from "@pgfx/connection/PgConnection"
import type { Client, ConnectOptions, Peer } from "./peer.ts"

type PoolModule = typeof import("@pgfx/client/PgPool")

const loadPool = async (): Promise<PoolModule | undefined> => {
  try {
    return await import("@pgfx/client/PgPool")
  } catch {
    return undefined
  }
}

/** W2b through `PgPool`, or undefined when the module is unavailable. */
const poolClient = async (url: string, connections: number): Promise<Client | undefined> => {
  const PgPool = await loadPool()
  if (PgPool === undefined) return undefined
  const scope = Effect.runSync(Scope.make())
  const pool = await Effect.runPromise(Scope.provide(scope)(PgPool.make(url, { min: connections, max: connections })))
  return {
    note: `PgPool({ min: ${connections}, max: ${connections} }).withConnection`,
    exec: (sql) => Effect.runPromise(pool.withConnection((c) => Effect.asVoid(c.simple(sql)))),
    selectParamConcurrent: (n, inFlight) => {
      let sum = 0
      const indices = Array.from({ length: n }, (_, i) => i)
      return Effect.runPromise(
        Effect.map(
          Effect.forEach(
            indices,
            (i) =>
              pool.withConnection((c) =>
                Effect.map(c.execute<{ int4: number }>("select $1::int", [i]), (r) => {
                  sum += r.rows[0]!.int4
                })
              ),
            { concurrency: inFlight, discard: true }
          ),
          () => sum
        )
      )
    },
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const connect = async (url: string, options: ConnectOptions): Promise<Client> => {
  if (options.connections > 1) {
    const pooled = await poolClient(url, options.connections)
    if (pooled !== undefined) return pooled
  }
  const scope = Effect.runSync(Scope.make())
  const conns = await Effect.runPromise(
    Scope.provide(scope)(
      Effect.all(Array.from({ length: Math.max(1, options.connections) }, () => PgConnection.make(url)), {
        concurrency: "unbounded"
      })
    )
  )
  const conn = conns[0]!
  const run = <A>(effect: Effect.Effect<A, unknown>): Promise<A> => Effect.runPromise(effect)

  return {
    note: conns.length > 1 ? `${conns.length} conns, round-robin (PgPool unavailable)` : undefined,
    exec: (sql) => run(Effect.asVoid(conn.simple(sql))),

    selectOneSequential: (n) =>
      run(Effect.gen(function*() {
        for (let i = 0; i < n; i++) yield* conn.execute("select 1")
      })),

    selectParamConcurrent: (n, inFlight) => {
      let sum = 0
      const indices = Array.from({ length: n }, (_, i) => i)
      const count = conns.length
      return run(
        Effect.map(
          Effect.forEach(
            indices,
            (i) =>
              Effect.map(conns[i % count]!.execute<{ int4: number }>("select $1::int", [i]), (r) => {
                sum += r.rows[0]!.int4
              }),
            { concurrency: inFlight, discard: true }
          ),
          () => sum
        )
      )
    },

    selectArray: (sql) => run(Effect.map(conn.execute(sql), (r) => r.rows.length)),

    selectStream: (sql, batch) => {
      let rows = 0
      return run(
        Stream.runForEachArray(conn.stream(sql, [], { batchSize: batch }), (chunk) =>
          Effect.sync(() => {
            rows += chunk.length
          }))
      ).then(() => rows)
    },

    repeatQuery: (sql, n) =>
      run(Effect.gen(function*() {
        let rows = 0
        for (let i = 0; i < n; i++) rows += (yield* conn.execute(sql)).rows.length
        return rows
      })),

    copyIn: (sql, chunks) =>
      run(Effect.scoped(Effect.gen(function*() {
        const copy = yield* conn.copyIn(sql)
        for (const chunk of chunks) yield* copy.write(chunk)
        const result = yield* copy.end
        return result.rows ?? -1
      }))),

    insertBatches: (sql, batches, inFlight) => {
      let rows = 0
      return run(
        Effect.forEach(batches(), (params) =>
          Effect.map(conn.execute(sql, params), (r) => {
            rows += r.rowCount ?? 0
          }), { concurrency: inFlight, discard: true })
      ).then(() => rows)
    },

    copyOut: (sql) => {
      let bytes = 0
      return run(
        Stream.runForEachArray(conn.copyOut(sql), (chunks) =>
          Effect.sync(() => {
            for (const c of chunks) bytes += c.length
          }))
      ).then(() => bytes)
    },

    interruptToUsable: (sleepSql, afterMs) =>
      run(Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(conn.execute(sleepSql))
        yield* Effect.sleep(afterMs)
        const t0 = performance.now()
        yield* Fiber.interrupt(fiber)
        yield* conn.execute("select 1")
        return performance.now() - t0
      })),

    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * @category peers
 * @since 0.1.0
 */
export const pgfx: Peer = {
  name: "pgfx",
  version: "workspace",
  connect
}
