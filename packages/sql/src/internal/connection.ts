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
import type { ConnectionOptions, ExecuteOptions, PgConnection, QueryResult, RowMode } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { toSqlError } from "./sqlError.ts"

type TransformRows = (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined

/** What every connection of one adapter shares. */
export interface Settings {
  /** The mode of `execute` and friends. */
  readonly mode: "prepared" | "unnamed"
  /** Rows per portal fetch in `executeStream`. */
  readonly batchSize: number
  /** The client's type-discovery hook (for unnamed results holding types the registry lacks). */
  readonly discover: ConnectionOptions["onUnknownTypes"]
  readonly objects: ExecuteOptions
  readonly arrays: ExecuteOptions
}

/** Builds the shared settings. */
export const makeSettings = (
  mode: "prepared" | "unnamed",
  batchSize: number,
  discover: ConnectionOptions["onUnknownTypes"]
): Settings => ({
  mode,
  batchSize,
  discover,
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
    const run = this.connection.execute(sql, params, rowMode === "array" ? this.settings.arrays : this.settings.objects)
    return this.settings.mode === "unnamed"
      ? Effect.flatMap(run, (result) => decodeUnknownColumns(this.connection, this.settings.discover, result, rowMode, sql))
      : run
  }

  /** Simple protocol without parameters, else the unnamed statement. */
  private unprepared(sql: string, params: ReadonlyArray<unknown>, rowMode: RowMode): Effect.Effect<ReadonlyArray<any>, PgError.PgError> {
    if (params.length === 0) return Effect.map(this.connection.simple(sql, { rowMode }), lastRows)
    return Effect.map(
      Effect.flatMap(
        this.connection.execute(sql, params, rowMode === "array" ? unnamedArrays : unnamedObjects),
        (result) => decodeUnknownColumns(this.connection, this.settings.discover, result, rowMode, sql)
      ),
      rowsOf
    )
  }
}

/**
 * The unnamed statement has no describe step before Bind, so its result comes in binary and
 * columns of types the registry does not know arrive as raw bytes. Discover those types with
 * the client's hook, then decode those columns. Costs one lookup per column otherwise.
 */
const decodeUnknownColumns = (
  connection: PgConnection,
  discover: Settings["discover"],
  result: QueryResult<any>,
  rowMode: RowMode,
  sql: string
): Effect.Effect<QueryResult<any>, PgError.PgError> => {
  const fields = result.fields
  let unknown: Array<number> | undefined
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (field.format === 1 && PgTypes.get(connection.registry, field.typeOid) === undefined) (unknown ??= []).push(i)
  }
  if (unknown === undefined || discover === undefined) return Effect.succeed(result)
  const columns = unknown
  return Effect.flatMap(discover(columns.map((i) => fields[i]!.typeOid), connection), () =>
    Effect.suspend(() => {
      const rows = result.rows
      for (const i of columns) {
        const field = fields[i]!
        const decode = PgTypes.get(connection.registry, field.typeOid)?.decodeBinary
        if (decode === undefined) continue
        // With duplicate column names the object holds the last one only.
        if (rowMode === "object" && fields.findLastIndex((f) => f.name === field.name) !== i) continue
        const key: string | number = rowMode === "array" ? i : field.name
        for (let r = 0; r < rows.length; r++) {
          const row = rows[r]
          const raw = row[key] as Uint8Array | null
          if (raw === null) continue
          try {
            row[key] = decode(raw, 0, raw.length)
          } catch (cause) {
            return Effect.fail(PgError.make(
              new PgError.DecodeError({
                message: `cannot decode column "${field.name}" (type ${field.typeOid}) of row ${r}: ${
                  cause instanceof Error ? cause.message : String(cause)
                }`,
                cause,
                column: field.name,
                row: r,
                oid: field.typeOid,
                query: sql
              })
            ))
          }
        }
      }
      return Effect.succeed(result)
    }))
}

/** Ends the transaction a failed COMMIT may have left open (the server usually ended it). */
export const rollbackIfOpen = (connection: PgConnection): Effect.Effect<void, SqlError> =>
  Effect.suspend(() =>
    connection.isOpen && connection.transactionStatus !== "idle"
      ? Effect.asVoid(mapError(connection.simple("ROLLBACK"), "rollback"))
      : Effect.void
  )
