/**
 * The printing helpers and the few constants shared by the date/time value classes of
 * `PgDateTime` (`pgDate.ts`, `pgTime.ts`, `pgTimestamp.ts`, `pgInterval.ts`): zero padding,
 * PostgreSQL and ISO 8601 years, dates, clocks and UTC offsets.
 *
 * @since 0.1.0
 */
import type { Civil } from "./dateTimeText.ts"
import { MICROS_PER_SECOND } from "./dateTimeText.ts"

/** The range of JavaScript's `Date`, in milliseconds either side of 1970. */
export const MAX_DATE_MILLIS = 8.64e15

export const MICROS_PER_SECOND_N = 1_000_000n

export const inspectSymbol = Symbol.for("nodejs.util.inspect.custom")

export const isInt = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n)

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

export const pad2 = (n: number): string => (n < 10 ? "0" + n : "" + n)

const pad = (n: number, width: number): string => {
  const s = "" + n
  return s.length >= width ? s : "0".repeat(width - s.length) + s
}

/** `.ffffff` with trailing zeros trimmed, or "" for a whole second. */
export const fraction = (micros: number): string => {
  if (micros === 0) return ""
  let width = 6
  while (micros % 10 === 0) {
    micros /= 10
    width--
  }
  return "." + pad(micros, width)
}

/** PostgreSQL's year: at least four digits, BC years counted from 1 (the " BC" is added later). */
export const pgYear = (year: number): string => pad(year > 0 ? year : 1 - year, 4)

/** ISO 8601 year: four digits in 0 … 9999, else a sign and at least six digits. */
export const isoYear = (year: number): string =>
  year >= 0 && year <= 9999 ? pad(year, 4) : (year < 0 ? "-" : "+") + pad(Math.abs(year), 6)

export const pgDate = (c: Civil): string => pgYear(c.year) + "-" + pad2(c.month) + "-" + pad2(c.day)

export const isoDate = (c: Civil): string => isoYear(c.year) + "-" + pad2(c.month) + "-" + pad2(c.day)

/** `HH:MM:SS[.ffffff]` of a microsecond of the day (24:00:00 allowed). */
export const clock = (microsOfDay: number): string => {
  const seconds = Math.floor(microsOfDay / MICROS_PER_SECOND)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds - h * 3600) / 60)
  return pad2(h) + ":" + pad2(m) + ":" + pad2(seconds - h * 3600 - m * 60) +
    fraction(microsOfDay - seconds * MICROS_PER_SECOND)
}

/**
 * A UTC offset (east positive) as `±HH`, then `:MM` when `alwaysMinutes` or not whole hours,
 * then `:SS` when not whole minutes.
 */
const formatOffset = (offsetSeconds: number, alwaysMinutes: boolean): string => {
  const abs = Math.abs(offsetSeconds)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs - h * 3600) / 60)
  const s = abs - h * 3600 - m * 60
  let out = (offsetSeconds >= 0 ? "+" : "-") + pad2(h)
  if (alwaysMinutes || m !== 0 || s !== 0) out += ":" + pad2(m)
  return s !== 0 ? out + ":" + pad2(s) : out
}

/** PostgreSQL's offset: `+05:30`, `-08`, `-04:56:02` (east positive). */
export const pgOffset = (offsetSeconds: number): string => formatOffset(offsetSeconds, false)

/** ISO 8601 offset: `+05:30`, `-08:00`, `+00:00`; seconds only when present (`-04:56:02`). */
export const isoOffset = (offsetSeconds: number): string => formatOffset(offsetSeconds, true)
