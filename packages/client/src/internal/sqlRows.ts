/**
 * Row fragments for `PgSql`: the column list and `VALUES` rows of an `INSERT` (`insert`), a
 * `VALUES` list (`values`) and the assignments of an `UPDATE … SET` (`update`).
 *
 * The rows are read when the fragment is built: their cells are copied into a flat array, a
 * missing field (or `undefined`) becoming a marker that compiles to `DEFAULT` or `NULL`. Rows
 * that cannot be used become failure nodes, raised when the statement is compiled.
 *
 * The public documentation of the exports is in `PgSql.ts`.
 *
 * @since 0.1.0
 */
import type { Fragment } from "../PgSql.ts"
import { Fail, missing, Parts, Raw, Rows } from "./sqlCompile.ts"
import { quoteAll, quoteIdentifier } from "./sqlIdentifiers.ts"

/** A non-array object, the only thing a row may be. */
const isRowObject = (u: unknown): u is object => typeof u === "object" && u !== null && !Array.isArray(u)

/** Union of own enumerable keys, in first-seen order. */
const unionKeys = (rows: ReadonlyArray<object>): Array<string> => {
  const first = Object.keys(rows[0])
  if (rows.length === 1) return first
  const seen = new Set(first)
  for (let r = 1; r < rows.length; r++) {
    const keys = Object.keys(rows[r])
    for (let k = 0; k < keys.length; k++) {
      if (!seen.has(keys[k])) {
        seen.add(keys[k])
        first.push(keys[k])
      }
    }
  }
  return first
}

/** A row's field, or `missing` when absent or `undefined`. */
const cellOf = (row: object, column: string): unknown => {
  if (!Object.hasOwn(row, column)) return missing
  const v = (row as Record<string, unknown>)[column]
  return v === undefined ? missing : v
}

/** Snapshot of object rows as flat cells (`missing` for absent or undefined fields). */
const objectCells = (
  rows: ReadonlyArray<unknown>,
  columns: ReadonlyArray<string> | undefined,
  what: string
): { readonly columns: ReadonlyArray<string>; readonly cells: Array<unknown> } | Fail => {
  for (let r = 0; r < rows.length; r++) {
    if (!isRowObject(rows[r])) return new Fail("InvalidRows", `${what}: row ${r + 1} is not an object`)
  }
  const objects = rows as ReadonlyArray<object>
  const cols = columns ?? unionKeys(objects)
  const cells = new Array<unknown>(rows.length * cols.length)
  let k = 0
  for (let r = 0; r < objects.length; r++) {
    const row = objects[r]
    for (let c = 0; c < cols.length; c++) cells[k++] = cellOf(row, cols[c])
  }
  return { columns: cols, cells }
}

/** `PgSql.insert`: `("a", "b") values ($1, $2), …`, missing fields as `DEFAULT`. */
export const insert = <A extends object>(
  rows: A | ReadonlyArray<A>,
  columns?: ReadonlyArray<keyof A & string>
): Fragment => {
  const all: ReadonlyArray<unknown> = Array.isArray(rows) ? rows : [rows]
  if (all.length === 0) return new Fail("EmptyInput", "insert() of no rows")
  const snapshot = objectCells(all, columns, "insert()")
  if (snapshot instanceof Fail) return snapshot
  const width = snapshot.columns.length
  if (width === 0) {
    return all.length === 1
      ? new Raw("default values")
      : new Fail("InvalidRows", `insert() of ${all.length} rows without any column`)
  }
  const names = quoteAll(snapshot.columns, ", ")
  if (names instanceof Fail) return names
  return new Rows("(" + names + ") values ", width, snapshot.cells, "DEFAULT")
}

/** `PgSql.values`: `($1, $2), …` from objects or tuples, missing fields as `NULL`. */
export const values = <A extends object>(
  rows: ReadonlyArray<A>,
  columns?: ReadonlyArray<keyof A & string>
): Fragment => {
  if (!Array.isArray(rows)) return new Fail("InvalidRows", "values() expects an array of rows")
  if (rows.length === 0) return new Fail("EmptyInput", "values() of no rows")
  if (Array.isArray(rows[0])) {
    const width = (rows[0] as ReadonlyArray<unknown>).length
    if (width === 0) return new Fail("InvalidRows", "values(): a row needs at least one column")
    const cells = new Array<unknown>(rows.length * width)
    let k = 0
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as unknown
      if (!Array.isArray(row) || row.length !== width) {
        return new Fail("InvalidRows", `values(): row ${r + 1} is not a tuple of ${width} values like the first row`)
      }
      for (let c = 0; c < width; c++) {
        const v = row[c]
        cells[k++] = v === undefined ? missing : v
      }
    }
    return new Rows("", width, cells, "NULL")
  }
  const snapshot = objectCells(rows, columns, "values()")
  if (snapshot instanceof Fail) return snapshot
  if (snapshot.columns.length === 0) return new Fail("InvalidRows", "values(): the rows have no columns")
  return new Rows("", snapshot.columns.length, snapshot.cells, "NULL")
}

/** `PgSql.update`: `"a" = $1, "b" = $2`, skipping missing fields. */
export const update = <A extends object>(row: A, columns?: ReadonlyArray<keyof A & string>): Fragment => {
  if (!isRowObject(row)) return new Fail("InvalidRows", "update() expects an object")
  const cols: ReadonlyArray<string> = columns ?? Object.keys(row)
  const strings: Array<string> = []
  const vals: Array<unknown> = []
  for (let c = 0; c < cols.length; c++) {
    const v = cellOf(row, cols[c])
    if (v === missing) continue
    const q = quoteIdentifier(cols[c])
    if (typeof q !== "string") return q
    strings.push(vals.length === 0 ? q + " = " : ", " + q + " = ")
    vals.push(v)
  }
  if (vals.length === 0) return new Fail("EmptyInput", "update() has no values to set")
  strings.push("")
  return new Parts(strings, vals)
}
