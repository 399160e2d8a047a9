/**
 * Interruption against the real server: an interrupted query is cancelled on the server (a
 * CancelRequest on a side connection), its replies are drained, and the same connection answers
 * the next query — on protocol 3.0 and 3.2, with pipelined neighbours, inside an exclusive
 * section, before anything was written, and when the drain takes longer than `cancelTimeout`.
 * Also: a backend killed by `pg_terminate_backend` fails the pending request promptly.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgConnection from "../src/PgConnection.ts"
import type * as PgError from "../src/PgError.ts"

const server = pgServer()
const url = server.connectionString()

const now = Effect.sync(() => performance.now())

/** The state and query of a backend, seen from another session. */
const activity = (admin: PgConnection.PgConnection, pid: number) =>
  Effect.map(
    admin.execute<{ state: string | null; query: string }>(
      "select state, query from pg_stat_activity where pid = $1",
      [pid]
    ),
    (r) => r.rows[0]
  )

const isTimeout = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && Cause.hasFails(exit.cause) &&
  (Cause.squash(exit.cause) as { _tag?: string })._tag === "TimeoutError"

const interruptedQuery = (maxProtocolVersion: "3.0" | "3.2") =>
  Effect.gen(function*() {
    const admin = yield* PgConnection.make(url)
    const c = yield* PgConnection.make(`${url}?max_protocol_version=${maxProtocolVersion}`)
    assert.strictEqual(c.protocolVersion, maxProtocolVersion)

    const t0 = yield* now
    const exit = yield* Effect.exit(c.simple("select pg_sleep(30)").pipe(Effect.timeout("100 millis")))
    const elapsed = (yield* now) - t0
    assert.isTrue(isTimeout(exit), `expected a timeout, got ${String(exit)}`)
    // The interruption completes once the connection is back in step: well under 1 s.
    assert.isBelow(elapsed, 1000)
    assert.isAtLeast(elapsed, 100)

    // The backend is idle (no longer sleeping): the statement really stopped on the server.
    const row = yield* activity(admin, c.processId)
    assert.strictEqual(row?.state, "idle")
    assert.isTrue(c.isOpen)
    assert.strictEqual(c.inFlight, 0)

    // The same connection answers at once.
    const r = yield* c.execute("select 1 as x")
    assert.deepStrictEqual(r.rows, [{ x: 1 }])
    assert.strictEqual(c.transactionStatus, "idle")
  })

describe("interruption", () => {
  it.live("Effect.timeout cancels pg_sleep on the server; the connection is reused (3.0)", () => interruptedQuery("3.0"))

  it.live("Effect.timeout cancels pg_sleep on the server; the connection is reused (3.2, long cancel key)", () =>
    interruptedQuery("3.2"))

  it.live("the default protocol is 3.0", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      assert.strictEqual(c.protocolVersion, "3.0")
    }))

  it.live("Fiber.interrupt of an extended-protocol query cancels it", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const c = yield* PgConnection.make(url)
      // Prepare first so the interrupted request is the Bind/Execute.
      yield* c.prepare("select pg_sleep($1::float8)")
      const fiber = yield* Effect.forkChild(c.execute("select pg_sleep($1::float8)", [30]))
      // Wait until the server runs it.
      const deadline = performance.now() + 2000
      while ((yield* activity(admin, c.processId))?.state !== "active" && performance.now() < deadline) {
        yield* Effect.sleep("5 millis")
      }
      assert.strictEqual((yield* activity(admin, c.processId))?.state, "active")
      const t0 = yield* now
      yield* Fiber.interrupt(fiber)
      assert.isBelow((yield* now) - t0, 1000)
      assert.strictEqual((yield* activity(admin, c.processId))?.state, "idle")
      const r = yield* c.execute("select $1::int as x", [7])
      assert.deepStrictEqual(r.rows, [{ x: 7 }])
    }))

  it.live("interrupting one of 50 pipelined queries: the others all succeed, in order, once each", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table hits (i int)")
      // Prepared up front, so every request below is written in call order.
      yield* c.prepare("insert into hits values ($1::int) returning i")
      const results: Array<number> = []
      const fibers: Array<Fiber.Fiber<unknown, PgError.PgError>> = []
      for (let i = 0; i < 50; i++) {
        if (i === 20) {
          fibers.push(yield* Effect.forkChild(c.simple("select pg_sleep(30)"), { startImmediately: true }))
        } else {
          fibers.push(
            yield* Effect.forkChild(
              Effect.map(
                c.execute<{ i: number }>("insert into hits values ($1::int) returning i", [i]),
                (r) => {
                  results.push(r.rows[0]!.i)
                  return r.rows[0]!.i
                }
              ),
              { startImmediately: true }
            )
          )
        }
      }
      yield* Effect.sleep("150 millis")
      // Requests 0..19 are done, 21..49 wait behind the sleep.
      assert.strictEqual(results.length, 20)
      const t0 = yield* now
      yield* Fiber.interrupt(fibers[20]!)
      assert.isBelow((yield* now) - t0, 1000)
      for (let i = 0; i < 50; i++) {
        if (i === 20) continue
        assert.strictEqual(yield* Fiber.join(fibers[i]! as Fiber.Fiber<number, PgError.PgError>), i)
      }
      const expected = Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 20)
      assert.deepStrictEqual(results, expected)
      const rows = (yield* c.execute<{ i: number }>("select i from hits order by i")).rows.map((r) => r.i)
      assert.deepStrictEqual(rows, expected)
    }))

  it.live("interrupting a request before it is written: nothing reaches the server", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table t (i int)")
      // Same tick: the request is queued but the write happens in a microtask.
      const fiber = yield* Effect.forkChild(c.simple("insert into t values (1)"), { startImmediately: true })
      yield* Fiber.interrupt(fiber)
      assert.isTrue(c.isOpen)
      const r = yield* c.execute<{ n: string }>("select count(*)::text as n from t")
      assert.strictEqual(r.rows[0]!.n, "0")
      // And a burst of interrupted-before-write requests around a real one.
      const many = []
      for (let i = 0; i < 10; i++) many.push(yield* Effect.forkChild(c.simple("insert into t values (2)"), { startImmediately: true }))
      const kept = yield* Effect.forkChild(c.simple("insert into t values (3)"), { startImmediately: true })
      for (const f of many) yield* Fiber.interrupt(f)
      yield* Fiber.join(kept)
      const after = yield* c.execute<{ i: number }>("select i from t")
      assert.deepStrictEqual(after.rows, [{ i: 3 }])
    }))

  it.live("interrupted query inside exclusive: transaction failed, rollback returns to idle", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const c = yield* PgConnection.make(url)
      yield* c.exclusive((x) =>
        Effect.gen(function*() {
          yield* x.simple("begin")
          yield* x.simple("create temp table tx (i int)")
          yield* x.simple("insert into tx values (1)")
          assert.strictEqual(x.transactionStatus, "transaction")
          const exit = yield* Effect.exit(x.simple("select pg_sleep(30)").pipe(Effect.timeout("100 millis")))
          assert.isTrue(isTimeout(exit))
          assert.strictEqual(x.transactionStatus, "failed")
          yield* x.simple("rollback")
          assert.strictEqual(x.transactionStatus, "idle")
        })
      )
      assert.strictEqual((yield* activity(admin, c.processId))?.state, "idle")
      const r = yield* c.execute<{ n: string | null }>("select to_regclass('pg_temp.tx')::text as n")
      assert.strictEqual(r.rows[0]!.n, null)
    }))

  it.live("an exclusive section interrupted inside a transaction is rolled back before the gate opens", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table excl (i int)")
      const exit = yield* Effect.exit(
        c.exclusive((x) =>
          Effect.gen(function*() {
            yield* x.simple("begin")
            yield* x.simple("insert into excl values (1)")
            yield* x.simple("select pg_sleep(30)")
          })
        ).pipe(Effect.timeout("150 millis"))
      )
      assert.isTrue(isTimeout(exit))
      // The next user of the connection is not inside the abandoned transaction.
      assert.strictEqual(c.transactionStatus, "idle")
      const r = yield* c.execute<{ n: number }>("select count(*)::int as n from excl")
      assert.strictEqual(r.rows[0]!.n, 0)
      assert.strictEqual(c.transactionStatus, "idle")
    }))

  it.live("interrupting a fiber waiting for the exclusive gate does not disturb the holder", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const holder = yield* Effect.forkChild(
        c.exclusive((x) => Effect.andThen(x.simple("select pg_sleep(0.2)"), x.execute<{ v: number }>("select 5 as v"))),
        { startImmediately: true }
      )
      const waiter = yield* Effect.forkChild(c.execute("select 6 as v"), { startImmediately: true })
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(waiter)
      const r = yield* Fiber.join(holder)
      assert.deepStrictEqual(r.rows, [{ v: 5 }])
      assert.deepStrictEqual((yield* c.execute("select 7 as v")).rows, [{ v: 7 }])
    }))

  it.live("cancelTimeout exceeded: the connection is closed with ConnectionClosed", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url, { cancelTimeout: Duration.millis(1) })
      const exit = yield* Effect.exit(c.simple("select pg_sleep(30)").pipe(Effect.timeout("50 millis")))
      assert.isTrue(isTimeout(exit))
      assert.isFalse(c.isOpen)
      const reason = yield* c.closed
      assert.strictEqual(reason?.reason._tag, "ConnectionClosed")
      assert.match(reason!.message, /cancellation/)
      const next = yield* Effect.flip(c.execute("select 1"))
      assert.strictEqual(next.reason._tag, "ConnectionClosed")
    }))

  it.live("a terminated backend fails the pending request promptly; the connection is closed", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const c = yield* PgConnection.make(url)
      const pending = yield* Effect.forkChild(c.simple("select pg_sleep(10)"), { startImmediately: true })
      yield* Effect.sleep("50 millis")
      const t0 = yield* now
      yield* admin.execute("select pg_terminate_backend($1)", [c.processId])
      const exit = yield* Fiber.await(pending)
      assert.isBelow((yield* now) - t0, 2000)
      assert.isTrue(Exit.isFailure(exit))
      const error = Cause.squash((exit as Exit.Failure<unknown, PgError.PgError>).cause) as PgError.PgError
      assert.include(["AdminShutdown", "ConnectionClosed"], error.reason._tag)
      const reason = yield* c.closed
      assert.isDefined(reason)
      assert.isFalse(c.isOpen)
      const t1 = yield* now
      const next = yield* Effect.flip(c.execute("select 1"))
      assert.strictEqual(next.reason._tag, "ConnectionClosed")
      assert.isBelow((yield* now) - t1, 100)
    }))

  it.live("cancel sends a CancelRequest for the running statement (QueryCanceled)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(`${url}?max_protocol_version=3.2`)
      const pending = yield* Effect.forkChild(c.simple("select pg_sleep(30)"), { startImmediately: true })
      yield* Effect.sleep("50 millis")
      yield* c.cancel
      const error = yield* Effect.flip(Fiber.join(pending))
      assert.strictEqual(error.reason._tag, "QueryCanceled")
      assert.deepStrictEqual((yield* c.execute("select 1 as x")).rows, [{ x: 1 }])
    }))

  it.live("interrupting a request queued behind a running one does not cancel the running one", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const first = yield* Effect.forkChild(
        Effect.andThen(c.simple("select pg_sleep(0.3)"), c.execute<{ v: number }>("select 1 as v")),
        { startImmediately: true }
      )
      const second = yield* Effect.forkChild(c.simple("select pg_sleep(30)"), { startImmediately: true })
      yield* Effect.sleep("50 millis")
      const t0 = yield* now
      // Waits for the first to finish, then cancels the second when its turn comes.
      yield* Fiber.interrupt(second)
      const waited = (yield* now) - t0
      assert.isAtLeast(waited, 150)
      assert.isBelow(waited, 1500)
      const r = yield* Fiber.join(first)
      assert.deepStrictEqual(r.rows, [{ v: 1 }])
      assert.deepStrictEqual((yield* c.execute("select 2 as v")).rows, [{ v: 2 }])
    }))

  it.live("interrupting statements while they are being prepared leaks no server-side statement", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const sql = "select 42 as v"
      let written = 0
      for (let i = 0; i < 20; i++) {
        const fiber = yield* Effect.forkChild(c.execute(sql), { startImmediately: true })
        // Let the Parse/Describe be written, then interrupt before (or as) the reply arrives.
        yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
        if (c.inFlight > 0) written++
        yield* Fiber.interrupt(fiber)
      }
      assert.isAbove(written, 0)
      assert.deepStrictEqual((yield* c.execute(sql)).rows, [{ v: 42 }])
      // Statements prepared for interrupted fibers were closed: one is left for this SQL.
      yield* c.simple("select 1")
      const r = yield* c.execute<{ n: number }>(
        "select count(*)::int as n from pg_prepared_statements where statement = $1",
        [sql]
      )
      assert.strictEqual(r.rows[0]!.n, 1)
    }))

  it.live("many random interruptions around the end of a statement never cancel the next one", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      let canceledNext = 0
      for (let i = 0; i < 100; i++) {
        const f = yield* Effect.forkChild(c.simple("select pg_sleep(0.01)"), { startImmediately: true })
        // Around the moment the statement finishes on its own (10 ms).
        yield* Effect.sleep(`${5 + Math.random() * 10} millis`)
        yield* Fiber.interrupt(f)
        const next = yield* Effect.exit(c.simple("select pg_sleep(0.02)"))
        if (Exit.isFailure(next)) canceledNext++
      }
      // A stale CancelRequest (sent for the first, arriving after it finished) must never hit
      // the next statement: the session holds new requests until the server took the cancel.
      assert.strictEqual(canceledNext, 0)
    }), 60_000)

  it.live("interruption over TLS and over the unix socket", () =>
    Effect.gen(function*() {
      const targets = [`${url}?sslmode=require`]
      if (server.socketDir !== undefined) targets.push(server.connectionString("superuser", { via: "socket" }))
      for (const target of targets) {
        const c = yield* PgConnection.make(target)
        const t0 = yield* now
        const exit = yield* Effect.exit(c.simple("select pg_sleep(30)").pipe(Effect.timeout("100 millis")))
        assert.isTrue(isTimeout(exit))
        assert.isBelow((yield* now) - t0, 1000)
        assert.deepStrictEqual((yield* c.execute("select 1 as x")).rows, [{ x: 1 }])
      }
    }))

  it.live("interrupting copyIn before its Query is written leaves the connection usable at once", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table cp (i int)")
      const f = yield* Effect.forkChild(Effect.scoped(c.copyIn("copy cp from stdin")), { startImmediately: true })
      const t0 = yield* now
      yield* Fiber.interrupt(f)
      assert.isBelow((yield* now) - t0, 500)
      assert.isTrue(c.isOpen)
      assert.deepStrictEqual((yield* c.execute("select count(*)::int as n from cp")).rows, [{ n: 0 }])
    }))

  it.live("interrupting copyIn mid-stream sends CopyFail: nothing is committed", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table cp2 (i int)")
      const f = yield* Effect.forkChild(
        Effect.scoped(
          Effect.gen(function*() {
            const w = yield* c.copyIn("copy cp2 from stdin")
            yield* w.write("1\n2\n")
            return yield* Effect.never
          })
        ),
        { startImmediately: true }
      )
      yield* Effect.sleep("50 millis")
      const t0 = yield* now
      yield* Fiber.interrupt(f)
      assert.isBelow((yield* now) - t0, 1000)
      assert.deepStrictEqual((yield* c.execute("select count(*)::int as n from cp2")).rows, [{ n: 0 }])
      const w = yield* Effect.scoped(
        Effect.gen(function*() {
          const w = yield* c.copyIn("copy cp2 from stdin")
          yield* w.write("3\n4\n")
          return yield* w.end
        })
      )
      assert.isDefined(w)
      assert.deepStrictEqual((yield* c.execute("select count(*)::int as n from cp2")).rows, [{ n: 2 }])
    }))

  it.live("interrupting a portal stream cancels the running fetch; the connection is reused", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const c = yield* PgConnection.make(url)
      const t0 = yield* now
      const exit = yield* Effect.exit(
        Stream.runCollect(c.stream("select pg_sleep(30) as s")).pipe(Effect.timeout("100 millis"))
      )
      assert.isTrue(isTimeout(exit))
      assert.isBelow((yield* now) - t0, 1000)
      assert.strictEqual((yield* activity(admin, c.processId))?.state, "idle")
      // Taking the first rows of a huge result ends the portal early.
      const first = yield* Stream.runCollect(
        Stream.take(c.stream<{ i: number }>("select i from generate_series(1, 10000000) i", [], { batchSize: 100 }), 5)
      )
      assert.deepStrictEqual(Array.from(first).map((r) => r.i), [1, 2, 3, 4, 5])
      assert.deepStrictEqual((yield* c.execute("select 1 as x")).rows, [{ x: 1 }])
      assert.strictEqual(c.transactionStatus, "idle")
    }))

  it.live("copyOut ended early cancels the COPY; the connection is reused", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const chunks = yield* Stream.runCollect(Stream.take(c.copyOut("copy (select generate_series(1, 10000000)) to stdout"), 3))
      assert.strictEqual(chunks.length, 3)
      assert.strictEqual(new TextDecoder().decode(chunks[0]!), "1\n")
      assert.deepStrictEqual((yield* c.execute("select 1 as x")).rows, [{ x: 1 }])
    }))

  it.live("a cancel that reaches the backend before it read the statement is sent again", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const pid = c.processId
      // Freeze the backend (same machine): the statement then waits unread in its socket, and
      // the first CancelRequest's signal is handled while it is idle — which PostgreSQL ignores.
      const stopped = yield* Effect.sync(() => {
        try {
          process.kill(pid, "SIGSTOP")
          return true
        } catch {
          return false
        }
      })
      if (!stopped) return // not allowed to signal the server's processes here
      const resume = Effect.sync(() => process.kill(pid, "SIGCONT"))
      yield* Effect.gen(function*() {
        const sleeping = yield* Effect.forkChild(c.simple("select pg_sleep(30)"), { startImmediately: true })
        yield* Effect.sleep("20 millis")
        const t0 = yield* now
        const interrupting = yield* Effect.forkChild(Fiber.interrupt(sleeping), { startImmediately: true })
        // The CancelRequest is taken (its connection closed) while the backend is frozen.
        yield* Effect.sleep("150 millis")
        yield* resume
        yield* Fiber.join(interrupting)
        const elapsed = (yield* now) - t0
        // Without a second cancel the statement would run for 30 s (or cancelTimeout would close
        // the connection after 5 s).
        assert.isBelow(elapsed, 3000)
        assert.isTrue(c.isOpen)
        assert.deepStrictEqual((yield* c.execute("select 1 as x")).rows, [{ x: 1 }])
      }).pipe(Effect.ensuring(Effect.ignore(resume)))
    }), 30_000)

  it.live("interrupting a short statement never cancels the statement pipelined behind it", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const sql = "select $1::int as v from pg_sleep($2::float8)"
      yield* c.prepare(sql)
      let hit = 0
      for (let i = 0; i < 40; i++) {
        const victim = yield* Effect.forkChild(c.execute(sql, [1, i % 2 === 0 ? 0 : 0.001]), { startImmediately: true })
        const neighbour = yield* Effect.forkChild(c.execute<{ v: number }>(sql, [2, 0.03]), { startImmediately: true })
        // Both written (the flush runs in a microtask); the victim is finishing on the server.
        yield* Effect.promise(() => new Promise<void>((resolve) => queueMicrotask(() => queueMicrotask(resolve))))
        yield* Fiber.interrupt(victim)
        const exit = yield* Fiber.await(neighbour)
        if (Exit.isFailure(exit)) hit++
        else assert.deepStrictEqual(exit.value.rows, [{ v: 2 }])
      }
      // A CancelRequest sent at once would arrive after the victim finished and cancel the
      // neighbour (about half of the time): the session gives the victim a grace period first.
      assert.strictEqual(hit, 0)
    }), 30_000)

  it.live("a stream interrupted while a CancelRequest is in flight leaves the session in step", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.prepare("select 1 as x")
      const victim = yield* Effect.forkChild(c.simple("select pg_sleep(1)"), { startImmediately: true })
      yield* Effect.sleep("30 millis")
      victim.interruptUnsafe() // a CancelRequest is in flight: new requests are held back
      const streamer = yield* Effect.forkChild(Stream.runDrain(c.stream("select 1 as x")), { startImmediately: true })
      yield* Effect.promise(() => new Promise<void>((resolve) => queueMicrotask(() => queueMicrotask(resolve))))
      // Closing the portal writes a Sync for a request that was never written: it must be
      // dropped with it, not sent alone (its ReadyForQuery would complete the next request).
      streamer.interruptUnsafe()
      yield* Fiber.await(victim)
      yield* Fiber.await(streamer)
      assert.deepStrictEqual((yield* c.execute<{ v: number }>("select $1::int as v", [42])).rows, [{ v: 42 }])
      yield* Effect.sleep("50 millis")
      assert.isTrue(c.isOpen)
      assert.deepStrictEqual((yield* c.execute("select 1 as x")).rows, [{ x: 1 }])
    }))
})
