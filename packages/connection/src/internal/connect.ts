/**
 * Opening one target: the socket (TCP or Unix-domain) and the encryption negotiation that
 * precedes the StartupMessage, with libpq's rules.
 *
 * **Socket.** TCP goes to `hostaddr` when given (then `host` only names the server for TLS
 * verification and SNI), else to `host`, which Node resolves and tries over IPv6 and IPv4
 * (`autoSelectFamily`, "happy eyeballs"). A `host` starting with `/` (or `@`, Linux abstract
 * namespace) is a Unix-socket directory: the socket is `<dir>/.s.PGSQL.<port>`. TCP sockets get
 * `TCP_NODELAY` and, unless `keepalives` is off, `SO_KEEPALIVE` with `keepalives_idle` as the idle
 * time (system default when unset).
 *
 * **Not settable from Node** (accepted and ignored, rather than faked):
 * `keepalives_interval` and `keepalives_count` (libuv sets its own probe interval/count when it
 * enables keep-alive), and `tcp_user_timeout` (`TCP_USER_TIMEOUT` has no Node API). Use
 * `connect_timeout` and the session's own timeouts to detect dead peers.
 *
 * **Negotiation** (`sslnegotiation=postgres`, the default): unless `sslmode` is `disable` or
 * `allow`, send SSLRequest and read the one-byte reply:
 * - `'S'`: TLS handshake (see `tls.ts`). Any byte after the `'S'` is refused ("received
 *   unencrypted data after SSL response", CVE-2021-23222).
 * - `'N'`: continue unencrypted under `prefer`; `require`/`verify-*` fail ("server does not
 *   support SSL, but SSL was required").
 * - `'E'`: the server failed before TLS (fork failure, too many connections…). Its message is not
 *   read — it is unauthenticated — and the attempt fails in every mode, as in libpq 17.
 *
 * With `sslnegotiation=direct` (PostgreSQL 17+, `sslmode` ≥ `require`), TLS starts at once and
 * the server must select ALPN `postgresql`. Unix-domain sockets never use TLS (libpq ignores
 * `sslmode` and `gssencmode` there). GSSAPI encryption is not implemented: `gssencmode=prefer`
 * (libpq's default) skips it, `require` fails with `Unsupported`.
 *
 * **Fallbacks** (the contract with the start-up code). libpq retries one target with the other
 * encryption choice in two situations:
 * 1. `sslmode=prefer` and the TLS handshake fails (or TLS cannot be set up): {@link connect}
 *    does this itself — it opens a new socket and continues unencrypted.
 * 2. The server refuses the session with an ErrorResponse during start-up or authentication
 *    (e.g. `pg_hba.conf` has only `hostssl` or only `hostnossl` lines): under `allow` (first try
 *    plaintext) or `prefer` (first try TLS). {@link Connected.fallback} then holds the settings
 *    for the second try: on such an ErrorResponse, close the socket and call `connect(target,
 *    fallback)` once; its result has no further fallback. Socket failures are not ErrorResponses
 *    and do not fall back.
 *
 * **Time.** Nothing here times out by itself: wrap the whole attempt (socket, negotiation,
 * start-up, authentication) in {@link withConnectTimeout}. Interrupting any step destroys the
 * half-open socket.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Result from "effect/Result"
import * as net from "node:net"
import * as PgError from "../PgError.ts"
import { closedError, fromNodeSocket, type PgSocket, SlabReader, type SocketPeer } from "./socket.ts"
import { checkTlsSettings, resolveTls, type TlsSettings } from "./tls.ts"

/**
 * libpq's `gssencmode`.
 *
 * @category models
 * @since 0.1.0
 */
export type GssEncMode = "disable" | "prefer" | "require"

/**
 * One server to connect to, with libpq's option names and meanings.
 *
 * @category models
 * @since 0.1.0
 */
export interface TargetSettings {
  /**
   * Host name or IP literal; a Unix-socket directory when it starts with `/` (or `@` for the
   * Linux abstract namespace). With `hostaddr`, only used for TLS verification and SNI.
   * Default (neither `host`, `hostaddr` nor `socketPath`): `localhost`.
   */
  readonly host?: string | undefined
  /** Numeric address to connect to, without a name lookup. */
  readonly hostaddr?: string | undefined
  /** Default: 5432. */
  readonly port?: number | undefined
  /** The Unix socket file itself (takes precedence over `host`/`hostaddr`). */
  readonly socketPath?: string | undefined
  /** TCP keep-alive (default on). */
  readonly keepalives?: boolean | undefined
  /** Idle time before the first keep-alive probe (whole seconds are used). */
  readonly keepalivesIdle?: Duration.Duration | undefined
  /** Accepted for completeness; Node cannot set it (see the module notes). */
  readonly keepalivesInterval?: Duration.Duration | undefined
  /** Accepted for completeness; Node cannot set it (see the module notes). */
  readonly keepalivesCount?: number | undefined
  /** Accepted for completeness; Node cannot set `TCP_USER_TIMEOUT` (see the module notes). */
  readonly tcpUserTimeout?: Duration.Duration | undefined
  /** Per-attempt deadline applied by {@link withConnectTimeout}; zero or unset means none. */
  readonly connectTimeout?: Duration.Duration | undefined
  /** Default `prefer` (skipped: no GSSAPI); `require` is unsupported. */
  readonly gssencmode?: GssEncMode | undefined
}

/**
 * PostgreSQL's default port.
 *
 * @category constants
 * @since 0.1.0
 */
export const DEFAULT_PORT = 5432

/**
 * The Unix socket file in directory `dir` for `port`: `<dir>/.s.PGSQL.<port>`; a directory
 * written `@name` is in the Linux abstract namespace (`\0name/.s.PGSQL.<port>`).
 *
 * @category utils
 * @since 0.1.0
 */
export const unixSocketPath = (dir: string, port: number): string => {
  const base = dir.startsWith("@") ? "\0" + dir.slice(1) : dir
  return `${base.endsWith("/") ? base.slice(0, -1) : base}/.s.PGSQL.${port}`
}

type Endpoint =
  | { readonly transport: "unix"; readonly path: string; readonly peer: SocketPeer; readonly label: string }
  | {
    readonly transport: "tcp"
    readonly address: string
    readonly port: number
    readonly peer: SocketPeer
    readonly label: string
  }

const endpointOf = (target: TargetSettings): Endpoint => {
  const port = target.port ?? DEFAULT_PORT
  const host = target.host === "" ? undefined : target.host
  const hostaddr = target.hostaddr === "" ? undefined : target.hostaddr
  const path = target.socketPath ??
    (hostaddr === undefined && host !== undefined && (host.startsWith("/") || host.startsWith("@"))
      ? unixSocketPath(host, port)
      : undefined)
  if (path !== undefined) {
    const shown = path.replace("\0", "@")
    return {
      transport: "unix",
      path,
      peer: { transport: "unix", host: shown, port },
      label: `connection to server on socket "${shown}"`
    }
  }
  const address = hostaddr ?? host ?? "localhost"
  return {
    transport: "tcp",
    address,
    port,
    peer: { transport: "tcp", host: host ?? address, port },
    label: host !== undefined && hostaddr !== undefined
      ? `connection to server at "${host}" (${hostaddr}), port ${port}`
      : `connection to server at "${address}", port ${port}`
  }
}

const connectError = (cause: unknown, endpoint: Endpoint): PgError.PgError => {
  const errors = cause instanceof AggregateError ? cause.errors : [cause]
  const reason = errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; ")
  const code = (cause as { code?: unknown } | undefined)?.code ?? (errors[0] as { code?: unknown } | undefined)?.code
  return PgError.make(
    new PgError.ConnectionError({
      message: `${endpoint.label} failed: ${reason}`,
      code: typeof code === "string" ? code : undefined,
      host: endpoint.peer.host,
      port: endpoint.peer.port,
      cause
    })
  )
}

const noop = (): void => {}

/**
 * Opens the socket to `target` (no negotiation). Interrupting it destroys the half-open socket;
 * failures are `ConnectionError`s with the system `code` (`ECONNREFUSED`, `ENOENT`, `ENOTFOUND`…),
 * `host` (or socket path) and `port`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const openSocket = Effect.fnUntraced(function*(
  target: TargetSettings
): Effect.fn.Return<PgSocket, PgError.PgError> {
  const endpoint = endpointOf(target)
  return yield* Effect.callback<PgSocket, PgError.PgError>((resume) => {
    let socket: net.Socket
    const reader = new SlabReader()
    const onread = { buffer: reader.buffer, callback: reader.callback }
    try {
      socket = endpoint.transport === "unix"
        ? net.connect({ path: endpoint.path, onread })
        : net.connect({ host: endpoint.address, port: endpoint.port, autoSelectFamily: true, onread })
    } catch (cause) {
      resume(Effect.fail(connectError(cause, endpoint)))
      return
    }
    const onConnect = (): void => {
      socket.off("error", onError)
      if (endpoint.transport === "tcp") {
        socket.setNoDelay(true)
        if (target.keepalives === false) socket.setKeepAlive(false)
        else {
          const idle = target.keepalivesIdle === undefined ? 0 : Duration.toMillis(target.keepalivesIdle)
          socket.setKeepAlive(true, Number.isFinite(idle) && idle > 0 ? idle : 0)
        }
      }
      resume(Effect.succeed(fromNodeSocket(socket, endpoint.peer, reader)))
    }
    const onError = (cause: Error): void => {
      socket.off("connect", onConnect)
      socket.on("error", noop)
      socket.destroy()
      resume(Effect.fail(connectError(cause, endpoint)))
    }
    socket.once("connect", onConnect)
    socket.once("error", onError)
    return Effect.sync(() => {
      socket.off("connect", onConnect)
      socket.off("error", onError)
      socket.on("error", noop)
      socket.destroy()
    })
  })
})

/**
 * The outcome of {@link negotiateEncryption}.
 *
 * - `Ready`: send the StartupMessage on `socket` (encrypted or not: `socket.encrypted`).
 *   `fallback`: see {@link Connected.fallback}.
 * - `Reconnect`: (`sslmode=prefer`) the TLS handshake failed; the socket is destroyed. Open a new
 *   socket to the same target and negotiate again with `settings` (`sslmode=disable`).
 *
 * @category models
 * @since 0.1.0
 */
export type Negotiation =
  | { readonly _tag: "Ready"; readonly socket: PgSocket; readonly fallback: TlsSettings | undefined }
  | { readonly _tag: "Reconnect"; readonly settings: TlsSettings; readonly error: PgError.PgError }

/**
 * The SSLRequest packet: length 8, request code 80877103 (1234 << 16 | 5679).
 *
 * @category constants
 * @since 0.1.0
 */
export const SSL_REQUEST: Uint8Array = new Uint8Array([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])

const gssError = (target: TargetSettings): PgError.PgError | undefined =>
  target.gssencmode === "require"
    ? PgError.make(
      new PgError.Unsupported({
        feature: "gssencmode=require",
        message: "gssencmode value \"require\" invalid when GSSAPI support is not compiled in"
      })
    )
    : undefined

const ready = (socket: PgSocket, fallback: TlsSettings | undefined): Negotiation => {
  socket.clearHandlers()
  socket.resume()
  return { _tag: "Ready", socket, fallback }
}

const failWith = (socket: PgSocket, error: PgError.PgError): Effect.Effect<never, PgError.PgError> =>
  Effect.suspend(() => {
    socket.destroy()
    return Effect.fail(error)
  })

/** Sends SSLRequest and waits for the first chunk of the reply; leaves the socket paused. */
const requestSsl = (socket: PgSocket, peer: SocketPeer): Effect.Effect<Uint8Array, PgError.PgError> =>
  Effect.callback<Uint8Array, PgError.PgError>((resume) => {
    socket.setHandlers({
      onData: (chunk) => {
        socket.pause()
        socket.clearHandlers()
        resume(Effect.succeed(chunk))
      },
      onClose: (error) => {
        socket.clearHandlers()
        resume(Effect.fail(error ?? closedError(peer, "during SSL negotiation")))
      }
    })
    socket.write(SSL_REQUEST)
    return Effect.sync(() => socket.destroy())
  })

const protocolError = (message: string): PgError.PgError => PgError.make(new PgError.ProtocolError({ message }))

/**
 * Negotiates encryption on a freshly opened socket, per `settings` (see the module notes). On
 * failure the socket is destroyed; on `Ready` it is flowing, with no handlers installed (data is
 * kept for the next `setHandlers`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const negotiateEncryption = Effect.fnUntraced(function*(
  socket: PgSocket,
  target: TargetSettings,
  settings: TlsSettings
): Effect.fn.Return<Negotiation, PgError.PgError> {
  const gss = gssError(target)
  if (gss !== undefined) return yield* failWith(socket, gss)
  if (socket.transport === "unix") return ready(socket, undefined)
  const checked = checkTlsSettings(settings)
  if (Result.isFailure(checked)) return yield* failWith(socket, checked.failure)
  const mode = checked.success
  if (mode === "disable") return ready(socket, undefined)
  if (mode === "allow") return ready(socket, { ...settings, sslmode: "require" })

  const resolved = yield* Effect.result(resolveTls(settings, target.host))
  if (Result.isFailure(resolved)) {
    // libpq under `prefer`: TLS that cannot be set up is a failed handshake — go on unencrypted.
    if (mode === "prefer") return ready(socket, undefined)
    return yield* failWith(socket, resolved.failure)
  }
  const config = resolved.success
  if (config.sslnegotiation === "direct") {
    yield* socket.upgradeTls(config)
    return ready(socket, undefined)
  }

  const peer = endpointOf(target).peer
  const reply = yield* requestSsl(socket, peer)
  switch (reply[0]) {
    case 0x53: {
      // 'S'
      if (reply.length > 1) {
        return yield* failWith(socket, protocolError("received unencrypted data after SSL response"))
      }
      const upgraded = yield* Effect.result(socket.upgradeTls(config))
      if (Result.isFailure(upgraded)) {
        const error = upgraded.failure
        if (mode === "prefer" && error.reason._tag !== "ProtocolError") {
          return { _tag: "Reconnect", settings: { ...settings, sslmode: "disable" }, error }
        }
        return yield* Effect.fail(error)
      }
      return ready(socket, mode === "prefer" ? { ...settings, sslmode: "disable" } : undefined)
    }
    case 0x4e: {
      // 'N'
      if (reply.length > 1) {
        return yield* failWith(socket, protocolError("received unexpected data after the reply to SSLRequest"))
      }
      if (mode === "prefer") return ready(socket, undefined)
      return yield* failWith(
        socket,
        PgError.make(new PgError.TlsError({ message: "server does not support SSL, but SSL was required" }))
      )
    }
    case 0x45: {
      // 'E': unauthenticated, so not read (libpq 17).
      return yield* failWith(
        socket,
        PgError.make(
          new PgError.ConnectionError({
            message: "server sent an error response during SSL exchange",
            host: peer.host,
            port: peer.port
          })
        )
      )
    }
    default: {
      const byte = reply[0]!
      const shown = byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `0x${byte.toString(16).padStart(2, "0")}`
      return yield* failWith(socket, protocolError(`received invalid response to SSL negotiation: ${shown}`))
    }
  }
})

/**
 * An open, negotiated connection to one target.
 *
 * @category models
 * @since 0.1.0
 */
export interface Connected {
  /** Send the StartupMessage here. The caller owns the socket (destroy it on failure). */
  readonly socket: PgSocket
  /**
   * libpq's second chance: when the server answers start-up or authentication with an
   * ErrorResponse and this is defined, close `socket` and `connect(target, fallback)` once.
   * Defined for `sslmode=allow` (plaintext now; `fallback` tries TLS) and for `sslmode=prefer`
   * when TLS is in use (`fallback` tries plaintext).
   */
  readonly fallback: TlsSettings | undefined
}

const openAndNegotiate = (
  target: TargetSettings,
  settings: TlsSettings
): Effect.Effect<Negotiation, PgError.PgError> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(restore(openSocket(target)), (socket) =>
      restore(negotiateEncryption(socket, target, settings)).pipe(
        Effect.onError(() => Effect.sync(() => socket.destroy()))
      ))
  )

/**
 * Opens `target` and negotiates encryption per `settings`, retrying once without TLS when
 * `sslmode=prefer` and the handshake fails (libpq). Option combinations libpq refuses fail
 * before any socket is opened.
 *
 * @category constructors
 * @since 0.1.0
 */
export const connect = Effect.fnUntraced(function*(
  target: TargetSettings,
  settings: TlsSettings
): Effect.fn.Return<Connected, PgError.PgError> {
  const gss = gssError(target)
  if (gss !== undefined) return yield* Effect.fail(gss)
  const checked = checkTlsSettings(settings)
  if (Result.isFailure(checked)) return yield* Effect.fail(checked.failure)
  const first = yield* openAndNegotiate(target, settings)
  if (first._tag === "Ready") return { socket: first.socket, fallback: first.fallback }
  const second = yield* openAndNegotiate(target, first.settings)
  if (second._tag === "Reconnect") return yield* Effect.fail(second.error)
  return { socket: second.socket, fallback: undefined }
})

/**
 * Applies `target.connectTimeout` (when positive) to `self`, failing with `ConnectTimeout`
 * ("timeout expired") and interrupting `self` — which destroys any half-open socket.
 *
 * @category combinators
 * @since 0.1.0
 */
export const withConnectTimeout: {
  (target: TargetSettings): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | PgError.PgError, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, target: TargetSettings): Effect.Effect<A, E | PgError.PgError, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, target: TargetSettings): Effect.Effect<A, E | PgError.PgError, R> => {
    const timeout = target.connectTimeout
    if (timeout === undefined || !Duration.isGreaterThan(timeout, Duration.zero)) return self
    const endpoint = endpointOf(target)
    return Effect.timeoutOrElse(self, {
      duration: timeout,
      orElse: () =>
        Effect.fail(
          PgError.make(
            new PgError.ConnectTimeout({
              message: `${endpoint.label} failed: timeout expired`,
              host: endpoint.peer.host,
              port: endpoint.peer.port
            })
          )
        )
    })
  }
)
