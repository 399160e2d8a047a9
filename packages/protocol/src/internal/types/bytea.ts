/**
 * The `bytea` codec.
 *
 * Binary form: the bytes themselves. Text form: the hex format `\x0a1b…` (`bytea_output = hex`,
 * the default since PostgreSQL 9.0); the legacy escape format (`abc\\\001`: printable ASCII as
 * is, `\\` for a backslash, `\ooo` octal for other bytes) is decoded too.
 *
 * Values: `Uint8Array`, always an owned copy — never a view that would pin a large network
 * buffer in memory.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import { utf8Slice } from "../bytes.ts"

const OID = Oid.bytea
const NAME = "bytea"

/** Character codes of "0123456789abcdef". */
const HEX_CHARS = new TextEncoder().encode("0123456789abcdef")

/** Value of a hex digit by character code, -1 for anything else (ASCII only). */
const HEX_VALUES = (() => {
  const t = new Int8Array(128).fill(-1)
  for (let i = 0; i < 10; i++) t[48 + i] = i
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i
    t[97 + i] = 10 + i
  }
  return t
})()

const hexValue = (c: number): number => (c < 128 ? HEX_VALUES[c]! : -1)

const invalidHex = (): never => fail(`${NAME}: invalid hexadecimal data`, OID, NAME)

/** `hex_decode` with whitespace between digit pairs; off the hot path. */
const decodeHexSlow = (t: string): Uint8Array => {
  const out = new Uint8Array((t.length - 2) >> 1)
  let k = 0
  for (let i = 2; i < t.length;) {
    const c = t.charCodeAt(i)
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      i++
      continue
    }
    const hi = hexValue(c)
    if (hi < 0) return invalidHex()
    if (i + 1 >= t.length) return fail(`${NAME}: invalid hexadecimal data: odd number of digits`, OID, NAME)
    const lo = hexValue(t.charCodeAt(i + 1))
    if (lo < 0) return invalidHex()
    out[k++] = (hi << 4) | lo
    i += 2
  }
  return k === out.length ? out : out.slice(0, k)
}

const decodeHex = (t: string): Uint8Array => {
  const n = t.length - 2
  if ((n & 1) === 0) {
    const out = new Uint8Array(n >> 1)
    for (let i = 0, j = 2; i < out.length; i++, j += 2) {
      const hi = hexValue(t.charCodeAt(j))
      const lo = hexValue(t.charCodeAt(j + 1))
      if ((hi | lo) < 0) return decodeHexSlow(t)
      out[i] = (hi << 4) | lo
    }
    return out
  }
  return decodeHexSlow(t)
}

const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 55

/** The legacy escape format, read over the UTF-8 bytes of the text as `byteain` does. */
const decodeEscape = (t: string): Uint8Array => {
  const src = new TextEncoder().encode(t)
  const n = src.length
  let count = 0
  for (let i = 0; i < n; count++) {
    if (src[i] !== 92) i++
    else if (src[i + 1]! >= 48 && src[i + 1]! <= 51 && isOctal(src[i + 2]) && isOctal(src[i + 3])) i += 4
    else if (src[i + 1] === 92) i += 2
    else return fail(`${NAME}: invalid input syntax`, OID, NAME)
  }
  if (count === n) return src
  const out = new Uint8Array(count)
  for (let i = 0, k = 0; i < n; k++) {
    if (src[i] !== 92) {
      out[k] = src[i++]!
    } else if (src[i + 1] === 92) {
      out[k] = 92
      i += 2
    } else {
      out[k] = ((src[i + 1]! - 48) << 6) | ((src[i + 2]! - 48) << 3) | (src[i + 3]! - 48)
      i += 4
    }
  }
  return out
}

const notBytes = (value: unknown): never =>
  fail(`${NAME}: expected a Uint8Array, got ${value === null ? "null" : typeof value}`, OID, NAME)

/**
 * `bytea` ⇄ `Uint8Array` (decoded values are owned copies).
 *
 * @category codecs
 * @since 0.1.0
 */
export const bytea: Codec<Uint8Array> = make<Uint8Array>({
  oid: OID,
  name: NAME,
  decodeBinary: (b, o, len) => b.slice(o, o + len),
  encodeBinary: (v, w) => {
    if (!(v instanceof Uint8Array)) notBytes(v)
    w.bytes(v)
  },
  decodeText: (t) => (t.charCodeAt(0) === 92 && t.charCodeAt(1) === 120 ? decodeHex(t) : decodeEscape(t)),
  encodeText: (v) => {
    if (!(v instanceof Uint8Array)) notBytes(v)
    const n = v.length
    const out = new Uint8Array(2 + 2 * n)
    out[0] = 92 // \
    out[1] = 120 // x
    for (let i = 0, j = 2; i < n; i++, j += 2) {
      const byte = v[i]!
      out[j] = HEX_CHARS[byte >> 4]!
      out[j + 1] = HEX_CHARS[byte & 15]!
    }
    return utf8Slice(out, 0, out.length)
  }
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [bytea]
