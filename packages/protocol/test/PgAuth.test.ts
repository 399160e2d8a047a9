import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto"
import * as PgAuth from "../src/PgAuth.ts"
import { fromHex } from "./fixtures/bytes.ts"

const crypto: PgAuth.AuthCrypto = {
  sha256: (data) => createHash("sha256").update(data).digest(),
  hmacSha256: (key, data) => createHmac("sha256", key).update(data).digest(),
  pbkdf2Sha256: (password, salt, iterations, length) => pbkdf2Sync(password, salt, iterations, length, "sha256"),
  md5: (data) => createHash("md5").update(data).digest()
}

const enc = new TextEncoder()
const dec = new TextDecoder()
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64")

const getSuccess = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) assert.fail(`expected success, got ${String(result.failure)}`)
  return result.success
}

const getFailure = <A>(result: Result.Result<A, PgAuth.AuthError>): PgAuth.AuthError => {
  if (Result.isSuccess(result)) assert.fail("expected an AuthError")
  assert.instanceOf(result.failure, PgAuth.AuthError)
  return result.failure
}

// -----------------------------------------------------------------------------
// A SCRAM-SHA-256(-PLUS) server, test side only, written directly on node:crypto.
// -----------------------------------------------------------------------------

interface TestServer {
  readonly first: (clientFirst: Uint8Array) => Uint8Array
  readonly final: (clientFinal: Uint8Array) => Uint8Array
}

const testServer = (options: {
  readonly preparedPassword: Uint8Array
  readonly serverNonce: string
  readonly salt: Uint8Array
  readonly iterations: number
  /** The binding data the server computes for its own certificate (PLUS only). */
  readonly tlsServerEndPoint?: Uint8Array
  /** An impostor: skips checking the proof and answers with a signature from its own password. */
  readonly acceptAnyProof?: boolean
}): TestServer => {
  const salted = pbkdf2Sync(options.preparedPassword, options.salt, options.iterations, 32, "sha256")
  const storedKey = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest()
  const serverKey = createHmac("sha256", salted).update("Server Key").digest()
  let clientFirstBare = ""
  let gs2 = ""
  let serverFirst = ""
  let nonce = ""
  return {
    first(clientFirst) {
      const text = dec.decode(clientFirst)
      const match = /^((?:n|y|p=tls-server-end-point),,)(n=[^,]*,r=([!-+\--~]+))$/.exec(text)
      if (match === null) throw new Error(`bad client-first ${text}`)
      gs2 = match[1]!
      clientFirstBare = match[2]!
      nonce = match[3]! + options.serverNonce
      serverFirst = `r=${nonce},s=${b64(options.salt)},i=${options.iterations}`
      return enc.encode(serverFirst)
    },
    final(clientFinal) {
      const text = dec.decode(clientFinal)
      const match = /^(c=([^,]*),r=([^,]*)),p=([^,]*)$/.exec(text)
      if (match === null) throw new Error(`bad client-final ${text}`)
      const cbind = Buffer.concat([
        Buffer.from(gs2),
        gs2.startsWith("p=") ? Buffer.from(options.tlsServerEndPoint ?? []) : Buffer.alloc(0)
      ])
      if (match[2] !== cbind.toString("base64")) return enc.encode("e=channel-bindings-dont-match")
      if (match[3] !== nonce) return enc.encode("e=invalid-proof")
      const authMessage = `${clientFirstBare},${serverFirst},${match[1]}`
      const signature = createHmac("sha256", storedKey).update(authMessage).digest()
      const proof = Buffer.from(match[4]!, "base64")
      if (proof.length !== 32) return enc.encode("e=invalid-encoding")
      const clientKey = Buffer.alloc(32)
      for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ signature[i]!
      if (!options.acceptAnyProof && !timingSafeEqual(createHash("sha256").update(clientKey).digest(), storedKey)) {
        return enc.encode("e=invalid-proof")
      }
      return enc.encode("v=" + createHmac("sha256", serverKey).update(authMessage).digest("base64"))
    }
  }
}

const select = (
  mechanisms: ReadonlyArray<string>,
  channelBinding: PgAuth.ChannelBindingMode,
  tls: boolean,
  tlsServerEndPoint?: Uint8Array
) => PgAuth.selectMechanism({ mechanisms, channelBinding, tls, tlsServerEndPoint })

/** "<mechanism> <gs2 flag>" of a successful choice. */
const chosen = (result: Result.Result<PgAuth.MechanismChoice, PgAuth.AuthError>): string => {
  const choice = getSuccess(result)
  const client = PgAuth.scramClient({ password: "", nonce: "n", crypto, channelBinding: choice.channelBinding })
  assert.strictEqual(client.mechanism, choice.mechanism)
  return `${choice.mechanism} ${dec.decode(client.clientFirstMessage().bytes).split(",")[0]}`
}

/** Runs a whole exchange; returns the client and the final result. */
const exchange = (
  client: PgAuth.ScramClient,
  server: TestServer
): Result.Result<void, PgAuth.AuthError> => {
  const first = client.clientFirstMessage()
  const final = client.handleServerFirst(server.first(first.bytes))
  if (Result.isFailure(final)) return Result.fail(final.failure)
  return client.handleServerFinal(server.final(final.success))
}

// -----------------------------------------------------------------------------

describe("PgAuth", () => {
  describe("SCRAM-SHA-256", () => {
    it("reproduces the RFC 7677 §3 test vector", () => {
      const client = PgAuth.scramClient({
        username: "user",
        password: "pencil",
        nonce: "rOprNGfwEbeRWgbNEkqO",
        crypto,
        channelBinding: PgAuth.channelBindingUnsupported
      })
      assert.strictEqual(client.state, "Initial")
      const first = client.clientFirstMessage()
      assert.strictEqual(first.mechanism, "SCRAM-SHA-256")
      assert.strictEqual(dec.decode(first.bytes), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
      assert.strictEqual(client.state, "AwaitingServerFirst")
      const final = getSuccess(client.handleServerFirst(enc.encode(
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
      )))
      assert.strictEqual(
        dec.decode(final),
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
      )
      assert.strictEqual(client.state, "AwaitingServerFinal")
      getSuccess(client.handleServerFinal(enc.encode("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")))
      assert.strictEqual(client.state, "Done")
      assert.isFalse(client.channelBound)
    })

    it("sends an empty user name by default, as libpq does, and escapes = and , in a given one", () => {
      const client = PgAuth.scramClient({
        password: "x",
        nonce: "abc",
        crypto,
        channelBinding: PgAuth.channelBindingUnsupported
      })
      assert.strictEqual(dec.decode(client.clientFirstMessage().bytes), "n,,n=,r=abc")
      assert.strictEqual(dec.decode(client.clientFirstMessage().bytes), "n,,n=,r=abc", "idempotent")
      const named = PgAuth.scramClient({
        username: "a=b,c",
        password: "x",
        nonce: "abc",
        crypto,
        channelBinding: PgAuth.channelBindingUnsupported
      })
      assert.strictEqual(dec.decode(named.clientFirstMessage().bytes), "n,,n=a=3Db=2Cc,r=abc")
    })

    it("says y,, when the client supports channel binding but the server did not offer it", () => {
      const server = testServer({
        preparedPassword: enc.encode("secret"),
        serverNonce: "SRV",
        salt: enc.encode("salty"),
        iterations: 16
      })
      const client = PgAuth.scramClient({
        password: "secret",
        nonce: "cli",
        crypto,
        channelBinding: PgAuth.channelBindingNotOffered
      })
      const first = client.clientFirstMessage()
      assert.strictEqual(dec.decode(first.bytes), "y,,n=,r=cli")
      const final = getSuccess(client.handleServerFirst(server.first(first.bytes)))
      assert.isTrue(dec.decode(final).startsWith("c=eSws,r=cliSRV,p="))
      getSuccess(client.handleServerFinal(server.final(final)))
      assert.strictEqual(client.state, "Done")
      assert.isFalse(client.channelBound)
    })

    it("completes exchanges with a SCRAM server for any printable nonce and password", () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[!-+\--~]{1,40}$/),
          fc.stringMatching(/^[!-+\--~]{1,20}$/),
          fc.string({ minLength: 0, maxLength: 30 }).filter((s) => /^[ -~]*$/.test(s)),
          fc.uint8Array({ minLength: 1, maxLength: 40 }),
          fc.integer({ min: 1, max: 50 }),
          (clientNonce, serverNonce, password, salt, iterations) => {
            const server = testServer({ preparedPassword: enc.encode(password), serverNonce, salt, iterations })
            const client = PgAuth.scramClient({
              password,
              nonce: clientNonce,
              crypto,
              channelBinding: PgAuth.channelBindingUnsupported
            })
            getSuccess(exchange(client, server))
            assert.strictEqual(client.state, "Done")
          }
        ),
        { numRuns: 100 }
      )
    })

    it("authenticates a non-ASCII password in its SASLprep form", () => {
      // "I\u00ADX" is prepared to "IX" (SOFT HYPHEN maps to nothing).
      const server = testServer({
        preparedPassword: enc.encode("IX"),
        serverNonce: "s",
        salt: enc.encode("salt"),
        iterations: 8
      })
      const client = PgAuth.scramClient({
        password: "I\u00ADX",
        nonce: "c",
        crypto,
        channelBinding: PgAuth.channelBindingUnsupported
      })
      getSuccess(exchange(client, server))
    })
  })

  describe("SCRAM-SHA-256-PLUS", () => {
    const binding = new Uint8Array([0x00, 0xFF, 0x10, 0x20, 0x7F, 0x80, 0xAB, 0xCD])

    it("puts the gs2 header and the binding data in c=", () => {
      const client = PgAuth.scramClient({
        password: "pencil",
        nonce: "rOprNGfwEbeRWgbNEkqO",
        crypto,
        channelBinding: PgAuth.channelBindingTlsServerEndPoint(binding)
      })
      const first = client.clientFirstMessage()
      assert.strictEqual(first.mechanism, "SCRAM-SHA-256-PLUS")
      assert.strictEqual(client.mechanism, "SCRAM-SHA-256-PLUS")
      assert.strictEqual(dec.decode(first.bytes), "p=tls-server-end-point,,n=,r=rOprNGfwEbeRWgbNEkqO")
      const final = dec.decode(getSuccess(client.handleServerFirst(enc.encode(
        "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
      ))))
      const cValue = /^c=([^,]+),/.exec(final)![1]!
      // base64("p=tls-server-end-point,," followed by the 8 binding bytes)
      assert.strictEqual(cValue, "cD10bHMtc2VydmVyLWVuZC1wb2ludCwsAP8QIH+Aq80=")
      assert.deepStrictEqual(
        new Uint8Array(Buffer.from(cValue, "base64")),
        new Uint8Array([...enc.encode("p=tls-server-end-point,,"), ...binding])
      )
    })

    it("completes a full exchange with a PLUS server and reports the binding", () => {
      const server = testServer({
        preparedPassword: enc.encode("correct horse"),
        serverNonce: "3rfcNHYJY1ZVvWVs7j",
        salt: fromHex("0102030405060708090a0b0c0d0e0f10"),
        iterations: 4096,
        tlsServerEndPoint: binding
      })
      const client = PgAuth.scramClient({
        password: "correct horse",
        nonce: PgAuth.makeClientNonce(fromHex("000102030405060708090a0b0c0d0e0f1011")),
        crypto,
        channelBinding: PgAuth.channelBindingTlsServerEndPoint(binding)
      })
      getSuccess(exchange(client, server))
      assert.strictEqual(client.state, "Done")
      assert.isTrue(client.channelBound)
    })

    it("fails with the server's error when the binding data differs (e.g. a TLS proxy in between)", () => {
      const server = testServer({
        preparedPassword: enc.encode("pw"),
        serverNonce: "S",
        salt: enc.encode("salt"),
        iterations: 2,
        tlsServerEndPoint: binding
      })
      const client = PgAuth.scramClient({
        password: "pw",
        nonce: "C",
        crypto,
        channelBinding: PgAuth.channelBindingTlsServerEndPoint(new Uint8Array(32))
      })
      const error = getFailure(exchange(client, server))
      assert.strictEqual(error.reason, "ServerError")
      assert.strictEqual(error.serverError, "channel-bindings-dont-match")
      assert.strictEqual(client.state, "Failed")
      assert.isFalse(client.channelBound)
    })
  })

  describe("rejections", () => {
    const password = "hunter2-Sup3rSecret"
    const clientNonce = "fyko+d2lbbFgONRv9qkxdawL"
    const goodFirst = `r=${clientNonce}3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096`

    const afterFirst = (serverFirst: string, options?: { readonly maxIterations?: number }) => {
      const client = PgAuth.scramClient({
        password,
        nonce: clientNonce,
        crypto,
        channelBinding: PgAuth.channelBindingUnsupported,
        maxIterations: options?.maxIterations
      })
      client.clientFirstMessage()
      return { client, result: client.handleServerFirst(enc.encode(serverFirst)) }
    }

    const rejectFirst = (serverFirst: string, reason: PgAuth.AuthErrorReason, options?: { readonly maxIterations?: number }) => {
      const { client, result } = afterFirst(serverFirst, options)
      const error = getFailure(result)
      assert.strictEqual(error.reason, reason, `${serverFirst}: ${error.message}`)
      assert.strictEqual(client.state, "Failed")
      assert.notInclude(error.message, password)
      return error
    }

    const rejectFinal = (serverFinal: string, reason: PgAuth.AuthErrorReason) => {
      const { client, result } = afterFirst(goodFirst)
      getSuccess(result)
      const error = getFailure(client.handleServerFinal(enc.encode(serverFinal)))
      assert.strictEqual(error.reason, reason, `${serverFinal}: ${error.message}`)
      assert.strictEqual(client.state, "Failed")
      assert.notInclude(error.message, password)
      return error
    }

    it("accepts the well-formed message the rejections are variations of", () => {
      getSuccess(afterFirst(goodFirst).result)
    })

    it("rejects a server nonce that does not extend the client nonce", () => {
      rejectFirst(`r=XXXX+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096`, "NonceMismatch")
      rejectFirst(`r=${clientNonce},s=QSXCR+Q6sek8bf92,i=4096`, "NonceMismatch") // nothing appended
      rejectFirst(`r=fyko+d2lbb,s=QSXCR+Q6sek8bf92,i=4096`, "NonceMismatch") // shorter
      rejectFirst(`r=,s=QSXCR+Q6sek8bf92,i=4096`, "NonceMismatch")
    })

    it("rejects an invalid or empty salt", () => {
      rejectFirst(`r=${clientNonce}x,s=,i=4096`, "InvalidSalt")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf9,i=4096`, "InvalidSalt") // length not a multiple of 4
      rejectFirst(`r=${clientNonce}x,s=QSXC@+Q6sek8bf92,i=4096`, "InvalidSalt")
      rejectFirst(`r=${clientNonce}x,s=QS=CR+Q6sek8bf92,i=4096`, "InvalidSalt") // padding in the middle
      rejectFirst(`r=${clientNonce}x,s=QSXC R+Q6sek8bf9,i=4096`, "InvalidSalt") // whitespace
    })

    it("rejects iteration counts that are zero, negative, not numbers or absurdly large", () => {
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=0`, "InvalidIterationCount")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=-1`, "InvalidIterationCount")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=`, "InvalidIterationCount")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=4k`, "InvalidIterationCount")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=1e3`, "InvalidIterationCount")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=2147483647`, "InvalidIterationCount")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=99999999999999999999999`, "InvalidIterationCount")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=${PgAuth.defaultMaxIterations + 1}`, "InvalidIterationCount")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=4097`, "InvalidIterationCount", { maxIterations: 4096 })
      getSuccess(afterFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=1`).result)
      getSuccess(afterFirst(goodFirst, { maxIterations: 4096 }).result)
    })

    it("rejects malformed server-first messages", () => {
      rejectFirst("", "MalformedServerMessage")
      rejectFirst(`r=${clientNonce}x,s=QSXCR+Q6sek8bf92`, "MalformedServerMessage") // no i=
      rejectFirst(`s=QSXCR+Q6sek8bf92,r=${clientNonce}x,i=4096`, "MalformedServerMessage") // order
      rejectFirst(`r=${clientNonce}x,i=4096,s=QSXCR+Q6sek8bf92`, "MalformedServerMessage")
      rejectFirst(`m=ext,r=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=4096`, "MalformedServerMessage")
      rejectFirst(`${goodFirst},x=extension`, "MalformedServerMessage")
      rejectFirst(`${goodFirst},`, "MalformedServerMessage")
      rejectFirst(`r=${clientNonce}\u00e9,s=QSXCR+Q6sek8bf92,i=4096`, "MalformedServerMessage") // non-ASCII
      rejectFirst(`r=${clientNonce} x,s=QSXCR+Q6sek8bf92,i=4096`, "MalformedServerMessage") // space
      rejectFirst(`R=${clientNonce}x,s=QSXCR+Q6sek8bf92,i=4096`, "MalformedServerMessage")
    })

    it("turns e= in either server message into a ServerError carrying the server's text", () => {
      const first = rejectFirst("e=other-error", "ServerError")
      assert.strictEqual(first.serverError, "other-error")
      const final = rejectFinal("e=invalid-proof", "ServerError")
      assert.strictEqual(final.serverError, "invalid-proof")
      assert.include(final.message, "invalid-proof")
    })

    it("rejects malformed server-final messages", () => {
      rejectFinal("", "MalformedServerMessage")
      rejectFinal("x=abc", "MalformedServerMessage")
      rejectFinal("v=not base64!", "MalformedServerMessage")
      rejectFinal("v=AAAAAAAAAAAAAAAAAAAAAA==", "MalformedServerMessage") // 16 bytes
      rejectFinal(`v=${b64(new Uint8Array(32))},x=ext`, "MalformedServerMessage")
    })

    it("rejects a wrong server signature", () => {
      rejectFinal(`v=${b64(new Uint8Array(32))}`, "BadServerSignature")
      // A server that does not know the password cannot produce the signature.
      const impostor = testServer({
        preparedPassword: enc.encode("not the password"),
        serverNonce: "x",
        salt: enc.encode("salt"),
        iterations: 4,
        acceptAnyProof: true
      })
      const client = PgAuth.scramClient({ password, nonce: "c", crypto, channelBinding: PgAuth.channelBindingUnsupported })
      const error = getFailure(exchange(client, impostor))
      assert.strictEqual(error.reason, "BadServerSignature")
      assert.strictEqual(client.state, "Failed")
      assert.notInclude(error.message, password)
    })

    it("rejects a signature off by one bit (RFC 7677 vector)", () => {
      const client = PgAuth.scramClient({
        username: "user",
        password: "pencil",
        nonce: "rOprNGfwEbeRWgbNEkqO",
        crypto,
        channelBinding: PgAuth.channelBindingUnsupported
      })
      client.clientFirstMessage()
      getSuccess(client.handleServerFirst(enc.encode(
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
      )))
      const good = Buffer.from("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "base64")
      good[31] = good[31]! ^ 1
      const error = getFailure(client.handleServerFinal(enc.encode("v=" + good.toString("base64"))))
      assert.strictEqual(error.reason, "BadServerSignature")
      assert.strictEqual(client.state, "Failed")
    })

    it("refuses steps out of order and after a failure", () => {
      const client = PgAuth.scramClient({ password, nonce: "c", crypto, channelBinding: PgAuth.channelBindingUnsupported })
      assert.strictEqual(getFailure(client.handleServerFirst(enc.encode("r=cx,s=QQ==,i=1"))).reason, "InvalidState")
      assert.strictEqual(client.state, "Failed")
      assert.strictEqual(getFailure(client.handleServerFinal(enc.encode("v="))).reason, "InvalidState")

      const early = PgAuth.scramClient({ password, nonce: "c", crypto, channelBinding: PgAuth.channelBindingUnsupported })
      early.clientFirstMessage()
      assert.strictEqual(getFailure(early.handleServerFinal(enc.encode("v="))).reason, "InvalidState")

      const twice = PgAuth.scramClient({ password, nonce: "c", crypto, channelBinding: PgAuth.channelBindingUnsupported })
      twice.clientFirstMessage()
      getSuccess(twice.handleServerFirst(enc.encode("r=cx,s=QQ==,i=1")))
      assert.strictEqual(getFailure(twice.handleServerFirst(enc.encode("r=cx,s=QQ==,i=1"))).reason, "InvalidState")
    })

    it("throws InvalidClientNonce for a nonce the caller got wrong", () => {
      for (const nonce of ["", "a,b", "a b", "caf\u00e9", "tab\t"]) {
        try {
          PgAuth.scramClient({ password, nonce, crypto, channelBinding: PgAuth.channelBindingUnsupported })
          assert.fail(`accepted ${JSON.stringify(nonce)}`)
        } catch (error) {
          assert.instanceOf(error, PgAuth.AuthError)
          assert.strictEqual((error as PgAuth.AuthError).reason, "InvalidClientNonce")
        }
      }
    })
  })

  describe("selectMechanism", () => {
    const endPoint = new Uint8Array(32).fill(7)
    const both = ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]
    it("uses PLUS when offered over TLS with binding data, unless disabled", () => {
      assert.strictEqual(chosen(select(both, "prefer", true, endPoint)), "SCRAM-SHA-256-PLUS p=tls-server-end-point")
      assert.strictEqual(chosen(select(both, "require", true, endPoint)), "SCRAM-SHA-256-PLUS p=tls-server-end-point")
      assert.strictEqual(chosen(select(["SCRAM-SHA-256-PLUS"], "prefer", true, endPoint)), "SCRAM-SHA-256-PLUS p=tls-server-end-point")
      assert.strictEqual(chosen(select(both, "disable", true, endPoint)), "SCRAM-SHA-256 n")
      const choice = getSuccess(select(both, "prefer", true, endPoint))
      assert.deepStrictEqual(choice.channelBinding, PgAuth.channelBindingTlsServerEndPoint(endPoint))
    })

    it("falls back to SCRAM-SHA-256 as libpq does", () => {
      assert.strictEqual(chosen(select(["SCRAM-SHA-256"], "prefer", true, endPoint)), "SCRAM-SHA-256 y")
      assert.strictEqual(chosen(select(["SCRAM-SHA-256"], "prefer", true)), "SCRAM-SHA-256 y")
      assert.strictEqual(chosen(select(["SCRAM-SHA-256"], "disable", true, endPoint)), "SCRAM-SHA-256 n")
      assert.strictEqual(chosen(select(["SCRAM-SHA-256"], "prefer", false)), "SCRAM-SHA-256 n")
      assert.strictEqual(chosen(select(["SCRAM-SHA-256"], "disable", false)), "SCRAM-SHA-256 n")
      // PLUS offered but the certificate hash is unknown: n,, (a y,, would look like a downgrade)
      assert.strictEqual(chosen(select(both, "prefer", true)), "SCRAM-SHA-256 n")
      // Unknown mechanisms are skipped.
      assert.strictEqual(chosen(select(["OAUTHBEARER", "SCRAM-SHA-256"], "prefer", false)), "SCRAM-SHA-256 n")
    })

    it("fails when channel binding is required but impossible", () => {
      assert.strictEqual(getFailure(select(["SCRAM-SHA-256"], "require", true, endPoint)).reason, "ChannelBindingRequired")
      assert.strictEqual(getFailure(select(["SCRAM-SHA-256"], "require", false)).reason, "ChannelBindingRequired")
      assert.strictEqual(getFailure(select(both, "require", true)).reason, "ChannelBindingRequired")
    })

    it("fails when PLUS is offered without TLS, or nothing usable is offered", () => {
      assert.strictEqual(getFailure(select(both, "prefer", false)).reason, "PlusOfferedWithoutTls")
      assert.strictEqual(getFailure(select(both, "disable", false)).reason, "PlusOfferedWithoutTls")
      assert.strictEqual(getFailure(select(["OAUTHBEARER"], "prefer", true)).reason, "NoSupportedMechanism")
      assert.strictEqual(getFailure(select([], "require", true)).reason, "NoSupportedMechanism")
      assert.strictEqual(getFailure(select(["SCRAM-SHA-256-PLUS"], "disable", true, endPoint)).reason, "NoSupportedMechanism")
      assert.strictEqual(getFailure(select(["SCRAM-SHA-256-PLUS"], "prefer", true)).reason, "NoSupportedMechanism")
    })
  })

  describe("preparePassword against PostgreSQL's stored SCRAM secrets", () => {
    // Captured from PostgreSQL 18 (server_encoding UTF8, client_encoding UTF8) with, per password,
    //   begin; create role r password U&'…'; select rolpassword from pg_authid where rolname = 'r'; rollback;
    // Format: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>.
    const goldens: ReadonlyArray<readonly [string, string]> = [
      ["pencil", "SCRAM-SHA-256$4096:MsOsJLRRnKhsH5GBrjIeDQ==$nyrYvm6w/sOPNUbWSCvBkAjUBUbl419FIf245LfzoO8=:ZbQ+zqCTwotTISIY3wfE33+qmlEVZ3rlXJ6omX8nSrY="],
      ["a\u00A0b", "SCRAM-SHA-256$4096:S4xkzODIky6rz466goOJYA==$xtVrnej0uPjD1d0Q7Yr41z2vPZS4r9yUtY0DiW8vLL0=:yDcsCDpR1aMp8MMjO3GZQfJF1fXI8NTatgoZYiiC9c4="],
      ["I\u00ADX", "SCRAM-SHA-256$4096:ORkDydmYQgSc5XD/7qHJIw==$R0XTZXonVfk3lw3wWxBE5hHmsjelu9g8xGCpuXpufSQ=:x1Wa8zaF8OMlNzBpAaPDhqZAB7pzFVzEwD1re8XF0Rs="],
      ["\u2168", "SCRAM-SHA-256$4096:9ppqAlCbu8/HraThth1AGw==$nkU6rqsgnK5sl6iFP8OmLD7wCi+BZGUjVpnrnzc03+0=:rHx6ABnasa+bsRdtli9jDOJBcbeq5ajO3cmWkYmHIhQ="],
      ["\u06271", "SCRAM-SHA-256$4096:YwChqPIEf/8QVCr/f8KFjw==$XzgT2CQUpCwsJoQ/QKUrODGMHFSfp0PsOrlbIZoFw8Y=:9J1WG5vqRitTyy+Njtnr/Xz1MDtYX4/YA1ORXY7MAzg="],
      ["\u00e9\u0007", "SCRAM-SHA-256$4096:kDI7Nbe8dYbveiYmW++/Hw==$+ZrKVIL5qsgklqJ+oJTD/06Fmy2Bvq8s+XVIKwmaJBU=:cYzpD36HNzSq4XP9rvdfHzKfHRflLOT3Iv/UVvkaESk="],
      ["\u0627\u2100\u0627", "SCRAM-SHA-256$4096:9BqtjrATjkQqHVIkhgor2w==$yyR5/vs49NzBo4uKST6ZPb4t9hZukN7BQHeqAsZ5wX8=:PcOSNOcMKVZNQPKj64717IfeNdpMF2yuiJ9M4LZnwOU="],
      ["\u200B", "SCRAM-SHA-256$4096:mbvEE7vNtL0IIotqxlHNlw==$hcI1Zl0LlyeIi3v7oDWhAN8jCtBVQJ9rF1CHLaTbLEA=:ZRF2ZrywHzrekMZJN/GVkqdvrCUIyllZJtvOX7g+2iQ="],
      ["\u00AD", "SCRAM-SHA-256$4096:vOCy4LI3kkyusepnRYg9lw==$No77ehbPC8IAAuynjeE1kWjNubcnxl2Tg78+i/1T0+s=:OzNbFbE5u5oEFjdCZ4KGLJ67sZBbP6HBMoM5jbWixJI="],
      ["\uFB01", "SCRAM-SHA-256$4096:kiiHLgsCuiCozc4CaC74Jg==$WHeK+X2FHQZHhR1J09gShA+h3+U+1Cez5n2kjvJzQX4=:S8vyBPuIMwQObEzk2G0omwRtwWh2VDFZEHz+gdlfFYU="],
      ["\u0221x", "SCRAM-SHA-256$4096:AkHoQMXG5P9w+CV9cuk/Tg==$5Nm4BMfmdBoz4rnUdX8Ruoeo6QSuVbiLtYF9CKrJHEc=:1Ddmbtx1nWzg1155pcbPjpIZl8DCPs93+XZcLNTIxDs="],
      ["\u00AA", "SCRAM-SHA-256$4096:yfG5N8N50ZQPxbF816tPyA==$+DNIZndc5k6MjNRxGEyFx6sVZ+FzujaN3E7xbdfpx9U=:aROGWWRjNyWXOg40kiN7bprEBmKMZoMalYZxZGIp2xE="]
    ]

    it("derives the same StoredKey and ServerKey as the server for every golden", () => {
      for (const [password, secret] of goldens) {
        const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(secret)!
        const salted = pbkdf2Sync(PgAuth.preparePassword(password), Buffer.from(match[2]!, "base64"), Number(match[1]), 32, "sha256")
        const storedKey = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest("base64")
        const serverKey = createHmac("sha256", salted).update("Server Key").digest("base64")
        assert.strictEqual(storedKey, match[3], `StoredKey of ${JSON.stringify(password)}`)
        assert.strictEqual(serverKey, match[4], `ServerKey of ${JSON.stringify(password)}`)
      }
    })

    it("reaches those keys through the prepared forms the goldens imply", () => {
      const expected: ReadonlyArray<readonly [string, string]> = [
        ["a\u00A0b", "a b"],
        ["I\u00ADX", "IX"],
        ["\u2168", "IX"],
        ["\u06271", "\u06271"], // bidi violation: raw bytes
        ["\u00e9\u0007", "\u00e9\u0007"], // prohibited: raw bytes
        ["\u0627\u2100\u0627", "\u0627a/c\u0627"], // checked before NFKC, as PostgreSQL does
        ["\u200B", " "], // C.1.2 wins over B.1
        ["\u00AD", "\u00AD"], // empty after mapping: raw bytes
        ["\uFB01", "fi"],
        ["\u0221x", "\u0221x"], // unassigned in Unicode 3.2: raw bytes
        ["\u00AA", "a"]
      ]
      for (const [password, prepared] of expected) {
        assert.deepStrictEqual(PgAuth.preparePassword(password), enc.encode(prepared), JSON.stringify(password))
      }
    })
  })

  describe("md5Password", () => {
    it("matches PostgreSQL's md5()", () => {
      // select 'md5' || md5(md5('secret' || 'alice') || 'abcd')
      //   → md5c90bcafc0a2b54511742383e34d5dc9d
      assert.strictEqual(
        getSuccess(PgAuth.md5Password("alice", "secret", enc.encode("abcd"), crypto)),
        "md5c90bcafc0a2b54511742383e34d5dc9d"
      )
      // select 'md5' || md5(convert_to(md5('pässwörd' || 'bob'), 'UTF8') || '\x01ff8000'::bytea)
      //   → md55cb0fdbf663821c33577bce6faee291e
      assert.strictEqual(
        getSuccess(PgAuth.md5Password("bob", "pässwörd", fromHex("01ff8000"), crypto)),
        "md55cb0fdbf663821c33577bce6faee291e"
      )
      assert.strictEqual(
        getSuccess(PgAuth.md5Password("bob", enc.encode("pässwörd"), fromHex("01ff8000"), crypto)),
        "md55cb0fdbf663821c33577bce6faee291e"
      )
    })

    it("agrees with a direct node:crypto computation", () => {
      fc.assert(
        fc.property(fc.string(), fc.string(), fc.uint8Array({ minLength: 4, maxLength: 4 }), (user, password, salt) => {
          const inner = createHash("md5").update(password + user).digest("hex")
          const expected = "md5" + createHash("md5").update(Buffer.concat([Buffer.from(inner), salt])).digest("hex")
          assert.strictEqual(getSuccess(PgAuth.md5Password(user, password, salt, crypto)), expected)
        })
      )
    })

    it("rejects a salt that is not 4 bytes", () => {
      assert.strictEqual(getFailure(PgAuth.md5Password("u", "p", new Uint8Array(3), crypto)).reason, "MalformedServerMessage")
      assert.strictEqual(getFailure(PgAuth.md5Password("u", "p", new Uint8Array(5), crypto)).reason, "MalformedServerMessage")
    })
  })

  describe("tlsServerEndPointHash", () => {
    // Self-signed certificates made with
    //   openssl ecparam -name prime256v1 -genkey -noout -out ec.key
    //   openssl req -new -x509 -key ec.key -subj /CN=pgfx -days 36500 -sha256|-sha384|-sha1 -outform DER
    //   openssl genpkey -algorithm ed25519 (then the same req, no digest)
    const ecSha256 =
      "308201743082011ba0030201020214631e251629457d9a1c1c1b82fe95c6609598bcd6300a06082a8648ce3d040302300f310d300b06035504030c04706766783020170d3236313132313032303735345a180f32313236313032383032303735345a300f310d300b06035504030c04706766783059301306072a8648ce3d020106082a8648ce3d03010703420004d2e453df3051afb1d942327ce7cefd5987f05f45a6c351fbc69bdc86bfac10e1e3f5159f4c0db35e3735c325d51a5475d6d190da7fb7934a9c6527f28fc39840a3533051301d0603551d0e0416041418989bd4eafdeabb3f58cc007747a6625ff40fd5301f0603551d2304183016801418989bd4eafdeabb3f58cc007747a6625ff40fd5300f0603551d130101ff040530030101ff300a06082a8648ce3d040302034700304402207525a348c3f519f524374dc5e591395d83fb54792de580a06f5eb584dae5d1a002206ee244bbd6368d479cba2e255b5634d2d643eacf156e67031fccd16d6e33762a"
    const ecSha384 =
      "308201743082011ba0030201020214780a6892792ce7ea0e434e9ba670819a958d8eff300a06082a8648ce3d040303300f310d300b06035504030c04706766783020170d3236313132313032303735345a180f32313236313032383032303735345a300f310d300b06035504030c04706766783059301306072a8648ce3d020106082a8648ce3d03010703420004d2e453df3051afb1d942327ce7cefd5987f05f45a6c351fbc69bdc86bfac10e1e3f5159f4c0db35e3735c325d51a5475d6d190da7fb7934a9c6527f28fc39840a3533051301d0603551d0e0416041418989bd4eafdeabb3f58cc007747a6625ff40fd5301f0603551d2304183016801418989bd4eafdeabb3f58cc007747a6625ff40fd5300f0603551d130101ff040530030101ff300a06082a8648ce3d04030303470030440220078f2a961291cb10d0ff3b121748f3b58d23a524f74267dd417d509349387db502207fdbe3926b660d10235921b5ccfc80ae09b6761d0461ccc22941a8511ffe6e53"
    const ecSha1 =
      "308201733082011aa00302010202144a869f0951710775b0d12d035d4c304709b1174d300906072a8648ce3d0401300f310d300b06035504030c04706766783020170d3236313132313032303735345a180f32313236313032383032303735345a300f310d300b06035504030c04706766783059301306072a8648ce3d020106082a8648ce3d03010703420004d2e453df3051afb1d942327ce7cefd5987f05f45a6c351fbc69bdc86bfac10e1e3f5159f4c0db35e3735c325d51a5475d6d190da7fb7934a9c6527f28fc39840a3533051301d0603551d0e0416041418989bd4eafdeabb3f58cc007747a6625ff40fd5301f0603551d2304183016801418989bd4eafdeabb3f58cc007747a6625ff40fd5300f0603551d130101ff040530030101ff300906072a8648ce3d04010348003045022100b48c62225e4b37ffa6cccec6921ec88e4046dbe1871321a23d214b225da211050220541fe454f2b6e26d0bfc1869033a0a272b53e6a63250dfebe471764ad05b6905"
    const ed25519 =
      "308201343081e7a00302010202143f6ff5dc1ba2e46928099a9e3342b905fb40e063300506032b6570300f310d300b06035504030c04706766783020170d3236313132313032303735345a180f32313236313032383032303735345a300f310d300b06035504030c0470676678302a300506032b657003210091c7e5dc2d001e87f1139476d7cbdc88309dec8d0c3dde61557c009a4705aac5a3533051301d0603551d0e041604141ecdb51b3f4cb9895d4b02e3121ae7e41be28ee1301f0603551d230418301680141ecdb51b3f4cb9895d4b02e3121ae7e41be28ee1300f0603551d130101ff040530030101ff300506032b65700341006b92fb43cb878013776b279d170e98070742bd6481cc312c31d0265925394a6fbdbb20862fd3fca9914f46574b1d0c1561a5489ee228fb72f1d3c261f0da8f09"

    it("picks the signature's hash, with SHA-1 upgraded to SHA-256", () => {
      assert.strictEqual(getSuccess(PgAuth.tlsServerEndPointHash(fromHex(ecSha256))), "sha256")
      assert.strictEqual(getSuccess(PgAuth.tlsServerEndPointHash(fromHex(ecSha384))), "sha384")
      assert.strictEqual(getSuccess(PgAuth.tlsServerEndPointHash(fromHex(ecSha1))), "sha256")
    })

    it("fails for algorithms without a hash and for bytes that are not a certificate", () => {
      const ed = getFailure(PgAuth.tlsServerEndPointHash(fromHex(ed25519)))
      assert.strictEqual(ed.reason, "UnsupportedCertificate")
      assert.include(ed.message, "1.3.101.112")
      const der = fromHex(ecSha256)
      for (const bad of [new Uint8Array(0), der.subarray(0, 100), der.subarray(1), fromHex("3080"), fromHex("0403010203")]) {
        assert.strictEqual(getFailure(PgAuth.tlsServerEndPointHash(bad)).reason, "UnsupportedCertificate")
      }
    })

    it("never throws on random or truncated input", () => {
      const der = fromHex(ecSha256)
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: der.length }), (noise, cut) => {
          PgAuth.tlsServerEndPointHash(noise)
          const mutated = der.slice(0, cut)
          if (cut > 0) mutated[(noise[0] ?? 0) % cut] = noise[1] ?? 0xFF
          PgAuth.tlsServerEndPointHash(mutated)
        })
      )
    })
  })
})
