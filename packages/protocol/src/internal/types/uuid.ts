/**
 * The `uuid` codec.
 *
 * Binary form: the 16 bytes. Text form: `a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11`.
 *
 * Values: the lower-case canonical string. Encoders and text decoding accept exactly what
 * `uuid_in` accepts — 32 hex digits in either case, a `-` allowed after any group of four digits,
 * optionally wrapped in `{…}` — and reject everything else with a CodecError.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"

const OID = Oid.uuid
const NAME = "uuid"

/** Two lower-case hex digits for every byte value. */
const HEX: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16))

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

const invalid = (): never => fail(`${NAME}: invalid input syntax`, OID, NAME)

/**
 * Parses `uuid_in`'s syntax into `out[0..16)`; throws a CodecError on anything else.
 */
const parseInto = (v: string, out: Uint8Array): void => {
  if (typeof v !== "string") {
    fail(`${NAME}: expected a string, got ${v === null ? "null" : typeof v}`, OID, NAME)
  }
  const n = v.length
  let i = 0
  const braces = v.charCodeAt(0) === 123
  if (braces) i = 1
  for (let k = 0; k < 16; k++) {
    if (i + 1 >= n) return invalid()
    const hi = hexValue(v.charCodeAt(i))
    const lo = hexValue(v.charCodeAt(i + 1))
    if ((hi | lo) < 0) return invalid()
    out[k] = (hi << 4) | lo
    i += 2
    if ((k & 1) === 1 && k < 15 && v.charCodeAt(i) === 45) i++
  }
  if (braces) {
    if (v.charCodeAt(i) !== 125) return invalid()
    i++
  }
  if (i !== n) return invalid()
}

const format = (b: Uint8Array, o: number): string =>
  HEX[b[o]!]! + HEX[b[o + 1]!]! + HEX[b[o + 2]!]! + HEX[b[o + 3]!]! + "-" + HEX[b[o + 4]!]! + HEX[b[o + 5]!]! + "-" +
  HEX[b[o + 6]!]! + HEX[b[o + 7]!]! + "-" + HEX[b[o + 8]!]! + HEX[b[o + 9]!]! + "-" + HEX[b[o + 10]!]! +
  HEX[b[o + 11]!]! + HEX[b[o + 12]!]! + HEX[b[o + 13]!]! + HEX[b[o + 14]!]! + HEX[b[o + 15]!]!

/** Whether `t` is already the lower-case canonical form. */
const isCanonical = (t: string): boolean => {
  if (t.length !== 36) return false
  for (let i = 0; i < 36; i++) {
    const c = t.charCodeAt(i)
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return false
    }
  }
  return true
}

const canonical = (t: string): string => {
  if (isCanonical(t)) return t
  const bytes = new Uint8Array(16)
  parseInto(t, bytes)
  return format(bytes, 0)
}

const encodeBinary = (v: string, w: PgWriter): void => {
  w.ensure(16)
  const at = w.length
  parseInto(v, w.buffer.subarray(at, at + 16))
  w.length = at + 16
}

/**
 * `uuid` ⇄ lower-case canonical `string`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const uuid: Codec<string> = make<string>({
  oid: OID,
  name: NAME,
  decodeBinary: (b, o, len) => (len === 16 ? format(b, o) : fail(`${NAME}: expected 16 bytes, got ${len}`, OID, NAME)),
  encodeBinary,
  decodeText: canonical,
  encodeText: canonical
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [uuid]
