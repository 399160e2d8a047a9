/**
 * The `@effect/sql-pg` 4.x contender: its `PgClient` (an `effect/sql` `SqlClient` over its own
 * native wire client), used as its users do — `sql` tagged templates for the small statements,
 * `sql.unsafe` for fixed text, `.stream` for streaming. It has no COPY API (W5 COPY and W6 show
 * "—").
 *
 * - One connection: `PgClient.makeClient`; for W2 with `multiplex: true` (its pipelining).
 * - `connections > 1`: `PgClient.make` (its pool) with min = max = connections, multiplexed.
 * - W7: the statement's fiber is interrupted (its documented cancellation path on an
 *   unmultiplexed client), then `select 1`.
 *
 * @since 0.1.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { type Client, type ConnectOptions, installedVersion, type Peer } from "./peer.ts"

const version = installedVersion("@effect/sql-pg")

const connect = async (url: string, options: ConnectOptions): Promise<Client> => {
  const scope = Effect.runSync(Scope.make())
  const multiplex = (options.inFlight ?? 1) > 1
  const acquire = options.connections > 1
    ? PgClient.make({
      url: Redacted.make(url),
      maxConnections: options.connections,
      minConnections: options.connections,
      multiplex
    })
    : PgClient.makeClient({ url: Redacted.make(url), multiplex })
  const sql = await Effect.runPromise(Scope.provide(scope)(Effect.provide(acquire, Reactivity.layer)))
  const run = <A>(effect: Effect.Effect<A, unknown>): Promise<A> => Effect.runPromise(effect)
  await run(sql`select 1`)

  const base: Client = {
    exec: (text) => run(Effect.asVoid(sql.unsafe(text))),
    selectParamConcurrent: (n, inFlight) => {
      let sum = 0
      const indices = Array.from({ length: n }, (_, i) => i)
      return run(
        Effect.map(
          Effect.forEach(
            indices,
            (i) =>
              Effect.map(sql<{ int4: number }>`select ${i}::int`, (rows) => {
                sum += rows[0]!.int4
              }),
            { concurrency: inFlight, discard: true }
          ),
          () => sum
        )
      )
    },
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
  if (options.connections > 1) return base
  return {
    ...base,
    selectOneSequential: (n) =>
      run(Effect.gen(function*() {
        for (let i = 0; i < n; i++) yield* sql`select 1`
      })),

    selectArray: (text) => run(Effect.map(sql.unsafe(text), (rows) => rows.length)),

    selectStream: (text) => {
      let rows = 0
      return run(
        Stream.runForEachArray(sql.unsafe(text).stream, (chunk) =>
          Effect.sync(() => {
            rows += chunk.length
          }))
      ).then(() => rows)
    },

    repeatQuery: (text, n) =>
      run(Effect.gen(function*() {
        let rows = 0
        for (let i = 0; i < n; i++) rows += (yield* sql.unsafe(text)).length
        return rows
      })),

    insertBatches: (text, batches, inFlight) => {
      let rows = 0
      return run(
        Effect.forEach(batches(), (params) =>
          Effect.map(sql.unsafe(text, params), () => {
            rows += params.length / 5
          }), { concurrency: inFlight, discard: true })
      ).then(() => rows)
    },

    interruptToUsable: (sleepSql, afterMs) =>
      run(Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(sql.unsafe(sleepSql))
        yield* Effect.sleep(afterMs)
        const t0 = performance.now()
        yield* Fiber.interrupt(fiber)
        yield* sql`select 1`
        return performance.now() - t0
      }))
  }
}

/**
 * @category peers
 * @since 0.1.0
 */
export const effectSql: Peer = {
  name: "@effect/sql-pg",
  version,
  connect,
  notes: { W2a: "makeClient({ multiplex: true })", W2b: "make({ min/maxConnections: 4, multiplex: true })" }
}
