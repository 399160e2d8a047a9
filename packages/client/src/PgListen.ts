/**
 * LISTEN/NOTIFY as Streams, over one dedicated connection that survives server restarts.
 *
 * `PgListen.make(source)` returns a listener. `listener.listen(channel)` is a Stream of
 * {@link ListenEvent}s: every NOTIFY on the channel as a {@link Notification}, plus a
 * {@link Gap} wherever this subscriber may have missed some (so it can re-read the state the
 * notifications describe). `listener.notifications(channel)` is the same Stream without gaps,
 * for consumers that do not care.
 *
 * **One connection.** All streams of a listener share one session opened with the source's
 * configuration (`PgConnection.make(source.config, source.options)`, so it must reach the
 * server directly, not through a transaction-mode pooler). It is opened by the first `listen`
 * and closed when no channel has been listened to for `idleTimeout` (default 30 s) or when the
 * listener's Scope closes. Channels are reference counted: `LISTEN "channel"` when the first
 * stream of a channel starts, `UNLISTEN "channel"` when the last one ends. Ending or
 * interrupting one stream never disturbs the other streams, on that channel or any other.
 * A client has one of these built in: `sql.listen`, `sql.notify` (see `PgClient`).
 *
 * **Shutting down.** Closing the listener's Scope stops the listener, then closes its
 * connection: running streams end (end of stream, not a failure), a `subscribe` still waiting
 * and every later stream fail with reason `ConnectionClosed`, and nothing is logged — a closing
 * Scope is not a lost connection, and nothing reconnects.
 *
 * **Reconnection.** When the connection drops (`pg_terminate_backend`, fail-over, network), the
 * listener reconnects while any stream is running, waiting between attempts as the
 * `reconnectSchedule` says (default: exponential from 100 ms, doubling, capped at 10 s, jittered,
 * never giving up), LISTENs every channel again, and then puts a {@link Reconnected} gap in each
 * stream that was listening: notifications sent while the connection was down are lost.
 * Backoff restarts from the beginning once a connection has stayed up for 30 s, so a server that
 * accepts and immediately drops connections sees at most one attempt per capped delay. A
 * non-retryable failure (authentication, configuration) or the end of a finite schedule fails
 * every stream with the `PgError`.
 *
 * **Slow consumers.** Each stream buffers at most `capacity` notifications (default 1024).
 * When the buffer is full the `strategy` decides (default `"sliding"`):
 * - `"sliding"`: the oldest buffered notification is dropped; an {@link Overflow} gap with the
 *   number dropped appears where they were.
 * - `"dropping"`: the new notification is dropped; an {@link Overflow} gap appears after the
 *   buffered ones.
 * - `"fail"`: the stream fails at once with {@link ListenOverflowError} (buffered notifications
 *   are discarded); the other streams carry on.
 *
 * **Example** (Job queue wake-ups)
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const source = yield* PgSource.single(url)
 *   const listener = yield* PgListen.make(source)
 *   yield* listener.listen("jobs").pipe(
 *     Stream.runForEach((event) =>
 *       event._tag === "Notification" ? runJob(event.payload) : rescanPendingJobs
 *     ),
 *     Effect.forkScoped
 *   )
 *   yield* listener.notify("jobs", JSON.stringify({ id: 1 }))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Latch from "effect/Latch"
import * as Option from "effect/Option"
import type * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ConnectionOptions, PgConnection } from "@pgfx/connection/PgConnection"
import * as PgConnectionModule from "@pgfx/connection/PgConnection"
import type { PgConfig, PgConfigInput } from "@pgfx/connection/PgConfig"
import * as PgError from "@pgfx/connection/PgError"
import { type Gap as BufferGap, ListenBuffer, type OverflowStrategy } from "./internal/listenBuffer.ts"
import { maxChannelBytes, maxPayloadBytes, quoteChannel as quote } from "./internal/listenChannel.ts"
import { listenProblem, notifyProblem, notifyWith, sendNotify } from "./internal/listenNotify.ts"
import type { PgSource } from "./PgSource.ts"

export type { OverflowStrategy } from "./internal/listenBuffer.ts"

/**
 * @category type ids
 * @since 0.1.0
 */
export const TypeId = "~@pgfx/client/PgListen" as const

// --- events ------------------------------------------------------------------------------------

/**
 * A NOTIFY received on a listened channel.
 *
 * @category models
 * @since 0.1.0
 */
export interface Notification {
  readonly _tag: "Notification"
  readonly channel: string
  readonly payload: string
  /** The process id of the backend that sent the NOTIFY. */
  readonly processId: number
}

/**
 * The listener connection was lost and is back: every channel is listened to again, but
 * notifications sent while it was down are lost. Re-read whatever state they describe.
 *
 * @category models
 * @since 0.1.0
 */
export interface Reconnected {
  readonly _tag: "Reconnected"
}

/**
 * This stream fell behind: its buffer was full and `dropped` notifications were discarded here.
 *
 * @category models
 * @since 0.1.0
 */
export interface Overflow {
  readonly _tag: "Overflow"
  readonly dropped: number
}

/**
 * A point where a stream may have missed notifications.
 *
 * @category models
 * @since 0.1.0
 */
export type Gap = Reconnected | Overflow

/**
 * An element of a listen stream.
 *
 * @category models
 * @since 0.1.0
 */
export type ListenEvent = Notification | Gap

/**
 * @category guards
 * @since 0.1.0
 */
export const isNotification = (event: ListenEvent): event is Notification => event._tag === "Notification"

/**
 * @category guards
 * @since 0.1.0
 */
export const isGap = (event: ListenEvent): event is Gap => event._tag !== "Notification"

// --- errors ------------------------------------------------------------------------------------

/**
 * A stream with `strategy: "fail"` received a notification while its buffer was full.
 *
 * @category errors
 * @since 0.1.0
 */
export class ListenOverflowError extends Schema.TaggedError<ListenOverflowError>("@pgfx/client/ListenOverflowError")(
  "ListenOverflowError",
  {
    message: Schema.String,
    channel: Schema.String,
    capacity: Schema.Number
  }
) {}

// --- options -----------------------------------------------------------------------------------

/**
 * Buffering of one listen stream.
 *
 * @category models
 * @since 0.1.0
 */
export interface ListenOptions {
  /** Notifications buffered for a consumer that is behind (default 1024, at least 1). */
  readonly capacity?: number | undefined
  /** What a full buffer does with one more notification (default `"sliding"`). */
  readonly strategy?: OverflowStrategy | undefined
}

/**
 * {@link ListenOptions} whose stream cannot fail with {@link ListenOverflowError}.
 *
 * @category models
 * @since 0.1.0
 */
export interface LossyListenOptions extends ListenOptions {
  readonly strategy?: "sliding" | "dropping" | undefined
}

/**
 * Options of {@link make}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ListenerOptions {
  /** How long the connection stays open with no channel listened to (default 30 s). */
  readonly idleTimeout?: Duration.Input | undefined
  /**
   * Delays between reconnection attempts, fed with each failure. Default: exponential from
   * 100 ms, doubling, capped at 10 s, jittered, forever. When a finite schedule ends, the
   * streams fail with the last error.
   */
  readonly reconnectSchedule?: Schedule.Schedule<unknown, PgError.PgError> | undefined
  /** Connection options, when {@link make} is given a configuration instead of a source. */
  readonly connectionOptions?: ConnectionOptions | undefined
}

// --- the listener ------------------------------------------------------------------------------

/**
 * LISTEN/NOTIFY over one dedicated connection (see the module documentation).
 *
 * @category models
 * @since 0.1.0
 */
export interface PgListener {
  readonly [TypeId]: typeof TypeId
  /**
   * Every notification on `channel` from the time the stream starts, with gaps marked. The
   * channel name is used exactly (quoted: case and spaces kept). Fails with a `PgError`
   * (`EncodeError`) for an empty name, a NUL or a name longer than 63 bytes.
   */
  listen(channel: string, options?: LossyListenOptions): Stream.Stream<ListenEvent, PgError.PgError>
  listen(channel: string, options: ListenOptions): Stream.Stream<ListenEvent, PgError.PgError | ListenOverflowError>
  /** {@link listen} without the gaps. */
  notifications(channel: string, options?: LossyListenOptions): Stream.Stream<Notification, PgError.PgError>
  notifications(
    channel: string,
    options: ListenOptions
  ): Stream.Stream<Notification, PgError.PgError | ListenOverflowError>
  /**
   * Starts listening and completes once `LISTEN` has taken effect on the server: any NOTIFY
   * committed afterwards is in the returned stream. The subscription lasts until the Scope
   * closes; run the stream once.
   */
  subscribe(
    channel: string,
    options?: LossyListenOptions
  ): Effect.Effect<Stream.Stream<ListenEvent, PgError.PgError>, PgError.PgError, Scope.Scope>
  subscribe(
    channel: string,
    options: ListenOptions
  ): Effect.Effect<Stream.Stream<ListenEvent, PgError.PgError | ListenOverflowError>, PgError.PgError, Scope.Scope>
  /**
   * Sends a notification (`select pg_notify($1, $2)`, bound parameters) on a connection of the
   * source. Fails with a `PgError` (`EncodeError`) before sending anything when the channel name
   * is invalid or the payload is 8000 bytes or longer.
   */
  notify(channel: string, payload?: string): Effect.Effect<void, PgError.PgError>
  /** The backend process id of the listener connection, when it is open. */
  readonly processId: number | undefined
  /** The channels the listener connection is listening to now (as confirmed by the server). */
  readonly channels: ReadonlyArray<string>
}

/**
 * Quotes a channel name as an identifier (`"…"`, with `"` doubled), as LISTEN and UNLISTEN
 * receive it.
 *
 * @category utils
 * @since 0.1.0
 */
export const quoteChannel = (channel: string): string => quote(channel)

/**
 * The longest channel name, in bytes (names are refused rather than truncated).
 *
 * @category constants
 * @since 0.1.0
 */
export const maxChannelLength: number = maxChannelBytes

/**
 * The longest payload, in bytes.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxPayloadLength: number = maxPayloadBytes

/**
 * Sends a notification on a given connection (for example inside a transaction: it is delivered
 * when the transaction commits).
 *
 * @category constructors
 * @since 0.1.0
 */
export const notifyOn = (
  connection: PgConnection,
  channel: string,
  payload: string = ""
): Effect.Effect<void, PgError.PgError> =>
  Effect.suspend(() => {
    const error = notifyProblem(channel, payload)
    return error !== undefined ? Effect.fail(error) : sendNotify(connection, channel, payload)
  })

// A client (`yield* PgClient`) is a function that is also a source: accept both shapes.
const isSource = (u: unknown): u is PgSource =>
  (typeof u === "object" || typeof u === "function") && u !== null && "withConnection" in u && "reserve" in u &&
  "config" in u

const reconnectedEvent: Reconnected = { _tag: "Reconnected" }

const gapEvents = (gap: BufferGap, out: Array<ListenEvent>): void => {
  if (gap.reconnected) out.push(reconnectedEvent)
  if (gap.dropped > 0) out.push({ _tag: "Overflow", dropped: gap.dropped })
}

const defaultCapacity = 1024

/** A connection that has stayed up this long resets the reconnection backoff. */
const stableAfterMillis = 30_000

/**
 * The default reconnection schedule: exponential from 100 ms, capped at 10 s, jittered, forever.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultReconnectSchedule: Schedule.Schedule<Duration.Duration, unknown> = Schedule.jittered(
  Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("10 seconds")])
)

type StreamError = PgError.PgError | ListenOverflowError

/** One listen stream: its buffer, its readiness, and the fiber waiting for data. */
class Subscriber {
  readonly channel: string
  readonly buffer: ListenBuffer<Notification>
  readonly ready = Deferred.makeUnsafe<void, PgError.PgError>()
  /** LISTEN took effect for this subscriber (it has been told it is listening). */
  listening = false
  /** The connection was lost while listening: a Reconnected gap is due once listening again. */
  reconnectPending = false
  failure: StreamError | undefined = undefined
  ended = false
  private waiter: (() => void) | undefined = undefined

  constructor(channel: string, options: ListenOptions | undefined) {
    this.channel = channel
    this.buffer = new ListenBuffer(options?.capacity ?? defaultCapacity, options?.strategy ?? "sliding")
  }

  wake(): void {
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter()
    }
  }

  fail(error: StreamError): void {
    if (this.failure !== undefined || this.ended) return
    this.failure = error
    // A PgError fails `subscribe` if it is still waiting; an overflow is reported by the stream.
    Deferred.doneUnsafe(this.ready, error._tag === "PgError" ? Effect.fail(error) : Effect.void)
    this.wake()
  }

  end(error: PgError.PgError): void {
    if (this.ended) return
    this.ended = true
    Deferred.doneUnsafe(this.ready, Effect.fail(error))
    this.wake()
  }

  private readonly waitData: Effect.Effect<void> = Effect.callback<void>((resume) => {
    this.waiter = () => resume(Effect.void)
    return Effect.sync(() => {
      this.waiter = undefined
    })
  })

  readonly pull: Pull.Pull<readonly [ListenEvent, ...Array<ListenEvent>], StreamError> = Effect.suspend(() => {
    if (!this.buffer.isEmpty) {
      return Effect.succeed(this.buffer.drain(gapEvents) as unknown as readonly [ListenEvent, ...Array<ListenEvent>])
    }
    if (this.failure !== undefined) return Effect.fail(this.failure)
    if (this.ended) return Cause.done()
    return Effect.flatMap(this.waitData, () => this.pull)
  })
}

interface Live {
  readonly connection: PgConnection
  readonly scope: Scope.Closeable
  readonly openedAt: number
}

/**
 * A listener over a source's configuration (or over a configuration: then `notify` opens a
 * connection per call; give a source to reuse its connections). The connection opens with the
 * first `listen`; everything closes with the Scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  source: PgSource | PgConfig | PgConfigInput | string,
  options: ListenerOptions = {}
): Effect.Effect<PgListener, never, Scope.Scope> =>
  Effect.gen(function*() {
    const listenerScope = yield* Effect.scope
    // The listener's connections live in a child Scope registered before everything else of
    // the listener, so that closing the listener's Scope first stops the listener (the last
    // finalizer added below), then closes its connection: the manager never sees a closed
    // connection while shutting down, and never takes it for a lost one.
    const connectionsScope = yield* Scope.fork(listenerScope)
    const config = isSource(source) ? source.config : source
    const connectionOptions = isSource(source) ? source.options : (options.connectionOptions ?? {})
    const withConnection: PgSource["withConnection"] = isSource(source)
      ? source.withConnection
      : (f) => Effect.scoped(Effect.flatMap(PgConnectionModule.make(config, connectionOptions), f))
    const idleTimeout = Duration.fromInputUnsafe(options.idleTimeout ?? Duration.seconds(30))
    const reconnectSchedule: Schedule.Schedule<unknown, PgError.PgError> = options.reconnectSchedule ??
      defaultReconnectSchedule

    /** Streams by channel; a channel is wanted while it has a subscriber. */
    const subscribers = new Map<string, Set<Subscriber>>()
    /** Channels LISTENed on the live connection (confirmed by the server). */
    const listening = new Set<string>()
    let live: Live | undefined = undefined
    let shutDown = false
    /** Whether the next connection attempt waits for a backoff step first. */
    let backoffFirst = false
    let backoff: ((input: PgError.PgError) => Pull.Pull<unknown, never, unknown>) | undefined = undefined
    let lastError: PgError.PgError = PgError.make(
      new PgError.ConnectionClosed({ message: "the listener connection closed", safeToRetry: true })
    )
    const wakeup = Latch.makeUnsafe(false)
    const wake = () => {
      wakeup.openUnsafe()
    }
    const waitWake = Effect.andThen(wakeup.await, Effect.sync(() => wakeup.closeUnsafe()))

    const closedError = () =>
      PgError.make(new PgError.ConnectionClosed({ message: "the listener is closed", safeToRetry: true }))

    /**
     * The listener is shutting down: its Scope is closed (its state flips before any finalizer
     * runs, including user finalizers that run before the listener's own) or closing finished.
     * A connection that closes now is not lost; nothing reconnects and nothing is reported.
     */
    const closing = () => shutDown || listenerScope.state._tag === "Closed"

    const register = (sub: Subscriber) => {
      let set = subscribers.get(sub.channel)
      if (set === undefined) {
        set = new Set()
        subscribers.set(sub.channel, set)
      }
      set.add(sub)
      wake()
    }

    const unregister = (sub: Subscriber) => {
      const set = subscribers.get(sub.channel)
      if (set === undefined || !set.delete(sub)) return
      if (set.size === 0) subscribers.delete(sub.channel)
      wake()
    }

    const failAll = (error: PgError.PgError) => {
      for (const set of subscribers.values()) for (const sub of set) sub.fail(error)
      subscribers.clear()
    }

    // --- delivery -------------------------------------------------------------------------------

    const dispatch = (from: Live, batch: ReadonlyArray<PgConnectionModule.Notification>) => {
      const current = live === from
      for (const n of batch) {
        const set = subscribers.get(n.channel)
        if (set === undefined) continue
        const notification: Notification = {
          _tag: "Notification",
          channel: n.channel,
          payload: n.payload,
          processId: n.processId
        }
        for (const sub of set) {
          // A notification on the new connection proves LISTEN took effect: the gap goes first.
          if (current && sub.reconnectPending) {
            sub.reconnectPending = false
            sub.buffer.markReconnected()
          }
          if (sub.buffer.offer(notification)) {
            sub.wake()
          } else {
            sub.buffer.clear()
            sub.fail(
              new ListenOverflowError({
                message: `the listen stream on "${sub.channel}" fell more than ${sub.buffer.capacity} notifications behind`,
                channel: sub.channel,
                capacity: sub.buffer.capacity
              })
            )
            unregister(sub)
          }
        }
      }
    }

    // --- the connection -------------------------------------------------------------------------

    const open = (scope: Scope.Closeable) =>
      Effect.gen(function*() {
        const connection = yield* Scope.provide(PgConnectionModule.make(config, connectionOptions), scope)
        const openedAt = yield* Clock.currentTimeMillis
        const entry: Live = { connection, scope, openedAt }
        // Subscribed before any LISTEN is sent, so nothing is missed.
        const pull = yield* Scope.provide(Stream.toPull(connection.notifications()), scope)
        yield* Effect.forkIn(
          Effect.forever(Effect.flatMap(pull, (batch) => Effect.sync(() => dispatch(entry, batch)))),
          scope
        )
        yield* Effect.forkIn(Effect.andThen(connection.closed, Effect.sync(wake)), scope)
        return entry
      })

    /** Connects, retrying per the schedule. `false` when there is nobody left to connect for. */
    const connect: Effect.Effect<boolean> = Effect.gen(function*() {
      while (true) {
        if (backoffFirst) {
          if (backoff === undefined) backoff = yield* Schedule.toStepWithSleep(reconnectSchedule)
          const step = yield* Effect.exit(backoff(lastError))
          if (closing()) return false
          if (Exit.isFailure(step)) {
            yield* Effect.logWarning(`pgfx listener: giving up reconnecting: ${lastError.message}`)
            backoff = undefined
            backoffFirst = false
            failAll(lastError)
            return false
          }
        }
        if (subscribers.size === 0 || closing()) return false
        const scope = yield* Scope.fork(connectionsScope)
        const exit = yield* Effect.exit(open(scope))
        if (Exit.isSuccess(exit) && closing()) {
          // Connected while the Scope began to close: do not keep the connection.
          yield* Scope.close(scope, Exit.void)
          return false
        }
        if (Exit.isSuccess(exit)) {
          live = exit.value
          listening.clear()
          backoffFirst = true
          return true
        }
        yield* Scope.close(scope, exit)
        if (closing()) return false
        const error = Cause.findErrorOption(exit.cause)
        if (Option.isNone(error)) return yield* Effect.failCause(exit.cause as Cause.Cause<never>)
        lastError = error.value
        if (!lastError.isRetryable) {
          yield* Effect.logWarning(`pgfx listener: cannot connect: ${lastError.message}`)
          backoff = undefined
          backoffFirst = false
          failAll(lastError)
          return false
        }
        yield* Effect.logDebug(`pgfx listener: connection attempt failed: ${lastError.message}`)
        backoffFirst = true
      }
    })

    /** The live connection closed: forget its channels and schedule a gap for its listeners. */
    const lost = (entry: Live) =>
      Effect.gen(function*() {
        live = undefined
        listening.clear()
        // Let the dispatcher hand over what the connection received before it closed.
        yield* Effect.yieldNow
        const reason = yield* entry.connection.closed
        yield* Scope.close(entry.scope, Exit.void)
        if (closing()) return // shutting down: the connection was closed on purpose
        if (reason !== undefined) lastError = reason
        const now = yield* Clock.currentTimeMillis
        if (subscribers.size === 0 || now - entry.openedAt >= stableAfterMillis) {
          backoff = undefined
          backoffFirst = false
        } else {
          backoffFirst = true
        }
        let affected = 0
        for (const set of subscribers.values()) {
          for (const sub of set) {
            if (sub.listening) {
              sub.reconnectPending = true
              affected++
            }
          }
        }
        if (subscribers.size > 0) {
          yield* Effect.logWarning(
            `pgfx listener: connection lost (${reason?.message ?? "closed"}); reconnecting for ${affected} stream(s)`
          )
        }
      })

    const closeIdle = (entry: Live) =>
      Effect.gen(function*() {
        live = undefined
        listening.clear()
        backoff = undefined
        backoffFirst = false
        yield* Scope.close(entry.scope, Exit.void)
      })

    /** Brings the server's channels in line with the wanted ones (one pipelined round trip). */
    const reconcile = (entry: Live) =>
      Effect.gen(function*() {
        const changes: Array<readonly [string, boolean]> = []
        for (const channel of subscribers.keys()) if (!listening.has(channel)) changes.push([channel, true])
        for (const channel of listening) if (!subscribers.has(channel)) changes.push([channel, false])
        if (changes.length === 0) return
        const results = yield* Effect.forEach(
          changes,
          ([channel, on]) => Effect.exit(entry.connection.simple(`${on ? "LISTEN" : "UNLISTEN"} ${quote(channel)}`)),
          { concurrency: "unbounded" }
        )
        for (let i = 0; i < changes.length; i++) {
          const [channel, on] = changes[i]!
          const result = results[i]!
          if (Exit.isSuccess(result)) {
            if (on) listening.add(channel)
            else listening.delete(channel)
            continue
          }
          if (!entry.connection.isOpen) continue // handled as a lost connection
          const error = Cause.findErrorOption(result.cause)
          if (Option.isNone(error)) continue
          if (on) {
            const set = subscribers.get(channel)
            if (set !== undefined) {
              for (const sub of set) sub.fail(error.value)
              subscribers.delete(channel)
            }
          } else {
            yield* Effect.logWarning(`pgfx listener: UNLISTEN ${quote(channel)} failed: ${error.value.message}`)
          }
        }
      })

    /** Tells subscribers whose channel is listened to that they are (again) listening. */
    const settle = () => {
      for (const channel of listening) {
        const set = subscribers.get(channel)
        if (set === undefined) continue
        for (const sub of set) {
          if (!sub.listening) {
            sub.listening = true
            Deferred.doneUnsafe(sub.ready, Effect.void)
          } else if (sub.reconnectPending) {
            sub.reconnectPending = false
            sub.buffer.markReconnected()
            sub.wake()
          }
        }
      }
    }

    const manage: Effect.Effect<void> = Effect.gen(function*() {
      while (true) {
        if (live !== undefined && !live.connection.isOpen) yield* lost(live)
        if (closing()) return yield* Effect.never // the Scope's finalizers stop this fiber
        if (live === undefined && subscribers.size > 0) yield* connect
        if (live !== undefined) {
          const entry = live
          yield* reconcile(entry)
          if (entry.connection.isOpen) settle()
        }
        if (subscribers.size === 0 && live !== undefined) {
          const woken = yield* Effect.timeoutOption(waitWake, idleTimeout)
          if (Option.isNone(woken) && subscribers.size === 0 && live !== undefined) yield* closeIdle(live)
        } else {
          yield* waitWake
        }
      }
    })

    // Finalizers run last-added first: stop the manager, end the streams, then (the Scope forked
    // above) close the connection.
    const shutdown = Effect.sync(() => {
      shutDown = true
      const error = closedError()
      for (const set of subscribers.values()) for (const sub of set) sub.end(error)
      subscribers.clear()
    })
    yield* Scope.addFinalizer(listenerScope, shutdown)
    yield* Effect.forkIn(
      Effect.catchCause(manage, (cause) =>
        closing() ? Effect.void : Effect.andThen(
          Effect.logError("pgfx listener: stopped unexpectedly", cause),
          Effect.sync(() => {
            shutDown = true
            failAll(
              PgError.make(
                new PgError.ConnectionClosed({ message: "the listener stopped unexpectedly", safeToRetry: true, cause })
              )
            )
          })
        )),
      listenerScope
    )

    // --- the public face ------------------------------------------------------------------------

    const subscribe = (channel: string, opts?: ListenOptions) =>
      Effect.gen(function*() {
        const problem = listenProblem(channel)
        if (problem !== undefined) return yield* Effect.fail(problem)
        if (closing()) return yield* Effect.fail(closedError())
        const sub = new Subscriber(channel, opts)
        yield* Effect.acquireRelease(Effect.sync(() => register(sub)), () =>
          Effect.sync(() => {
            sub.ended = true
            unregister(sub)
          }))
        yield* Deferred.await(sub.ready)
        return Stream.fromPull(Effect.succeed(sub.pull))
      })

    const listen = (channel: string, opts?: ListenOptions) => Stream.unwrap(subscribe(channel, opts))

    const listener: PgListener = {
      [TypeId]: TypeId,
      listen: listen as PgListener["listen"],
      notifications: ((channel: string, opts?: ListenOptions) =>
        Stream.filter(listen(channel, opts), isNotification)) as PgListener["notifications"],
      subscribe: subscribe as PgListener["subscribe"],
      notify: (channel, payload = "") => notifyWith(withConnection, channel, payload),
      get processId() {
        return live?.connection.isOpen === true ? live.connection.processId : undefined
      },
      get channels() {
        return Array.from(listening)
      }
    }
    return listener
  })

/**
 * @category guards
 * @since 0.1.0
 */
export const isPgListener = (u: unknown): u is PgListener => typeof u === "object" && u !== null && TypeId in u
