/**
 * Scanning primitives and calendar arithmetic shared by the date/time parsers: `PgDateTime`'s
 * ISO / `postgres` parsers and the other DateStyle and IntervalStyle parsers of
 * `dateTimeStyles.ts`.
 *
 * A parse keeps its position and the date fields scanned so far in one {@link Scan}; every
 * helper throws the `CodecError` of the type being parsed (never echoing the value).
 *
 * @since 0.1.0
 */
import { fail } from "../PgCodec.ts"
import { Oid } from "../PgOid.ts"

export const SECONDS_PER_DAY = 86_400
export const MICROS_PER_SECOND = 1_000_000
/** 4714-11-24 00:00:00 BC, the first timestamp PostgreSQL accepts, in seconds since 1970. */
export const MIN_EPOCH_SECONDS = -210_866_803_200
/** 294276-12-31 23:59:59 (plus up to 999,999 µs), the last timestamp, in seconds since 1970. */
export const MAX_EPOCH_SECONDS = 9_224_318_015_999
/** PostgreSQL accepts UTC offsets up to ±15:59:59. */
export const MAX_OFFSET_SECONDS = 57_599

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, astronomical years)
// ---------------------------------------------------------------------------------------------

/**
 * Whether `year` (astronomical: 0 is 1 BC) is a leap year in the proleptic Gregorian calendar.
 *
 * @category utils
 * @since 0.1.0
 */
export const isLeapYear = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)

/**
 * The number of days in `month` (1 … 12) of `year` (astronomical).
 *
 * @category utils
 * @since 0.1.0
 */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/** Days since 1970-01-01 of a valid civil date (400-year eras, March-based years). */
export const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

export interface Civil {
  readonly year: number
  readonly month: number
  readonly day: number
}

/** The civil date of a day count since 1970-01-01 (inverse of {@link daysFromCivil}). */
export const civilFromDays = (days: number): Civil => {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

// ---------------------------------------------------------------------------------------------
// Scanning
// ---------------------------------------------------------------------------------------------

export const CH_PLUS = 43
export const CH_MINUS = 45
export const CH_DOT = 46
export const CH_COLON = 58
export const CH_SPACE = 32
export const CH_T = 84
export const CH_Z = 90
export const CH_t = 116
export const CH_z = 122

/** A parse position plus the fields scanned so far; one per parse, never shared. */
export interface Scan {
  readonly s: string
  readonly type: TypeName
  i: number
  year: number
  month: number
  day: number
  /** Whether the year had an explicit sign (ISO 8601 expanded form). */
  signedYear: boolean
}

export const scan = (s: string, type: TypeName): Scan => ({
  s,
  type,
  i: 0,
  year: 0,
  month: 0,
  day: 0,
  signedYear: false
})

export type TypeName = "date" | "time" | "timetz" | "timestamp" | "timestamptz" | "interval"

/** Throws the `CodecError` of a malformed or out-of-range value (never echoing the value). */
export const invalid = (type: TypeName, why: string): never => fail(`invalid ${type} value: ${why}`, Oid[type], type)

export const checkText = (text: unknown, type: TypeName): string => {
  if (typeof text !== "string") return invalid(type, "expected a string")
  if (text.length > 128) return invalid(type, `text too long (${text.length} characters)`)
  return text
}

/** Reads `min` … `max` decimal digits. */
export const digits = (c: Scan, min: number, max: number, what: string): number => {
  const s = c.s
  const start = c.i
  const end = Math.min(s.length, start + max)
  let i = start
  let n = 0
  while (i < end) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    n = n * 10 + d
    i++
  }
  if (i - start < min) invalid(c.type, `malformed ${what}`)
  c.i = i
  return n
}

export const expect = (c: Scan, ch: number, what: string): void => {
  if (c.s.charCodeAt(c.i) !== ch) invalid(c.type, `malformed ${what}`)
  c.i++
}

/** Which infinity `s` spells (1, -1), or 0. */
export const infinity = (s: string): number =>
  s === "infinity" || s === "+infinity" ? 1 : s === "-infinity" ? -1 : 0

/** `[±]YYYY-MM-DD` into `c.year/month/day` (not yet validated; BC comes later). */
export const scanDate = (c: Scan): void => {
  const ch = c.s.charCodeAt(c.i)
  if (ch === CH_PLUS || ch === CH_MINUS) {
    c.i++
    c.signedYear = true
    const y = digits(c, 4, 7, "year")
    c.year = ch === CH_MINUS ? -y : y
  } else {
    c.year = digits(c, 4, 7, "year")
  }
  expect(c, CH_MINUS, "date")
  c.month = digits(c, 2, 2, "month")
  expect(c, CH_MINUS, "date")
  c.day = digits(c, 2, 2, "day")
}

/** Consumes a trailing ` BC` if present. */
export const scanBc = (c: Scan): boolean => {
  const s = c.s
  const i = c.i
  if (
    s.length === i + 3 && s.charCodeAt(i) === CH_SPACE && (s.charCodeAt(i + 1) | 32) === 98 &&
    (s.charCodeAt(i + 2) | 32) === 99
  ) {
    c.i = i + 3
    return true
  }
  return false
}

/** Validates the scanned date (applying BC) and returns its days since 1970-01-01. */
export const dateDays = (c: Scan, bc: boolean): number => {
  let year = c.year
  if (bc) {
    if (c.signedYear || year === 0) invalid(c.type, "BC with a year that is not positive")
    year = 1 - year
  }
  const month = c.month
  if (month < 1 || month > 12) invalid(c.type, "month out of range")
  if (c.day < 1 || c.day > daysInMonth(year, month)) invalid(c.type, "day out of range")
  return daysFromCivil(year, month, c.day)
}

/** `HH:MM[:SS[.f…]]` → microseconds of the day; `24:00:00` and leap second `:60` allowed. */
export const scanClock = (c: Scan): number => {
  const h = digits(c, 2, 2, "hour")
  expect(c, CH_COLON, "time")
  const m = digits(c, 2, 2, "minute")
  let sec = 0
  let micros = 0
  if (c.s.charCodeAt(c.i) === CH_COLON) {
    c.i++
    sec = digits(c, 2, 2, "second")
    if (c.s.charCodeAt(c.i) === CH_DOT) {
      c.i++
      const start = c.i
      micros = digits(c, 1, 6, "fractional seconds")
      const d = c.s.charCodeAt(c.i)
      if (d >= 48 && d <= 57) invalid(c.type, "more than 6 fractional digits")
      for (let n = c.i - start; n < 6; n++) micros *= 10
    }
  }
  if (m > 59 || sec > 60 || h > 24 || (h === 24 && (m !== 0 || sec !== 0 || micros !== 0))) {
    invalid(c.type, "time field out of range")
  }
  return ((h * 60 + m) * 60 + sec) * MICROS_PER_SECOND + micros
}

/** `Z`, `±HH`, `±HH:MM`, `±HH:MM:SS` → seconds east of UTC; `undefined` when absent. */
export const scanOffset = (c: Scan): number | undefined => {
  const ch = c.s.charCodeAt(c.i)
  if (ch === CH_Z || ch === CH_z) {
    c.i++
    return 0
  }
  if (ch !== CH_PLUS && ch !== CH_MINUS) return undefined
  c.i++
  const h = digits(c, 2, 2, "UTC offset")
  let m = 0
  let s = 0
  if (c.s.charCodeAt(c.i) === CH_COLON) {
    c.i++
    m = digits(c, 2, 2, "UTC offset")
    if (c.s.charCodeAt(c.i) === CH_COLON) {
      c.i++
      s = digits(c, 2, 2, "UTC offset")
    }
  }
  if (m > 59 || s > 59) invalid(c.type, "UTC offset out of range")
  const total = h * 3600 + m * 60 + s
  if (total > MAX_OFFSET_SECONDS) invalid(c.type, "UTC offset out of range")
  return ch === CH_MINUS ? -total : total
}

export const expectEnd = (c: Scan): void => {
  if (c.i !== c.s.length) invalid(c.type, "unexpected trailing characters")
}

export const isDigit = (ch: number): boolean => ch >= 48 && ch <= 57

/** An optional sign: -1, 1. */
export const sign = (c: Scan): number => {
  const ch = c.s.charCodeAt(c.i)
  if (ch === CH_MINUS || ch === CH_PLUS) {
    c.i++
    return ch === CH_MINUS ? -1 : 1
  }
  return 1
}

/** Digits after a `.`, as microseconds (1 … 6 digits). */
export const microsFraction = (c: Scan): number => {
  if (c.s.charCodeAt(c.i) !== CH_DOT) return 0
  c.i++
  const start = c.i
  let micros = digits(c, 1, 6, "fractional seconds")
  if (isDigit(c.s.charCodeAt(c.i))) invalid(c.type, "more than 6 fractional digits")
  for (let n = c.i - start; n < 6; n++) micros *= 10
  return micros
}
