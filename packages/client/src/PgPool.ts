/**
 * A pool of PostgreSQL connections where ordinary statements share connections and pipeline,
 * and transactions, COPY and cursors take a connection for themselves.
 *
 * `PgPool.make(config, options)` returns a {@link PgSource}: `withConnection(f)` runs `f` on the
 * least loaded connection that nobody has reserved — several fibers use one connection at once
 * and their requests pipeline on its socket — and opens another connection (up to `max`) when the
 * least loaded one already has `pipelineDepth` requests in flight. It never waits for
 * exclusivity. `reserve` hands one fiber a whole connection (an idle one when there is one, else
 * a new one, else — at `max` — the least loaded shared one, whose pipelined requests finish
 * before the reserver's) and pins it; reservers wait in FIFO order when every connection is
 * reserved. Releasing a reservation rolls back an open transaction (and runs `RESET ALL` or
 * `DISCARD ALL` when configured) before the connection is reused.
 *
 * **Why not `effect/Pool`.** Its items are leased with a fixed number of permits each, all
 * leases alike: it cannot mix shared leases (any number, placed by load, never waiting) with
 * exclusive ones on the same connections, nor pick the connection with the fewest requests in
 * flight. Pipelining is worth 4–5× for concurrent small queries, so sharing is the normal case,
 * not an add-on. It also lacks acquire timeouts, health checks, reset on release, lifetime
 * jitter and connect backoff (a failed acquisition is handed to every waiter), and reading its
 * `state` to add them would couple us to internals. So the pool is a small state machine on
 * Effect primitives: `Scope` per connection, `Effect.callback` waiters, background fibers for
 * connecting, checking and timers, `Clock`/`Random` from the context (TestClock drives it),
 * and pull-based `effect/Metric` series.
 *
 * **Costs.** Handing out a connection scans the pool's connections (at most `max`, usually a
 * handful) and touches no lock, queue or metric registry. Waiting acquirers sit in an intrusive
 * linked list (O(1) enqueue, dequeue and removal on interruption) and share one timer for the
 * acquire timeout, because every waiter has the same timeout and so the oldest expires first.
 *
 * **Lifecycle.** Connections idle longer than `idleTimeout` close (down to `min`); connections
 * older than `maxLifetime` (minus a random jitter, so they do not all reconnect at once) close
 * when nobody uses them — never mid-use. A connection idle longer than `healthCheckAfter` runs
 * `select 1` before it is handed out; a failing check discards it and the acquirer gets another.
 * A connection that closed (server restart, `pg_terminate_backend`, a cancellation that did not
 * drain in time, a protocol error) or was invalidated is never handed out again and closes as
 * soon as its users are done. After a failed connect the pool backs off exponentially (with
 * jitter, up to `connectBackoff.max`) and probes with one connection at a time; waiters keep
 * waiting and fail with `PoolTimeout` (whose cause is the last connect error) after
 * `acquireTimeout`. A non-retryable connect error (authentication, configuration) fails the
 * waiters at once.
 *
 * **Closing.** When the pool's Scope closes, waiters fail with `ConnectionClosed`, idle
 * connections close, and connections in use close when released.
 *
 * **Gotchas.** Inside a reservation, run statements on the reserved connection: a
 * `withConnection` from the same fiber when every connection is reserved waits for one of them
 * (and fails with `PoolTimeout`). A shared connection can be taken by a reserver only at `max`;
 * then the shared users' queued requests run first and their later ones wait for the
 * reservation to end.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import type { PgConfig, PgConfigInput } from "@pgfx/connection/PgConfig"
import * as PgConnection from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import type { PgSource } from "./PgSource.ts"
import { PoolCore, type Settings } from "./internal/pool.ts"
import { register } from "./internal/poolMetrics.ts"

/**
 * @category type ids
 * @since 0.1.0
 */
export const TypeId = "~@pgfx/client/PgPool" as const

/**
 * Opens one connection in the given Scope (default: `PgConnection.make`).
 *
 * @category models
 * @since 0.1.0
 */
export type Connect = (
  config: PgConfig | PgConfigInput | string,
  options: PgConnection.ConnectionOptions
) => Effect.Effect<PgConnection.PgConnection, PgError.PgError, Scope.Scope>

/**
 * Options of {@link make}: the pool's own settings plus the options every connection is made
 * with.
 *
 * @category models
 * @since 0.1.0
 */
export interface PoolOptions extends PgConnection.ConnectionOptions {
  /** Connections kept open even when idle (default 0). Opened by `make`, which fails if one cannot connect. */
  readonly min?: number | undefined
  /** Most connections open at once (default 10). */
  readonly max?: number | undefined
  /**
   * Requests in flight on a connection before `withConnection` opens another one (default 16).
   * The busiest connections still take more work when the pool is at `max`.
   */
  readonly pipelineDepth?: number | undefined
  /** How long an acquirer waits before failing with `PoolTimeout` (default 30 s; `"Infinity"` waits forever). */
  readonly acquireTimeout?: Duration.Input | undefined
  /** Idle connections beyond `min` close after this long (default 10 minutes; `"Infinity"` keeps them). */
  readonly idleTimeout?: Duration.Input | undefined
  /** Connections close once this old, when unused (default 1 hour; `"Infinity"` keeps them). */
  readonly maxLifetime?: Duration.Input | undefined
  /** Up to this much is taken off each connection's lifetime at random (default a tenth of `maxLifetime`). */
  readonly maxLifetimeJitter?: Duration.Input | undefined
  /** A connection idle this long is checked before it is handed out (default 30 s; `"Infinity"` never checks). */
  readonly healthCheckAfter?: Duration.Input | undefined
  /** The health check (default `select 1`). */
  readonly healthCheckQuery?: string | undefined
  /**
   * What releasing a reserved connection does besides rolling back an open transaction (always
   * done): `"rollback"` nothing more (default), `"reset"` runs `RESET ALL`, `"discard"` runs
   * `DISCARD ALL` (also drops prepared statements, temporary tables, LISTENs and advisory locks).
   * A failing reset discards the connection.
   */
  readonly resetOnRelease?: "rollback" | "reset" | "discard" | undefined
  /** Delay after a failed connect: doubles from `initial` (default 100 ms) up to `max` (default 10 s). */
  readonly connectBackoff?: {
    readonly initial?: Duration.Input | undefined
    readonly max?: Duration.Input | undefined
  } | undefined
  /** How often idle timeouts and lifetimes are checked (default 1 s, or less for short timeouts). */
  readonly reapInterval?: Duration.Input | undefined
  /** The `pool` attribute of the pool's metrics (default `"default"`). */
  readonly name?: string | undefined
  /** Opens connections (default `PgConnection.make`); tests pass a fake. */
  readonly connect?: Connect | undefined
}

/**
 * A point-in-time view of the pool.
 *
 * @category models
 * @since 0.1.0
 */
export interface Stats {
  /** Connections open (idle, shared or reserved). */
  readonly open: number
  /** Open connections nobody uses. */
  readonly idle: number
  /** Connections in shared (pipelined) use and not reserved. */
  readonly shared: number
  /** Connections reserved exclusively. */
  readonly inUse: number
  /** Acquirers waiting for a connection. */
  readonly waiting: number
  /** Requests queued or in flight over all connections. */
  readonly inFlight: number
  /** Connections being opened. */
  readonly connecting: number
  /** Connections opened since the pool started. */
  readonly created: number
  /** Connections closed by the pool since it started. */
  readonly destroyed: number
  readonly min: number
  readonly max: number
}

/**
 * A pool of connections: a {@link PgSource} plus statistics and resizing.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgPool extends PgSource {
  readonly [TypeId]: typeof TypeId
  /** The pool's counts now. */
  readonly stats: Effect.Effect<Stats>
  /**
   * Changes `min` and/or `max`. Shrinking closes idle connections beyond the new `max` at once
   * and busy ones when they are released.
   */
  readonly resize: (size: { readonly min?: number | undefined; readonly max?: number | undefined }) => Effect.Effect<void, PgError.PgError>
}

const configError = (message: string, keyword: string): PgError.PgError =>
  PgError.make(new PgError.ConfigError({ message, keyword }))

const checkSize = (min: number, max: number): PgError.PgError | undefined => {
  if (!Number.isInteger(max) || max < 1) return configError(`invalid pool max: ${max} (an integer >= 1)`, "max")
  if (!Number.isInteger(min) || min < 0 || min > max) {
    return configError(`invalid pool min: ${min} (an integer from 0 to max = ${max})`, "min")
  }
  return undefined
}

const millis = (input: Duration.Input | undefined, fallback: Duration.Input, keyword: string): number => {
  const ms = Duration.toMillis(input ?? fallback)
  if (!(ms >= 0)) throw configError(`invalid ${keyword}: ${String(input)}`, keyword)
  return ms
}

const settingsOf = (options: PoolOptions, connect: Settings["connect"]): Settings => {
  const min = options.min ?? 0
  const max = options.max ?? Math.max(10, min)
  const invalid = checkSize(min, max)
  if (invalid !== undefined) throw invalid
  const pipelineDepth = options.pipelineDepth ?? 16
  if (!(pipelineDepth >= 1)) throw configError(`invalid pipelineDepth: ${pipelineDepth} (>= 1)`, "pipelineDepth")
  const idleTimeout = millis(options.idleTimeout, Duration.minutes(10), "idleTimeout")
  const maxLifetime = millis(options.maxLifetime, Duration.hours(1), "maxLifetime")
  const jitter = options.maxLifetimeJitter === undefined
    ? (maxLifetime === Infinity ? 0 : maxLifetime / 10)
    : Math.min(millis(options.maxLifetimeJitter, 0, "maxLifetimeJitter"), maxLifetime)
  const reapDefault = Math.max(10, Math.min(1000, idleTimeout / 2, maxLifetime / 2))
  const backoffInitial = Math.max(1, millis(options.connectBackoff?.initial, Duration.millis(100), "connectBackoff.initial"))
  return {
    min,
    max,
    acquireTimeout: millis(options.acquireTimeout, Duration.seconds(30), "acquireTimeout"),
    idleTimeout,
    maxLifetime,
    lifetimeJitter: jitter,
    healthCheckAfter: millis(options.healthCheckAfter, Duration.seconds(30), "healthCheckAfter"),
    healthCheckQuery: options.healthCheckQuery ?? "select 1",
    pipelineDepth,
    reset: options.resetOnRelease ?? "rollback",
    backoffInitial,
    backoffMax: Math.max(backoffInitial, millis(options.connectBackoff?.max, Duration.seconds(10), "connectBackoff.max")),
    reapInterval: Math.max(1, millis(options.reapInterval, Duration.millis(reapDefault), "reapInterval")),
    connect
  }
}

/** The options connections are made with (the pool's own keys removed). */
const connectionOptionsOf = (options: PoolOptions): PgConnection.ConnectionOptions => {
  const {
    acquireTimeout: _acquireTimeout,
    connect: _connect,
    connectBackoff: _connectBackoff,
    healthCheckAfter: _healthCheckAfter,
    healthCheckQuery: _healthCheckQuery,
    idleTimeout: _idleTimeout,
    max: _max,
    maxLifetime: _maxLifetime,
    maxLifetimeJitter: _maxLifetimeJitter,
    min: _min,
    name: _name,
    pipelineDepth: _pipelineDepth,
    reapInterval: _reapInterval,
    resetOnRelease: _resetOnRelease,
    ...connection
  } = options
  return connection
}

/**
 * Makes a pool owned by the current Scope. Opens `min` connections before returning (and fails
 * if one cannot connect); closing the Scope closes the pool.
 *
 * **Example** (A pool of up to 8 connections)
 *
 * ```ts
 * import { Effect } from "effect"
 * import { PgPool } from "@pgfx/client"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* PgPool.make("postgres://app@localhost/app", { max: 8, acquireTimeout: "5 seconds" })
 *   const result = yield* pool.withConnection((c) => c.execute("select now()"))
 *   yield* Effect.scoped(Effect.gen(function*() {
 *     const tx = yield* pool.reserve // exclusively ours until the scope closes
 *     yield* tx.simple("begin")
 *     yield* tx.execute("insert into log(msg) values ($1)", ["hello"])
 *     yield* tx.simple("commit")
 *   }))
 *   return result.rows
 * })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  config: PgConfig | PgConfigInput | string,
  options: PoolOptions = {}
): Effect.Effect<PgPool, PgError.PgError, Scope.Scope> =>
  Effect.gen(function*() {
    const connectionOptions = connectionOptionsOf(options)
    const connect = options.connect ?? PgConnection.make
    const settings = yield* Effect.try({
      try: () => settingsOf(options, connect(config, connectionOptions)),
      catch: (e) => e instanceof PgError.PgError ? e : configError(String(e), "pool")
    })
    const context = yield* Effect.context<never>()
    const core = new PoolCore(settings, context)
    const unregister = register(context, options.name ?? "default", {
      open: () => core.live,
      idle: () => core.stats().idle,
      inUse: () => core.stats().inUse,
      waiting: () => core.stats().waiting,
      inFlight: () => core.stats().inFlight,
      created: () => core.created,
      destroyed: () => core.destroyed
    }, core.waits)
    yield* Effect.addFinalizer(() =>
      Effect.ensuring(
        core.shutdown(),
        Effect.sync(unregister)
      )
    )
    core.start()
    if (settings.min > 0) yield* core.warmUp(settings.min)
    const pool: PgPool = {
      [TypeId]: TypeId,
      withConnection: (f) => core.withConnection(f),
      reserve: core.reserve,
      invalidate: (connection) => core.invalidate(connection),
      config,
      options: connectionOptions,
      stats: Effect.sync(() => core.stats()),
      resize: (size) =>
        Effect.suspend(() => {
          const min = size.min ?? Math.min(core.settings.min, size.max ?? core.settings.max)
          const max = size.max ?? Math.max(core.settings.max, min)
          const invalid = checkSize(min, max)
          if (invalid !== undefined) return Effect.fail(invalid)
          core.resize(min, max)
          return Effect.void
        })
    }
    return pool
  })

/**
 * @category guards
 * @since 0.1.0
 */
export const isPgPool = (u: unknown): u is PgPool => typeof u === "object" && u !== null && TypeId in u
