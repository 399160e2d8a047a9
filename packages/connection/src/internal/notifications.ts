/**
 * `notifications`: NOTIFYs on channels the session LISTENs to, as a stream per subscriber (each
 * gets every notification from the time it subscribes; a bounded buffer drops the oldest for a
 * slow subscriber).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { Notification } from "../PgConnection.ts"
import type { ConnectionContext } from "./connectionContext.ts"

/**
 * Builds `notifications` over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeNotifications = (
  ctx: ConnectionContext
): (opts?: { readonly bufferSize?: number | undefined }) => Stream.Stream<Notification> => {
  const { notificationListeners } = ctx
  return (opts) =>
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
}
