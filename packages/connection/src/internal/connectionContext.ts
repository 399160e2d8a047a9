/**
 * The state one connection's internal modules share: the socket and its `Session`, the frontend
 * encoder, the statement cache, the exclusive gate, the close state and the two views of the
 * connection (ordinary and exclusive). It is created once per connection by
 * `PgConnection.make`; the modules (`submission.ts`, `execute.ts`, `sections.ts`, …) each build
 * their closures over it once, so a request pays a property lookup at most, never an allocation.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import * as PgTextStyle from "@pgfx/protocol/PgTextStyle"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import type { ConnectionOptions, ExecutionMode, Notice, Notification, PgConnection } from "../PgConnection.ts"
import type * as PgError from "../PgError.ts"
import { Gate } from "./gate.ts"
import { type Established, sendCancelRequest } from "./hosts.ts"
import { PreparedCache } from "./preparedCache.ts"
import type { CodecLookup } from "./requests.ts"
import { RowShapes } from "./rows.ts"
import { Session } from "./session.ts"

/**
 * The per-connection state (see the module header). The session is created last, by the
 * constructor: the socket may deliver what it buffered (data, its close) at once, and the hooks
 * then find every other field in place. `connection` and `exclusiveView` are set right after
 * the context is made, before anything reads them.
 *
 * @category models
 * @since 0.1.0
 */
export class ConnectionContext {
  readonly established: Established
  readonly options: ConnectionOptions
  /** Server parameters (ParameterStatus), live. */
  readonly parameters: Map<string, string>
  readonly onNotice: (notice: Notice) => void
  /** How long an interrupted request (or a section's ROLLBACK) may take before the connection is closed. */
  readonly cancelTimeout: Duration.Duration
  readonly cache: PreparedCache
  readonly cacheEnabled: boolean
  readonly defaultMode: ExecutionMode
  /** The encoder of every request's bytes. */
  readonly encoder: PgFrontend.Encoder = PgFrontend.makeEncoder(4096)
  readonly gate: Gate = new Gate()
  /** The registry behind `connection.registry` (shared by both views). */
  readonly registryRef: { current: PgTypes.Registry }
  readonly notificationListeners: Set<(n: Notification) => void> = new Set()
  /** Fibers waiting on `closed`. */
  readonly closeWaiters: Array<(e: PgError.PgError | undefined) => void> = []
  /** Close messages for evicted statements, sent with the next request. */
  pendingCloses: Array<string> = []
  closeReason: PgError.PgError | undefined = undefined
  isClosed = false
  /** The ordinary view of the connection (what `make` returns). */
  connection!: PgConnection
  /** The view that bypasses the gate (for code that holds it). */
  exclusiveView!: PgConnection
  readonly session: Session
  /**
   * Row shapes (decoders and generated row builders) for the current registry, read in the
   * session's current DateStyle / IntervalStyle (text results of date/time types).
   */
  readonly lookupOf: () => CodecLookup
  /**
   * How date/time text results read now, from the server's DateStyle and IntervalStyle
   * (ParameterStatus). pgfx asks for ISO / postgres at start-up; a `SET` changes them.
   */
  textStyle: PgTextStyle.TextStyle
  /**
   * Takes the bytes `build` encodes (nothing is kept if it throws). Close messages of evicted
   * statements are not part of a request's bytes: the session asks for them (`takeCloses`) when
   * the next request is sent, and writes them even if that request is dropped before being
   * written (an interrupted request must not take the Closes with it).
   */
  readonly takeBytes: (build: () => void) => Uint8Array

  /** Runs a background effect (a notice's log line, a CancelRequest) with the creator's services. */
  readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => void

  constructor(established: Established, options: ConnectionOptions, context: Context.Context<never>) {
    const fork = Effect.runForkWith(context)
    this.runFork = (effect) => {
      fork(effect)
    }
    const { socket, startup } = established
    this.established = established
    this.options = options
    this.parameters = startup.parameters
    const onNotice = options.onNotice ??
      ((notice: Notice) => {
        this.runFork(Effect.logDebug(`PostgreSQL ${notice.severity}: ${notice.message}`))
      })
    this.onNotice = onNotice
    const cancelTimeout = Duration.fromInputUnsafe(options.cancelTimeout ?? Duration.seconds(5))
    this.cancelTimeout = cancelTimeout
    this.cache = new PreparedCache(options.preparedCacheSize ?? 256)
    this.cacheEnabled = (options.preparedCacheSize ?? 256) > 0
    this.defaultMode = options.mode ?? "prepared"
    const registryRef = { current: options.registry ?? PgTypes.builtins }
    this.registryRef = registryRef

    this.textStyle = PgTextStyle.fromParameters(this.parameters)

    const shapesByRegistry = new WeakMap<PgTypes.Registry, RowShapes>()
    /** The registry and text style of the latest lookup and its shapes: both rarely change. */
    let lastBase: PgTypes.Registry | undefined = undefined
    let lastStyle: PgTextStyle.TextStyle | undefined = undefined
    let lastShapes: RowShapes | undefined = undefined
    this.lookupOf = (): CodecLookup => {
      const base = registryRef.current
      const style = this.textStyle
      if (base === lastBase && style === lastStyle) return lastShapes!
      // the base itself for the ISO styles; else a derived registry, stable per base and style
      const registry = PgTypes.withTextStyle(base, style)
      let shapes = shapesByRegistry.get(registry)
      if (shapes === undefined) {
        shapes = new RowShapes((oid) => PgTypes.getOrText(registry, oid))
        shapesByRegistry.set(registry, shapes)
      }
      lastBase = base
      lastStyle = style
      lastShapes = shapes
      return shapes
    }

    const encoder = this.encoder
    this.takeBytes = (build: () => void): Uint8Array => {
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
    this.session = new Session(socket, startup.parser, {
      onNotice,
      onNotification: (n) => {
        const notification: Notification = { channel: n.channel, payload: n.payload, processId: n.processId }
        for (const listener of this.notificationListeners) listener(notification)
      },
      onParameterStatus: (name, value) => {
        this.noteParameter(name, value)
      },
      onStatementsDiscarded: () => {
        // The server forgot them all: forget them too, and do not Close evicted ones.
        this.cache.clear()
        this.pendingCloses = []
      },
      takeCloses: () => {
        if (this.pendingCloses.length === 0) return undefined
        for (const name of this.pendingCloses) closeEncoder.close("S", name)
        this.pendingCloses = []
        return closeEncoder.take()
      },
      sendCancel: (done) => {
        // `done` releases the requests the session holds back while the cancel is in flight;
        // bounded by cancelTimeout so an unreachable server cannot stall the session for longer.
        this.runFork(
          sendCancelRequest(established).pipe(
            Effect.timeoutOption(cancelTimeout),
            Effect.ensuring(Effect.sync(done))
          )
        )
      },
      onClose: (error) => {
        this.isClosed = true
        this.closeReason = error
        this.gate.flushAll()
        for (const w of this.closeWaiters.splice(0)) w(error)
      }
    })
    this.session.transactionStatus = startup.transactionStatus
    for (const n of startup.notices) onNotice(n)
  }

  /** Records a ParameterStatus; a new DateStyle or IntervalStyle changes how text results read. */
  noteParameter(name: string, value: string): void {
    this.parameters.set(name, value)
    if (name === "DateStyle" || name === "IntervalStyle") {
      const style = PgTextStyle.fromParameters(this.parameters)
      if (!PgTextStyle.equals(style, this.textStyle)) this.textStyle = style
    }
  }
}

/**
 * Delivers the messages that arrived after ReadyForQuery in start-up's last read (notifications,
 * notices, parameter changes).
 *
 * @category constructors
 * @since 0.1.0
 */
export const deliverLeftover = (ctx: ConnectionContext): void => {
  for (const m of ctx.established.startup.leftover) {
    if (m._tag === "NotificationResponse") {
      for (const l of ctx.notificationListeners) l({ channel: m.channel, payload: m.payload, processId: m.processId })
    } else if (m._tag === "NoticeResponse") ctx.onNotice(m)
    else if (m._tag === "ParameterStatus") ctx.noteParameter(m.name, m.value)
  }
}
