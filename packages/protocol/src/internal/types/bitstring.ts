/**
 * Codecs for the bit string types `bit(n)` and `bit varying(n)` (`varbit`).
 *
 * Binary form (`bit_send` / `varbit_send`, identical for both): int32 length in bits, then the
 * bits packed most significant first into `ceil(length / 8)` bytes, the unused low bits of the
 * last byte zero.
 *
 * Values are strings of `0` and `1`, as the server prints them. The encoders also accept the
 * input syntax `B0101` and `X1F` (hex, four bits per digit), as `bit_in` does. A `bit(n)` column
 * checks the length on the server; nothing is padded or truncated here.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { readInt32 } from "../bytes.ts"

/** The eight-character bit string of every byte value. */
const BYTE_BITS: ReadonlyArray<string> = Array.from({ length: 256 }, (_, v) => v.toString(2).padStart(8, "0"))

const decode = (oid: number, name: string) => (b: Uint8Array, o: number, len: number): string => {
  if (len < 4) return fail(`${name}: expected at least 4 bytes, got ${len}`, oid, name)
  const bits = readInt32(b, o)
  if (bits < 0 || len !== 4 + ((bits + 7) >>> 3)) {
    return fail(`${name}: bit length does not match the field length`, oid, name)
  }
  const full = bits >>> 3
  const rem = bits & 7
  let s = ""
  let p = o + 4
  for (const end = p + full; p < end; p++) s += BYTE_BITS[b[p]!]
  if (rem !== 0) s += BYTE_BITS[b[p]!]!.slice(0, rem)
  return s
}

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

const encode = (oid: number, name: string) => (v: string, w: PgWriter): void => {
  if (typeof v !== "string") fail(`${name}: expected a string, got ${typeof v}`, oid, name)
  const n = v.length
  const c0 = n > 0 ? v.charCodeAt(0) | 0x20 : 0
  if (c0 === 120) {
    // X: hexadecimal, four bits per digit. Validate first so nothing is written on failure.
    for (let i = 1; i < n; i++) {
      if (hexValue(v.charCodeAt(i)) < 0) fail(`${name}: invalid hexadecimal digit`, oid, name)
    }
    const digits = n - 1
    w.i32(digits * 4)
    w.ensure((digits + 1) >> 1)
    const buf = w.buffer
    let p = w.length
    for (let i = 1; i < n; i += 2) {
      buf[p++] = (hexValue(v.charCodeAt(i)) << 4) | (i + 1 < n ? hexValue(v.charCodeAt(i + 1)) : 0)
    }
    w.length = p
    return
  }
  const start = c0 === 98 ? 1 : 0 // B: binary digits
  for (let i = start; i < n; i++) {
    const c = v.charCodeAt(i)
    if (c !== 48 && c !== 49) fail(`${name}: invalid binary digit`, oid, name)
  }
  const bits = n - start
  w.i32(bits)
  w.ensure((bits + 7) >>> 3)
  const buf = w.buffer
  let p = w.length
  let acc = 0
  let k = 0
  for (let i = start; i < n; i++) {
    if (v.charCodeAt(i) === 49) acc |= 0x80 >> k
    if (++k === 8) {
      buf[p++] = acc
      acc = 0
      k = 0
    }
  }
  if (k !== 0) buf[p++] = acc
  w.length = p
}

const encodeText = (oid: number, name: string) => (v: string): string =>
  typeof v === "string" ? v : fail(`${name}: expected a string, got ${typeof v}`, oid, name)

const bitStringCodec = (oid: number, name: string): Codec<string> =>
  make<string>({
    oid,
    name,
    decodeBinary: decode(oid, name),
    encodeBinary: encode(oid, name),
    decodeText: (t) => t,
    encodeText: encodeText(oid, name)
  })

/**
 * `bit(n)` ⇄ `string` of `0`/`1` (`"10110"`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const bit: Codec<string> = bitStringCodec(Oid.bit, "bit")

/**
 * `bit varying(n)` ⇄ `string` of `0`/`1` (`"10110"`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const varbit: Codec<string> = bitStringCodec(Oid.varbit, "varbit")

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [bit, varbit]
