import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import { createHash, X509Certificate } from "node:crypto"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as tls from "node:tls"
import { generate } from "../../../test/node_modules/selfsigned/index.js"
import type * as PgError from "../src/PgError.ts"
import {
  connect,
  type Connected,
  negotiateEncryption,
  openSocket,
  SSL_REQUEST,
  type TargetSettings,
  unixSocketPath,
  withConnectTimeout
} from "../src/internal/connect.ts"
import type { PgSocket } from "../src/internal/socket.ts"
import { tlsServerEndPointData, type TlsSettings } from "../src/internal/tls.ts"

// -----------------------------------------------------------------------------
// Certificates: a CA, a server certificate for localhost/127.0.0.1/::1, a client certificate,
// and an unrelated CA.
// -----------------------------------------------------------------------------

let dir: string
let caPem: string
let caFile: string
let otherCaFile: string
let serverPem: { key: string; cert: string }
let clientCertFile: string
let clientKeyFile: string
let ipv6 = false
let openssl = false

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgfx-connect-"))
  const caExtensions = [
    { name: "basicConstraints" as const, cA: true, critical: true },
    { name: "keyUsage" as const, keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
  ]
  const ca = await generate([{ name: "commonName", value: "pgfx test CA" }], { algorithm: "sha256", extensions: caExtensions })
  const other = await generate([{ name: "commonName", value: "unrelated CA" }], { algorithm: "sha256", extensions: caExtensions })
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] }
    ]
  })
  const client = await generate([{ name: "commonName", value: "pgfx-client" }], {
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: "extKeyUsage", clientAuth: true }]
  })
  caPem = ca.cert
  fs.writeFileSync(path.join(dir, "ca.key"), ca.private, { mode: 0o600 })
  fs.writeFileSync(path.join(dir, "server.crt"), server.cert)
  serverPem = { key: server.private, cert: server.cert }
  caFile = path.join(dir, "ca.crt")
  fs.writeFileSync(caFile, ca.cert)
  otherCaFile = path.join(dir, "other.crt")
  fs.writeFileSync(otherCaFile, other.cert)
  clientCertFile = path.join(dir, "client.crt")
  fs.writeFileSync(clientCertFile, client.cert)
  clientKeyFile = path.join(dir, "client.key")
  fs.writeFileSync(clientKeyFile, client.private, { mode: 0o600 })
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" })
    openssl = true
  } catch {
    openssl = false
  }
  ipv6 = await new Promise<boolean>((resolve) => {
    const probe = net.createServer()
    probe.once("error", () => resolve(false))
    probe.listen(0, "::1", () => probe.close(() => resolve(true)))
  })
})

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** No default files from the real home directory. */
const base: TlsSettings = { defaultsDir: "/nonexistent-pgfx-dir" }

// -----------------------------------------------------------------------------
// A fake PostgreSQL front door on loopback
// -----------------------------------------------------------------------------

interface Fake {
  readonly port: number
  /** The first 8 bytes each connection sent, in accept order. */
  readonly heads: Array<Buffer>
  readonly sockets: Array<net.Socket>
  /** Everything received in plaintext after the first 8 bytes, per connection. */
  readonly rest: Array<Array<Buffer>>
  readonly closed: Array<boolean>
}

type Script = (socket: net.Socket, head: Buffer, index: number) => void

const fake = (script: Script, host = "127.0.0.1", listenOn?: string) =>
  Effect.acquireRelease(
    Effect.callback<{ server: net.Server; state: Fake }>((resume) => {
      const state: Fake = { port: 0, heads: [], sockets: [], rest: [], closed: [] }
      const server = net.createServer((socket) => {
        const index = state.sockets.length
        state.sockets.push(socket)
        state.rest.push([])
        state.closed.push(false)
        socket.on("error", () => {})
        socket.on("close", () => (state.closed[index] = true))
        let buffered = Buffer.alloc(0)
        const onData = (chunk: Buffer): void => {
          buffered = Buffer.concat([buffered, chunk])
          if (buffered.length < 8) return
          socket.off("data", onData)
          const head = buffered.subarray(0, 8)
          state.heads.push(head)
          if (buffered.length > 8) state.rest[index]!.push(buffered.subarray(8))
          socket.on("data", (d: Buffer) => state.rest[index]!.push(d))
          script(socket, head, index)
        }
        socket.on("data", onData)
      })
      server.once("error", (e) => resume(Effect.die(e)))
      const onListening = () => {
        const address = server.address()
        ;(state as { port: number }).port = typeof address === "object" && address !== null ? address.port : 0
        resume(Effect.succeed({ server, state }))
      }
      if (listenOn !== undefined) server.listen(listenOn, onListening)
      else server.listen(0, host, onListening)
    }),
    ({ server, state }) =>
      Effect.callback<void>((resume) => {
        for (const s of state.sockets) s.destroy()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

/** A TLS server on the accepted socket that echoes what it decrypts. */
const serveTls = (
  socket: net.Socket,
  options: Omit<tls.TLSSocketOptions, "isServer" | "secureContext"> & { readonly ca?: string } = {},
  onSecure: (secure: tls.TLSSocket) => void = () => {}
): void => {
  // The TLS layer must see the bytes the plaintext recorder would otherwise take.
  socket.removeAllListeners("data")
  const { ca, ...rest } = options
  const secure = new tls.TLSSocket(socket, {
    ...rest,
    isServer: true,
    secureContext: tls.createSecureContext({ key: serverPem.key, cert: serverPem.cert, ...(ca ? { ca } : {}) })
  })
  secure.on("error", () => {})
  secure.on("secure", () => {
    onSecure(secure)
    secure.on("data", (d) => secure.write(d))
  })
}

const acceptTls = (
  options?: Parameters<typeof serveTls>[1],
  onSecure?: (secure: tls.TLSSocket) => void
): Script =>
(socket) => {
  socket.write("S")
  serveTls(socket, options, onSecure)
}

const sleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

const failureOf = <A>(exit: Exit.Exit<A, PgError.PgError>): PgError.PgError => {
  if (Exit.isSuccess(exit)) assert.fail("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") assert.fail(`expected a typed failure, got ${String(exit.cause)}`)
  return reason.error
}

/** Opens, negotiates, and owns the socket for the rest of the test. */
const open = (target: TargetSettings, settings: TlsSettings) =>
  Effect.acquireRelease(connect(target, settings), (c) => Effect.sync(() => c.socket.destroy()))

/** Writes `text` and collects what comes back until `length` bytes arrived. */
const roundTrip = (socket: PgSocket, text: string, length = text.length) =>
  Effect.callback<string>((resume) => {
    const chunks: Array<Uint8Array> = []
    socket.setHandlers({
      onData: (chunk) => {
        chunks.push(chunk)
        const all = Buffer.concat(chunks).toString("latin1")
        if (all.length >= length) resume(Effect.succeed(all))
      },
      onClose: (error) => resume(Effect.die(error ?? new Error("closed")))
    })
    socket.write(new TextEncoder().encode(text))
  })

const received = (server: Fake, index: number) => Buffer.concat(server.rest[index] ?? []).toString("latin1")

const waitFor = (check: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200 && !check(); i++) yield* sleep(10)
    assert.isTrue(check())
  })

const tcp = (port: number, extra: Partial<TargetSettings> = {}): TargetSettings => ({ host: "127.0.0.1", port, ...extra })

// -----------------------------------------------------------------------------
// Sockets
// -----------------------------------------------------------------------------

describe("openSocket", () => {
  it.live("a closed port fails with ConnectionError ECONNREFUSED", () =>
    Effect.gen(function*() {
      const port = yield* Effect.callback<number>((resume) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
          const p = (s.address() as net.AddressInfo).port
          s.close(() => resume(Effect.succeed(p)))
        })
      })
      const error = failureOf(yield* Effect.exit(openSocket({ host: "127.0.0.1", port })))
      assert.strictEqual(error.reason._tag, "ConnectionError")
      const reason = error.reason as PgError.ConnectionError
      assert.strictEqual(reason.code, "ECONNREFUSED")
      assert.strictEqual(reason.host, "127.0.0.1")
      assert.strictEqual(reason.port, port)
      assert.include(error.message, `connection to server at "127.0.0.1", port ${port} failed`)
      assert.isTrue(error.isRetryable)
    }))

  it.live("connects to hostaddr and keeps host for messages", () =>
    Effect.gen(function*() {
      const server = yield* fake(() => {})
      const socket = yield* openSocket({ host: "db.invalid", hostaddr: "127.0.0.1", port: server.port })
      assert.strictEqual(socket.transport, "tcp")
      socket.write(new TextEncoder().encode("12345678"))
      yield* waitFor(() => server.heads.length === 1)
      socket.destroy()
      const refused = failureOf(
        yield* Effect.exit(openSocket({ host: "db.invalid", hostaddr: "127.0.0.1", port: 1 }))
      )
      assert.include(refused.message, "connection to server at \"db.invalid\" (127.0.0.1), port 1 failed")
    }))

  it.live("Unix-domain sockets: <dir>/.s.PGSQL.<port>, and ENOENT when missing", () =>
    Effect.gen(function*() {
      const socketDir = fs.mkdtempSync(path.join(dir, "sock-"))
      assert.strictEqual(unixSocketPath(socketDir, 5999), `${socketDir}/.s.PGSQL.5999`)
      assert.strictEqual(unixSocketPath("@abstract", 5432), "\0abstract/.s.PGSQL.5432")
      const server = yield* fake(() => {}, undefined, unixSocketPath(socketDir, 5999))
      // sslmode=require is ignored on Unix sockets: no SSLRequest, plaintext.
      const c = yield* open({ host: socketDir, port: 5999 }, { ...base, sslmode: "require" })
      assert.strictEqual(c.socket.transport, "unix")
      assert.isFalse(c.socket.encrypted)
      c.socket.write(new TextEncoder().encode("STARTUP!"))
      yield* waitFor(() => server.heads.length === 1)
      assert.strictEqual(server.heads[0]!.toString("latin1"), "STARTUP!")
      const missing = failureOf(yield* Effect.exit(openSocket({ host: socketDir, port: 6000 })))
      assert.strictEqual((missing.reason as PgError.ConnectionError).code, "ENOENT")
      assert.include(missing.message, `connection to server on socket "${socketDir}/.s.PGSQL.6000" failed`)
    }))

  it.live("IPv6 loopback", (ctx) =>
    Effect.gen(function*() {
      if (!ipv6) return ctx.skip("::1 is not available")
      const server = yield* fake(acceptTls(), "::1")
      const c = yield* open({ host: "::1", port: server.port }, { ...base, sslmode: "verify-full", sslrootcert: caFile })
      assert.isTrue(c.socket.encrypted)
      assert.strictEqual(yield* roundTrip(c.socket, "over ipv6"), "over ipv6")
    }))

  it.live("interrupting a connect destroys the half-open socket", () =>
    Effect.gen(function*() {
      const server = yield* fake(() => {})
      const exit = yield* Effect.exit(
        Effect.timeout(connect(tcp(server.port), { ...base, sslmode: "require" }), "100 millis")
      )
      assert.isTrue(Exit.isFailure(exit))
      yield* waitFor(() => server.closed[0] === true)
      assert.deepStrictEqual([...server.heads[0]!], [...SSL_REQUEST])
    }))
})

// -----------------------------------------------------------------------------
// SSLRequest negotiation
// -----------------------------------------------------------------------------

describe("SSLRequest negotiation", () => {
  it("SSLRequest is length 8, code 80877103", () => {
    const view = new DataView(SSL_REQUEST.buffer)
    assert.strictEqual(view.getInt32(0), 8)
    assert.strictEqual(view.getInt32(4), 80877103)
  })

  it.live("'N' under prefer continues in plaintext on the same socket", () =>
    Effect.gen(function*() {
      const server = yield* fake((s) => s.write("N"))
      // Keep-alive options are applied without error (not observable from Node).
      const c = yield* open(tcp(server.port, { keepalivesIdle: Duration.seconds(30), keepalivesCount: 3 }), { ...base })
      assert.isFalse(c.socket.encrypted)
      assert.isUndefined(c.fallback)
      assert.deepStrictEqual([...server.heads[0]!], [...SSL_REQUEST])
      c.socket.write(new TextEncoder().encode("startup"))
      yield* waitFor(() => received(server, 0) === "startup")
      assert.strictEqual(server.sockets.length, 1)
    }))

  it.live("'N' under require, verify-ca and verify-full fails", () =>
    Effect.gen(function*() {
      const server = yield* fake((s) => s.write("N"))
      for (const sslmode of ["require", "verify-ca", "verify-full"] as const) {
        const error = failureOf(
          yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode, sslrootcert: caFile }))
        )
        assert.strictEqual(error.reason._tag, "TlsError", sslmode)
        assert.strictEqual(error.message, "server does not support SSL, but SSL was required")
      }
      yield* waitFor(() => server.closed.every(Boolean))
    }))

  it.live("'E' is a failure whose text is never read", () =>
    Effect.gen(function*() {
      const server = yield* fake((s) => s.end(Buffer.from("E\0\0\0\x20SFATAL\0Minjected text\0\0", "latin1")))
      for (const sslmode of ["prefer", "require"] as const) {
        const error = failureOf(yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode })))
        assert.strictEqual(error.reason._tag, "ConnectionError")
        assert.strictEqual(error.message, "server sent an error response during SSL exchange")
        assert.notInclude(JSON.stringify(error), "injected")
      }
      // No plaintext retry for 'E'.
      assert.strictEqual(server.sockets.length, 2)
    }))

  it.live("bytes after 'S' in the same read are refused (CVE-2021-23222)", () =>
    Effect.gen(function*() {
      const server = yield* fake((s) => s.write("SZ\0\0\0\x05I"))
      for (const sslmode of ["prefer", "require"] as const) {
        const error = failureOf(yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode })))
        assert.strictEqual(error.reason._tag, "ProtocolError")
        assert.strictEqual(error.message, "received unencrypted data after SSL response")
      }
      // Not a handshake failure: prefer does not retry in plaintext.
      assert.strictEqual(server.sockets.length, 2)
      yield* waitFor(() => server.closed.every(Boolean))
    }))

  it.live("bytes injected after 'S' in a later read are refused too", () =>
    Effect.gen(function*() {
      const server = yield* fake((s) => {
        s.write("S")
        setTimeout(() => s.write("Z\0\0\0\x05I"), 1)
        s.removeAllListeners("data")
        s.pause()
      })
      const exit = yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode: "require" }))
      const error = failureOf(exit)
      // Either refused before the handshake, or fed to TLS and failing it: never accepted.
      assert.include(["ProtocolError", "TlsError", "ConnectionError"], error.reason._tag)
    }))

  it.live("other replies are protocol errors", () =>
    Effect.gen(function*() {
      const invalid = yield* fake((s) => s.write("X"))
      const e1 = failureOf(yield* Effect.exit(connect(tcp(invalid.port), { ...base, sslmode: "require" })))
      assert.strictEqual(e1.reason._tag, "ProtocolError")
      assert.strictEqual(e1.message, "received invalid response to SSL negotiation: X")
      const extra = yield* fake((s) => s.write("NR"))
      const e2 = failureOf(yield* Effect.exit(connect(tcp(extra.port), { ...base })))
      assert.strictEqual(e2.reason._tag, "ProtocolError")
      const closing = yield* fake((s) => s.end())
      const e3 = failureOf(yield* Effect.exit(connect(tcp(closing.port), { ...base, sslmode: "require" })))
      assert.strictEqual(e3.reason._tag, "ConnectionError")
      assert.include(e3.message, "server closed the connection unexpectedly")
    }))

  it.live("disable and allow send no SSLRequest; allow offers a TLS fallback", () =>
    Effect.gen(function*() {
      const server = yield* fake(() => {})
      const disabled = yield* open(tcp(server.port, { keepalives: false }), { ...base, sslmode: "disable" })
      assert.isUndefined(disabled.fallback)
      disabled.socket.write(new TextEncoder().encode("STARTUP1"))
      const allowed = yield* open(tcp(server.port), { ...base, sslmode: "allow" })
      assert.strictEqual(allowed.fallback?.sslmode, "require")
      assert.strictEqual(allowed.fallback?.defaultsDir, base.defaultsDir)
      allowed.socket.write(new TextEncoder().encode("STARTUP2"))
      yield* waitFor(() => server.heads.length === 2)
      assert.deepStrictEqual(server.heads.map((h) => h.toString("latin1")).toSorted(), ["STARTUP1", "STARTUP2"])
    }))

  it.live("a server that never answers: withConnectTimeout fails with ConnectTimeout and closes the socket", () =>
    Effect.gen(function*() {
      const server = yield* fake(() => {})
      const target = tcp(server.port, { connectTimeout: Duration.millis(150) })
      const error = failureOf(yield* Effect.exit(withConnectTimeout(connect(target, { ...base, sslmode: "require" }), target)))
      assert.strictEqual(error.reason._tag, "ConnectTimeout")
      assert.include(error.message, "timeout expired")
      assert.strictEqual((error.reason as PgError.ConnectTimeout).port, server.port)
      yield* waitFor(() => server.closed[0] === true)
      // No timeout configured: the effect is returned unchanged.
      const plain = { host: "127.0.0.1" }
      const same = Effect.succeed(1)
      assert.strictEqual(withConnectTimeout(same, plain), same)
      assert.strictEqual(withConnectTimeout(same, { connectTimeout: Duration.zero }), same)
    }))

  it.live("gssencmode=require is unsupported and opens nothing", () =>
    Effect.gen(function*() {
      const server = yield* fake(() => {})
      const error = failureOf(yield* Effect.exit(connect(tcp(server.port, { gssencmode: "require" }), base)))
      assert.strictEqual(error.reason._tag, "Unsupported")
      assert.strictEqual((error.reason as PgError.Unsupported).feature, "gssencmode=require")
      const c = yield* open(tcp(server.port, { gssencmode: "prefer" }), { ...base, sslmode: "disable" })
      assert.isFalse(c.socket.encrypted)
      yield* sleep(20)
      assert.strictEqual(server.sockets.length, 1)
    }))

  it.live("negotiateEncryption on an opened socket reports Ready", () =>
    Effect.gen(function*() {
      const server = yield* fake((s) => s.write("N"))
      const socket = yield* openSocket(tcp(server.port))
      const result = yield* negotiateEncryption(socket, tcp(server.port), { ...base, sslmode: "prefer" })
      assert.strictEqual(result._tag, "Ready")
      socket.destroy()
    }))
})

// -----------------------------------------------------------------------------
// TLS modes against a CA-signed server certificate
// -----------------------------------------------------------------------------

const serverDer = (): Uint8Array => new Uint8Array(new X509Certificate(serverPem.cert).raw)

describe("TLS after 'S'", () => {
  it.live("require encrypts without verifying; the peer certificate is the server's", () =>
    Effect.gen(function*() {
      const server = yield* fake(acceptTls())
      const c = yield* open(tcp(server.port), { ...base, sslmode: "require" })
      assert.isTrue(c.socket.encrypted)
      assert.isUndefined(c.fallback)
      assert.deepStrictEqual(new Uint8Array(c.socket.peerCertificateDer!), serverDer())
      const binding = tlsServerEndPointData(c.socket.peerCertificateDer!)
      assert.deepStrictEqual(
        binding,
        Result.succeed(new Uint8Array(createHash("sha256").update(serverDer()).digest()))
      )
      assert.strictEqual(yield* roundTrip(c.socket, "hello over tls"), "hello over tls")
      // Nothing was written in plaintext after the SSLRequest.
      assert.strictEqual(received(server, 0), "")
    }))

  it.live("verify-ca: fails against another CA, fails without a root file, succeeds with the CA", () =>
    Effect.gen(function*() {
      const server = yield* fake(acceptTls())
      const wrong = failureOf(
        yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode: "verify-ca", sslrootcert: otherCaFile }))
      )
      assert.strictEqual(wrong.reason._tag, "TlsError")
      assert.include(wrong.message, "certificate verify failed")
      const missing = failureOf(yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode: "verify-ca" })))
      assert.strictEqual(missing.reason._tag, "TlsError")
      assert.include(missing.message, "does not exist")
      // verify-ca does not check the name.
      const ok = yield* open(tcp(server.port, { host: "not-the-name.example", hostaddr: "127.0.0.1" }), {
        ...base,
        sslmode: "verify-ca",
        sslrootcert: caFile
      })
      assert.isTrue(ok.socket.encrypted)
      assert.strictEqual(yield* roundTrip(ok.socket, "verified"), "verified")
    }))

  it.live("verify-full: checks the host name (SAN DNS and IP), also through hostaddr", () =>
    Effect.gen(function*() {
      const server = yield* fake(acceptTls())
      const settings: TlsSettings = { ...base, sslmode: "verify-full", sslrootcert: caFile }
      const byName = yield* open({ host: "localhost", hostaddr: "127.0.0.1", port: server.port }, settings)
      assert.isTrue(byName.socket.encrypted)
      const byIp = yield* open(tcp(server.port), settings)
      assert.isTrue(byIp.socket.encrypted)
      const mismatch = failureOf(
        yield* Effect.exit(connect({ host: "db.example.com", hostaddr: "127.0.0.1", port: server.port }, settings))
      )
      assert.strictEqual(mismatch.reason._tag, "TlsError")
      assert.include(mismatch.message, "does not match host name \"db.example.com\"")
      const noHost = failureOf(yield* Effect.exit(connect({ hostaddr: "127.0.0.1", port: server.port }, settings)))
      assert.include(noHost.message, "host name must be specified")
    }))

  it.live("sslrootcert=system with sslmode=require is a configuration error before connecting", () =>
    Effect.gen(function*() {
      const server = yield* fake(acceptTls())
      const error = failureOf(
        yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode: "require", sslrootcert: "system" }))
      )
      assert.strictEqual(error.reason._tag, "TlsError")
      assert.isFalse(error.isRetryable)
      yield* sleep(20)
      assert.strictEqual(server.sockets.length, 0)
      // With the default mode (verify-full) the self-signed test CA is not in the system store.
      const untrusted = failureOf(yield* Effect.exit(connect({ host: "localhost", port: server.port }, { sslrootcert: "system" })))
      assert.strictEqual(untrusted.reason._tag, "TlsError")
    }))

  it.live("prefer keeps a plaintext fallback for start-up refusals", () =>
    Effect.gen(function*() {
      const server = yield* fake(acceptTls())
      const c = yield* open(tcp(server.port), { ...base, sslmode: "prefer" })
      assert.isTrue(c.socket.encrypted)
      assert.strictEqual(c.fallback?.sslmode, "disable")
    }))

  it.live("prefer retries in plaintext on a new connection when the handshake fails", () =>
    Effect.gen(function*() {
      const server = yield* fake((s, _head, index) => {
        if (index === 0) {
          s.write("S")
          s.once("data", () => s.end("garbage instead of a ServerHello\n"))
        }
      })
      const c: Connected = yield* open(tcp(server.port), { ...base, sslmode: "prefer" })
      assert.isFalse(c.socket.encrypted)
      assert.isUndefined(c.fallback)
      c.socket.write(new TextEncoder().encode("STARTUP!"))
      yield* waitFor(() => server.heads.length === 2)
      assert.deepStrictEqual([...server.heads[0]!], [...SSL_REQUEST])
      assert.strictEqual(server.heads[1]!.toString("latin1"), "STARTUP!")
    }))

  it.live("prefer with a root file that does not verify the server falls back to plaintext (libpq)", () =>
    Effect.gen(function*() {
      const server = yield* fake((s, _head, index) => (index === 0 ? acceptTls()(s, _head, index) : undefined))
      const c = yield* open(tcp(server.port), { ...base, sslmode: "prefer", sslrootcert: otherCaFile })
      assert.isFalse(c.socket.encrypted)
      yield* waitFor(() => server.sockets.length === 2)
    }))

  it.live("require does not retry after a failed handshake", () =>
    Effect.gen(function*() {
      const server = yield* fake((s) => {
        s.write("S")
        s.once("data", () => s.end("garbage\n"))
      })
      const error = failureOf(yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode: "require" })))
      assert.include(["TlsError", "ConnectionError"], error.reason._tag)
      yield* sleep(20)
      assert.strictEqual(server.sockets.length, 1)
    }))

  it.live("presents the client certificate when configured", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const server = yield* fake(
        acceptTls({ requestCert: true, ca: caPem }, (secure) => {
          // A bare server TLSSocket does not reject by itself: check as PostgreSQL's clientcert would.
          const peer = secure.getPeerX509Certificate()
          if (peer === undefined) return void secure.destroy()
          seen.push(`${peer.checkIssued(new X509Certificate(caPem))}:${peer.subject}`)
        })
      )
      const c = yield* open(tcp(server.port), {
        ...base,
        sslmode: "require",
        sslcert: clientCertFile,
        sslkey: clientKeyFile
      })
      assert.strictEqual(yield* roundTrip(c.socket, "with cert"), "with cert")
      assert.deepStrictEqual(seen, ["true:CN=pgfx-client"])
      // Without a client certificate the server refuses the handshake.
      const refused = yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode: "require" }).pipe(
        Effect.flatMap((c2) => Effect.ensuring(roundTrip(c2.socket, "x"), Effect.sync(() => c2.socket.destroy()))),
        Effect.timeout("2 seconds")
      ))
      assert.isTrue(Exit.isFailure(refused))
    }))

  it.live("sends SNI for host names only", () =>
    Effect.gen(function*() {
      const names: Array<string | false> = []
      const server = yield* fake(acceptTls({}, (secure) => names.push((secure as { servername?: string | false }).servername ?? false)))
      const a = yield* open({ host: "localhost", port: server.port }, { ...base, sslmode: "require" })
      yield* roundTrip(a.socket, "a")
      const b = yield* open(tcp(server.port), { ...base, sslmode: "require" })
      yield* roundTrip(b.socket, "b")
      const c = yield* open({ host: "localhost", port: server.port }, { ...base, sslmode: "require", sslsni: false })
      yield* roundTrip(c.socket, "c")
      assert.deepStrictEqual(names, ["localhost", false, false])
    }))

  it.live("offers ALPN postgresql on the SSLRequest path too", () =>
    Effect.gen(function*() {
      const offered: Array<string | false> = []
      const server = yield* fake(acceptTls({ ALPNProtocols: ["postgresql"] }, (secure) => offered.push(secure.alpnProtocol ?? false)))
      const c = yield* open(tcp(server.port), { ...base, sslmode: "require" })
      yield* roundTrip(c.socket, "alpn")
      assert.deepStrictEqual(offered, ["postgresql"])
    }))

  it.live("the TLS version range is honoured", () =>
    Effect.gen(function*() {
      const server = yield* fake(acceptTls())
      const c = yield* open(tcp(server.port), { ...base, sslmode: "require", sslMaxProtocolVersion: "TLSv1.2" })
      assert.strictEqual(c.socket.tlsProtocol, "TLSv1.2")
      const d = yield* open(tcp(server.port), { ...base, sslmode: "require" })
      assert.strictEqual(d.socket.tlsProtocol, "TLSv1.3")
    }))
})

// -----------------------------------------------------------------------------
// Certificate revocation lists and the key log
// -----------------------------------------------------------------------------

/** Makes a CRL signed by the test CA with openssl; `revoke` puts the server certificate on it. */
const makeCrl = (name: string, revoke: boolean): string => {
  const work = fs.mkdtempSync(path.join(dir, "crl-"))
  const conf = path.join(work, "ca.cnf")
  fs.writeFileSync(path.join(work, "index.txt"), "")
  fs.writeFileSync(path.join(work, "crlnumber"), "1000\n")
  fs.writeFileSync(
    conf,
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${work}/index.txt\ncrlnumber = ${work}/crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\n`
  )
  const keyArgs = ["-config", conf, "-keyfile", path.join(dir, "ca.key"), "-cert", caFile]
  if (revoke) execFileSync("openssl", ["ca", ...keyArgs, "-revoke", path.join(dir, "server.crt")], { stdio: "ignore" })
  const out = path.join(work, name)
  execFileSync("openssl", ["ca", ...keyArgs, "-gencrl", "-out", out], { stdio: "ignore" })
  return out
}

describe("revocation and key log", () => {
  it.live("sslcrl and sslcrldir reject a revoked server certificate", (ctx) =>
    Effect.gen(function*() {
      if (!openssl) return ctx.skip("openssl is not installed")
      const server = yield* fake(acceptTls())
      const verify: TlsSettings = { ...base, sslmode: "verify-full", sslrootcert: caFile }
      const empty = makeCrl("empty.crl", false)
      const ok = yield* open({ host: "localhost", port: server.port }, { ...verify, sslcrl: empty })
      assert.isTrue(ok.socket.encrypted)
      const revoked = makeCrl("revoked.crl", true)
      const byFile = failureOf(
        yield* Effect.exit(connect({ host: "localhost", port: server.port }, { ...verify, sslcrl: revoked }))
      )
      assert.strictEqual(byFile.reason._tag, "TlsError")
      assert.strictEqual((byFile.reason as PgError.TlsError).code, "CERT_REVOKED")
      // A hashed directory, as `openssl rehash` lays it out.
      const crlDir = fs.mkdtempSync(path.join(dir, "crldir-"))
      const hash = execFileSync("openssl", ["crl", "-hash", "-noout", "-in", revoked]).toString().trim()
      fs.copyFileSync(revoked, path.join(crlDir, `${hash}.r0`))
      fs.writeFileSync(path.join(crlDir, "README"), "not a CRL")
      const byDir = failureOf(
        yield* Effect.exit(connect({ host: "localhost", port: server.port }, { ...verify, sslcrldir: crlDir }))
      )
      assert.strictEqual((byDir.reason as PgError.TlsError).code, "CERT_REVOKED")
      // A missing CRL file is ignored, as in libpq.
      const missing = yield* open({ host: "localhost", port: server.port }, { ...verify, sslcrl: path.join(dir, "none.crl") })
      assert.isTrue(missing.socket.encrypted)
    }))

  it.live("sslkeylogfile receives the session keys", () =>
    Effect.gen(function*() {
      const server = yield* fake(acceptTls())
      const file = path.join(dir, "keys.log")
      const c = yield* open(tcp(server.port), { ...base, sslmode: "require", sslkeylogfile: file })
      yield* roundTrip(c.socket, "logged")
      const log = fs.readFileSync(file, "utf8")
      assert.match(log, /^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|CLIENT_RANDOM) /m)
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600)
    }))
})

// -----------------------------------------------------------------------------
// Direct TLS (PostgreSQL 17+)
// -----------------------------------------------------------------------------

const tlsServer = (options: tls.TlsOptions) =>
  Effect.acquireRelease(
    Effect.callback<{ server: tls.Server; port: number; requests: Array<Buffer> }>((resume) => {
      const requests: Array<Buffer> = []
      const server = tls.createServer({ key: serverPem.key, cert: serverPem.cert, ...options }, (s) => {
        s.on("error", () => {})
        s.on("data", (d) => {
          requests.push(d)
          s.write(d)
        })
      })
      server.on("tlsClientError", () => {})
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, port: (server.address() as net.AddressInfo).port, requests })))
    }),
    ({ server }) => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
  )

describe("sslnegotiation=direct", () => {
  it.live("starts TLS at once and requires ALPN postgresql", () =>
    Effect.gen(function*() {
      const server = yield* tlsServer({ ALPNProtocols: ["postgresql"] })
      const c = yield* open(tcp(server.port), { ...base, sslmode: "verify-full", sslrootcert: caFile, sslnegotiation: "direct" })
      assert.isTrue(c.socket.encrypted)
      assert.strictEqual(yield* roundTrip(c.socket, "direct"), "direct")
      // The first bytes on the wire were TLS, not an SSLRequest.
      assert.deepStrictEqual(server.requests.map(String), ["direct"])
    }))

  it.live("fails when the server does not select ALPN postgresql", () =>
    Effect.gen(function*() {
      const server = yield* tlsServer({})
      const error = failureOf(
        yield* Effect.exit(connect(tcp(server.port), { ...base, sslmode: "require", sslnegotiation: "direct" }))
      )
      assert.strictEqual(error.reason._tag, "TlsError")
      assert.include(error.message, "without ALPN")
    }))

  it.live("needs sslmode require or stronger", () =>
    Effect.gen(function*() {
      const error = failureOf(yield* Effect.exit(connect(tcp(1), { ...base, sslmode: "prefer", sslnegotiation: "direct" })))
      assert.strictEqual(error.reason._tag, "TlsError")
      assert.include(error.message, "sslnegotiation=direct")
    }))
})
