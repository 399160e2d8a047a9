/**
 * Parameter encoding.
 *
 * - Typed (a prepared statement's ParameterDescription, or explicit OIDs): each value goes
 *   through its type's codec, binary where the codec has a binary form, text otherwise.
 * - Untyped (unnamed statements without annotations): values are sent in text with type 0, so
 *   the server infers each type from the statement exactly as it would for a quoted literal.
 */
import type { Codec } from "@pgfx/protocol/PgCodec"
import type { FormatCode, ParamEncoder } from "@pgfx/protocol/PgFrontend"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import type { PgWriter } from "@pgfx/protocol/PgWriter"

/** The numeric codec (its text form of a BigDecimal-shaped value). */
const numericCodec = PgTypes.getOrText(PgTypes.builtins, Oid.numeric)

/** Formats and encoders for a Bind. */
export interface BoundParams {
  readonly formats: ReadonlyArray<FormatCode>
  readonly encoders: ReadonlyArray<ParamEncoder>
}

const textEncoderOf = (codec: Codec): ParamEncoder => {
  const encodeText = codec.encodeText
  return (value: unknown, writer: PgWriter) => {
    writer.string(encodeText(value))
  }
}

/** Per-codec Bind encoders, cached so a statement's encoders are built once. */
const binaryCache = new WeakMap<Codec, ParamEncoder>()
const textCache = new WeakMap<Codec, ParamEncoder>()

/** The encoder and format for one codec: binary when available. */
export const paramEncoder = (codec: Codec): { readonly format: FormatCode; readonly encode: ParamEncoder } => {
  if (codec.encodeBinary !== undefined) {
    let enc = binaryCache.get(codec)
    if (enc === undefined) {
      enc = codec.encodeBinary as ParamEncoder
      binaryCache.set(codec, enc)
    }
    return { format: 1, encode: enc }
  }
  let enc = textCache.get(codec)
  if (enc === undefined) {
    enc = textEncoderOf(codec)
    textCache.set(codec, enc)
  }
  return { format: 0, encode: enc }
}

/** Formats and encoders for typed parameters. */
export const typedParams = (codecs: ReadonlyArray<Codec>): BoundParams => {
  const formats = new Array<FormatCode>(codecs.length)
  const encoders = new Array<ParamEncoder>(codecs.length)
  for (let i = 0; i < codecs.length; i++) {
    const p = paramEncoder(codecs[i]!)
    formats[i] = p.format
    encoders[i] = p.encode
  }
  return { formats, encoders }
}

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/**
 * The text form of a JS value for a parameter of unknown type (the server infers the type).
 * Throws a TypeError for values with no sensible text form (functions, symbols).
 */
export const textParam = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return value
    case "number":
      return Number.isNaN(value) ? "NaN" : value === Infinity ? "Infinity" : value === -Infinity ? "-Infinity" : String(value)
    case "bigint":
      return value.toString()
    case "boolean":
      return value ? "t" : "f"
    case "object": {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new TypeError("invalid Date")
        return value.toISOString()
      }
      if (value instanceof Uint8Array) {
        let s = "\\x"
        for (let i = 0; i < value.length; i++) s += hex[value[i]!]
        return s
      }
      if (Array.isArray(value)) return arrayLiteral(value)
      // Effect's DateTime (Utc or Zoned) and BigDecimal, by shape.
      const tag = (value as { _tag?: unknown } | null)?._tag
      if ((tag === "Utc" || tag === "Zoned") && typeof (value as { epochMilliseconds?: unknown }).epochMilliseconds === "number") {
        return new Date((value as { epochMilliseconds: number }).epochMilliseconds).toISOString()
      }
      if (
        value !== null && typeof (value as { value?: unknown }).value === "bigint" &&
        Number.isInteger((value as { scale?: unknown }).scale)
      ) {
        return numericCodec.encodeText(value as { value: bigint; scale: number })
      }
      if (value !== null && typeof (value as { toPostgres?: unknown }).toPostgres === "function") {
        return String((value as { toPostgres: () => unknown }).toPostgres())
      }
      // Values with their own PostgreSQL text form (PgTimestamp, PgInterval, PgRange, …).
      if (value !== null && Object.getPrototypeOf(value) !== Object.prototype && hasOwnToString(value)) {
        return String(value)
      }
      return JSON.stringify(value)
    }
    default:
      throw new TypeError(`cannot send a ${typeof value} as a parameter`)
  }
}

const hasOwnToString = (value: object): boolean => {
  let proto = Object.getPrototypeOf(value)
  while (proto !== null && proto !== Object.prototype) {
    if (Object.prototype.hasOwnProperty.call(proto, "toString")) return true
    proto = Object.getPrototypeOf(proto)
  }
  return false
}

const needsQuote = /[{}",\\\s]|^$|^null$/i

/** An array literal (`{1,2,"a b",NULL}`) for an untyped array parameter. */
const arrayLiteral = (values: ReadonlyArray<unknown>): string => {
  let s = "{"
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += ","
    const v = values[i]
    if (v === null || v === undefined) s += "NULL"
    else if (Array.isArray(v)) s += arrayLiteral(v)
    else {
      const t = textParam(v)
      s += needsQuote.test(t) ? `"${t.replace(/[\\"]/g, "\\$&")}"` : t
    }
  }
  return s + "}"
}

/** Encoder for untyped text parameters. */
export const untypedEncoder: ParamEncoder = (value: unknown, writer: PgWriter) => {
  writer.string(textParam(value))
}
