/**
 * The `float4` (real) and `float8` (double precision) codecs.
 *
 * Binary form: big-endian IEEE 754 single / double. Text form: the server prints the shortest
 * string that reads back to the same value (`extra_float_digits = 1`, the default since
 * PostgreSQL 12), `NaN`, `Infinity`, `-Infinity` and `-0`.
 *
 * Values: `number`, with NaN, ±Infinity and -0 kept. A float4 is widened exactly to a double; its
 * text form is read as the nearest float4 (`Math.fround`), so both formats decode to the same
 * number.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import { readFloat32, readFloat64 } from "../bytes.ts"
import { formatFloat8 } from "./geometric.ts"

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

/**
 * `float8in`'s spellings that `Number` does not read: `nan`, `inf`, `infinity` in any case with an
 * optional sign (none for NaN), surrounding whitespace. Off the hot path.
 */
const parseSpecial = (text: string, oid: number, name: string): number => {
  let i = 0
  let n = text.length
  while (i < n && isSpace(text.charCodeAt(i))) i++
  while (n > i && isSpace(text.charCodeAt(n - 1))) n--
  const w = text.slice(i, n).toLowerCase()
  if (w === "nan") return Number.NaN
  if (w === "inf" || w === "infinity" || w === "+inf" || w === "+infinity") return Number.POSITIVE_INFINITY
  if (w === "-inf" || w === "-infinity") return Number.NEGATIVE_INFINITY
  return fail(`${name}: invalid input syntax`, oid, name)
}

/**
 * Reads a float's text form. `Number` reads every form the server prints (`1e+21`, `-0`,
 * `Infinity`, `NaN`); what it accepts beyond PostgreSQL's syntax (blank strings, other Unicode
 * spaces, `0x…` / `0o…` / `0b…` literals, overflow to Infinity) is rejected.
 */
const parseFloatText = (text: string, oid: number, name: string): number => {
  const n = text.length
  if (n === 0) return fail(`${name}: invalid input syntax`, oid, name)
  const v = Number(text)
  if (v !== v) return text === "NaN" ? v : parseSpecial(text, oid, name)
  const c0 = text.charCodeAt(0)
  if (isSpace(c0) || isSpace(text.charCodeAt(n - 1))) {
    let i = 0
    let j = n
    while (i < j && isSpace(text.charCodeAt(i))) i++
    while (j > i && isSpace(text.charCodeAt(j - 1))) j--
    return parseFloatText(text.slice(i, j), oid, name)
  }
  // A number starts with a digit, a point, a sign or the I of Infinity.
  if (!((c0 >= 48 && c0 <= 57) || c0 === 46 || c0 === 45 || c0 === 43 || c0 === 73)) {
    return fail(`${name}: invalid input syntax`, oid, name)
  }
  if (c0 === 48 && n > 1) {
    const c1 = text.charCodeAt(1) | 0x20
    if (c1 === 120 || c1 === 111 || c1 === 98) return fail(`${name}: invalid input syntax`, oid, name)
  }
  if (v - v !== 0 && text.charCodeAt(n - 1) !== 121) return fail(`${name}: value out of range`, oid, name)
  return v
}

const floatText = (oid: number, name: string) => (v: number): string => {
  if (typeof v !== "number") return fail(`${name}: expected a number, got ${typeof v}`, oid, name)
  // String(-0) is "0": keep the sign, which the server keeps too.
  return v === 0 && 1 / v < 0 ? "-0" : "" + v
}

/**
 * `float4` (real) ⇄ `number`.
 *
 * **Gotchas**
 * Encoding a finite number that overflows a float4, or a non-zero number that underflows to 0,
 * throws a CodecError (the server's `float4in` rejects both); other values round to the nearest
 * float4. The text encoding sends the number's full double-precision digits and lets the server
 * round once.
 *
 * @category codecs
 * @since 0.1.0
 */
export const float4: Codec<number> = make<number>({
  oid: Oid.float4,
  name: "float4",
  decodeBinary: (b, o, len) =>
    len === 4 ? readFloat32(b, o) : fail(`float4: expected 4 bytes, got ${len}`, Oid.float4, "float4"),
  encodeBinary: (v, w) => {
    if (typeof v !== "number") fail(`float4: expected a number, got ${typeof v}`, Oid.float4, "float4")
    const f = Math.fround(v)
    if ((f === 0 && v !== 0) || (f - f !== 0 && v - v === 0)) {
      fail("float4: value out of range", Oid.float4, "float4")
    }
    w.f32(f)
  },
  decodeText: (t) => Math.fround(parseFloatText(t, Oid.float4, "float4")),
  encodeText: floatText(Oid.float4, "float4")
})

/**
 * `float8` (double precision) ⇄ `number`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const float8: Codec<number> = make<number>({
  oid: Oid.float8,
  name: "float8",
  decodeBinary: (b, o, len) =>
    len === 8 ? readFloat64(b, o) : fail(`float8: expected 8 bytes, got ${len}`, Oid.float8, "float8"),
  encodeBinary: (v, w) => {
    if (typeof v !== "number") fail(`float8: expected a number, got ${typeof v}`, Oid.float8, "float8")
    w.f64(v)
  },
  decodeText: (t) => parseFloatText(t, Oid.float8, "float8"),
  // Exactly the server's own float8out text (a text parameter then reads back as the same value
  // and compares equal to what the server prints).
  encodeText: (v: number): string =>
    typeof v === "number" ? formatFloat8(v) : fail(`float8: expected a number, got ${typeof v}`, Oid.float8, "float8")
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [float4, float8]
