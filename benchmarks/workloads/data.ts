/**
 * The data the workloads share: the 5-column row shape (int4, md5 text, timestamptz, float8,
 * numeric(20,2)), the table W3/W6 read, the table W5 loads, and generators for COPY text and
 * INSERT parameters (deterministic: every contender sends the same bytes / values).
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"

/**
 * Table read by W3 and copied out by W6.
 *
 * @category constants
 * @since 0.1.0
 */
export const readTable = "bench_rows"

/**
 * Table loaded by W5.
 *
 * @category constants
 * @since 0.1.0
 */
export const loadTable = "bench_load"

/**
 * The W3 statement.
 *
 * @category constants
 * @since 0.1.0
 */
export const selectRowsSql = `select id, name, created, score, amount from ${readTable}`

/**
 * SQL that (re)creates the table W3 and W6 read, with `rows` rows.
 *
 * @category constants
 * @since 0.1.0
 */
export const createReadTableSql = (rows: number): ReadonlyArray<string> => [
  `drop table if exists ${readTable}`,
  `create table ${readTable} as select i::int4 as id, md5(i::text) as name, ` +
  `timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second' as created, ` +
  `i * 1.5::float8 as score, (i * 1.01)::numeric(20,2) as amount from generate_series(1, ${rows}) i`,
  `vacuum (freeze, analyze) ${readTable}`
]

/**
 * SQL that (re)creates the empty W5 table.
 *
 * @category constants
 * @since 0.1.0
 */
export const createLoadTableSql: ReadonlyArray<string> = [
  `drop table if exists ${loadTable}`,
  `create table ${loadTable} (id int4, name text, created timestamptz, score float8, amount numeric(20,2))`
]

/** 1,000 md5 strings reused cyclically (hashing per row would dominate the generator). */
const names: ReadonlyArray<string> = Array.from({ length: 1000 }, (_, i) => createHash("md5").update(String(i)).digest("hex"))

const baseMs = Date.UTC(2024, 0, 1)

/**
 * COPY text for rows `1..rows`, as UTF-8 chunks of `rowsPerChunk` rows.
 *
 * @category generators
 * @since 0.1.0
 */
export const copyChunks = (rows: number, rowsPerChunk = 1000): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let start = 1; start <= rows; start += rowsPerChunk) {
    let text = ""
    const end = Math.min(rows, start + rowsPerChunk - 1)
    for (let i = start; i <= end; i++) {
      text += `${i}\t${names[i % 1000]}\t${new Date(baseMs + i * 1000).toISOString()}\t${i * 1.5}\t${(i * 1.01).toFixed(2)}\n`
    }
    out.push(Buffer.from(text, "utf8"))
  }
  return out
}

/**
 * The INSERT statement for `batch` rows (`$1 … $batch×5`).
 *
 * @category generators
 * @since 0.1.0
 */
export const insertSql = (batch: number): string => {
  const tuples: Array<string> = []
  for (let r = 0; r < batch; r++) {
    const p = r * 5
    tuples.push(`($${p + 1},$${p + 2},$${p + 3},$${p + 4},$${p + 5})`)
  }
  return `insert into ${loadTable} (id, name, created, score, amount) values ${tuples.join(",")}`
}

/**
 * Parameter arrays for rows `1..rows`, `batch` rows (× 5 values) per array, generated lazily.
 * `rows` must be a multiple of `batch`.
 *
 * @category generators
 * @since 0.1.0
 */
export function* insertBatches(rows: number, batch: number): Generator<ReadonlyArray<unknown>> {
  for (let start = 1; start <= rows; start += batch) {
    const params: Array<unknown> = new Array(batch * 5)
    for (let r = 0; r < batch; r++) {
      const i = start + r
      const p = r * 5
      params[p] = i
      params[p + 1] = names[i % 1000]
      params[p + 2] = new Date(baseMs + i * 1000)
      params[p + 3] = i * 1.5
      params[p + 4] = (i * 1.01).toFixed(2)
    }
    yield params
  }
}
