/**
 * Parsers for the text the server prints under every `DateStyle` and `IntervalStyle`, not only
 * the `ISO` / `postgres` pair `PgDateTime`'s own parsers read.
 *
 * **What the server prints** (PostgreSQL 18, `EncodeDateOnly` / `EncodeDateTime` /
 * `EncodeInterval`; `time` and `timetz` print the same under every DateStyle):
 *
 * | DateStyle | date | timestamp(tz) |
 * |---|---|---|
 * | `ISO` | `1997-12-17` | `1997-12-17 07:37:16.5+00` |
 * | `SQL, MDY` (and `YMD`) | `12/17/1997` | `12/17/1997 07:37:16.5 UTC` |
 * | `SQL, DMY` | `17/12/1997` | `17/12/1997 07:37:16.5 UTC` |
 * | `Postgres, MDY` (and `YMD`) | `12-17-1997` | `Wed Dec 17 07:37:16.5 1997 UTC` |
 * | `Postgres, DMY` | `17-12-1997` | `Wed 17 Dec 07:37:16.5 1997 UTC` |
 * | `German` (any order) | `17.12.1997` | `17.12.1997 07:37:16.5 UTC` |
 *
 * BC dates end in ` BC` (after the zone); years have at least four digits; `infinity` and
 * `-infinity` print as themselves.
 *
 * **Every form is recognised from the text itself**: a leading letter is the `Postgres`
 * timestamp form (its month is a name, so its field order needs no setting), two digits then
 * `/`, `.` or `-` are the `SQL`, `German` and `Postgres` date forms, four or more digits are ISO.
 * Only one thing cannot be read from the text: whether the two-digit fields of the `SQL` and
 * `Postgres` date forms are day-first. That is the one input, `dmy`. Recognising the form keeps
 * decoding right in the window where the server already prints a new DateStyle but the client
 * has not yet seen its `ParameterStatus` (the server reports a `SET` only before `ReadyForQuery`).
 *
 * **Zones**: outside ISO the server prints a `timestamptz`'s zone as the abbreviation of the
 * session's `TimeZone` at that instant. `UTC` and `GMT` are 0, and tzdb's numeric abbreviations
 * (`+0545`, `-03`, `+14`, `-00`) are the offset itself. Any other abbreviation (`PST`, `CET`,
 * `IST`, `LMT`, or none when `TimeZone` is a POSIX offset such as `+05:30`) does not say its
 * offset — `IST` alone has three — so the parser throws a `CodecError` saying so rather than
 * guess.
 *
 * **Intervals** are recognised the same way: `@ …` is `postgres_verbose`, `P…` is `iso_8601`,
 * text with unit words is `postgres`, and text of digits and signs only is `sql_standard`
 * (`-1-2`, `+1-2 -3 +4:05:06.5`, `-3 4:05:06`, `0`), whose leading `-` negates every field that
 * has no sign of its own.
 *
 * @since 0.1.0
 */
import { PgDate, PgInterval, PgTimestamp } from "../PgDateTime.ts"
import type { Scan, TypeName } from "./dateTimeText.ts"
import {
  CH_COLON,
  CH_DOT,
  CH_MINUS,
  CH_PLUS,
  CH_SPACE,
  checkText,
  dateDays,
  digits,
  expect,
  expectEnd,
  infinity,
  invalid,
  isDigit,
  MAX_EPOCH_SECONDS,
  MAX_OFFSET_SECONDS,
  MIN_EPOCH_SECONDS,
  MICROS_PER_SECOND,
  microsFraction,
  scan,
  scanBc,
  scanClock,
  scanOffset,
  SECONDS_PER_DAY,
  sign
} from "./dateTimeText.ts"

const CH_SLASH = 47
const CH_AT = 64
const CH_P = 80

const WITH_TZ = { withTimeZone: true } as const
const WITHOUT_TZ = { withTimeZone: false } as const
const LOCAL_INFINITY = PgTimestamp.infinity.toTimestamp()
const LOCAL_NEGATIVE_INFINITY = PgTimestamp.negativeInfinity.toTimestamp()

const isLetter = (ch: number): boolean => ((ch | 32) >= 97 && (ch | 32) <= 122)

/** The number of digits at `i`. */
const digitRun = (s: string, i: number): number => {
  let n = i
  while (isDigit(s.charCodeAt(n))) n++
  return n - i
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/**
 * `AA?BB?YYYY` — the `SQL` (`/`), `German` (`.`) and `Postgres` (`-`) date forms: two-digit
 * day and month in the order the separator and `dmy` say, a year of four or more digits.
 */
const scanNumericDate = (c: Scan, separator: number, dmy: boolean): void => {
  const a = digits(c, 2, 2, "date")
  expect(c, separator, "date")
  const b = digits(c, 2, 2, "date")
  expect(c, separator, "date")
  c.year = digits(c, 4, 7, "year")
  const dayFirst = separator === CH_DOT || dmy
  c.day = dayFirst ? a : b
  c.month = dayFirst ? b : a
}

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"
const WEEKDAYS = "SunMonTueWedThuFriSat"

/** Index of the three-letter English name at `c.i` in `names` (0-based), or throws. */
const scanName = (c: Scan, names: string, what: string): number => {
  const s = c.s
  const i = c.i
  if (i + 3 <= s.length) {
    for (let k = 0; k < names.length; k += 3) {
      if (s.charCodeAt(i) === names.charCodeAt(k) && s.charCodeAt(i + 1) === names.charCodeAt(k + 1) &&
        s.charCodeAt(i + 2) === names.charCodeAt(k + 2)) {
        c.i = i + 3
        return k / 3
      }
    }
  }
  return invalid(c.type, `malformed ${what}`)
}

/** Which date form starts the text: the separator after two digits, or 0 for ISO. */
const numericForm = (s: string): number => {
  if (digitRun(s, 0) !== 2) return 0
  const ch = s.charCodeAt(2)
  return ch === CH_SLASH || ch === CH_DOT || ch === CH_MINUS ? ch : 0
}

/**
 * A `date` as the server prints it under any DateStyle: ISO (`1997-12-17`), `SQL`
 * (`12/17/1997`, `17/12/1997`), `German` (`17.12.1997`), `Postgres` (`12-17-1997`,
 * `17-12-1997`), each with an optional ` BC`, and `infinity` / `-infinity`.
 *
 * @param dmy whether the `SQL` and `Postgres` forms are day-first (DateStyle order `DMY`).
 */
export const parseDate = (text: string, dmy: boolean): PgDate => {
  const s = checkText(text, "date")
  const form = numericForm(s)
  if (form === 0) return PgDate.parse(s)
  const c = scan(s, "date")
  scanNumericDate(c, form, dmy)
  const bc = scanBc(c)
  expectEnd(c)
  return PgDate.fromEpochDays(dateDays(c, bc))
}

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

/** Seconds east of UTC of a numeric zone: `+0545`, `-03`, `+14`, `-00`, `+05:30`, `-04:56:02`. */
const numericZone = (c: Scan, end: number): number => {
  const s = c.s
  const negative = s.charCodeAt(c.i) === CH_MINUS
  c.i++
  const h = digits(c, 2, 2, "time zone")
  let m = 0
  let sec = 0
  if (c.i < end) {
    if (s.charCodeAt(c.i) === CH_COLON) c.i++
    m = digits(c, 2, 2, "time zone")
    if (c.i < end) {
      if (s.charCodeAt(c.i) === CH_COLON) c.i++
      sec = digits(c, 2, 2, "time zone")
    }
  }
  if (c.i !== end || m > 59 || sec > 59) invalid(c.type, "malformed time zone")
  const total = h * 3600 + m * 60 + sec
  if (total > MAX_OFFSET_SECONDS) invalid(c.type, "time zone offset out of range")
  return negative ? -total : total
}

/**
 * The zone after a `timestamptz`'s time in a non-ISO DateStyle, as seconds east of UTC: ` UTC`,
 * ` GMT`, a numeric abbreviation (` +0545`, ` -03`) or an offset right after the seconds
 * (`+05:30`). Throws for an abbreviation that does not say its offset.
 */
const scanZone = (c: Scan, dateStyle: string): number => {
  const s = c.s
  const ch = s.charCodeAt(c.i)
  if (ch === CH_PLUS || ch === CH_MINUS) return scanOffset(c)!
  expect(c, CH_SPACE, "time zone")
  let end = s.indexOf(" ", c.i)
  if (end < 0) end = s.length
  const first = s.charCodeAt(c.i)
  if (first === CH_PLUS || first === CH_MINUS) return numericZone(c, end)
  const zone = s.slice(c.i, end)
  c.i = end
  if (zone === "UTC" || zone === "GMT") return 0
  const shown = zone.length === 0
    ? "no time zone abbreviation"
    : /^[A-Za-z]{1,10}$/.test(zone)
    ? `the time zone abbreviation "${zone}"`
    : "a time zone abbreviation"
  return invalid(
    c.type,
    `DateStyle ${dateStyle} prints ${shown}, which does not give a UTC offset; ` +
      "use binary results, DateStyle ISO, or a TimeZone whose abbreviation is UTC, GMT or numeric"
  )
}

/** Checks the range and builds the timestamp of local fields minus `offset` seconds. */
const finishTimestamp = (
  c: Scan,
  bc: boolean,
  microsOfDay: number,
  offset: number,
  withTimeZone: boolean
): PgTimestamp => {
  const micro = microsOfDay % MICROS_PER_SECOND
  const seconds = dateDays(c, bc) * SECONDS_PER_DAY + (microsOfDay - micro) / MICROS_PER_SECOND - offset
  if (seconds < MIN_EPOCH_SECONDS || seconds > MAX_EPOCH_SECONDS) invalid(c.type, "timestamp out of range")
  return new PgTimestamp(seconds, micro, withTimeZone)
}

/** `AA?BB?YYYY HH:MM:SS[.f][ zone][ BC]` — the `SQL` and `German` timestamp forms. */
const parseNumericTimestamp = (c: Scan, form: number, dmy: boolean, withTimeZone: boolean): PgTimestamp => {
  if (form === CH_MINUS) invalid(c.type, "malformed timestamp")
  scanNumericDate(c, form, dmy)
  expect(c, CH_SPACE, "timestamp")
  const micros = scanClock(c)
  const offset = withTimeZone ? scanZone(c, form === CH_DOT ? "German" : "SQL") : 0
  const bc = scanBc(c)
  expectEnd(c)
  return finishTimestamp(c, bc, micros, offset, withTimeZone)
}

/**
 * `Dow Mon DD HH:MM:SS[.f] YYYY[ zone][ BC]` or `Dow DD Mon …` — the `Postgres` timestamp form
 * (month-first unless the order is `DMY`; the month name says which). The weekday is checked.
 */
const parsePostgresTimestamp = (c: Scan, withTimeZone: boolean): PgTimestamp => {
  const weekday = scanName(c, WEEKDAYS, "weekday")
  expect(c, CH_SPACE, "timestamp")
  if (isLetter(c.s.charCodeAt(c.i))) {
    c.month = scanName(c, MONTHS, "month") + 1
    expect(c, CH_SPACE, "timestamp")
    c.day = digits(c, 2, 2, "day")
  } else {
    c.day = digits(c, 2, 2, "day")
    expect(c, CH_SPACE, "timestamp")
    c.month = scanName(c, MONTHS, "month") + 1
  }
  expect(c, CH_SPACE, "timestamp")
  const micros = scanClock(c)
  expect(c, CH_SPACE, "timestamp")
  c.year = digits(c, 4, 7, "year")
  const offset = withTimeZone ? scanZone(c, "Postgres") : 0
  const bc = scanBc(c)
  expectEnd(c)
  // 1970-01-01 was a Thursday (4).
  const days = dateDays(c, bc)
  if ((((days + 4) % 7) + 7) % 7 !== weekday) invalid(c.type, "weekday does not match the date")
  return finishTimestamp(c, bc, micros, offset, withTimeZone)
}

/**
 * A `timestamp` or `timestamptz` as the server prints it under any DateStyle (see the module
 * header); `infinity` / `-infinity` too.
 *
 * @param dmy whether the `SQL` form is day-first (DateStyle order `DMY`).
 */
export const parseTimestamp = (text: string, withTimeZone: boolean, dmy: boolean): PgTimestamp => {
  const type: TypeName = withTimeZone ? "timestamptz" : "timestamp"
  const s = checkText(text, type)
  const first = s.charCodeAt(0)
  if (isLetter(first)) {
    const inf = infinity(s)
    if (inf !== 0) {
      return withTimeZone
        ? (inf > 0 ? PgTimestamp.infinity : PgTimestamp.negativeInfinity)
        : (inf > 0 ? LOCAL_INFINITY : LOCAL_NEGATIVE_INFINITY)
    }
    return parsePostgresTimestamp(scan(s, type), withTimeZone)
  }
  const form = numericForm(s)
  if (form === 0) return PgTimestamp.parse(s, withTimeZone ? WITH_TZ : WITHOUT_TZ)
  return parseNumericTimestamp(scan(s, type), form, dmy, withTimeZone)
}

// ---------------------------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------------------------

const INT32_MIN = -2_147_483_648
const INT32_MAX = 2_147_483_647
const INT64_MIN = -9_223_372_036_854_775_808n
const INT64_MAX = 9_223_372_036_854_775_807n
const MICROS_PER_HOUR_N = 3_600_000_000n

/** Range-checks the three fields; the sentinels are the infinities. */
const finishInterval = (months: number, days: number, micros: bigint): PgInterval => {
  if (months < INT32_MIN || months > INT32_MAX || days < INT32_MIN || days > INT32_MAX) {
    return invalid("interval", "interval out of range")
  }
  if (micros < INT64_MIN || micros > INT64_MAX) return invalid("interval", "interval out of range")
  if (months === INT32_MAX && days === INT32_MAX && micros === INT64_MAX) return PgInterval.infinity
  if (months === INT32_MIN && days === INT32_MIN && micros === INT64_MIN) return PgInterval.negativeInfinity
  return new PgInterval(months, days, micros)
}

const UNIT_YEAR = 1
const UNIT_MONTH = 2
const UNIT_DAY = 4
const UNIT_HOUR = 8
const UNIT_MINUTE = 16
const UNIT_SECOND = 32

/** The unit bit of a `postgres_verbose` unit word (singular or plural), or 0. */
const verboseUnit = (word: string): number => {
  switch (word) {
    case "year":
    case "years":
      return UNIT_YEAR
    case "mon":
    case "mons":
      return UNIT_MONTH
    case "day":
    case "days":
      return UNIT_DAY
    case "hour":
    case "hours":
      return UNIT_HOUR
    case "min":
    case "mins":
      return UNIT_MINUTE
    case "sec":
    case "secs":
      return UNIT_SECOND
    default:
      return 0
  }
}

/**
 * `@ [-]N unit …[ ago]` or `@ 0`: each field carries its own sign, seconds may have a
 * fraction, and a trailing `ago` negates everything.
 */
const parseVerboseInterval = (s: string): PgInterval => {
  const c = scan(s, "interval")
  const n = s.length
  c.i = 1
  if (s === "@ 0") return PgInterval.zero
  let months = 0
  let days = 0
  let micros = 0n
  let seen = 0
  let ago = false
  while (c.i < n) {
    expect(c, CH_SPACE, "separator")
    if (c.i + 3 === n && s.endsWith("ago") && seen !== 0) {
      ago = true
      c.i = n
      break
    }
    const sg = sign(c)
    const value = digits(c, 1, 10, "number")
    const fraction = microsFraction(c)
    expect(c, CH_SPACE, "number without unit")
    const start = c.i
    while (c.i < n && s.charCodeAt(c.i) !== CH_SPACE) c.i++
    const unit = verboseUnit(s.slice(start, c.i))
    if (unit === 0) invalid("interval", "unknown unit")
    if ((seen & unit) !== 0) invalid("interval", "repeated unit")
    if (fraction !== 0 && unit !== UNIT_SECOND) invalid("interval", "fraction on a unit other than seconds")
    seen |= unit
    const v = sg * value
    if (unit === UNIT_YEAR) months += v * 12
    else if (unit === UNIT_MONTH) months += v
    else if (unit === UNIT_DAY) days += v
    else if (unit === UNIT_HOUR) micros += BigInt(v) * MICROS_PER_HOUR_N
    else if (unit === UNIT_MINUTE) micros += BigInt(v) * 60_000_000n
    else micros += BigInt(sg) * (BigInt(value) * 1_000_000n + BigInt(fraction))
  }
  if (seen === 0) invalid("interval", "empty")
  return ago ? finishInterval(-months + 0, -days + 0, -micros) : finishInterval(months, days, micros)
}

/**
 * `sql_standard`: up to three space-separated fields in this order — years-months `[±]Y-M`,
 * days `[±]D` (always followed by a time), time `[±]H:MM:SS[.f]` — or `0`. A leading `-`
 * negates the fields that carry no sign of their own (the server signs every field of a
 * mixed-sign value).
 */
const parseSqlStandardInterval = (s: string): PgInterval => {
  if (s === "0") return PgInterval.zero
  const c = scan(s, "interval")
  const n = s.length
  let months = 0
  let days = 0
  let micros = 0n
  /** 1 = years-months, 2 = days, 3 = time: fields must come in this order, once each. */
  let last = 0
  let leadingMinus = false
  let signedLater = false
  let fields = 0
  while (c.i < n) {
    if (fields > 0) expect(c, CH_SPACE, "separator")
    const ch = s.charCodeAt(c.i)
    const signed = ch === CH_PLUS || ch === CH_MINUS
    const sg = sign(c)
    if (fields === 0) leadingMinus = ch === CH_MINUS
    else if (signed) signedLater = true
    const value = digits(c, 1, 10, "number")
    const next = s.charCodeAt(c.i)
    let kind: number
    if (next === CH_MINUS) {
      kind = 1
      c.i++
      const m = digits(c, 1, 2, "months")
      if (m > 11) invalid("interval", "months field out of range")
      months = sg * (value * 12 + m)
    } else if (next === CH_COLON) {
      kind = 3
      c.i++
      const m = digits(c, 2, 2, "minutes")
      expect(c, CH_COLON, "time")
      const sec = digits(c, 2, 2, "seconds")
      const fraction = microsFraction(c)
      if (m > 59 || sec > 59) invalid("interval", "time field out of range")
      const total = BigInt(value) * MICROS_PER_HOUR_N + BigInt((m * 60 + sec) * MICROS_PER_SECOND + fraction)
      micros = sg < 0 ? -total : total
    } else {
      kind = 2
      if (next !== CH_SPACE) invalid("interval", "malformed field")
      days = sg * value
    }
    if (kind <= last) invalid("interval", "fields out of order")
    if (last === 2 && kind !== 3) invalid("interval", "days without a time")
    last = kind
    fields++
  }
  if (fields === 0) invalid("interval", "empty")
  if (last === 2) invalid("interval", "days without a time")
  if (leadingMinus && !signedLater) {
    // The leading sign applies to every field; the first one is negative already.
    if (months > 0) months = -months
    if (days > 0) days = -days
    if (micros > 0n) micros = -micros
  }
  return finishInterval(months + 0, days + 0, micros)
}

/** Whether the text has a letter (the `postgres` and `iso_8601` forms do; `sql_standard` never). */
const hasLetter = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (isLetter(s.charCodeAt(i))) return true
  return false
}

/**
 * An `interval` as the server prints it under any IntervalStyle: `postgres`
 * (`1 year 2 mons -3 days +04:05:06.5`), `postgres_verbose` (`@ 1 year 2 mons -3 days 4 hours 5
 * mins 6.5 secs ago`), `sql_standard` (`+1-2 -3 +4:05:06.5`, `-1-2`, `-3 4:05:06`, `0`),
 * `iso_8601` (`P1Y2M-3DT4H5M6.5S`), and `infinity` / `-infinity`.
 */
export const parseInterval = (text: string): PgInterval => {
  const s = checkText(text, "interval")
  const first = s.charCodeAt(0)
  if (first === CH_AT) return parseVerboseInterval(s)
  if (first === CH_P || hasLetter(s)) return PgInterval.parse(s)
  return parseSqlStandardInterval(s)
}
