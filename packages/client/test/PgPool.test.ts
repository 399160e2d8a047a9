/**
 * `PgPool` offline, over fake connections: sizing, sharing by load, FIFO reservations, acquire
 * timeouts, interruption of waiters, idle timeout and lifetime (TestClock), health checks, reset
 * on release, closed and invalidated connections, connect backoff, metrics, shutdown, and
 * 10,000 waiters.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/testing/TestClock"
import * as PgConnection from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import * as PgPool from "../src/PgPool.ts"

// --- a fake connection --------------------------------------------------------------------------

interface Fake {
  readonly id: number
  readonly conn: PgConnection.PgConnection
  readonly log: Array<string>
  open: boolean
  tx: "idle" | "transaction" | "failed"
  inFlight: number
  pins: number
  /** Makes `simple(sql)` fail when it returns true. */
  failing: (sql: string) => boolean
  /** The server side closes the connection. */
  kill(): void
}

const serverError = (message: string) =>
  PgError.make(PgError.serverReason({ message, severity: "ERROR", code: "XX000", condition: "", className: "" }))

const closedError = () =>
  PgError.make(new PgError.ConnectionClosed({ message: "the server closed the connection", safeToRetry: false }))

const makeFake = (id: number): Fake => {
  const closed = Deferred.makeUnsafe<PgError.PgError | undefined>()
  const fake: Fake = {
    id,
    conn: undefined as unknown as PgConnection.PgConnection,
    log: [],
    open: true,
    tx: "idle",
    inFlight: 0,
    pins: 0,
    failing: () => false,
    kill: () => {
      if (!fake.open) return
      fake.open = false
      Deferred.doneUnsafe(closed, Effect.succeed(closedError()))
    }
  }
  const simple = (sql: string) =>
    Effect.suspend(() => {
      fake.log.push(sql)
      if (!fake.open) return Effect.fail(closedError())
      if (fake.failing(sql)) return Effect.fail(serverError(`failed: ${sql}`))
      if (/^begin/i.test(sql)) fake.tx = "transaction"
      if (/^(rollback|commit)/i.test(sql)) fake.tx = "idle"
      return Effect.succeed([] as ReadonlyArray<PgConnection.QueryResult>)
    })
  const conn = {
    [PgConnection.TypeId]: PgConnection.TypeId,
    processId: id,
    get isOpen() {
      return fake.open
    },
    get inFlight() {
      return fake.inFlight
    },
    get transactionStatus() {
      return fake.tx
    },
    simple,
    clearStatementCache: () => {
      fake.log.push("<clear cache>")
    },
    pin: Effect.acquireRelease(
      Effect.sync(() => {
        fake.pins++
        return conn
      }),
      () =>
        Effect.sync(() => {
          fake.pins--
        })
    ),
    close: Effect.sync(() => {
      if (!fake.open) return
      fake.open = false
      Deferred.doneUnsafe(closed, Effect.succeed(undefined))
    }),
    closed: Deferred.await(closed)
  } as unknown as PgConnection.PgConnection
  ;(fake as { conn: PgConnection.PgConnection }).conn = conn
  return fake
}

/** A connection factory over fakes; `failNext` makes the next calls fail. */
const makeFactory = () => {
  const fakes: Array<Fake> = []
  const state = {
    fakes,
    calls: 0,
    failNext: 0,
    failWith: (): PgError.PgError =>
      PgError.make(new PgError.ConnectionError({ message: "connection refused" })),
    byConn: (c: PgConnection.PgConnection) => fakes.find((f) => f.conn === c)!,
    connect: (() =>
      Effect.acquireRelease(
        Effect.suspend(() => {
          state.calls++
          if (state.failNext > 0) {
            state.failNext--
            return Effect.fail(state.failWith())
          }
          const fake = makeFake(fakes.length + 1)
          fakes.push(fake)
          return Effect.succeed(fake.conn)
        }),
        (c) => c.close
      )) as PgPool.Connect
  }
  return state
}

/** Lets background fibers (connects, closes) run. */
const flush = Effect.gen(function*() {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

const holdShared = (pool: PgPool.PgPool, gate: Deferred.Deferred<void>, seen?: Array<PgConnection.PgConnection>) =>
  Effect.forkChild(pool.withConnection((c) => {
    seen?.push(c)
    return Deferred.await(gate)
  }))

const holdReserved = (pool: PgPool.PgPool, gate: Deferred.Deferred<void>, seen?: Array<PgConnection.PgConnection>) =>
  Effect.forkChild(Effect.scoped(Effect.flatMap(pool.reserve, (c) => {
    seen?.push(c)
    return Deferred.await(gate)
  })))

const reasonOf = <A>(exit: Exit.Exit<A, unknown>): string | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  return error !== undefined && error._tag === "Fail" && error.error instanceof PgError.PgError
    ? error.error.reason._tag
    : undefined
}

const errorOf = <A>(exit: Exit.Exit<A, unknown>): PgError.PgError | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  return error !== undefined && error._tag === "Fail" ? error.error as PgError.PgError : undefined
}

// --- tests ----------------------------------------------------------------------------------------

describe("sizing", () => {
  it.effect("opens min connections at make, never more than max", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 2, max: 3, pipelineDepth: 1 })
      assert.strictEqual(factory.calls, 2)
      assert.strictEqual((yield* pool.stats).open, 2)
      const gate = yield* Deferred.make<void>()
      const fibers = []
      for (let i = 0; i < 50; i++) fibers.push(yield* holdShared(pool, gate))
      yield* flush
      const stats = yield* pool.stats
      assert.strictEqual(stats.open, 3)
      assert.strictEqual(factory.calls, 3)
      assert.strictEqual(stats.waiting, 0, "shared users never wait for exclusivity")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      assert.strictEqual((yield* pool.stats).idle, 3)
    }))

  it.effect("make fails when a min connection cannot be opened", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      factory.failNext = 1
      const exit = yield* Effect.exit(PgPool.make("", { connect: factory.connect, min: 1 }))
      assert.strictEqual(reasonOf(exit), "ConnectionError")
    }))

  it.effect("rejects invalid sizes", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      assert.strictEqual(reasonOf(yield* Effect.exit(PgPool.make("", { connect: factory.connect, max: 0 }))), "ConfigError")
      assert.strictEqual(reasonOf(yield* Effect.exit(PgPool.make("", { connect: factory.connect, min: 3, max: 2 }))), "ConfigError")
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 2 })
      assert.strictEqual(reasonOf(yield* Effect.exit(pool.resize({ min: 5, max: 4 }))), "ConfigError")
    }))

  it.effect("resize: growing lets more connections open; shrinking closes idle ones", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 3, max: 3 })
      yield* pool.resize({ min: 1, max: 1 })
      yield* flush
      let stats = yield* pool.stats
      assert.strictEqual(stats.open, 1)
      assert.strictEqual(stats.destroyed, 2)
      yield* pool.resize({ min: 4, max: 4 })
      yield* flush
      stats = yield* pool.stats
      assert.strictEqual(stats.open, 4)
    }))
})

describe("withConnection (shared, pipelined)", () => {
  it.effect("spreads users by load and opens a connection past the pipelining depth", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 4, pipelineDepth: 2 })
      const gate = yield* Deferred.make<void>()
      const seen: Array<PgConnection.PgConnection> = []
      const fibers = []
      const perConnection = () => {
        const counts = new Map<PgConnection.PgConnection, number>()
        for (const c of seen) counts.set(c, (counts.get(c) ?? 0) + 1)
        return Array.from(counts.values()).toSorted()
      }
      // The user that finds every connection at the depth still goes on the least loaded one
      // (it never waits) while the pool opens another.
      for (let i = 0; i < 3; i++) {
        fibers.push(yield* holdShared(pool, gate, seen))
        yield* flush
      }
      assert.deepStrictEqual(perConnection(), [3])
      assert.strictEqual(factory.fakes.length, 2)
      for (let i = 0; i < 9; i++) {
        fibers.push(yield* holdShared(pool, gate, seen))
        yield* flush
      }
      assert.deepStrictEqual(perConnection(), [3, 3, 3, 3])
      assert.strictEqual(factory.fakes.length, 4)
      // At max, more users share the least loaded connections instead of waiting.
      for (let i = 0; i < 4; i++) fibers.push(yield* holdShared(pool, gate, seen))
      yield* flush
      assert.deepStrictEqual(perConnection(), [4, 4, 4, 4])
      assert.strictEqual(factory.fakes.length, 4)
      assert.strictEqual((yield* pool.stats).waiting, 0)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
    }))

  it.effect("prefers the connection with the fewest requests in flight", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 3, max: 3 })
      factory.fakes[0]!.inFlight = 5
      factory.fakes[1]!.inFlight = 1
      factory.fakes[2]!.inFlight = 3
      const c = yield* pool.withConnection((c) => Effect.succeed(c))
      assert.strictEqual(c, factory.fakes[1]!.conn)
    }))

  it.effect("does not use a reserved connection", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1, acquireTimeout: "1 second" })
      const gate = yield* Deferred.make<void>()
      const reserved = yield* holdReserved(pool, gate)
      yield* flush
      const shared = yield* Effect.forkChild(Effect.exit(pool.withConnection((c) => Effect.succeed(c))))
      yield* flush
      assert.strictEqual((yield* pool.stats).waiting, 1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(reserved)
      const exit = yield* Fiber.join(shared)
      assert.isTrue(Exit.isSuccess(exit))
    }))

  it.effect("the lease is returned when f fails, dies or is interrupted", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1 })
      yield* Effect.exit(pool.withConnection(() => Effect.fail("boom")))
      yield* Effect.exit(pool.withConnection(() => Effect.die("bang")))
      const fiber = yield* Effect.forkChild(pool.withConnection(() => Effect.never))
      yield* flush
      assert.strictEqual((yield* pool.stats).shared, 1)
      yield* Fiber.interrupt(fiber)
      const stats = yield* pool.stats
      assert.strictEqual(stats.shared, 0)
      assert.strictEqual(stats.idle, 1)
    }))
})

describe("reserve (exclusive)", () => {
  it.effect("hands out idle connections first, pins them, and unpins on release", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 2, max: 2 })
      factory.fakes[0]!.inFlight = 1
      const c = yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        assert.strictEqual(factory.byConn(c).pins, 1)
        assert.strictEqual((yield* pool.stats).inUse, 1)
        return c
      }))
      assert.strictEqual(c, factory.fakes[1]!.conn)
      assert.strictEqual(factory.fakes[1]!.pins, 0)
      assert.strictEqual((yield* pool.stats).inUse, 0)
    }))

  it.effect("waiters are served in FIFO order", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 2 })
      const gates = [yield* Deferred.make<void>(), yield* Deferred.make<void>()]
      const holders = [yield* holdReserved(pool, gates[0]!), yield* holdReserved(pool, gates[1]!)]
      yield* flush
      const order: Array<number> = []
      const waiters = []
      for (let i = 0; i < 5; i++) {
        waiters.push(yield* Effect.forkChild(Effect.scoped(Effect.andThen(pool.reserve, Effect.sync(() => order.push(i))))))
        yield* flush
      }
      assert.strictEqual((yield* pool.stats).waiting, 5)
      yield* Deferred.succeed(gates[1]!, undefined)
      yield* Fiber.join(holders[1]!)
      yield* Fiber.joinAll(waiters)
      assert.deepStrictEqual(order, [0, 1, 2, 3, 4])
      yield* Deferred.succeed(gates[0]!, undefined)
      yield* Fiber.join(holders[0]!)
    }))

  it.effect("at max, takes the least loaded shared connection rather than waiting", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 2, max: 2, pipelineDepth: 100 })
      const gate = yield* Deferred.make<void>()
      const seen: Array<PgConnection.PgConnection> = []
      const fibers = []
      for (let i = 0; i < 3; i++) fibers.push(yield* holdShared(pool, gate, seen))
      yield* flush
      const counts = factory.fakes.map((f) => seen.filter((c) => c === f.conn).length)
      const lighter = factory.fakes[counts[0]! <= counts[1]! ? 0 : 1]!
      const c = yield* Effect.scoped(pool.reserve)
      assert.strictEqual(c, lighter.conn)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
    }))

  it.effect("acquire timeout fails with PoolTimeout and leaves the queue", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1, acquireTimeout: "2 seconds" })
      const gate = yield* Deferred.make<void>()
      const holder = yield* holdReserved(pool, gate)
      yield* flush
      const waiter = yield* Effect.forkChild(Effect.exit(Effect.scoped(pool.reserve)))
      yield* flush
      yield* TestClock.adjust("1999 millis")
      assert.isUndefined(waiter.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.join(waiter)
      assert.strictEqual(reasonOf(exit), "PoolTimeout")
      assert.match(errorOf(exit)!.message, /timed out after 2s waiting for a connection/)
      assert.isTrue(errorOf(exit)!.isRetryable)
      assert.strictEqual((yield* pool.stats).waiting, 0)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      // The pool still works.
      yield* Effect.scoped(pool.reserve)
    }))

  it.effect("each waiter times out after its own wait", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1, acquireTimeout: "10 seconds" })
      const gate = yield* Deferred.make<void>()
      yield* holdReserved(pool, gate)
      yield* flush
      const a = yield* Effect.forkChild(Effect.exit(Effect.scoped(pool.reserve)))
      yield* flush
      yield* TestClock.adjust("4 seconds")
      const b = yield* Effect.forkChild(Effect.exit(Effect.scoped(pool.reserve)))
      yield* flush
      yield* TestClock.adjust("6 seconds")
      assert.strictEqual(reasonOf(yield* Fiber.join(a)), "PoolTimeout")
      assert.isUndefined(b.pollUnsafe())
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual(reasonOf(yield* Fiber.join(b)), "PoolTimeout")
      yield* Deferred.succeed(gate, undefined)
    }))

  it.effect("an interrupted waiter leaves the queue; the next one is served", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1 })
      const gate = yield* Deferred.make<void>()
      const holder = yield* holdReserved(pool, gate)
      yield* flush
      const first = yield* Effect.forkChild(Effect.scoped(pool.reserve))
      const second = yield* Effect.forkChild(Effect.scoped(Effect.as(pool.reserve, "second")))
      yield* flush
      assert.strictEqual((yield* pool.stats).waiting, 2)
      yield* Fiber.interrupt(first)
      assert.strictEqual((yield* pool.stats).waiting, 1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      assert.strictEqual(yield* Fiber.join(second), "second")
      const stats = yield* pool.stats
      assert.strictEqual(stats.inUse, 0)
      assert.strictEqual(stats.idle, 1)
    }))

  it.effect("rolls back an open transaction on release", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1 })
      yield* Effect.scoped(Effect.flatMap(pool.reserve, (c) => c.simple("begin")))
      const fake = factory.fakes[0]!
      assert.deepStrictEqual(fake.log, ["begin", "ROLLBACK"])
      assert.strictEqual(fake.tx, "idle")
      // Nothing to roll back: no extra round trip.
      yield* Effect.scoped(pool.reserve)
      assert.deepStrictEqual(fake.log, ["begin", "ROLLBACK"])
      assert.strictEqual((yield* pool.stats).open, 1)
    }))

  it.effect("resetOnRelease: discard runs DISCARD ALL and clears the statement cache", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1, resetOnRelease: "discard" })
      yield* Effect.scoped(Effect.flatMap(pool.reserve, (c) => c.simple("begin")))
      assert.deepStrictEqual(factory.fakes[0]!.log, ["begin", "ROLLBACK", "DISCARD ALL", "<clear cache>"])
    }))

  it.effect("resetOnRelease: reset runs RESET ALL", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1, resetOnRelease: "reset" })
      yield* Effect.scoped(pool.reserve)
      assert.deepStrictEqual(factory.fakes[0]!.log, ["RESET ALL"])
    }))

  it.effect("a failing reset discards the connection", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1 })
      yield* Effect.scoped(Effect.flatMap(pool.reserve, (c) => {
        factory.byConn(c).failing = (sql) => sql === "ROLLBACK"
        return c.simple("begin")
      }))
      assert.isFalse(factory.fakes[0]!.open)
      const stats = yield* pool.stats
      assert.strictEqual(stats.open, 0)
      assert.strictEqual(stats.destroyed, 1)
      const c = yield* Effect.scoped(pool.reserve)
      assert.strictEqual(c, factory.fakes[1]!.conn)
    }))
})

describe("broken connections", () => {
  it.effect("a connection the server closes while idle is removed promptly and replaced to min", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 2, max: 2 })
      factory.fakes[0]!.kill()
      yield* flush
      const stats = yield* pool.stats
      assert.strictEqual(stats.destroyed, 1)
      assert.strictEqual(stats.open, 2)
      assert.strictEqual(factory.fakes.length, 3)
    }))

  it.effect("a connection closed mid-use is not returned to the pool", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 2 })
      const c = yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        factory.byConn(c).kill()
        yield* flush
        // No new user gets it, and it is still counted as reserved until released.
        assert.strictEqual((yield* pool.stats).inUse, 1)
        return c
      }))
      const stats = yield* pool.stats
      assert.strictEqual(stats.inUse, 0)
      assert.strictEqual(stats.open, 0)
      const next = yield* pool.withConnection((c) => Effect.succeed(c))
      assert.notStrictEqual(next, c)
      // Shared users too.
      const d = yield* pool.withConnection((c) => Effect.as(Effect.sync(() => factory.byConn(c).kill()), c))
      yield* flush
      assert.notStrictEqual(yield* pool.withConnection((c) => Effect.succeed(c)), d)
    }))

  it.effect("invalidate discards a reserved connection", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1 })
      const c = yield* Effect.scoped(Effect.gen(function*() {
        const c = yield* pool.reserve
        yield* pool.invalidate(c)
        return c
      }))
      assert.isFalse(factory.byConn(c).open)
      assert.strictEqual((yield* pool.stats).open, 0)
      const next = yield* Effect.scoped(pool.reserve)
      assert.notStrictEqual(next, c)
      assert.deepStrictEqual(factory.byConn(c).log, [], "no reset on an invalidated connection")
    }))

  it.effect("a failing health check discards the connection and hands out another", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 1, max: 2, healthCheckAfter: "5 seconds" })
      const first = factory.fakes[0]!
      // Fresh: no check.
      yield* pool.withConnection(() => Effect.void)
      assert.deepStrictEqual(first.log, [])
      yield* TestClock.adjust("6 seconds")
      first.failing = (sql) => sql === "select 1"
      const c = yield* pool.withConnection((c) => Effect.succeed(c))
      assert.deepStrictEqual(first.log, ["select 1"])
      assert.isFalse(first.open)
      assert.strictEqual(c, factory.fakes[1]!.conn)
      // A passing check hands the same connection out.
      yield* TestClock.adjust("6 seconds")
      const d = yield* Effect.scoped(pool.reserve)
      assert.strictEqual(d, c)
      assert.deepStrictEqual(factory.fakes[1]!.log, ["select 1"])
    }))
})

describe("lifecycle (TestClock)", () => {
  it.effect("idle connections close after idleTimeout, down to min", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 1, max: 3, idleTimeout: "10 seconds" })
      const gate = yield* Deferred.make<void>()
      const fibers = [yield* holdReserved(pool, gate), yield* holdReserved(pool, gate), yield* holdReserved(pool, gate)]
      yield* flush
      assert.strictEqual((yield* pool.stats).open, 3)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual((yield* pool.stats).open, 3)
      yield* TestClock.adjust("2 seconds")
      yield* flush
      const stats = yield* pool.stats
      assert.strictEqual(stats.open, 1)
      assert.strictEqual(stats.destroyed, 2)
    }))

  it.effect("connections past maxLifetime close when unused, never mid-use, and are replaced", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", {
        connect: factory.connect,
        min: 1,
        max: 1,
        maxLifetime: "60 seconds",
        maxLifetimeJitter: 0
      })
      const gate = yield* Deferred.make<void>()
      const holder = yield* holdReserved(pool, gate)
      yield* flush
      yield* TestClock.adjust("2 minutes")
      yield* flush
      assert.isTrue(factory.fakes[0]!.open, "in use: not closed")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* flush
      assert.isFalse(factory.fakes[0]!.open)
      const stats = yield* pool.stats
      assert.strictEqual(stats.open, 1)
      assert.strictEqual(factory.fakes.length, 2)
    }))

  it.effect("lifetime jitter spreads expiry", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      yield* PgPool.make("", {
        connect: factory.connect,
        min: 20,
        max: 20,
        maxLifetime: "100 seconds",
        maxLifetimeJitter: "50 seconds",
        idleTimeout: "Infinity"
      })
      yield* TestClock.adjust("49 seconds")
      yield* flush
      assert.strictEqual(factory.fakes.filter((f) => !f.open).length, 0)
      yield* TestClock.adjust("26 seconds")
      yield* flush
      const closed = factory.fakes.slice(0, 20).filter((f) => !f.open).length
      assert.isAbove(closed, 0)
      assert.isBelow(closed, 20)
      yield* TestClock.adjust("26 seconds")
      yield* flush
      assert.strictEqual(factory.fakes.slice(0, 20).filter((f) => !f.open).length, 20)
    }))
})

describe("connect failures", () => {
  it.effect("backs off between attempts and recovers when the server is back", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", {
        connect: factory.connect,
        max: 4,
        acquireTimeout: "1 minute",
        connectBackoff: { initial: "1 second", max: "8 seconds" }
      })
      factory.failNext = 1000
      const waiters = []
      for (let i = 0; i < 5; i++) waiters.push(yield* Effect.forkChild(Effect.scoped(pool.reserve)))
      yield* flush
      // Several exclusive waiters want connections; after the first failure the pool probes with one.
      const afterFirstRound = factory.calls
      assert.isAtMost(afterFirstRound, 4)
      yield* TestClock.adjust("400 millis")
      yield* flush
      assert.strictEqual(factory.calls, afterFirstRound, "no retry before the backoff")
      // Within 20 s the delays (≥ 0.5, 1, 2, 4, 4, 4… s with jitter) allow only a handful of attempts.
      for (let i = 0; i < 20; i++) {
        yield* TestClock.adjust("1 second")
        yield* flush
      }
      const attempts = factory.calls - afterFirstRound
      assert.isAtLeast(attempts, 3)
      assert.isAtMost(attempts, 12)
      assert.strictEqual((yield* pool.stats).waiting, 5)
      // The server is back.
      factory.failNext = 0
      for (let i = 0; i < 10; i++) {
        yield* TestClock.adjust("1 second")
        yield* flush
      }
      yield* Fiber.joinAll(waiters)
      assert.isAtLeast(factory.fakes.length, 1)
      assert.isAtMost(factory.fakes.length, 4)
    }))

  it.effect("waiters time out with PoolTimeout carrying the connect error", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 2, acquireTimeout: "5 seconds" })
      factory.failNext = 1000
      const waiter = yield* Effect.forkChild(Effect.exit(pool.withConnection(() => Effect.void)))
      yield* flush
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.join(waiter)
      const error = errorOf(exit)!
      assert.strictEqual(error.reason._tag, "PoolTimeout")
      assert.match(error.message, /the last connection attempt failed: connection refused/)
      assert.strictEqual((error.reason.cause as PgError.PgError).reason._tag, "ConnectionError")
    }))

  it.effect("a non-retryable connect error fails the waiters at once", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 2, acquireTimeout: "1 minute" })
      factory.failNext = 1
      factory.failWith = () =>
        PgError.make(new PgError.AuthenticationError({ message: "password authentication failed" } as never))
      const exit = yield* Effect.exit(pool.withConnection(() => Effect.void))
      assert.strictEqual(reasonOf(exit), "AuthenticationError")
    }))
})

describe("closing", () => {
  it.effect("closing the scope fails waiters, closes idle connections now and busy ones on release", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const scope = yield* Scope.make()
      const pool = yield* Scope.provide(scope)(PgPool.make("", { connect: factory.connect, min: 2, max: 2 }))
      const gate = yield* Deferred.make<void>()
      const busy = yield* holdReserved(pool, gate)
      const busy2 = yield* holdReserved(pool, gate)
      yield* flush
      const waiter = yield* Effect.forkChild(Effect.exit(Effect.scoped(pool.reserve)))
      yield* flush
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(reasonOf(yield* Fiber.join(waiter)), "ConnectionClosed")
      assert.isTrue(factory.fakes[0]!.open)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([busy, busy2])
      assert.isFalse(factory.fakes[0]!.open)
      assert.isFalse(factory.fakes[1]!.open)
      assert.deepStrictEqual(factory.fakes[0]!.log, [], "closed, not reset")
      assert.strictEqual(reasonOf(yield* Effect.exit(pool.withConnection(() => Effect.void))), "ConnectionClosed")
    }))

  it.effect("closing the scope closes idle connections", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const scope = yield* Scope.make()
      yield* Scope.provide(scope)(PgPool.make("", { connect: factory.connect, min: 3, max: 3 }))
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(factory.fakes.map((f) => f.open), [false, false, false])
    }))
})

describe("metrics", () => {
  it.effect("gauges, counters and the acquire-wait histogram", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, min: 2, max: 2, name: "metrics-test" })
      const gate = yield* Deferred.make<void>()
      const holder = yield* holdReserved(pool, gate)
      yield* pool.withConnection(() => Effect.void)
      yield* flush
      const snapshot = (yield* Metric.snapshot).filter((m) => m.attributes?.pool === "metrics-test")
      const value = (id: string) => snapshot.find((m) => m.id === id)?.state as any
      assert.strictEqual(value("pgfx_pool_connections_open").value, 2)
      assert.strictEqual(value("pgfx_pool_connections_in_use").value, 1)
      assert.strictEqual(value("pgfx_pool_connections_idle").value, 1)
      assert.strictEqual(value("pgfx_pool_waiting").value, 0)
      assert.strictEqual(value("pgfx_pool_connections_created").count, 2)
      assert.strictEqual(value("pgfx_pool_connections_destroyed").count, 0)
      assert.strictEqual(value("pgfx_pool_acquire_wait_ms").count, 2)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
    }))
})

describe("many waiters", () => {
  it.effect("10,000 waiters enqueue and are served in order, quickly", () =>
    Effect.gen(function*() {
      const factory = makeFactory()
      const pool = yield* PgPool.make("", { connect: factory.connect, max: 1, acquireTimeout: "Infinity" })
      const gate = yield* Deferred.make<void>()
      const holder = yield* holdReserved(pool, gate)
      yield* flush
      const n = 10_000
      const order: Array<number> = []
      const started = performance.now()
      const fibers = []
      for (let i = 0; i < n; i++) {
        fibers.push(yield* Effect.forkChild(Effect.scoped(Effect.andThen(pool.reserve, Effect.sync(() => order.push(i))))))
      }
      yield* flush
      // Interrupt every other waiter: removal from the middle of the queue.
      yield* Fiber.interruptAll(fibers.filter((_, i) => i % 2 === 1))
      assert.strictEqual((yield* pool.stats).waiting, n / 2)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.joinAll(fibers.filter((_, i) => i % 2 === 0))
      const elapsed = performance.now() - started
      assert.strictEqual(order.length, n / 2)
      for (let i = 0; i < order.length; i++) assert.strictEqual(order[i], 2 * i)
      assert.isBelow(elapsed, 5000, `took ${elapsed.toFixed(0)} ms`)
      assert.strictEqual(factory.calls, 1)
    }))
})
