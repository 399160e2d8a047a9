import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as PgConnection from "@pgfx/connection/PgConnection"
import { PgError } from "@pgfx/connection/PgError"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgClient from "../src/PgClient.ts"
import type * as PgSource from "../src/PgSource.ts"

const server = pgServer()

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.die(new Error("expected a failure"))
    const error = Cause.findErrorOption(exit.cause)
    return Option.isSome(error) ? Effect.succeed(error.value) : Effect.die(Cause.pretty(exit.cause))
  })

class Boom {
  readonly _tag = "Boom"
}

/**
 * A client over two connections: `shared` for ordinary statements, `reserved` for whatever
 * reserves one (transactions), so tests can tell where each statement ran.
 */
const twoConnections = Effect.gen(function*() {
  const options = PgClient.connectionOptions()
  const shared = yield* PgConnection.make(server.connectionString(), options)
  const reserved = yield* PgConnection.make(server.connectionString(), options)
  const invalidated: Array<number> = []
  const source: PgSource.PgSource = {
    withConnection: (f) => f(shared),
    reserve: reserved.pin,
    invalidate: (c) => Effect.andThen(Effect.sync(() => invalidated.push(c.processId)), c.close),
    config: server.connectionString(),
    options
  }
  const sql = yield* PgClient.make(source)
  const table = `tx_${Math.random().toString(36).slice(2)}`
  yield* sql`create table ${sql.identifier(table)} (id int4 primary key, note text)`
  yield* Effect.addFinalizer(() => Effect.ignore(sql`drop table if exists ${sql.identifier(table)}`))
  return { sql, shared, reserved, invalidated, t: sql.identifier(table), name: table }
})

type Fixture = Effect.Success<typeof twoConnections>

const withFixture = (f: (fx: Fixture) => Effect.Effect<void, unknown, Scope.Scope>) =>
  Effect.scoped(Effect.flatMap(twoConnections, f))

const ids = (fx: Fixture) => Effect.map(fx.sql<{ id: number }>`select id from ${fx.t} order by id`, (rows) => rows.map((r) => r.id))

describe("withTransaction", () => {
  it.live("commits on success; statements inside run on the transaction's connection", () =>
    withFixture((fx) =>
      Effect.gen(function*() {
        const { sql } = fx
        const pids = yield* sql.withTransaction(
          Effect.gen(function*() {
            yield* sql`insert into ${fx.t} values (1, 'a')`
            assert.strictEqual(yield* sql.transactionStatus, "transaction")
            const inside = (yield* sql`select pg_backend_pid() as pid`.single).pid
            // Forked fibers inherit the transaction.
            const forked = yield* Effect.forkChild(sql`select pg_backend_pid() as pid`.single)
            const fromFork = (yield* Fiber.join(forked)).pid
            return { inside, fromFork }
          })
        )
        assert.strictEqual(pids.inside, fx.reserved.processId)
        assert.strictEqual(pids.fromFork, fx.reserved.processId)
        assert.strictEqual((yield* sql`select pg_backend_pid() as pid`.single).pid, fx.shared.processId)
        assert.strictEqual(yield* sql.transactionStatus, "idle")
        assert.deepStrictEqual(yield* ids(fx), [1])
      })
    ))

  it.live("the service is a transaction-aware PgSource", () =>
    withFixture((fx) =>
      Effect.gen(function*() {
        const { sql } = fx
        const asSource: PgSource.PgSource = sql
        const pid = (s: PgSource.PgSource) => s.withConnection((c) => Effect.succeed(c.processId))
        assert.strictEqual(yield* pid(asSource), fx.shared.processId)
        const inside = yield* sql.withTransaction(
          Effect.all([pid(asSource), Effect.scoped(Effect.map(asSource.reserve, (c) => c.processId))])
        )
        assert.deepStrictEqual(inside, [fx.reserved.processId, fx.reserved.processId])
      })
    ))

  it.live("uncommitted work is invisible outside until COMMIT", () =>
    withFixture((fx) =>
      Effect.gen(function*() {
        const { sql } = fx
        yield* sql.withTransaction(
          Effect.gen(function*() {
            yield* sql`insert into ${fx.t} values (1, 'a')`
            const outside = yield* fx.shared.execute<{ n: number }>(`select count(*)::int4 as n from "${fx.name}"`)
            assert.strictEqual(outside.rows[0]!.n, 0)
            const inside = yield* sql<{ n: number }>`select count(*)::int4 as n from ${fx.t}`.single
            assert.strictEqual(inside.n, 1)
          })
        )
        assert.deepStrictEqual(yield* ids(fx), [1])
      })
    ))

  it.live("rolls back on failure and on defect", () =>
    withFixture((fx) =>
      Effect.gen(function*() {
        const { sql } = fx
        const error = yield* failure(sql.withTransaction(
          Effect.andThen(sql`insert into ${fx.t} values (1, 'a')`, Effect.fail(new Boom()))
        ))
        assert.instanceOf(error, Boom)
        const defect = yield* Effect.exit(sql.withTransaction(
          Effect.andThen(sql`insert into ${fx.t} values (2, 'b')`, Effect.die("kaboom"))
        ))
        assert.isTrue(Exit.isFailure(defect) && Cause.hasDies(defect.cause))
        assert.deepStrictEqual(yield* ids(fx), [])
        assert.strictEqual(fx.reserved.transactionStatus, "idle")
        assert.deepStrictEqual(fx.invalidated, [])
      })
    ))

  it.live("interruption mid-statement rolls back; the connection is reusable at once", () =>
    withFixture((fx) =>
      Effect.gen(function*() {
        const { sql } = fx
        const started = Date.now()
        const result = yield* sql.withTransaction(
          Effect.gen(function*() {
            yield* sql`insert into ${fx.t} values (1, 'a')`
            yield* sql`select pg_sleep(30)`
          })
        ).pipe(Effect.timeoutOption("300 millis"))
        const elapsed = Date.now() - started
        assert.isTrue(Option.isNone(result))
        assert.isBelow(elapsed, 5_000)
        assert.strictEqual(fx.reserved.transactionStatus, "idle")
        assert.isTrue(fx.reserved.isOpen)
        assert.deepStrictEqual(yield* ids(fx), [])
        // Interrupted between statements (the transaction itself is healthy): still rolled back.
        const between = yield* sql.withTransaction(
          Effect.andThen(sql`insert into ${fx.t} values (3, 'c')`, Effect.sleep("30 seconds"))
        ).pipe(Effect.timeoutOption("200 millis"))
        assert.isTrue(Option.isNone(between))
        assert.deepStrictEqual(yield* ids(fx), [])
        // The reserved connection serves the next transaction.
        yield* sql.withTransaction(sql`insert into ${fx.t} values (2, 'b')`)
        assert.deepStrictEqual(yield* ids(fx), [2])
        assert.deepStrictEqual(fx.invalidated, [])
      })
    ))

  it.live("a connection lost inside a transaction is invalidated", () =>
    withFixture((fx) =>
      Effect.gen(function*() {
        const { sql } = fx
        const error = yield* failure(sql.withTransaction(
          Effect.andThen(sql`insert into ${fx.t} values (1, 'a')`, sql`select pg_terminate_backend(pg_backend_pid())`)
        ))
        assert.instanceOf(error, PgError)
        assert.deepStrictEqual(fx.invalidated, [fx.reserved.processId])
        assert.deepStrictEqual(yield* ids(fx), [])
      })
    ))

  describe("savepoints", () => {
    it.live("an inner failure rolls back to the savepoint; the outer catches it and commits its own work", () =>
      withFixture((fx) =>
        Effect.gen(function*() {
          const { sql } = fx
          yield* sql.withTransaction(
            Effect.gen(function*() {
              yield* sql`insert into ${fx.t} values (1, 'outer')`
              const inner = yield* Effect.exit(sql.withTransaction(
                Effect.gen(function*() {
                  yield* sql`insert into ${fx.t} values (2, 'inner')`
                  // A server error inside the savepoint: the transaction is failed until rolled back.
                  yield* sql`insert into ${fx.t} values (1, 'duplicate')`
                })
              ))
              assert.isTrue(Exit.isFailure(inner))
              assert.strictEqual(yield* sql.transactionStatus, "transaction")
              yield* sql`insert into ${fx.t} values (3, 'after')`
              // A nested success is kept.
              yield* sql.withTransaction(sql`insert into ${fx.t} values (4, 'nested ok')`)
              // Two levels deep, failing at the deepest: only that level is undone.
              yield* Effect.ignore(sql.withTransaction(
                Effect.andThen(
                  sql`insert into ${fx.t} values (5, 'level 1')`,
                  Effect.ignore(sql.withTransaction(Effect.andThen(sql`insert into ${fx.t} values (6, 'level 2')`, Effect.fail(new Boom()))))
                )
              ))
            })
          )
          assert.deepStrictEqual(yield* ids(fx), [1, 3, 4, 5])
        })
      ))

    it.live("savepoints are named pgfx_<depth>", () =>
      withFixture((fx) =>
        Effect.gen(function*() {
          const { sql } = fx
          const error = yield* failure(sql.withTransaction(
            sql.withTransaction(sql.withTransaction(sql`rollback to savepoint pgfx_2`).pipe(Effect.andThen(sql`release savepoint pgfx_1`)))
          ))
          // RELEASE of pgfx_1 by hand, then the client's own RELEASE of pgfx_1 fails: proves the names.
          assert.instanceOf(error, PgError)
          assert.match((error as PgError).message, /pgfx_1/)
        })
      ))
  })

  describe("failed transactions", () => {
    it.live("a statement after a swallowed error gets the server's 25P02 as reason InFailedTransaction", () =>
      withFixture((fx) =>
        Effect.gen(function*() {
          const { sql } = fx
          const error = yield* failure(sql.withTransaction(
            Effect.gen(function*() {
              yield* Effect.ignore(sql`select 1/0`)
              assert.strictEqual(yield* sql.transactionStatus, "failed")
              yield* sql`select 1`
            })
          ))
          assert.instanceOf(error, PgError)
          assert.strictEqual((error as PgError).reason._tag, "InFailedTransaction")
          assert.strictEqual(fx.reserved.transactionStatus, "idle")
        })
      ))

    it.live("COMMIT after a swallowed error fails with InFailedTransaction and commits nothing", () =>
      withFixture((fx) =>
        Effect.gen(function*() {
          const { sql } = fx
          const error = yield* failure(sql.withTransaction(
            Effect.gen(function*() {
              yield* sql`insert into ${fx.t} values (1, 'a')`
              yield* Effect.ignore(sql`insert into ${fx.t} values (1, 'again')`)
              return "looks fine"
            })
          ))
          assert.instanceOf(error, PgError)
          const reason = (error as PgError).reason
          assert.strictEqual(reason._tag, "InFailedTransaction")
          assert.match(reason.message, /COMMIT rolled the transaction back/)
          assert.deepStrictEqual(yield* ids(fx), [])
          assert.strictEqual(fx.reserved.transactionStatus, "idle")
          assert.deepStrictEqual(fx.invalidated, [])
        })
      ))
  })

  describe("options", () => {
    it.live("isolation, read only and deferrable are visible inside", () =>
      withFixture((fx) =>
        Effect.gen(function*() {
          const { sql } = fx
          const show = Effect.gen(function*() {
            const i = (yield* sql`show transaction_isolation`.simple.single).transaction_isolation
            const r = (yield* sql`show transaction_read_only`.simple.single).transaction_read_only
            const d = (yield* sql`show transaction_deferrable`.simple.single).transaction_deferrable
            return [i, r, d]
          })
          assert.deepStrictEqual(yield* sql.withTransaction(show), ["read committed", "off", "off"])
          assert.deepStrictEqual(
            yield* sql.withTransaction(show, { isolation: "serializable", readOnly: true, deferrable: true }),
            ["serializable", "on", "on"]
          )
          assert.deepStrictEqual(yield* sql.withTransaction(show, { isolation: "repeatable read" }), ["repeatable read", "off", "off"])
          const readOnly = yield* failure(sql.withTransaction(sql`insert into ${fx.t} values (1, 'x')`, { readOnly: true }))
          assert.instanceOf(readOnly, PgError)
          assert.strictEqual((readOnly as { reason: { code: string } }).reason.code, "25006")
          // Unknown levels are refused before anything is sent.
          const bad = yield* failure(sql.withTransaction(Effect.void, { isolation: "chaos" as "serializable" }))
          assert.strictEqual((bad as PgError).reason._tag, "EncodeError")
        })
      ))

    it.live("a single-connection client works the same way", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.connect(server.connectionString())
        yield* sql`create temp table single_tx (id int4)`
        yield* Effect.ignore(sql.withTransaction(Effect.andThen(sql`insert into single_tx values (1)`, Effect.fail(new Boom()))))
        yield* sql.withTransaction(sql`insert into single_tx values (2)`)
        assert.deepStrictEqual(yield* sql`select id from single_tx`, [{ id: 2 }])
        // While a transaction runs, other fibers' statements wait for it (the connection is pinned).
        const order: Array<string> = []
        const tx = yield* Effect.forkChild(sql.withTransaction(Effect.gen(function*() {
          yield* sql`select pg_sleep(0.2)`
          order.push("tx")
        })))
        yield* Effect.sleep("50 millis")
        yield* sql`select 1`
        order.push("outside")
        yield* Fiber.join(tx)
        assert.deepStrictEqual(order, ["tx", "outside"])
      }).pipe(Effect.scoped))
  })
})

describe("savepoints whose body swallowed an error", () => {
  it.live("roll back to the savepoint, fail with InFailedTransaction, and leave the outer transaction usable", () =>
    withFixture((fx) =>
      Effect.gen(function*() {
        const { sql, t } = fx
        const outcome = yield* sql.withTransaction(
          Effect.gen(function*() {
            yield* sql`insert into ${t} values (1, 'outer')`
            const inner = yield* failure(
              sql.withTransaction(
                Effect.gen(function*() {
                  yield* sql`insert into ${t} values (2, 'inner')`
                  // The failure is caught: the savepoint's work is nevertheless lost.
                  yield* Effect.ignore(sql`select 1/0`)
                })
              )
            )
            yield* sql`insert into ${t} values (3, 'after')`
            return inner
          })
        )
        assert.strictEqual((outcome as PgError).reason._tag, "InFailedTransaction")
        assert.deepStrictEqual(yield* ids(fx), [1, 3])
      })
    ))
})

describe("streaming inside a transaction", () => {
  it.live("a stream whose consumer runs statements per row works (a cursor interleaves with them)", () =>
    withFixture((fx) =>
      Effect.gen(function*() {
        const { sql, t } = fx
        const copied = yield* sql.withTransaction(
          Effect.gen(function*() {
            let n = 0
            yield* sql<{ i: number }>`select i from generate_series(1, 25) i`.stream({ batchSize: 4 }).pipe(
              Stream.runForEach((row) =>
                Effect.andThen(sql`insert into ${t} values (${row.i}, ${"from stream"})`, Effect.sync(() => n++))
              )
            )
            return n
          })
        )
        assert.strictEqual(copied, 25)
        assert.deepStrictEqual(yield* ids(fx), Array.from({ length: 25 }, (_, i) => i + 1))
      })
    ))
})
