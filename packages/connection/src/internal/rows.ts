/**
 * Turning DataRow bytes into row values: the hottest path of every query.
 *
 * For each RowDescription a row builder is generated once: a function with one local per
 * column that walks the field lengths and calls each column's decoder directly, then returns an
 * object literal with the column names as keys. The literal gives every row of a result the
 * same hidden class from the start, with no per-field dynamic key assignment — the cost that
 * dominates object building in text-decoding drivers.
 */
import type { Codec } from "@pgfx/protocol/PgCodec"
import * as PgBackend from "@pgfx/protocol/PgBackend"

/** A column decoder: binary or text depending on the field's format. */
export type FieldDecoder = (bytes: Uint8Array, offset: number, length: number) => unknown


/** Picks the decoder for one field from its codec and the format the server used. */
export const fieldDecoder = (codec: Codec, format: 0 | 1): FieldDecoder => {
  if (format === 1) {
    const decode = codec.decodeBinary
    if (decode !== undefined) return decode
    // The server sent binary for a type we cannot decode in binary: give the raw bytes.
    return (bytes, offset, length) => bytes.slice(offset, offset + length)
  }
  const decodeText = codec.decodeText
  return (bytes, offset, length) => decodeText(PgBackend.readUtf8(bytes, offset, offset + length))
}


/** How rows are shaped. */
export type RowMode = "object" | "array"

/** Builds one row from a DataRow. */
export type RowBuilder = (bytes: Uint8Array, start: number) => any

const identifierSafe = /^[A-Za-z_$][\w$]*$/

/**
 * Generates the row builder for one result shape.
 *
 * Column names come from the server and may be anything: they are embedded as JSON string
 * literals, and `__proto__` uses a computed key so it defines an own property instead of
 * setting the prototype. Duplicate names: the last column wins (as in most drivers); use array
 * mode to keep every column.
 */
export const makeRowBuilder = (
  names: ReadonlyArray<string>,
  decoders: ReadonlyArray<FieldDecoder>,
  mode: RowMode
): RowBuilder => {
  const n = decoders.length
  let body = "let len, p = start;\n"
  for (let i = 0; i < n; i++) {
    body += `let v${i} = null;\n`
    body +=
      `len = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]; p += 4;\n` +
      `if (len >= 0) { v${i} = d${i}(b, p, len); p += len; }\n`
  }
  if (mode === "array") {
    body += `return [${Array.from({ length: n }, (_, i) => `v${i}`).join(", ")}];`
  } else {
    const entries: Array<string> = []
    const seen = new Map<string, number>()
    for (let i = 0; i < n; i++) seen.set(names[i]!, i)
    for (const [name, i] of seen) {
      const key = name === "__proto__" ? `[${JSON.stringify(name)}]` : identifierSafe.test(name) ? name : JSON.stringify(name)
      entries.push(`${key}: v${i}`)
    }
    body += `return { ${entries.join(", ")} };`
  }
  const params = Array.from({ length: n }, (_, i) => `d${i}`)
  // eslint-disable-next-line no-new-func
  const factory = new Function(...params, `return function buildRow(b, start) {\n${body}\n}`) as (
    ...decoders: ReadonlyArray<FieldDecoder>
  ) => RowBuilder
  return factory(...decoders)
}

/** The decoders and generated row builder of one result shape. */
export interface RowShape {
  readonly decoders: ReadonlyArray<FieldDecoder>
  readonly build: RowBuilder
}

/**
 * Row shapes by (column names, types, formats, row mode), for one type registry. Generating a
 * row builder compiles a function, far too costly to repeat for every execution of a statement:
 * each shape is built once and reused (bounded: the cache is emptied past 1024 shapes).
 */
export class RowShapes {
  private readonly shapes = new Map<string, RowShape>()
  /**
   * Shapes by the identity of a fields array that is kept and reused (a cached statement's
   * bound fields), so executing a known statement skips building the string key of `get`.
   */
  private readonly byFields = new WeakMap<ReadonlyArray<PgBackend.FieldDescription>, { object?: RowShape; array?: RowShape }>()
  readonly lookup: (oid: number) => Codec

  constructor(lookup: (oid: number) => Codec) {
    this.lookup = lookup
  }

  /**
   * As `get`, memoised on the identity of `fields`: only for arrays that are never mutated and
   * are passed again and again (not for each RowDescription's fresh array).
   */
  known(fields: ReadonlyArray<PgBackend.FieldDescription>, mode: RowMode): RowShape {
    let entry = this.byFields.get(fields)
    if (entry === undefined) {
      entry = {}
      this.byFields.set(fields, entry)
    }
    return (mode === "array" ? entry.array : entry.object) ?? (entry[mode] = this.get(fields, mode))
  }

  get(fields: ReadonlyArray<PgBackend.FieldDescription>, mode: RowMode): RowShape {
    let key = mode === "array" ? "a" : "o"
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!
      key += "\u0000" + f.typeOid + "\u0001" + f.format + "\u0001" + f.name
    }
    let shape = this.shapes.get(key)
    if (shape === undefined) {
      const decoders = new Array<FieldDecoder>(fields.length)
      const names = new Array<string>(fields.length)
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!
        decoders[i] = fieldDecoder(this.lookup(f.typeOid), f.format)
        names[i] = f.name
      }
      shape = { decoders, build: makeRowBuilder(names, decoders, mode) }
      if (this.shapes.size >= 1024) this.shapes.clear()
      this.shapes.set(key, shape)
    }
    return shape
  }
}

/**
 * After a row failed to build, finds which column failed (for the error message) by decoding
 * the fields one at a time.
 */
export const findFailingColumn = (
  row: PgBackend.DataRow,
  decoders: ReadonlyArray<FieldDecoder>
): { readonly index: number; readonly cause: unknown } => {
  const b = row.bytes
  let p = row.start
  for (let i = 0; i < row.fieldCount; i++) {
    const len = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!
    p += 4
    if (len >= 0) {
      try {
        decoders[i]!(b, p, len)
      } catch (cause) {
        return { index: i, cause }
      }
      p += len
    }
  }
  return { index: -1, cause: undefined }
}
