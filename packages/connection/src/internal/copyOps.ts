/**
 * `copyIn` and `copyOut`: the COPY sub-protocol as a scoped writer and as a stream (the request
 * state machines are in copy.ts). Both hold the exclusive gate while the COPY runs; closing the
 * writer's Scope without `end` sends CopyFail, and ending the stream early cancels the COPY.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import type { CopyIn } from "../PgConnection.ts"
import * as PgError from "../PgError.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { CopyInRequest, CopyOutRequest, type CopyResult } from "./copy.ts"
import type { Sections } from "./sections.ts"
import type { Submission } from "./submission.ts"

const utf8 = new TextEncoder()

/**
 * The COPY closures of one connection (see {@link makeCopyOps}); `held` means the caller holds
 * the exclusive gate.
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyOps {
  readonly copyInWith: (held: boolean) => (sql: string) => Effect.Effect<CopyIn, PgError.PgError, Scope.Scope>
  readonly copyOutWith: (
    held: boolean
  ) => (sql: string, opts?: { readonly highWaterMark?: number | undefined }) => Stream.Stream<Uint8Array, PgError.PgError>
}

/**
 * Builds `copyIn` and `copyOut` over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeCopyOps = (ctx: ConnectionContext, { waitDrained }: Submission, { acquireExclusive }: Sections): CopyOps => {
  const { encoder, gate, session, takeBytes } = ctx
  const socket = ctx.established.socket

  const copyInWith = (held: boolean) => (sql: string): Effect.Effect<CopyIn, PgError.PgError, Scope.Scope> =>
    Effect.gen(function*() {
      if (!held) {
        yield* Effect.acquireRelease(acquireExclusive, () => Effect.sync(() => gate.release()), { interruptible: true })
      }
      const done = Deferred.makeUnsafe<CopyResult, PgError.PgError>()
      const request: CopyInRequest = new CopyInRequest(
        takeBytes(() => encoder.query(sql)),
        sql,
        (result) => {
          Deferred.doneUnsafe(done, result._tag === "Success" ? Effect.succeed(result.value) : Effect.fail(result.error))
        },
        (bytes) => session.writeNow(bytes, request)
      )
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          session.send(request)
          session.occupy(request)
        }),
        () =>
          Effect.suspend(() => {
            if (request.settled) return Effect.void
            if (!request.written) {
              // Interrupted before the Query was written: drop it; nothing reached the server.
              // (Marking it abandoned alone would leave it unsettled, waiting for cancelTimeout.)
              session.abandon(request)
              return Effect.void
            }
            if (!request.ended && request.ready) {
              // In the data phase: CopyFail ends the COPY at once (no CancelRequest needed).
              request.ended = true
              session.writeNow(PgFrontend.encode({ _tag: "CopyFail", message: "COPY aborted by the client" }), request)
              request.abandoned = true
              return waitDrained(request)
            }
            // Not ready yet (the request answers CopyInResponse with CopyFail itself), or finishing
            // after CopyDone: the server may be busy (waiting for a lock, checking constraints), so
            // cancel it like any other interrupted statement.
            return session.abandon(request) ? waitDrained(request) : Effect.void
          })
      )
      yield* request.whenReady
      const waitDrain: Effect.Effect<void> = Effect.callback<void>((resume) => {
        session.onceDrained(() => resume(Effect.void))
      })
      const copyIn: CopyIn = {
        format: request.format,
        write: (data) =>
          Effect.suspend(() => {
            if (request.failure !== undefined) return Effect.fail(request.failure)
            if (request.ended) {
              return Effect.fail(PgError.make(new PgError.ProtocolError({ message: "write after the COPY ended" })))
            }
            const bytes = typeof data === "string" ? utf8.encode(data) : data
            if (bytes.length === 0) return Effect.void
            const frame = new Uint8Array(5)
            const length = bytes.length + 4
            frame[0] = 0x64 // 'd'
            frame[1] = length >>> 24
            frame[2] = (length >>> 16) & 0xff
            frame[3] = (length >>> 8) & 0xff
            frame[4] = length & 0xff
            session.writeNow(frame, request)
            const flowing = session.writeNow(bytes, request)
            return flowing ? Effect.void : waitDrain
          }),
        end: Effect.suspend(() => {
          if (!request.ended) {
            request.ended = true
            session.writeNow(PgFrontend.encode({ _tag: "CopyDone" }), request)
          }
          return Deferred.await(done)
        }),
        fail: (message) =>
          Effect.suspend(() => {
            if (!request.ended) {
              request.ended = true
              session.writeNow(PgFrontend.encode({ _tag: "CopyFail", message }), request)
            }
            return Effect.asVoid(Effect.exit(Deferred.await(done)))
          })
      }
      return copyIn
    })

  const copyOutWith = (held: boolean) =>
  (sql: string, opts?: { readonly highWaterMark?: number | undefined }): Stream.Stream<Uint8Array, PgError.PgError> => {
    const open = Effect.gen(function*() {
      if (!held) {
        yield* Effect.acquireRelease(acquireExclusive, () => Effect.sync(() => gate.release()), { interruptible: true })
      }
      const request = new CopyOutRequest(
        takeBytes(() => encoder.query(sql)),
        sql,
        () => socket.pause(),
        () => socket.resume(),
        opts?.highWaterMark ?? 1024 * 1024
      )
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          session.send(request)
          session.occupy(request)
        }),
        () =>
          Effect.suspend(() => {
            if (request.settled) return Effect.void
            request.stop()
            return session.abandon(request) ? waitDrained(request) : Effect.void
          })
      )
      return request.pull as Effect.Effect<readonly [Uint8Array, ...Array<Uint8Array>], PgError.PgError | Cause.Done>
    })
    return Stream.scoped(Stream.fromPull(open))
  }

  return { copyInWith, copyOutWith }
}
