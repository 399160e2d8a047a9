/**
 * One live PostgreSQL session where every wait is an Effect.
 *
 * `PgConnection.make(config)` connects (libpq options: multi-host, TLS, every auth method) and
 * returns a connection owned by the current Scope: closing the Scope sends Terminate and closes
 * the socket. The connection is safe to share between fibers: requests from all of them are
 * pipelined on the one socket and answered in order.
 *
 * **Interruption.** Interrupting a fiber that waits on the server sends a CancelRequest on a
 * side connection, then drains that request's replies up to its ReadyForQuery; the interruption
 * completes once the connection is back in step (so `Effect.timeout` really stops the statement
 * on the server). If draining takes longer than `cancelTimeout`, the connection is closed
 * instead. A request interrupted before it was written is dropped without touching the wire.
 * Other requests pipelined on the same connection are not affected.
 *
 * **Exclusive sections.** `exclusive(f)` runs `f` with sole use of the connection (transactions,
 * COPY, portals): other fibers' requests wait until it ends.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as References from "effect/References"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import type * as Stream from "effect/Stream"
import type * as PgBackend from "@pgfx/protocol/PgBackend"
import type * as PgTypes from "@pgfx/protocol/PgTypes"
import type { PgConfig, PgConfigInput } from "./PgConfig.ts"
import type * as PgError from "./PgError.ts"
import { ConnectionContext, deliverLeftover } from "./internal/connectionContext.ts"
import type { CopyResult } from "./internal/copy.ts"
import { makeCopyOps } from "./internal/copyOps.ts"
import { makeExecuteWith } from "./internal/execute.ts"
import { makeExecuteUnnamed } from "./internal/executeUnnamed.ts"
import { type Established, establish } from "./internal/hosts.ts"
import { makeLifecycle } from "./internal/lifecycle.ts"
import { makeNotifications } from "./internal/notifications.ts"
import type { QueryResult, StatementDescription } from "./internal/requests.ts"
import type { RowMode } from "./internal/rows.ts"
import { makeSections } from "./internal/sections.ts"
import { makeSimpleWith } from "./internal/simpleQuery.ts"
import { makePreparedWith } from "./internal/statements.ts"
import { makeStreamWith } from "./internal/streaming.ts"
import { makeSubmission } from "./internal/submission.ts"
import { makeUnknownTypes } from "./internal/unknownTypes.ts"

export type { CopyResult } from "./internal/copy.ts"
export type { QueryResult, StatementDescription } from "./internal/requests.ts"
export type { RowMode } from "./internal/rows.ts"

/**
 * @category type ids
 * @since 0.1.0
 */
export const TypeId = "~@pgfx/connection/PgConnection" as const

/**
 * A NOTIFY received on a channel this session listens on.
 *
 * @category models
 * @since 0.1.0
 */
export interface Notification {
  readonly channel: string
  readonly payload: string
  /** The process id of the notifying backend. */
  readonly processId: number
}

/**
 * A NoticeResponse (warnings, notices, RAISE NOTICE output).
 *
 * @category models
 * @since 0.1.0
 */
export type Notice = PgBackend.NoticeFields

/**
 * How a statement is executed.
 *
 * - `prepared` (default): a named statement from the per-connection cache; the server describes
 *   it once (parameter types from ParameterDescription), later executions are one round trip.
 * - `unnamed`: Parse + Bind + Execute + Sync in one write, no describe round trip; parameters are
 *   sent as text with the types given in `paramTypes` (or inferred by the server). Works behind
 *   PgBouncer in transaction mode.
 *
 * @category models
 * @since 0.1.0
 */
export type ExecutionMode = "prepared" | "unnamed"

/**
 * Options of one extended-protocol execution.
 *
 * @category models
 * @since 0.1.0
 */
export interface ExecuteOptions {
  /** Parameter type OIDs (0 = let the server infer). */
  readonly paramTypes?: ReadonlyArray<number> | undefined
  /** Rows as objects (default) or arrays. */
  readonly rowMode?: RowMode | undefined
  /** Overrides the connection's default mode. */
  readonly mode?: ExecutionMode | undefined
}

/**
 * Options of {@link PgConnection.stream}.
 *
 * @category models
 * @since 0.1.0
 */
export interface StreamOptions extends ExecuteOptions {
  /** Rows fetched per round trip (default 1000). */
  readonly batchSize?: number | undefined
}

/**
 * A running `COPY … FROM STDIN` (see {@link PgConnection.copyIn}).
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyIn {
  /** The overall format the server expects: 0 text/csv, 1 binary. */
  readonly format: 0 | 1
  /** Sends data (any split of the COPY stream); waits while the socket buffer is full. */
  write(data: Uint8Array | string): Effect.Effect<void, PgError.PgError>
  /** Sends CopyDone and waits for the COPY's result. */
  readonly end: Effect.Effect<CopyResult, PgError.PgError>
  /** Aborts the COPY with CopyFail (the statement fails with this message). */
  fail(message: string): Effect.Effect<void, PgError.PgError>
}

/**
 * Options of {@link make}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ConnectionOptions {
  /** Type codecs (default: every built-in type). */
  readonly registry?: PgTypes.Registry | undefined
  /** Named statements kept per connection (default 256); 0 disables the cache. */
  readonly preparedCacheSize?: number | undefined
  /** Default execution mode (default `prepared`). */
  readonly mode?: ExecutionMode | undefined
  /** How long to wait for an interrupted request to drain before closing (default 5 s). */
  readonly cancelTimeout?: Duration.Input | undefined
  /** Called for every NoticeResponse (default: logged at debug level). */
  readonly onNotice?: ((notice: Notice) => void) | undefined
  /** Largest accepted server message in bytes (default 1 GiB). */
  readonly maxMessageSize?: number | undefined
  /**
   * Called when a described statement has parameter or column types with no codec in the
   * registry, before the statement's formats are fixed: it may add codecs to
   * `connection.registry` (the client discovers enums, composites, domains, ranges and their
   * arrays from `pg_type` this way). Types still unknown afterwards are exchanged as text.
   */
  readonly onUnknownTypes?:
    | ((oids: ReadonlyArray<number>, connection: PgConnection) => Effect.Effect<void, PgError.PgError>)
    | undefined
}

/**
 * One live session.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgConnection {
  readonly [TypeId]: typeof TypeId
  /** The backend's process id. */
  readonly processId: number
  /** The protocol version in use: `"3.0"` or `"3.2"`. */
  readonly protocolVersion: "3.0" | "3.2"
  /** The host (or socket path) and port connected to. */
  readonly target: { readonly host: string; readonly port: number }
  /** Whether the session is encrypted with TLS. */
  readonly encrypted: boolean
  /** Server parameters reported by ParameterStatus (`server_version`, `TimeZone`, …), live. */
  readonly parameters: ReadonlyMap<string, string>
  /** Transaction status from the latest ReadyForQuery. */
  readonly transactionStatus: "idle" | "transaction" | "failed"
  /** Whether the connection is open (not closed by either side or by a failure). */
  readonly isOpen: boolean
  /** Requests queued or in flight. */
  readonly inFlight: number
  /** The type registry used to decode results and encode parameters. */
  registry: PgTypes.Registry

  /**
   * Runs SQL with the simple query protocol: any number of statements, every result. No
   * parameters (use {@link execute}); results are decoded from text.
   */
  simple(sql: string, options?: { readonly rowMode?: RowMode | undefined }): Effect.Effect<ReadonlyArray<QueryResult>, PgError.PgError>
  /** Runs one statement with bound parameters (extended query protocol). */
  execute<Row = Record<string, unknown>>(
    sql: string,
    params?: ReadonlyArray<unknown>,
    options?: ExecuteOptions
  ): Effect.Effect<QueryResult<Row>, PgError.PgError>
  /** Prepares (or fetches from the cache) a named statement and returns its description. */
  prepare(sql: string, paramTypes?: ReadonlyArray<number>): Effect.Effect<StatementDescription, PgError.PgError>
  /** Forgets every cached statement (after `DISCARD ALL` / `DEALLOCATE ALL` run by hand). */
  clearStatementCache(): void
  /**
   * Sole use of the connection until the Scope closes: the returned view of the connection
   * bypasses the gate; requests from other fibers wait. (The scoped form of {@link exclusive}.)
   */
  readonly pin: Effect.Effect<PgConnection, PgError.PgError, Scope.Scope>
  /**
   * Streams the rows of one statement through a portal, `batchSize` rows (default 1000) per
   * round trip, so memory stays bounded whatever the result size. The connection is held
   * exclusively while the stream runs; ending or interrupting the stream closes the portal
   * (cancelling a running fetch) and frees the connection.
   */
  stream<Row = Record<string, unknown>>(
    sql: string,
    params?: ReadonlyArray<unknown>,
    options?: StreamOptions
  ): Stream.Stream<Row, PgError.PgError>
  /**
   * Starts `COPY … FROM STDIN` and returns a writer; the connection is held exclusively until
   * the Scope closes. `end` finishes the COPY; closing the Scope without `end` (failure,
   * interruption) sends CopyFail, so nothing is committed and the connection stays usable.
   */
  copyIn(sql: string): Effect.Effect<CopyIn, PgError.PgError, Scope.Scope>
  /**
   * Runs `COPY … TO STDOUT` and streams the data as it arrives (chunks as the server sends them:
   * one row per chunk for text/csv). The socket is paused while the consumer is behind by more
   * than `highWaterMark` bytes (default 1 MiB). Ending the stream early cancels the COPY.
   */
  copyOut(sql: string, options?: { readonly highWaterMark?: number | undefined }): Stream.Stream<Uint8Array, PgError.PgError>
  /**
   * Runs `f` with sole use of the connection. Inside, use the connection passed to `f`; requests
   * from other fibers wait until `f` ends.
   */
  exclusive<A, E, R>(f: (connection: PgConnection) => Effect.Effect<A, E, R>): Effect.Effect<A, E | PgError.PgError, R>
  /**
   * Notifications on channels this session LISTENs to, as they arrive. Each subscriber gets
   * every notification from the time it subscribes; `bufferSize` bounds how many wait for a
   * slow subscriber (then the oldest are dropped).
   */
  notifications(options?: { readonly bufferSize?: number | undefined }): Stream.Stream<Notification>
  /** Sends a CancelRequest for whatever the session is running now. */
  readonly cancel: Effect.Effect<void>
  /** Terminates the session (also done when the Scope closes). */
  readonly close: Effect.Effect<void>
  /** Completes when the connection closes, with the reason (undefined = closed by us). */
  readonly closed: Effect.Effect<PgError.PgError | undefined>
}
const defaultStartupParameters: ReadonlyArray<readonly [string, string]> = [
  ["client_encoding", "UTF8"],
  ["DateStyle", "ISO"],
  ["IntervalStyle", "postgres"]
]

const statusOf = (s: "I" | "T" | "E"): "idle" | "transaction" | "failed" =>
  s === "I" ? "idle" : s === "T" ? "transaction" : "failed"

/**
 * Connects with a parsed config (see `PgConfig.parse`) or a connection string / input object,
 * and returns a session owned by the current Scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  config: PgConfig | PgConfigInput | string,
  options: ConnectionOptions = {}
): Effect.Effect<PgConnection, PgError.PgError, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      // Connecting waits on the network: it stays interruptible (a half-open socket is destroyed
      // by the connect/start-up code on interruption). From the moment it succeeds until the
      // Scope owns the connection, nothing may interrupt: the socket would leak.
      restore(establish(config, { parameters: defaultStartupParameters, maxMessageSize: options.maxMessageSize })),
      (established) =>
        Effect.acquireRelease(
          // the caller's services (logger, log level, tracer…) run the connection's background
          // effects — not its span, log annotations or Scope, which belong to the connecting fiber
          Effect.map(Effect.context<never>(), (context) => fromEstablished(established, options, backgroundContext(context))),
          (connection) => connection.close
        )
    )
  )

const backgroundContext = (context: Context.Context<never>): Context.Context<never> =>
  Context.omit(Tracer.ParentSpan, References.CurrentLogAnnotations, References.CurrentLogSpans, Scope.Scope)(
    context
  ) as Context.Context<never>

/**
 * Builds the session object over an established (started-up) socket.
 */
const fromEstablished = (
  established: Established,
  options: ConnectionOptions,
  context: Context.Context<never>
): PgConnection => {
  const ctx = new ConnectionContext(established, options, context)
  const { socket, startup } = established
  const { session, cache, registryRef } = ctx
  const submission = makeSubmission(ctx)
  const simpleWith = makeSimpleWith(ctx, submission)
  const unknownTypes = makeUnknownTypes(ctx)
  const preparedWith = makePreparedWith(ctx, submission, unknownTypes)
  const executeWith = makeExecuteWith(ctx, submission, preparedWith, makeExecuteUnnamed(ctx, submission, unknownTypes))
  const sections = makeSections(ctx, simpleWith)
  const { exclusiveWith, pinWith, copyAlone } = sections
  const streamWith = makeStreamWith(ctx, submission, preparedWith, sections)
  const { copyInWith, copyOutWith } = makeCopyOps(ctx, submission, sections)
  const notifications = makeNotifications(ctx)
  const { cancel, close, closed } = makeLifecycle(ctx)

  const base = (held: boolean): PgConnection => ({
    [TypeId]: TypeId,
    processId: startup.processId,
    protocolVersion: startup.protocolMinor === 2 ? "3.2" : "3.0",
    target: established.target,
    encrypted: socket.encrypted,
    parameters: ctx.parameters,
    get transactionStatus() {
      return statusOf(session.transactionStatus)
    },
    get isOpen() {
      // The session's flag, not `isClosed`: requests failed by the close may resume their fibers
      // before the close hook runs, and they must already see the connection as closed.
      return !session.closed
    },
    get inFlight() {
      return session.inFlight
    },
    get registry() {
      return registryRef.current
    },
    set registry(r: PgTypes.Registry) {
      registryRef.current = r
    },
    simple: held ? simpleWith(true) : copyAlone(simpleWith(false), (sql, o) => (x) => x.simple(sql, o)),
    execute: (held ? executeWith(true) : copyAlone(executeWith(false), (sql, params, o) => (x) => x.execute(sql, params, o))) as PgConnection["execute"],
    prepare: (sql, paramTypes) =>
      Effect.map(preparedWith(held)(sql, paramTypes), (s) => ({ name: s.name, paramTypes: s.paramTypes, fields: s.fields })),
    clearStatementCache: () => {
      cache.clear()
    },
    exclusive: exclusiveWith(held),
    get pin() {
      return pinWith(held)
    },
    stream: streamWith(held) as PgConnection["stream"],
    copyIn: copyInWith(held),
    copyOut: copyOutWith(held),
    notifications,
    cancel,
    close,
    closed
  })

  ctx.connection = base(false)
  ctx.exclusiveView = base(true)
  deliverLeftover(ctx)
  return ctx.connection
}

/**
 * @category guards
 * @since 0.1.0
 */
export const isPgConnection = (u: unknown): u is PgConnection => typeof u === "object" && u !== null && TypeId in u
