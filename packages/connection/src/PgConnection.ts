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
import type * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as PgBackend from "@pgfx/protocol/PgBackend"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import type { PgConfig, PgConfigInput } from "./PgConfig.ts"
import * as PgError from "./PgError.ts"
import { CopyInRequest, CopyOutRequest, type CopyResult } from "./internal/copy.ts"
import { makeBindTemplate, writeBindExecuteSync } from "./internal/bindTemplate.ts"
import { Gate } from "./internal/gate.ts"
import { decodeLate, undecodedTypes } from "./internal/lateDecode.ts"
import { type Established, establish, sendCancelRequest } from "./internal/hosts.ts"
import { textParam, typedParams, untypedEncoder } from "./internal/params.ts"
import { type PreparedStatement, PreparedCache, statementKey } from "./internal/preparedCache.ts"
import {
  type CodecLookup,
  ExecuteRequest,
  PrepareRequest,
  type QueryResult,
  type Settle,
  SimpleQueryRequest,
  type StatementDescription
} from "./internal/requests.ts"
import { closePortal, makePull, type PortalContext, PortalRequest } from "./internal/portal.ts"
import { type RowMode, RowShapes } from "./internal/rows.ts"
import { closedFor, type Request, Session } from "./internal/session.ts"

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

const utf8 = new TextEncoder()

/** Text that may contain a COPY statement (see `copyAlone`). */
const mayBeCopy = /\bcopy\b/i

/** The fields of a statement that returns no rows (one array, so its row shape is memoised). */
const noFields: ReadonlyArray<PgBackend.FieldDescription> = []
/** Defaults of `execute` (shared, not allocated per call). */
const noParams: ReadonlyArray<unknown> = []
const noOptions: ExecuteOptions = {}

const statusOf = (s: "I" | "T" | "E"): "idle" | "transaction" | "failed" =>
  s === "I" ? "idle" : s === "T" ? "transaction" : "failed"

/** `prepared statement "x" does not exist` and `cached plan must not change result type`. */
const isStaleStatement = (error: PgError.PgError): boolean => {
  const r = error.reason
  if (!PgError.isServerErrorReason(r)) return false
  return r.code === "26000" || (r.code === "0A000" && r.message.includes("cached plan must not change result type"))
}

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
          Effect.sync(() => fromEstablished(established, options)),
          (connection) => connection.close
        )
    )
  )

/**
 * Builds the session object over an established (started-up) socket.
 */
const fromEstablished = (established: Established, options: ConnectionOptions): PgConnection => {
  const { socket, startup } = established
  const parameters = startup.parameters
  const notificationListeners = new Set<(n: Notification) => void>()
  const closeWaiters: Array<(e: PgError.PgError | undefined) => void> = []
  let closeReason: PgError.PgError | undefined = undefined
  let isClosed = false
  const onNotice = options.onNotice ??
    ((notice: Notice) => {
      Effect.runFork(Effect.logDebug(`PostgreSQL ${notice.severity}: ${notice.message}`))
    })
  const cancelTimeout = Duration.fromInputUnsafe(options.cancelTimeout ?? Duration.seconds(5))
  const cache = new PreparedCache(options.preparedCacheSize ?? 256)
  const cacheEnabled = (options.preparedCacheSize ?? 256) > 0
  const defaultMode: ExecutionMode = options.mode ?? "prepared"
  const encoder = PgFrontend.makeEncoder(4096)
  const gate = new Gate()
  /** Close messages for evicted statements, sent with the next request. */
  let pendingCloses: Array<string> = []
  const inflightPrepares = new Map<string, Deferred.Deferred<PreparedStatement, PgError.PgError>>()

  const session: Session = new Session(socket, startup.parser, {
    onNotice,
    onNotification: (n) => {
      const notification: Notification = { channel: n.channel, payload: n.payload, processId: n.processId }
      for (const listener of notificationListeners) listener(notification)
    },
    onParameterStatus: (name, value) => {
      parameters.set(name, value)
    },
    takeCloses: () => {
      if (pendingCloses.length === 0) return undefined
      for (const name of pendingCloses) closeEncoder.close("S", name)
      pendingCloses = []
      return closeEncoder.take()
    },
    sendCancel: (done) => {
      // `done` releases the requests the session holds back while the cancel is in flight;
      // bounded by cancelTimeout so an unreachable server cannot stall the session for longer.
      Effect.runFork(
        sendCancelRequest(established).pipe(
          Effect.timeoutOption(cancelTimeout),
          Effect.ensuring(Effect.sync(done))
        )
      )
    },
    onClose: (error) => {
      isClosed = true
      closeReason = error
      gate.flushAll()
      for (const w of closeWaiters.splice(0)) w(error)
    }
  })
  session.transactionStatus = startup.transactionStatus
  for (const n of startup.notices) onNotice(n)

  const copyFail = PgFrontend.encode({ _tag: "CopyFail", message: "COPY is not supported by simple(): use the COPY API" })

  /** Row shapes (decoders and generated row builders) for the current registry. */
  const shapesByRegistry = new WeakMap<PgTypes.Registry, RowShapes>()
  /** The registry of the latest lookup and its shapes: the registry rarely changes. */
  let lastRegistry: PgTypes.Registry | undefined = undefined
  let lastShapes: RowShapes | undefined = undefined
  const lookupOf = (): CodecLookup => {
    const registry = registryRef.current
    if (registry === lastRegistry) return lastShapes!
    let shapes = shapesByRegistry.get(registry)
    if (shapes === undefined) {
      shapes = new RowShapes((oid) => PgTypes.getOrText(registry, oid))
      shapesByRegistry.set(registry, shapes)
    }
    lastRegistry = registry
    lastShapes = shapes
    return shapes
  }


  /**
   * Takes the bytes `build` encodes (nothing is kept if it throws). Close messages of evicted
   * statements are not part of a request's bytes: the session asks for them (`takeCloses`) when
   * the next request is sent, and writes them even if that request is dropped before being
   * written (an interrupted request must not take the Closes with it).
   */
  const takeBytes = (build: () => void): Uint8Array => {
    const mark = encoder.mark()
    try {
      build()
      return encoder.take()
    } catch (e) {
      encoder.rollback(mark)
      throw e
    }
  }
  const closeEncoder = PgFrontend.makeEncoder(256)

  /**
   * Sends a request and waits for it. `held` means the caller holds the exclusive gate.
   *
   * When a CancelRequest meant for another (interrupted) request ended this statement, it was
   * rolled back, so it is sent once more (`retryStray`): as if the first run never happened.
   * That decision is taken where the request settles, so the common path is one
   * `Effect.callback` with no error-handling combinators around it.
   */
  const submit = <A>(build: (settle: Settle<A>) => Request, held: boolean, retryStray = true): Effect.Effect<A, PgError.PgError> =>
    Effect.callback<A, PgError.PgError>((resume) => {
      let request: Request | undefined = undefined
      const settle: Settle<A> = (result) => {
        if (result._tag === "Success") resume(Effect.succeed(result.value))
        else if (retryStray && isStrayCancel(result.error, request)) resume(submit(build, held, false))
        else resume(Effect.fail(result.error))
      }
      try {
        request = build(settle)
      } catch (cause) {
        resume(Effect.fail(toEncodeError(cause)))
        return
      }
      return sendWatched(request, held)
    })

  /** Whether `error` was caused by a CancelRequest sent for an earlier request (see `Session`). */
  const isStrayCancel = (error: PgError.PgError, request: Request | undefined): boolean =>
    error.reason._tag === "QueryCanceled" && request !== undefined && request.retryOnStrayCancel === true &&
    request.strayCancel === "retrySafe"

  /**
   * Sends `request` — through the gate unless `held` — and returns what to do if the waiting
   * fiber is interrupted: withdraw it from the gate, or abandon it (CancelRequest and drain).
   */
  const sendWatched = (request: Request, held: boolean): Effect.Effect<void> => {
    let waiting: { cancel(): void } | undefined = undefined
    // An open gate lets the request through at once: test it first so that the common path
    // allocates no closure for `gate.pass`.
    if (held || gate.open) session.send(request)
    else waiting = gate.pass(() => session.send(request))
    return Effect.suspend(() => {
      if (waiting !== undefined && !request.written && !request.settled) {
        waiting.cancel()
      }
      if (!session.abandon(request)) return Effect.void
      return waitDrained(request)
    })
  }

  /** After an interruption: wait until the abandoned request has drained, or close. */
  const waitDrained = (request: Request): Effect.Effect<void> =>
    Effect.callback<void>((resume) => {
      if (request.settled) return resume(Effect.void)
      request.onSettled = () => resume(Effect.void)
    }).pipe(
      Effect.timeoutOrElse({
        duration: cancelTimeout,
        orElse: () =>
          Effect.sync(() => {
            session.close(
              PgError.make(
                new PgError.ConnectionClosed({
                  message: `the connection was closed: an interrupted request did not finish within ${Duration.format(cancelTimeout)} of its cancellation`,
                  safeToRetry: false
                })
              )
            )
          })
      })
    )

  const toEncodeError = (cause: unknown, query?: string): PgError.PgError =>
    cause instanceof PgError.PgError
      ? cause
      : PgError.make(
        new PgError.EncodeError({
          message: `cannot encode the request: ${cause instanceof Error ? cause.message : String(cause)}`,
          cause,
          ...(query !== undefined ? { query } : {})
        })
      )

  const simpleWith = (held: boolean) => (sql: string, opts?: { readonly rowMode?: RowMode | undefined }) =>
    submit<ReadonlyArray<QueryResult>>(
      (settle) => {
        const request: SimpleQueryRequest = new SimpleQueryRequest(
          takeBytes(() => encoder.query(sql)),
          settle,
          sql,
          lookupOf(),
          opts?.rowMode ?? "object",
          (bytes) => session.writeNow(bytes, request),
          copyFail
        )
        return request
      },
      held
    )

  const describeStatement = (
    held: boolean,
    sql: string,
    name: string,
    paramTypes: ReadonlyArray<number> | undefined
  ): Effect.Effect<StatementDescription, PgError.PgError> =>
    submit<StatementDescription>(
      (settle) =>
        new PrepareRequest(
          takeBytes(() => {
            encoder.parse(name, sql, paramTypes ?? [])
            encoder.describe("S", name)
            encoder.sync()
          }),
          settle,
          sql,
          name
        ),
      held
    )

  /**
   * An unnamed statement's columns of types the registry lacked came as raw bytes: let
   * `onUnknownTypes` register codecs for them, then decode those columns (see lateDecode.ts).
   */
  const decodeUnknownTypes = (
    held: boolean,
    result: QueryResult,
    rowMode: RowMode,
    sql: string
  ): Effect.Effect<QueryResult, PgError.PgError> => {
    const hook = options.onUnknownTypes
    if (hook === undefined) return Effect.succeed(result)
    const oids = undecodedTypes(connection.registry, result)
    if (oids === undefined) return Effect.succeed(result)
    return Effect.flatMap(hook(oids, held ? exclusiveView : connection), () => {
      const decoded = decodeLate(connection.registry, result, oids, rowMode, sql)
      return decoded instanceof PgError.PgError ? Effect.fail(decoded) : Effect.succeed(decoded)
    })
  }

  /** Lets `onUnknownTypes` register codecs for types the registry lacks. */
  const resolveUnknownTypes = (held: boolean, description: StatementDescription): Effect.Effect<void, PgError.PgError> => {
    const hook = options.onUnknownTypes
    if (hook === undefined) return Effect.void
    const registry = connection.registry
    const unknown = new Set<number>()
    for (const oid of description.paramTypes) if (PgTypes.get(registry, oid) === undefined) unknown.add(oid)
    for (const f of description.fields ?? []) if (PgTypes.get(registry, f.typeOid) === undefined) unknown.add(f.typeOid)
    // Types another fiber is discovering right now: wait for it rather than preparing with text
    // codecs (which the statement cache would keep for the life of the connection).
    const others: Array<Deferred.Deferred<void>> = []
    // (Not inside an exclusive section: the other fiber's discovery may be queued behind it at
    // the gate — a section discovers for itself; doing it twice is harmless.)
    for (const oid of unknown) {
      const pending = held ? undefined : resolving.get(oid)
      if (pending !== undefined) {
        if (!others.includes(pending)) others.push(pending)
        unknown.delete(oid)
      }
    }
    const waitOthers = others.length === 0 ? Effect.void : Effect.forEach(others, (d) => Deferred.await(d), { discard: true })
    if (unknown.size === 0) return waitOthers
    const oids = Array.from(unknown)
    const done = Deferred.makeUnsafe<void>()
    for (const oid of oids) resolving.set(oid, done)
    const mine = hook(oids, held ? exclusiveView : connection).pipe(
      Effect.ensuring(Effect.sync(() => {
        for (const oid of oids) if (resolving.get(oid) === done) resolving.delete(oid)
        Deferred.doneUnsafe(done, Effect.void)
      }))
    )
    return Effect.andThen(mine, waitOthers)
  }
  /** OIDs being discovered, with the completion of their discovery. */
  const resolving = new Map<number, Deferred.Deferred<void>>()

  const toPrepared = (description: StatementDescription, sql: string): PreparedStatement => {
    const registry = connection.registry
    const paramCodecs = description.paramTypes.map((oid) => PgTypes.getOrText(registry, oid))
    const resultFormats: Array<0 | 1> = []
    const boundFields = description.fields?.map((f) => {
      const codec = PgTypes.getOrText(registry, f.typeOid)
      const format: 0 | 1 = codec.decodeBinary !== undefined ? 1 : 0
      resultFormats.push(format)
      return { ...f, format }
    })
    const params = typedParams(paramCodecs)
    return {
      name: description.name,
      sql,
      paramTypes: description.paramTypes,
      fields: description.fields,
      params,
      resultFormats,
      boundFields,
      bind: makeBindTemplate(description.name, params.formats, resultFormats, params.encoders)
    }
  }

  /**
   * The cached statement for `sql`, preparing it if needed. Concurrent callers share one
   * preparation (so a statement is not prepared twice under two names) — except inside an
   * exclusive section, which must not wait for a preparation queued behind itself.
   */
  const preparedWith = (held: boolean) =>
  (sql: string, paramTypes?: ReadonlyArray<number>): Effect.Effect<PreparedStatement, PgError.PgError> =>
    Effect.suspend(() => {
      const key = statementKey(sql, paramTypes)
      const cached = cacheEnabled ? cache.get(key) : undefined
      if (cached !== undefined) return Effect.succeed(cached)
      const inflight = cacheEnabled && !held ? inflightPrepares.get(key) : undefined
      if (inflight !== undefined) {
        // Share the other fiber's preparation; if it was interrupted or failed, try ourselves.
        return Effect.flatMap(Effect.exit(Deferred.await(inflight)), (exit) =>
          Exit.isSuccess(exit) ? Effect.succeed(exit.value) : preparedWith(held)(sql, paramTypes))
      }
      const name = cacheEnabled ? cache.nextName() : ""
      const done = Deferred.makeUnsafe<PreparedStatement, PgError.PgError>()
      if (cacheEnabled && !held) inflightPrepares.set(key, done)
      return describeStatement(held, sql, name, paramTypes).pipe(
        Effect.tap((description) => resolveUnknownTypes(held, description)),
        Effect.map((description) => {
          const statement = toPrepared(description, sql)
          if (cacheEnabled) {
            for (const evicted of cache.set(key, statement)) pendingCloses.push(evicted.name)
          }
          return statement
        }),
        Effect.onExit((exit) =>
          Effect.sync(() => {
            if (inflightPrepares.get(key) === done) inflightPrepares.delete(key)
            // Interrupted (or failed) after the Parse may have been written: the named statement
            // may exist on the server without being cached. Close it with the next request
            // (closing a statement that does not exist is not an error).
            if (Exit.isFailure(exit) && name !== "") pendingCloses.push(name)
            Deferred.doneUnsafe(done, exit)
          })
        )
      )
    })

  const executePrepared = (
    held: boolean,
    statement: PreparedStatement,
    params: ReadonlyArray<unknown>,
    rowMode: RowMode,
    retryStray = true
  ): Effect.Effect<QueryResult, PgError.PgError> =>
    submit<QueryResult>((settle) => executeRequest(statement, params, rowMode, settle), held, retryStray)

  /** The request executing a prepared statement (throws a `PgError` when `params` do not fit). */
  const executeRequest = (
    statement: PreparedStatement,
    params: ReadonlyArray<unknown>,
    rowMode: RowMode,
    settle: Settle<QueryResult>
  ): ExecuteRequest => {
    if (params.length !== statement.paramTypes.length) {
      throw PgError.make(
        new PgError.EncodeError({
          message: `the statement takes ${statement.paramTypes.length} parameter(s), ${params.length} given`,
          query: statement.sql
        })
      )
    }
    const bytes = encodeExecute(statement, params)
    return new ExecuteRequest(bytes, settle, statement.sql, lookupOf(), rowMode, statement.boundFields ?? noFields)
  }

  /**
   * Bind + Execute + Sync of a prepared statement, from its prebuilt Bind template (no
   * per-call validation of names and format lists, no closure). When a value fails to encode,
   * the partial message is dropped and the statement encoded again with the validating encoder,
   * which throws the detailed error.
   */
  const encodeExecute = (statement: PreparedStatement, params: ReadonlyArray<unknown>): Uint8Array => {
    const mark = encoder.mark()
    try {
      writeBindExecuteSync(encoder.writer, statement.bind, params)
      return encoder.take()
    } catch {
      encoder.rollback(mark)
    }
    return takeBytes(() => {
      try {
        encoder.bind("", statement.name, statement.params.formats, params, statement.resultFormats, statement.params.encoders)
      } catch (cause) {
        throw parameterError(cause, statement, params)
      }
      encoder.execute("", 0)
      encoder.sync()
    })
  }

  /** Finds which parameter failed to encode, for the error message. */
  const parameterError = (cause: unknown, statement: PreparedStatement, params: ReadonlyArray<unknown>): PgError.PgError => {
    let parameter: number | undefined = undefined
    const scratch = PgFrontend.makeEncoder(64)
    for (let i = 0; i < params.length; i++) {
      if (params[i] === null || params[i] === undefined) continue
      try {
        statement.params.encoders[i]!(params[i], scratch.writer)
      } catch {
        parameter = i + 1
        break
      }
    }
    const oid = parameter !== undefined ? statement.paramTypes[parameter - 1] : undefined
    const detail = cause instanceof Error ? cause.message : String(cause)
    return PgError.make(
      new PgError.EncodeError({
        message: parameter !== undefined
          ? `cannot encode parameter $${parameter}${oid !== undefined ? ` (type ${oid})` : ""}: ${detail}`
          : `cannot encode parameters: ${detail}`,
        cause,
        query: statement.sql,
        ...(parameter !== undefined ? { parameter } : {}),
        ...(oid !== undefined ? { oid } : {})
      })
    )
  }

  const executeUnnamed = (
    held: boolean,
    sql: string,
    params: ReadonlyArray<unknown>,
    paramTypes: ReadonlyArray<number> | undefined,
    rowMode: RowMode,
    resultFormat: 0 | 1 = 1
  ): Effect.Effect<QueryResult, PgError.PgError> =>
    submit<QueryResult>(
      (settle) => {
        if (params.length > PgFrontend.maxParameters) throw tooManyParameters(params.length, sql)
        const registry = connection.registry
        const types = paramTypes ?? []
        const encoders = params.map((_, i) => {
          const oid = types[i] ?? 0
          if (oid === 0) return untypedEncoder
          const codec = PgTypes.getOrText(registry, oid)
          const encodeText = codec.encodeText
          return (value: unknown, writer: PgFrontend.Encoder["writer"]) => writer.string(encodeText(value))
        })
        const bytes = takeBytes(() => {
          encoder.parse("", sql, types)
          try {
            encoder.bind("", "", 0, params, resultFormat, encoders)
          } catch (cause) {
            const index = params.findIndex((p) => {
              try {
                if (p !== null && p !== undefined) textParam(p)
                return false
              } catch {
                return true
              }
            })
            throw PgError.make(
              new PgError.EncodeError({
                message: `cannot encode parameter${index >= 0 ? ` $${index + 1}` : "s"}: ${cause instanceof Error ? cause.message : String(cause)}`,
                cause,
                query: sql,
                ...(index >= 0 ? { parameter: index + 1 } : {})
              })
            )
          }
          encoder.describe("P", "")
          encoder.execute("", 0)
          encoder.sync()
        })
        return new ExecuteRequest(bytes, settle, sql, lookupOf(), rowMode, undefined)
      },
      held
    ).pipe(
      Effect.flatMap((result) => decodeUnknownTypes(held, result, rowMode, sql)),
      // Unnamed statements ask binary results for every column (no describe round trip); a type
      // without a binary send function (aclitem, some extension types) makes Bind fail before the
      // statement runs. Outside a transaction block that failure changed nothing: run it again
      // with text results.
      resultFormat === 1
        ? Effect.catchIf(
          (error: PgError.PgError) =>
            PgError.isServerErrorReason(error.reason) && error.reason.code === "42883" &&
            error.reason.message.includes("binary output function") && session.transactionStatus === "I",
          () => executeUnnamed(held, sql, params, paramTypes, rowMode, 0)
        )
        : (effect) => effect
    )

  const executeWith = (held: boolean) =>
  <Row>(
    sql: string,
    params: ReadonlyArray<unknown> = noParams,
    opts: ExecuteOptions = noOptions
  ): Effect.Effect<QueryResult<Row>, PgError.PgError> => {
    const rowMode = opts.rowMode ?? "object"
    const mode = opts.mode ?? defaultMode
    if (mode === "unnamed") return executeUnnamed(held, sql, params, opts.paramTypes, rowMode)
    if (params.length > PgFrontend.maxParameters) {
      // Fail before preparing: nothing is sent for a statement that cannot be bound.
      return Effect.fail(tooManyParameters(params.length, sql))
    }
    return cacheEnabled
      ? executeCached(held, sql, params, opts.paramTypes, rowMode)
      : executeUncached(held, sql, params, opts.paramTypes, rowMode)
  }

  /**
   * `execute` in the prepared mode with the statement cache on: the hot path of the whole
   * client, so it is one `Effect.callback` and nothing else. The cache is consulted when the
   * effect runs; a statement found there is executed at once, and the rare outcomes that call
   * for more work — a stray cancel to retry, a stale statement to prepare again — are decided
   * when the request settles, by resuming the fiber with that work (the same decisions, in the
   * same order, as `submit` and `executeUncached` make). A statement not cached yet takes the
   * general path, `executeUncached`.
   */
  const executeCached = <Row>(
    held: boolean,
    sql: string,
    params: ReadonlyArray<unknown>,
    paramTypes: ReadonlyArray<number> | undefined,
    rowMode: RowMode
  ): Effect.Effect<QueryResult<Row>, PgError.PgError> =>
    Effect.callback<QueryResult<Row>, PgError.PgError>((resume) => {
      const statement = cache.get(statementKey(sql, paramTypes))
      if (statement === undefined) {
        resume(executeUncached(held, sql, params, paramTypes, rowMode))
        return
      }
      let request: Request | undefined = undefined
      const settle: Settle<QueryResult> = (result) => {
        if (result._tag === "Success") {
          resume(Effect.succeed(result.value))
        } else if (isStrayCancel(result.error, request)) {
          // As `submit`: once more — and a stale statement found by that run is still handled.
          resume(onStale(executePrepared(held, statement, params, rowMode, false), () => statement, sql, paramTypes, params, rowMode, held))
        } else if (isRecoverableStale(result.error)) {
          const error = result.error
          resume(Effect.suspend(() => prepareAgain(error, statement, sql, paramTypes, params, rowMode, held)))
        } else {
          resume(Effect.fail(result.error))
        }
      }
      try {
        request = executeRequest(statement, params, rowMode, settle)
      } catch (cause) {
        resume(Effect.fail(toEncodeError(cause)))
        return
      }
      return sendWatched(request, held)
    })

  /** `execute` in the prepared mode through `preparedWith` (a statement not cached yet, or no cache). */
  const executeUncached = <Row>(
    held: boolean,
    sql: string,
    params: ReadonlyArray<unknown>,
    paramTypes: ReadonlyArray<number> | undefined,
    rowMode: RowMode
  ): Effect.Effect<QueryResult<Row>, PgError.PgError> => {
    /** The statement of the latest attempt (to close it when its result type changed). */
    let used: PreparedStatement | undefined = undefined
    const run = Effect.flatMap(preparedWith(held)(sql, paramTypes), (statement) => {
      used = statement
      return executePrepared(held, statement, params, rowMode)
    })
    return onStale(run, () => used, sql, paramTypes, params, rowMode, held)
  }

  /**
   * The statement vanished (DISCARD ALL, DEALLOCATE) or its result type changed: prepare it
   * again once. Only outside a transaction block, where the failure changed nothing.
   */
  const isRecoverableStale = (error: PgError.PgError): boolean =>
    isStaleStatement(error) && session.transactionStatus === "I"

  /** Recovers from a stale statement (see {@link isRecoverableStale}) by preparing it again. */
  const onStale = <Row>(
    effect: Effect.Effect<QueryResult, PgError.PgError>,
    used: () => PreparedStatement | undefined,
    sql: string,
    paramTypes: ReadonlyArray<number> | undefined,
    params: ReadonlyArray<unknown>,
    rowMode: RowMode,
    held: boolean
  ): Effect.Effect<QueryResult<Row>, PgError.PgError> =>
    Effect.catchIf(
      effect,
      isRecoverableStale,
      (error) => prepareAgain(error, used(), sql, paramTypes, params, rowMode, held)
    )

  /** See {@link isRecoverableStale}: forgets `used` and prepares + executes once more. */
  const prepareAgain = (
    error: PgError.PgError,
    used: PreparedStatement | undefined,
    sql: string,
    paramTypes: ReadonlyArray<number> | undefined,
    params: ReadonlyArray<unknown>,
    rowMode: RowMode,
    held: boolean
  ): Effect.Effect<QueryResult, PgError.PgError> => {
    if (isDiscardedAll(error)) cache.clear()
    else if (used !== undefined && cache.remove(statementKey(sql, paramTypes), used)) {
      // Still on the server: close it with the next request (unless another fiber already
      // replaced it in the cache, in which case that fiber closed it).
      pendingCloses.push(used.name)
    }
    return Effect.flatMap(preparedWith(held)(sql, paramTypes), (statement) => executePrepared(held, statement, params, rowMode))
  }

  const tooManyParameters = (count: number, sql: string): PgError.PgError =>
    PgError.make(
      new PgError.EncodeError({
        message: `too many parameters: ${count} (the protocol allows ${PgFrontend.maxParameters})`,
        query: sql
      })
    )

  /** A missing statement means every cached statement is probably gone (DISCARD ALL). */
  const isDiscardedAll = (error: PgError.PgError): boolean =>
    PgError.isServerErrorReason(error.reason) && error.reason.code === "26000"

  const exclusiveWith = (held: boolean) =>
  <A, E, R>(f: (c: PgConnection) => Effect.Effect<A, E, R>): Effect.Effect<A, E | PgError.PgError, R> => {
    if (held) return f(exclusiveView)
    // Waiting for the gate is interruptible (a timeout around a transaction must work while
    // another section holds the connection); once granted, the release always runs.
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(restore(acquireExclusive), () => {
        const section = sectionView()
        return restore(f(section.view)).pipe(
          Effect.onExit(() => Effect.andThen(Effect.sync(section.end), releaseExclusive))
        )
      })
    )
  }

  /**
   * The view of the connection handed to one exclusive section. It bypasses the gate only while
   * the section lasts: a fiber that kept it (forked inside a transaction, say) and uses it after
   * the section ended gets a ConnectionClosed error instead of slipping into the next section —
   * someone else's transaction.
   */
  const sectionView = (): { readonly view: PgConnection; readonly end: () => void } => {
    let active = true
    const released = (): PgError.PgError =>
      PgError.make(
        new PgError.ConnectionClosed({
          message: "this connection view was released: its exclusive section (transaction, pin) has ended",
          safeToRetry: true
        })
      )
    const guard = <A, E, R>(f: () => Effect.Effect<A, E, R>): Effect.Effect<A, E | PgError.PgError, R> =>
      Effect.suspend((): Effect.Effect<A, E | PgError.PgError, R> => (active ? f() : Effect.fail(released())))
    const guardStream = <A, E>(f: () => Stream.Stream<A, E>): Stream.Stream<A, E | PgError.PgError> =>
      Stream.unwrap(Effect.sync((): Stream.Stream<A, E | PgError.PgError> => (active ? f() : Stream.fail(released()))))
    const view: PgConnection = Object.create(exclusiveView, {
      simple: { value: (sql: string, o?: { readonly rowMode?: RowMode | undefined }) => guard(() => exclusiveView.simple(sql, o)) },
      execute: {
        value: (sql: string, params?: ReadonlyArray<unknown>, o?: ExecuteOptions) => guard(() => exclusiveView.execute(sql, params, o))
      },
      prepare: { value: (sql: string, types?: ReadonlyArray<number>) => guard(() => exclusiveView.prepare(sql, types)) },
      exclusive: { value: <A, E, R>(f: (c: PgConnection) => Effect.Effect<A, E, R>) => guard(() => f(view)) },
      pin: { get: () => guard(() => Effect.succeed(view)) },
      stream: {
        value: (sql: string, params?: ReadonlyArray<unknown>, o?: StreamOptions) => guardStream(() => exclusiveView.stream(sql, params, o))
      },
      copyIn: { value: (sql: string) => guard(() => exclusiveView.copyIn(sql)) },
      copyOut: {
        value: (sql: string, o?: { readonly highWaterMark?: number | undefined }) => guardStream(() => exclusiveView.copyOut(sql, o))
      }
    })
    return {
      view,
      end: () => {
        active = false
      }
    }
  }

  /**
   * Ends an exclusive section. A section left inside a transaction block (its fiber was
   * interrupted between BEGIN and COMMIT) is rolled back first, so the next fiber never runs in
   * someone else's transaction; if the rollback cannot complete within `cancelTimeout`, the
   * connection is closed instead.
   */
  const releaseExclusive: Effect.Effect<void> = Effect.suspend(() => {
    if (session.closed || session.transactionStatus === "I") return Effect.sync(() => gate.release())
    return simpleWith(true)("ROLLBACK").pipe(
      Effect.timeoutOrElse({
        duration: cancelTimeout,
        orElse: () => Effect.fail(PgError.make(new PgError.ConnectionClosed({ message: "rollback timed out", safeToRetry: false })))
      }),
      Effect.catchCause(() => Effect.sync(() => session.close(PgError.make(new PgError.ConnectionClosed({
        message: "the connection was closed: an exclusive section ended inside a transaction that could not be rolled back",
        safeToRetry: false
      }))))),
      Effect.ensuring(Effect.sync(() => gate.release())),
      Effect.asVoid
    )
  })

  const acquireExclusive: Effect.Effect<void, PgError.PgError> = Effect.callback<void, PgError.PgError>((resume) => {
    let granted = false
    const waiting = gate.take(() => {
      granted = true
      if (isClosed) resume(Effect.fail(closedError()))
      else resume(Effect.void)
    })
    if (waiting === undefined) return
    return Effect.sync(() => {
      if (granted) gate.release()
      else waiting.cancel()
    })
  })

  /** For work that never reached the server: ConnectionClosed whatever closed the session. */
  const closedError = (): PgError.PgError =>
    closeReason !== undefined
      ? closedFor(closeReason, true)
      : PgError.make(new PgError.ConnectionClosed({ message: "the connection is closed", safeToRetry: true }))

  const notifications = (opts?: { readonly bufferSize?: number | undefined }): Stream.Stream<Notification> =>
    Stream.callback<Notification>(
      (queue) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const listener = (n: Notification) => {
              Queue.offerUnsafe(queue, n)
            }
            notificationListeners.add(listener)
            return listener
          }),
          (listener) => Effect.sync(() => notificationListeners.delete(listener))
        ),
      opts?.bufferSize !== undefined ? { bufferSize: opts.bufferSize, strategy: "sliding" } : undefined
    )


  // --- streaming through a portal -------------------------------------------------------------

  const portalContext: PortalContext = {
    send: (request) => session.send(request),
    writeNow: (bytes, owner) => {
      session.writeNow(bytes, owner)
    },
    executeBytes: (batch) => PgFrontend.makeEncoder(32).execute("", batch).flush().take(),
    abandon: (request) => (session.abandon(request) ? waitDrained(request) : Effect.void)
  }
  const syncBytes = PgFrontend.encode({ _tag: "Sync" })

  const streamWith = (held: boolean) =>
  <Row>(
    sql: string,
    params: ReadonlyArray<unknown> = [],
    opts: StreamOptions = {}
  ): Stream.Stream<Row, PgError.PgError> => {
    const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 1000))
    const rowMode = opts.rowMode ?? "object"
    const open = Effect.gen(function*() {
      if (!held) {
        yield* Effect.acquireRelease(acquireExclusive, () => Effect.sync(() => gate.release()), { interruptible: true })
      }
      const statement = yield* preparedWith(true)(sql, opts.paramTypes)
      if (params.length !== statement.paramTypes.length) {
        return yield* Effect.fail(
          PgError.make(
            new PgError.EncodeError({
              message: `the statement takes ${statement.paramTypes.length} parameter(s), ${params.length} given`,
              query: sql
            })
          )
        )
      }
      const request = yield* Effect.try({
        try: () => {
          const bytes = takeBytes(() => {
            try {
              encoder.bind("", statement.name, statement.params.formats, params, statement.resultFormats, statement.params.encoders)
            } catch (cause) {
              throw parameterError(cause, statement, params)
            }
            encoder.execute("", batchSize)
            encoder.flush()
          })
          const portal: PortalRequest = new PortalRequest(
            bytes,
            sql,
            lookupOf(),
            rowMode,
            statement.boundFields ?? [],
            () => session.writeNow(syncBytes, portal)
          )
          return portal
        },
        catch: (cause) => toEncodeError(cause, sql)
      })
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          portalContext.send(request)
          session.occupy(request)
        }),
        () => closePortal(portalContext, request)
      )
      return makePull(portalContext, request, batchSize) as Effect.Effect<
        readonly [Row, ...Array<Row>],
        PgError.PgError | Cause.Done
      >
    })
    return Stream.scoped(Stream.fromPull(open))
  }

  // --- COPY -----------------------------------------------------------------------------------

  const copyInWith = (held: boolean) => (sql: string): Effect.Effect<CopyIn, PgError.PgError, Scope.Scope> =>
    Effect.gen(function*() {
      if (!held) {
        yield* Effect.acquireRelease(acquireExclusive, () => Effect.sync(() => gate.release()), { interruptible: true })
      }
      const done = Deferred.makeUnsafe<CopyResult, PgError.PgError>()
      const request: CopyInRequest = new CopyInRequest(
        takeBytes(() => encoder.query(sql)),
        sql,
        (result) => {
          Deferred.doneUnsafe(done, result._tag === "Success" ? Effect.succeed(result.value) : Effect.fail(result.error))
        },
        (bytes) => session.writeNow(bytes, request)
      )
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          session.send(request)
          session.occupy(request)
        }),
        () =>
          Effect.suspend(() => {
            if (request.settled) return Effect.void
            if (!request.written) {
              // Interrupted before the Query was written: drop it; nothing reached the server.
              // (Marking it abandoned alone would leave it unsettled, waiting for cancelTimeout.)
              session.abandon(request)
              return Effect.void
            }
            if (!request.ended && request.ready) {
              // In the data phase: CopyFail ends the COPY at once (no CancelRequest needed).
              request.ended = true
              session.writeNow(PgFrontend.encode({ _tag: "CopyFail", message: "COPY aborted by the client" }), request)
              request.abandoned = true
              return waitDrained(request)
            }
            // Not ready yet (the request answers CopyInResponse with CopyFail itself), or finishing
            // after CopyDone: the server may be busy (waiting for a lock, checking constraints), so
            // cancel it like any other interrupted statement.
            return session.abandon(request) ? waitDrained(request) : Effect.void
          })
      )
      yield* request.whenReady
      const waitDrain: Effect.Effect<void> = Effect.callback<void>((resume) => {
        session.onceDrained(() => resume(Effect.void))
      })
      const header = new Uint8Array(5)
      header[0] = 0x64 // 'd'
      const copyIn: CopyIn = {
        format: request.format,
        write: (data) =>
          Effect.suspend(() => {
            if (request.failure !== undefined) return Effect.fail(request.failure)
            if (request.ended) {
              return Effect.fail(PgError.make(new PgError.ProtocolError({ message: "write after the COPY ended" })))
            }
            const bytes = typeof data === "string" ? utf8.encode(data) : data
            if (bytes.length === 0) return Effect.void
            const frame = new Uint8Array(5)
            frame.set(header)
            new DataView(frame.buffer).setInt32(1, bytes.length + 4)
            session.writeNow(frame, request)
            const flowing = session.writeNow(bytes, request)
            return flowing ? Effect.void : waitDrain
          }),
        end: Effect.suspend(() => {
          if (!request.ended) {
            request.ended = true
            session.writeNow(PgFrontend.encode({ _tag: "CopyDone" }), request)
          }
          return Deferred.await(done)
        }),
        fail: (message) =>
          Effect.suspend(() => {
            if (!request.ended) {
              request.ended = true
              session.writeNow(PgFrontend.encode({ _tag: "CopyFail", message }), request)
            }
            return Effect.asVoid(Effect.exit(Deferred.await(done)))
          })
      }
      return copyIn
    })

  const copyOutWith = (held: boolean) =>
  (sql: string, opts?: { readonly highWaterMark?: number | undefined }): Stream.Stream<Uint8Array, PgError.PgError> => {
    const open = Effect.gen(function*() {
      if (!held) {
        yield* Effect.acquireRelease(acquireExclusive, () => Effect.sync(() => gate.release()), { interruptible: true })
      }
      const request = new CopyOutRequest(
        takeBytes(() => encoder.query(sql)),
        sql,
        () => socket.pause(),
        () => socket.resume(),
        opts?.highWaterMark ?? 1024 * 1024
      )
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          session.send(request)
          session.occupy(request)
        }),
        () =>
          Effect.suspend(() => {
            if (request.settled) return Effect.void
            request.stop()
            return session.abandon(request) ? waitDrained(request) : Effect.void
          })
      )
      return request.pull as Effect.Effect<readonly [Uint8Array, ...Array<Uint8Array>], PgError.PgError | Cause.Done>
    })
    return Stream.scoped(Stream.fromPull(open))
  }

  const close: Effect.Effect<void> = Effect.suspend(() => {
    if (isClosed) return Effect.void
    // Terminate politely, then close. Requests not yet written are never sent: they fail with
    // ConnectionClosed (safe to retry); those in flight fail with ConnectionClosed too.
    session.close(undefined, PgFrontend.encode({ _tag: "Terminate" }))
    return Effect.void
  })

  const closed: Effect.Effect<PgError.PgError | undefined> = Effect.callback((resume) => {
    if (isClosed) return resume(Effect.succeed(closeReason))
    const waiter = (e: PgError.PgError | undefined) => resume(Effect.succeed(e))
    closeWaiters.push(waiter)
    // An interrupted wait leaves nothing behind.
    return Effect.sync(() => {
      const i = closeWaiters.indexOf(waiter)
      if (i >= 0) closeWaiters.splice(i, 1)
    })
  })

  const cancel: Effect.Effect<void> = Effect.suspend(() => sendCancelRequest(established))

  /**
   * Statements that may be a COPY run alone in an exclusive section: while the server is in COPY
   * mode it must receive nothing else, so nothing may be pipelined behind them. (COPY … STDIN /
   * STDOUT is only valid as a top-level statement, so its text always contains the word.)
   */
  const copyAlone = <Args extends ReadonlyArray<any>, A>(
    run: (sql: string, ...args: Args) => Effect.Effect<A, PgError.PgError>,
    inSection: (sql: string, ...args: Args) => (x: PgConnection) => Effect.Effect<A, PgError.PgError>
  ) =>
  (sql: string, ...args: Args): Effect.Effect<A, PgError.PgError> =>
    mayBeCopy.test(sql)
      ? Effect.uninterruptibleMask((restore) =>
        // Only the gate: unlike a user's exclusive section, a transaction the statement leaves
        // open (text that merely mentions the word) is the caller's, not rolled back here.
        Effect.flatMap(restore(acquireExclusive), () =>
          restore(inSection(sql, ...args)(exclusiveView)).pipe(Effect.ensuring(Effect.sync(() => gate.release()))))
      )
      : run(sql, ...args)

  const base = (held: boolean): PgConnection => ({
    [TypeId]: TypeId,
    processId: startup.processId,
    protocolVersion: startup.protocolMinor === 2 ? "3.2" : "3.0",
    target: established.target,
    encrypted: socket.encrypted,
    parameters,
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
      return held
        ? Effect.succeed(exclusiveView)
        : Effect.map(
          Effect.acquireRelease(
            Effect.map(acquireExclusive, sectionView),
            (section) => Effect.andThen(Effect.sync(section.end), releaseExclusive),
            { interruptible: true }
          ),
          (section) => section.view
        )
    },
    stream: streamWith(held) as PgConnection["stream"],
    copyIn: copyInWith(held),
    copyOut: copyOutWith(held),
    notifications,
    cancel,
    close,
    closed
  })

  const registryRef = { current: options.registry ?? PgTypes.builtins }
  const connection = base(false)
  const exclusiveView = base(true)
  for (const m of startup.leftover) {
    if (m._tag === "NotificationResponse") {
      for (const l of notificationListeners) l({ channel: m.channel, payload: m.payload, processId: m.processId })
    } else if (m._tag === "NoticeResponse") onNotice(m)
    else if (m._tag === "ParameterStatus") parameters.set(m.name, m.value)
  }
  return connection
}

/**
 * @category guards
 * @since 0.1.0
 */
export const isPgConnection = (u: unknown): u is PgConnection => typeof u === "object" && u !== null && TypeId in u
