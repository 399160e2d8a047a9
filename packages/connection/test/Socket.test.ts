import { assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { X509Certificate } from "node:crypto"
import * as net from "node:net"
import * as tls from "node:tls"
import { generate } from "../../../test/node_modules/selfsigned/index.js"
import * as PgError from "../src/PgError.ts"
import { fromNodeSocket, type PgSocket, SlabReader } from "../src/internal/socket.ts"
import { resolveTls } from "../src/internal/tls.ts"

// -----------------------------------------------------------------------------
// Loopback fixtures
// -----------------------------------------------------------------------------

interface Server {
  readonly port: number
  /** Server-side sockets, in accept order. */
  readonly accepted: Array<net.Socket>
  /** Resolves with the n-th accepted socket (0-based). */
  readonly connection: (n: number) => Effect.Effect<net.Socket>
}

const listen = (onConnection: (socket: net.Socket) => void = () => {}) =>
  Effect.acquireRelease(
    Effect.callback<{ server: net.Server; state: Server }>((resume) => {
      const accepted: Array<net.Socket> = []
      const waiters: Array<() => void> = []
      const server = net.createServer((socket) => {
        socket.on("error", () => {})
        accepted.push(socket)
        onConnection(socket)
        for (const w of waiters.splice(0)) w()
      })
      const connection = (n: number): Effect.Effect<net.Socket> =>
        Effect.callback<net.Socket>((done) => {
          const check = (): void => {
            if (accepted.length > n) done(Effect.succeed(accepted[n]!))
            else waiters.push(check)
          }
          check()
        })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({ server, state: { port, accepted, connection } }))
      })
    }),
    ({ server, state }) =>
      Effect.callback<void>((resume) => {
        for (const s of state.accepted) s.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

const dial = (port: number) =>
  Effect.acquireRelease(
    Effect.callback<PgSocket>((resume) => {
      const socket = net.connect({ host: "127.0.0.1", port })
      socket.once("connect", () => resume(Effect.succeed(fromNodeSocket(socket, { transport: "tcp", host: "127.0.0.1", port }))))
    }),
    (socket) => Effect.sync(() => socket.destroy())
  )

interface Recorder {
  readonly chunks: Array<Uint8Array>
  readonly closes: Array<PgError.PgError | undefined>
  readonly text: () => string
  readonly closed: Effect.Effect<PgError.PgError | undefined>
  readonly received: (n: number) => Effect.Effect<void>
}

const record = (socket: PgSocket): Recorder => {
  const chunks: Array<Uint8Array> = []
  const closes: Array<PgError.PgError | undefined> = []
  const waiters: Array<() => void> = []
  const wake = (): void => {
    for (const w of waiters.splice(0)) w()
  }
  socket.setHandlers({
    onData: (chunk) => {
      chunks.push(chunk)
      wake()
    },
    onClose: (error) => {
      closes.push(error)
      wake()
    }
  })
  const text = (): string => Buffer.concat(chunks).toString("latin1")
  const until = (done: () => boolean): Effect.Effect<void> =>
    Effect.callback<void>((resume) => {
      const check = (): void => {
        if (done()) resume(Effect.void)
        else waiters.push(check)
      }
      check()
    })
  return {
    chunks,
    closes,
    text,
    closed: Effect.map(until(() => closes.length > 0), () => closes[0]),
    received: (n) => until(() => text().length >= n)
  }
}

const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

let serverPem: { key: string; cert: string }

beforeAll(async () => {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    algorithm: "sha256",
    keySize: 2048,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }]
  })
  serverPem = { key: pems.private, cert: pems.cert }
})

/** Server side of a TLS upgrade: wraps the accepted socket once the client starts its handshake. */
const serveTls = (socket: net.Socket, onSecure: (s: tls.TLSSocket) => void): void => {
  const secure = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: tls.createSecureContext({ key: serverPem.key, cert: serverPem.cert })
  })
  secure.on("error", () => {})
  secure.on("secure", () => onSecure(secure))
}

// -----------------------------------------------------------------------------
// Tests
// -----------------------------------------------------------------------------

describe("PgSocket plain", () => {
  it.live("delivers chunks in order and keeps data that arrives before handlers", () =>
    Effect.gen(function*() {
      const server = yield* listen((s) => s.write("early"))
      const socket = yield* dial(server.port)
      yield* sleep(100)
      const rec = record(socket)
      yield* rec.received(5)
      assert.strictEqual(rec.text(), "early")
      const peer = yield* server.connection(0)
      peer.write("-one")
      yield* rec.received(9)
      peer.write("-two")
      yield* rec.received(13)
      assert.strictEqual(rec.text(), "early-one-two")
      assert.isTrue(rec.chunks.every((c) => c instanceof Uint8Array))
    }))

  it.live("writes reach the server and onClose(undefined) is called once on an orderly end", () =>
    Effect.gen(function*() {
      const received: Array<Buffer> = []
      const server = yield* listen((s) => s.on("data", (d) => received.push(d)))
      const socket = yield* dial(server.port)
      const rec = record(socket)
      assert.isTrue(socket.write(new Uint8Array([1, 2, 3])))
      const peer = yield* server.connection(0)
      yield* sleep(30)
      assert.deepStrictEqual(Array.from(Buffer.concat(received)), [1, 2, 3])
      peer.end()
      const error = yield* rec.closed
      assert.isUndefined(error)
      yield* sleep(30)
      socket.destroy()
      yield* sleep(30)
      assert.strictEqual(rec.closes.length, 1)
      assert.isTrue(socket.closed)
      assert.isFalse(socket.write(new Uint8Array([4])))
    }))

  it.live("a reset connection closes with a typed ConnectionError", () =>
    Effect.gen(function*() {
      const server = yield* listen()
      const socket = yield* dial(server.port)
      const rec = record(socket)
      const peer = yield* server.connection(0)
      peer.resetAndDestroy()
      const error = yield* rec.closed
      assert.instanceOf(error, PgError.PgError)
      assert.strictEqual(error!.reason._tag, "ConnectionError")
      const reason = error!.reason as PgError.ConnectionError
      assert.strictEqual(reason.code, "ECONNRESET")
      assert.strictEqual(reason.host, "127.0.0.1")
      assert.strictEqual(reason.port, server.port)
      assert.isTrue(error!.isRetryable)
    }))

  it.live("a close while no handlers are installed is replayed to the next handlers", () =>
    Effect.gen(function*() {
      const server = yield* listen((s) => s.end("bye"))
      const socket = yield* dial(server.port)
      for (let i = 0; i < 200 && !socket.closed; i++) yield* sleep(10)
      assert.isTrue(socket.closed)
      const rec = record(socket)
      assert.strictEqual(rec.text(), "bye")
      assert.deepStrictEqual(rec.closes, [undefined])
    }))

  it.live("pause stops delivery and resume restarts it", () =>
    Effect.gen(function*() {
      const server = yield* listen()
      const socket = yield* dial(server.port)
      const rec = record(socket)
      const peer = yield* server.connection(0)
      socket.pause()
      peer.write("held")
      yield* sleep(60)
      assert.strictEqual(rec.text(), "")
      socket.resume()
      yield* rec.received(4)
      assert.strictEqual(rec.text(), "held")
    }))

  it.live("write reports back-pressure and onDrain fires", () =>
    Effect.gen(function*() {
      const server = yield* listen((s) => s.pause())
      const socket = yield* dial(server.port)
      let drained = 0
      socket.setHandlers({ onData: () => {}, onClose: () => {}, onDrain: () => drained++ })
      const big = new Uint8Array(1 << 20)
      let accepted = true
      for (let i = 0; i < 64 && accepted; i++) accepted = socket.write(big)
      assert.isFalse(accepted)
      const peer = yield* server.connection(0)
      peer.resume()
      peer.on("data", () => {})
      for (let i = 0; i < 100; i++) {
        if (drained > 0) break
        yield* sleep(20)
      }
      assert.isAtLeast(drained, 1)
    }))

  it.live("end() half-closes: the server sees the end, then the socket closes", () =>
    Effect.gen(function*() {
      let ended = false
      const server = yield* listen((s) => s.on("end", () => {
        ended = true
        s.end()
      }))
      const socket = yield* dial(server.port)
      const rec = record(socket)
      socket.end()
      socket.end()
      const error = yield* rec.closed
      assert.isUndefined(error)
      assert.isTrue(ended)
      assert.strictEqual(rec.closes.length, 1)
    }))
})

describe("PgSocket TLS upgrade", () => {
  it.live("upgrades in place: same handlers, encrypted data, peer certificate DER", () =>
    Effect.gen(function*() {
      const server = yield* listen((s) => serveTls(s, (secure) => secure.on("data", (d) => secure.write(d))))
      const socket = yield* dial(server.port)
      const rec = record(socket)
      const config = yield* resolveTls({ sslmode: "require", defaultsDir: "/nonexistent" }, "localhost")
      assert.isFalse(socket.encrypted)
      yield* socket.upgradeTls(config)
      assert.isTrue(socket.encrypted)
      assert.match(socket.tlsProtocol ?? "", /^TLSv1\.[23]$/)
      const expected = new Uint8Array(new X509Certificate(serverPem.cert).raw)
      assert.deepStrictEqual(new Uint8Array(socket.peerCertificateDer!), expected)
      socket.write(new TextEncoder().encode("ping"))
      yield* rec.received(4)
      assert.strictEqual(rec.text(), "ping")
      const peer = yield* server.connection(0)
      peer.destroy()
      yield* rec.closed
      assert.strictEqual(rec.closes.length, 1)
    }))

  it.live("refuses plaintext bytes received before the handshake (CVE-2021-23222)", () =>
    Effect.gen(function*() {
      const server = yield* listen((s) => s.write("injected"))
      const socket = yield* dial(server.port)
      yield* sleep(200)
      const exit = yield* Effect.exit(
        Effect.flatMap(resolveTls({ sslmode: "require", defaultsDir: "/nonexistent" }, "localhost"), (c) => socket.upgradeTls(c))
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause : undefined
      assert.include(String(error), "received unencrypted data after SSL response")
      assert.isTrue(socket.closed)
    }))

  it.live("refuses plaintext bytes that arrived while the socket was paused", () =>
    Effect.gen(function*() {
      const server = yield* listen()
      const socket = yield* dial(server.port)
      const rec = record(socket)
      socket.pause()
      const peer = yield* server.connection(0)
      peer.write("injected")
      yield* sleep(200)
      assert.strictEqual(rec.text(), "")
      const config = yield* resolveTls({ sslmode: "require", defaultsDir: "/nonexistent" }, "localhost")
      const exit = yield* Effect.exit(socket.upgradeTls(config))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "received unencrypted data after SSL response")
      const error = yield* rec.closed
      assert.strictEqual(error?.reason._tag, "ProtocolError")
    }))

  it.live("interrupting a stalled handshake destroys the socket", () =>
    Effect.gen(function*() {
      let serverClosed = false
      const server = yield* listen((s) => s.resume().on("close", () => (serverClosed = true)))
      const socket = yield* dial(server.port)
      const rec = record(socket)
      const config = yield* resolveTls({ sslmode: "require", defaultsDir: "/nonexistent" }, "localhost")
      const fiber = yield* Effect.forkChild(socket.upgradeTls(config))
      yield* sleep(50)
      yield* Fiber.interrupt(fiber)
      yield* sleep(50)
      assert.isTrue(socket.closed)
      assert.isTrue(serverClosed)
      assert.deepStrictEqual(rec.closes, [undefined])
    }))

  it.live("a handshake the server aborts fails with a typed error and closes once", () =>
    Effect.gen(function*() {
      const server = yield* listen((s) => s.once("data", () => s.end("not tls at all, just text\n")))
      const socket = yield* dial(server.port)
      const rec = record(socket)
      const config = yield* resolveTls({ sslmode: "require", defaultsDir: "/nonexistent" }, "localhost")
      const exit = yield* Effect.exit(socket.upgradeTls(config))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* rec.closed
      assert.instanceOf(error, PgError.PgError)
      assert.include(["TlsError", "ConnectionError"], error!.reason._tag)
      assert.strictEqual(rec.closes.length, 1)
    }))
})

describe("SlabReader (reads straight into slabs: onread)", () => {
  /** Plays Node's part: asks for memory, fills as much of `bytes` as fits, reports the count. */
  const read = (reader: SlabReader, bytes: Uint8Array): Array<Uint8Array> => {
    const parts: Array<Uint8Array> = []
    for (let at = 0; at < bytes.length;) {
      const memory = reader.buffer()
      assert.isAtLeast(memory.length, 1024) // never a sliver of a slab
      const n = Math.min(memory.length, bytes.length - at)
      memory.set(bytes.subarray(at, at + n))
      reader.callback(n, memory)
      parts.push(bytes.slice(at, at + n))
      at += n
    }
    return parts
  }

  it("hands on each read as a view that later reads never overwrite, across slabs, in order", () => {
    const reader = new SlabReader()
    const got: Array<Uint8Array> = []
    read(reader, Uint8Array.of(1, 2, 3)) // before the socket is wrapped: kept
    reader.connect((chunk) => got.push(chunk))
    const sent: Array<Uint8Array> = [Uint8Array.of(1, 2, 3)]
    for (let i = 0; i < 40; i++) sent.push(...read(reader, new Uint8Array(5000 + i * 997).fill(i + 7)))
    assert.strictEqual(got.length, sent.length)
    for (let i = 0; i < sent.length; i++) assert.deepStrictEqual(got[i], sent[i], `read ${i}`)
    // more than one slab was used (the total is far beyond one); small ones first
    assert.isAbove(new Set(got.map((c) => c.buffer)).size, 1)
    assert.strictEqual(got[0]!.buffer.byteLength, 4096)
    assert.strictEqual(got.at(-1)!.buffer.byteLength, 65536)
  })

  it("a real socket opened with onread delivers every byte in order", async () => {
    const total = 3_000_000
    const payload = new Uint8Array(total)
    for (let i = 0; i < total; i++) payload[i] = (i * 31) & 0xff
    const server = net.createServer((s) => {
      s.end(payload)
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as net.AddressInfo).port
    const reader = new SlabReader()
    const chunks: Array<Uint8Array> = []
    const done = new Promise<void>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port, onread: { buffer: reader.buffer, callback: reader.callback } })
      socket.on("close", () => resolve())
    })
    reader.connect((chunk) => chunks.push(chunk))
    await done
    server.close()
    const received = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
    let at = 0
    for (const c of chunks) {
      received.set(c, at)
      at += c.length
    }
    assert.strictEqual(received.length, total)
    assert.isTrue(received.every((b, i) => b === payload[i]))
  })
})
