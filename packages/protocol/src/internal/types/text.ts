/**
 * String codecs: text, varchar, bpchar, name, "char", unknown, xml, refcursor, cstring, and a
 * text fallback for types without a codec.
 *
 * The binary form of these types is the text itself in the client encoding (pgfx always uses
 * UTF-8), so both formats decode to the same `string`. `bpchar` keeps its blank padding as the
 * server sends it. `"char"` is a single byte, see {@link char}.
 *
 * **Gotchas**
 * PostgreSQL text cannot hold NUL (U+0000); the server rejects it with its own error. Lone
 * surrogates in a JS string are sent as U+FFFD.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import { utf8Slice } from "../bytes.ts"

/** Longest identifier `namerecv` takes, in bytes (NAMEDATALEN - 1). */
const NAME_MAX_BYTES = 63

const notString = (value: unknown, oid: number, name: string): never =>
  fail(`${name}: expected a string, got ${value === null ? "null" : typeof value}`, oid, name)

const identity = (t: string): string => t

/** A codec whose binary form is its text's UTF-8 bytes. */
const utf8Codec = (oid: number, name: string): Codec<string> =>
  make<string>({
    oid,
    name,
    decodeBinary: (b, o, len) => utf8Slice(b, o, o + len),
    encodeBinary: (v, w) => {
      if (typeof v !== "string") notString(v, oid, name)
      w.string(v)
    },
    decodeText: identity,
    encodeText: (v) => (typeof v === "string" ? v : notString(v, oid, name))
  })

/**
 * `text` ⇄ `string`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const text: Codec<string> = utf8Codec(Oid.text, "text")

/**
 * `varchar` (character varying) ⇄ `string`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const varchar: Codec<string> = utf8Codec(Oid.varchar, "varchar")

/**
 * `bpchar` (character(n)) ⇄ `string`, trailing blanks kept as the server sends them.
 *
 * @category codecs
 * @since 0.1.0
 */
export const bpchar: Codec<string> = utf8Codec(Oid.bpchar, "bpchar")

/**
 * `name` (63-byte identifier) ⇄ `string`.
 *
 * **Gotchas**
 * Binary encoding of more than 63 UTF-8 bytes throws a CodecError (`namerecv` would reject it);
 * the text input silently truncates instead, as the server does.
 *
 * @category codecs
 * @since 0.1.0
 */
export const name: Codec<string> = make<string>({
  oid: Oid.name,
  name: "name",
  decodeBinary: (b, o, len) => utf8Slice(b, o, o + len),
  encodeBinary: (v, w) => {
    if (typeof v !== "string") notString(v, Oid.name, "name")
    const start = w.length
    w.string(v)
    if (w.length - start > NAME_MAX_BYTES) {
      w.length = start
      fail(`name: longer than ${NAME_MAX_BYTES} bytes`, Oid.name, "name")
    }
  },
  decodeText: identity,
  encodeText: (v) => (typeof v === "string" ? v : notString(v, Oid.name, "name"))
})

const OCTAL_DIGIT = (c: number): boolean => c >= 48 && c <= 55

/** `charout`: byte 0 → `""`, ASCII → itself, a byte ≥ 0x80 → `\ooo` (three octal digits). */
const charOut = (byte: number): string =>
  byte === 0 ? "" : byte < 0x80 ? String.fromCharCode(byte) : "\\" + byte.toString(8)

/** The byte of a `"char"` value in the form {@link charOut} produces. */
const charByte = (v: string): number => {
  if (typeof v !== "string") return notString(v, Oid.char, "char")
  if (v.length === 0) return 0
  if (v.length === 1) {
    const c = v.charCodeAt(0)
    if (c < 0x80) return c
  } else if (
    v.length === 4 && v.charCodeAt(0) === 92 && v.charCodeAt(1) >= 48 && v.charCodeAt(1) <= 51 &&
    OCTAL_DIGIT(v.charCodeAt(2)) && OCTAL_DIGIT(v.charCodeAt(3))
  ) {
    return parseInt(v.slice(1), 8)
  }
  return fail(
    "char: expected \"\", one ASCII character, or \\ooo (three octal digits) for a byte ≥ 0x80",
    Oid.char,
    "char"
  )
}

/**
 * `"char"` (the internal one-byte type, OID 18) ⇄ `string`.
 *
 * **Details**
 * The value is one byte, not a character: byte 0 is `""`, ASCII bytes are themselves, and bytes
 * ≥ 0x80 (not UTF-8 on their own) are `\ooo` — backslash and three octal digits, as `charout`
 * prints them — so text and binary decode alike. Encoders accept exactly those three forms.
 *
 * @category codecs
 * @since 0.1.0
 */
export const char: Codec<string> = make<string>({
  oid: Oid.char,
  name: "char",
  decodeBinary: (b, o, len) => (len === 1 ? charOut(b[o]!) : fail(`char: expected 1 byte, got ${len}`, Oid.char, "char")),
  encodeBinary: (v, w) => {
    w.u8(charByte(v))
  },
  decodeText: identity,
  encodeText: (v) => charOut(charByte(v))
})

/**
 * `unknown` (untyped literals) ⇄ `string`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const unknown: Codec<string> = utf8Codec(Oid.unknown, "unknown")

/**
 * `xml` ⇄ `string` (the document's text; the server checks well-formedness on input).
 *
 * @category codecs
 * @since 0.1.0
 */
export const xml: Codec<string> = utf8Codec(Oid.xml, "xml")

/**
 * `refcursor` (a cursor's name) ⇄ `string`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const refcursor: Codec<string> = utf8Codec(Oid.refcursor, "refcursor")

/**
 * `cstring` (pseudo-type of I/O functions) ⇄ `string`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const cstring: Codec<string> = utf8Codec(Oid.cstring, "cstring")

/**
 * Options of {@link textFallback}.
 *
 * @category models
 * @since 0.1.0
 */
export interface TextFallbackOptions {
  /** Leave the binary functions out, so callers always use the text format. Default `false`. */
  readonly textOnly?: boolean | undefined
}

/**
 * A codec that passes a type's text form through as a `string`, for types that have no codec of
 * their own (extension types, `pg_node_tree`, …).
 *
 * **When to use**
 * Build a registry entry for an OID the registry does not know.
 *
 * **Gotchas**
 * The binary functions read and write the value as UTF-8 text. That is only right for types whose
 * send/receive functions are `textsend`/`textrecv`-like (text bytes); for any other type pass
 * `{ textOnly: true }` (or strip the binary functions) so the text format is used. Types such as
 * `pg_ndistinct`, `pg_dependencies` or `pg_mcv_list` have a non-text binary form.
 *
 * @category constructors
 * @since 0.1.0
 */
export const textFallback = (oid: number, name: string, options?: TextFallbackOptions): Codec<string> =>
  options?.textOnly === true
    ? make<string>({
      oid,
      name,
      decodeText: identity,
      encodeText: (v) => (typeof v === "string" ? v : notString(v, oid, name))
    })
    : utf8Codec(oid, name)

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [text, varchar, bpchar, name, char, unknown, xml, refcursor, cstring]
