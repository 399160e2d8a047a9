/**
 * Named statements: Parse + Describe of a statement, the codecs and Bind template fixed from its
 * description, and the per-connection cache with shared preparation (concurrent callers wait for
 * one preparation rather than preparing the same statement twice under two names).
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import type * as PgError from "../PgError.ts"
import { makeBindTemplate } from "./bindTemplate.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { typedParams } from "./params.ts"
import { type PreparedStatement, statementKey } from "./preparedCache.ts"
import { PrepareRequest, type StatementDescription } from "./requests.ts"
import type { Submission } from "./submission.ts"
import type { UnknownTypes } from "./unknownTypes.ts"

/**
 * The statement for `sql` (cached or prepared now) for a view of the connection: `held` means
 * the caller holds the exclusive gate.
 *
 * @category models
 * @since 0.1.0
 */
export type PreparedWith = (
  held: boolean
) => (sql: string, paramTypes?: ReadonlyArray<number>) => Effect.Effect<PreparedStatement, PgError.PgError>

/**
 * Builds `preparedWith` over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makePreparedWith = (
  ctx: ConnectionContext,
  { submit }: Submission,
  { resolveUnknownTypes }: UnknownTypes
): PreparedWith => {
  const { cache, cacheEnabled, encoder, takeBytes } = ctx
  const inflightPrepares = new Map<string, Deferred.Deferred<PreparedStatement, PgError.PgError>>()

  const describeStatement = (
    held: boolean,
    sql: string,
    name: string,
    paramTypes: ReadonlyArray<number> | undefined
  ): Effect.Effect<StatementDescription, PgError.PgError> =>
    submit<StatementDescription>(
      (settle) =>
        new PrepareRequest(
          takeBytes(() => {
            encoder.parse(name, sql, paramTypes ?? [])
            encoder.describe("S", name)
            encoder.sync()
          }),
          settle,
          sql,
          name
        ),
      held
    )

  const toPrepared = (description: StatementDescription, sql: string): PreparedStatement => {
    const registry = ctx.connection.registry
    const paramCodecs = description.paramTypes.map((oid) => PgTypes.getOrText(registry, oid))
    const resultFormats: Array<0 | 1> = []
    const boundFields = description.fields?.map((f) => {
      const codec = PgTypes.getOrText(registry, f.typeOid)
      const format: 0 | 1 = codec.decodeBinary !== undefined ? 1 : 0
      resultFormats.push(format)
      return { ...f, format }
    })
    const params = typedParams(paramCodecs)
    return {
      name: description.name,
      sql,
      paramTypes: description.paramTypes,
      fields: description.fields,
      params,
      resultFormats,
      boundFields,
      bind: makeBindTemplate(description.name, params.formats, resultFormats, params.encoders),
      noParamsBytes: undefined
    }
  }

  /**
   * The cached statement for `sql`, preparing it if needed. Concurrent callers share one
   * preparation (so a statement is not prepared twice under two names) — except inside an
   * exclusive section, which must not wait for a preparation queued behind itself.
   */
  const preparedWith = (held: boolean) =>
  (sql: string, paramTypes?: ReadonlyArray<number>): Effect.Effect<PreparedStatement, PgError.PgError> =>
    Effect.suspend(() => {
      const key = statementKey(sql, paramTypes)
      const cached = cacheEnabled ? cache.get(key) : undefined
      if (cached !== undefined) return Effect.succeed(cached)
      const inflight = cacheEnabled && !held ? inflightPrepares.get(key) : undefined
      if (inflight !== undefined) {
        // Share the other fiber's preparation; if it was interrupted or failed, try ourselves.
        return Effect.flatMap(Effect.exit(Deferred.await(inflight)), (exit) =>
          Exit.isSuccess(exit) ? Effect.succeed(exit.value) : preparedWith(held)(sql, paramTypes))
      }
      const name = cacheEnabled ? cache.nextName() : ""
      const done = Deferred.makeUnsafe<PreparedStatement, PgError.PgError>()
      if (cacheEnabled && !held) inflightPrepares.set(key, done)
      return describeStatement(held, sql, name, paramTypes).pipe(
        Effect.tap((description) => resolveUnknownTypes(held, description)),
        Effect.map((description) => {
          const statement = toPrepared(description, sql)
          if (cacheEnabled) {
            for (const evicted of cache.set(key, statement)) ctx.pendingCloses.push(evicted.name)
          }
          return statement
        }),
        Effect.onExit((exit) =>
          Effect.sync(() => {
            if (inflightPrepares.get(key) === done) inflightPrepares.delete(key)
            // Interrupted (or failed) after the Parse may have been written: the named statement
            // may exist on the server without being cached. Close it with the next request
            // (closing a statement that does not exist is not an error).
            if (Exit.isFailure(exit) && name !== "") ctx.pendingCloses.push(name)
            Deferred.doneUnsafe(done, exit)
          })
        )
      )
    })

  return preparedWith
}
