/**
 * `PgSocket`: one `node:net` socket — later, after the server said `'S'` (or at once with
 * `sslnegotiation=direct`), the `node:tls` socket wrapped around it — shaped for a PostgreSQL
 * session.
 *
 * The session installs handlers and is called synchronously from the socket's events: data
 * chunks in order, `onDrain` when a full kernel buffer empties, and `onClose` exactly once (with a
 * typed `PgError` when the socket failed, `undefined` when it ended or was destroyed). While no
 * handlers are installed, chunks and the close are kept and replayed, in order, by the next
 * `setHandlers` — nothing is lost between negotiation and start-up.
 *
 * `upgradeTls` swaps the plain socket for the TLS one under the same handlers. Plaintext bytes
 * still unread when the upgrade starts were not protected by TLS (and may have been injected by
 * a man in the middle, CVE-2021-23222): the upgrade refuses them, as libpq does ("received
 * unencrypted data after SSL response"). A socket read through a {@link SlabReader} holds
 * nothing unread: bytes that came with the `'S'` reach the negotiation (which refuses an answer
 * longer than one byte), and bytes after it go to the TLS handshake, which fails on them.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import type * as net from "node:net"
import * as tls from "node:tls"
import * as PgError from "../PgError.ts"
import { checkAlpn, handshakeError, type TlsConfig, tlsConnectOptions } from "./tls.ts"

/**
 * What a session installs on a {@link PgSocket}.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgSocketHandlers {
  /** A chunk of bytes, in order. Buffers are `Uint8Array`s; the chunk is not reused by the socket. */
  readonly onData: (chunk: Uint8Array) => void
  /** Called exactly once: `undefined` for an orderly end or `destroy()`, a `PgError` for a failure. */
  readonly onClose: (error: PgError.PgError | undefined) => void
  /** The kernel buffer drained after `write` returned `false`. */
  readonly onDrain?: (() => void) | undefined
}

/**
 * One transport connection to a PostgreSQL server.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgSocket {
  /** `tcp` or `unix` (Unix-domain socket). */
  readonly transport: "tcp" | "unix"
  /** Queue bytes for writing (Node buffers them). Returns `false` when the kernel buffer is full (wait for `onDrain`), the socket is closed, or a TLS upgrade is in progress (the bytes are then dropped). */
  write(bytes: Uint8Array): boolean
  /** Install handlers; chunks and a close received while none were installed are replayed now, synchronously. */
  setHandlers(handlers: PgSocketHandlers): void
  /** Remove the handlers; further chunks and the close are kept for the next `setHandlers`. */
  clearHandlers(): void
  /** Stop reading (socket back-pressure). */
  pause(): void
  /** Resume reading. */
  resume(): void
  /**
   * Upgrade this plain socket to TLS (after the server said `'S'`, or right after connecting for
   * direct TLS). Interrupting it destroys the socket. On failure the socket is destroyed and
   * `onClose` receives the same error.
   */
  upgradeTls(config: TlsConfig): Effect.Effect<void, PgError.PgError>
  /** Whether the TLS upgrade completed. */
  readonly encrypted: boolean
  /** DER of the server's certificate (for `tls-server-end-point`), once encrypted. */
  readonly peerCertificateDer: Uint8Array | undefined
  /** The negotiated TLS protocol (`TLSv1.3`, …), once encrypted. */
  readonly tlsProtocol: string | undefined
  /** Whether the socket has closed (or is closing after `destroy`). */
  readonly closed: boolean
  /** Half-close politely (after Terminate), then destroy after a short grace; idempotent. */
  end(): void
  /** Close now; idempotent. `onClose(undefined)` follows unless the socket had already failed. */
  destroy(): void
}

/**
 * Where a socket is connected, for error messages.
 *
 * @category models
 * @since 0.1.0
 */
export interface SocketPeer {
  readonly transport: "tcp" | "unix"
  /** Host name or address, or the socket file for `unix`. */
  readonly host: string | undefined
  readonly port: number | undefined
}

/** How long `end()` waits for the server to close before destroying the socket. */
const END_GRACE_MILLIS = 2_000

const noop = (): void => {}

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === "string" ? code : undefined
}

/**
 * Maps a socket `error` event to a `ConnectionError`.
 *
 * @category errors
 * @since 0.1.0
 */
export const socketError = (error: unknown, peer: SocketPeer): PgError.PgError => {
  const syscall = (error as { syscall?: unknown } | undefined)?.syscall
  const text = error instanceof Error ? error.message : String(error)
  const what = syscall === "write" ? "could not send data to server" : "could not receive data from server"
  return PgError.make(
    new PgError.ConnectionError({
      message: `${what}: ${text}`,
      code: errorCode(error),
      host: peer.host,
      port: peer.port,
      cause: error
    })
  )
}

/** Bytes per slab of {@link SlabReader} (what an idle connection keeps, at most). */
const SLAB_SIZE = 64 * 1024
/** A read is offered at least this much room; less left in the slab starts a new one. */
const MIN_READ_ROOM = 16 * 1024
/**
 * Until a socket has read a full slab's worth, it gets small slabs: start-up, a socket upgraded
 * to TLS after its one-byte answer, a CancelRequest's socket keep 4 KiB, not 64.
 */
const SMALL_SLAB_SIZE = 4 * 1024
const SMALL_READ_ROOM = 1024

/**
 * Reads a plain socket straight into memory of ours (`net.connect({ onread })`), bypassing the
 * Readable stream: no Buffer allocation, `push`, `nextTick` or `'data'` emit per read. Each read
 * is offered the unused tail of a slab and the bytes it fills are handed on as a view, never
 * written again (the parser may keep views into a chunk: zero-copy rows); a new slab starts when
 * the tail runs short, and the old one is freed by the GC once no view is left.
 *
 * @category models
 * @since 0.1.0
 */
export class SlabReader {
  private slab: Uint8Array = new Uint8Array(0)
  private used = 0
  /** Bytes read so far, up to `SLAB_SIZE` (then full-size slabs). */
  private read = 0
  /** Where the bytes go; until set (the socket is not wrapped yet), they are kept in order. */
  private sink: ((chunk: Uint8Array) => void) | undefined = undefined
  private early: Array<Uint8Array> = []

  /** The memory for the next read (Node asks before every read). */
  readonly buffer = (): Uint8Array => {
    const small = this.read < SLAB_SIZE
    if (this.slab.length - this.used < (small ? SMALL_READ_ROOM : MIN_READ_ROOM)) {
      this.slab = Buffer.allocUnsafeSlow(small ? SMALL_SLAB_SIZE : SLAB_SIZE)
      this.used = 0
    }
    return this.slab.subarray(this.used)
  }

  /** A read filled `n` bytes at the start of `buffer`'s memory. */
  readonly callback = (n: number, buffer: Uint8Array): boolean => {
    const chunk = buffer.subarray(0, n)
    this.used += n
    if (this.read < SLAB_SIZE) this.read += n
    const sink = this.sink
    if (sink === undefined) this.early.push(chunk)
    else sink(chunk)
    return true
  }

  /** Sends the bytes (and those read so far) to `sink`. */
  connect(sink: (chunk: Uint8Array) => void): void {
    this.sink = sink
    const early = this.early
    this.early = []
    for (const chunk of early) sink(chunk)
  }
}

class NodePgSocket implements PgSocket {
  readonly transport: "tcp" | "unix"
  encrypted = false
  peerCertificateDer: Uint8Array | undefined = undefined
  tlsProtocol: string | undefined = undefined

  private readonly plain: net.Socket
  private current: net.Socket
  private upgrading: tls.TLSSocket | undefined = undefined
  private handlers: PgSocketHandlers | undefined = undefined
  private pending: Array<Uint8Array> = []
  /** A close that happened while no handlers were installed. */
  private pendingClose: { readonly error: PgError.PgError | undefined } | undefined = undefined
  private failure: PgError.PgError | undefined = undefined
  private done = false
  private destroyRequested = false
  private endTimer: ReturnType<typeof setTimeout> | undefined = undefined

  private readonly peer: SocketPeer

  constructor(socket: net.Socket, peer: SocketPeer, reader: SlabReader | undefined) {
    this.peer = peer
    this.transport = peer.transport
    this.plain = socket
    this.current = socket
    this.attach(socket)
    // with `onread`, the plain socket's bytes arrive here instead of as 'data' events
    reader?.connect(this.onDataEvent)
  }

  get closed(): boolean {
    return this.done
  }

  private readonly onDataEvent = (chunk: Uint8Array): void => {
    const handlers = this.handlers
    if (handlers === undefined) this.pending.push(chunk)
    else handlers.onData(chunk)
  }

  private readonly onErrorEvent = (error: Error): void => {
    if (this.failure === undefined) this.failure = socketError(error, this.peer)
  }

  private readonly onCloseEvent = (): void => {
    this.finish(this.failure)
  }

  private readonly onDrainEvent = (): void => {
    this.handlers?.onDrain?.()
  }

  private attach(socket: net.Socket): void {
    socket.on("data", this.onDataEvent)
    socket.on("error", this.onErrorEvent)
    socket.on("close", this.onCloseEvent)
    socket.on("drain", this.onDrainEvent)
  }

  private detach(socket: net.Socket): void {
    socket.off("data", this.onDataEvent)
    socket.off("error", this.onErrorEvent)
    socket.off("close", this.onCloseEvent)
    socket.off("drain", this.onDrainEvent)
    // A detached socket must never crash the process with an unhandled 'error'.
    socket.on("error", noop)
  }

  /** Records the close once, destroys what is left, and tells the handlers (or keeps it for them). */
  private finish(error: PgError.PgError | undefined): void {
    if (this.done) return
    this.done = true
    if (this.endTimer !== undefined) clearTimeout(this.endTimer)
    this.destroySockets()
    const handlers = this.handlers
    if (handlers === undefined) this.pendingClose = { error }
    else handlers.onClose(error)
  }

  private destroySockets(): void {
    this.upgrading?.destroy()
    if (this.current !== this.plain) this.current.destroy()
    this.plain.destroy()
  }

  write(bytes: Uint8Array): boolean {
    if (this.done || this.upgrading !== undefined) return false
    return this.current.write(bytes)
  }

  setHandlers(handlers: PgSocketHandlers): void {
    this.handlers = handlers
    while (this.pending.length > 0 && this.handlers === handlers) {
      handlers.onData(this.pending.shift()!)
    }
    const close = this.pendingClose
    if (close !== undefined && this.handlers === handlers) {
      this.pendingClose = undefined
      handlers.onClose(close.error)
    }
  }

  clearHandlers(): void {
    this.handlers = undefined
  }

  pause(): void {
    this.current.pause()
  }

  resume(): void {
    this.current.resume()
  }

  end(): void {
    if (this.done || this.endTimer !== undefined) return
    this.current.end()
    const timer = setTimeout(() => this.destroy(), END_GRACE_MILLIS)
    timer.unref?.()
    this.endTimer = timer
  }

  destroy(): void {
    if (this.done) return
    this.destroyRequested = true
    if (this.upgrading !== undefined) {
      // The upgrade's own listeners report the close and fail the upgrade.
      this.upgrading.destroy()
      return
    }
    this.destroySockets()
  }

  upgradeTls(config: TlsConfig): Effect.Effect<void, PgError.PgError> {
    return Effect.callback<void, PgError.PgError>((resume) => {
      if (this.done) {
        resume(Effect.fail(this.failure ?? closedError(this.peer, "before the TLS handshake")))
        return
      }
      if (this.encrypted || this.upgrading !== undefined) {
        resume(
          Effect.fail(PgError.make(new PgError.ProtocolError({ message: "the connection is already encrypted" })))
        )
        return
      }
      const plain = this.plain
      if (this.pending.length > 0 || plain.readableLength > 0) {
        const error = PgError.make(
          new PgError.ProtocolError({ message: "received unencrypted data after SSL response" })
        )
        this.finish(error)
        resume(Effect.fail(error))
        return
      }
      this.detach(plain)
      let settled = false
      let socket: tls.TLSSocket
      try {
        socket = tls.connect(tlsConnectOptions(config, plain))
      } catch (cause) {
        const error = handshakeError(cause, this.peer)
        this.finish(error)
        resume(Effect.fail(error))
        return
      }
      this.upgrading = socket
      if (config.keyLogFile !== undefined) {
        const file = config.keyLogFile
        socket.on("keylog", (line) => {
          try {
            fs.appendFileSync(file, line, { mode: 0o600 })
          } catch {
            // Best effort, as in libpq: a key log that cannot be written does not fail the session.
          }
        })
      }
      const cleanup = (): void => {
        socket.off("secureConnect", onSecure)
        socket.off("error", onError)
        socket.off("close", onClose)
        socket.on("error", noop)
        this.upgrading = undefined
      }
      const fail = (error: PgError.PgError): void => {
        if (settled) return
        settled = true
        cleanup()
        socket.destroy()
        this.finish(this.destroyRequested ? undefined : error)
        resume(Effect.fail(error))
      }
      const onSecure = (): void => {
        if (settled) return
        const alpnError = checkAlpn(config, socket.alpnProtocol)
        if (alpnError !== undefined) return fail(alpnError)
        settled = true
        cleanup()
        socket.off("error", noop)
        const raw = socket.getPeerCertificate(false)?.raw as Uint8Array | undefined
        this.peerCertificateDer = raw === undefined || raw.length === 0 ? undefined : raw
        this.tlsProtocol = socket.getProtocol() ?? undefined
        this.encrypted = true
        this.current = socket
        this.attach(socket)
        resume(Effect.void)
      }
      const onError = (cause: Error): void => fail(handshakeError(cause, this.peer))
      const onClose = (): void => fail(closedError(this.peer, "during the TLS handshake"))
      socket.on("secureConnect", onSecure)
      socket.on("error", onError)
      socket.on("close", onClose)
      return Effect.sync(() => {
        if (settled) return
        settled = true
        cleanup()
        socket.destroy()
        this.finish(undefined)
      })
    })
  }
}

/**
 * The error for a socket that closed while something was still expected from the server.
 *
 * @category errors
 * @since 0.1.0
 */
export const closedError = (peer: SocketPeer, when: string): PgError.PgError =>
  PgError.make(
    new PgError.ConnectionError({
      message: `server closed the connection unexpectedly ${when}`,
      host: peer.host,
      port: peer.port
    })
  )

/**
 * Wraps a connected `node:net` socket. The socket should be fresh (no listeners of its own);
 * its `'data'` events start flowing at once and are kept until handlers are installed. A socket
 * opened with `onread` from a {@link SlabReader} passes that reader: its reads take the place of
 * the `'data'` events.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromNodeSocket = (socket: net.Socket, peer: SocketPeer, reader?: SlabReader): PgSocket =>
  new NodePgSocket(socket, peer, reader)
