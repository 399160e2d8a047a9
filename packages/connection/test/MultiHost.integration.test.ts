/**
 * The libpq host loop against real servers: a dead first host, `connect_timeout` per attempt
 * (a listener that never answers), every host down, `target_session_attrs` with a second
 * embedded server made read-only, and `load_balance_hosts=random`.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as net from "node:net"
import { type RunningServer, startServer } from "@pgfx/test"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgConnection from "../src/PgConnection.ts"

const server = pgServer()
const superuser = server.requireRole("superuser")

/** A loopback port with nothing listening (bound, then closed). */
const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })

/** A listener that accepts connections and never says anything. */
const silentListener = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ server: net.Server; port: number; sockets: Set<net.Socket> }>((resolve) => {
        const sockets = new Set<net.Socket>()
        const s = net.createServer((socket) => {
          sockets.add(socket)
          socket.on("error", () => {})
          socket.on("close", () => sockets.delete(socket))
          // Read (and ignore) what arrives, so the client's close is noticed.
          socket.resume()
        })
        s.listen(0, "127.0.0.1", () => resolve({ server: s, port: (s.address() as net.AddressInfo).port, sockets }))
      })
  ),
  ({ server: s, sockets }) =>
    Effect.promise(() =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        s.close(() => resolve())
      })
    )
)

const kv = (hosts: ReadonlyArray<string>, ports: ReadonlyArray<number>, extra = "") =>
  `host=${hosts.join(",")} port=${ports.join(",")} user=${superuser.user} dbname=${server.database} sslmode=disable ${extra}`

const port = (c: PgConnection.PgConnection) =>
  Effect.map(c.execute<{ p: number }>("select inet_server_port() as p"), (r) => r.rows[0]!.p)

describe("hosts", () => {
  it.live("a dead first host, then the real server", () =>
    Effect.gen(function*() {
      const dead = yield* Effect.promise(closedPort)
      const c = yield* PgConnection.make(kv(["127.0.0.1", server.host], [dead, server.port]))
      assert.strictEqual(c.target.port, server.port)
      assert.strictEqual(yield* port(c), server.port)
      // URL form.
      const d = yield* PgConnection.make(
        `postgresql://${superuser.user}@127.0.0.1:${dead},${server.host}:${server.port}/${server.database}?sslmode=disable`
      )
      assert.strictEqual(d.target.port, server.port)
    }))

  it.live("connect_timeout applies per attempt: a silent host times out, the next one answers", () =>
    Effect.gen(function*() {
      const silent = yield* silentListener
      const t0 = performance.now()
      const c = yield* PgConnection.make({
        host: ["127.0.0.1", server.host],
        port: [silent.port, server.port],
        user: superuser.user,
        database: server.database,
        connectTimeout: Duration.millis(300)
      })
      const elapsed = performance.now() - t0
      assert.strictEqual(c.target.port, server.port)
      assert.isAtLeast(elapsed, 290)
      assert.isBelow(elapsed, 2000)
      // The timed-out socket was closed by the client.
      yield* Effect.sleep("50 millis")
      assert.strictEqual(silent.sockets.size, 0)
      // Only a silent host: ConnectTimeout, promptly, in libpq's words.
      const t1 = performance.now()
      const error = yield* Effect.flip(
        PgConnection.make(`${kv(["127.0.0.1"], [silent.port])} connect_timeout=1`)
      )
      const e1 = performance.now() - t1
      assert.strictEqual(error.reason._tag, "ConnectTimeout")
      assert.match(error.message, /timeout expired/)
      assert.isAtLeast(e1, 990)
      assert.isBelow(e1, 3000)
    }))

  it.live("every host down: the error lists each attempt", () =>
    Effect.gen(function*() {
      const a = yield* Effect.promise(closedPort)
      const b = yield* Effect.promise(closedPort)
      const error = yield* Effect.flip(PgConnection.make(kv(["127.0.0.1", "127.0.0.1"], [a, b])))
      assert.strictEqual(error.reason._tag, "ConnectionError")
      assert.match(error.message, /2 hosts/)
      assert.include(error.message, String(a))
      assert.include(error.message, String(b))
      assert.isTrue(error.isRetryable)
    }))

  it.live("load_balance_hosts=random still connects (a dead host among them)", () =>
    Effect.gen(function*() {
      const dead = yield* Effect.promise(closedPort)
      for (let i = 0; i < 8; i++) {
        const c = yield* PgConnection.make(
          kv(["127.0.0.1", server.host, "127.0.0.1"], [dead, server.port, dead], "load_balance_hosts=random")
        )
        assert.strictEqual(yield* port(c), server.port)
        yield* c.close
      }
    }))
})

describe.skipIf(server.source !== "embedded")("target_session_attrs", () => {
  let readOnly: RunningServer | undefined
  beforeAll(async () => {
    // `startServer({ settings: { default_transaction_read_only: "on" } })` cannot create its test
    // roles (CREATE ROLE in a read-only transaction), so turn it on after start-up instead.
    readOnly = await startServer()
    const url = readOnly.connectionString()
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function*() {
          const c = yield* PgConnection.make(url)
          yield* c.simple("alter system set default_transaction_read_only = on")
          yield* c.simple("select pg_reload_conf()")
        })
      )
    )
  }, 120_000)
  afterAll(async () => {
    await readOnly?.stop()
  })

  const roPort = () => readOnly!.info.port

  /** Waits until new sessions on the read-only server report it (after the reload). */
  const reportsReadOnly = Effect.gen(function*() {
    for (let i = 0; i < 100; i++) {
      const ok = yield* Effect.scoped(
        Effect.map(PgConnection.make(kv([server.host], [roPort()])), (c) => c.parameters.get("default_transaction_read_only") === "on")
      )
      if (ok) return
      yield* Effect.sleep("20 millis")
    }
    assert.fail("the second server does not report default_transaction_read_only = on")
  })

  it.live("read-write skips the read-only server listed first", () =>
    Effect.gen(function*() {
      yield* reportsReadOnly
      const c = yield* PgConnection.make(kv([server.host, server.host], [roPort(), server.port], "target_session_attrs=read-write"))
      assert.strictEqual(c.target.port, server.port)
      assert.strictEqual(c.parameters.get("default_transaction_read_only"), "off")
      yield* c.simple("create temp table w (i int)")
    }))

  it.live("read-only skips the writable server listed first", () =>
    Effect.gen(function*() {
      yield* reportsReadOnly
      const c = yield* PgConnection.make(kv([server.host, server.host], [server.port, roPort()], "target_session_attrs=read-only"))
      assert.strictEqual(c.target.port, roPort())
      const e = yield* Effect.flip(c.simple("create table nope (i int)"))
      assert.strictEqual((e.reason as { code?: string }).code, "25006")
    }))

  it.live("any (default) takes the first; read-write with only the read-only server fails", () =>
    Effect.gen(function*() {
      yield* reportsReadOnly
      const c = yield* PgConnection.make(kv([server.host, server.host], [roPort(), server.port]))
      assert.strictEqual(c.target.port, roPort())
      const error = yield* Effect.flip(PgConnection.make(kv([server.host], [roPort()], "target_session_attrs=read-write")))
      assert.match(error.message, /target_session_attrs=read-write/)
    }))

  it.live("standby: no standby among primaries → fails; prefer-standby falls back to the first", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        PgConnection.make(kv([server.host, server.host], [server.port, roPort()], "target_session_attrs=standby"))
      )
      assert.match(error.message, /target_session_attrs=standby/)
      const c = yield* PgConnection.make(
        kv([server.host, server.host], [server.port, roPort()], "target_session_attrs=prefer-standby")
      )
      assert.strictEqual(c.target.port, server.port)
      const p = yield* PgConnection.make(kv([server.host, server.host], [roPort(), server.port], "target_session_attrs=primary"))
      assert.strictEqual(p.target.port, roPort())
    }))
})
