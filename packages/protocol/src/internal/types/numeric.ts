/**
 * The `numeric` (decimal) codec.
 *
 * Binary form (`numeric_send`): int16 ndigits, int16 weight, uint16 sign (`0x0000` positive,
 * `0x4000` negative, `0xC000` NaN, `0xD000` +Infinity, `0xF000` -Infinity), uint16 dscale, then
 * `ndigits` base-10000 digits (int16, 0…9999), most significant first; the first digit is worth
 * `10000^weight`. `dscale` is the number of decimal digits shown after the point.
 *
 * Values: a `string` exactly as the server prints it (`numeric_out`): scale kept (`"1.50"`,
 * `"0.000"`), no exponent, no `-0`, and `"NaN"`, `"Infinity"`, `"-Infinity"`. The binary decoder
 * builds that string straight from the base-10000 digits (no BigInt), so both formats decode to
 * the identical string. Encoders also take a `number` (finite → its shortest round-trip decimal;
 * NaN and ±Infinity are sent as such, which needs PostgreSQL 14+ for infinities) and a `bigint`;
 * strings are validated with `numeric_in`'s grammar (PostgreSQL 16+: `_` separators, exponents,
 * `0x`/`0o`/`0b` integers, `inf`/`nan` spellings) and sent in canonical form.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { readInt16, readUint16 } from "../bytes.ts"

const OID = Oid.numeric
const NAME = "numeric"

const SIGN_POS = 0x0000
const SIGN_NEG = 0x4000
const SIGN_NAN = 0xc000
const SIGN_PINF = 0xd000
const SIGN_NINF = 0xf000

/** Largest dscale the storage format holds (`NUMERIC_DSCALE_MAX`). */
const DSCALE_MAX = 0x3fff
/** Largest number of decimal digits before the point (`NUMERIC_WEIGHT_MAX` + 1 groups of 4). */
const INT_DIGITS_MAX = (0x7fff + 1) * 4
/** `numeric_in` rejects exponents beyond ±INT_MAX/2 before anything else. */
const EXPONENT_MAX = 1073741823

const invalid = (): never => fail(`${NAME}: invalid input syntax`, OID, NAME)
const overflow = (): never => fail(`${NAME}: value overflows numeric format`, OID, NAME)

// ---------------------------------------------------------------------------------------------
// Binary decoding

/** A base-10000 digit as exactly four decimal characters. */
const pad4 = (d: number): string => (d >= 1000 ? "" + d : d >= 100 ? "0" + d : d >= 10 ? "00" + d : "000" + d)

const badDigit = (): never => fail(`${NAME}: invalid digit in binary value`, OID, NAME)

const POW10 = [1, 10, 100, 1000]

/**
 * {@link decodeBinary} for values with weight < 3 and dscale ≤ 12: the integer part and the
 * shown fraction digits each fit in 12 decimal digits, so they are accumulated as exact doubles
 * and printed with one number-to-string conversion each.
 */
const decodeSmall = (b: Uint8Array, p: number, ndigits: number, weight: number, sign: number, dscale: number): string => {
  let int = 0
  let i = 0
  for (; i <= weight; i++) {
    let d = 0
    if (i < ndigits) {
      d = readInt16(b, p + 2 * i)
      if (d < 0 || d > 9999) return badDigit()
    }
    int = int * 10000 + d
  }
  let s = "" + int
  let nonzero = int !== 0
  if (dscale > 0) {
    const groups = (dscale + 3) >> 2
    let frac = 0
    for (let g = weight + 1, end = weight + groups; g <= end; g++) {
      let d = 0
      if (g >= 0 && g < ndigits) {
        d = readInt16(b, p + 2 * g)
        if (d < 0 || d > 9999) return badDigit()
      }
      frac = frac * 10000 + d
    }
    // Drop the digits of the last group beyond dscale (numeric_recv truncates them).
    const cut = POW10[groups * 4 - dscale]!
    if (cut !== 1) frac = (frac - (frac % cut)) / cut
    if (frac !== 0) nonzero = true
    const f = "" + frac
    s += f.length === dscale ? "." + f : "." + "0".repeat(dscale - f.length) + f
    i = weight + groups + 1
  }
  // Digits never shown must still be valid.
  for (i = i < 0 ? 0 : i; i < ndigits; i++) {
    const d = readInt16(b, p + 2 * i)
    if (d < 0 || d > 9999) return badDigit()
  }
  return sign === SIGN_NEG && nonzero ? "-" + s : s
}

/**
 * Decodes `numeric_send` bytes to the string `numeric_out` prints for the same value.
 *
 * **Details**
 * Digits hidden by `dscale` are truncated, a negative value whose shown digits are all zero
 * prints without `-`, and leading zero digits are skipped: what `numeric_recv` followed by
 * `numeric_out` produce.
 */
const decodeBinary = (b: Uint8Array, o: number, len: number): string => {
  if (len < 8) return fail(`${NAME}: binary value shorter than its 8-byte header`, OID, NAME)
  const ndigits = readUint16(b, o)
  const weight = readInt16(b, o + 2)
  const sign = readUint16(b, o + 4)
  const dscale = readUint16(b, o + 6)
  if (len !== 8 + 2 * ndigits) {
    return fail(`${NAME}: binary value of ${len} bytes does not hold ${ndigits} digits`, OID, NAME)
  }
  if (sign !== SIGN_POS && sign !== SIGN_NEG) {
    if (sign === SIGN_NAN) return "NaN"
    if (sign === SIGN_PINF) return "Infinity"
    if (sign === SIGN_NINF) return "-Infinity"
    return fail(`${NAME}: invalid sign in binary value`, OID, NAME)
  }
  if (dscale > DSCALE_MAX) return fail(`${NAME}: invalid scale in binary value`, OID, NAME)
  const p = o + 8
  // Fast path: at most 12 digits on each side of the point, built as two exact doubles.
  if (weight < 3 && dscale <= 12) return decodeSmall(b, p, ndigits, weight, sign, dscale)
  let s: string
  let nonzero = false
  // `next` is the index of the first digit not read yet: digits are read in order.
  let next = 0
  // Integer part: digits 0..weight.
  if (weight < 0) {
    s = "0"
  } else {
    s = ""
    for (; next <= weight; next++) {
      if (next >= ndigits) {
        // The remaining groups are zeros.
        if (nonzero) s += "0".repeat((weight - next + 1) * 4)
        break
      }
      const d = readInt16(b, p + 2 * next)
      if (d < 0 || d > 9999) return badDigit()
      if (nonzero) s += pad4(d)
      else if (d !== 0) {
        s = "" + d
        nonzero = true
      }
    }
    if (!nonzero) s = "0"
  }
  // Fraction: dscale digits from the group worth 10000^-1, i.e. digit index weight + 1.
  if (dscale > 0) {
    s += "."
    let remaining = dscale
    let i = weight + 1
    if (i < 0) {
      const zeros = Math.min(-i * 4, remaining)
      s += "0".repeat(zeros)
      remaining -= zeros
      i = 0
    }
    next = i
    for (; remaining > 0 && next < ndigits; next++) {
      const d = readInt16(b, p + 2 * next)
      if (d < 0 || d > 9999) return badDigit()
      if (remaining >= 4) {
        if (d !== 0) nonzero = true
        s += pad4(d)
        remaining -= 4
      } else {
        // Only the leading `remaining` decimal digits of this group are shown.
        const shown = pad4(d).slice(0, remaining)
        if (!nonzero && +shown !== 0) nonzero = true
        s += shown
        remaining = 0
      }
    }
    if (remaining > 0) s += "0".repeat(remaining)
  }
  // Digits never shown must still be valid.
  for (; next < ndigits; next++) {
    const d = readInt16(b, p + 2 * next)
    if (d < 0 || d > 9999) return badDigit()
  }
  return sign === SIGN_NEG && nonzero ? "-" + s : s
}

// ---------------------------------------------------------------------------------------------
// Parsing (numeric_in) and canonical form

/**
 * A parsed finite numeric: the value is `±0.digits × 10^point` shown with `dscale` decimals.
 * `digits` has no leading zeros (it may have trailing ones); `""` is zero.
 */
interface Finite {
  readonly neg: boolean
  readonly digits: string
  /** Number of decimal digits before the point (may be negative or beyond `digits.length`). */
  readonly point: number
  readonly dscale: number
}

type Parsed = Finite | "NaN" | "Infinity" | "-Infinity"

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)
const isDigit = (c: number): boolean => c >= 48 && c <= 57

const NON_DECIMAL = /^(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)$/

/** Builds a {@link Finite} from its mantissa digits, fraction length and exponent, checking limits. */
const finite = (neg: boolean, mantissa: string, fracLen: number, exponent: number): Finite => {
  let z = 0
  while (z < mantissa.length && mantissa.charCodeAt(z) === 48) z++
  const digits = z === 0 ? mantissa : mantissa.slice(z)
  const dscale = Math.max(0, fracLen - exponent)
  if (dscale > DSCALE_MAX) return overflow()
  if (digits.length === 0) return { neg: false, digits, point: 0, dscale }
  const point = mantissa.length - fracLen - z + exponent
  if (point > INT_DIGITS_MAX) return overflow()
  return { neg, digits, point, dscale }
}

/** Parses `numeric_in`'s syntax; throws a CodecError on invalid syntax or overflow. */
const parse = (s: string): Parsed => {
  let i = 0
  let n = s.length
  while (i < n && isSpace(s.charCodeAt(i))) i++
  while (n > i && isSpace(s.charCodeAt(n - 1))) n--
  if (i === n) return invalid()
  let neg = false
  let signed = false
  let c = s.charCodeAt(i)
  if (c === 43 || c === 45) {
    neg = c === 45
    signed = true
    i++
    if (i === n) return invalid()
    c = s.charCodeAt(i)
  }
  if (!isDigit(c) && c !== 46) {
    const w = s.slice(i, n).toLowerCase()
    if (w === "nan" && !signed) return "NaN"
    if (w === "inf" || w === "infinity") return neg ? "-Infinity" : "Infinity"
    return invalid()
  }
  // 0x / 0o / 0b integers.
  if (c === 48 && i + 1 < n) {
    const p = s.charCodeAt(i + 1) | 0x20
    if (p === 120 || p === 111 || p === 98) {
      const body = s.slice(i + 1, n)
      if (!NON_DECIMAL.test(body)) return invalid()
      const v = BigInt("0" + body.replaceAll("_", "").toLowerCase()).toString()
      return finite(neg, v, 0, 0)
    }
  }
  let mantissa = ""
  let run = i
  let fracLen = 0
  let point = false
  let sawDigit = false
  for (; i < n; i++) {
    c = s.charCodeAt(i)
    if (isDigit(c)) {
      sawDigit = true
      if (point) fracLen++
    } else if (c === 46) {
      // One point, never followed by an underscore.
      if (point || s.charCodeAt(i + 1) === 95) return invalid()
      point = true
      mantissa += s.slice(run, i)
      run = i + 1
    } else if (c === 95) {
      // An underscore sits between two digits.
      if (!isDigit(s.charCodeAt(i - 1)) || i + 1 >= n || !isDigit(s.charCodeAt(i + 1))) return invalid()
      mantissa += s.slice(run, i)
      run = i + 1
    } else {
      break
    }
  }
  mantissa += s.slice(run, i)
  if (!sawDigit) return invalid()
  let exponent = 0
  if (i < n) {
    if ((c | 0x20) !== 101) return invalid()
    i++
    let eneg = false
    c = s.charCodeAt(i)
    if (c === 43 || c === 45) {
      eneg = c === 45
      i++
    }
    if (i >= n || !isDigit(s.charCodeAt(i))) return invalid()
    for (; i < n; i++) {
      c = s.charCodeAt(i)
      if (isDigit(c)) {
        // Saturate: anything past the limit is an overflow once the syntax is known to be valid.
        if (exponent <= EXPONENT_MAX) exponent = exponent * 10 + (c - 48)
      } else if (c === 95 && i + 1 < n && isDigit(s.charCodeAt(i + 1))) {
        continue
      } else {
        return invalid()
      }
    }
    if (exponent > EXPONENT_MAX) return overflow()
    if (eneg) exponent = -exponent
  }
  return finite(neg, mantissa, fracLen, exponent)
}

/** `numeric_out` of a parsed value. */
const format = (v: Parsed): string => {
  if (typeof v === "string") return v
  const { digits, dscale, point } = v
  const len = digits.length
  if (len === 0) return dscale > 0 ? "0." + "0".repeat(dscale) : "0"
  let out: string
  if (point <= 0) {
    out = "0." + "0".repeat(-point) + digits + "0".repeat(dscale + point - len)
  } else if (point < len) {
    out = digits.slice(0, point) + "." + digits.slice(point) + "0".repeat(dscale - (len - point))
  } else {
    out = digits + "0".repeat(point - len) + (dscale > 0 ? "." + "0".repeat(dscale) : "")
  }
  return v.neg ? "-" + out : out
}

/** Writes `numeric_send` bytes of a parsed value. */
const write = (v: Parsed, w: PgWriter): void => {
  if (typeof v === "string") {
    w.i16(0)
    w.i16(0)
    w.u16(v === "NaN" ? SIGN_NAN : v === "Infinity" ? SIGN_PINF : SIGN_NINF)
    // numeric_send writes dscale 32 for the infinities (NUMERIC_DSCALE_MASK of its special header
    // word) and 0 for NaN; the server ignores it on receive, but matching keeps the bytes equal.
    w.u16(v === "NaN" ? 0 : 0x20)
    return
  }
  const { digits, dscale, point } = v
  // Trailing zeros are not stored.
  let len = digits.length
  while (len > 0 && digits.charCodeAt(len - 1) === 48) len--
  if (len === 0) {
    w.i16(0)
    w.i16(0)
    w.u16(SIGN_POS)
    w.u16(dscale)
    return
  }
  // Digit j of `digits` is worth 10^(point - 1 - j); group k holds powers 4k … 4k+3.
  const weight = Math.floor((point - 1) / 4)
  const last = Math.floor((point - len) / 4)
  const ndigits = weight - last + 1
  w.i16(ndigits)
  w.i16(weight)
  w.u16(v.neg ? SIGN_NEG : SIGN_POS)
  w.u16(dscale)
  // Index into `digits` of the most significant decimal of the first group (negative: padding).
  let j = point - 1 - (weight * 4 + 3)
  for (let k = 0; k < ndigits; k++) {
    let d = 0
    for (let t = 0; t < 4; t++, j++) d = d * 10 + (j >= 0 && j < len ? digits.charCodeAt(j) - 48 : 0)
    w.i16(d)
  }
}

/**
 * Whether `t` is already in `numeric_out` form: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` without `-0…`, or a
 * special value. Lets text decoding return the server's string as is.
 */
const isCanonical = (t: string): boolean => {
  const n = t.length
  if (n === 0) return false
  let i = 0
  const neg = t.charCodeAt(0) === 45
  if (neg) i = 1
  if (i === n) return false
  let c = t.charCodeAt(i)
  if (c === 48) {
    i++
  } else if (c >= 49 && c <= 57) {
    for (i++; i < n; i++) {
      c = t.charCodeAt(i)
      if (c < 48 || c > 57) break
    }
  } else {
    return t === "NaN" || t === "Infinity" || t === "-Infinity"
  }
  if (i < n) {
    if (t.charCodeAt(i) !== 46 || i + 1 === n) return false
    for (i++; i < n; i++) {
      c = t.charCodeAt(i)
      if (c < 48 || c > 57) return false
    }
  }
  if (neg) {
    // "-0.000" is printed as "0.000".
    for (i = 1; i < n; i++) {
      c = t.charCodeAt(i)
      if (c >= 49 && c <= 57) return true
    }
    return false
  }
  return true
}

/**
 * The string `numeric_out` prints for a numeric written as `text` in any syntax `numeric_in`
 * accepts: `" +1_000.50e1 "` → `"10005.0"`, `"-0.00"` → `"0.00"`, `"inf"` → `"Infinity"`.
 * Throws a CodecError on invalid syntax or a value beyond numeric's range.
 *
 * @category encoding
 * @since 0.1.0
 */
export const canonicalNumeric = (text: string): string => (isCanonical(text) ? text : format(parse(text)))

/**
 * What the numeric encoders accept.
 *
 * @category models
 * @since 0.1.0
 */
export type NumericInput = string | number | bigint | DecimalLike

/**
 * An exact decimal given as an unscaled integer and a scale (`value × 10^-scale`): the shape of
 * Effect's `BigDecimal`, accepted without importing it.
 *
 * @category models
 * @since 0.1.0
 */
export interface DecimalLike {
  readonly value: bigint
  readonly scale: number
}

const isDecimalLike = (u: unknown): u is DecimalLike =>
  typeof u === "object" && u !== null && typeof (u as DecimalLike).value === "bigint" &&
  Number.isInteger((u as DecimalLike).scale)

/** `value × 10^-scale` as plain decimal text. */
const decimalText = ({ scale, value }: DecimalLike): string => {
  const negative = value < 0n
  const digits = (negative ? -value : value).toString()
  let text: string
  if (scale <= 0) text = digits + "0".repeat(-scale)
  else if (digits.length > scale) text = digits.slice(0, digits.length - scale) + "." + digits.slice(digits.length - scale)
  else text = "0." + "0".repeat(scale - digits.length) + digits
  return negative ? "-" + text : text
}

const toParsed = (value: NumericInput): Parsed => {
  if (isDecimalLike(value)) return parse(decimalText(value))
  switch (typeof value) {
    case "string":
      return parse(value)
    case "number":
      if (value !== value) return "NaN"
      if (value === Number.POSITIVE_INFINITY) return "Infinity"
      if (value === Number.NEGATIVE_INFINITY) return "-Infinity"
      // The shortest decimal that reads back to the same double ("1e+21", "1.5e-7" included).
      return parse("" + value)
    case "bigint":
      return parse(value.toString())
    default:
      return fail(`${NAME}: expected a string, number, bigint or BigDecimal, got ${value === null ? "null" : typeof value}`, OID, NAME)
  }
}

/**
 * `numeric` ⇄ `string` in `numeric_out` form; encoders also accept `number` and `bigint`.
 *
 * **Gotchas**
 * - A `number` is sent as the shortest decimal that reads back to the same double: `0.1` is sent
 *   as `0.1`, not as the binary fraction's exact expansion.
 * - `Infinity` / `-Infinity` need PostgreSQL 14 or later (`NaN` works everywhere).
 *
 * @category codecs
 * @since 0.1.0
 */
export const numeric: Codec<string, NumericInput> = make<string, NumericInput>({
  oid: OID,
  name: NAME,
  decodeBinary,
  encodeBinary: (v, w) => write(toParsed(v), w),
  decodeText: canonicalNumeric,
  encodeText: (v) => (typeof v === "string" && isCanonical(v) ? v : format(toParsed(v)))
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [numeric]
