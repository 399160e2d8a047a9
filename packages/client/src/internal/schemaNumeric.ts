/**
 * Text helpers for `PgSchema`'s numeric schemas: the check for the exact text PostgreSQL prints
 * for a `numeric` (`numeric_out`), and exact conversions between that text and `BigDecimal`.
 *
 * Written as character loops rather than regular expressions: they run once per decoded field.
 *
 * @since 0.1.0
 */
import * as BigDecimal from "effect/BigDecimal"

const CH_0 = 48
const CH_9 = 57
const CH_MINUS = 45
const CH_DOT = 46

/** Reads a run of digits from `i`; returns the index after it. */
const skipDigits = (s: string, i: number): number => {
  const n = s.length
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c < CH_0 || c > CH_9) break
    i++
  }
  return i
}

/**
 * Whether `s` is a numeric in the form the server prints it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`
 * without a negative zero, or `NaN`, `Infinity`, `-Infinity`.
 *
 * @internal
 */
export const isCanonicalNumeric = (s: string): boolean => {
  if (s === "NaN" || s === "Infinity" || s === "-Infinity") return true
  const n = s.length
  let i = 0
  const negative = s.charCodeAt(0) === CH_MINUS
  if (negative) i++
  const intStart = i
  i = skipDigits(s, i)
  const intLength = i - intStart
  if (intLength === 0) return false
  if (intLength > 1 && s.charCodeAt(intStart) === CH_0) return false
  let allZero = intLength === 1 && s.charCodeAt(intStart) === CH_0
  if (i < n) {
    if (s.charCodeAt(i) !== CH_DOT) return false
    const fracStart = i + 1
    i = skipDigits(s, fracStart)
    if (i === fracStart || i !== n) return false
    if (allZero) {
      for (let j = fracStart; j < n; j++) {
        if (s.charCodeAt(j) !== CH_0) {
          allZero = false
          break
        }
      }
    }
  }
  return !(negative && allZero)
}

/**
 * The `BigDecimal` of a finite canonical numeric (see {@link isCanonicalNumeric}); the scale is
 * the number of digits after the point, so `"1.50"` has value `150n` and scale 2.
 *
 * @internal
 */
export const bigDecimalFromNumeric = (s: string): BigDecimal.BigDecimal => {
  const dot = s.indexOf(".")
  return dot === -1
    ? BigDecimal.make(BigInt(s), 0)
    : BigDecimal.make(BigInt(s.slice(0, dot) + s.slice(dot + 1)), s.length - dot - 1)
}

/**
 * The canonical numeric text of a `BigDecimal`, keeping its scale: `make(150n, 2)` prints
 * `"1.50"`; a negative scale prints trailing zeros (`make(15n, -2)` is `"1500"`). Never uses
 * an exponent, never prints `-0`.
 *
 * @internal
 */
export const numericFromBigDecimal = (bd: BigDecimal.BigDecimal): string => {
  const value = bd.value
  const scale = bd.scale
  const negative = value < 0n
  let digits = (negative ? -value : value).toString()
  if (scale <= 0) {
    if (value === 0n) return "0"
    digits = scale === 0 ? digits : digits + "0".repeat(-scale)
  } else {
    if (digits.length <= scale) digits = "0".repeat(scale - digits.length + 1) + digits
    const point = digits.length - scale
    digits = digits.slice(0, point) + "." + digits.slice(point)
  }
  return negative ? "-" + digits : digits
}

/**
 * The canonical numeric text of a JavaScript number: its shortest round-trip decimal written
 * without an exponent (`1e21` → `"1000000000000000000000"`, `1e-7` → `"0.0000001"`), `-0` as
 * `"0"`, and `NaN`, `Infinity`, `-Infinity` as such.
 *
 * @internal
 */
export const numericFromNumber = (n: number): string => {
  if (Number.isNaN(n)) return "NaN"
  if (n === Infinity) return "Infinity"
  if (n === -Infinity) return "-Infinity"
  if (n === 0) return "0"
  const s = "" + n
  if (s.indexOf("e") === -1) return s
  return numericFromBigDecimal(BigDecimal.fromStringUnsafe(s))
}
