/**
 * The pool's engine: its connections, its waiting acquirers and the background work that opens,
 * checks, retires and closes connections. `PgPool.ts` wraps it in the public API and explains
 * the policy; this file is the state machine.
 *
 * All state changes are synchronous and complete before any waiting fiber is resumed, so a fiber
 * resumed inline (Effect resumes callbacks synchronously) always sees a consistent pool. Work that
 * needs an Effect runtime outside a caller (opening, health checks, timers, closing) runs in
 * background fibers started with the context captured at `make` (its Clock, Random and metric
 * registry, so TestClock drives every timer).
 *
 * The connection lifecycle (opening, back-off, health checks, reaping, closing) and the pool's
 * counters live in the base class, `PoolLifecycle` (`poolLifecycle.ts`); this file adds the
 * acquire side: shared leases, exclusive reservations, the waiter queue and releasing. The
 * building blocks (settings, items, waiters, stats) are in `poolItem.ts`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import type { PgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { housekeepingTimeout, type Item, poolClosedError, type Stats, Waiter } from "./poolItem.ts"
import { PoolLifecycle } from "./poolLifecycle.ts"
import { LinkedQueue } from "./poolQueue.ts"

export { Item, poolClosedError } from "./poolItem.ts"
export type { Settings, Stats } from "./poolItem.ts"

/** The pool's state machine. */
export class PoolCore extends PoolLifecycle {
  private readonly queue = new LinkedQueue<Waiter>()
  private timerArmed = false
  private dispatching = false
  private redispatch = false

  // --- public operations --------------------------------------------------------------------

  withConnection<A, E, R>(f: (connection: PgConnection) => Effect.Effect<A, E, R>): Effect.Effect<A, E | PgError.PgError, R> {
    return Effect.uninterruptibleMask((restore) => {
      if (this.closed) return Effect.fail(poolClosedError())
      const item = this.tryShared()
      if (item !== undefined) {
        this.waits.observe(0)
        return this.useShared(item, restore, f)
      }
      return Effect.flatMap(restore(this.wait(false)), (item) => this.useShared(item, restore, f))
    })
  }

  private useShared<A, E, R>(
    item: Item,
    restore: <AX, EX, RX>(effect: Effect.Effect<AX, EX, RX>) => Effect.Effect<AX, EX, RX>,
    f: (connection: PgConnection) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E, R> {
    return Effect.onExit(restore(Effect.suspend(() => f(item.conn))), () => this.releaseShared(item))
  }

  readonly reserve: Effect.Effect<PgConnection, PgError.PgError, Scope.Scope> = Effect.uninterruptibleMask((restore) => {
    if (this.closed) return Effect.fail(poolClosedError())
    const item = this.tryExclusive()
    let acquired: Effect.Effect<Item, PgError.PgError>
    if (item !== undefined) {
      this.waits.observe(0)
      acquired = Effect.succeed(item)
    } else {
      acquired = restore(this.wait(true))
    }
    return Effect.flatMap(acquired, (item) =>
      Effect.flatMap(Effect.scope, (scope) =>
        Effect.andThen(
          Scope.addFinalizer(scope, this.releaseExclusive(item)),
          // The pin is released first (finalizers run in reverse), then the reset runs.
          Effect.map(restore(item.conn.pin), (view) => {
            this.owners.set(view, item)
            return view
          })
        )))
  })

  invalidate(connection: PgConnection): Effect.Effect<void> {
    return Effect.suspend(() => {
      const item = this.owners.get(connection)
      if (item === undefined || item.removed) return Effect.void
      this.markDead(item)
      return item.conn.close
    })
  }

  stats(): Stats {
    let idle = 0
    let shared = 0
    let inUse = 0
    let inFlight = 0
    for (const item of this.items) {
      if (item.reserved) inUse++
      if (item.dead) continue
      inFlight += item.conn.inFlight
      if (item.reserved) continue
      if (item.shared > 0) shared++
      else idle++
    }
    return {
      open: this.live,
      idle,
      shared,
      inUse,
      waiting: this.queue.length,
      inFlight,
      connecting: this.connecting,
      created: this.created,
      destroyed: this.destroyed,
      min: this.settings.min,
      max: this.settings.max
    }
  }

  resize(min: number, max: number): void {
    this.settings.min = min
    this.settings.max = max
    let excess = this.live - max
    // Idle connections first, then busy ones (they close when released).
    for (const pass of [true, false]) {
      for (const item of this.items) {
        if (excess <= 0) break
        if (item.dead || item.retiring || item.unused !== pass) continue
        excess--
        this.retire(item)
      }
    }
    this.dispatch()
  }

  /** Opens `n` connections now, concurrently (the pool's warm-up); fails with a connection error. */
  warmUp(n: number): Effect.Effect<void, PgError.PgError> {
    return Effect.suspend(() => {
      // Counted up front, so the first one to open does not start more to reach min.
      this.connecting += n
      return Effect.forEach(Array.from({ length: n }), () => this.open(), { concurrency: "unbounded", discard: true })
    })
  }

  /** Starts the reaper (idle timeout, max lifetime). */
  start(): void {
    const s = this.settings
    if (s.idleTimeout === Infinity && s.maxLifetime === Infinity) return
    this.fork(Effect.forever(Effect.andThen(Effect.sleep(s.reapInterval), Effect.sync(() => this.reap()))), false)
  }

  shutdown(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.closed) return Effect.void
      this.closed = true
      const waiters: Array<Waiter> = []
      for (let w = this.queue.shift(); w !== undefined; w = this.queue.shift()) waiters.push(w)
      this.sharedWaiting = 0
      this.exclusiveWaiting = 0
      const error = poolClosedError()
      for (const w of waiters) w.resume!(Effect.fail(error))
      const fibers = Array.from(this.background)
      this.background.clear()
      return Effect.andThen(
        Fiber.interruptAll(fibers),
        Effect.suspend(() =>
          Effect.forEach(this.items.slice(), (item) => {
            if (item.unused) return this.destroyNow(item)
            this.kill(item)
            return Effect.void
          }, { discard: true })
        )
      )
    })
  }

  // --- picking ------------------------------------------------------------------------------

  private usable(item: Item): boolean {
    if (item.dead || item.retiring || item.checking || item.reserved) return false
    if (!item.conn.isOpen) {
      this.markDead(item)
      return false
    }
    return true
  }

  /** Whether an idle item has been idle long enough to need a health check (then starts it). */
  private needsCheck(item: Item, now: number): boolean {
    if (now - item.idleSince < this.settings.healthCheckAfter) return false
    this.startCheck(item)
    return true
  }

  /** The least loaded usable item for shared use. */
  private pickShared(): Item | undefined {
    let best: Item | undefined = undefined
    let bestLoad = Infinity
    let now = -1
    const items = this.items
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!
      if (!this.usable(item)) continue
      // A shared connection left inside a transaction block (someone ran a plain BEGIN instead of
      // withTransaction) must not capture other fibers' statements.
      if (item.conn.transactionStatus !== "idle") continue
      const inFlight = item.conn.inFlight
      const load = item.shared > inFlight ? item.shared : inFlight
      if (item.shared === 0 && this.settings.healthCheckAfter !== Infinity) {
        if (now < 0) now = this.now()
        if (this.needsCheck(item, now)) continue
      }
      if (load < bestLoad) {
        best = item
        bestLoad = load
        if (load === 0) break
      }
    }
    this.pickedLoad = bestLoad
    return best
  }
  private pickedLoad = 0

  /** An idle usable item, else (when `allowBusy`) the least loaded usable one. */
  private pickExclusive(allowBusy: boolean): Item | undefined {
    let best: Item | undefined = undefined
    let bestLoad = Infinity
    let now = -1
    const items = this.items
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!
      if (!this.usable(item)) continue
      const load = item.shared + item.conn.inFlight
      if (item.shared === 0 && this.settings.healthCheckAfter !== Infinity) {
        if (now < 0) now = this.now()
        if (this.needsCheck(item, now)) continue
      }
      if (load === 0) return item
      if (load < bestLoad) {
        best = item
        bestLoad = load
      }
    }
    return allowBusy ? best : undefined
  }

  /**
   * Whether a reserve may take a connection that others are using: only when no new one can
   * be opened for it (at max, or connecting is failing).
   */
  private allowBusy(): boolean {
    return this.live + this.connecting >= this.settings.max || this.failures > 0
  }

  private tryShared(): Item | undefined {
    const item = this.pickShared()
    if (item === undefined) return undefined
    item.shared++
    if (this.pickedLoad >= this.settings.pipelineDepth) this.reconcile(true)
    return item
  }

  private tryExclusive(): Item | undefined {
    if (this.exclusiveWaiting > 0) return undefined
    const item = this.pickExclusive(this.allowBusy())
    if (item !== undefined) item.reserved = true
    return item
  }

  // --- waiting ------------------------------------------------------------------------------

  private wait(exclusive: boolean): Effect.Effect<Item, PgError.PgError> {
    return Effect.callback<Item, PgError.PgError>((resume) => {
      const now = this.now()
      const w = new Waiter(exclusive, now, now + this.settings.acquireTimeout)
      w.resume = resume
      this.queue.push(w)
      if (exclusive) this.exclusiveWaiting++
      else this.sharedWaiting++
      this.armTimer()
      // The pool may have changed since this fiber looked (it may have yielded in between).
      this.dispatch()
      return Effect.suspend(() => this.cancel(w))
    })
  }

  private dequeued(w: Waiter): void {
    if (w.exclusive) this.exclusiveWaiting--
    else this.sharedWaiting--
  }

  /** The waiter was interrupted: leave the queue, or hand back what it was just given. */
  private cancel(w: Waiter): Effect.Effect<void> {
    if (this.queue.remove(w)) {
      this.dequeued(w)
      return Effect.void
    }
    const item = w.item
    if (item === undefined) return Effect.void
    w.item = undefined
    return w.exclusive ? this.unreserve(item) : this.releaseShared(item)
  }

  /** Serves waiters in order while connections are available for them. */
  protected override dispatch(): void {
    if (this.dispatching) {
      this.redispatch = true
      return
    }
    this.dispatching = true
    const served: Array<Waiter> = []
    let overloaded = false
    try {
      do {
        this.redispatch = false
        for (let w = this.queue.head; w !== undefined; w = this.queue.head) {
          let item: Item | undefined
          if (w.exclusive) {
            item = this.pickExclusive(this.allowBusy())
            if (item !== undefined) item.reserved = true
          } else {
            item = this.pickShared()
            if (item !== undefined) {
              item.shared++
              if (this.pickedLoad >= this.settings.pipelineDepth) overloaded = true
            }
          }
          if (item === undefined) break
          this.queue.remove(w)
          this.dequeued(w)
          w.item = item
          served.push(w)
        }
      } while (this.redispatch)
    } finally {
      this.dispatching = false
    }
    this.reconcile(overloaded)
    if (served.length === 0) return
    const now = this.now()
    for (const w of served) {
      this.waits.observe(now - w.since)
      // Resumed on the next scheduler turn: a waiter resumed inline would run its whole use of
      // the connection inside this call, and its release would resume the next one inside that
      // (a stack as deep as the queue). Interrupted meanwhile, it hands the item back (`cancel`).
      w.resume!(Effect.as(Effect.yieldNow, w.item!))
    }
  }

  /** One timer for every waiter: waiters share the timeout, so the head expires first. */
  private armTimer(): void {
    const head = this.queue.head
    if (this.timerArmed || head === undefined || head.deadline === Infinity || this.closed) return
    this.timerArmed = true
    this.fork(
      Effect.andThen(
        Effect.sleep(Math.max(0, head.deadline - this.now())),
        Effect.sync(() => {
          this.timerArmed = false
          this.expire()
        })
      ),
      false
    )
  }

  private expire(): void {
    const now = this.now()
    const expired: Array<Waiter> = []
    for (let w = this.queue.head; w !== undefined && w.deadline <= now; w = this.queue.head) {
      this.queue.remove(w)
      this.dequeued(w)
      expired.push(w)
    }
    this.armTimer()
    if (expired.length === 0) return
    const error = this.timeoutError(this.settings.acquireTimeout)
    for (const w of expired) w.resume!(Effect.fail(error))
  }

  private timeoutError(waited: number): PgError.PgError {
    const last = this.failures > 0 ? this.lastError : undefined
    const s = this.stats()
    return PgError.make(
      new PgError.PoolTimeout({
        message: `timed out after ${Duration.format(Duration.millis(waited))} waiting for a connection ` +
          `(${s.open} open of max ${s.max}, ${s.inUse} reserved, ${s.waiting} waiting)` +
          (last !== undefined ? `; the last connection attempt failed: ${last.message}` : ""),
        ...(last !== undefined ? { cause: last } : {})
      })
    )
  }

  protected override failWaiters(error: PgError.PgError): void {
    const failed: Array<Waiter> = []
    for (let w = this.queue.shift(); w !== undefined; w = this.queue.shift()) {
      this.dequeued(w)
      failed.push(w)
    }
    for (const w of failed) w.resume!(Effect.fail(error))
  }

  // --- releasing ----------------------------------------------------------------------------

  private releaseShared(item: Item): Effect.Effect<void> {
    return Effect.suspend(() => {
      item.shared--
      if (item.shared !== 0 || item.reserved) return Effect.void
      item.idleSince = this.now()
      if (item.dead || item.retiring || this.closed || !item.conn.isOpen) return this.destroyNow(item)
      if (item.conn.transactionStatus !== "idle") {
        // Its session state is not what the pool hands out: discard it (never reuse it).
        return Effect.andThen(
          Effect.logWarning(
            "pgfx pool: a shared connection was left inside a transaction block (use withTransaction or reserve " +
              "for transactions); the connection is discarded"
          ),
          this.destroyNow(item)
        )
      }
      if (this.exclusiveWaiting > 0) this.dispatch()
      return Effect.void
    })
  }

  /** Ends a reservation: roll back an open transaction, reset if configured, then reuse. */
  private releaseExclusive(item: Item): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (item.dead || item.retiring || this.closed || !item.conn.isOpen) return this.destroyNow(item)
      const conn = item.conn
      const reset = this.settings.reset
      let work: Effect.Effect<unknown, PgError.PgError> | undefined = undefined
      if (conn.transactionStatus !== "idle") work = conn.simple("ROLLBACK")
      if (reset !== "rollback") {
        const sql = reset === "discard" ? "DISCARD ALL" : "RESET ALL"
        work = work === undefined ? conn.simple(sql) : Effect.andThen(work, conn.simple(sql))
      }
      if (work === undefined) return this.unreserve(item)
      return work.pipe(
        Effect.timeoutOrElse({
          duration: housekeepingTimeout,
          orElse: () => Effect.fail(PgError.make(new PgError.ConnectionError({ message: "the reset timed out" })))
        }),
        Effect.matchEffect({
          onFailure: () => this.destroyNow(item),
          onSuccess: () => {
            if (reset === "discard") conn.clearStatementCache()
            return conn.transactionStatus === "idle" ? this.unreserve(item) : this.destroyNow(item)
          }
        })
      )
    })
  }

  private unreserve(item: Item): Effect.Effect<void> {
    return Effect.suspend(() => {
      item.reserved = false
      if (item.shared > 0) return Effect.void
      item.idleSince = this.now()
      if (item.dead || item.retiring || this.closed || !item.conn.isOpen) return this.destroyNow(item)
      this.dispatch()
      return Effect.void
    })
  }
}
