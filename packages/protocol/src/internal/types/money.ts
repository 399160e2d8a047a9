/**
 * The `money` codec.
 *
 * Binary form: int8, the amount in the currency's minor unit (cents). Text form: formatted by the
 * server's `lc_monetary` locale (`$1,234.56`, `-$1.00`, `($1.00)`, `1.234,56 €`, `¥1,235`).
 *
 * Values: `bigint` minor units. Text decoding keeps every digit and drops everything else: the
 * server always prints exactly the locale's number of fraction digits, so the digits read as one
 * integer are the minor units whatever the locale, separators or symbol; a `-` or `(` anywhere
 * makes it negative.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import { readBigInt64, toInt64, writeInt64 } from "./int.ts"

const OID = Oid.money
const NAME = "money"
const MIN = -(2n ** 63n)
const MAX = 2n ** 63n - 1n

/**
 * What the money encoders accept: minor units as a `bigint` or a safe-integer `number`.
 *
 * @category models
 * @since 0.1.0
 */
export type MoneyInput = bigint | number

const toMinorUnits = (value: MoneyInput): number | bigint => {
  if (typeof value !== "bigint" && typeof value !== "number") {
    return fail(`${NAME}: expected a bigint or integer number of minor units, got ${typeof value}`, OID, NAME)
  }
  return toInt64(value, MIN, MAX, OID, NAME)
}

const decodeText = (text: string): bigint => {
  let digits = ""
  let neg = false
  let run = -1
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (run < 0) run = i
      continue
    }
    if (run >= 0) {
      digits += text.slice(run, i)
      run = -1
    }
    if (c === 45 || c === 40) neg = true
  }
  if (run >= 0) digits += text.slice(run)
  if (digits.length === 0) return fail(`${NAME}: no digits in text value`, OID, NAME)
  const v = BigInt(digits)
  const r = neg ? -v : v
  if (r < MIN || r > MAX) return fail(`${NAME}: value out of range`, OID, NAME)
  return r
}

/**
 * `money` ⇄ `bigint` minor units (cents); encoders also accept a safe-integer `number`.
 *
 * **Gotchas**
 * The text encoding writes a plain decimal with two fraction digits (`-1234.56` for `-123456n`),
 * which `cash_in` reads in any locale whose currency has two fraction digits. For a locale with
 * another number (JPY has 0), use the binary format, which carries minor units exactly.
 *
 * @category codecs
 * @since 0.1.0
 */
export const money: Codec<bigint, MoneyInput> = make<bigint, MoneyInput>({
  oid: OID,
  name: NAME,
  decodeBinary: (b, o, len) =>
    len === 8 ? readBigInt64(b, o) : fail(`${NAME}: expected 8 bytes, got ${len}`, OID, NAME),
  encodeBinary: (v, w) => writeInt64(w, toMinorUnits(v)),
  decodeText,
  encodeText: (v) => {
    const units = BigInt(toMinorUnits(v))
    const neg = units < 0n
    const abs = (neg ? -units : units).toString().padStart(3, "0")
    return (neg ? "-" : "") + abs.slice(0, -2) + "." + abs.slice(-2)
  }
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [money]
