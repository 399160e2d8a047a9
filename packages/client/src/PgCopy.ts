/**
 * COPY as Effect Sinks and Streams: `COPY … FROM STDIN` is a `Sink`, `COPY … TO STDOUT` a
 * `Stream`, each at the byte level (any format: text, CSV, binary) or the row level (typed rows
 * through the column types' codecs, in the binary format).
 *
 * **Connections.** Every function takes a {@link Target}: a `PgSource` (a connection is reserved
 * for the COPY and given back when it ends) or a `PgConnection` (pinned for the COPY — pass the
 * connection of a transaction to COPY inside it).
 *
 * **Always settles.** A COPY FROM whose input stream fails or is interrupted sends CopyFail: the
 * statement fails, nothing of it is committed, and the connection is usable afterwards (inside a
 * transaction block, the transaction is then failed, as PostgreSQL requires: roll it back). A COPY
 * TO stream ended early (interrupted, `Stream.take`, a failing consumer) cancels the COPY and
 * drains it; the connection is usable afterwards.
 *
 * **Back-pressure.** Writes wait while the socket's buffer is full, so a fast source never fills
 * memory; reading pauses the socket while the consumer is behind (see `PgConnection.copyOut`),
 * so memory stays flat on any size of table.
 *
 * @example
 * ```ts
 * import { PgCopy } from "@pgfx/client"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   // typed rows in, binary COPY
 *   yield* Stream.run(
 *     Stream.fromIterable([{ id: 1, name: "one" }, { id: 2, name: "two" }]),
 *     PgCopy.fromRows(source, { table: "items", columns: ["id", "name"] })
 *   )
 *   // CSV out
 *   const csv = PgCopy.toBytes(source, "copy items to stdout (format csv)")
 *   // typed rows out
 *   const rows = PgCopy.toRows(source, { table: "items" })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type { CopyIn, CopyResult, PgConnection } from "@pgfx/connection/PgConnection"
import { isPgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import type { Codec } from "@pgfx/protocol/PgCodec"
import * as PgCopyBinary from "@pgfx/protocol/PgCopyBinary"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgTextStyle from "@pgfx/protocol/PgTextStyle"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { PgWriter } from "@pgfx/protocol/PgWriter"
import { findFailingColumn, makeTupleBuilder, makeValuesBuilder, type RowMode } from "./internal/copyRows.ts"
import { TextDecodeFailure, TextEncodeFailure, TextRowDecoder, TextRowEncoder } from "./internal/copyText.ts"
import * as PgSql from "./PgSql.ts"
import type { PgSource } from "./PgSource.ts"

/**
 * The outcome of a COPY FROM: `rows` copied (from the command tag).
 *
 * @category models
 * @since 0.1.0
 */
export type { CopyResult } from "@pgfx/connection/PgConnection"

/**
 * Rows of {@link toRows} as objects keyed by column name (`object`) or arrays (`array`).
 *
 * @category models
 * @since 0.1.0
 */
export type { RowMode } from "./internal/copyRows.ts"

/**
 * Where a COPY runs: a source (a connection is reserved for it) or a connection (pinned for it).
 *
 * @category models
 * @since 0.1.0
 */
export type Target = PgSource | PgConnection

/**
 * A COPY statement: SQL text, or a `PgSql` fragment without parameters (identifiers are fine;
 * COPY cannot take bound parameters).
 *
 * @category models
 * @since 0.1.0
 */
export type Statement = string | PgSql.Fragment

/** Default bytes per CopyData message. */
const defaultBatchSize = 64 * 1024

const reserve = (target: Target): Effect.Effect<PgConnection, PgError.PgError, Scope.Scope> =>
  isPgConnection(target) ? target.pin : target.reserve

const encodeError = (message: string, query?: string, cause?: unknown): PgError.PgError =>
  PgError.make(
    new PgError.EncodeError({
      message,
      ...(query !== undefined ? { query } : {}),
      ...(cause !== undefined ? { cause } : {})
    })
  )

/** The SQL text of a statement; fragments must compile and have no parameters. */
const statementText = (statement: Statement): Result.Result<string, PgError.PgError> => {
  if (typeof statement === "string") return Result.succeed(statement)
  const compiled = PgSql.compileResult(statement)
  if (Result.isFailure(compiled)) return Result.fail(encodeError(compiled.failure.message, undefined, compiled.failure))
  if (compiled.success.params.length > 0) {
    return Result.fail(
      encodeError(
        "a COPY statement cannot take bound parameters: interpolate identifiers (PgSql.identifier) or literals instead",
        compiled.success.text
      )
    )
  }
  return Result.succeed(compiled.success.text)
}

const statementTextEffect = (statement: Statement): Effect.Effect<string, PgError.PgError> =>
  Effect.suspend(() => Effect.fromResult(statementText(statement)))

const quoteIdentifier = (name: string): string => `"${name.replaceAll("\"", "\"\"")}"`

// ---------------------------------------------------------------------------------------------
// COPY FROM STDIN
// ---------------------------------------------------------------------------------------------

/**
 * Options of {@link fromBytes}.
 *
 * @category models
 * @since 0.1.0
 */
export interface FromBytesOptions {
  /** Small inputs are gathered into CopyData messages of about this many bytes (default 64 KiB). */
  readonly batchSize?: number | undefined
}

/** Gathers small writes into CopyData messages of about `size` bytes. */
class Batcher {
  readonly writer: PgWriter
  readonly size: number
  readonly copy: CopyIn
  constructor(copy: CopyIn, size: number) {
    this.copy = copy
    this.size = size
    this.writer = new PgWriter(Math.min(size * 2, 1 << 20))
  }
  get full(): boolean {
    return this.writer.length >= this.size
  }
  readonly flush: Effect.Effect<void, PgError.PgError> = Effect.suspend(() =>
    this.writer.length === 0 ? Effect.void : this.copy.write(this.writer.take())
  )
}

const batchSizeOf = (n: number | undefined): number =>
  n !== undefined && Number.isFinite(n) && n >= 1 ? Math.floor(n) : defaultBatchSize

/**
 * Runs `COPY … FROM STDIN` fed by the stream the sink runs on: raw COPY data in the format the
 * statement names (text, CSV or binary), split anyhow. Strings are sent as UTF-8.
 *
 * **Details**
 * - Succeeds with the statement's row count once the server has committed the data (or, inside
 *   a transaction block, accepted it).
 * - Small chunks are gathered into CopyData messages of `batchSize` bytes; a large chunk is sent
 *   as it is (do not modify a chunk after the stream emitted it).
 * - A failing or interrupted input stream aborts the COPY with CopyFail (see the module header);
 *   a server error (bad data, constraint) fails the sink with that `PgError`.
 *
 * **Example** (CSV from a file)
 * ```ts
 * const result = yield* Stream.run(
 *   NodeStream.fromReadable(() => fs.createReadStream("items.csv")),
 *   PgCopy.fromBytes(source, "copy items from stdin (format csv, header)")
 * )
 * result.rows // rows copied
 * ```
 *
 * @category COPY FROM
 * @since 0.1.0
 */
export const fromBytes = (
  target: Target,
  statement: Statement,
  options?: FromBytesOptions
): Sink.Sink<CopyResult, Uint8Array | string, never, PgError.PgError> =>
  Sink.fromTransform((upstream) =>
    Effect.scoped(Effect.gen(function*() {
      const sql = yield* statementTextEffect(statement)
      const connection = yield* reserve(target)
      const copy = yield* connection.copyIn(sql)
      const batch = new Batcher(copy, batchSizeOf(options?.batchSize))
      const writeItems = (items: ReadonlyArray<Uint8Array | string>) =>
        Effect.gen(function*() {
          const writer = batch.writer
          for (let i = 0; i < items.length; i++) {
            const item = items[i]!
            if (typeof item === "string") writer.string(item)
            else if (item.length >= batch.size) {
              yield* batch.flush
              yield* copy.write(item)
              continue
            } else writer.bytes(item)
            if (batch.full) yield* batch.flush
          }
        })
      yield* Pull.catchDone(
        Effect.forever(Effect.flatMap(upstream, writeItems), { disableYield: true }),
        () => Effect.void
      )
      yield* batch.flush
      const result = yield* copy.end
      return [result] as const
    }))
  )

/**
 * Options of {@link fromRows}.
 *
 * @category models
 * @since 0.1.0
 */
export interface FromRowsOptions {
  /**
   * The table: a name as SQL writes it (`items`, `app.items`, `"Items"`), or a `PgSql`
   * fragment such as `PgSql.identifier("app", "Items")`.
   */
  readonly table: string | PgSql.Fragment
  /**
   * The columns each row holds, in order (array rows) or by key (object rows). Default: every
   * column of the table except generated ones, in table order.
   */
  readonly columns?: ReadonlyArray<string> | undefined
  /**
   * The columns' type OIDs, aligned with `columns` (which are then required). Default: read from
   * the catalog (`pg_attribute`; a domain column uses its base type).
   */
  readonly types?: ReadonlyArray<number> | undefined
  /**
   * `binary` (default when every column type has a binary codec) or `text` (the default
   * otherwise; values go through the codecs' text encoders).
   */
  readonly format?: "binary" | "text" | undefined
  /** Bytes per CopyData message (default 64 KiB). */
  readonly batchSize?: number | undefined
}

/** A table's columns as COPY will see them. */
interface Columns {
  /** The table's name as SQL text, ready for the COPY statement. */
  readonly table: string
  readonly names: ReadonlyArray<string>
  readonly oids: ReadonlyArray<number>
}

/**
 * One row per column (a single all-NULL row for a table without columns):
 * the table's canonical name, each column's name, type (a domain's base type) and whether it is
 * generated.
 */
const columnsQuery = `select r.rel, a.attname::text as name,
  (case when t.typtype = 'd' then t.typbasetype else a.atttypid end)::int8 as oid,
  a.attgenerated <> '' as generated
from (select $1::text::regclass as id, $1::text::regclass::text as rel) r
left join pg_attribute a on a.attrelid = r.id and a.attnum > 0 and not a.attisdropped
left join pg_type t on t.oid = a.atttypid
order by a.attnum`

const tableColumns = (
  connection: PgConnection,
  tableText: string,
  requested: ReadonlyArray<string> | undefined
): Effect.Effect<Columns, PgError.PgError> =>
  Effect.gen(function*() {
    const result = yield* connection.execute<{ rel: string; name: string | null; oid: bigint | null; generated: boolean | null }>(
      columnsQuery,
      [tableText],
      { paramTypes: [Oid.text] }
    )
    const rel = result.rows[0]!.rel
    const all = result.rows.filter((r) => r.name !== null)
    if (requested === undefined) {
      const cols = all.filter((r) => r.generated !== true)
      return { table: rel, names: cols.map((r) => r.name!), oids: cols.map((r) => Number(r.oid)) }
    }
    const byName = new Map(all.map((r) => [r.name!, Number(r.oid)]))
    const oids: Array<number> = []
    for (const name of requested) {
      const oid = byName.get(name)
      if (oid === undefined) {
        return yield* Effect.fail(encodeError(`column ${quoteIdentifier(name)} of relation ${rel} does not exist`))
      }
      oids.push(oid)
    }
    return { table: rel, names: requested, oids }
  })

/** The text of a table given as a string (SQL syntax) or a fragment. */
const tableText = (table: string | PgSql.Fragment): Result.Result<string, PgError.PgError> =>
  typeof table === "string" ? Result.succeed(table) : statementText(table)

/** Codecs for the OIDs; lets the connection's `onUnknownTypes` hook register unknown types first. */
const codecsFor = (
  connection: PgConnection,
  oids: ReadonlyArray<number>,
  describe: string
): Effect.Effect<Array<Codec>, PgError.PgError> =>
  Effect.gen(function*() {
    if (oids.some((oid) => PgTypes.get(connection.registry, oid) === undefined)) {
      // Describing a statement over the columns runs the hook (the client's pg_type discovery).
      yield* Effect.ignore(connection.prepare(describe))
    }
    const registry = connection.registry
    return oids.map((oid) => PgTypes.getOrText(registry, oid))
  })

/**
 * Runs `COPY table (columns) FROM STDIN` fed by a stream of typed rows: arrays in column order
 * or objects keyed by column name. Values are encoded by the codecs of the columns' types, in
 * the binary COPY format, many rows per CopyData message.
 *
 * **Details**
 * - Column types come from the server's catalog unless `types` is given; a column whose type
 *   has no codec (after the connection's type discovery, if any) makes the COPY use the text
 *   format, where values go through the codecs' text encoders (strings pass through).
 * - `null` and `undefined` (a missing key) are NULL.
 * - A value its codec rejects fails the sink with an `EncodeError` naming the row and column
 *   (never the value), and aborts the COPY; nothing is committed.
 * - Failures and interruptions behave as in {@link fromBytes}.
 *
 * **Example** (Bulk insert)
 * ```ts
 * const { rows } = yield* Stream.run(
 *   Stream.range(1, 1_000_000).pipe(Stream.map((i) => [i, `item ${i}`, i * 1.5, new Date()])),
 *   PgCopy.fromRows(source, { table: "items", columns: ["id", "name", "price", "created"] })
 * )
 * ```
 *
 * @category COPY FROM
 * @since 0.1.0
 */
export const fromRows = <Row extends ReadonlyArray<unknown> | { readonly [key: string]: unknown }>(
  target: Target,
  options: FromRowsOptions
): Sink.Sink<CopyResult, Row, never, PgError.PgError> =>
  Sink.fromTransform((upstream) =>
    Effect.scoped(Effect.gen(function*() {
      const table = yield* Effect.fromResult(tableText(options.table))
      if (options.types !== undefined && (options.columns === undefined || options.columns.length !== options.types.length)) {
        return yield* Effect.fail(encodeError("fromRows: `types` needs `columns` of the same length"))
      }
      const connection = yield* reserve(target)
      const columns: Columns = options.types !== undefined
        ? {
          table: typeof options.table === "string"
            ? yield* Effect.fromResult(statementText(PgSql.identifier.parse(options.table)))
            : table,
          names: options.columns!,
          oids: options.types
        }
        : yield* tableColumns(connection, table, options.columns)
      const columnList = columns.names.map(quoteIdentifier).join(", ")
      const codecs = yield* codecsFor(
        connection,
        columns.oids,
        `select ${columnList.length > 0 ? columnList : "1"} from ${columns.table} limit 0`
      )
      const format = options.format ?? (codecs.every((c) => c.encodeBinary !== undefined) ? "binary" : "text")
      const sql = `copy ${columns.table}${columnList.length > 0 ? ` (${columnList})` : ""} from stdin (format ${format})`
      const copy = yield* connection.copyIn(sql)
      const batch = new Batcher(copy, batchSizeOf(options.batchSize))
      const keys = columns.names
      let rowIndex = 0
      const rowError = (row: number, column: number | undefined, detail: string, cause: unknown): PgError.PgError =>
        encodeError(
          `COPY into ${columns.table}: cannot encode row ${row}${
            column !== undefined && column >= 0 && column < keys.length
              ? `, column ${quoteIdentifier(keys[column]!)} (${codecs[column]!.name})`
              : ""
          }: ${detail}`,
          sql,
          cause
        )

      let encodeRows: (rows: ReadonlyArray<Row>) => PgError.PgError | undefined
      let finish: () => void
      if (format === "binary") {
        const encoder = PgCopyBinary.makeEncoder(codecs, { writer: batch.writer, keys })
        encodeRows = (rows) => {
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i]!
            const e = Array.isArray(row) ? encoder.row(row) : encoder.record(row as { readonly [key: string]: unknown })
            if (e !== undefined) return rowError(rowIndex, e.column, binaryDetail(e), e.cause ?? e)
            rowIndex++
          }
          return undefined
        }
        finish = () => encoder.trailer()
      } else {
        const encoder = new TextRowEncoder(codecs)
        const writer = batch.writer
        encodeRows = (rows) => {
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i]!
            const array = Array.isArray(row)
            if (array && row.length !== keys.length) {
              return rowError(rowIndex, undefined, `${row.length} values for ${keys.length} columns`, undefined)
            }
            try {
              encoder.write(row, array ? undefined : keys, writer)
            } catch (e) {
              if (!(e instanceof TextEncodeFailure)) throw e
              return rowError(rowIndex, e.column, e.cause instanceof Error ? e.cause.message : String(e.cause), e.cause)
            }
            rowIndex++
          }
          return undefined
        }
        finish = () => {}
      }

      // Encode a pulled batch of rows in slices, flushing each CopyData as it fills up.
      const writeRows = (rows: ReadonlyArray<Row>): Effect.Effect<void, PgError.PgError> =>
        Effect.suspend(() => {
          const e = encodeRows(rows)
          if (e !== undefined) return Effect.fail(e)
          return batch.full ? batch.flush : Effect.void
        })
      const perSlice = 256
      const writeAll = (rows: ReadonlyArray<Row>): Effect.Effect<void, PgError.PgError> => {
        if (rows.length <= perSlice) return writeRows(rows)
        return Effect.gen(function*() {
          for (let at = 0; at < rows.length; at += perSlice) yield* writeRows(rows.slice(at, at + perSlice))
        })
      }
      yield* Pull.catchDone(
        Effect.forever(Effect.flatMap(upstream, writeAll), { disableYield: true }),
        () => Effect.void
      )
      finish()
      yield* batch.flush
      const result = yield* copy.end
      return [result] as const
    }))
  )

const binaryDetail = (e: PgCopyBinary.CopyBinaryError): string => {
  if (e.reason === "FieldCountMismatch") return e.message
  const cause = e.cause
  if (cause instanceof Error && cause.message !== "") return cause.message
  return e.message
}

// ---------------------------------------------------------------------------------------------
// COPY TO STDOUT
// ---------------------------------------------------------------------------------------------

/**
 * Options of {@link toBytes} and {@link toRows}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ToOptions {
  /** Bytes the consumer may be behind before the socket is paused (default 1 MiB). */
  readonly highWaterMark?: number | undefined
}

/**
 * Runs `COPY … TO STDOUT` and streams its data as it arrives (in text and CSV formats, one
 * chunk per row; in binary, the header comes first and then one chunk per row).
 *
 * **Details**
 * - Memory is bounded by `highWaterMark`: the socket is paused while the consumer is behind.
 * - Ending the stream early (interruption, `Stream.take`, a failing consumer) cancels the COPY
 *   and drains its replies; the connection stays usable.
 *
 * **Example** (CSV to a file)
 * ```ts
 * yield* PgCopy.toBytes(source, "copy items to stdout (format csv, header)").pipe(
 *   Stream.run(NodeSink.fromWritable(() => fs.createWriteStream("items.csv")))
 * )
 * ```
 *
 * @category COPY TO
 * @since 0.1.0
 */
export const toBytes = (target: Target, statement: Statement, options?: ToOptions): Stream.Stream<Uint8Array, PgError.PgError> =>
  Stream.unwrap(Effect.gen(function*() {
    const sql = yield* statementTextEffect(statement)
    const connection = yield* reserve(target)
    return connection.copyOut(sql, options)
  }))

/**
 * Options of {@link toRows}: a `query`, or a `table` with optional `columns`.
 *
 * @category models
 * @since 0.1.0
 */
export type ToRowsOptions = ToOptions & {
  /** Rows as objects keyed by column name (default; the last duplicate name wins) or arrays. */
  readonly rowMode?: RowMode | undefined
} & (
  | {
    /** A query whose rows to copy (`COPY (query) TO STDOUT`); no bound parameters. */
    readonly query: Statement
    readonly table?: undefined
    readonly columns?: undefined
  }
  | {
    /** A table, as in {@link FromRowsOptions.table}. */
    readonly table: string | PgSql.Fragment
    /** Columns to copy (default all). */
    readonly columns?: ReadonlyArray<string> | undefined
    readonly query?: undefined
  }
)

/** The SELECT whose rows `toRows` copies. */
const selectOf = (options: ToRowsOptions): Result.Result<string, PgError.PgError> => {
  if (options.query !== undefined) return statementText(options.query)
  const table = typeof options.table === "string"
    ? Result.succeed(options.table)
    : statementText(options.table)
  return Result.map(table, (t) => {
    const cols = options.columns === undefined ? "*" : options.columns.map(quoteIdentifier).join(", ")
    return `select ${cols} from ${t}`
  })
}

class RowFailure {
  readonly column: number
  readonly row: number
  readonly cause: unknown
  constructor(column: number, row: number, cause: unknown) {
    this.column = column
    this.row = row
    this.cause = cause
  }
}

type RowsPull<Row> = Pull.Pull<readonly [Row, ...Array<Row>], PgError.PgError, void>

/**
 * Streams the rows of a query or table through `COPY (select …) TO STDOUT`, decoded with the
 * codecs of the result's column types (described by the server first).
 *
 * **Details**
 * - The binary format is used when every column type has a binary codec, else the text format
 *   (values through the codecs' text decoders).
 * - A value that cannot be decoded fails the stream with a `DecodeError` naming the row and
 *   column; the COPY is cancelled and the connection stays usable.
 * - Memory and early ending as in {@link toBytes}. For `Schema`-typed rows, map the stream with
 *   `Schema.decodeUnknownEffect`.
 *
 * **Example** (Streaming a table)
 * ```ts
 * const total = yield* PgCopy.toRows<{ id: number; price: number }>(source, { table: "items", columns: ["id", "price"] }).pipe(
 *   Stream.runFold(() => 0, (sum, row) => sum + row.price)
 * )
 * ```
 *
 * @category COPY TO
 * @since 0.1.0
 */
export const toRows: {
  <Row = Array<unknown>>(target: Target, options: ToRowsOptions & { readonly rowMode: "array" }): Stream.Stream<Row, PgError.PgError>
  <Row = Record<string, unknown>>(target: Target, options: ToRowsOptions): Stream.Stream<Row, PgError.PgError>
} = <Row>(target: Target, options: ToRowsOptions): Stream.Stream<Row, PgError.PgError> =>
  Stream.unwrap(Effect.gen(function*() {
    const select = yield* Effect.fromResult(selectOf(options))
    const connection = yield* reserve(target)
    const description = yield* connection.prepare(select)
    const fields = description.fields
    if (fields === undefined) {
      return yield* Effect.fail(encodeError("toRows: the query returns no rows (it is not a SELECT)", select))
    }
    // text COPY prints dates in the session's DateStyle / IntervalStyle
    const registry = PgTypes.withTextStyle(connection.registry, PgTextStyle.fromParameters(connection.parameters))
    const codecs = fields.map((f) => PgTypes.getOrText(registry, f.typeOid))
    const names = fields.map((f) => f.name)
    const mode = options.rowMode ?? "object"
    const binary = codecs.every((c) => c.decodeBinary !== undefined)
    const sql = `copy (${select}) to stdout (format ${binary ? "binary" : "text"})`
    const decodeError = (message: string, row: number | undefined, column: number | undefined, cause: unknown) =>
      PgError.make(
        new PgError.DecodeError({
          message,
          query: sql,
          ...(row !== undefined ? { row } : {}),
          ...(column !== undefined && column >= 0 ? { column: names[column]!, oid: fields[column]!.typeOid } : {}),
          ...(cause !== undefined ? { cause } : {})
        })
      )
    const bytes = connection.copyOut(sql, options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : undefined)

    if (binary) {
      const decoders = PgCopyBinary.fieldDecoders(codecs)
      const build = makeTupleBuilder(names, decoders, mode)
      const decoder = PgCopyBinary.makeDecoder({ fieldCount: codecs.length })
      let out: Array<Row> = []
      const onTuple: PgCopyBinary.TupleHandler = (b, start) => {
        try {
          out.push(build(b, start) as Row)
        } catch (cause) {
          const failing = findFailingColumn(b, start, decoders)
          throw new RowFailure(failing.index, decoder.tuples, failing.index >= 0 ? failing.cause : cause)
        }
      }
      const fromCopyError = (e: PgCopyBinary.CopyBinaryError) =>
        decodeError(`malformed binary COPY data: ${e.message}`, e.tuple, e.column, e)
      const push = (chunks: ReadonlyArray<Uint8Array>): PgError.PgError | undefined => {
        try {
          for (let i = 0; i < chunks.length; i++) {
            const e = decoder.push(chunks[i]!, onTuple)
            if (e !== undefined) return fromCopyError(e)
          }
        } catch (e) {
          if (!(e instanceof RowFailure)) throw e
          const column = e.column >= 0 ? ` column ${quoteIdentifier(names[e.column]!)} (${codecs[e.column]!.name})` : ""
          const detail = e.cause instanceof Error ? e.cause.message : String(e.cause)
          return decodeError(`cannot decode row ${e.row},${column}: ${detail}`, e.row, e.column, e.cause)
        }
        return undefined
      }
      const end = (): Effect.Effect<never, PgError.PgError | Cause.Done> => {
        const e = decoder.end()
        return e !== undefined ? Effect.fail(fromCopyError(e)) : Cause.done()
      }
      return Stream.transformPull(bytes, (upstream) => Effect.succeed(rowsPull(upstream, push, () => {
        const rows = out
        out = []
        return rows
      }, end)))
    }

    const text = new TextRowDecoder(codecs, makeValuesBuilder(names, mode))
    let out: Array<Row> = []
    const push = (chunks: ReadonlyArray<Uint8Array>): PgError.PgError | undefined => {
      try {
        for (let i = 0; i < chunks.length; i++) text.push(chunks[i]!, out as Array<unknown>)
      } catch (e) {
        if (!(e instanceof TextDecodeFailure)) throw e
        return decodeError(e.message, e.row, e.column, e.cause)
      }
      return undefined
    }
    const end = (): Effect.Effect<never, PgError.PgError | Cause.Done> => {
      try {
        text.end()
      } catch (e) {
        if (e instanceof TextDecodeFailure) return Effect.fail(decodeError(e.message, e.row, e.column, e.cause))
        throw e
      }
      return Cause.done()
    }
    return Stream.transformPull(bytes, (upstream) => Effect.succeed(rowsPull(upstream, push, () => {
      const rows = out
      out = []
      return rows
    }, end)))
  }))

/** Pulls byte chunks until they complete at least one row; at the end, checks the decoder. */
const rowsPull = <Row>(
  upstream: Pull.Pull<readonly [Uint8Array, ...Array<Uint8Array>], PgError.PgError, void>,
  push: (chunks: ReadonlyArray<Uint8Array>) => PgError.PgError | undefined,
  take: () => Array<Row>,
  end: () => Effect.Effect<never, PgError.PgError | Cause.Done>
): RowsPull<Row> => {
  const pull: RowsPull<Row> = Effect.flatMap(upstream, (chunks) => {
    const e = push(chunks)
    if (e !== undefined) return Effect.fail(e)
    const rows = take()
    return rows.length > 0 ? Effect.succeed(rows as unknown as readonly [Row, ...Array<Row>]) : pull
  })
  return Pull.catchDone(pull, end)
}
