/**
 * The end of a connection: `close` (Terminate, then the socket), `closed` (a wait for the close,
 * with its reason) and `cancel` (a CancelRequest on a side connection).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import type * as PgError from "../PgError.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { sendCancelRequest } from "./hosts.ts"

/**
 * The lifecycle effects of one connection (see {@link makeLifecycle}).
 *
 * @category models
 * @since 0.1.0
 */
export interface Lifecycle {
  readonly close: Effect.Effect<void>
  readonly closed: Effect.Effect<PgError.PgError | undefined>
  readonly cancel: Effect.Effect<void>
}

/**
 * Builds `close`, `closed` and `cancel` over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeLifecycle = (ctx: ConnectionContext): Lifecycle => {
  const { session, closeWaiters } = ctx

  const close: Effect.Effect<void> = Effect.suspend(() => {
    if (ctx.isClosed) return Effect.void
    // Terminate politely, then close. Requests not yet written are never sent: they fail with
    // ConnectionClosed (safe to retry); those in flight fail with ConnectionClosed too.
    session.close(undefined, PgFrontend.encode({ _tag: "Terminate" }))
    return Effect.void
  })

  const closed: Effect.Effect<PgError.PgError | undefined> = Effect.callback((resume) => {
    if (ctx.isClosed) return resume(Effect.succeed(ctx.closeReason))
    const waiter = (e: PgError.PgError | undefined) => resume(Effect.succeed(e))
    closeWaiters.push(waiter)
    // An interrupted wait leaves nothing behind.
    return Effect.sync(() => {
      const i = closeWaiters.indexOf(waiter)
      if (i >= 0) closeWaiters.splice(i, 1)
    })
  })

  const cancel: Effect.Effect<void> = Effect.suspend(() => sendCancelRequest(ctx.established))

  return { close, closed, cancel }
}
