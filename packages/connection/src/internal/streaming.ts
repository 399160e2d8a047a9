/**
 * `stream`: the rows of one statement through a portal, `batchSize` rows per round trip (see
 * portal.ts for the wire exchange). The stream holds the exclusive gate while it runs; ending
 * or interrupting it closes the portal and frees the connection.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import type { StreamOptions } from "../PgConnection.ts"
import type * as PgError from "../PgError.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { parameterCountError, parameterError, toEncodeError } from "./encodeErrors.ts"
import { closePortal, makePull, type PortalContext, PortalRequest } from "./portal.ts"
import type { Sections } from "./sections.ts"
import type { PreparedWith } from "./statements.ts"
import type { Submission } from "./submission.ts"

/**
 * `stream` for a view of the connection: `held` means the caller holds the exclusive gate.
 *
 * @category models
 * @since 0.1.0
 */
export type StreamWith = (
  held: boolean
) => <Row>(sql: string, params?: ReadonlyArray<unknown>, opts?: StreamOptions) => Stream.Stream<Row, PgError.PgError>

/**
 * Builds `stream` over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeStreamWith = (
  ctx: ConnectionContext,
  { waitDrained }: Submission,
  preparedWith: PreparedWith,
  { acquireExclusive }: Sections
): StreamWith => {
  const { encoder, gate, session, takeBytes, lookupOf } = ctx

  const portalContext: PortalContext = {
    send: (request) => session.send(request),
    writeNow: (bytes, owner) => {
      session.writeNow(bytes, owner)
    },
    executeBytes: (batch) => PgFrontend.makeEncoder(32).execute("", batch).flush().take(),
    abandon: (request) => (session.abandon(request) ? waitDrained(request) : Effect.void)
  }
  const syncBytes = PgFrontend.encode({ _tag: "Sync" })

  return (held: boolean) =>
  <Row>(
    sql: string,
    params: ReadonlyArray<unknown> = [],
    opts: StreamOptions = {}
  ): Stream.Stream<Row, PgError.PgError> => {
    const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 1000))
    const rowMode = opts.rowMode ?? "object"
    const open = Effect.gen(function*() {
      if (!held) {
        yield* Effect.acquireRelease(acquireExclusive, () => Effect.sync(() => gate.release()), { interruptible: true })
      }
      const statement = yield* preparedWith(true)(sql, opts.paramTypes)
      if (params.length !== statement.paramTypes.length) {
        return yield* Effect.fail(parameterCountError(statement, params.length, sql))
      }
      const request = yield* Effect.try({
        try: () => {
          const bytes = takeBytes(() => {
            try {
              encoder.bind("", statement.name, statement.params.formats, params, statement.resultFormats, statement.params.encoders)
            } catch (cause) {
              throw parameterError(cause, statement, params)
            }
            encoder.execute("", batchSize)
            encoder.flush()
          })
          const portal: PortalRequest = new PortalRequest(
            bytes,
            sql,
            lookupOf,
            rowMode,
            statement.boundFields ?? [],
            () => session.writeNow(syncBytes, portal)
          )
          return portal
        },
        catch: (cause) => toEncodeError(cause, sql)
      })
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          portalContext.send(request)
          session.occupy(request)
        }),
        () => closePortal(portalContext, request)
      )
      return makePull(portalContext, request, batchSize) as Effect.Effect<
        readonly [Row, ...Array<Row>],
        PgError.PgError | Cause.Done
      >
    })
    return Stream.scoped(Stream.fromPull(open))
  }
}
