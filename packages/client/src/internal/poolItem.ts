/**
 * What the pool's state machine is made of: its resolved {@link Settings}, the {@link Item} it
 * keeps per connection (lease counts and lifecycle flags), the {@link Waiter} of a queued
 * acquirer, the {@link Stats} snapshot and the error of a closed pool.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type { PgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import type { QueueNode } from "./poolQueue.ts"

/** Resolved settings (times in milliseconds; `Infinity` = never). */
export interface Settings {
  min: number
  max: number
  readonly acquireTimeout: number
  readonly idleTimeout: number
  readonly maxLifetime: number
  readonly lifetimeJitter: number
  readonly healthCheckAfter: number
  readonly healthCheckQuery: string
  readonly pipelineDepth: number
  readonly reset: "rollback" | "reset" | "discard"
  readonly backoffInitial: number
  readonly backoffMax: number
  readonly reapInterval: number
  readonly connect: Effect.Effect<PgConnection, PgError.PgError, Scope.Scope>
}

/** Bound on a health check or a reset before the connection is given up. */
export const housekeepingTimeout = Duration.seconds(10)

/** A connection the pool holds. */
export class Item {
  /** Pool leases for shared (pipelined) use. */
  shared = 0
  /** Held exclusively by one `reserve`. */
  reserved = false
  /** A health check is running; not handed out meanwhile. */
  checking = false
  /** Past its lifetime or idle timeout: no new users; closed once unused. */
  retiring = false
  /** Closed, invalidated or failed: never handed out again; closed once unused. */
  dead = false
  /** Removed from the pool and its scope closed (or closing). */
  removed = false
  idleSince: number
  watcher: Fiber.Fiber<void> | undefined = undefined

  readonly conn: PgConnection
  readonly scope: Scope.Closeable
  readonly createdAt: number
  readonly expiresAt: number

  constructor(conn: PgConnection, scope: Scope.Closeable, createdAt: number, expiresAt: number) {
    this.conn = conn
    this.scope = scope
    this.createdAt = createdAt
    this.expiresAt = expiresAt
    this.idleSince = createdAt
  }

  get unused(): boolean {
    return this.shared === 0 && !this.reserved && !this.checking
  }
}

/** An acquirer waiting for a connection. */
export class Waiter implements QueueNode<Waiter> {
  prev: Waiter | undefined = undefined
  next: Waiter | undefined = undefined
  queued = false
  /** Set when served; cleared when the item is handed back after an interruption. */
  item: Item | undefined = undefined
  resume: ((effect: Effect.Effect<Item, PgError.PgError>) => void) | undefined = undefined

  readonly exclusive: boolean
  readonly since: number
  readonly deadline: number

  constructor(exclusive: boolean, since: number, deadline: number) {
    this.exclusive = exclusive
    this.since = since
    this.deadline = deadline
  }
}

/** A point-in-time view of the pool. */
export interface Stats {
  readonly open: number
  readonly idle: number
  readonly shared: number
  readonly inUse: number
  readonly waiting: number
  readonly inFlight: number
  readonly connecting: number
  readonly created: number
  readonly destroyed: number
  readonly min: number
  readonly max: number
}

/** The error of operations on a closed pool. */
export const poolClosedError = (): PgError.PgError =>
  PgError.make(new PgError.ConnectionClosed({ message: "the pool is closed", safeToRetry: true }))

