/**
 * Establishing a session: the libpq host loop.
 *
 * Targets are tried in order (shuffled with `load_balance_hosts=random`); each attempt —
 * socket, encryption, start-up, and the `target_session_attrs` check — runs under
 * `connect_timeout`. Any failure moves on to the next target; when all fail, the error of the
 * last attempt is returned with the others in its message. `prefer-standby` makes a second pass
 * accepting any server when no standby was found.
 *
 * Also here: the CancelRequest, sent on a new connection to the same target with the same TLS
 * policy as the session.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import type { PgConfig, PgConfigInput, PgTarget } from "../PgConfig.ts"
import * as PgConfigModule from "../PgConfig.ts"
import * as PgError from "../PgError.ts"
import { connect, type TargetSettings, withConnectTimeout } from "./connect.ts"
import type { PgSocket } from "./socket.ts"
import { startup, type StartupResult } from "./startup.ts"
import { type TlsSettings, tlsServerEndPointData } from "./tls.ts"

/** A started-up session's socket and what start-up learned. */
export interface Established {
  readonly socket: PgSocket
  readonly startup: StartupResult
  readonly target: { readonly host: string; readonly port: number }
  /** How to reach the same server again (for CancelRequest). */
  readonly targetSettings: TargetSettings
  /** The TLS settings that produced this session's encryption (for CancelRequest). */
  readonly tlsSettings: TlsSettings
  readonly config: PgConfig
}

/** Options of {@link establish}. */
export interface EstablishOptions {
  /** Start-up parameters added to the config's (application_name, options, …). */
  readonly parameters: ReadonlyArray<readonly [string, string]>
  readonly maxMessageSize?: number | undefined
}

const isPgConfig = (u: PgConfig | PgConfigInput): u is PgConfig =>
  Array.isArray((u as PgConfig).targets) && typeof (u as PgConfig).sslMode === "string"

/** Resolves any accepted config form to a PgConfig. */
export const resolveConfig = (
  config: PgConfig | PgConfigInput | string
): Effect.Effect<PgConfig, PgError.PgError> =>
  typeof config !== "string" && (typeof config !== "object" || config === null)
    ? Effect.fail(
      PgError.make(
        new PgError.ConfigError({ message: `invalid connection configuration: expected a connection string or an options object, got ${config === null ? "null" : typeof config}` })
      )
    )
    : typeof config === "object" && isPgConfig(config)
    ? Effect.succeed(config)
    : PgConfigModule.load(config).pipe(
      Effect.mapError((e) =>
        PgError.make(new PgError.ConfigError({ message: e.message, ...(e.keyword !== undefined ? { keyword: e.keyword } : {}) }))
      )
    )

const targetSettings = (config: PgConfig, target: PgTarget): TargetSettings => ({
  host: target.host,
  hostaddr: target.hostaddr,
  port: target.port,
  socketPath: target.socketPath,
  keepalives: config.keepalives,
  keepalivesIdle: config.keepalivesIdle,
  keepalivesInterval: config.keepalivesInterval,
  keepalivesCount: config.keepalivesCount,
  tcpUserTimeout: config.tcpUserTimeout,
  connectTimeout: config.connectTimeout,
  gssencmode: config.gssEncMode
})

const tlsSettings = (config: PgConfig): TlsSettings => ({
  sslmode: config.sslMode,
  sslnegotiation: config.sslNegotiation,
  sslrootcert: config.sslRootCert,
  sslcert: config.sslCert,
  sslkey: config.sslKey,
  sslpassword: config.sslPassword,
  sslcertmode: config.sslCertMode,
  sslcrl: config.sslCrl,
  sslcrldir: config.sslCrlDir,
  sslsni: config.sslSni,
  sslMinProtocolVersion: config.sslMinProtocolVersion,
  sslMaxProtocolVersion: config.sslMaxProtocolVersion,
  sslkeylogfile: config.sslKeyLogFile
})

const startupParameters = (
  config: PgConfig,
  extra: ReadonlyArray<readonly [string, string]>
): ReadonlyArray<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  const app = config.applicationName ?? config.fallbackApplicationName
  if (app !== undefined) out.push(["application_name", app])
  if (config.options !== undefined) out.push(["options", config.options])
  if (config.replication !== undefined) {
    out.push(["replication", config.replication === "database" ? "database" : config.replication ? "true" : "false"])
  }
  for (const p of extra) out.push(p)
  return out
}

/** Checks the client encoding: pgfx decodes text as UTF-8, so the session must use UTF8. */
const checkEncoding = (config: PgConfig): PgError.PgError | undefined => {
  const enc = config.clientEncoding?.toUpperCase().replace(/[-_]/g, "")
  if (enc === undefined || enc === "UTF8" || enc === "UNICODE" || enc === "AUTO") return undefined
  return PgError.make(
    new PgError.Unsupported({
      message: `client_encoding "${config.clientEncoding}" is not supported: pgfx always uses UTF8`,
      feature: "client_encoding"
    })
  )
}

type AttrsVerdict = "ok" | "skip"

/** Evaluates target_session_attrs from the reported parameters (PostgreSQL 14+ reports both). */
const sessionAttrs = (
  wanted: PgConfig["targetSessionAttrs"],
  parameters: ReadonlyMap<string, string>,
  pass: 1 | 2
): AttrsVerdict => {
  if (wanted === "any") return "ok"
  const readOnly = parameters.get("default_transaction_read_only") === "on" || parameters.get("in_hot_standby") === "on"
  const standby = parameters.get("in_hot_standby") === "on"
  switch (wanted) {
    case "read-write":
      return readOnly ? "skip" : "ok"
    case "read-only":
      return readOnly ? "ok" : "skip"
    case "primary":
      return standby ? "skip" : "ok"
    case "standby":
      return standby ? "ok" : "skip"
    case "prefer-standby":
      return pass === 2 || standby ? "ok" : "skip"
  }
}

const shuffle = <A>(items: ReadonlyArray<A>): Array<A> => {
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const t = out[i]!
    out[i] = out[j]!
    out[j] = t
  }
  return out
}

const labelOf = (target: PgTarget): string =>
  target.isUnixSocket ? `socket "${target.socketPath ?? target.host}"` : `"${target.hostaddr ?? target.host}" port ${target.port}`

/** One attempt at one target (socket, encryption, start-up), with libpq's sslmode fallback. */
const attempt = (
  config: PgConfig,
  target: PgTarget,
  options: EstablishOptions
): Effect.Effect<Established, PgError.PgError> => {
  if (config.requirePeer !== undefined && target.isUnixSocket) {
    // libpq checks the server process's OS user with getpeereid(); Node exposes no peer
    // credentials for Unix sockets, so the check cannot be made — refuse rather than skip a
    // security setting silently.
    return Effect.fail(
      PgError.make(
        new PgError.Unsupported({
          message: "requirepeer is not supported: Node.js cannot read the peer credentials of a Unix socket",
          feature: "requirepeer"
        })
      )
    )
  }
  const settings = targetSettings(config, target)
  const run = (tls: TlsSettings, allowFallback: boolean): Effect.Effect<Established, PgError.PgError> =>
    Effect.flatMap(connect(settings, tls), (connected) => {
      const socket = connected.socket
      const endPoint = socket.encrypted && socket.peerCertificateDer !== undefined
        ? tlsServerEndPointData(socket.peerCertificateDer)
        : undefined
      const password = target.password ?? config.password
      return startup(socket, {
        user: config.user,
        database: config.database,
        password: password !== undefined ? Redacted.make(Redacted.value(password)) : undefined,
        parameters: startupParameters(config, options.parameters),
        maxProtocolVersion: config.maxProtocolVersion,
        minProtocolVersion: config.minProtocolVersion,
        requireAuth: config.requireAuth,
        channelBinding: config.channelBinding,
        tlsServerEndPoint: endPoint !== undefined && Result.isSuccess(endPoint) ? endPoint.success : undefined,
        maxMessageSize: options.maxMessageSize
      }).pipe(
        Effect.map((result): Established => ({
          socket,
          startup: result,
          target: { host: target.isUnixSocket ? (target.socketPath ?? target.host) : (target.hostaddr ?? target.host), port: target.port },
          targetSettings: settings,
          tlsSettings: tls,
          config
        })),
        Effect.onError(() => Effect.sync(() => socket.destroy())),
        Effect.catchIf(
          // libpq's second chance (sslmode allow/prefer): the server refused us with an
          // ErrorResponse, so try again the other way.
          (e: PgError.PgError) =>
            allowFallback && connected.fallback !== undefined &&
            (PgError.isServerErrorReason(e.reason) || e.reason._tag === "AuthenticationError"),
          (first) =>
            // If the second way fails too, report the server's first answer (its reason — e.g.
            // too many connections — is what the caller needs), with both messages, as libpq does.
            Effect.catch(run(connected.fallback!, false), (second) =>
              Effect.fail(combineErrors(first, second)))
        )
      )
    })
  return withConnectTimeout(run(tlsSettings(config), true), settings)
}

/** The first error, its message extended with the second's. */
const combineErrors = (first: PgError.PgError, second: PgError.PgError): PgError.PgError => {
  const message = `${first.message}\n(retrying ${second.reason._tag === "TlsError" ? "with" : "without"} SSL: ${second.message})`
  const r = first.reason
  if (PgError.isServerErrorReason(r)) return PgError.make(PgError.serverReason({ ...r, message }))
  if (r._tag === "AuthenticationError") return PgError.make(new PgError.AuthenticationError({ ...r, message }))
  return first
}

/**
 * Connects to the first suitable target of `config`.
 */
export const establish = (
  input: PgConfig | PgConfigInput | string,
  options: EstablishOptions
): Effect.Effect<Established, PgError.PgError> =>
  Effect.gen(function*() {
    const config = yield* resolveConfig(input)
    const encodingError = checkEncoding(config)
    if (encodingError !== undefined) return yield* Effect.fail(encodingError)
    const targets = config.loadBalanceHosts === "random" ? shuffle(config.targets) : config.targets
    if (targets.length === 0) {
      return yield* Effect.fail(PgError.make(new PgError.ConfigError({ message: "no host to connect to" })))
    }
    const failures: Array<string> = []
    let last: PgError.PgError | undefined = undefined
    const passes: ReadonlyArray<1 | 2> = config.targetSessionAttrs === "prefer-standby" ? [1, 2] : [1]
    for (const pass of passes) {
      for (const target of targets) {
        const result = yield* Effect.result(attempt(config, target, options))
        if (Result.isFailure(result)) {
          last = result.failure
          failures.push(`${labelOf(target)}: ${result.failure.message}`)
          // Authentication and configuration problems will not get better on another pass.
          continue
        }
        const established = result.success
        if (sessionAttrs(config.targetSessionAttrs, established.startup.parameters, pass) === "ok") return established
        established.socket.write(PgFrontend.encode({ _tag: "Terminate" }))
        established.socket.end()
        const message = `server is not suitable for target_session_attrs=${config.targetSessionAttrs}`
        failures.push(`${labelOf(target)}: ${message}`)
        last = PgError.make(new PgError.ConnectionError({ message }))
      }
    }
    const error = last!
    if (failures.length <= 1) return yield* Effect.fail(error)
    return yield* Effect.fail(withMessage(error, `could not connect to any of ${targets.length} hosts:\n  ${failures.join("\n  ")}`))
  })

/** The same reason with a message listing every attempt. */
const withMessage = (error: PgError.PgError, message: string): PgError.PgError => {
  const r = error.reason
  switch (r._tag) {
    case "ConnectionError":
      return PgError.make(new PgError.ConnectionError({ ...r, message }))
    case "ConnectTimeout":
      return PgError.make(new PgError.ConnectTimeout({ ...r, message }))
    default:
      return PgError.make(new PgError.ConnectionError({ message, cause: error }))
  }
}

/**
 * Sends a CancelRequest for the session's current statement: a new connection to the same
 * target (TLS negotiated as for the session), the 16-byte (or longer, protocol 3.2) request,
 * then wait for the server to close it. Never fails; gives up after 10 seconds.
 */
export const sendCancelRequest = (established: Established): Effect.Effect<void> => {
  const { startup: s } = established
  if (s.secretKey.length === 0) return Effect.void
  const bytes = PgFrontend.makeEncoder(64).cancelRequest(s.processId, s.secretKey).take()
  const tls: TlsSettings = established.socket.encrypted
    ? established.tlsSettings
    : { ...established.tlsSettings, sslmode: "disable" }
  return Effect.scoped(
    Effect.gen(function*() {
      const connected = yield* connect(established.targetSettings, tls)
      const socket = connected.socket
      yield* Effect.addFinalizer(() => Effect.sync(() => socket.destroy()))
      yield* Effect.callback<void>((resume) => {
        socket.setHandlers({
          onData: () => {},
          onClose: () => resume(Effect.void)
        })
        socket.write(bytes)
      })
    })
  ).pipe(
    Effect.timeout(Duration.seconds(10)),
    Effect.catchCause((cause) => Effect.logDebug("pgfx: sending a CancelRequest failed", cause)),
    Effect.asVoid
  )
}
