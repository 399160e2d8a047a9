/**
 * Types the registry lacks, met in a statement's description or an unnamed statement's result:
 * the connection's `onUnknownTypes` hook may register codecs for them (the client discovers
 * enums, composites, domains, ranges and their arrays this way). Concurrent discoveries of the
 * same type are shared, except inside an exclusive section.
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import * as PgError from "../PgError.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { decodeLate, undecodedTypes } from "./lateDecode.ts"
import type { QueryResult, StatementDescription } from "./requests.ts"
import type { RowMode } from "./rows.ts"

/**
 * The unknown-type closures of one connection (see {@link makeUnknownTypes}).
 *
 * @category models
 * @since 0.1.0
 */
export interface UnknownTypes {
  /** Lets `onUnknownTypes` register codecs for types the registry lacks. */
  readonly resolveUnknownTypes: (held: boolean, description: StatementDescription) => Effect.Effect<void, PgError.PgError>
  /**
   * An unnamed statement's columns of types the registry lacked came as raw bytes: let
   * `onUnknownTypes` register codecs for them, then decode those columns (see lateDecode.ts).
   */
  readonly decodeUnknownTypes: (
    held: boolean,
    result: QueryResult,
    rowMode: RowMode,
    sql: string
  ) => Effect.Effect<QueryResult, PgError.PgError>
}

/**
 * Builds the unknown-type closures over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeUnknownTypes = (ctx: ConnectionContext): UnknownTypes => {
  const { options } = ctx
  /** OIDs being discovered, with the completion of their discovery. */
  const resolving = new Map<number, Deferred.Deferred<void>>()

  const decodeUnknownTypes = (
    held: boolean,
    result: QueryResult,
    rowMode: RowMode,
    sql: string
  ): Effect.Effect<QueryResult, PgError.PgError> => {
    const hook = options.onUnknownTypes
    if (hook === undefined) return Effect.succeed(result)
    const oids = undecodedTypes(ctx.connection.registry, result)
    if (oids === undefined) return Effect.succeed(result)
    return Effect.flatMap(hook(oids, held ? ctx.exclusiveView : ctx.connection), () => {
      const decoded = decodeLate(ctx.connection.registry, result, oids, rowMode, sql)
      return decoded instanceof PgError.PgError ? Effect.fail(decoded) : Effect.succeed(decoded)
    })
  }

  const resolveUnknownTypes = (held: boolean, description: StatementDescription): Effect.Effect<void, PgError.PgError> => {
    const hook = options.onUnknownTypes
    if (hook === undefined) return Effect.void
    const registry = ctx.connection.registry
    const unknown = new Set<number>()
    for (const oid of description.paramTypes) if (PgTypes.get(registry, oid) === undefined) unknown.add(oid)
    for (const f of description.fields ?? []) if (PgTypes.get(registry, f.typeOid) === undefined) unknown.add(f.typeOid)
    // Types another fiber is discovering right now: wait for it rather than preparing with text
    // codecs (which the statement cache would keep for the life of the connection).
    const others: Array<Deferred.Deferred<void>> = []
    // (Not inside an exclusive section: the other fiber's discovery may be queued behind it at
    // the gate — a section discovers for itself; doing it twice is harmless.)
    for (const oid of unknown) {
      const pending = held ? undefined : resolving.get(oid)
      if (pending !== undefined) {
        if (!others.includes(pending)) others.push(pending)
        unknown.delete(oid)
      }
    }
    const waitOthers = others.length === 0 ? Effect.void : Effect.forEach(others, (d) => Deferred.await(d), { discard: true })
    if (unknown.size === 0) return waitOthers
    const oids = Array.from(unknown)
    const done = Deferred.makeUnsafe<void>()
    for (const oid of oids) resolving.set(oid, done)
    const mine = hook(oids, held ? ctx.exclusiveView : ctx.connection).pipe(
      Effect.ensuring(Effect.sync(() => {
        for (const oid of oids) if (resolving.get(oid) === done) resolving.delete(oid)
        Deferred.doneUnsafe(done, Effect.void)
      }))
    )
    return Effect.andThen(mine, waitOthers)
  }

  return { resolveUnknownTypes, decodeUnknownTypes }
}
