/**
 * A scriptable fake PostgreSQL server, for tests of how a client copes with hostile or broken
 * servers: garbage bytes, truncated or oversized messages, messages in the wrong state,
 * authentication downgrades, stalls, dropped connections.
 *
 * It listens on `127.0.0.1` (a free port) or on a Unix socket, decodes what clients send with
 * `PgServerCodec` and answers as a script says. Each accepted socket first goes through the
 * untagged start-up phase, handled here: SSLRequest is answered with {@link FakeServerOptions.sslResponse}
 * (`'N'` by default; raw bytes to misbehave; `"ignore"` to never answer), GSSENCRequest with
 * `'N'`, a CancelRequest is recorded and its socket closed (as PostgreSQL does). After the
 * StartupMessage the connection's script runs: a list of {@link Step}s — functions of the
 * connection returning an Effect — built with {@link expect}, {@link send}, {@link sendRaw},
 * {@link sleep}, {@link close}, {@link reset}, {@link stall}, {@link awaitClose} and the
 * composites {@link trustStartup}, {@link textResult}, {@link errorResponse}. A step is any
 * function, so a test can write its own (see `PgFakeScram.scramAuthentication`).
 *
 * Everything the client sent is recorded per connection (`received`), so a test can prove that
 * something was *not* sent (a password after a refused downgrade). A script step that fails (an
 * unexpected message, the client closing early, undecodable bytes) is recorded in
 * {@link FakeServer.failures} and the socket is destroyed. When a script ends, the connection
 * stays open until the client closes it or the server's Scope closes.
 *
 * Authentication replies share the `'p'` byte; sending an authentication request sets how the
 * next `'p'` message is decoded (cleartext/MD5 → PasswordMessage, SASL → SASLInitialResponse,
 * SASLContinue → SASLResponse, GSS/SSPI → GSSResponse).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import type { BackendMessage, FieldDescription, NoticeFields } from "@pgfx/protocol/PgBackend"
import type { CancelRequest, FrontendMessage, StartupMessage } from "@pgfx/protocol/PgFrontend"
import * as PgServerCodec from "@pgfx/protocol/PgServerCodec"

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * A script step failed: an unexpected message, the client closed the connection while a message
 * was expected, or a check threw.
 *
 * @category errors
 * @since 0.1.0
 */
export class FakeServerError extends Data.TaggedError("FakeServerError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * The message type `T` of a frontend message tag.
 *
 * @category models
 * @since 0.1.0
 */
export type FrontendOf<T extends FrontendMessage["_tag"]> = Extract<FrontendMessage, { readonly _tag: T }>

/**
 * One client connection, as the script sees it.
 *
 * @category models
 * @since 0.1.0
 */
export interface FakeConnection {
  /** Accept order among all sockets (0-based), including cancel-request sockets. */
  readonly index: number
  /** The StartupMessage, once received. */
  readonly startup: StartupMessage | undefined
  /** The CancelRequest, when this socket carried one. */
  readonly cancelRequest: CancelRequest | undefined
  /** Every message the client sent on this socket, in order (start-up phase included). */
  readonly received: ReadonlyArray<FrontendMessage>
  /** Whether the socket has closed (either side). */
  readonly isClosed: boolean
  /** Whether the client closed (or reset) the socket before the server did. */
  readonly closedByClient: boolean
  /** The next message not yet consumed by the script; fails once the socket closed. */
  readonly next: Effect.Effect<FrontendMessage, FakeServerError>
  /** The next message, which must have tag `tag`. */
  expect<T extends FrontendMessage["_tag"]>(tag: T): Effect.Effect<FrontendOf<T>, FakeServerError>
  /** Encodes `messages` and writes them in one write. */
  send(...messages: ReadonlyArray<BackendMessage>): void
  /** Writes raw bytes. */
  write(bytes: Uint8Array): void
  /** Sets how later `'p'` messages are decoded (set automatically by authentication requests). */
  expectAuthResponse(kind: PgServerCodec.AuthResponseKind): void
  /** Half-closes (FIN) the socket; the client sees an orderly end. */
  end(): void
  /** Closes the socket with a TCP reset (RST) where possible. */
  reset(): void
  /** Completes when the socket has closed. */
  readonly closed: Effect.Effect<void>
}

/**
 * A script step: what the fake server does next on one connection.
 *
 * @category models
 * @since 0.1.0
 */
export type Step = (connection: FakeConnection) => Effect.Effect<void, FakeServerError>

/**
 * The steps run on a connection after its StartupMessage.
 *
 * @category models
 * @since 0.1.0
 */
export type Script = ReadonlyArray<Step>

/**
 * Options of {@link make}.
 *
 * @category models
 * @since 0.1.0
 */
export interface FakeServerOptions {
  /**
   * The script, or a function choosing one by session number (0-based, counting only sockets
   * that sent a StartupMessage — cancel requests do not count).
   */
  readonly script: Script | ((session: number) => Script)
  /**
   * The reply to SSLRequest: `"N"` (default), raw bytes written as one write (e.g. `'S'`
   * followed by plaintext), or `"ignore"` to never answer.
   */
  readonly sslResponse?: "N" | "ignore" | Uint8Array | undefined
  /**
   * Listen on a Unix socket instead of TCP: `true` for a fresh temporary directory (removed at
   * the end), or a directory. The socket file is `<dir>/.s.PGSQL.<unixPort>`.
   */
  readonly unixSocket?: boolean | string | undefined
  /** The port number in the Unix socket's file name (default 5432). */
  readonly unixPort?: number | undefined
  /** The user and database of {@link FakeServer.conninfo} (default `pgfx`). */
  readonly user?: string | undefined
}

/**
 * A running fake server.
 *
 * @category models
 * @since 0.1.0
 */
export interface FakeServer {
  /** `127.0.0.1`, or the socket directory. */
  readonly host: string
  /** The TCP port, or the number in the Unix socket's file name. */
  readonly port: number
  /** The Unix socket file, when listening on one. */
  readonly socketPath: string | undefined
  /** A libpq key=value connection string for this server, with `extra` keywords appended. */
  conninfo(extra?: string): string
  /** Every accepted socket, in accept order. */
  readonly sockets: ReadonlyArray<FakeConnection>
  /** The sockets that sent a StartupMessage, in session order. */
  readonly sessions: ReadonlyArray<FakeConnection>
  /** Every CancelRequest received, in order. */
  readonly cancelRequests: ReadonlyArray<CancelRequest>
  /** Script failures and undecodable client bytes, as text. */
  readonly failures: ReadonlyArray<string>
  /** The `n`-th session (0-based), waiting for it. */
  session(n: number): Effect.Effect<FakeConnection>
  /** The `n`-th CancelRequest (0-based), waiting for it. */
  cancelRequest(n: number): Effect.Effect<CancelRequest>
}

// -----------------------------------------------------------------------------
// Connection
// -----------------------------------------------------------------------------

class Waiters {
  private list: Array<() => void> = []
  add(f: () => void): () => void {
    this.list.push(f)
    return () => {
      const i = this.list.indexOf(f)
      if (i >= 0) this.list.splice(i, 1)
    }
  }
  wake(): void {
    for (const f of this.list.splice(0)) f()
  }
}

const describe = (m: FrontendMessage): string => {
  switch (m._tag) {
    case "Query":
      return `Query(${JSON.stringify(m.sql)})`
    case "Parse":
      return `Parse(${JSON.stringify(m.sql)})`
    default:
      return m._tag
  }
}

class Connection implements FakeConnection {
  readonly index: number
  startup: StartupMessage | undefined = undefined
  cancelRequest: CancelRequest | undefined = undefined
  readonly received: Array<FrontendMessage> = []
  isClosed = false
  closedByClient = false
  private readonly inbox: Array<FrontendMessage> = []
  private readonly socket: net.Socket
  private readonly parser = PgServerCodec.makeServerParser()
  private readonly encoder = PgServerCodec.makeBackendEncoder(1024)
  private readonly waiters = new Waiters()
  private serverClosing = false

  constructor(index: number, socket: net.Socket) {
    this.index = index
    this.socket = socket
  }

  /** Feeds client bytes; returns the messages decoded, or a decoding error. */
  push(chunk: Uint8Array, onMessage: (m: FrontendMessage) => void): string | undefined {
    const error = this.parser.push(chunk, (m) => {
      this.received.push(m)
      onMessage(m)
    })
    return error?.message
  }

  /** Queues a message for the script. */
  deliver(m: FrontendMessage): void {
    this.inbox.push(m)
    this.waiters.wake()
  }

  markClosed(): void {
    if (this.isClosed) return
    this.isClosed = true
    this.closedByClient = !this.serverClosing
    this.waiters.wake()
  }

  readonly next: Effect.Effect<FrontendMessage, FakeServerError> = Effect.callback((resume) => {
    const attempt = (): boolean => {
      const m = this.inbox.shift()
      if (m !== undefined) {
        resume(Effect.succeed(m))
        return true
      }
      if (this.isClosed) {
        resume(Effect.fail(new FakeServerError({ message: "the connection closed while a message was expected" })))
        return true
      }
      return false
    }
    if (attempt()) return
    let remove = (): void => {}
    const wake = (): void => {
      if (!attempt()) remove = this.waiters.add(wake)
    }
    remove = this.waiters.add(wake)
    return Effect.sync(() => remove())
  })

  expect<T extends FrontendMessage["_tag"]>(tag: T): Effect.Effect<FrontendOf<T>, FakeServerError> {
    return Effect.flatMap(
      Effect.mapError(this.next, (e) => new FakeServerError({ message: `expected ${tag}: ${e.message}` })),
      (m) =>
        m._tag === tag
          ? Effect.succeed(m as FrontendOf<T>)
          : Effect.fail(new FakeServerError({ message: `expected ${tag}, received ${describe(m)}` }))
    )
  }

  readonly closed: Effect.Effect<void> = Effect.callback((resume) => {
    if (this.isClosed) return resume(Effect.void)
    let remove = (): void => {}
    const wake = (): void => {
      if (this.isClosed) resume(Effect.void)
      else remove = this.waiters.add(wake)
    }
    remove = this.waiters.add(wake)
    return Effect.sync(() => remove())
  })

  send(...messages: ReadonlyArray<BackendMessage>): void {
    for (const m of messages) {
      this.encoder.encode(m)
      this.authKindAfter(m)
    }
    this.write(this.encoder.take())
  }

  private authKindAfter(m: BackendMessage): void {
    switch (m._tag) {
      case "AuthenticationCleartextPassword":
      case "AuthenticationMD5Password":
        return this.parser.expectAuthResponse("PasswordMessage")
      case "AuthenticationSASL":
        return this.parser.expectAuthResponse("SASLInitialResponse")
      case "AuthenticationSASLContinue":
        return this.parser.expectAuthResponse("SASLResponse")
      case "AuthenticationGSS":
      case "AuthenticationSSPI":
      case "AuthenticationGSSContinue":
        return this.parser.expectAuthResponse("GSSResponse")
    }
  }

  write(bytes: Uint8Array): void {
    if (this.isClosed || this.socket.destroyed) return
    this.socket.write(bytes)
  }

  expectAuthResponse(kind: PgServerCodec.AuthResponseKind): void {
    this.parser.expectAuthResponse(kind)
  }

  end(): void {
    this.serverClosing = true
    this.socket.end()
  }

  reset(): void {
    this.serverClosing = true
    if (typeof this.socket.resetAndDestroy === "function" && !this.socket.destroyed) this.socket.resetAndDestroy()
    else this.socket.destroy()
  }

  destroy(): void {
    this.serverClosing = true
    this.socket.destroy()
  }
}

// -----------------------------------------------------------------------------
// Server
// -----------------------------------------------------------------------------

const waitUntil = <A>(waiters: Waiters, get: () => A | undefined): Effect.Effect<A> =>
  Effect.callback<A>((resume) => {
    const now = get()
    if (now !== undefined) return resume(Effect.succeed(now))
    let remove = (): void => {}
    const wake = (): void => {
      const value = get()
      if (value !== undefined) resume(Effect.succeed(value))
      else remove = waiters.add(wake)
    }
    remove = waiters.add(wake)
    return Effect.sync(() => remove())
  })

const N = new Uint8Array([0x4e])

/**
 * Starts a fake server owned by the current Scope: closing the Scope interrupts every script,
 * destroys every socket and stops listening.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: FakeServerOptions): Effect.Effect<FakeServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: FakeServer; readonly stop: () => Promise<void> }>((resume) => {
      const sockets: Array<Connection> = []
      const sessions: Array<Connection> = []
      const cancelRequests: Array<CancelRequest> = []
      const failures: Array<string> = []
      const fibers = new Set<Fiber.Fiber<void, never>>()
      const changed = new Waiters()
      const scriptFor = (n: number): Script => typeof options.script === "function" ? options.script(n) : options.script

      const runScript = (connection: Connection, script: Script): void => {
        const program = Effect.gen(function*() {
          for (const step of script) yield* step(connection)
        }).pipe(
          Effect.catch((e: FakeServerError) =>
            Effect.sync(() => {
              failures.push(`socket ${connection.index}: ${e.message}`)
              connection.destroy()
            })
          ),
          Effect.catchDefect((defect) =>
            Effect.sync(() => {
              failures.push(`socket ${connection.index}: step threw: ${String(defect)}`)
              connection.destroy()
            })
          )
        )
        const fiber = Effect.runFork(program)
        fibers.add(fiber)
        fiber.addObserver(() => fibers.delete(fiber))
      }

      const server = net.createServer((socket) => {
        const connection = new Connection(sockets.length, socket)
        sockets.push(connection)
        socket.setNoDelay(true)
        socket.on("error", () => {})
        socket.on("close", () => {
          connection.markClosed()
          changed.wake()
        })
        socket.on("data", (chunk: Buffer) => {
          const error = connection.push(chunk, (m) => {
            switch (m._tag) {
              case "SSLRequest": {
                const reply = options.sslResponse ?? "N"
                if (reply === "N") connection.write(N)
                else if (reply !== "ignore") connection.write(reply)
                return
              }
              case "GSSENCRequest":
                connection.write(N)
                return
              case "CancelRequest":
                connection.cancelRequest = m
                cancelRequests.push(m)
                connection.end()
                changed.wake()
                return
              case "StartupMessage": {
                connection.startup = m
                const n = sessions.length
                sessions.push(connection)
                changed.wake()
                runScript(connection, scriptFor(n))
                return
              }
              default:
                connection.deliver(m)
            }
          })
          if (error !== undefined) {
            failures.push(`socket ${connection.index}: undecodable client bytes: ${error}`)
            connection.destroy()
          }
        })
        changed.wake()
      })

      let socketPath: string | undefined = undefined
      let tempDir: string | undefined = undefined
      const unixPort = options.unixPort ?? 5432
      if (options.unixSocket !== undefined && options.unixSocket !== false) {
        const dir = typeof options.unixSocket === "string"
          ? options.unixSocket
          : (tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "pgfx-fake-")))
        socketPath = path.join(dir, `.s.PGSQL.${unixPort}`)
      }
      const user = options.user ?? "pgfx"

      const stop = (): Promise<void> =>
        new Promise<void>((done) => {
          for (const fiber of fibers) Effect.runFork(Fiber.interrupt(fiber))
          for (const s of sockets) s.destroy()
          server.close(() => {
            if (tempDir !== undefined) fs.rmSync(tempDir, { recursive: true, force: true })
            done()
          })
        })

      const onListening = (): void => {
        const host = socketPath !== undefined ? path.dirname(socketPath) : "127.0.0.1"
        const port = socketPath !== undefined ? unixPort : (server.address() as net.AddressInfo).port
        const fake: FakeServer = {
          host,
          port,
          socketPath,
          conninfo: (extra) => `host=${host} port=${port} user=${user} dbname=${user}${extra ? " " + extra : ""}`,
          sockets,
          sessions,
          cancelRequests,
          failures,
          session: (n) => waitUntil(changed, () => sessions[n]),
          cancelRequest: (n) => waitUntil(changed, () => cancelRequests[n])
        }
        resume(Effect.succeed({ server: fake, stop }))
      }
      if (socketPath !== undefined) server.listen(socketPath, onListening)
      else server.listen(0, "127.0.0.1", onListening)
    }),
    ({ stop }) => Effect.promise(stop)
  ).pipe(Effect.map(({ server }) => server))

// -----------------------------------------------------------------------------
// Steps
// -----------------------------------------------------------------------------

/**
 * Waits for the next client message and checks its tag (and optionally more: `check` may throw
 * or return `false` to fail the step).
 *
 * @category steps
 * @since 0.1.0
 */
export const expect = <T extends FrontendMessage["_tag"]>(
  tag: T,
  check?: (message: FrontendOf<T>) => boolean | void
): Step =>
(connection) =>
  Effect.flatMap(connection.expect(tag), (message) =>
    Effect.suspend(() => {
      if (check === undefined) return Effect.void
      let ok: boolean | void
      try {
        ok = check(message)
      } catch (cause) {
        return Effect.fail(new FakeServerError({ message: `check of ${tag} failed: ${String(cause)}`, cause }))
      }
      return ok === false ? Effect.fail(new FakeServerError({ message: `check of ${tag} failed` })) : Effect.void
    }))

/**
 * Expects a simple Query, optionally with this exact SQL text.
 *
 * @category steps
 * @since 0.1.0
 */
export const expectQuery = (sql?: string): Step =>
  expect("Query", (m) => {
    if (sql !== undefined && m.sql !== sql) throw new Error(`query was ${JSON.stringify(m.sql)}, not ${JSON.stringify(sql)}`)
  })

/**
 * Sends backend messages in one write.
 *
 * @category steps
 * @since 0.1.0
 */
export const send = (...messages: ReadonlyArray<BackendMessage | ReadonlyArray<BackendMessage>>): Step => (connection) =>
  Effect.sync(() => connection.send(...messages.flat() as Array<BackendMessage>))

/**
 * Writes raw bytes (a malformed message, garbage, half a message…).
 *
 * @category steps
 * @since 0.1.0
 */
export const sendRaw = (bytes: Uint8Array | ReadonlyArray<number>): Step => (connection) =>
  Effect.sync(() => connection.write(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes)))

/**
 * Waits.
 *
 * @category steps
 * @since 0.1.0
 */
export const sleep = (millis: number): Step => () => Effect.sleep(millis)

/**
 * Closes the connection in an orderly way (FIN).
 *
 * @category steps
 * @since 0.1.0
 */
export const close: Step = (connection) => Effect.sync(() => connection.end())

/**
 * Closes the connection with a TCP reset.
 *
 * @category steps
 * @since 0.1.0
 */
export const reset: Step = (connection) => Effect.sync(() => connection.reset())

/**
 * Never answers again (the client's messages are still recorded).
 *
 * @category steps
 * @since 0.1.0
 */
export const stall: Step = () => Effect.never

/**
 * Waits until the client closes the connection (ignoring anything it sends meanwhile).
 *
 * @category steps
 * @since 0.1.0
 */
export const awaitClose: Step = (connection) => connection.closed

// -----------------------------------------------------------------------------
// Messages
// -----------------------------------------------------------------------------

/**
 * Options of {@link trustStartup}.
 *
 * @category models
 * @since 0.1.0
 */
export interface TrustStartupOptions {
  readonly processId?: number | undefined
  /** The cancel key (4 bytes in 3.0; default 01 02 03 04). */
  readonly secretKey?: Uint8Array | undefined
  /** Extra ParameterStatus values (after the defaults). */
  readonly parameters?: Readonly<Record<string, string>> | undefined
  readonly status?: "I" | "T" | "E" | undefined
}

/**
 * The default ParameterStatus values a PostgreSQL 18 sends at start-up.
 *
 * @category messages
 * @since 0.1.0
 */
export const defaultParameters: Readonly<Record<string, string>> = {
  application_name: "",
  client_encoding: "UTF8",
  DateStyle: "ISO, MDY",
  default_transaction_read_only: "off",
  in_hot_standby: "off",
  integer_datetimes: "on",
  IntervalStyle: "postgres",
  is_superuser: "off",
  server_encoding: "UTF8",
  server_version: "18.0",
  session_authorization: "pgfx",
  standard_conforming_strings: "on",
  TimeZone: "UTC"
}

/**
 * ParameterStatus, BackendKeyData and ReadyForQuery: what follows AuthenticationOk.
 *
 * @category messages
 * @since 0.1.0
 */
export const afterAuthentication = (options: TrustStartupOptions = {}): Array<BackendMessage> => {
  const out: Array<BackendMessage> = []
  for (const [name, value] of Object.entries({ ...defaultParameters, ...options.parameters })) {
    out.push({ _tag: "ParameterStatus", name, value })
  }
  out.push({
    _tag: "BackendKeyData",
    processId: options.processId ?? 4242,
    secretKey: options.secretKey ?? new Uint8Array([1, 2, 3, 4])
  })
  out.push({ _tag: "ReadyForQuery", status: options.status ?? "I" })
  return out
}

/**
 * A trust start-up: AuthenticationOk, then {@link afterAuthentication}, in one write.
 *
 * @category steps
 * @since 0.1.0
 */
export const trustStartup = (options: TrustStartupOptions = {}): Step =>
  send({ _tag: "AuthenticationOk" }, afterAuthentication(options))

/**
 * A text column of type `text` (or `typeOid`).
 *
 * @category messages
 * @since 0.1.0
 */
export const textField = (name: string, typeOid = 25): FieldDescription => ({
  name,
  tableOid: 0,
  columnAttribute: 0,
  typeOid,
  typeSize: -1,
  typeModifier: -1,
  format: 0
})

/**
 * A whole simple-query result set in text: RowDescription, DataRows, CommandComplete
 * (`SELECT n`). Add ReadyForQuery yourself (`readyForQuery`).
 *
 * @category messages
 * @since 0.1.0
 */
export const textResult = (
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | null>>
): Array<BackendMessage> => [
  { _tag: "RowDescription", fields: columns.map((c) => textField(c)) },
  ...rows.map((r) => PgServerCodec.dataRow(r)),
  PgServerCodec.commandComplete(`SELECT ${rows.length}`)
]

/**
 * ReadyForQuery.
 *
 * @category messages
 * @since 0.1.0
 */
export const readyForQuery = (status: "I" | "T" | "E" = "I"): BackendMessage => ({ _tag: "ReadyForQuery", status })

/**
 * An ErrorResponse (severity ERROR unless given).
 *
 * @category messages
 * @since 0.1.0
 */
export const errorResponse = (
  code: string,
  message: string,
  fields: Partial<NoticeFields> = {}
): BackendMessage => ({
  _tag: "ErrorResponse",
  severity: fields.severity ?? "ERROR",
  severityNonLocalized: fields.severityNonLocalized ?? fields.severity ?? "ERROR",
  ...fields,
  code,
  message
})

/**
 * A NoticeResponse (severity NOTICE unless given).
 *
 * @category messages
 * @since 0.1.0
 */
export const noticeResponse = (message: string, fields: Partial<NoticeFields> = {}): BackendMessage => ({
  _tag: "NoticeResponse",
  severity: fields.severity ?? "NOTICE",
  severityNonLocalized: fields.severityNonLocalized ?? fields.severity ?? "NOTICE",
  code: "00000",
  ...fields,
  message
})
