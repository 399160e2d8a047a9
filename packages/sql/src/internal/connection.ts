/**
 * `effect/sql`'s `Connection` over one pgfx connection.
 *
 * - `execute` / `executeValues` / `executeRaw`: the extended protocol in the client's mode
 *   (named prepared statements, cached per connection, binary where a codec exists; or the
 *   unnamed statement for PgBouncer).
 * - `executeUnprepared` / `executeValuesUnprepared`: no server-side statement — the simple
 *   protocol when there are no parameters (so a script of several statements runs, and the
 *   rows are those of the last one), else the unnamed statement with text parameters typed by
 *   the server.
 * - `executeStream`: a portal fetched `batchSize` rows per round trip (bounded memory); ending
 *   the stream early closes the portal.
 *
 * Every failure is mapped to a `SqlError` whose reason's `cause` is the `PgError`.
 *
 * @since 0.1.0
 */
import type * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import type { Connection } from "effect/sql/SqlConnection"
import type { SqlError } from "effect/sql/SqlError"
import * as Stream from "effect/Stream"
import type { ExecuteOptions, PgConnection, QueryResult, RowMode } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { toSqlError } from "./sqlError.ts"

type TransformRows = (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined

/** What every connection of one adapter shares. */
export interface Settings {
  /** The mode of `execute` and friends. */
  readonly mode: "prepared" | "unnamed"
  /** Rows per portal fetch in `executeStream`. */
  readonly batchSize: number
  readonly objects: ExecuteOptions
  readonly arrays: ExecuteOptions
}

/** Builds the shared settings. */
export const makeSettings = (
  mode: "prepared" | "unnamed",
  batchSize: number
): Settings => ({
  mode,
  batchSize,
  objects: { mode, rowMode: "object" },
  arrays: { mode, rowMode: "array" }
})

const unnamedObjects: ExecuteOptions = { mode: "unnamed", rowMode: "object" }
const unnamedArrays: ExecuteOptions = { mode: "unnamed", rowMode: "array" }

const rowsOf = <A>(result: QueryResult<A>): ReadonlyArray<A> => result.rows

const lastRows = (results: ReadonlyArray<QueryResult<any>>): ReadonlyArray<any> =>
  results.length === 0 ? [] : results[results.length - 1]!.rows

const mapError = <A>(effect: Effect.Effect<A, PgError.PgError>, operation: string): Effect.Effect<A, SqlError> =>
  Effect.mapError(effect, (error) => toSqlError(error, operation))

/** The adapter's `Connection`: a thin view of one `PgConnection`. */
export class PgSqlConnection implements Connection {
  readonly connection: PgConnection
  readonly settings: Settings

  constructor(connection: PgConnection, settings: Settings) {
    this.connection = connection
    this.settings = settings
  }

  execute(sql: string, params: ReadonlyArray<unknown>, transformRows: TransformRows): Effect.Effect<ReadonlyArray<any>, SqlError> {
    const run = mapError(this.run(sql, params, "object"), "execute")
    return transformRows === undefined
      ? Effect.map(run, rowsOf)
      : Effect.map(run, (result) => transformRows(result.rows as ReadonlyArray<object>))
  }

  executeRaw(sql: string, params: ReadonlyArray<unknown>): Effect.Effect<QueryResult, SqlError> {
    return mapError(this.run(sql, params, "object"), "executeRaw")
  }

  executeValues(sql: string, params: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<ReadonlyArray<unknown>>, SqlError> {
    return Effect.map(mapError(this.run(sql, params, "array"), "executeValues"), rowsOf)
  }

  executeValuesUnprepared(sql: string, params: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<ReadonlyArray<unknown>>, SqlError> {
    return mapError(this.unprepared(sql, params, "array"), "executeValuesUnprepared")
  }

  executeUnprepared(sql: string, params: ReadonlyArray<unknown>, transformRows: TransformRows): Effect.Effect<ReadonlyArray<any>, SqlError> {
    const run = mapError(this.unprepared(sql, params, "object"), "executeUnprepared")
    return transformRows === undefined ? run : Effect.map(run, (rows) => transformRows(rows as ReadonlyArray<object>))
  }

  executeStream(sql: string, params: ReadonlyArray<unknown>, transformRows: TransformRows): Stream.Stream<any, SqlError> {
    const rows = Stream.mapError(
      this.connection.stream(sql, params, { batchSize: this.settings.batchSize }),
      (error) => toSqlError(error, "executeStream")
    )
    return transformRows === undefined
      ? rows
      : Stream.mapArray(rows, (chunk) => transformRows(chunk as ReadonlyArray<object>) as Arr.NonEmptyReadonlyArray<any>)
  }

  /** One statement in the adapter's mode. */
  private run(sql: string, params: ReadonlyArray<unknown>, rowMode: RowMode): Effect.Effect<QueryResult<any>, PgError.PgError> {
    // Unnamed results holding new types are completed by the connection (its onUnknownTypes hook).
    return this.connection.execute(sql, params, rowMode === "array" ? this.settings.arrays : this.settings.objects)
  }

  /** Simple protocol without parameters, else the unnamed statement. */
  private unprepared(sql: string, params: ReadonlyArray<unknown>, rowMode: RowMode): Effect.Effect<ReadonlyArray<any>, PgError.PgError> {
    if (params.length === 0) return Effect.map(this.connection.simple(sql, { rowMode }), lastRows)
    return Effect.map(this.connection.execute(sql, params, rowMode === "array" ? unnamedArrays : unnamedObjects), rowsOf)
  }
}

/** Ends the transaction a failed COMMIT may have left open (the server usually ended it). */
export const rollbackIfOpen = (connection: PgConnection): Effect.Effect<void, SqlError> =>
  Effect.suspend(() =>
    connection.isOpen && connection.transactionStatus !== "idle"
      ? Effect.asVoid(mapError(connection.simple("ROLLBACK"), "rollback"))
      : Effect.void
  )
