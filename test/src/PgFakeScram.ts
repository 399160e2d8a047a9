/**
 * The server side of SCRAM-SHA-256 (RFC 5802 / RFC 7677, with `tls-server-end-point` channel
 * binding), for fake servers in tests: {@link makeScramServer} is the bare state machine on
 * `node:crypto`, {@link scramAuthentication} a `PgFakeServer` step that runs the whole exchange —
 * honestly, or with a hostile twist (a rewritten server-first or server-final message, an
 * AuthenticationOk that skips the proof).
 *
 * Like PostgreSQL it ignores the SCRAM user name (the start-up user counts), prepares the
 * password with SASLprep, and answers a wrong proof with `e=invalid-proof` (the fake then sends
 * FATAL 28P01, as a real server does).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto"
import * as PgAuth from "@pgfx/protocol/PgAuth"
import {
  afterAuthentication,
  errorResponse,
  FakeServerError,
  type Step,
  type TrustStartupOptions
} from "./PgFakeServer.ts"

/**
 * Options of {@link makeScramServer}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ScramServerOptions {
  /** The password the server's verifier was made from. */
  readonly password: string
  /** Default: 16 random bytes. */
  readonly salt?: Uint8Array | undefined
  /** Default 4096 (PostgreSQL's `scram_iterations`). */
  readonly iterations?: number | undefined
  /** The server's part of the nonce. Default: 18 random bytes in base64. */
  readonly serverNonce?: string | undefined
  /** The binding data of the server's certificate, for SCRAM-SHA-256-PLUS. */
  readonly tlsServerEndPoint?: Uint8Array | undefined
}

/**
 * What a client-first-message says.
 *
 * @category models
 * @since 0.1.0
 */
export interface ClientFirst {
  /** `n,,`, `y,,` or `p=tls-server-end-point,,`. */
  readonly gs2Header: string
  /** `n=<user>,r=<nonce>`. */
  readonly bare: string
  readonly username: string
  readonly nonce: string
}

/**
 * The outcome of {@link ScramServer.serverFinal}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ServerFinal {
  /** Whether the client's proof (and channel binding) checked out. */
  readonly ok: boolean
  /** `v=<signature>` or `e=<error>`. */
  readonly message: string
}

/**
 * One server-side SCRAM exchange.
 *
 * @category models
 * @since 0.1.0
 */
export interface ScramServer {
  /** The full nonce (client + server part), once the client-first-message was read. */
  readonly nonce: string | undefined
  /** Reads the client-first-message and returns the server-first-message. Throws on bad input. */
  serverFirst(clientFirst: Uint8Array): string
  /**
   * Reads the client-final-message: checks the binding, the nonce and the proof, and returns the
   * server-final-message. `sentServerFirst` is the server-first-message actually sent, when a
   * hostile script rewrote it (the AuthMessage covers what the client saw).
   */
  serverFinal(clientFinal: Uint8Array, sentServerFirst?: string): ServerFinal
}

const textDecoder = new TextDecoder()

/**
 * Parses a client-first-message. Throws an `Error` when it is not one.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseClientFirst = (bytes: Uint8Array): ClientFirst => {
  const text = textDecoder.decode(bytes)
  const match = /^((?:n|y|p=tls-server-end-point),,)(n=([^,]*),r=([!-+\--~]+))$/.exec(text)
  if (match === null) throw new Error(`not a SCRAM client-first-message: ${JSON.stringify(text)}`)
  return { gs2Header: match[1]!, bare: match[2]!, username: match[3]!, nonce: match[4]! }
}

/**
 * Creates a server-side SCRAM exchange on `node:crypto`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeScramServer = (options: ScramServerOptions): ScramServer => {
  const salt = options.salt ?? randomBytes(16)
  const iterations = options.iterations ?? 4096
  const serverNonce = options.serverNonce ?? randomBytes(18).toString("base64")
  const salted = pbkdf2Sync(PgAuth.preparePassword(options.password), salt, iterations, 32, "sha256")
  const storedKey = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest()
  const serverKey = createHmac("sha256", salted).update("Server Key").digest()
  let client: ClientFirst | undefined = undefined
  let nonce: string | undefined = undefined
  let first = ""
  return {
    get nonce() {
      return nonce
    },
    serverFirst(clientFirst) {
      client = parseClientFirst(clientFirst)
      nonce = client.nonce + serverNonce
      first = `r=${nonce},s=${Buffer.from(salt).toString("base64")},i=${iterations}`
      return first
    },
    serverFinal(clientFinal, sentServerFirst) {
      if (client === undefined) throw new Error("serverFinal before serverFirst")
      const text = textDecoder.decode(clientFinal)
      const match = /^(c=([^,]*),r=([^,]*)),p=([^,]*)$/.exec(text)
      if (match === null) return { ok: false, message: "e=invalid-encoding" }
      const binding = client.gs2Header.startsWith("p=") ? Buffer.from(options.tlsServerEndPoint ?? []) : Buffer.alloc(0)
      const cbind = Buffer.concat([Buffer.from(client.gs2Header), binding]).toString("base64")
      if (match[2] !== cbind) return { ok: false, message: "e=channel-bindings-dont-match" }
      if (match[3] !== nonce) return { ok: false, message: "e=invalid-proof" }
      const authMessage = `${client.bare},${sentServerFirst ?? first},${match[1]}`
      const clientSignature = createHmac("sha256", storedKey).update(authMessage).digest()
      const proof = Buffer.from(match[4]!, "base64")
      if (proof.length !== 32) return { ok: false, message: "e=invalid-proof" }
      const clientKey = Buffer.alloc(32)
      for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!
      if (!timingSafeEqual(createHash("sha256").update(clientKey).digest(), storedKey)) {
        return { ok: false, message: "e=invalid-proof" }
      }
      return { ok: true, message: "v=" + createHmac("sha256", serverKey).update(authMessage).digest("base64") }
    }
  }
}

/**
 * Options of {@link scramAuthentication}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ScramAuthenticationOptions extends ScramServerOptions {
  /** The mechanisms in AuthenticationSASL (default `["SCRAM-SHA-256"]`). */
  readonly mechanisms?: ReadonlyArray<string> | undefined
  /** Rewrites the server-first-message before it is sent (e.g. a foreign nonce, i=2147483647). */
  readonly serverFirst?: ((message: string, clientNonce: string) => string) | undefined
  /** Rewrites the server-final-message before it is sent (e.g. a wrong `v=`). */
  readonly serverFinal?: ((message: string) => string) | undefined
  /**
   * Sends AuthenticationOk early, skipping the rest of the exchange: right after the
   * SASLInitialResponse (`"initial"`) or after the SASLResponse, without SASLFinal (`"response"`).
   */
  readonly okAfter?: "initial" | "response" | undefined
  /** What follows AuthenticationOk (see `PgFakeServer.afterAuthentication`). */
  readonly after?: TrustStartupOptions | undefined
}

const encoder = new TextEncoder()

/**
 * A `PgFakeServer` step running SCRAM authentication and, when it succeeds, AuthenticationOk and
 * the rest of the start-up. A wrong proof gets FATAL 28P01 and the connection is closed.
 *
 * @category steps
 * @since 0.1.0
 */
export const scramAuthentication = (options: ScramAuthenticationOptions): Step => (connection) =>
  Effect.gen(function*() {
    const scram = makeScramServer(options)
    const mechanisms = options.mechanisms ?? ["SCRAM-SHA-256"]
    const ok = () => connection.send({ _tag: "AuthenticationOk" }, ...afterAuthentication(options.after))
    connection.send({ _tag: "AuthenticationSASL", mechanisms })
    const initial = yield* connection.expect("SASLInitialResponse")
    if (!mechanisms.includes(initial.mechanism)) {
      return yield* Effect.fail(new FakeServerError({ message: `client chose unoffered mechanism ${initial.mechanism}` }))
    }
    if (options.okAfter === "initial") return ok()
    if (initial.data === null) return yield* Effect.fail(new FakeServerError({ message: "SASLInitialResponse without data" }))
    const honest = yield* Effect.try({
      try: () => scram.serverFirst(initial.data!),
      catch: (cause) => new FakeServerError({ message: String(cause), cause })
    })
    const first = options.serverFirst !== undefined
      ? options.serverFirst(honest, parseClientFirst(initial.data).nonce)
      : honest
    connection.send({ _tag: "AuthenticationSASLContinue", data: encoder.encode(first) })
    const response = yield* connection.expect("SASLResponse")
    const final = scram.serverFinal(response.data, first)
    if (!final.ok) {
      connection.send(
        errorResponse("28P01", `password authentication failed for user "${userOf(connection.startup?.parameters)}"`, {
          severity: "FATAL"
        })
      )
      connection.end()
      return
    }
    if (options.okAfter === "response") return ok()
    const finalText = options.serverFinal !== undefined ? options.serverFinal(final.message) : final.message
    connection.send({ _tag: "AuthenticationSASLFinal", data: encoder.encode(finalText) })
    ok()
  })

const userOf = (parameters: ReadonlyArray<readonly [string, string]> | undefined): string =>
  parameters?.find(([name]) => name === "user")?.[1] ?? ""
