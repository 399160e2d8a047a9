/**
 * Sending requests and waiting for them: through the exclusive gate (unless the caller holds
 * it), with what an interruption must do — withdraw a request still waiting at the gate, or
 * abandon one already sent (the session sends a CancelRequest and drains its replies, bounded by
 * `cancelTimeout`, after which the connection is closed).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as PgError from "../PgError.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { toEncodeError } from "./encodeErrors.ts"
import type { Settle } from "./requests.ts"
import type { Request } from "./session.ts"

/**
 * The submission closures of one connection (see {@link makeSubmission}).
 *
 * @category models
 * @since 0.1.0
 */
export interface Submission {
  /**
   * Sends a request and waits for it. `held` means the caller holds the exclusive gate.
   *
   * When a CancelRequest meant for another (interrupted) request ended this statement, it was
   * rolled back, so it is sent once more (`retryStray`): as if the first run never happened.
   * That decision is taken where the request settles, so the common path is one
   * `Effect.callback` with no error-handling combinators around it.
   */
  readonly submit: <A>(build: (settle: Settle<A>) => Request, held: boolean, retryStray?: boolean) => Effect.Effect<A, PgError.PgError>
  /** Whether `error` was caused by a CancelRequest sent for an earlier request (see `Session`). */
  readonly isStrayCancel: (error: PgError.PgError, request: Request | undefined) => boolean
  /**
   * Sends `request` — through the gate unless `held` — and returns what to do if the waiting
   * fiber is interrupted: withdraw it from the gate, or abandon it (CancelRequest and drain).
   */
  readonly sendWatched: (request: Request, held: boolean) => Effect.Effect<void>
  /** After an interruption: wait until the abandoned request has drained, or close. */
  readonly waitDrained: (request: Request) => Effect.Effect<void>
}

/**
 * Builds the submission closures over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeSubmission = (ctx: ConnectionContext): Submission => {
  const { session, gate, cancelTimeout } = ctx

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

  const isStrayCancel = (error: PgError.PgError, request: Request | undefined): boolean =>
    error.reason._tag === "QueryCanceled" && request !== undefined && request.retryOnStrayCancel === true &&
    request.strayCancel === "retrySafe"

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

  return { submit, isStrayCancel, sendWatched, waitDrained }
}
