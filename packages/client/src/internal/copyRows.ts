/**
 * Row builders for `PgCopy.toRows`.
 *
 * A binary COPY tuple has the layout of a DataRow body, so rows are built the way the connection
 * builds query rows: one generated function per result shape, with a local per column and an
 * object literal (every row gets the same hidden class; no per-field computed-key assignment).
 */
import type { FieldDecoder } from "@pgfx/protocol/PgCopyBinary"

/** Rows as objects keyed by column name, or as arrays in column order. */
export type RowMode = "object" | "array"

/** Builds one row from a tuple's fields at `bytes[start]`. */
export type TupleBuilder = (bytes: Uint8Array, start: number) => unknown

const identifierSafe = /^[A-Za-z_$][\w$]*$/

/** The object literal `{ name: v0, … }` (last duplicate wins; `__proto__` as an own key). */
const objectLiteral = (names: ReadonlyArray<string>, value: (i: number) => string): string => {
  const seen = new Map<string, number>()
  for (let i = 0; i < names.length; i++) seen.set(names[i]!, i)
  const entries: Array<string> = []
  for (const [name, i] of seen) {
    const key = name === "__proto__" ? `[${JSON.stringify(name)}]` : identifierSafe.test(name) ? name : JSON.stringify(name)
    entries.push(`${key}: ${value(i)}`)
  }
  return `{ ${entries.join(", ")} }`
}

/**
 * Generates the builder of one tuple shape. Field lengths were validated by the decoder, so the
 * walk needs no bounds checks. Decoders throw on malformed fields (see {@link findFailingColumn}).
 */
export const makeTupleBuilder = (
  names: ReadonlyArray<string>,
  decoders: ReadonlyArray<FieldDecoder>,
  mode: RowMode
): TupleBuilder => {
  const n = decoders.length
  let body = "let len, p = start;\n"
  for (let i = 0; i < n; i++) {
    body += `let v${i} = null;\n` +
      `len = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]; p += 4;\n` +
      `if (len >= 0) { v${i} = d${i}(b, p, len); p += len; }\n`
  }
  body += mode === "array"
    ? `return [${Array.from({ length: n }, (_, i) => `v${i}`).join(", ")}];`
    : `return ${objectLiteral(names, (i) => `v${i}`)};`
  const params = Array.from({ length: n }, (_, i) => `d${i}`)
  // oxlint-disable-next-line no-new-func
  const factory = new Function(...params, `return function buildCopyRow(b, start) {\n${body}\n}`) as (
    ...decoders: ReadonlyArray<FieldDecoder>
  ) => TupleBuilder
  return factory(...decoders)
}

/** Generates `(values) => row` for rows decoded field by field (the text format). */
export const makeValuesBuilder = (names: ReadonlyArray<string>, mode: RowMode): (values: Array<unknown>) => unknown => {
  if (mode === "array") return (values) => values
  // oxlint-disable-next-line no-new-func
  return new Function("v", `return ${objectLiteral(names, (i) => `v[${i}]`)};`) as (values: Array<unknown>) => unknown
}

/** After a tuple failed to build: the column whose decoder throws, and its error. */
export const findFailingColumn = (
  bytes: Uint8Array,
  start: number,
  decoders: ReadonlyArray<FieldDecoder>
): { readonly index: number; readonly cause: unknown } => {
  let p = start
  for (let i = 0; i < decoders.length; i++) {
    const len = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!
    p += 4
    if (len >= 0) {
      try {
        decoders[i]!(bytes, p, len)
      } catch (cause) {
        return { index: i, cause }
      }
      p += len
    }
  }
  return { index: -1, cause: undefined }
}
