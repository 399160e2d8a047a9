/**
 * Exclusive sections: sole use of the connection through the gate (`exclusive`, `pin`, and the
 * streams and COPYs that hold it). A section gets its own view of the connection, valid only
 * while the section lasts; a section left inside a transaction block is rolled back before the
 * gate is released. Statements that may be a COPY run alone in a section of their own.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ExecuteOptions, PgConnection, StreamOptions } from "../PgConnection.ts"
import * as PgError from "../PgError.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import type { RowMode } from "./rows.ts"
import { closedFor } from "./session.ts"
import type { SimpleWith } from "./simpleQuery.ts"

/** Text that may contain a COPY statement (see `copyAlone`). */
const mayBeCopy = /\bcopy\b/i

/**
 * The exclusive-section closures of one connection (see {@link makeSections}).
 *
 * @category models
 * @since 0.1.0
 */
export interface Sections {
  /** Waits for the gate (interruptibly); the caller must release it (`ctx.gate.release()`). */
  readonly acquireExclusive: Effect.Effect<void, PgError.PgError>
  /** `exclusive` for a view of the connection: `held` means the caller holds the gate. */
  readonly exclusiveWith: (
    held: boolean
  ) => <A, E, R>(f: (c: PgConnection) => Effect.Effect<A, E, R>) => Effect.Effect<A, E | PgError.PgError, R>
  /** `pin` for a view of the connection: `held` means the caller holds the gate. */
  readonly pinWith: (held: boolean) => Effect.Effect<PgConnection, PgError.PgError, Scope.Scope>
  /**
   * Statements that may be a COPY run alone in an exclusive section: while the server is in COPY
   * mode it must receive nothing else, so nothing may be pipelined behind them. (COPY … STDIN /
   * STDOUT is only valid as a top-level statement, so its text always contains the word.)
   */
  readonly copyAlone: <Args extends ReadonlyArray<any>, A>(
    run: (sql: string, ...args: Args) => Effect.Effect<A, PgError.PgError>,
    inSection: (sql: string, ...args: Args) => (x: PgConnection) => Effect.Effect<A, PgError.PgError>
  ) => (sql: string, ...args: Args) => Effect.Effect<A, PgError.PgError>
}

/**
 * Builds the exclusive-section closures over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeSections = (ctx: ConnectionContext, simpleWith: SimpleWith): Sections => {
  const { gate, session, cancelTimeout } = ctx

  const exclusiveWith = (held: boolean) =>
  <A, E, R>(f: (c: PgConnection) => Effect.Effect<A, E, R>): Effect.Effect<A, E | PgError.PgError, R> => {
    if (held) return f(ctx.exclusiveView)
    // Waiting for the gate is interruptible (a timeout around a transaction must work while
    // another section holds the connection); once granted, the release always runs.
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(restore(acquireExclusive), () => {
        const section = sectionView()
        return restore(f(section.view)).pipe(
          Effect.onExit(() => Effect.andThen(Effect.sync(section.end), releaseExclusive))
        )
      })
    )
  }

  const pinWith = (held: boolean): Effect.Effect<PgConnection, PgError.PgError, Scope.Scope> =>
    held
      ? Effect.succeed(ctx.exclusiveView)
      : Effect.map(
        Effect.acquireRelease(
          Effect.map(acquireExclusive, sectionView),
          (section) => Effect.andThen(Effect.sync(section.end), releaseExclusive),
          { interruptible: true }
        ),
        (section) => section.view
      )

  /**
   * The view of the connection handed to one exclusive section. It bypasses the gate only while
   * the section lasts: a fiber that kept it (forked inside a transaction, say) and uses it after
   * the section ended gets a ConnectionClosed error instead of slipping into the next section —
   * someone else's transaction.
   */
  const sectionView = (): { readonly view: PgConnection; readonly end: () => void } => {
    const exclusiveView = ctx.exclusiveView
    let active = true
    const released = (): PgError.PgError =>
      PgError.make(
        new PgError.ConnectionClosed({
          message: "this connection view was released: its exclusive section (transaction, pin) has ended",
          safeToRetry: true
        })
      )
    const guard = <A, E, R>(f: () => Effect.Effect<A, E, R>): Effect.Effect<A, E | PgError.PgError, R> =>
      Effect.suspend((): Effect.Effect<A, E | PgError.PgError, R> => (active ? f() : Effect.fail(released())))
    const guardStream = <A, E>(f: () => Stream.Stream<A, E>): Stream.Stream<A, E | PgError.PgError> =>
      Stream.unwrap(Effect.sync((): Stream.Stream<A, E | PgError.PgError> => (active ? f() : Stream.fail(released()))))
    const view: PgConnection = Object.create(exclusiveView, {
      simple: { value: (sql: string, o?: { readonly rowMode?: RowMode | undefined }) => guard(() => exclusiveView.simple(sql, o)) },
      execute: {
        value: (sql: string, params?: ReadonlyArray<unknown>, o?: ExecuteOptions) => guard(() => exclusiveView.execute(sql, params, o))
      },
      prepare: { value: (sql: string, types?: ReadonlyArray<number>) => guard(() => exclusiveView.prepare(sql, types)) },
      exclusive: { value: <A, E, R>(f: (c: PgConnection) => Effect.Effect<A, E, R>) => guard(() => f(view)) },
      pin: { get: () => guard(() => Effect.succeed(view)) },
      stream: {
        value: (sql: string, params?: ReadonlyArray<unknown>, o?: StreamOptions) => guardStream(() => exclusiveView.stream(sql, params, o))
      },
      copyIn: { value: (sql: string) => guard(() => exclusiveView.copyIn(sql)) },
      copyOut: {
        value: (sql: string, o?: { readonly highWaterMark?: number | undefined }) => guardStream(() => exclusiveView.copyOut(sql, o))
      }
    })
    return {
      view,
      end: () => {
        active = false
      }
    }
  }

  /**
   * Ends an exclusive section. A section left inside a transaction block (its fiber was
   * interrupted between BEGIN and COMMIT) is rolled back first, so the next fiber never runs in
   * someone else's transaction; if the rollback cannot complete within `cancelTimeout`, the
   * connection is closed instead.
   */
  const releaseExclusive: Effect.Effect<void> = Effect.suspend(() => {
    if (session.closed || session.transactionStatus === "I") return Effect.sync(() => gate.release())
    return simpleWith(true)("ROLLBACK").pipe(
      Effect.timeoutOrElse({
        duration: cancelTimeout,
        orElse: () => Effect.fail(PgError.make(new PgError.ConnectionClosed({ message: "rollback timed out", safeToRetry: false })))
      }),
      Effect.catchCause(() => Effect.sync(() => session.close(PgError.make(new PgError.ConnectionClosed({
        message: "the connection was closed: an exclusive section ended inside a transaction that could not be rolled back",
        safeToRetry: false
      }))))),
      Effect.ensuring(Effect.sync(() => gate.release())),
      Effect.asVoid
    )
  })

  const acquireExclusive: Effect.Effect<void, PgError.PgError> = Effect.callback<void, PgError.PgError>((resume) => {
    let granted = false
    const waiting = gate.take(() => {
      granted = true
      if (ctx.isClosed) resume(Effect.fail(closedError()))
      else resume(Effect.void)
    })
    if (waiting === undefined) return
    return Effect.sync(() => {
      if (granted) gate.release()
      else waiting.cancel()
    })
  })

  /** For work that never reached the server: ConnectionClosed whatever closed the session. */
  const closedError = (): PgError.PgError =>
    ctx.closeReason !== undefined
      ? closedFor(ctx.closeReason, true)
      : PgError.make(new PgError.ConnectionClosed({ message: "the connection is closed", safeToRetry: true }))

  const copyAlone = <Args extends ReadonlyArray<any>, A>(
    run: (sql: string, ...args: Args) => Effect.Effect<A, PgError.PgError>,
    inSection: (sql: string, ...args: Args) => (x: PgConnection) => Effect.Effect<A, PgError.PgError>
  ) =>
  (sql: string, ...args: Args): Effect.Effect<A, PgError.PgError> =>
    mayBeCopy.test(sql)
      ? Effect.uninterruptibleMask((restore) =>
        // Only the gate: unlike a user's exclusive section, a transaction the statement leaves
        // open (text that merely mentions the word) is the caller's, not rolled back here.
        Effect.flatMap(restore(acquireExclusive), () =>
          restore(inSection(sql, ...args)(ctx.exclusiveView)).pipe(Effect.ensuring(Effect.sync(() => gate.release()))))
      )
      : run(sql, ...args)

  return { acquireExclusive, exclusiveWith, pinWith, copyAlone }
}
