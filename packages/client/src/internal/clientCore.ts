/**
 * What every client operation shares: where connections come from, the current transaction
 * (a per-client `Context.Reference`), the shared type registry, compiling fragments into
 * `PgError`s, running one compiled statement on a connection in the chosen mode, and the
 * tracing span.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as References from "effect/References"
import type * as Semaphore from "effect/Semaphore"
import * as Tracer from "effect/Tracer"
import type { PgConnection, QueryResult, RowMode } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import type { PgSource } from "../PgSource.ts"
import * as PgSql from "../PgSql.ts"
import { adopt, type TypeCache } from "./typeDiscovery.ts"

/**
 * How statements are executed:
 * - `prepared`: named statements cached per connection (described once, binary where possible);
 * - `unnamed`: the unnamed statement, one round trip, no server-side state (PgBouncer);
 * - `simple`: the simple query protocol (no parameters; any number of statements).
 */
export type Mode = "prepared" | "unnamed" | "simple"

/** The transaction a fiber is in (one per level: the top level and each savepoint). */
export interface TransactionState {
  /** The reserved connection. */
  readonly connection: PgConnection
  /** 0 for the transaction, n for the n-th nested savepoint. */
  readonly depth: number
  /** Serialises nested transactions started from this level (savepoints are a stack). */
  readonly nested: Semaphore.Semaphore
}

/** The shared state of one client. */
export interface ClientCore {
  readonly source: PgSource
  readonly mode: Mode
  readonly transaction: Context.Reference<TransactionState | undefined>
  readonly types: TypeCache
  /** Whether unknown types are discovered from the catalogs. */
  readonly discoverTypes: boolean
  readonly spanAttributes: Readonly<Record<string, unknown>>
}

const emptyResult: QueryResult<any> = { command: "", rowCount: null, rows: [], fields: [] }

/** A fragment's text and parameters, or the `PgError` (reason `EncodeError`) it cannot compile to. */
export const compile = (fragment: PgSql.Fragment): PgSql.Compiled | PgError.PgError => {
  try {
    return PgSql.compile(fragment)
  } catch (cause) {
    return toEncodeError(cause)
  }
}

/** A compile failure (`PgSqlError` or anything thrown while compiling) as a `PgError`. */
export const toEncodeError = (cause: unknown): PgError.PgError =>
  PgError.make(
    new PgError.EncodeError({
      message: cause instanceof PgSql.PgSqlError
        ? cause.message
        : `cannot compile the statement: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause
    })
  )

/** Runs `f` on the transaction's connection, or on a (shared) connection of the source. */
export const withConnection = <A, E, R>(
  core: ClientCore,
  fiber: Fiber.Fiber<unknown, unknown>,
  f: (connection: PgConnection) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | PgError.PgError, R> => {
  const tx = fiber.getRef(core.transaction)
  if (tx !== undefined) {
    adopt(core.types, tx.connection)
    return f(tx.connection)
  }
  return core.source.withConnection((connection) => {
    adopt(core.types, connection)
    return f(connection)
  })
}

/** `execute` options without parameter types, by mode and row mode: shared, not built per statement. */
const preparedOptions = {
  object: { paramTypes: undefined, rowMode: "object", mode: "prepared" },
  array: { paramTypes: undefined, rowMode: "array", mode: "prepared" }
} as const
const unnamedOptions = {
  object: { paramTypes: undefined, rowMode: "object", mode: "unnamed" },
  array: { paramTypes: undefined, rowMode: "array", mode: "unnamed" }
} as const

/** Runs one compiled statement on a connection. */
export const runCompiled = (
  connection: PgConnection,
  compiled: PgSql.Compiled,
  mode: Mode,
  rowMode: RowMode
): Effect.Effect<QueryResult<any>, PgError.PgError> => {
  if (mode === "simple") {
    if (compiled.params.length > 0) {
      return Effect.fail(
        PgError.make(
          new PgError.EncodeError({
            message: `the simple query protocol cannot bind parameters (${compiled.params.length} given): use the prepared or unnamed mode`,
            query: compiled.text
          })
        )
      )
    }
    return Effect.map(connection.simple(compiled.text, { rowMode }), lastResult)
  }
  const options = compiled.paramTypes === undefined
    ? (mode === "unnamed" ? unnamedOptions : preparedOptions)[rowMode]
    : { paramTypes: compiled.paramTypes, rowMode, mode }
  // (Unnamed results holding types new to the client are completed by the connection's
  // `onUnknownTypes` hook, which the client installs: see PgConnection's late decoding.)
  return connection.execute(compiled.text, compiled.params, options)
}

/** The last result of a simple-protocol script (what a single statement returns). */
const lastResult = (results: ReadonlyArray<QueryResult<any>>): QueryResult<any> =>
  results.length === 0 ? emptyResult : results[results.length - 1]!

/**
 * Wraps a database operation in a `pgfx.query` client span, unless no tracing backend is
 * installed (the native tracer) or tracing is disabled: then the span would be unobservable,
 * and skipping it keeps statements cheap. The span carries the SQL text, never parameters.
 */
export const traced = <A, E, R>(
  core: ClientCore,
  fiber: Fiber.Fiber<unknown, unknown>,
  text: string,
  effect: Effect.Effect<A, E, R>,
  name = "pgfx.query"
): Effect.Effect<A, E, R> => {
  // The tracer first: with the native tracer (the common case) one context lookup decides.
  if (fiber.getRef(Tracer.Tracer) === Tracer.nativeTracer || !fiber.getRef(References.TracerEnabled)) return effect
  return Effect.withSpan(effect, name, {
    kind: "client",
    attributes: { "db.system": "postgresql", "db.statement": text, ...core.spanAttributes },
    captureStackTrace: false
  }) as Effect.Effect<A, E, R>
}
