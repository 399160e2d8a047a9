/**
 * `PgPool` against the real server: 100 fibers reserving a pool of 4 for short transactions
 * (with a roomy and with a tight acquire timeout), 100 in flight × 10,000 pipelined queries
 * through `withConnection` (results checked, backends counted in `pg_stat_activity` by
 * application_name), recovery after `pg_terminate_backend` of every pool backend, rollback of a
 * transaction left open by a reserver, and a connection terminated mid-use not being reused.
 */
import { assert, describe, it } from "@effect/vitest"
import * as PgConnection from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { startServer } from "@pgfx/test/PgServer"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as PgPool from "../src/PgPool.ts"
import { backendPids, eventually, unique, withApp as withAppOf } from "./support/backends.ts"

const server = pgServer()
const url = server.connectionString()

const withApp = (applicationName: string) => withAppOf(url, applicationName)



const pidOf = (c: PgConnection.PgConnection) =>
  Effect.map(c.execute<{ pid: number }>("select pg_backend_pid() as pid"), (r) => r.rows[0]!.pid)

describe("PgPool against the server", () => {
  it.live("100 fibers reserve a pool of 4 for short transactions: all commit", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const table = unique("pool_tx")
      yield* admin.simple(`create table ${table} (id int primary key, pid int not null)`)
      const pool = yield* PgPool.make(url, { max: 4, acquireTimeout: "20 seconds" })
      const exits = yield* Effect.forEach(Array.from({ length: 100 }, (_, i) => i), (i) =>
        Effect.exit(Effect.scoped(Effect.gen(function*() {
          const c = yield* pool.reserve
          assert.strictEqual(c.transactionStatus, "idle")
          yield* c.simple("begin")
          yield* c.execute(`insert into ${table} (id, pid) values ($1, pg_backend_pid())`, [i])
          yield* c.simple("select pg_sleep(0.005)")
          yield* c.simple("commit")
        }))), { concurrency: "unbounded" })
      assert.strictEqual(exits.filter(Exit.isSuccess).length, 100)
      const r = yield* admin.execute<{ n: number; pids: number }>(
        `select count(*)::int as n, count(distinct pid)::int as pids from ${table}`
      )
      assert.strictEqual(r.rows[0]!.n, 100)
      assert.isAtMost(r.rows[0]!.pids, 4)
      const stats = yield* pool.stats
      assert.isAtMost(stats.created, 4)
      assert.strictEqual(stats.inUse, 0)
      assert.strictEqual(stats.waiting, 0)
      yield* admin.simple(`drop table ${table}`)
    }), { timeout: 60_000 })

  it.live("100 fibers on a pool of 4 with a tight acquire timeout: each commits or times out", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const table = unique("pool_timeout")
      yield* admin.simple(`create table ${table} (id int primary key)`)
      // 100 transactions of ≥ 100 ms on 4 connections need ≥ 2.5 s; waiters give up after 600 ms.
      const pool = yield* PgPool.make(url, { min: 4, max: 4, acquireTimeout: "600 millis" })
      const exits = yield* Effect.forEach(Array.from({ length: 100 }, (_, i) => i), (i) =>
        Effect.exit(Effect.scoped(Effect.gen(function*() {
          const c = yield* pool.reserve
          yield* c.simple("begin")
          yield* c.execute(`insert into ${table} (id) values ($1)`, [i])
          yield* c.simple("select pg_sleep(0.1)")
          yield* c.simple("commit")
        }))), { concurrency: "unbounded" })
      const committed = exits.filter(Exit.isSuccess).length
      const timedOut = exits.filter((e) =>
        Exit.isFailure(e) && e.cause.reasons.some((r) =>
          r._tag === "Fail" && r.error instanceof PgError.PgError && r.error.reason._tag === "PoolTimeout"
        )
      ).length
      assert.strictEqual(committed + timedOut, 100)
      assert.isAtLeast(committed, 4)
      assert.isAtLeast(timedOut, 50)
      const r = yield* admin.execute<{ n: number }>(`select count(*)::int as n from ${table}`)
      assert.strictEqual(r.rows[0]!.n, committed)
      const stats = yield* pool.stats
      assert.strictEqual(stats.waiting, 0)
      assert.strictEqual(stats.inUse, 0)
      yield* admin.simple(`drop table ${table}`)
    }), { timeout: 60_000 })

  it.live("100 in flight × 10,000 pipelined queries through withConnection on a pool of 4", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const app = unique("pool_pipe")
      const pool = yield* PgPool.make(withApp(app), { max: 4, pipelineDepth: 8 })
      let peak = 0
      const sampler = Effect.gen(function*() {
        while (true) {
          peak = Math.max(peak, (yield* backendPids(admin, app)).length)
          yield* Effect.sleep("20 millis")
        }
      })
      const n = 10_000
      const started = performance.now()
      const results = yield* Effect.raceFirst(
        Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
          pool.withConnection((c) =>
            Effect.map(c.execute<{ x: number; s: string }>("select $1::int4 * 2 as x, $2::text as s", [i, `v${i}`]), (r) => r.rows[0]!)
          ), { concurrency: 100 }),
        Effect.andThen(sampler, Effect.never)
      )
      const elapsed = performance.now() - started
      for (let i = 0; i < n; i++) {
        assert.strictEqual(results[i]!.x, i * 2)
        assert.strictEqual(results[i]!.s, `v${i}`)
      }
      const stats = yield* pool.stats
      assert.isAtMost(stats.created, 4)
      assert.isAtMost(peak, 4)
      assert.strictEqual((yield* backendPids(admin, app)).length, stats.open)
      assert.strictEqual(stats.inFlight, 0)
      console.log(`pool of 4, 100 in flight: ${n} queries in ${elapsed.toFixed(0)} ms (${(n / elapsed * 1000).toFixed(0)}/s), ${stats.created} connections, peak ${peak} backends`)
    }), { timeout: 120_000 })

  it.live("recovers after every pool backend is terminated", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const app = unique("pool_recover")
      const pool = yield* PgPool.make(withApp(app), { min: 2, max: 4 })
      const before = yield* backendPids(admin, app)
      assert.strictEqual(before.length, 2)
      yield* Effect.forEach(Array.from({ length: 20 }), () => pool.withConnection((c) => c.execute("select 1")), {
        concurrency: 10
      })
      const terminated = yield* admin.execute<{ ok: boolean }>(
        "select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1",
        [app]
      )
      assert.isAtLeast(terminated.rows.length, 2)
      // The pool notices the closed sockets, drops them and opens new ones (min 2).
      yield* eventually("the pool replaced its connections", Effect.gen(function*() {
        const stats = yield* pool.stats
        return stats.destroyed >= terminated.rows.length && stats.open >= 2
      }))
      const pids = yield* Effect.forEach(Array.from({ length: 20 }), () => pool.withConnection(pidOf), { concurrency: 10 })
      for (const pid of pids) assert.notInclude(before, pid)
      const after = yield* backendPids(admin, app)
      assert.isAtMost(after.length, 4)
      for (const pid of after) assert.notInclude(before, pid)
      // Reservations work too.
      const reserved = yield* Effect.scoped(Effect.flatMap(pool.reserve, pidOf))
      assert.notInclude(before, reserved)
    }), { timeout: 60_000 })

  it.live("a transaction left open by a reserver is rolled back on release", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const table = unique("pool_rollback")
      yield* admin.simple(`create table ${table} (id int)`)
      const pool = yield* PgPool.make(url, { max: 1 })
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        yield* c.simple("begin")
        yield* c.execute(`insert into ${table} values (1)`)
        assert.strictEqual(c.transactionStatus, "transaction")
        return yield* pidOf(c)
      }))
      yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        assert.strictEqual(yield* pidOf(c), first, "the same connection, reused")
        assert.strictEqual(c.transactionStatus, "idle")
        const r = yield* c.execute<{ n: number }>(`select count(*)::int as n from ${table}`)
        assert.strictEqual(r.rows[0]!.n, 0)
      }))
      // A failed transaction is rolled back too.
      yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        yield* c.simple("begin")
        yield* Effect.exit(c.simple("select 1/0"))
        assert.strictEqual(c.transactionStatus, "failed")
      }))
      const r = yield* pool.withConnection((c) => c.execute<{ n: number }>(`select count(*)::int as n from ${table}`))
      assert.strictEqual(r.rows[0]!.n, 0)
      assert.strictEqual((yield* pool.stats).created, 1)
      yield* admin.simple(`drop table ${table}`)
    }), { timeout: 60_000 })

  it.live("resetOnRelease discard: session state does not leak to the next reserver", () =>
    Effect.gen(function*() {
      const pool = yield* PgPool.make(url, { max: 1, resetOnRelease: "discard" })
      yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        yield* c.simple("set application_name = 'leaked'")
        yield* c.execute("select 1 + $1::int", [1])
      }))
      yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        const r = yield* c.execute<{ a: string }>("select current_setting('application_name') as a")
        assert.notStrictEqual(r.rows[0]!.a, "leaked")
        // The statement cache was cleared with the server's statements: re-preparing works.
        const again = yield* c.execute<{ x: number }>("select 1 + $1::int as x", [1])
        assert.strictEqual(again.rows[0]!.x, 2)
      }))
      assert.strictEqual((yield* pool.stats).created, 1)
    }), { timeout: 60_000 })

  it.live("a connection terminated mid-use is not returned to the pool", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const pool = yield* PgPool.make(url, { max: 2 })
      const killed = yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        const pid = yield* pidOf(c)
        yield* admin.execute("select pg_terminate_backend($1)", [pid])
        const exit = yield* Effect.exit(c.execute("select 1"))
        assert.isTrue(Exit.isFailure(exit))
        return pid
      }))
      let stats = yield* pool.stats
      assert.strictEqual(stats.destroyed, 1)
      assert.strictEqual(stats.open, 0)
      const next = yield* Effect.scoped(Effect.flatMap(pool.reserve, pidOf))
      assert.notStrictEqual(next, killed)
      // The same for a shared user.
      const sharedPid = yield* pool.withConnection(pidOf)
      const exit = yield* Effect.exit(pool.withConnection((c) =>
        Effect.andThen(admin.execute("select pg_terminate_backend($1)", [sharedPid]), c.execute("select 1"))
      ))
      assert.isTrue(Exit.isFailure(exit))
      yield* eventually("the terminated connection is dropped", Effect.map(pool.stats, (s) => s.destroyed === 2))
      const pid = yield* pool.withConnection(pidOf)
      assert.notStrictEqual(pid, sharedPid)
      stats = yield* pool.stats
      assert.strictEqual(stats.open, 1)
    }), { timeout: 60_000 })
})

describe("PgPool across a server restart", () => {
  it.live("fails fast while the server is down and recovers on new connections once it is back", () =>
    Effect.gen(function*() {
      const own = yield* Effect.acquireRelease(
        Effect.promise(() => startServer()),
        (s) => Effect.promise(() => s.stop())
      )
      const pool = yield* PgPool.make(own.connectionString(), {
        min: 2,
        max: 4,
        acquireTimeout: "3 seconds",
        connectBackoff: { initial: "50 millis", max: "500 millis" }
      })
      const pidBefore = yield* pool.withConnection((c) => c.execute<{ pid: number }>("select pg_backend_pid() as pid"))
      yield* Effect.promise(() => own.restart!())
      // The old sessions were terminated by the shutdown: the pool must drop them and reconnect.
      const deadline = Date.now() + 15_000
      let after: number | undefined = undefined
      while (after === undefined && Date.now() < deadline) {
        const attempt = yield* Effect.exit(
          pool.withConnection((c) => c.execute<{ pid: number }>("select pg_backend_pid() as pid"))
        )
        if (Exit.isSuccess(attempt)) after = attempt.value.rows[0]!.pid
        else {
          // Only connection-level failures are acceptable while the server comes back.
          const error = attempt.cause.reasons.find((r) => r._tag === "Fail")
          if (error !== undefined && error._tag === "Fail") assert.isTrue((error.error as PgError.PgError).isRetryable)
          yield* Effect.sleep("50 millis")
        }
      }
      assert.isDefined(after)
      assert.notStrictEqual(after, pidBefore.rows[0]!.pid)
      // A reserved connection works too, and the pool is at most max.
      const inTx = yield* Effect.scoped(Effect.flatMap(pool.reserve, (c) => c.simple("begin; select 1; commit")))
      assert.strictEqual(inTx.length, 3)
      const stats = yield* pool.stats
      assert.isAtMost(stats.open, 4)
    }).pipe(Effect.scoped), 60_000)
})

describe("PgPool and a plain BEGIN on a shared connection", () => {
  it.live("the connection is not shared while in a transaction block and is discarded on release", () =>
    Effect.gen(function*() {
      const pool = yield* PgPool.make(url, { min: 1, max: 2 })
      const leaked = yield* pool.withConnection((c) => Effect.as(c.simple("begin"), c.processId))
      // Other statements never run inside the abandoned transaction.
      const pids = yield* Effect.all(
        Array.from({ length: 20 }, () => pool.withConnection((c) => c.execute<{ pid: number; tx: string }>(
          "select pg_backend_pid() as pid, current_setting('transaction_isolation') as tx"
        ))),
        { concurrency: 5 }
      )
      for (const r of pids) assert.notStrictEqual(r.rows[0]!.pid, leaked)
      const stats = yield* pool.stats
      assert.isAtLeast(stats.destroyed, 1)
    }).pipe(Effect.scoped))
})
