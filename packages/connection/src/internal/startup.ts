/**
 * Start-up: StartupMessage, protocol negotiation, authentication, and the wait for the first
 * ReadyForQuery. Runs on an open (possibly TLS) socket; every wait is interruptible.
 *
 * Authentication follows libpq: trust, cleartext, MD5, SCRAM-SHA-256 and SCRAM-SHA-256-PLUS;
 * `require_auth` is enforced at every request the server makes, `channel_binding=require` is
 * enforced at AuthenticationOk, and a SCRAM exchange must have verified the server's signature
 * before AuthenticationOk is accepted (so a server cannot skip proving it knows the password).
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as PgAuth from "@pgfx/protocol/PgAuth"
import * as PgBackend from "@pgfx/protocol/PgBackend"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import * as PgError from "../PgError.ts"
import { nodeAuthCrypto, secureRandomBytes } from "./nodeCrypto.ts"
import { serverErrorInit } from "./session.ts"
import type { PgSocket } from "./socket.ts"

/** `require_auth` as parsed by PgConfig. */
export interface RequireAuthSetting {
  readonly negated: boolean
  readonly methods: ReadonlyArray<string>
}

/** What start-up needs to know. */
export interface StartupOptions {
  readonly user: string
  readonly database: string
  readonly password: Redacted.Redacted<string> | undefined
  /** Extra start-up parameters (application_name, options, replication, DateStyle, …). */
  readonly parameters: ReadonlyArray<readonly [string, string]>
  /** Highest protocol version to ask for. */
  readonly maxProtocolVersion: "3.0" | "3.2"
  /** Lowest protocol version to accept. */
  readonly minProtocolVersion: "3.0" | "3.2"
  readonly requireAuth: RequireAuthSetting | undefined
  readonly channelBinding: "disable" | "prefer" | "require"
  /** `tls-server-end-point` data of the server certificate, when the socket is encrypted. */
  readonly tlsServerEndPoint: Uint8Array | undefined
  /** Upper bound on the SCRAM iteration count (default PgAuth.defaultMaxIterations). */
  readonly maxScramIterations?: number | undefined
  /** Largest accepted message. */
  readonly maxMessageSize?: number | undefined
}

/** What start-up learned. */
export interface StartupResult {
  readonly processId: number
  /** The cancel key: 4 bytes (3.0) or up to 256 (3.2). Empty if the server sent none. */
  readonly secretKey: Uint8Array
  readonly parameters: Map<string, string>
  /** 3.0 → 0, 3.2 → 2 */
  readonly protocolMinor: number
  readonly transactionStatus: "I" | "T" | "E"
  /** The parser, positioned after ReadyForQuery (may hold a partial message). */
  readonly parser: PgBackend.Parser
  /** Messages that arrived after ReadyForQuery in the same chunk (notices, notifications). */
  readonly leftover: ReadonlyArray<PgBackend.BackendMessage>
  /** Notices sent during start-up. */
  readonly notices: ReadonlyArray<PgBackend.NoticeResponse>
  /** The authentication method the server used. */
  readonly authMethod: string
}

/**
 * Reads backend messages one at a time from a socket during start-up.
 */
class MessageReader {
  private readonly buffered: Array<PgBackend.BackendMessage> = []
  private failure: PgError.PgError | undefined = undefined
  private wake: (() => void) | undefined = undefined
  readonly parser: PgBackend.Parser

  constructor(socket: PgSocket, parser: PgBackend.Parser) {
    this.parser = parser
    const push = (m: PgBackend.BackendMessage) => {
      this.buffered.push(m)
    }
    socket.setHandlers({
      onData: (chunk) => {
        if (this.failure !== undefined) return
        const error = parser.push(chunk, push)
        if (error !== undefined) {
          this.failure = PgError.make(
            new PgError.ProtocolError({ message: `malformed server message during start-up: ${error.message}`, cause: error })
          )
        }
        this.notify()
      },
      onClose: (error) => {
        if (this.failure === undefined) {
          this.failure = error ??
            PgError.make(
              new PgError.ConnectionClosed({ message: "the server closed the connection during start-up", safeToRetry: true })
            )
        }
        this.notify()
      }
    })
  }

  private notify(): void {
    const w = this.wake
    this.wake = undefined
    w?.()
  }

  /** The next message, waiting for it if needed. */
  readonly next: Effect.Effect<PgBackend.BackendMessage, PgError.PgError> = Effect.callback((resume) => {
    const attempt = (): boolean => {
      const m = this.buffered.shift()
      if (m !== undefined) {
        resume(Effect.succeed(m))
        return true
      }
      if (this.failure !== undefined) {
        resume(Effect.fail(this.failure))
        return true
      }
      return false
    }
    if (attempt()) return
    const wake = (): void => {
      if (!attempt()) this.wake = wake
    }
    this.wake = wake
    return Effect.sync(() => {
      this.wake = undefined
    })
  })

  /** Messages received but not read. */
  drain(): Array<PgBackend.BackendMessage> {
    return this.buffered.splice(0)
  }
}

// `cause` keeps what the message alone would lose: the SCRAM failure's `reason` (e.g.
// `BadServerSignature`, `NonceMismatch`) or, for a refusal by the server, its ErrorResponse fields
// (severity, detail, hint…) as a server-error reason.
const authError = (message: string, method?: string, code?: string, cause?: unknown): PgError.PgError =>
  PgError.make(
    new PgError.AuthenticationError({
      message,
      ...(method !== undefined ? { method } : {}),
      ...(code !== undefined ? { code } : {}),
      ...(cause !== undefined ? { cause } : {})
    })
  )

const protocolError = (message: string): PgError.PgError => PgError.make(new PgError.ProtocolError({ message }))

/** libpq's names for what a server asks for, as used by `require_auth`. */
const methodOf = (m: PgBackend.Authentication): string => {
  switch (m._tag) {
    case "AuthenticationCleartextPassword":
      return "password"
    case "AuthenticationMD5Password":
      return "md5"
    case "AuthenticationSASL":
    case "AuthenticationSASLContinue":
    case "AuthenticationSASLFinal":
      return "scram-sha-256"
    case "AuthenticationGSS":
    case "AuthenticationGSSContinue":
    case "AuthenticationKerberosV5":
      return "gss"
    case "AuthenticationSSPI":
      return "sspi"
    case "AuthenticationOk":
      return "none"
  }
}

/** Whether `require_auth` allows a method. */
const allowed = (setting: RequireAuthSetting | undefined, method: string): boolean => {
  if (setting === undefined) return true
  const listed = setting.methods.includes(method)
  return setting.negated ? !listed : listed
}

const describeRequirement = (setting: RequireAuthSetting): string =>
  setting.methods.map((m) => (setting.negated ? `!${m}` : m)).join(",")

const requirePassword = (options: StartupOptions, method: string): Effect.Effect<string, PgError.PgError> =>
  options.password === undefined
    ? Effect.fail(authError("password authentication failed: no password supplied", method))
    : Effect.succeed(Redacted.value(options.password))

/**
 * Runs start-up on an open socket. The socket's handlers are owned by start-up until it
 * returns; the caller then hands the socket and the returned parser to a `Session`.
 */
export const startup = Effect.fnUntraced(function*(
  socket: PgSocket,
  options: StartupOptions
): Effect.fn.Return<StartupResult, PgError.PgError> {
  // DataRows are built into rows during the callback (requests.ts, portal.ts): one object serves
  const parser = PgBackend.makeParser({ maxMessageSize: options.maxMessageSize, reuseDataRow: true })
  const reader = new MessageReader(socket, parser)
  const encoder = PgFrontend.makeEncoder(256)
  const params: Array<readonly [string, string]> = [["user", options.user], ["database", options.database]]
  for (const p of options.parameters) params.push(p)
  const version = options.maxProtocolVersion === "3.2" ? PgFrontend.ProtocolVersion.v3_2 : PgFrontend.ProtocolVersion.v3_0
  const startupBytes = yield* Effect.try({
    try: () => encoder.startup(params, version).take(),
    catch: (cause) =>
      PgError.make(new PgError.EncodeError({ message: `invalid start-up parameter: ${String((cause as Error).message)}`, cause }))
  })
  socket.write(startupBytes)

  let protocolMinor = version & 0xffff
  let processId = 0
  let secretKey: Uint8Array = new Uint8Array(0)
  const parameters = new Map<string, string>()
  const notices: Array<PgBackend.NoticeResponse> = []
  let scram: PgAuth.ScramClient | undefined = undefined
  let authenticated = false
  let method = "none"

  while (true) {
    const m = yield* reader.next
    switch (m._tag) {
      case "AuthenticationOk": {
        if (authenticated) return yield* Effect.fail(protocolError("duplicate AuthenticationOk"))
        if (scram !== undefined && scram.state !== "Done") {
          return yield* Effect.fail(
            authError("the server accepted authentication before proving it knows the password (SCRAM incomplete)", method)
          )
        }
        if (method === "none" && options.requireAuth !== undefined && !allowed(options.requireAuth, "none")) {
          return yield* Effect.fail(
            authError(
              `authentication method requirement "${describeRequirement(options.requireAuth)}" failed: server did not complete authentication`,
              method
            )
          )
        }
        if (options.channelBinding === "require" && !(scram?.channelBound ?? false)) {
          return yield* Effect.fail(
            authError("channel binding required, but server authenticated client without channel binding", method)
          )
        }
        authenticated = true
        break
      }
      case "AuthenticationCleartextPassword":
      case "AuthenticationMD5Password":
      case "AuthenticationSASL":
      case "AuthenticationGSS":
      case "AuthenticationKerberosV5":
      case "AuthenticationSSPI": {
        if (authenticated || scram !== undefined) {
          return yield* Effect.fail(protocolError(`unexpected ${m._tag} after authentication started`))
        }
        method = methodOf(m)
        if (!allowed(options.requireAuth, method)) {
          return yield* Effect.fail(
            authError(
              `authentication method requirement "${describeRequirement(options.requireAuth!)}" failed: server requested ${method} authentication`,
              method
            )
          )
        }
        if (options.channelBinding === "require" && m._tag !== "AuthenticationSASL") {
          return yield* Effect.fail(
            authError("channel binding required but not supported by server's authentication request", method)
          )
        }
        if (m._tag === "AuthenticationCleartextPassword") {
          const password = yield* requirePassword(options, method)
          socket.write(encoder.password(password).take())
        } else if (m._tag === "AuthenticationMD5Password") {
          const password = yield* requirePassword(options, method)
          const hashed = PgAuth.md5Password(options.user, password, m.salt, nodeAuthCrypto)
          if (Result.isFailure(hashed)) return yield* Effect.fail(authError(hashed.failure.message, method, undefined, hashed.failure))
          socket.write(encoder.password(hashed.success).take())
        } else if (m._tag === "AuthenticationSASL") {
          const choice = PgAuth.selectMechanism({
            mechanisms: m.mechanisms,
            channelBinding: options.channelBinding,
            tls: socket.encrypted,
            tlsServerEndPoint: options.tlsServerEndPoint
          })
          if (Result.isFailure(choice)) return yield* Effect.fail(authError(choice.failure.message, method, undefined, choice.failure))
          const password = yield* requirePassword(options, method)
          scram = PgAuth.scramClient({
            password,
            nonce: PgAuth.makeClientNonce(secureRandomBytes(18)),
            crypto: nodeAuthCrypto,
            channelBinding: choice.success.channelBinding,
            maxIterations: options.maxScramIterations
          })
          const first = scram.clientFirstMessage()
          socket.write(encoder.saslInitialResponse(first.mechanism, first.bytes).take())
        } else {
          return yield* Effect.fail(
            PgError.make(
              new PgError.Unsupported({
                message: `the server requested ${method.toUpperCase()} authentication, which pgfx does not support`,
                feature: method
              })
            )
          )
        }
        break
      }
      case "AuthenticationSASLContinue": {
        if (scram === undefined) return yield* Effect.fail(protocolError("SASLContinue without SASL"))
        const final = scram.handleServerFirst(m.data)
        if (Result.isFailure(final)) return yield* Effect.fail(authError(final.failure.message, method, undefined, final.failure))
        socket.write(encoder.saslResponse(final.success).take())
        break
      }
      case "AuthenticationSASLFinal": {
        if (scram === undefined) return yield* Effect.fail(protocolError("SASLFinal without SASL"))
        const verified = scram.handleServerFinal(m.data)
        if (Result.isFailure(verified)) return yield* Effect.fail(authError(verified.failure.message, method, undefined, verified.failure))
        break
      }
      case "AuthenticationGSSContinue":
        return yield* Effect.fail(protocolError("unexpected GSSContinue"))
      case "NegotiateProtocolVersion": {
        if (authenticated) return yield* Effect.fail(protocolError("NegotiateProtocolVersion after authentication"))
        const offered = m.newestVersion & 0xffff
        const minMinor = options.minProtocolVersion === "3.2" ? 2 : 0
        if (offered > protocolMinor || (offered !== 0 && offered !== 2)) {
          return yield* Effect.fail(protocolError(`the server offered an invalid protocol version 3.${offered}`))
        }
        if (offered < minMinor) {
          return yield* Effect.fail(
            PgError.make(
              new PgError.Unsupported({
                message: `the server supports protocol 3.${offered}, but min_protocol_version is ${options.minProtocolVersion}`,
                feature: "protocol version"
              })
            )
          )
        }
        if (m.unrecognizedOptions.length > 0) {
          return yield* Effect.fail(
            protocolError(`the server does not support protocol options ${m.unrecognizedOptions.join(", ")}`)
          )
        }
        protocolMinor = offered
        break
      }
      case "BackendKeyData":
        processId = m.processId
        secretKey = m.secretKey
        break
      case "ParameterStatus":
        parameters.set(m.name, m.value)
        break
      case "NoticeResponse":
        notices.push(m)
        break
      case "ErrorResponse": {
        const init = serverErrorInit(m, undefined)
        if (m.code.startsWith("28") || m.code === "42501" && !authenticated) {
          return yield* Effect.fail(authError(m.message, method, m.code, PgError.serverReason(init)))
        }
        return yield* Effect.fail(PgError.make(PgError.serverReason(init)))
      }
      case "ReadyForQuery": {
        if (!authenticated) return yield* Effect.fail(protocolError("ReadyForQuery before authentication"))
        return {
          processId,
          secretKey,
          parameters,
          protocolMinor,
          transactionStatus: m.status,
          parser,
          leftover: reader.drain(),
          notices,
          authMethod: method
        }
      }
      default:
        return yield* Effect.fail(protocolError(`unexpected ${m._tag} during start-up`))
    }
  }
})
