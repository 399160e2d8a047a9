/**
 * A client's shared listener (`sql.listen`, `sql.subscribe`): one `PgListen` listener made
 * lazily by the first caller, in a Scope the client owns and closes with its own.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as PgListen from "../PgListen.ts"
import type { PgSource } from "../PgSource.ts"

/**
 * The lazily made listener and how to close it.
 *
 * @category models
 * @since 0.1.0
 */
export interface ListenerCell {
  /** The listener, made by the first caller (the others wait for it). */
  readonly get: Effect.Effect<PgListen.PgListener>
  /** Closes the listener (and its connection), if it was ever made. */
  readonly close: Effect.Effect<void>
}

/**
 * The client's listener: created by the first caller (the others wait for it), uninterruptibly
 * so that an interrupted first caller leaves no waiter stranded, over the client itself as the
 * source (so `notify` follows the transaction), in a Scope of the client's, and with the context
 * the client was made in (its logger and clock, not those of whichever fiber listens first).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeListenerCell = (
  client: () => PgSource,
  options: Omit<PgListen.ListenerOptions, "connectionOptions"> | undefined,
  context: Context.Context<never>
): ListenerCell => {
  const scope = Scope.makeUnsafe()
  let cell: Deferred.Deferred<PgListen.PgListener> | undefined = undefined
  // Check-and-set and the creation run uninterruptibly (the run loop may yield between any two
  // steps, and an interruption there would strand the Deferred); only waiting is interruptible.
  const get: Effect.Effect<PgListen.PgListener> = Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      if (cell !== undefined) return restore(Deferred.await(cell))
      const created = Deferred.makeUnsafe<PgListen.PgListener>()
      cell = created
      return Effect.flatMap(
        Effect.exit(Effect.provideContext(Scope.provide(PgListen.make(client(), options ?? {}), scope), context)),
        (exit) => {
          // a failed creation (a defect) is not kept: the next caller tries again
          if (exit._tag === "Failure" && cell === created) cell = undefined
          return Effect.andThen(Deferred.done(created, exit), exit)
        }
      )
    })
  )
  return { get, close: Scope.close(scope, Exit.void) }
}
