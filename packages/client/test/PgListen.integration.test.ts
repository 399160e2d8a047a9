/**
 * `PgListen` against the real server: streams sharing one listener backend (counted in
 * `pg_stat_activity` by application_name), delivery order and fields, reference-counted
 * LISTEN/UNLISTEN (seen in the listener backend's last statement), reconnection across
 * `pg_terminate_backend` with the gap signalled, each overflow strategy with capacity 10 and
 * 100 notifications, quoting of channels and payloads, the payload limit, idle close and
 * non-retryable connection failures. Waits poll with a deadline instead of sleeping.
 */
import { assert, describe, it } from "@effect/vitest"
import * as PgConnection from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as PgClient from "../src/PgClient.ts"
import * as PgListen from "../src/PgListen.ts"
import * as PgSource from "../src/PgSource.ts"
import { eventually, unique, withApp as withAppOf } from "./support/backends.ts"

const server = pgServer()
const url = server.connectionString()

const withApp = (applicationName: string) => withAppOf(url, applicationName)

/** Varies names within this file (quoting cases). */
let counter = 0


const backends = (c: PgConnection.PgConnection, applicationName: string) =>
  Effect.map(
    c.execute<{ n: number }>("select count(*)::int as n from pg_stat_activity where application_name = $1", [
      applicationName
    ]),
    (r) => r.rows[0]!.n
  )

const lastQuery = (c: PgConnection.PgConnection, pid: number) =>
  Effect.map(
    c.execute<{ query: string | null }>("select query from pg_stat_activity where pid = $1", [pid]),
    (r) => r.rows[0]?.query ?? undefined
  )

interface Collector<E> {
  readonly events: Array<PgListen.ListenEvent>
  readonly fiber: Fiber.Fiber<void, E>
}

/**
 * Subscribes in a fiber of its own (the subscription ends when the fiber is interrupted, as a
 * stream's would) and returns once LISTEN has taken effect.
 */
const collect = <E>(
  subscribe: Effect.Effect<Stream.Stream<PgListen.ListenEvent, E>, PgError.PgError, Scope.Scope>
) =>
  Effect.gen(function*() {
    const events: Array<PgListen.ListenEvent> = []
    const ready = yield* Deferred.make<void, PgError.PgError>()
    const fiber = yield* Effect.forkChild(
      Effect.scoped(
        Effect.gen(function*() {
          const stream = yield* Effect.tapError(subscribe, (e) => Deferred.fail(ready, e))
          yield* Deferred.succeed(ready, undefined)
          yield* Stream.runForEach(stream, (e) => Effect.sync(() => events.push(e)))
        })
      ),
      { startImmediately: true }
    )
    yield* Deferred.await(ready)
    return { events, fiber } as Collector<E | PgError.PgError>
  })

const payloads = (events: ReadonlyArray<PgListen.ListenEvent>) =>
  events.map((e) => (e._tag === "Notification" ? e.payload : e._tag === "Overflow" ? `<overflow ${e.dropped}>` : "<reconnected>"))


describe("PgListen", () => {
  it.live("streams share one listener backend; notifications arrive in order with channel, payload and pid", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_listen_share")
      const chanA = unique("chan_a")
      const chanB = unique("chan_b")
      const sender = yield* PgConnection.make(url)
      const source = PgSource.fromConnection(sender, withApp(app))
      const listener = yield* PgListen.make(source)

      // Lazy: nothing is opened before the first listen.
      assert.strictEqual(yield* backends(sender, app), 0)
      assert.isUndefined(listener.processId)

      const a1 = yield* collect(listener.subscribe(chanA))
      const a2 = yield* collect(listener.subscribe(chanA))
      const b1 = yield* collect(listener.subscribe(chanB))
      assert.strictEqual(yield* backends(sender, app), 1)
      const pid = listener.processId!
      assert.isNumber(pid)
      const appPids = yield* sender.execute<{ pid: number }>("select pid from pg_stat_activity where application_name = $1", [app])
      assert.deepStrictEqual(appPids.rows.map((r) => r.pid), [pid])
      assert.deepStrictEqual(listener.channels.toSorted(), [chanA, chanB].toSorted())

      for (let i = 0; i < 20; i++) yield* listener.notify(i % 2 === 0 ? chanA : chanB, `m${i}`)
      yield* sender.simple(`notify ${chanB}, 'raw'`)
      yield* eventually("all delivered", Effect.sync(() => a1.events.length === 10 && a2.events.length === 10 && b1.events.length === 11))
      const expectA = Array.from({ length: 10 }, (_, k) => `m${2 * k}`)
      const expectB = [...Array.from({ length: 10 }, (_, k) => `m${2 * k + 1}`), "raw"]
      assert.deepStrictEqual(payloads(a1.events), expectA)
      assert.deepStrictEqual(payloads(a2.events), expectA)
      assert.deepStrictEqual(payloads(b1.events), expectB)
      for (const e of [...a1.events, ...a2.events, ...b1.events]) {
        assert.strictEqual(e._tag, "Notification")
        if (e._tag === "Notification") assert.strictEqual(e.processId, sender.processId)
      }
      assert.isTrue(a1.events.every((e) => e._tag === "Notification" && e.channel === chanA))
      assert.isTrue(b1.events.every((e) => e._tag === "Notification" && e.channel === chanB))
      assert.strictEqual(yield* backends(sender, app), 1)

      // Ending one of two streams on a channel leaves the other (and the channel) alone.
      yield* Fiber.interrupt(a1.fiber)
      yield* listener.notify(chanA, "after a1")
      yield* eventually("a2 gets it", Effect.sync(() => a2.events.length === 11))
      assert.strictEqual(a1.events.length, 10)
      assert.include(listener.channels, chanA)
      assert.notMatch((yield* lastQuery(sender, pid)) ?? "", /^UNLISTEN/)

      // The last stream of the channel ends: UNLISTEN on the server; chanB is untouched.
      yield* Fiber.interrupt(a2.fiber)
      yield* eventually(
        "UNLISTEN on the listener backend",
        Effect.map(lastQuery(sender, pid), (q) => q === `UNLISTEN "${chanA}"`)
      )
      yield* eventually("chanA forgotten", Effect.sync(() => listener.channels.length === 1))
      assert.deepStrictEqual(listener.channels, [chanB])
      yield* listener.notify(chanB, "still here")
      yield* eventually("b1 still served", Effect.sync(() => b1.events.length === 12))
      assert.strictEqual(listener.processId, pid)
      assert.strictEqual(yield* backends(sender, app), 1)
    }))

  it.live("a client (yield* PgClient) is accepted as the source", () =>
    Effect.gen(function*() {
      const chan = unique("chan_client")
      const sql = yield* PgClient.connect(url)
      const listener = yield* PgListen.make(sql)
      const got: Array<string> = []
      const fiber = yield* Effect.forkChild(
        Stream.runForEach(listener.notifications(chan), (n) => Effect.sync(() => got.push(n.payload))),
        { startImmediately: true }
      )
      yield* eventually("a notification arrives", Effect.andThen(listener.notify(chan, "hello"), Effect.sync(() => got.length > 0)))
      assert.strictEqual(got[0], "hello")
      yield* Fiber.interrupt(fiber)
    }))

  it.live("listen() and notifications() start listening within the stream", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_listen_stream")
      const chan = unique("chan_stream")
      const sender = yield* PgConnection.make(url)
      const listener = yield* PgListen.make(PgSource.fromConnection(sender, withApp(app)))
      const got: Array<PgListen.Notification> = []
      const fiber = yield* Effect.forkChild(
        Stream.runForEach(listener.notifications(chan), (n) => Effect.sync(() => got.push(n))),
        { startImmediately: true }
      )
      // The stream's LISTEN races with this fiber: probe until one arrives.
      yield* eventually("a probe arrives", Effect.andThen(listener.notify(chan, "probe"), Effect.sync(() => got.length > 0)))
      yield* listener.notify(chan, "real")
      yield* eventually("real arrives", Effect.sync(() => got.some((n) => n.payload === "real")))
      assert.deepStrictEqual(got.map((n) => n.payload).filter((p) => p !== "probe"), ["real"])
      assert.strictEqual(got.at(-1)!.payload, "real")
      const pid = listener.processId!
      yield* Fiber.interrupt(fiber)
      yield* eventually("UNLISTEN after the stream ends", Effect.sync(() => listener.channels.length === 0))
      assert.strictEqual(yield* lastQuery(sender, pid), `UNLISTEN "${chan}"`)
    }))

  it.live("reconnects after pg_terminate_backend, listens again and signals the gap", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_listen_reconnect")
      const chan = unique("chan_r")
      const other = unique("Chan R2")
      const sender = yield* PgConnection.make(url)
      const listener = yield* PgListen.make(PgSource.fromConnection(sender, withApp(app)))
      const s1 = yield* collect(listener.subscribe(chan))
      const s2 = yield* collect(listener.subscribe(other))
      const plain: Array<PgListen.Notification> = []
      const plainFiber = yield* Effect.forkChild(
        Stream.runForEach(listener.notifications(chan), (n) => Effect.sync(() => plain.push(n))),
        { startImmediately: true }
      )
      yield* eventually("plain stream listening", Effect.andThen(listener.notify(chan, "probe"), Effect.sync(() => plain.length > 0)))
      yield* listener.notify(chan, "before")
      yield* eventually("before", Effect.sync(() => payloads(s1.events).includes("before")))

      const oldPid = listener.processId!
      const terminated = yield* sender.execute<{ ok: boolean }>("select pg_terminate_backend($1) as ok", [oldPid])
      assert.isTrue(terminated.rows[0]!.ok)
      yield* eventually("Reconnected in s1", Effect.sync(() => s1.events.some((e) => e._tag === "Reconnected")))
      yield* eventually("Reconnected in s2", Effect.sync(() => s2.events.some((e) => e._tag === "Reconnected")))
      const newPid = listener.processId
      assert.isNumber(newPid)
      assert.notStrictEqual(newPid, oldPid)
      assert.deepStrictEqual(listener.channels.toSorted(), [chan, other].toSorted())
      yield* eventually("one backend", Effect.map(backends(sender, app), (n) => n === 1))

      yield* listener.notify(chan, "after")
      yield* listener.notify(other, "after other")
      yield* eventually("after", Effect.sync(() => payloads(s1.events).includes("after")))
      yield* eventually("after other", Effect.sync(() => payloads(s2.events).includes("after other")))
      const p1 = payloads(s1.events).filter((p) => p !== "probe")
      assert.deepStrictEqual(p1.slice(p1.indexOf("before")), ["before", "<reconnected>", "after"])
      assert.deepStrictEqual(payloads(s2.events), ["<reconnected>", "after other"])
      // notifications() hides the gap.
      yield* eventually("plain after", Effect.sync(() => plain.some((n) => n.payload === "after")))
      assert.isTrue(plain.every((n) => n._tag === "Notification"))
      yield* Fiber.interrupt(plainFiber)

      // And again: a second drop is survived as well.
      yield* sender.execute("select pg_terminate_backend($1)", [newPid!])
      yield* eventually(
        "second Reconnected",
        Effect.sync(() => s1.events.filter((e) => e._tag === "Reconnected").length === 2)
      )
      yield* listener.notify(chan, "after 2")
      yield* eventually("after 2", Effect.sync(() => payloads(s1.events).at(-1) === "after 2"))
    }))

  it.live("a slow consumer with capacity 10 and 100 notifications: sliding, dropping, fail", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_listen_slow")
      const chan = unique("chan_slow")
      const sender = yield* PgConnection.make(url)
      const listener = yield* PgListen.make(PgSource.fromConnection(sender, withApp(app)))
      const fast = yield* collect(listener.subscribe(chan, { capacity: 1000 }))
      const sliding = yield* listener.subscribe(chan, { capacity: 10, strategy: "sliding" })
      const dropping = yield* listener.subscribe(chan, { capacity: 10, strategy: "dropping" })
      const failing: Stream.Stream<PgListen.ListenEvent, PgError.PgError | PgListen.ListenOverflowError> = yield* listener
        .subscribe(chan, { capacity: 10, strategy: "fail" })
      yield* sender.simple(`select pg_notify('${chan}', i::text) from generate_series(1, 100) as i`)
      // Delivery to all streams of a channel happens together: once the fast one has all 100,
      // the slow ones have been offered all 100.
      yield* eventually("fast has 100", Effect.sync(() => fast.events.length === 100))
      assert.deepStrictEqual(payloads(fast.events), Array.from({ length: 100 }, (_, i) => String(i + 1)))

      const slid = yield* Stream.runCollect(Stream.take(sliding, 11))
      assert.deepStrictEqual(payloads(slid), ["<overflow 90>", ...Array.from({ length: 10 }, (_, i) => String(i + 91))])
      const dropped = yield* Stream.runCollect(Stream.take(dropping, 11))
      assert.deepStrictEqual(payloads(dropped), [...Array.from({ length: 10 }, (_, i) => String(i + 1)), "<overflow 90>"])
      const failed = yield* Effect.exit(Stream.runDrain(failing))
      assert.isTrue(Exit.isFailure(failed))
      const reason = Exit.isFailure(failed) ? failed.cause.reasons[0] : undefined
      const error = reason?._tag === "Fail" ? reason.error : undefined
      assert.instanceOf(error, PgListen.ListenOverflowError)
      assert.strictEqual((error as PgListen.ListenOverflowError).capacity, 10)
      assert.strictEqual((error as PgListen.ListenOverflowError).channel, chan)

      // The overflowing stream left; the others carry on.
      yield* listener.notify(chan, "101")
      yield* eventually("fast has 101", Effect.sync(() => fast.events.length === 101))
      const next = yield* Stream.runCollect(Stream.take(sliding, 1))
      assert.deepStrictEqual(payloads(next), ["101"])
    }))

  it.live("channels that need quoting and payloads with quotes and unicode; the payload limit", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_listen_quote")
      const sender = yield* PgConnection.make(url)
      const listener = yield* PgListen.make(PgSource.fromConnection(sender, withApp(app)))
      const weird = `Mixed Case "quoted" ü ${counter++}`
      const keyword = `select`
      const longest = "é".repeat(30) + `${counter++}`.padStart(3, "x") // 63 bytes
      assert.strictEqual(new TextEncoder().encode(longest).length, 63)
      const cw = yield* collect(listener.subscribe(weird))
      const ck = yield* collect(listener.subscribe(keyword))
      const cl = yield* collect(listener.subscribe(longest))

      const tricky = ["it's \"quoted\" \\ $1 ; -- ü 😀 \u2028", "", "x".repeat(7999), "ü".repeat(3999) + "x"]
      for (const p of tricky) yield* listener.notify(weird, p)
      yield* listener.notify(keyword, "kw")
      yield* listener.notify(longest, "long")
      // The same channel named by raw SQL, quoted by hand, reaches the stream: the name is exact.
      yield* sender.simple(`notify "Mixed Case ""quoted"" ü ${weird.split(" ").at(-1)}", 'raw'`)
      yield* eventually("weird", Effect.sync(() => cw.events.length === tricky.length + 1))
      yield* eventually("keyword", Effect.sync(() => ck.events.length === 1))
      yield* eventually("longest", Effect.sync(() => cl.events.length === 1))
      assert.deepStrictEqual(payloads(cw.events), [...tricky, "raw"])
      assert.isTrue(cw.events.every((e) => e._tag === "Notification" && e.channel === weird))
      assert.deepStrictEqual(payloads(ck.events), ["kw"])
      assert.deepStrictEqual(payloads(cl.events), ["long"])

      // 8000 bytes is refused before anything is sent: the next notification is the marker.
      const big = yield* Effect.exit(listener.notify(weird, "x".repeat(8000)))
      const bigU = yield* Effect.exit(listener.notify(weird, "ü".repeat(4000)))
      for (const exit of [big, bigU]) {
        const r = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
        const e = r?._tag === "Fail" ? r.error : undefined
        assert.instanceOf(e, PgError.PgError)
        assert.strictEqual((e as PgError.PgError).reason._tag, "EncodeError")
        assert.include((e as PgError.PgError).message, "8000 bytes")
      }
      yield* listener.notify(weird, "marker")
      yield* eventually("marker", Effect.sync(() => payloads(cw.events).at(-1) === "marker"))
      assert.strictEqual(cw.events.length, tricky.length + 2)

      // 64 bytes: refused for both (the server would truncate LISTEN and refuse pg_notify).
      const tooLong = longest + "z"
      const l = yield* Effect.exit(Stream.runDrain(listener.listen(tooLong)))
      const n = yield* Effect.exit(listener.notify(tooLong, "x"))
      for (const exit of [l, n]) {
        const r = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
        const e = r?._tag === "Fail" ? r.error : undefined
        assert.instanceOf(e, PgError.PgError)
        assert.include((e as PgError.PgError).message, "63 bytes")
      }
      // The server agrees: pg_notify refuses a 64-byte name.
      const server64 = yield* Effect.exit(sender.execute("select pg_notify($1, 'x')", [tooLong]))
      assert.isTrue(Exit.isFailure(server64))
    }))

  it.live("closes the connection when idle and reopens it for the next stream", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_listen_idle")
      const chan = unique("chan_idle")
      const sender = yield* PgConnection.make(url)
      const listener = yield* PgListen.make(PgSource.fromConnection(sender, withApp(app)), { idleTimeout: "200 millis" })
      const first = yield* collect(listener.subscribe(chan))
      assert.strictEqual(yield* backends(sender, app), 1)
      const firstPid = listener.processId
      yield* Fiber.interrupt(first.fiber)
      yield* eventually("closed when idle", Effect.map(backends(sender, app), (n) => n === 0))
      assert.isUndefined(listener.processId)

      const second = yield* collect(listener.subscribe(chan))
      assert.notStrictEqual(listener.processId, firstPid)
      yield* listener.notify(chan, "again")
      yield* eventually("again", Effect.sync(() => payloads(second.events).includes("again")))
      assert.deepStrictEqual(payloads(second.events), ["again"])
    }))

  it.live("closing the listener's Scope ends its streams and closes the connection", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_listen_close")
      const chan = unique("chan_close")
      const sender = yield* PgConnection.make(url)
      const scope = yield* Scope.make()
      const listener = yield* Scope.provide(PgListen.make(withApp(app)), scope)
      const c = yield* collect(listener.subscribe(chan))
      yield* PgListen.notifyOn(sender, chan, "one")
      yield* eventually("delivered", Effect.sync(() => c.events.length === 1))
      yield* Scope.close(scope, Exit.void)
      // The stream ends (it does not fail): the fiber completes.
      const exit = yield* Fiber.await(c.fiber).pipe(Effect.timeout("5 seconds"))
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(payloads(c.events), ["one"])
      yield* eventually("connection closed", Effect.map(backends(sender, app), (n) => n === 0))
    }))

  it.live("closing the Scope with streams running logs nothing at WARN or above; the streams end", () => {
    const logged: Array<string> = []
    const collector = Logger.make((options) => {
      if (options.logLevel === "Warn" || options.logLevel === "Error" || options.logLevel === "Fatal") {
        logged.push(`${options.logLevel}: ${String(options.message)}`)
      }
    })
    return Effect.gen(function*() {
      const app = unique("pgfx_listen_shutdown")
      const chanA = unique("chan_shut_a")
      const chanB = unique("chan_shut_b")
      const sender = yield* PgConnection.make(url)
      const scope = yield* Scope.make()
      const listener = yield* Scope.provide(PgListen.make(PgSource.fromConnection(sender, withApp(app))), scope)
      // Consumers forked into the listener's Scope (as `Effect.forkScoped` does) before the
      // first LISTEN: the connection opens after them, so closing the Scope closes it first and
      // then interrupts them one by one, while the listener still has streams. Their clean-up
      // takes a moment (as finishing a statement would), which gives the listener time to
      // notice its closed connection.
      const received: Array<string> = []
      const consumers = yield* Effect.forEach([chanA, chanA, chanB], (channel) =>
        Effect.forkIn(
          Stream.runForEach(listener.notifications(channel), (n) => Effect.sync(() => received.push(n.payload))).pipe(
            Effect.onInterrupt(() => Effect.sleep("20 millis"))
          ),
          scope,
          { startImmediately: true }
        ))
      // And streams running in fibers of their own, outside the Scope.
      const a = yield* collect(listener.subscribe(chanA))
      const b = yield* collect(listener.subscribe(chanB))
      yield* eventually(
        "the consumers are listening",
        Effect.andThen(
          Effect.andThen(listener.notify(chanA, "probe"), listener.notify(chanB, "probe")),
          Effect.sync(() => received.length >= 3)
        )
      )
      yield* listener.notify(chanA, "one")
      yield* eventually("delivered", Effect.sync(() => payloads(a.events).includes("one")))
      assert.strictEqual(yield* backends(sender, app), 1)

      yield* Scope.close(scope, Exit.void)
      for (const fiber of consumers) {
        const exit = yield* Fiber.await(fiber).pipe(Effect.timeout("5 seconds"))
        assert.isTrue(Exit.isSuccess(exit) || Exit.hasInterrupts(exit), String(exit))
      }
      // The other streams end (end of stream, not a failure) ...
      for (const fiber of [a.fiber, b.fiber]) {
        const exit = yield* Fiber.await(fiber).pipe(Effect.timeout("5 seconds"))
        assert.isTrue(Exit.isSuccess(exit), String(exit))
      }
      assert.strictEqual(payloads(a.events).filter((p) => p !== "probe").join(), "one")
      yield* eventually("connection closed", Effect.map(backends(sender, app), (n) => n === 0))
      // ... shutting down is not reported as a lost connection, and no reconnection is tried.
      yield* Effect.sleep("200 millis") // let a (wrong) reconnection attempt show itself
      assert.deepStrictEqual(logged, [])
      assert.strictEqual(yield* backends(sender, app), 0)
      assert.isUndefined(listener.processId)
      // A stream started after the close fails with ConnectionClosed.
      const late = yield* Effect.exit(Stream.runDrain(listener.listen(chanA)))
      const r = Exit.isFailure(late) ? late.cause.reasons[0] : undefined
      const e = r?._tag === "Fail" ? r.error : undefined
      assert.instanceOf(e, PgError.PgError)
      assert.strictEqual((e as PgError.PgError).reason._tag, "ConnectionClosed")
    }).pipe(Effect.provide(Logger.layer([collector])))
  })

  it.live("a non-retryable connection failure fails the stream", () =>
    Effect.gen(function*() {
      const listener = yield* PgListen.make(server.connectionString("superuser", { database: unique("pgfx_no_such_db") }))
      const exit = yield* Effect.exit(Stream.runDrain(listener.listen("c")).pipe(Effect.timeout("10 seconds")))
      const r = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      const e = r?._tag === "Fail" ? r.error : undefined
      assert.instanceOf(e, PgError.PgError)
      assert.isFalse((e as PgError.PgError).isRetryable)
      assert.include((e as PgError.PgError).message, "does not exist")
    }))

  it.live("keeps reconnecting with backoff while the server refuses, then listens again", () =>
    Effect.gen(function*() {
      const role = unique("pgfx_listen_role")
      const password = unique("pw")
      const app = unique("pgfx_listen_backoff")
      const chan = unique("chan_backoff")
      const admin = yield* PgConnection.make(url)
      yield* admin.simple(`create role ${role} login password '${password}'`)
      yield* Effect.addFinalizer(() =>
        Effect.ignore(
          Effect.andThen(
            admin.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = $1", [role]),
            admin.simple(`drop role ${role}`)
          )
        )
      )
      const host = server.host.includes(":") ? `[${server.host}]` : server.host
      const roleUrl = `postgresql://${role}:${password}@${host}:${server.port}/${server.database}?application_name=${app}`
      const listener = yield* PgListen.make(PgSource.fromConnection(admin, roleUrl))
      const c = yield* collect(listener.subscribe(chan))
      const oldPid = listener.processId!

      // No connection may be opened (53300, retryable) and the listener backend is killed.
      yield* admin.simple(`alter role ${role} connection limit 0`)
      yield* admin.execute("select pg_terminate_backend($1)", [oldPid])
      yield* eventually("listener lost", Effect.sync(() => listener.processId === undefined))
      yield* Effect.sleep("600 millis") // several refused attempts (100 ms, 200 ms, 400 ms…)
      assert.isUndefined(listener.processId)
      assert.isFalse(c.events.some((e) => e._tag === "Reconnected"))
      assert.isUndefined(c.fiber.pollUnsafe(), "the stream is still running")

      yield* admin.simple(`alter role ${role} connection limit -1`)
      yield* eventually("Reconnected", Effect.sync(() => c.events.some((e) => e._tag === "Reconnected")))
      assert.notStrictEqual(listener.processId, oldPid)
      yield* listener.notify(chan, "back")
      yield* eventually("back", Effect.sync(() => payloads(c.events).at(-1) === "back"))
      assert.deepStrictEqual(payloads(c.events), ["<reconnected>", "back"])
    }))

  it.live("streams starting and ending all the time do not disturb a steady stream", () =>
    Effect.gen(function*() {
      const app = unique("pgfx_listen_churn")
      const steady = unique("chan_steady")
      const side = unique("chan_side")
      const sender = yield* PgConnection.make(url)
      const listener = yield* PgListen.make(PgSource.fromConnection(sender, withApp(app)))
      const s = yield* collect(listener.subscribe(steady))
      let churned = 0
      const churner = (seed: number) =>
        Effect.gen(function*() {
          for (let round = 0; round < 15; round++) {
            const channel = (seed + round) % 2 === 0 ? steady : side
            const run = Stream.runDrain(Stream.take(listener.listen(channel, { capacity: 2 }), 1 + (round % 3)))
            // End by interruption after a few milliseconds, or by taking its elements.
            yield* Effect.ignore(Effect.timeout(run, `${(seed * 7 + round * 3) % 15} millis`))
            churned++
          }
        })
      const churners = yield* Effect.forkChild(
        Effect.forEach(Array.from({ length: 20 }, (_, i) => i), churner, { concurrency: "unbounded", discard: true })
      )
      for (let i = 1; i <= 300; i++) {
        yield* listener.notify(steady, String(i))
        if (i % 3 === 0) yield* listener.notify(side, String(i))
      }
      yield* Fiber.join(churners)
      assert.strictEqual(churned, 300)
      yield* eventually("steady has 300", Effect.sync(() => s.events.length === 300))
      assert.deepStrictEqual(payloads(s.events), Array.from({ length: 300 }, (_, i) => String(i + 1)))
      yield* eventually("only the steady channel is left", Effect.sync(() => listener.channels.length === 1))
      assert.deepStrictEqual(listener.channels, [steady])
      assert.strictEqual(yield* backends(sender, app), 1)
    }))
})
