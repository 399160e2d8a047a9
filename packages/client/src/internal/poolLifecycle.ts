/**
 * The pool's state and the life of its connections: opening them (with exponential back-off and
 * one-at-a-time probing while the server fails), health checks of idle connections, retiring
 * them past their lifetime or idle timeout (the reaper), and closing them once unused.
 *
 * {@link PoolLifecycle} is the base of `PoolCore` (`pool.ts`), which adds acquiring, waiting and
 * releasing; the two halves call each other (a new connection serves the queue, a failure fails
 * it), so the queue side is reached through the abstract {@link PoolLifecycle.dispatch} and
 * {@link PoolLifecycle.failWaiters}.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Scope from "effect/Scope"
import type { PgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { housekeepingTimeout, Item, poolClosedError, type Settings } from "./poolItem.ts"
import { WaitHistogram } from "./poolMetrics.ts"

/** The pool's state and connection lifecycle; `PoolCore` adds the acquire side. */
export abstract class PoolLifecycle {
  readonly items: Array<Item> = []
  readonly waits = new WaitHistogram()
  /** Items neither dead nor removed (sockets the pool holds open). */
  live = 0
  connecting = 0
  created = 0
  destroyed = 0
  closed = false

  protected sharedWaiting = 0
  protected exclusiveWaiting = 0
  protected checking = 0
  protected failures = 0
  protected lastError: PgError.PgError | undefined = undefined
  protected backoffUntil = 0
  private retryArmed = false
  protected readonly background = new Set<Fiber.Fiber<unknown, unknown>>()
  protected readonly owners = new WeakMap<PgConnection, Item>()
  private readonly clock: Clock.Clock
  private readonly random: Random.Random
  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

  readonly settings: Settings

  constructor(settings: Settings, context: Context.Context<never>) {
    this.settings = settings
    this.clock = Context.get(context, Clock.Clock)
    this.random = Context.get(context, Random.Random)
    this.runFork = Effect.runForkWith(context)
  }

  protected now(): number {
    return this.clock.currentTimeMillisUnsafe()
  }

  /**
   * Runs background work in its own fiber (interrupted when the pool closes). `defer` starts it
   * on the next scheduler turn, so it never changes the pool under the caller's feet.
   */
  protected fork(effect: Effect.Effect<unknown, unknown>, defer: boolean): void {
    const fiber = this.runFork(defer ? Effect.andThen(Effect.yieldNow, effect) : effect)
    if (fiber.pollUnsafe() !== undefined) return
    this.background.add(fiber)
    fiber.addObserver(() => {
      this.background.delete(fiber)
    })
  }

  /** Serves waiters in order while connections are available for them. */
  protected abstract dispatch(): void

  /** Fails every waiter with `error` (a connection error that will not fix itself). */
  protected abstract failWaiters(error: PgError.PgError): void

  // --- connection lifecycle -----------------------------------------------------------------

  protected kill(item: Item): void {
    if (item.dead) return
    item.dead = true
    this.live--
  }

  /** No new users; closed as soon as it is unused. */
  protected markDead(item: Item): void {
    if (item.dead) return
    this.kill(item)
    this.settle(item)
    this.reconcile(false)
  }

  protected retire(item: Item): void {
    item.retiring = true
    this.settle(item)
  }

  protected settle(item: Item): void {
    if ((item.dead || item.retiring || this.closed) && item.unused && !item.removed) {
      this.fork(this.destroyNow(item), true)
    }
  }

  /** Removes the item and closes its connection (idempotent). */
  protected destroyNow(item: Item): Effect.Effect<void> {
    return Effect.uninterruptible(Effect.suspend(() => {
      if (item.removed) return Effect.void
      item.removed = true
      this.kill(item)
      const i = this.items.indexOf(item)
      if (i >= 0) this.items.splice(i, 1)
      this.destroyed++
      if (item.watcher !== undefined) item.watcher.interruptUnsafe()
      this.reconcile(false)
      return Scope.close(item.scope, Exit.void)
    }))
  }

  /**
   * Opens connections the pool needs: up to min, one per exclusive waiter (beyond those being
   * opened or checked), one for shared waiters, one more when shared use is past the pipelining
   * depth. Never beyond max; during a backoff, retries when it ends; after failures, one at a
   * time.
   */
  protected reconcile(overloaded: boolean): void {
    if (this.closed) return
    const s = this.settings
    const total = this.live + this.connecting
    let need = s.min - total
    const supply = this.connecting + this.checking
    if (this.exclusiveWaiting > 0) need = Math.max(need, this.exclusiveWaiting - supply)
    if (this.sharedWaiting > 0 && supply === 0) need = Math.max(need, 1)
    if (overloaded && this.connecting === 0) need = Math.max(need, 1)
    need = Math.min(need, s.max - total)
    if (need <= 0) return
    if (this.failures > 0) {
      // Probe a failing server with one connection at a time.
      if (this.connecting > 0) return
      const now = this.now()
      if (now < this.backoffUntil) {
        this.armRetry(this.backoffUntil - now)
        return
      }
      need = 1
    }
    for (let i = 0; i < need; i++) {
      this.connecting++
      this.fork(Effect.ignore(Effect.tapCause(this.open(), (cause) => this.logConnectFailure(cause))), true)
    }
  }

  private armRetry(delay: number): void {
    if (this.retryArmed) return
    this.retryArmed = true
    this.fork(
      Effect.andThen(
        Effect.sleep(delay),
        Effect.sync(() => {
          this.retryArmed = false
          this.reconcile(false)
        })
      ),
      false
    )
  }

  /** Connects (the caller has counted it in `connecting`) and adds the connection. */
  protected open(): Effect.Effect<Item, PgError.PgError> {
    return Effect.uninterruptibleMask((restore) => {
      const scope = Scope.makeUnsafe()
      return Effect.flatMap(Effect.exit(restore(Scope.provide(scope)(this.settings.connect))), (exit) => {
        this.connecting--
        if (Exit.isSuccess(exit)) {
          if (this.closed) return Effect.andThen(Scope.close(scope, Exit.void), Effect.fail(poolClosedError()))
          this.failures = 0
          this.lastError = undefined
          this.backoffUntil = 0
          const item = this.add(exit.value, scope)
          this.dispatch()
          return Effect.succeed(item)
        }
        return Effect.andThen(
          Scope.close(scope, exit),
          Effect.suspend(() => {
            if (!Cause.hasInterruptsOnly(exit.cause)) this.connectFailed(exit.cause)
            return Effect.failCause(exit.cause)
          })
        )
      })
    })
  }

  /** The first failure of a streak is a warning; the retries that follow are debug messages. */
  private logConnectFailure(cause: Cause.Cause<PgError.PgError>): Effect.Effect<void> {
    if (Cause.hasInterruptsOnly(cause) || this.closed) return Effect.void
    const message = `pgfx pool: connecting failed (attempt ${this.failures}), retrying in ` +
      `${Duration.format(Duration.millis(Math.max(0, Math.round(this.backoffUntil - this.now()))))}: ` +
      `${this.lastError?.message ?? "unknown error"}`
    return this.failures === 1 ? Effect.logWarning(message) : Effect.logDebug(message)
  }

  private connectFailed(cause: Cause.Cause<PgError.PgError>): void {
    const s = this.settings
    const found = Cause.findErrorOption(cause)
    const error = found._tag === "Some"
      ? found.value
      : PgError.make(new PgError.ConnectionError({ message: `connecting failed: ${String(Cause.squash(cause))}`, cause: Cause.squash(cause) }))
    this.lastError = error
    const now = this.now()
    if (now < this.backoffUntil) {
      // Another attempt of the same round (started before the backoff): it does not escalate.
      if (!error.isRetryable) this.failWaiters(error)
      return
    }
    this.failures++
    const ceiling = Math.min(s.backoffMax, s.backoffInitial * 2 ** Math.min(this.failures - 1, 30))
    // "Equal jitter": between half and all of the exponential delay.
    this.backoffUntil = now + ceiling / 2 + this.random.nextDoubleUnsafe() * ceiling / 2
    // A wrong password or a bad configuration will not fix itself within the acquire timeout.
    if (!error.isRetryable) this.failWaiters(error)
    this.reconcile(false)
  }

  private add(conn: PgConnection, scope: Scope.Closeable): Item {
    const s = this.settings
    const now = this.now()
    const expiresAt = s.maxLifetime === Infinity
      ? Infinity
      : now + s.maxLifetime - this.random.nextDoubleUnsafe() * s.lifetimeJitter
    const item = new Item(conn, scope, now, expiresAt)
    this.items.push(item)
    this.live++
    this.created++
    this.owners.set(conn, item)
    item.watcher = this.runFork(Effect.flatMap(conn.closed, () =>
      Effect.sync(() => {
        this.markDead(item)
      })))
    return item
  }

  protected startCheck(item: Item): void {
    item.checking = true
    this.checking++
    const check = Effect.timeoutOrElse(item.conn.simple(this.settings.healthCheckQuery), {
      duration: housekeepingTimeout,
      orElse: () => Effect.fail(PgError.make(new PgError.ConnectionError({ message: "the health check timed out" })))
    })
    this.fork(
      Effect.onExit(check, (exit) =>
        Effect.sync(() => {
          item.checking = false
          this.checking--
          if (Exit.isSuccess(exit) && item.conn.isOpen) {
            item.idleSince = this.now()
            if (item.dead || item.retiring) this.settle(item)
            else this.dispatch()
          } else if (!Exit.hasInterrupts(exit)) {
            this.markDead(item)
            this.settle(item)
            this.dispatch()
          } else {
            this.settle(item)
          }
        })),
      true
    )
  }

  /** Retires connections past their lifetime and idle connections past the idle timeout. */
  protected reap(): void {
    if (this.closed) return
    const s = this.settings
    const now = this.now()
    let idleExcess = this.live - s.min
    for (const item of this.items.slice()) {
      if (item.dead || item.retiring) continue
      if (now >= item.expiresAt) {
        idleExcess--
        this.retire(item)
      } else if (idleExcess > 0 && item.unused && now - item.idleSince >= s.idleTimeout) {
        idleExcess--
        this.retire(item)
      }
    }
    this.reconcile(false)
  }
}
