/**
 * LISTEN/NOTIFY on the client (`sql.listen`, `sql.notifications`, `sql.subscribe`,
 * `sql.notify`) against the real server: delivery from the same client and from another
 * connection; one listener backend per client, opened by the first listen only (backends
 * counted in `pg_stat_activity` by the client's application_name), also when 20 fibers listen
 * at once; `notify` in a transaction delivered at COMMIT and never after ROLLBACK (checked
 * against a marker sent outside the transaction, as the server delivers in commit order);
 * the listener backend closing with a `connect` Scope, a `layer` and a `layerPool`, with no
 * warning logged; the idle close of a client made with `make`; invalid channel names.
 * Every wait polls with a deadline.
 */
import { assert, describe, it } from "@effect/vitest"
import * as PgConnection from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as PgClient from "../src/PgClient.ts"
import type * as PgListen from "../src/PgListen.ts"
import * as PgSource from "../src/PgSource.ts"
import { backendPids, eventually, unique, withApp as withAppOf } from "./support/backends.ts"

const server = pgServer()
const url = server.connectionString()

const withApp = (applicationName: string) => withAppOf(url, applicationName)



const backendCount = (admin: PgConnection.PgConnection, applicationName: string) =>
  Effect.map(backendPids(admin, applicationName), (pids) => pids.length)

const clientPid = (sql: PgClient.PgClient.Service) =>
  Effect.map(sql<{ pid: number }>`select pg_backend_pid() as pid`.single, (r) => r.pid)

/**
 * Subscribes in a fiber of its own (the subscription ends with the fiber) and returns once
 * LISTEN has taken effect, with the payloads received so far.
 */
const collect = (
  subscribe: Effect.Effect<Stream.Stream<PgListen.ListenEvent, unknown>, PgError.PgError, Scope.Scope>
) =>
  Effect.gen(function*() {
    const payloads: Array<string> = []
    const ready = yield* Deferred.make<void, PgError.PgError>()
    const fiber = yield* Effect.forkChild(
      Effect.scoped(
        Effect.gen(function*() {
          const stream = yield* Effect.tapError(subscribe, (e) => Deferred.fail(ready, e))
          yield* Deferred.succeed(ready, undefined)
          yield* Stream.runForEach(stream, (e) =>
            Effect.sync(() => {
              payloads.push(e._tag === "Notification" ? e.payload : `<${e._tag}>`)
            }))
        })
      ),
      { startImmediately: true }
    )
    yield* Deferred.await(ready).pipe(Effect.timeout("10 seconds"))
    return { payloads, fiber }
  })

/** The typed failure of an effect that must fail. */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.die(new Error("expected a failure"))
    const error = Cause.findErrorOption(exit.cause)
    return Option.isSome(error) ? Effect.succeed(error.value) : Effect.die(Cause.pretty(exit.cause))
  })

const reasonOf = (u: unknown): string => {
  assert.instanceOf(u, PgError.PgError)
  return (u as PgError.PgError).reason._tag
}

/** A logger keeping what is logged at WARN or above. */
const warnings = () => {
  const logged: Array<string> = []
  const logger = Logger.make((options) => {
    if (options.logLevel === "Warn" || options.logLevel === "Error" || options.logLevel === "Fatal") {
      logged.push(`${options.logLevel}: ${String(options.message)}`)
    }
  })
  return { logged, layer: Logger.layer([logger]) }
}

describe("PgClient LISTEN/NOTIFY", () => {
  it.live("sql.listen receives sql.notify from the same client and NOTIFY from another connection", () =>
    Effect.gen(function*() {
      const chan = unique("chan_basic")
      const admin = yield* PgConnection.make(url)
      const sql = yield* PgClient.connect(url)
      const events = yield* collect(sql.subscribe(chan))
      yield* sql.notify(chan, "from the client")
      yield* sql.notify(chan) // empty payload
      yield* admin.simple(`notify ${chan}, 'from elsewhere'`)
      yield* eventually("three notifications", Effect.sync(() => events.payloads.length === 3))
      assert.deepStrictEqual(events.payloads, ["from the client", "", "from elsewhere"])

      // listen() and notifications() start listening inside the stream: probe until one arrives.
      const viaListen: Array<PgListen.ListenEvent> = []
      const viaNotifications: Array<PgListen.Notification> = []
      const f1 = yield* Effect.forkChild(Stream.runForEach(sql.listen(chan), (e) => Effect.sync(() => viaListen.push(e))), {
        startImmediately: true
      })
      const f2 = yield* Effect.forkChild(
        Stream.runForEach(sql.notifications(chan), (n) => Effect.sync(() => viaNotifications.push(n))),
        { startImmediately: true }
      )
      yield* eventually(
        "both streams listening",
        Effect.andThen(sql.notify(chan, "probe"), Effect.sync(() => viaListen.length > 0 && viaNotifications.length > 0))
      )
      const pid = yield* clientPid(sql)
      yield* sql.notify(chan, "last")
      yield* eventually("last everywhere", Effect.sync(() => viaListen.at(-1)?._tag === "Notification" && viaNotifications.at(-1)?.payload === "last"))
      const last = viaNotifications.at(-1)!
      assert.strictEqual(last.channel, chan)
      assert.strictEqual(last.processId, pid)
      yield* Fiber.interrupt(f1)
      yield* Fiber.interrupt(f2)
    }))

  it.live("no listener connection before the first listen; then one backend shared by every channel", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_client_listen_share")
      const chanA = unique("chan_a")
      const chanB = unique("chan_b")
      const admin = yield* PgConnection.make(url)
      const sql = yield* PgClient.connect(withApp(app))
      const own = yield* clientPid(sql)
      // Statements and notify do not open the listener.
      yield* sql.notify(chanA, "nobody listens")
      yield* sql`select 1`
      assert.deepStrictEqual(yield* backendPids(admin, app), [own])

      const a = yield* collect(sql.subscribe(chanA))
      const b = yield* collect(sql.subscribe(chanB))
      const listener = yield* sql.listener
      const listenerPid = listener.processId
      assert.isNumber(listenerPid)
      assert.notStrictEqual(listenerPid, own)
      assert.deepStrictEqual(yield* backendPids(admin, app), [own, listenerPid!].toSorted((x, y) => x - y))
      assert.deepStrictEqual(listener.channels.toSorted(), [chanA, chanB].toSorted())
      assert.strictEqual(yield* sql.listener, listener)

      yield* sql.notify(chanA, "a")
      yield* sql.notify(chanB, "b")
      yield* eventually("both", Effect.sync(() => a.payloads.length === 1 && b.payloads.length === 1))
      assert.deepStrictEqual([a.payloads, b.payloads], [["a"], ["b"]])
      assert.strictEqual(yield* backendCount(admin, app), 2)
    }))

  it.live("20 fibers listening at once for the first time create one listener", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_client_listen_race")
      const admin = yield* PgConnection.make(url)
      const sql = yield* PgClient.connect(withApp(app))
      const channels = Array.from({ length: 20 }, (_, i) => unique(`chan_race_${i}`))
      const received = channels.map(() => [] as Array<string>)
      const go = yield* Deferred.make<void>()
      const ready = yield* Deferred.make<void>()
      let listening = 0
      // All 20 wait at one gate, then ask for the listener and subscribe at once.
      const fibers = yield* Effect.forEach(channels, (channel, i) =>
        Effect.forkChild(
          Effect.scoped(Effect.gen(function*() {
            yield* Deferred.await(go)
            const stream = yield* sql.subscribe(channel)
            if (++listening === channels.length) yield* Deferred.succeed(ready, undefined)
            yield* Stream.runForEach(stream, (n) => Effect.sync(() => received[i]!.push(n._tag === "Notification" ? n.payload : "<gap>")))
          })),
          { startImmediately: true }
        ))
      const askers = yield* Effect.forEach(channels, () =>
        Effect.forkChild(Effect.andThen(Deferred.await(go), sql.listener), { startImmediately: true }))
      yield* Deferred.succeed(go, undefined)
      const listeners = yield* Fiber.joinAll(askers)
      assert.isTrue(listeners.every((l) => l === listeners[0]))
      yield* Deferred.await(ready).pipe(Effect.timeout("10 seconds"))
      assert.strictEqual(yield* backendCount(admin, app), 2)
      assert.strictEqual(listeners[0]!.channels.length, 20)
      yield* Effect.forEach(channels, (channel) => sql.notify(channel, channel), { discard: true })
      yield* eventually("every stream got its own", Effect.sync(() => received.every((r) => r.length === 1)))
      assert.deepStrictEqual(received, channels.map((c) => [c]))
      assert.strictEqual(yield* backendCount(admin, app), 2)
      yield* Fiber.interruptAll(fibers)
    }))

  it.live("notify inside withTransaction is delivered at COMMIT, and not at all after ROLLBACK", () =>
    Effect.gen(function*() {
      const chan = unique("chan_tx")
      const admin = yield* PgConnection.make(url)
      const sql = yield* PgClient.connect(url)
      const events = yield* collect(sql.subscribe(chan))

      yield* sql.withTransaction(Effect.gen(function*() {
        yield* sql.notify(chan, "in tx")
        // A notification committed now (outside the transaction) arrives, the one above does not.
        yield* admin.execute("select pg_notify($1, 'marker')", [chan])
        yield* eventually("marker", Effect.sync(() => events.payloads.includes("marker")))
        assert.deepStrictEqual(events.payloads, ["marker"])
        assert.strictEqual(yield* sql.transactionStatus, "transaction")
      }))
      yield* eventually("delivered at COMMIT", Effect.sync(() => events.payloads.length === 2))
      assert.deepStrictEqual(events.payloads, ["marker", "in tx"])

      const rolledBack = yield* Effect.exit(
        sql.withTransaction(Effect.andThen(sql.notify(chan, "rolled back"), Effect.fail("abort" as const)))
      )
      assert.isTrue(Exit.isFailure(rolledBack))
      // The server delivers in commit order: had "rolled back" been sent, it would come first.
      yield* admin.execute("select pg_notify($1, 'after')", [chan])
      yield* eventually("after", Effect.sync(() => events.payloads.includes("after")))
      assert.deepStrictEqual(events.payloads, ["marker", "in tx", "after"])
    }))

  it.live("closing a connect Scope closes the listener backend and ends the streams, logging nothing", () => {
    const { layer: loggerLayer, logged } = warnings()
    return Effect.gen(function*() {
      const app = unique("pgfx_client_listen_close")
      const chan = unique("chan_close")
      const admin = yield* PgConnection.make(url)
      const scope = yield* Scope.make()
      const sql = yield* Scope.provide(PgClient.connect(withApp(app)), scope)
      const a = yield* collect(sql.subscribe(chan))
      const b = yield* collect(sql.subscribe(unique("chan_close_other")))
      // A consumer forked into the client's Scope, whose clean-up takes a moment (it is
      // interrupted, and cleans up, before the client's listener closes).
      const scoped = yield* Effect.forkIn(
        Stream.runDrain(sql.notifications(chan)).pipe(Effect.onInterrupt(() => Effect.sleep("20 millis"))),
        scope,
        { startImmediately: true }
      )
      yield* sql.notify(chan, "one")
      yield* eventually("delivered", Effect.sync(() => a.payloads.length === 1))
      assert.strictEqual(yield* backendCount(admin, app), 2)

      yield* Scope.close(scope, Exit.void)
      yield* eventually("every backend of the client is gone", Effect.map(backendCount(admin, app), (n) => n === 0))
      // Running streams end (end of stream, not a failure).
      for (const fiber of [a.fiber, b.fiber]) {
        const exit = yield* Fiber.await(fiber).pipe(Effect.timeout("5 seconds"))
        assert.isTrue(Exit.isSuccess(exit), String(exit))
      }
      const scopedExit = yield* Fiber.await(scoped).pipe(Effect.timeout("5 seconds"))
      assert.isTrue(Exit.isSuccess(scopedExit) || Exit.hasInterrupts(scopedExit), String(scopedExit))
      assert.deepStrictEqual(logged, [])
      // Listening on a closed client fails with ConnectionClosed.
      assert.strictEqual(reasonOf(yield* failure(Stream.runDrain(sql.listen(chan)))), "ConnectionClosed")
    }).pipe(Effect.provide(loggerLayer))
  })

  it.live("closing a layer (one connection or a pool) closes the listener backend", () => {
    const { layer: loggerLayer, logged } = warnings()
    return Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      for (const kind of ["layer", "layerPool"] as const) {
        const app = unique(`pgfx_client_listen_${kind}`)
        const chan = unique("chan_layer")
        const layer = kind === "layer" ? PgClient.layer(withApp(app)) : PgClient.layerPool(withApp(app), { pool: { max: 2 } })
        const scope = yield* Scope.make()
        const services = yield* Layer.buildWithScope(layer, scope)
        const client = Context.get(services, PgClient.PgClient)
        const events = yield* collect(client.subscribe(chan))
        yield* client.notify(chan, kind)
        yield* eventually(`${kind}: delivered`, Effect.sync(() => events.payloads.length === 1))
        const listenerPid = (yield* client.listener).processId!
        assert.include(yield* backendPids(admin, app), listenerPid)

        yield* Scope.close(scope, Exit.void)
        yield* eventually(`${kind}: the listener backend is gone`, Effect.map(backendPids(admin, app), (pids) => !pids.includes(listenerPid)))
        yield* eventually(`${kind}: every backend is gone`, Effect.map(backendCount(admin, app), (n) => n === 0))
        const exit = yield* Fiber.await(events.fiber).pipe(Effect.timeout("5 seconds"))
        assert.isTrue(Exit.isSuccess(exit), String(exit))
      }
      assert.deepStrictEqual(logged, [])
    }).pipe(Effect.provide(loggerLayer))
  })

  it.live("a client made with make (no Scope) closes its listener connection when idle", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_client_listen_idle")
      const chan = unique("chan_idle")
      const admin = yield* PgConnection.make(url)
      const source = yield* PgSource.single(withApp(app), PgClient.connectionOptions())
      const sql = yield* PgClient.make(source, { listen: { idleTimeout: "100 millis" } })
      const own = yield* clientPid(sql)
      const first = yield* collect(sql.subscribe(chan))
      assert.strictEqual(yield* backendCount(admin, app), 2)
      yield* Fiber.interrupt(first.fiber)
      yield* eventually("listener closed when idle", Effect.map(backendPids(admin, app), (pids) => pids.length === 1 && pids[0] === own))
      // And it reopens for the next stream.
      const second = yield* collect(sql.subscribe(chan))
      yield* sql.notify(chan, "again")
      yield* eventually("again", Effect.sync(() => second.payloads.length === 1))
      assert.strictEqual(yield* backendCount(admin, app), 2)
      yield* Fiber.interrupt(second.fiber)
    }))

  it.live("invalid channel names fail with an EncodeError before anything is opened or sent", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_client_listen_bad")
      const admin = yield* PgConnection.make(url)
      const sql = yield* PgClient.connect(withApp(app))
      const tooLong = "x".repeat(64)
      for (const bad of ["", "a\u0000b", tooLong]) {
        const errors = [
          yield* failure(Stream.runDrain(sql.listen(bad))),
          yield* failure(Stream.runDrain(sql.notifications(bad))),
          yield* failure(Effect.scoped(sql.subscribe(bad))),
          yield* failure(sql.notify(bad, "x"))
        ]
        for (const e of errors) assert.strictEqual(reasonOf(e), "EncodeError")
      }
      assert.include((yield* failure(sql.notify(tooLong))).message, "63 bytes")
      // A payload of 8000 bytes is refused too.
      const big = yield* failure(sql.notify(unique("chan_ok"), "x".repeat(8000)))
      assert.strictEqual(reasonOf(big), "EncodeError")
      assert.include(big.message, "8000 bytes")
      // Nothing was opened: only the client's own connection.
      assert.strictEqual(yield* backendCount(admin, app), 1)
    }))
})
