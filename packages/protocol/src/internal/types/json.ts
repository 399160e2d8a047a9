/**
 * The `json`, `jsonb` and `jsonpath` codecs.
 *
 * Binary forms: `json` is its text; `jsonb` and `jsonpath` are a version byte (1) followed by the
 * text. Text forms: the document (`jsonb` normalised by the server: keys sorted, whitespace
 * canonical) or the path expression.
 *
 * Values: json/jsonb decode with `JSON.parse` and encode with `JSON.stringify`; jsonpath is a
 * `string`.
 *
 * **Gotchas**
 * - Numbers become JS doubles: integers beyond 2^53 and long decimals lose precision on decode
 *   (read such columns as text, e.g. `col::text`, to keep them exact).
 * - A `bigint` anywhere in an encoded value throws a CodecError (JSON has no bigint; convert it
 *   to a number or string first). So do `undefined`, functions and symbols at the top level, and
 *   cycles. Nested `undefined` properties are dropped and `NaN` becomes `null`, as
 *   `JSON.stringify` does.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { utf8Slice } from "../bytes.ts"

/**
 * A parsed JSON value.
 *
 * @category models
 * @since 0.1.0
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

/** The version byte of the jsonb and jsonpath binary formats. */
const VERSION = 1

const parse = (text: string, oid: number, name: string): JsonValue => {
  try {
    return JSON.parse(text)
  } catch {
    return fail(`${name}: invalid JSON`, oid, name)
  }
}

const stringify = (value: unknown, oid: number, name: string): string => {
  let out: string | undefined
  try {
    out = JSON.stringify(value)
  } catch (e) {
    const bigint = e instanceof TypeError && /bigint/i.test(e.message)
    return fail(
      bigint
        ? `${name}: a bigint cannot be serialised to JSON; convert it to a number or string first`
        : `${name}: value cannot be serialised to JSON (cyclic or a throwing toJSON)`,
      oid,
      name
    )
  }
  if (out === undefined) return fail(`${name}: value is not JSON-serialisable (${typeof value})`, oid, name)
  return out
}

const badVersion = (name: string, oid: number): never => fail(`${name}: unsupported binary format version`, oid, name)

/**
 * `json` ⇄ parsed JSON value; encoders accept anything `JSON.stringify` serialises.
 *
 * @category codecs
 * @since 0.1.0
 */
export const json: Codec<JsonValue, unknown> = make<JsonValue, unknown>({
  oid: Oid.json,
  name: "json",
  decodeBinary: (b, o, len) => parse(utf8Slice(b, o, o + len), Oid.json, "json"),
  encodeBinary: (v, w) => {
    w.string(stringify(v, Oid.json, "json"))
  },
  decodeText: (t) => parse(t, Oid.json, "json"),
  encodeText: (v) => stringify(v, Oid.json, "json")
})

/**
 * `jsonb` ⇄ parsed JSON value; encoders accept anything `JSON.stringify` serialises.
 *
 * @category codecs
 * @since 0.1.0
 */
export const jsonb: Codec<JsonValue, unknown> = make<JsonValue, unknown>({
  oid: Oid.jsonb,
  name: "jsonb",
  decodeBinary: (b, o, len) =>
    len >= 1 && b[o] === VERSION ? parse(utf8Slice(b, o + 1, o + len), Oid.jsonb, "jsonb") : badVersion("jsonb", Oid.jsonb),
  encodeBinary: (v, w) => {
    const s = stringify(v, Oid.jsonb, "jsonb")
    w.u8(VERSION)
    w.string(s)
  },
  decodeText: (t) => parse(t, Oid.jsonb, "jsonb"),
  encodeText: (v) => stringify(v, Oid.jsonb, "jsonb")
})

const writeJsonPath = (v: string, w: PgWriter): void => {
  if (typeof v !== "string") fail(`jsonpath: expected a string, got ${typeof v}`, Oid.jsonpath, "jsonpath")
  w.u8(VERSION)
  w.string(v)
}

/**
 * `jsonpath` ⇄ `string` (the path expression; the server normalises it, e.g. `$.a` → `$."a"`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const jsonpath: Codec<string> = make<string>({
  oid: Oid.jsonpath,
  name: "jsonpath",
  decodeBinary: (b, o, len) =>
    len >= 1 && b[o] === VERSION ? utf8Slice(b, o + 1, o + len) : badVersion("jsonpath", Oid.jsonpath),
  encodeBinary: writeJsonPath,
  decodeText: (t) => t,
  encodeText: (v) =>
    typeof v === "string" ? v : fail(`jsonpath: expected a string, got ${typeof v}`, Oid.jsonpath, "jsonpath")
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [json, jsonb, jsonpath]
