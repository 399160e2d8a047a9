/**
 * Record codecs: the anonymous `record` type and named composite types.
 *
 * Binary (`record_send`): int32 field count, then per field uint32 type OID, int32 length
 * (-1 = NULL) and the field's binary form. Dropped columns are not sent.
 *
 * Text (`record_out`): `(1,"a b",)`: fields separated by commas, NULL as nothing, a field quoted
 * with `"` when it is empty or contains a quote, backslash, parenthesis, comma or white space,
 * with `"` and `\` doubled inside the quotes. On input (`record_in`) a backslash also escapes the
 * next character, quoted and unquoted runs may be mixed, and white space is kept.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { readInt32, readUint32 } from "../bytes.ts"
import type { Fail } from "./literal.ts"
import { failer, quoteLiteral, readMember, skipSpace, specials } from "./literal.ts"

const CH_COMMA = 44
const CH_LPAREN = 40
const CH_RPAREN = 41

const isFieldEnd = (c: number): boolean => c === CH_COMMA || c === CH_RPAREN

/** What makes `record_out` quote a field, besides white space, `"` and `\`. */
const FIELD_SPECIALS = specials("(),")

/**
 * Splits a record literal into its fields' text (`null` for NULL), as `record_in` reads it.
 *
 * **Details**
 * `(,)` is two NULLs, `("")` one empty string. `()` reads as one NULL field (the server prints a
 * one-column NULL row that way; a zero-column row prints the same).
 *
 * @category internal
 * @since 0.1.0
 */
export const parseRecordText = (text: string, fail: Fail): Array<string | null> => {
  let i = skipSpace(text, 0)
  if (text.charCodeAt(i) !== CH_LPAREN) fail("record literal must start with \"(\"")
  i++
  const fields: Array<string | null> = []
  for (;;) {
    const field = readMember(text, i, isFieldEnd, fail, "unexpected end of record literal")
    fields.push(field.text)
    i = field.end
    const c = text.charCodeAt(i)
    i++
    if (c === CH_RPAREN) break
    if (c !== CH_COMMA) fail("unexpected end of record literal")
  }
  if (skipSpace(text, i) !== text.length) fail("junk after right parenthesis of record literal")
  return fields
}

/**
 * Quotes a field's text as `record_out` does.
 *
 * @category internal
 * @since 0.1.0
 */
export const quoteRecordField = (s: string): string => quoteLiteral(s, FIELD_SPECIALS, "double")

/**
 * The codec of the anonymous `record` type (OID 2249), e.g. `select row(1, 'a')`.
 *
 * **Details**
 * - Binary: each field is decoded by the codec `lookup` returns for its OID; a field whose type
 *   has no binary decoder there comes back as a `Uint8Array` copy of its bytes (the raw binary
 *   form — ask for the record in text format to get strings instead).
 * - Text: fields carry no type, so they come back as strings (`null` for NULL).
 * - Encoding: `encodeText` builds a literal from strings, numbers, bigints and booleans (for a
 *   `$1::mytype` cast with an untyped parameter). The server cannot receive anonymous records,
 *   so `encodeBinary` always throws; use a composite codec instead.
 *
 * @category constructors
 * @since 0.1.0
 */
export const recordCodec = (
  lookup: (oid: number) => Codec | undefined,
  oid = 2249,
  name = "record"
): Codec<ReadonlyArray<unknown>, ReadonlyArray<unknown>> => {
  const fail = failer(oid, name)
  return {
    oid,
    name,
    decodeBinary: (bytes, offset, length) => {
      const end = offset + length
      if (length < 4) fail("record truncated")
      const count = readInt32(bytes, offset)
      let pos = offset + 4
      if (count < 0 || count > (end - pos) / 8) fail(`invalid record field count: ${count}`)
      const out = new Array<unknown>(count)
      for (let k = 0; k < count; k++) {
        if (pos + 8 > end) fail("record field header truncated")
        const fieldOid = readUint32(bytes, pos)
        const len = readInt32(bytes, pos + 4)
        pos += 8
        if (len === -1) {
          out[k] = null
          continue
        }
        if (len < 0 || len > end - pos) fail(`invalid record field length: ${len}`)
        const codec = lookup(fieldOid)
        const decode = codec?.decodeBinary
        out[k] = decode === undefined ? bytes.slice(pos, pos + len) : decode(bytes, pos, len)
        pos += len
      }
      if (pos !== end) fail("trailing bytes after record")
      return out
    },
    encodeBinary: () => fail("the server cannot receive an anonymous record; use a composite type"),
    decodeText: (text) => parseRecordText(text, fail),
    encodeText: (values) => {
      if (!Array.isArray(values)) return fail("expected an array of field values")
      let out = "("
      for (let k = 0; k < values.length; k++) {
        if (k > 0) out += ","
        const v: unknown = values[k]
        if (v === null || v === undefined) continue
        const t = typeof v
        if (t === "string") out += quoteRecordField(v as string)
        else if (t === "number" || t === "bigint" || t === "boolean") out += quoteRecordField(String(v))
        else fail("anonymous record fields must be strings, numbers, bigints, booleans or null")
      }
      return out + ")"
    }
  }
}

/**
 * One field of a composite type.
 *
 * @category models
 * @since 0.1.0
 */
export interface CompositeField {
  /** The attribute name (the key in the decoded object). */
  readonly name: string
  /** The attribute type's codec; its `oid` must be the attribute's type OID. */
  readonly type: Codec
}

/**
 * The codec of a named composite type (a table row type or `create type … as (…)`).
 *
 * **Details**
 * - Values are objects keyed by field name; on encoding a missing (`undefined`) or `null`
 *   field is NULL.
 * - Binary decoding checks the field count and that each field's OID is the declared type's
 *   OID (as `record_recv` does); the binary functions exist only when every field codec has them.
 * - Text decoding decodes each field with its codec's `decodeText`.
 * - `fields` must list the live (non-dropped) attributes in `attnum` order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const compositeCodec = (
  oid: number,
  name: string,
  fields: ReadonlyArray<CompositeField>
): Codec<{ readonly [field: string]: unknown }, { readonly [field: string]: unknown }> => {
  const fail = failer(oid, name)
  const count = fields.length
  const names = fields.map((f) => f.name)
  const types = fields.map((f) => f.type)
  const oids = types.map((t) => t.oid)
  const decoders = types.map((t) => t.decodeBinary)
  const encoders = types.map((t) => t.encodeBinary)
  const binaryDecode = decoders.every((d) => d !== undefined)
  const binaryEncode = encoders.every((e) => e !== undefined)

  const decodeBinary = (bytes: Uint8Array, offset: number, length: number): { readonly [field: string]: unknown } => {
    const end = offset + length
    if (length < 4) fail("record truncated")
    const n = readInt32(bytes, offset)
    if (n !== count) fail(`wrong number of record fields: ${n}, expected ${count}`)
    let pos = offset + 4
    const out: Record<string, unknown> = {}
    for (let k = 0; k < count; k++) {
      if (pos + 8 > end) fail("record field header truncated")
      const fieldOid = readUint32(bytes, pos)
      const len = readInt32(bytes, pos + 4)
      pos += 8
      if (fieldOid !== oids[k]) fail(`wrong type for field ${names[k]}: ${fieldOid}, expected ${oids[k]}`)
      if (len === -1) {
        out[names[k]!] = null
        continue
      }
      if (len < 0 || len > end - pos) fail(`invalid record field length: ${len}`)
      out[names[k]!] = decoders[k]!(bytes, pos, len)
      pos += len
    }
    if (pos !== end) fail("trailing bytes after record")
    return out
  }

  const encodeBinary = (value: { readonly [field: string]: unknown }, writer: PgWriter): void => {
    if (typeof value !== "object" || value === null) return fail("expected an object")
    writer.i32(count)
    for (let k = 0; k < count; k++) {
      writer.u32(oids[k]!)
      const v = value[names[k]!]
      if (v === null || v === undefined) {
        writer.i32(-1)
        continue
      }
      const at = writer.beginLength()
      encoders[k]!(v, writer)
      writer.endLength(at, false)
    }
  }

  return {
    oid,
    name,
    decodeBinary: binaryDecode ? decodeBinary : undefined,
    encodeBinary: binaryEncode ? encodeBinary : undefined,
    decodeText: (text) => {
      const raw = parseRecordText(text, fail)
      // `()` is one NULL field, or no field at all for a zero-column type.
      if (count === 0 && raw.length === 1 && raw[0] === null) return {}
      if (raw.length !== count) fail(`wrong number of record fields: ${raw.length}, expected ${count}`)
      const out: Record<string, unknown> = {}
      for (let k = 0; k < count; k++) {
        const s = raw[k]!
        out[names[k]!] = s === null ? null : types[k]!.decodeText(s)
      }
      return out
    },
    encodeText: (value) => {
      if (typeof value !== "object" || value === null) return fail("expected an object")
      let out = "("
      for (let k = 0; k < count; k++) {
        if (k > 0) out += ","
        const v = value[names[k]!]
        if (v === null || v === undefined) continue
        out += quoteRecordField(types[k]!.encodeText(v))
      }
      return out + ")"
    }
  }
}
