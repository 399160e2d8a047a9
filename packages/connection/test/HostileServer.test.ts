/**
 * Hostile and broken servers: every bad answer gives a typed `PgError` within a deadline — never
 * a hang, never an uncaught exception, never a connection that is open but out of step.
 *
 * Each test starts a scripted fake server (`@pgfx/test/PgFakeServer`) on 127.0.0.1 or a Unix
 * socket and connects with the real `PgConnection`. Start-up failures are bounded by a test
 * deadline (and by `connect_timeout` where a stall is the point); in-session stalls by
 * `Effect.timeout`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import fc from "fast-check"
import { createHash } from "node:crypto"
import type { BackendMessage } from "@pgfx/protocol/PgBackend"
import * as PgServerCodec from "@pgfx/protocol/PgServerCodec"
import { makeScramServer, parseClientFirst, scramAuthentication } from "@pgfx/test/PgFakeScram"
import * as Fake from "@pgfx/test/PgFakeServer"
import * as PgConfig from "../src/PgConfig.ts"
import * as PgConnection from "../src/PgConnection.ts"
import * as PgError from "../src/PgError.ts"

// -----------------------------------------------------------------------------
// Helpers
// -----------------------------------------------------------------------------

/** Parses a conninfo with nothing from the machine (no PG* variables, no password file). */
const configOf = (conninfo: string): PgConfig.PgConfig => {
  const parsed = PgConfig.parse(conninfo, {
    env: {},
    readFile: () => undefined,
    statFile: () => undefined,
    homeDir: "/nonexistent",
    osUser: "pgfx"
  })
  if (Result.isFailure(parsed)) throw new Error(`bad test conninfo: ${parsed.failure.message}`)
  return parsed.success
}

const connect = (server: Fake.FakeServer, extra = "", options?: PgConnection.ConnectionOptions) =>
  PgConnection.make(configOf(server.conninfo(extra)), options)

/** Runs `self`, which must fail within `ms`; returns the error and how long it took. */
const failsWithin = <A, R>(ms: number, self: Effect.Effect<A, PgError.PgError, R>) =>
  Effect.gen(function*() {
    const start = Date.now()
    const exit = yield* self.pipe(
      Effect.timeoutOrElse({ duration: ms, orElse: () => Effect.die(new Error(`no result within ${ms} ms`)) }),
      Effect.exit
    )
    const elapsed = Date.now() - start
    if (Exit.isSuccess(exit)) return assert.fail(`expected a failure, got ${String(exit.value)}`)
    const error = exit.cause.reasons.find((r) => r._tag === "Fail")
    if (error === undefined || error._tag !== "Fail") return assert.fail(`expected a typed failure: ${String(exit.cause)}`)
    assert.instanceOf(error.error, PgError.PgError)
    assert.isBelow(elapsed, ms)
    return { error: error.error as PgError.PgError, elapsed }
  })

/** Connecting must fail within `ms` (default 2 s). */
const startupFails = (server: Fake.FakeServer, extra = "", options?: PgConnection.ConnectionOptions, ms = 2000) =>
  Effect.map(failsWithin(ms, Effect.scoped(connect(server, extra, options))), ({ error, elapsed }) => {
    assert.isFalse(error.reason._tag === "ConfigError", `the test's own config is wrong: ${error.message}`)
    return { reason: error.reason, error, elapsed }
  })

const tags = (connection: Fake.FakeConnection): Array<string> => connection.received.map((m) => m._tag)

const passwordMaterial = new Set(["PasswordMessage", "SASLInitialResponse", "SASLResponse", "GSSResponse"])

/** Asserts the client sent nothing that carries or derives from the password. */
const assertNoPasswordSent = (connection: Fake.FakeConnection): void => {
  const sent = tags(connection).filter((t) => passwordMaterial.has(t))
  assert.deepStrictEqual(sent, [], `the client sent ${sent.join(", ")}`)
}

/** Waits (bounded) until the client has closed this socket. */
const clientHungUp = (connection: Fake.FakeConnection) =>
  connection.closed.pipe(
    Effect.timeoutOrElse({ duration: 2000, orElse: () => Effect.die(new Error("the client left the socket open")) })
  )

/**
 * Waits (bounded) until the connection reports its close, then checks it no longer says it is
 * open. (Right when a request fails because the connection closed, `isOpen` may still be true:
 * see the skipped BUG test at the end.)
 */
const closedWith = (conn: PgConnection.PgConnection) =>
  conn.closed.pipe(
    Effect.timeoutOrElse({ duration: 2000, orElse: () => Effect.die(new Error("the connection did not report a close")) }),
    Effect.tap(() => Effect.sync(() => assert.isFalse(conn.isOpen)))
  )

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** A header: type byte and length word. */
const header = (type: string, length: number): Array<number> => [
  type.charCodeAt(0),
  (length >>> 24) & 0xff,
  (length >>> 16) & 0xff,
  (length >>> 8) & 0xff,
  length & 0xff
]

const md5hex = (data: string | Uint8Array): string => createHash("md5").update(data).digest("hex")

const session = (server: Fake.FakeServer, n = 0) =>
  server.session(n).pipe(
    Effect.timeoutOrElse({ duration: 2000, orElse: () => Effect.die(new Error(`no session ${n}`)) })
  )

// -----------------------------------------------------------------------------
// The fake server itself
// -----------------------------------------------------------------------------

describe("PgFakeServer", () => {
  it.live("runs a trust start-up and a scripted query over TCP", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery("select 1 as x"),
          Fake.send(Fake.textResult(["x"], [["1"]]), Fake.readyForQuery())
        ]
      })
      const conn = yield* connect(server)
      const [result] = yield* conn.simple("select 1 as x")
      assert.deepStrictEqual(result!.rows, [{ x: "1" }])
      assert.strictEqual(conn.protocolVersion, "3.0")
      assert.strictEqual(conn.processId, 4242)
      assert.deepStrictEqual(server.failures, [])
      const s = yield* session(server)
      assert.deepStrictEqual(tags(s), ["SSLRequest", "StartupMessage", "Query"])
      assert.deepStrictEqual(s.startup!.parameters.find(([k]) => k === "user"), ["user", "pgfx"])
    }))

  it.live("runs over a Unix socket", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        unixSocket: true,
        script: [
          Fake.trustStartup(),
          Fake.expectQuery(),
          Fake.send(Fake.textResult(["x"], [["unix"]]), Fake.readyForQuery())
        ]
      })
      assert.isDefined(server.socketPath)
      const conn = yield* connect(server)
      const [result] = yield* conn.simple("select 'unix' as x")
      assert.deepStrictEqual(result!.rows, [{ x: "unix" }])
      // Unix sockets never negotiate TLS.
      assert.deepStrictEqual(tags(yield* session(server)), ["StartupMessage", "Query"])
    }))

  it.live("its SCRAM server completes an honest exchange (the positive control for the hostile ones)", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [scramAuthentication({ password: "pa ss\u00e9" })] })
      const conn = yield* connect(server, "password='pa ss\u00e9' require_auth=scram-sha-256 channel_binding=prefer")
      assert.isTrue(conn.isOpen)
      assert.deepStrictEqual(server.failures, [])
      assert.deepStrictEqual(tags(yield* session(server)), [
        "SSLRequest",
        "StartupMessage",
        "SASLInitialResponse",
        "SASLResponse"
      ])
    }))

  it.live("its SCRAM server refuses a wrong password with FATAL 28P01", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [scramAuthentication({ password: "right" })] })
      const { reason } = yield* startupFails(server, "password=wrong")
      assert.strictEqual(reason._tag, "AuthenticationError")
      if (reason._tag !== "AuthenticationError") return
      assert.strictEqual(reason.code, "28P01")
      assert.strictEqual(reason.method, "scram-sha-256")
      // The server's fields are kept in the cause.
      const cause = reason.cause as PgError.ServerErrorReason
      assert.strictEqual(cause.severity, "FATAL")
    }))

  it("makeScramServer rejects a forged proof", () => {
    const server = makeScramServer({ password: "x", serverNonce: "S", salt: new Uint8Array([1, 2, 3]), iterations: 1 })
    const first = server.serverFirst(bytes("n,,n=,r=abc"))
    assert.strictEqual(first, "r=abcS,s=AQID,i=1")
    assert.deepStrictEqual(parseClientFirst(bytes("y,,n=,r=abc")).gs2Header, "y,,")
    const final = server.serverFinal(bytes(`c=biws,r=abcS,p=${Buffer.alloc(32).toString("base64")}`))
    assert.deepStrictEqual(final, { ok: false, message: "e=invalid-proof" })
  })

  it.live("records script failures instead of throwing", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [Fake.trustStartup(), Fake.expect("Sync")] })
      const conn = yield* connect(server)
      const error = yield* Effect.flip(conn.simple("select 1"))
      assert.strictEqual(error.reason._tag, "ConnectionClosed")
      assert.strictEqual(server.failures.length, 1)
      assert.include(server.failures[0]!, "expected Sync, received Query")
    }))
})

// -----------------------------------------------------------------------------
// Start-up phase
// -----------------------------------------------------------------------------

describe("start-up phase", () => {
  it.live("garbage instead of an authentication request is a ProtocolError", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [Fake.sendRaw(bytes("HTTP/1.1 400 Bad Request\r\n\r\n"))] })
      const { reason } = yield* startupFails(server)
      assert.strictEqual(reason._tag, "ProtocolError")
      assert.include(reason.message, "malformed server message during start-up")
      yield* clientHungUp(yield* session(server))
    }))

  it.live("an unknown message type is a ProtocolError", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [Fake.sendRaw([...header("j", 4)])] })
      const { reason } = yield* startupFails(server)
      assert.strictEqual(reason._tag, "ProtocolError")
      assert.include(reason.message, "unknown message type 'j'")
    }))

  // A message cut short by the end of the connection is reported as the end of the connection:
  // the client cannot tell a server that wrote half a message from a network that lost the rest,
  // and the reason must stay retryable for the second case. (Only bytes that are wrong in
  // themselves are a ProtocolError.)
  it.live("a truncated message followed by close is ConnectionClosed", () =>
    Effect.gen(function*() {
      // AuthenticationMD5Password is 13 bytes; send 7 of them.
      const server = yield* Fake.make({ script: [Fake.sendRaw([...header("R", 12), 0, 0]), Fake.close] })
      const { reason } = yield* startupFails(server, "password=secret")
      assert.strictEqual(reason._tag, "ConnectionClosed")
      assert.isTrue(reason._tag === "ConnectionClosed" && reason.safeToRetry)
      assertNoPasswordSent(yield* session(server))
    }))

  it.live("a truncated message followed by silence is ConnectTimeout after connect_timeout", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [Fake.sendRaw([...header("R", 12), 0, 0]), Fake.stall] })
      const { reason, elapsed } = yield* startupFails(server, "connect_timeout=1", undefined, 3000)
      assert.strictEqual(reason._tag, "ConnectTimeout")
      assert.isAtLeast(elapsed, 900)
      yield* clientHungUp(yield* session(server))
    }))

  it.live("an oversized length (0x7fffffff) is a ProtocolError at once, without waiting for the body", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [Fake.sendRaw([...header("R", 0x7fffffff), 0, 0, 0, 3]), Fake.stall] })
      const { reason, elapsed } = yield* startupFails(server)
      assert.strictEqual(reason._tag, "ProtocolError")
      assert.include(reason.message, "exceeds maxMessageSize")
      assert.isBelow(elapsed, 1000)
    }))

  it.live("maxMessageSize applies during start-up", () =>
    Effect.gen(function*() {
      // An ErrorResponse of 4 KiB with a 1 KiB limit: refused from its header alone.
      const server = yield* Fake.make({ script: [Fake.sendRaw(header("E", 4096)), Fake.stall] })
      const { reason } = yield* startupFails(server, "", { maxMessageSize: 1024 })
      assert.strictEqual(reason._tag, "ProtocolError")
      assert.include(reason.message, "exceeds maxMessageSize 1024")
    }))

  const wrongState: ReadonlyArray<readonly [string, ReadonlyArray<BackendMessage>]> = [
    ["DataRow", [PgServerCodec.dataRow(["1"])]],
    ["ReadyForQuery", [Fake.readyForQuery()]],
    ["RowDescription", [{ _tag: "RowDescription", fields: [Fake.textField("x")] }]],
    ["CommandComplete", [PgServerCodec.commandComplete("SELECT 1")]],
    ["CopyInResponse", [{ _tag: "CopyInResponse", format: 0, columnFormats: [] }]],
    ["NotificationResponse", [{ _tag: "NotificationResponse", processId: 1, channel: "c", payload: "p" }]],
    ["AuthenticationSASLContinue", [{ _tag: "AuthenticationSASLContinue", data: bytes("r=x,s=AQID,i=1") }]],
    ["AuthenticationSASLFinal", [{ _tag: "AuthenticationSASLFinal", data: bytes("v=AAAA") }]],
    ["AuthenticationGSSContinue", [{ _tag: "AuthenticationGSSContinue", data: bytes("x") }]]
  ]
  for (const [name, messages] of wrongState) {
    it.live(`${name} before authentication is a ProtocolError`, () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.send(messages), Fake.stall] })
        const { reason } = yield* startupFails(server)
        assert.strictEqual(reason._tag, "ProtocolError")
      }))
  }

  it.live("a DataRow after AuthenticationOk but before ReadyForQuery is a ProtocolError", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [Fake.send({ _tag: "AuthenticationOk" }, PgServerCodec.dataRow(["1"])), Fake.stall]
      })
      const { reason } = yield* startupFails(server)
      assert.strictEqual(reason._tag, "ProtocolError")
    }))

  it.live("a second AuthenticationOk is a ProtocolError", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [Fake.send({ _tag: "AuthenticationOk" }, { _tag: "AuthenticationOk" }), Fake.stall]
      })
      const { reason } = yield* startupFails(server)
      assert.strictEqual(reason._tag, "ProtocolError")
    }))

  it.live("a password request after AuthenticationOk is a ProtocolError and the password is not sent", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [Fake.send({ _tag: "AuthenticationOk" }, { _tag: "AuthenticationCleartextPassword" }), Fake.awaitClose]
      })
      const { reason } = yield* startupFails(server, "password=secret")
      assert.strictEqual(reason._tag, "ProtocolError")
      assertNoPasswordSent(yield* session(server))
    }))

  describe("authentication downgrades", () => {
    it.live("cleartext and MD5 work when allowed (positive controls)", () =>
      Effect.gen(function*() {
        const salt = new Uint8Array([1, 2, 3, 4])
        const server = yield* Fake.make({
          script: (n) => [
            n === 0
              ? Fake.send({ _tag: "AuthenticationCleartextPassword" })
              : Fake.send({ _tag: "AuthenticationMD5Password", salt }),
            Fake.expect("PasswordMessage", (m) =>
              m.password === (n === 0 ? "secret" : "md5" + md5hex(Buffer.concat([Buffer.from(md5hex("secretpgfx")), salt])))),
            Fake.trustStartup()
          ]
        })
        yield* Effect.scoped(connect(server, "password=secret require_auth=password"))
        yield* Effect.scoped(connect(server, "password=secret require_auth=md5"))
        assert.deepStrictEqual(server.failures, [])
        // The recording works: these sessions did carry a password.
        assert.include(tags(yield* session(server, 0)), "PasswordMessage")
        assert.include(tags(yield* session(server, 1)), "PasswordMessage")
      }))

    const downgrades: ReadonlyArray<readonly [string, BackendMessage]> = [
      ["cleartext", { _tag: "AuthenticationCleartextPassword" }],
      ["MD5", { _tag: "AuthenticationMD5Password", salt: new Uint8Array([9, 9, 9, 9]) }]
    ]
    for (const [name, request] of downgrades) {
      it.live(`require_auth=scram-sha-256 refuses ${name} and does not send the password`, () =>
        Effect.gen(function*() {
          const server = yield* Fake.make({ script: [Fake.send(request), Fake.awaitClose] })
          const { reason } = yield* startupFails(server, "password=secret require_auth=scram-sha-256")
          assert.strictEqual(reason._tag, "AuthenticationError")
          assert.include(reason.message, "authentication method requirement")
          const s = yield* session(server)
          yield* clientHungUp(s)
          assertNoPasswordSent(s)
        }))
    }

    it.live("require_auth=scram-sha-256 refuses a server that skips authentication (trust)", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.trustStartup(), Fake.awaitClose] })
        const { reason } = yield* startupFails(server, "password=secret require_auth=scram-sha-256")
        assert.strictEqual(reason._tag, "AuthenticationError")
      }))

    it.live("channel_binding=require without TLS fails before any SASL message is sent", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [Fake.send({ _tag: "AuthenticationSASL", mechanisms: ["SCRAM-SHA-256"] }), Fake.awaitClose]
        })
        const { reason } = yield* startupFails(server, "password=secret channel_binding=require")
        assert.strictEqual(reason._tag, "AuthenticationError")
        assert.strictEqual((reason.cause as { reason?: string }).reason, "ChannelBindingRequired")
        assertNoPasswordSent(yield* session(server))
      }))

    it.live("channel_binding=require refuses cleartext without sending the password", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.send({ _tag: "AuthenticationCleartextPassword" }), Fake.awaitClose] })
        const { reason } = yield* startupFails(server, "password=secret channel_binding=require")
        assert.strictEqual(reason._tag, "AuthenticationError")
        assertNoPasswordSent(yield* session(server))
      }))

    it.live("SCRAM-SHA-256-PLUS offered over plaintext is refused (TLS stripped in between)", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [Fake.send({ _tag: "AuthenticationSASL", mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"] }), Fake.awaitClose]
        })
        const { reason } = yield* startupFails(server, "password=secret")
        assert.strictEqual(reason._tag, "AuthenticationError")
        assert.strictEqual((reason.cause as { reason?: string }).reason, "PlusOfferedWithoutTls")
        assertNoPasswordSent(yield* session(server))
      }))

    it.live("no supported SASL mechanism is an AuthenticationError", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [Fake.send({ _tag: "AuthenticationSASL", mechanisms: ["OAUTHBEARER"] }), Fake.awaitClose]
        })
        const { reason } = yield* startupFails(server, "password=secret")
        assert.strictEqual(reason._tag, "AuthenticationError")
        assertNoPasswordSent(yield* session(server))
      }))
  })

  describe("hostile SCRAM servers", () => {
    const scramFails = (options: Omit<Parameters<typeof scramAuthentication>[0], "password">) =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [scramAuthentication({ password: "secret", ...options })] })
        const { reason, elapsed } = yield* startupFails(server, "password=secret")
        assert.strictEqual(reason._tag, "AuthenticationError")
        return { reason, elapsed, session: yield* session(server) }
      })

    it.live("a wrong server signature is BadServerSignature", () =>
      Effect.gen(function*() {
        const { reason } = yield* scramFails({ serverFinal: () => "v=" + Buffer.alloc(32, 7).toString("base64") })
        assert.strictEqual((reason.cause as { reason?: string }).reason, "BadServerSignature")
      }))

    it.live("a server-final error (e=) is an AuthenticationError", () =>
      Effect.gen(function*() {
        const { reason } = yield* scramFails({ serverFinal: () => "e=other-error" })
        assert.strictEqual((reason.cause as { reason?: string }).reason, "ServerError")
      }))

    it.live("AuthenticationOk right after the SASL initial response (no proof) is refused", () =>
      Effect.gen(function*() {
        const { reason, session } = yield* scramFails({ okAfter: "initial" })
        assert.include(reason.message, "SCRAM incomplete")
        assert.notInclude(tags(session), "SASLResponse")
      }))

    it.live("AuthenticationOk without SASLFinal (server signature never shown) is refused", () =>
      Effect.gen(function*() {
        const { reason } = yield* scramFails({ okAfter: "response" })
        assert.include(reason.message, "SCRAM incomplete")
      }))

    it.live("a nonce that does not extend the client's is NonceMismatch, and no proof is sent", () =>
      Effect.gen(function*() {
        const { reason, session } = yield* scramFails({
          serverFirst: (message) => message.replace(/^r=[^,]*/, "r=someoneElsesNonce")
        })
        assert.strictEqual((reason.cause as { reason?: string }).reason, "NonceMismatch")
        assert.notInclude(tags(session), "SASLResponse")
      }))

    it.live("an absurd iteration count (i=2147483647) fails at once instead of running PBKDF2 for minutes", () =>
      Effect.gen(function*() {
        const { reason, elapsed, session } = yield* scramFails({
          serverFirst: (message) => message.replace(/i=\d+$/, "i=2147483647")
        })
        assert.strictEqual((reason.cause as { reason?: string }).reason, "InvalidIterationCount")
        assert.isBelow(elapsed, 1000)
        assert.notInclude(tags(session), "SASLResponse")
      }))
  })

  const unsupported: ReadonlyArray<readonly [string, BackendMessage, string]> = [
    ["GSSAPI", { _tag: "AuthenticationGSS" }, "gss"],
    ["SSPI", { _tag: "AuthenticationSSPI" }, "sspi"],
    ["Kerberos V5", { _tag: "AuthenticationKerberosV5" }, "gss"]
  ]
  for (const [name, request, feature] of unsupported) {
    it.live(`${name} authentication is Unsupported`, () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.send(request), Fake.awaitClose] })
        const { reason } = yield* startupFails(server, "password=secret")
        assert.strictEqual(reason._tag, "Unsupported")
        assert.isTrue(reason._tag === "Unsupported" && reason.feature === feature)
        assertNoPasswordSent(yield* session(server))
      }))
  }

  describe("servers that never answer", () => {
    it.live("silence after the StartupMessage is ConnectTimeout after connect_timeout", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.stall] })
        const { reason, elapsed } = yield* startupFails(server, "sslmode=disable connect_timeout=1", undefined, 3000)
        assert.strictEqual(reason._tag, "ConnectTimeout")
        assert.isAtLeast(elapsed, 900)
        yield* clientHungUp(yield* session(server))
      }))

    it.live("an unanswered SSLRequest is ConnectTimeout after connect_timeout", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ sslResponse: "ignore", script: [] })
        const { reason, elapsed } = yield* startupFails(server, "connect_timeout=1", undefined, 3000)
        assert.strictEqual(reason._tag, "ConnectTimeout")
        assert.isAtLeast(elapsed, 900)
        assert.strictEqual(server.sockets.length, 1)
        assert.deepStrictEqual(tags(server.sockets[0]!), ["SSLRequest"])
        yield* clientHungUp(server.sockets[0]!)
      }))

    it.live("silence in the middle of SCRAM is ConnectTimeout after connect_timeout", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [Fake.send({ _tag: "AuthenticationSASL", mechanisms: ["SCRAM-SHA-256"] }), Fake.stall]
        })
        const { reason } = yield* startupFails(server, "password=secret connect_timeout=1", undefined, 3000)
        assert.strictEqual(reason._tag, "ConnectTimeout")
      }))

    it.live("a server that closes before answering the SSLRequest is a ConnectionError", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ sslResponse: "ignore", script: [] })
        // Close every socket as soon as its SSLRequest arrived.
        const closer = Effect.gen(function*() {
          while (server.sockets.length === 0 || server.sockets[0]!.received.length === 0) yield* Effect.sleep(5)
          server.sockets[0]!.end()
        })
        const [{ reason }] = yield* Effect.all([startupFails(server), closer], { concurrency: 2 })
        assert.strictEqual(reason._tag, "ConnectionError")
      }))
  })

  describe("SSL negotiation", () => {
    for (const sslmode of ["require", "prefer"]) {
      it.live(`'S' followed by plaintext in the same write is refused (sslmode=${sslmode}), with no plaintext retry`, () =>
        Effect.gen(function*() {
          const injected = new Uint8Array([0x53, ...PgServerCodec.encodeBackend({ _tag: "AuthenticationOk" })])
          const server = yield* Fake.make({ sslResponse: injected, script: [Fake.trustStartup()] })
          const { reason } = yield* startupFails(server, `sslmode=${sslmode}`)
          assert.strictEqual(reason._tag, "ProtocolError")
          assert.include(reason.message, "unencrypted data after SSL response")
          yield* Effect.sleep(100)
          assert.strictEqual(server.sockets.length, 1)
          assert.deepStrictEqual(tags(server.sockets[0]!), ["SSLRequest"])
        }))
    }

    it.live("'N' followed by more bytes is a ProtocolError", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ sslResponse: new Uint8Array([0x4e, 0x52]), script: [] })
        const { reason } = yield* startupFails(server)
        assert.strictEqual(reason._tag, "ProtocolError")
      }))

    it.live("an invalid reply byte is a ProtocolError", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ sslResponse: new Uint8Array([0x58]), script: [] })
        const { reason } = yield* startupFails(server)
        assert.strictEqual(reason._tag, "ProtocolError")
        assert.include(reason.message, "invalid response to SSL negotiation")
      }))

    it.live("'N' under sslmode=require is a TlsError", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [] })
        const { reason } = yield* startupFails(server, "sslmode=require")
        assert.strictEqual(reason._tag, "TlsError")
      }))
  })

  describe("ErrorResponse during start-up", () => {
    it.live("FATAL 53300 is TooManyConnections with every field kept", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [
            Fake.send(
              Fake.errorResponse("53300", "sorry, too many clients already", {
                severity: "FATAL",
                detail: "max_connections is 3",
                hint: "try later",
                routine: "InitProcessPhase2"
              })
            ),
            Fake.close
          ]
        })
        const { reason } = yield* startupFails(server)
        assert.strictEqual(reason._tag, "TooManyConnections")
        if (reason._tag !== "TooManyConnections") return
        assert.strictEqual(reason.message, "sorry, too many clients already")
        assert.strictEqual(reason.severity, "FATAL")
        assert.strictEqual(reason.code, "53300")
        assert.strictEqual(reason.condition, "too_many_connections")
        assert.strictEqual(reason.detail, "max_connections is 3")
        assert.strictEqual(reason.hint, "try later")
        assert.strictEqual(reason.routine, "InitProcessPhase2")
        assert.isTrue(reason.isRetryable)
      }))

    it.live("FATAL 28000 (no pg_hba.conf entry) is an AuthenticationError with the code and fields", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [
            Fake.send(
              Fake.errorResponse("28000", "no pg_hba.conf entry for host \"127.0.0.1\"", {
                severity: "FATAL",
                detail: "some detail"
              })
            ),
            Fake.close
          ]
        })
        const { reason } = yield* startupFails(server)
        assert.strictEqual(reason._tag, "AuthenticationError")
        if (reason._tag !== "AuthenticationError") return
        assert.strictEqual(reason.code, "28000")
        assert.include(reason.message, "no pg_hba.conf entry")
        assert.strictEqual((reason.cause as PgError.ServerErrorReason).detail, "some detail")
      }))

    // BUG (hosts.ts, reported): with sslmode=allow an ErrorResponse on the plaintext attempt makes
    // the client retry with TLS (as libpq does); when that retry fails too (the server says 'N'),
    // the error returned is the retry's TlsError (not retryable), and the server's own reason
    // (TooManyConnections, retryable) is lost. libpq reports both messages.
    it.effect("sslmode=allow keeps the server's reason when the TLS retry fails too", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [Fake.send(Fake.errorResponse("53300", "sorry, too many clients already", { severity: "FATAL" })), Fake.close]
        })
        const { error, reason } = yield* startupFails(server, "sslmode=allow")
        assert.deepStrictEqual(server.sockets.map(tags), [["StartupMessage"], ["SSLRequest"]])
        assert.strictEqual(reason._tag, "TooManyConnections")
        assert.isTrue(error.isRetryable)
      }))

    it.live("FATAL 57P03 (the database system is starting up) is AdminShutdown, retryable", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [Fake.send(Fake.errorResponse("57P03", "the database system is starting up", { severity: "FATAL" })), Fake.close]
        })
        const { error, reason } = yield* startupFails(server)
        assert.strictEqual(reason._tag, "AdminShutdown")
        assert.isTrue(error.isRetryable)
      }))

    it.live("a password request answered, then FATAL 28P01, is an AuthenticationError", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: [
            Fake.send({ _tag: "AuthenticationCleartextPassword" }),
            Fake.expect("PasswordMessage"),
            Fake.send(Fake.errorResponse("28P01", "password authentication failed for user \"pgfx\"", { severity: "FATAL" })),
            Fake.close
          ]
        })
        const { reason } = yield* startupFails(server, "password=wrong")
        assert.strictEqual(reason._tag, "AuthenticationError")
        assert.isTrue(reason._tag === "AuthenticationError" && reason.code === "28P01" && reason.method === "password")
      }))
  })

  describe("NegotiateProtocolVersion", () => {
    const npv = (minor: number, options: ReadonlyArray<string> = []): BackendMessage => ({
      _tag: "NegotiateProtocolVersion",
      newestVersion: 0x30000 | minor,
      unrecognizedOptions: options
    })

    it.live("3.0 offered when 3.2 is the minimum is Unsupported", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.send(npv(0)), Fake.awaitClose] })
        const { reason } = yield* startupFails(server, "min_protocol_version=3.2 max_protocol_version=3.2")
        assert.strictEqual(reason._tag, "Unsupported")
        const s = yield* session(server)
        assert.strictEqual(s.startup!.protocolVersion, 0x30002)
      }))

    it.live("3.0 offered with the default minimum connects with protocol 3.0", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.send(npv(0)), Fake.trustStartup()] })
        const conn = yield* connect(server, "max_protocol_version=3.2")
        assert.strictEqual(conn.protocolVersion, "3.0")
        assert.strictEqual((yield* session(server)).startup!.protocolVersion, 0x30002)
      }))

    it.live("3.2 without negotiation connects with protocol 3.2 and a long cancel key", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.trustStartup({ secretKey: new Uint8Array(32).fill(5) })] })
        const conn = yield* connect(server, "max_protocol_version=3.2")
        assert.strictEqual(conn.protocolVersion, "3.2")
      }))

    it.live("an 'upgrade' to a newer version than asked is a ProtocolError", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.send(npv(2)), Fake.stall] })
        const { reason } = yield* startupFails(server)
        assert.strictEqual(reason._tag, "ProtocolError")
      }))

    it.live("unrecognized protocol options the client never sent are a ProtocolError", () =>
      Effect.gen(function*() {
        const server = yield* Fake.make({ script: [Fake.send(npv(0, ["_pq_.bogus"])), Fake.stall] })
        const { reason } = yield* startupFails(server, "max_protocol_version=3.2")
        assert.strictEqual(reason._tag, "ProtocolError")
      }))
  })

  // BUG (PgConnection.ts, reported): `make` acquires with `Effect.acquireRelease(acquire, release)`,
  // whose acquire is uninterruptible, so a start-up that never ends cannot be interrupted
  // (`Effect.timeout(PgConnection.make(…))` hangs with it); only connect_timeout bounds it.
  // Fix: `Effect.acquireRelease(acquire, release, { interruptible: true })`.
  it.effect("interrupting a start-up that never ends is prompt and closes the socket", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [Fake.stall] })
      // Detached, so that a hang fails this test instead of its scope.
      const fiber = yield* Effect.forkDetach(Effect.scoped(connect(server)))
      const s = yield* session(server)
      yield* Effect.forkDetach(Fiber.interrupt(fiber))
      const exit = yield* Fiber.await(fiber).pipe(Effect.timeoutOption("1 second"))
      assert.isTrue(Option.isSome(exit), "interrupting PgConnection.make during start-up did not finish")
      yield* clientHungUp(s)
    }))

  it.live("a hostile first host does not stop the next one from being tried", () =>
    Effect.gen(function*() {
      const hostile = yield* Fake.make({ script: [Fake.sendRaw(bytes("garbage!"))] })
      const silent = yield* Fake.make({ script: [Fake.stall] })
      const good = yield* Fake.make({ script: [Fake.trustStartup({ processId: 3 })] })
      const conninfo = `host=127.0.0.1,127.0.0.1,127.0.0.1 port=${hostile.port},${silent.port},${good.port} ` +
        "user=pgfx dbname=pgfx connect_timeout=1"
      const conn = yield* PgConnection.make(configOf(conninfo))
      assert.strictEqual(conn.processId, 3)
      assert.strictEqual(conn.target.port, good.port)
    }))

  it.live("when every host is hostile the error lists each attempt", () =>
    Effect.gen(function*() {
      const a = yield* Fake.make({ script: [Fake.sendRaw(bytes("garbage!"))] })
      const b = yield* Fake.make({ script: [Fake.send(Fake.errorResponse("53300", "too many", { severity: "FATAL" }))] })
      const conninfo = `host=127.0.0.1,127.0.0.1 port=${a.port},${b.port} user=pgfx dbname=pgfx`
      const { error } = yield* failsWithin(2000, Effect.scoped(PgConnection.make(configOf(conninfo))))
      assert.include(error.message, "malformed server message")
      assert.include(error.message, "too many")
    }))

  it("random server bytes during start-up always give a typed error within the deadline", async () => {
    // Whatever the server sends (then it closes), the client ends with a PgError: never a hang,
    // never an exception. Random bytes may happen to be valid messages (an ErrorResponse, a
    // password request), so any reason is fine — but it must be a PgError, and quickly.
    const inputs: Array<Uint8Array> = []
    const program = Effect.scoped(
      Effect.gen(function*() {
        const server = yield* Fake.make({
          script: (n) => [Fake.sendRaw(inputs[n]!), Fake.close]
        })
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.oneof(
                fc.uint8Array({ minLength: 1, maxLength: 64 }),
                // A plausible header (known type byte, small length) and random body bytes.
                fc.tuple(fc.constantFrom(..."RESKZTDCNAv".split("")), fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 40 }))
                  .map(([t, n, body]) => new Uint8Array([...header(t, n), ...body]))
              ),
              async (input) => {
                inputs.push(input)
                const exit = await Effect.runPromiseExit(
                  failsWithin(2000, Effect.scoped(connect(server, "password=secret sslmode=disable")))
                )
                if (Exit.isFailure(exit)) throw new Error(`input ${Buffer.from(input).toString("hex")}: ${String(exit.cause)}`)
              }
            ),
            { numRuns: 40 }
          )
        )
      })
    )
    await Effect.runPromise(program)
    assert.isAtLeast(inputs.length, 40)
  })
})

// -----------------------------------------------------------------------------
// In session
// -----------------------------------------------------------------------------

describe("in session", () => {
  it.live("garbage in answer to a query: ProtocolError, the connection closes, later requests fail fast", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [Fake.trustStartup(), Fake.expectQuery(), Fake.sendRaw(bytes("\x00\x01garbage garbage")), Fake.awaitClose]
      })
      const conn = yield* connect(server)
      const { error } = yield* failsWithin(2000, conn.simple("select 1"))
      assert.strictEqual(error.reason._tag, "ProtocolError")
      assert.strictEqual((yield* closedWith(conn))?.reason._tag, "ProtocolError")
      const later = yield* failsWithin(200, conn.simple("select 2"))
      assert.include(["ProtocolError", "ConnectionClosed"], later.error.reason._tag)
      const laterExecute = yield* failsWithin(200, conn.execute("select $1::int", [1]))
      assert.include(["ProtocolError", "ConnectionClosed"], laterExecute.error.reason._tag)
      yield* clientHungUp(yield* session(server))
    }))

  it.live("an unknown message type in answer to a query is a ProtocolError and closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [Fake.trustStartup(), Fake.expectQuery(), Fake.sendRaw([...header("j", 5), 0]), Fake.awaitClose]
      })
      const conn = yield* connect(server)
      const { error } = yield* failsWithin(2000, conn.simple("select 1"))
      assert.strictEqual(error.reason._tag, "ProtocolError")
      assert.strictEqual((yield* closedWith(conn))?.reason._tag, "ProtocolError")
    }))

  it.live("a DataRow whose field runs past the message is a ProtocolError", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery(),
          Fake.send({ _tag: "RowDescription", fields: [Fake.textField("x")] }),
          // fieldCount 1, field length 100, but only 2 bytes follow.
          Fake.sendRaw([...header("D", 12), 0, 1, 0, 0, 0, 100, 0x41, 0x42]),
          Fake.send(PgServerCodec.commandComplete("SELECT 1"), Fake.readyForQuery()),
          Fake.awaitClose
        ]
      })
      const conn = yield* connect(server)
      const { error } = yield* failsWithin(2000, conn.simple("select 1"))
      assert.strictEqual(error.reason._tag, "ProtocolError")
      assert.include(error.message, "runs past the end of the message")
      assert.strictEqual((yield* closedWith(conn))?.reason._tag, "ProtocolError")
    }))

  it.live("a message beyond maxMessageSize mid-session is a ProtocolError at once", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery(),
          Fake.send({ _tag: "RowDescription", fields: [Fake.textField("x")] }),
          Fake.sendRaw(header("D", 1 << 20)),
          Fake.stall
        ]
      })
      const conn = yield* connect(server, "", { maxMessageSize: 64 * 1024 })
      const { error, elapsed } = yield* failsWithin(2000, conn.simple("select 1"))
      assert.strictEqual(error.reason._tag, "ProtocolError")
      assert.isBelow(elapsed, 1000)
    }))

  it.live("a ReadyForQuery with an invalid status byte is a ProtocolError", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery(),
          Fake.send(Fake.textResult(["x"], [["1"]])),
          Fake.sendRaw([...header("Z", 5), 0x58]),
          Fake.awaitClose
        ]
      })
      const conn = yield* connect(server)
      const { error } = yield* failsWithin(2000, conn.simple("select 1"))
      assert.strictEqual(error.reason._tag, "ProtocolError")
      assert.include(error.message, "transaction status")
      assert.strictEqual((yield* closedWith(conn))?.reason._tag, "ProtocolError")
    }))

  it.live("a ReadyForQuery with no request in flight closes the connection with a ProtocolError", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({ script: [Fake.trustStartup(), Fake.sleep(20), Fake.send(Fake.readyForQuery())] })
      const conn = yield* connect(server)
      const closed = yield* conn.closed.pipe(
        Effect.timeoutOrElse({ duration: 2000, orElse: () => Effect.die(new Error("not closed")) })
      )
      assert.strictEqual(closed?.reason._tag, "ProtocolError")
      assert.isFalse(conn.isOpen)
    }))

  it.live("a message out of place (DataRow before RowDescription) fails the query and never leaves the connection out of step", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery(),
          Fake.send(PgServerCodec.dataRow(["1"]), PgServerCodec.commandComplete("SELECT 1"), Fake.readyForQuery()),
          Fake.expectQuery(),
          Fake.send(Fake.textResult(["y"], [["2"]]), Fake.readyForQuery())
        ]
      })
      const conn = yield* connect(server)
      const { error } = yield* failsWithin(2000, conn.simple("select 1"))
      assert.strictEqual(error.reason._tag, "ProtocolError")
      // Either the connection was closed, or it is in step: the next answer is the next query's.
      if (conn.isOpen) {
        const [result] = yield* conn.simple("select 2 as y")
        assert.deepStrictEqual(result!.rows, [{ y: "2" }])
      }
    }))

  it.live("the server dropping the connection fails all 10 pipelined requests with ConnectionClosed", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [Fake.trustStartup(), ...Array.from({ length: 10 }, () => Fake.expectQuery()), Fake.close]
      })
      const conn = yield* connect(server)
      const start = Date.now()
      const exits = yield* Effect.all(
        Array.from({ length: 10 }, (_, i) => Effect.exit(conn.simple(`select ${i}`))),
        { concurrency: "unbounded" }
      ).pipe(Effect.timeoutOrElse({ duration: 2000, orElse: () => Effect.die(new Error("requests still pending")) }))
      assert.isBelow(Date.now() - start, 2000)
      assert.deepStrictEqual(server.failures, [])
      for (const exit of exits) {
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isSuccess(exit)) continue
        const fail = exit.cause.reasons.find((r) => r._tag === "Fail")
        assert.isDefined(fail)
        const reason = (fail as { error: PgError.PgError }).error.reason
        assert.strictEqual(reason._tag, "ConnectionClosed")
        // Every request was written: retrying could run it twice.
        assert.isFalse(reason._tag === "ConnectionClosed" && reason.safeToRetry)
      }
      assert.strictEqual((yield* closedWith(conn))?.reason._tag, "ConnectionClosed")
      assert.strictEqual(conn.inFlight, 0)
    }))

  it.live("a TCP reset with requests in flight fails them all with a connection reason", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [Fake.trustStartup(), ...Array.from({ length: 3 }, () => Fake.expectQuery()), Fake.reset]
      })
      const conn = yield* connect(server)
      const exits = yield* Effect.all(
        Array.from({ length: 3 }, (_, i) => Effect.flip(conn.simple(`select ${i}`))),
        { concurrency: "unbounded" }
      ).pipe(Effect.timeoutOrElse({ duration: 2000, orElse: () => Effect.die(new Error("requests still pending")) }))
      for (const error of exits) assert.include(["ConnectionClosed", "ConnectionError"], error.reason._tag)
      assert.include(["ConnectionClosed", "ConnectionError"], (yield* closedWith(conn))?.reason._tag)
    }))

  it.live("a stalled query: the caller's timeout sends a CancelRequest on a new connection, then closes after cancelTimeout", () => {
    const processId = 31337
    const secretKey = new Uint8Array([0xde, 0xad, 0xbe, 0xef])
    return Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup({ processId, secretKey }),
          Fake.expectQuery(),
          Fake.send({ _tag: "RowDescription", fields: [Fake.textField("x")] }, PgServerCodec.dataRow(["1"])),
          Fake.stall
        ]
      })
      const conn = yield* connect(server, "", { cancelTimeout: "200 millis" })
      const start = Date.now()
      const error = yield* conn.simple("select pg_sleep(1000)").pipe(
        Effect.timeout("300 millis"),
        Effect.flip,
        Effect.timeoutOrElse({ duration: 3000, orElse: () => Effect.die(new Error("the interruption did not finish")) })
      )
      const elapsed = Date.now() - start
      assert.strictEqual(error._tag, "TimeoutError")
      // 300 ms until the timeout, then at most cancelTimeout (200 ms) of draining.
      assert.isAtLeast(elapsed, 450)
      assert.isBelow(elapsed, 2000)
      const cancel = yield* server.cancelRequest(0).pipe(
        Effect.timeoutOrElse({ duration: 2000, orElse: () => Effect.die(new Error("no CancelRequest")) })
      )
      assert.strictEqual(cancel.processId, processId)
      assert.deepStrictEqual(Array.from(cancel.secretKey), Array.from(secretKey))
      // The CancelRequest came on its own socket, not the session's.
      // (A cancel that finds the statement still running is sent again after a back-off, so there
      // may be several cancel sockets; each carries exactly one CancelRequest.)
      assert.strictEqual(server.sessions.length, 1)
      assert.isAtLeast(server.sockets.length, 2)
      for (const socket of server.sockets.slice(1)) assert.deepStrictEqual(tags(socket), ["CancelRequest"])
      // The fake never completed the query: the connection was given up.
      assert.isFalse(conn.isOpen)
      const closed = yield* conn.closed
      assert.strictEqual(closed?.reason._tag, "ConnectionClosed")
      const later = yield* failsWithin(200, conn.simple("select 1"))
      assert.strictEqual(later.error.reason._tag, "ConnectionClosed")
      yield* clientHungUp(server.sessions[0]!)
    })
  })

  it.live("a stalled query that the server cancels: the interruption drains and the connection stays in step", () => {
    const processId = 99
    const secretKey = new Uint8Array([1, 1, 2, 3])
    return Effect.gen(function*() {
      let server: Fake.FakeServer | undefined = undefined
      const awaitCancel: Fake.Step = () => Effect.asVoid(Effect.suspend(() => server!.cancelRequest(0)))
      server = yield* Fake.make({
        script: [
          Fake.trustStartup({ processId, secretKey }),
          Fake.expectQuery(),
          awaitCancel,
          Fake.send(
            Fake.errorResponse("57014", "canceling statement due to user request"),
            Fake.readyForQuery()
          ),
          Fake.expectQuery("select 2 as y"),
          Fake.send(Fake.textResult(["y"], [["2"]]), Fake.readyForQuery())
        ]
      })
      const conn = yield* connect(server, "", { cancelTimeout: "2 seconds" })
      const error = yield* conn.simple("select pg_sleep(1000)").pipe(
        Effect.timeout("200 millis"),
        Effect.flip,
        Effect.timeoutOrElse({ duration: 3000, orElse: () => Effect.die(new Error("the interruption did not finish")) })
      )
      assert.strictEqual(error._tag, "TimeoutError")
      assert.isTrue(conn.isOpen)
      const [result] = yield* conn.simple("select 2 as y")
      assert.deepStrictEqual(result!.rows, [{ y: "2" }])
      assert.deepStrictEqual(server.failures, [])
    })
  })

  it.live("a pipelined neighbour of a cancelled query is not failed by the cancellation", () =>
    Effect.gen(function*() {
      let server: Fake.FakeServer | undefined = undefined
      const awaitCancel: Fake.Step = () => Effect.asVoid(Effect.suspend(() => server!.cancelRequest(0)))
      server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery("select 'slow'"),
          Fake.expectQuery("select 'next' as n"),
          awaitCancel,
          Fake.send(Fake.errorResponse("57014", "canceling statement due to user request"), Fake.readyForQuery()),
          Fake.send(Fake.textResult(["n"], [["next"]]), Fake.readyForQuery())
        ]
      })
      const conn = yield* connect(server, "", { cancelTimeout: "2 seconds" })
      const [slow, next] = yield* Effect.all(
        [
          Effect.flip(conn.simple("select 'slow'").pipe(Effect.timeout("200 millis"))),
          conn.simple("select 'next' as n")
        ],
        { concurrency: 2 }
      ).pipe(Effect.timeoutOrElse({ duration: 3000, orElse: () => Effect.die(new Error("stuck")) }))
      assert.strictEqual(slow._tag, "TimeoutError")
      assert.deepStrictEqual(next[0]!.rows, [{ n: "next" }])
      assert.isTrue(conn.isOpen)
      assert.deepStrictEqual(server.failures, [])
    }))

  it.live("a stalled query on a server that sent no BackendKeyData: no CancelRequest, closed after cancelTimeout", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.send({ _tag: "AuthenticationOk" }, Fake.readyForQuery()),
          Fake.expectQuery(),
          Fake.stall
        ]
      })
      const conn = yield* connect(server, "", { cancelTimeout: "100 millis" })
      const start = Date.now()
      const error = yield* conn.simple("select 1").pipe(
        Effect.timeout("100 millis"),
        Effect.flip,
        Effect.timeoutOrElse({ duration: 3000, orElse: () => Effect.die(new Error("the interruption did not finish")) })
      )
      assert.strictEqual(error._tag, "TimeoutError")
      assert.isBelow(Date.now() - start, 2000)
      assert.strictEqual((yield* closedWith(conn))?.reason._tag, "ConnectionClosed")
      yield* Effect.sleep(50)
      assert.strictEqual(server.sockets.length, 1)
      assert.deepStrictEqual(server.cancelRequests, [])
    }))

  it.live("an ErrorResponse in the middle of a result fails the query; the connection stays usable", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery(),
          Fake.send(
            { _tag: "RowDescription", fields: [Fake.textField("x")] },
            PgServerCodec.dataRow(["1"]),
            PgServerCodec.dataRow(["2"]),
            Fake.errorResponse("22012", "division by zero", { routine: "int4div" }),
            Fake.readyForQuery()
          ),
          Fake.expectQuery(),
          Fake.send(Fake.textResult(["y"], [["ok"]]), Fake.readyForQuery())
        ]
      })
      const conn = yield* connect(server)
      const { error } = yield* failsWithin(2000, conn.simple("select 1/(2-x) from t"))
      assert.strictEqual(error.reason._tag, "ServerError")
      if (error.reason._tag === "ServerError") {
        assert.strictEqual(error.reason.code, "22012")
        assert.strictEqual(error.reason.routine, "int4div")
        assert.strictEqual(error.reason.query, "select 1/(2-x) from t")
      }
      assert.isTrue(conn.isOpen)
      const [result] = yield* conn.simple("select 'ok' as y")
      assert.deepStrictEqual(result!.rows, [{ y: "ok" }])
      assert.deepStrictEqual(server.failures, [])
    }))

  it.live("an unsolicited FATAL 57P01 while idle closes the connection with AdminShutdown", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.sleep(50),
          Fake.send(Fake.errorResponse("57P01", "terminating connection due to administrator command", { severity: "FATAL" })),
          Fake.close
        ]
      })
      const conn = yield* connect(server)
      const closed = yield* conn.closed.pipe(
        Effect.timeoutOrElse({ duration: 2000, orElse: () => Effect.die(new Error("not closed")) })
      )
      assert.strictEqual(closed?.reason._tag, "AdminShutdown")
      assert.isTrue(closed!.isRetryable)
      assert.isFalse(conn.isOpen)
      const later = yield* failsWithin(200, conn.simple("select 1"))
      assert.include(["AdminShutdown", "ConnectionClosed"], later.error.reason._tag)
    }))

  it.live("NoticeResponse and ParameterStatus in the middle of a result reach the hooks and leave the result intact", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery(),
          Fake.send(
            { _tag: "RowDescription", fields: [Fake.textField("x")] },
            PgServerCodec.dataRow(["1"]),
            Fake.noticeResponse("watch out", { severity: "WARNING", code: "01000" }),
            { _tag: "ParameterStatus", name: "TimeZone", value: "Europe/Paris" },
            PgServerCodec.dataRow(["2"]),
            { _tag: "NotificationResponse", processId: 7, channel: "ch", payload: "hi" },
            PgServerCodec.commandComplete("SELECT 2"),
            Fake.noticeResponse("after the result"),
            Fake.readyForQuery()
          )
        ]
      })
      const notices: Array<PgConnection.Notice> = []
      const conn = yield* connect(server, "", { onNotice: (n) => notices.push(n) })
      assert.strictEqual(conn.parameters.get("TimeZone"), "UTC")
      const [result] = yield* conn.simple("select x from t")
      assert.deepStrictEqual(result!.rows, [{ x: "1" }, { x: "2" }])
      assert.strictEqual(result!.rowCount, 2)
      assert.deepStrictEqual(notices.map((n) => [n.severity, n.message]), [["WARNING", "watch out"], ["NOTICE", "after the result"]])
      assert.strictEqual(conn.parameters.get("TimeZone"), "Europe/Paris")
      assert.isTrue(conn.isOpen)
    }))

  // BUG (session.ts, reported): the FATAL ErrorResponse that explains why the server is closing
  // (pg_terminate_backend during a query, shutdown) is recorded on the request, but the close
  // that follows fails the request with a generic ConnectionClosed and the server's reason is lost.
  it.effect("a FATAL ErrorResponse during a query, then close, fails the query with the server's reason", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [
          Fake.trustStartup(),
          Fake.expectQuery(),
          Fake.send(Fake.errorResponse("57P01", "terminating connection due to administrator command", { severity: "FATAL" })),
          Fake.close
        ]
      })
      const conn = yield* connect(server)
      const { error } = yield* failsWithin(2000, conn.simple("select pg_sleep(10)"))
      assert.strictEqual(error.reason._tag, "AdminShutdown")
    }))

  // BUG (session.ts / PgConnection.ts, reported): `Session.close` fails the pending requests
  // (which may resume their fibers synchronously) before calling `hooks.onClose`, which is what
  // sets PgConnection's `isClosed`. So the fiber whose query just failed with the close reason
  // still reads `isOpen === true` — a pool checking it at that moment would keep a dead connection.
  it.effect("isOpen is false as soon as a request fails because the connection closed", () =>
    Effect.gen(function*() {
      const server = yield* Fake.make({
        script: [Fake.trustStartup(), Fake.expectQuery(), Fake.sendRaw([...header("j", 4)]), Fake.awaitClose]
      })
      const conn = yield* connect(server)
      const { error } = yield* failsWithin(2000, conn.simple("select 1"))
      assert.strictEqual(error.reason._tag, "ProtocolError")
      assert.isFalse(conn.isOpen)
    }))
})
