/**
 * Codecs for `date`, `time`, `timetz`, `timestamp` and `timestamptz`, decoding to the values of
 * `PgDateTime`.
 *
 * Binary forms (`date_send`, `time_send`, `timetz_send`, `timestamp_send`; integer datetimes):
 * - `date`: int32 days since 2000-01-01; INT32_MIN / INT32_MAX are `-infinity` / `infinity`.
 * - `time`: int64 microseconds since midnight, 0 … 86,400,000,000.
 * - `timetz`: int64 microseconds since midnight, then an int32 UTC offset in seconds *west* of
 *   UTC (`+05:30` is stored as -19800), below ±57,600.
 * - `timestamp`, `timestamptz`: int64 microseconds since 2000-01-01 00:00:00 (UTC for
 *   `timestamptz`); INT64_MIN / INT64_MAX are `-infinity` / `infinity`.
 *
 * Text forms are the server's output with `DateStyle=ISO` (see `PgDateTime` for the parsers;
 * `PgTextStyle` has decoders for the other DateStyles). Encoders write ISO (`2024-01-02`,
 * `0044-03-15 12:00:00+00 BC`), which `date_in`, `time_in`, `timetz_in`, `timestamp_in` and
 * `timestamptz_in` read the same under every DateStyle and field order (a year of four or more
 * digits first is never taken for a day or month) and every TimeZone (`timestamptz` text always
 * carries `+00`).
 *
 * **Why the int64 is split by hand**: a `timestamptz` column is the hottest date/time decode. The
 * 64-bit microsecond count is turned into whole seconds and a microsecond with plain double
 * arithmetic that is exact over the whole range (every intermediate stays below 2^53), so a
 * decode allocates one `PgTimestamp` and no `bigint`.
 *
 * Encoders also accept a JavaScript `Date` for `date` (its UTC calendar date), `timestamp` (its
 * UTC wall-clock time) and `timestamptz` (its instant, milliseconds → microseconds).
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { PgDate, PgTime, PgTimestamp, PgTimeTz } from "../../PgDateTime.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { readInt32, readInt64Number, readUint32 } from "../bytes.ts"

/** 2000-01-01 in days since 1970-01-01. */
const PG_EPOCH_DAYS = 10_957
/** 2000-01-01 00:00:00 in seconds since 1970-01-01. */
const PG_EPOCH_SECONDS = 946_684_800
/** 4714-11-24 BC in days since 2000-01-01 (`date_recv`'s lower bound). */
const MIN_PG_DAYS = -2_451_545
/** 5874897-12-31 in days since 2000-01-01. */
const MAX_PG_DAYS = 2_145_031_948
/** 4714-11-24 00:00:00 BC in seconds since 2000-01-01 (`MIN_TIMESTAMP`). */
const MIN_PG_SECONDS = -211_813_488_000
/** 294276-12-31 23:59:59 in seconds since 2000-01-01 (`END_TIMESTAMP` is one second later). */
const MAX_PG_SECONDS = 9_223_371_331_199
const MICROS_PER_DAY = 86_400_000_000
/** `TZDISP_LIMIT`: offsets must stay strictly below 16 hours. */
const TZDISP_LIMIT = 57_600
const TWO_POW_32 = 4_294_967_296
const INT32_MIN = -2_147_483_648
const INT32_MAX = 2_147_483_647

const WITH_TZ = { withTimeZone: true } as const
const WITHOUT_TZ = { withTimeZone: false } as const
const LOCAL_INFINITY = PgTimestamp.infinity.toTimestamp()
const LOCAL_NEGATIVE_INFINITY = PgTimestamp.negativeInfinity.toTimestamp()

const wrongLength = (name: string, oid: number, expected: number, length: number): never =>
  fail(`${name}: expected ${expected} bytes, got ${length}`, oid, name)

// ---------------------------------------------------------------------------------------------
// date
// ---------------------------------------------------------------------------------------------

/**
 * An instant given as milliseconds since the Unix epoch: the shape of Effect's `DateTime`
 * (`Utc` and `Zoned`), accepted without importing it.
 *
 * @category models
 * @since 0.1.0
 */
export interface InstantLike {
  readonly epochMilliseconds: number
}

const isInstantLike = (u: unknown): u is InstantLike =>
  typeof u === "object" && u !== null && !(u instanceof Date) && !(u instanceof PgTimestamp) &&
  !(u instanceof PgDate) && typeof (u as InstantLike).epochMilliseconds === "number"

/** A `Date` for a `Date` or a DateTime-like value; anything else unchanged. */
const asDate = <A>(value: A | InstantLike): A | Date => (isInstantLike(value) ? new Date(value.epochMilliseconds) : value as A)

const toPgDate = (input: PgDate | Date | InstantLike): PgDate => {
  const value = asDate(input)
  if (value instanceof PgDate) {
    const d = value.epochDays
    if (
      d === Infinity || d === -Infinity ||
      (Number.isInteger(d) && d >= MIN_PG_DAYS + PG_EPOCH_DAYS && d <= MAX_PG_DAYS + PG_EPOCH_DAYS)
    ) return value
    return fail("date: value out of range", Oid.date, "date")
  }
  if (value instanceof Date) return PgDate.fromDate(value)
  return fail("date: expected a PgDate or a Date", Oid.date, "date")
}

/**
 * `date` ⇄ {@link PgDate}; encodes a `Date` as its UTC calendar date.
 *
 * @category codecs
 * @since 0.1.0
 */
export const date: Codec<PgDate, PgDate | Date | InstantLike> = make<PgDate, PgDate | Date | InstantLike>({
  oid: Oid.date,
  name: "date",
  decodeBinary: (bytes, offset, length) => {
    if (length !== 4) return wrongLength("date", Oid.date, 4, length)
    const d = readInt32(bytes, offset)
    if (d < MIN_PG_DAYS || d > MAX_PG_DAYS) {
      if (d === INT32_MAX) return PgDate.infinity
      if (d === INT32_MIN) return PgDate.negativeInfinity
      return fail("date: value out of range", Oid.date, "date")
    }
    return new PgDate(d + PG_EPOCH_DAYS)
  },
  encodeBinary: (value, writer) => {
    const d = toPgDate(value).epochDays
    writer.i32(d === Infinity ? INT32_MAX : d === -Infinity ? INT32_MIN : d - PG_EPOCH_DAYS)
  },
  decodeText: (text) => PgDate.parse(text),
  encodeText: (value) => toPgDate(value).toString()
})

// ---------------------------------------------------------------------------------------------
// time, timetz
// ---------------------------------------------------------------------------------------------

/** Reads the int64 microsecond count of a time of day, validated like `time_recv`. */
const readMicrosOfDay = (bytes: Uint8Array, offset: number, oid: number, name: string): number => {
  const micros = readInt64Number(bytes, offset)
  return micros >= 0 && micros <= MICROS_PER_DAY ? micros : fail(`${name}: time out of range`, oid, name)
}

/** Writes a microsecond count of a day (a safe integer) as an int64. */
const writeMicrosOfDay = (writer: PgWriter, micros: number, oid: number, name: string): void => {
  if (!(Number.isInteger(micros) && micros >= 0 && micros <= MICROS_PER_DAY)) {
    return fail(`${name}: time out of range`, oid, name)
  }
  const hi = Math.floor(micros / TWO_POW_32)
  writer.i32(hi)
  writer.u32(micros - hi * TWO_POW_32)
}

const checkTime = (value: PgTime): PgTime => {
  if (!(value instanceof PgTime)) return fail("time: expected a PgTime", Oid.time, "time")
  const m = value.microsOfDay
  return Number.isInteger(m) && m >= 0 && m <= MICROS_PER_DAY ? value : fail("time: time out of range", Oid.time, "time")
}

/**
 * `time` ⇄ {@link PgTime}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const time: Codec<PgTime> = make<PgTime>({
  oid: Oid.time,
  name: "time",
  decodeBinary: (bytes, offset, length) => {
    if (length !== 8) return wrongLength("time", Oid.time, 8, length)
    return new PgTime(readMicrosOfDay(bytes, offset, Oid.time, "time"))
  },
  encodeBinary: (value, writer) => writeMicrosOfDay(writer, checkTime(value).microsOfDay, Oid.time, "time"),
  decodeText: (text) => PgTime.parse(text),
  encodeText: (value) => checkTime(value).toString()
})

const checkTimeTz = (value: PgTimeTz): PgTimeTz => {
  if (!(value instanceof PgTimeTz)) return fail("timetz: expected a PgTimeTz", Oid.timetz, "timetz")
  const m = value.microsOfDay
  const o = value.offsetSeconds
  return Number.isInteger(m) && m >= 0 && m <= MICROS_PER_DAY && Number.isInteger(o) && o > -TZDISP_LIMIT &&
      o < TZDISP_LIMIT
    ? value
    : fail("timetz: value out of range", Oid.timetz, "timetz")
}

/**
 * `timetz` ⇄ {@link PgTimeTz}. The wire's offset is seconds west of UTC; `PgTimeTz.offsetSeconds`
 * is east positive, so the codec negates it.
 *
 * @category codecs
 * @since 0.1.0
 */
export const timetz: Codec<PgTimeTz> = make<PgTimeTz>({
  oid: Oid.timetz,
  name: "timetz",
  decodeBinary: (bytes, offset, length) => {
    if (length !== 12) return wrongLength("timetz", Oid.timetz, 12, length)
    const micros = readMicrosOfDay(bytes, offset, Oid.timetz, "timetz")
    const zone = readInt32(bytes, offset + 8)
    if (zone <= -TZDISP_LIMIT || zone >= TZDISP_LIMIT) {
      return fail("timetz: UTC offset out of range", Oid.timetz, "timetz")
    }
    return new PgTimeTz(micros, -zone | 0)
  },
  encodeBinary: (value, writer) => {
    const v = checkTimeTz(value)
    writeMicrosOfDay(writer, v.microsOfDay, Oid.timetz, "timetz")
    writer.i32(-v.offsetSeconds | 0)
  },
  decodeText: (text) => PgTimeTz.parse(text),
  encodeText: (value) => checkTimeTz(value).toString()
})

// ---------------------------------------------------------------------------------------------
// timestamp, timestamptz
// ---------------------------------------------------------------------------------------------

/**
 * Reads an int64 count of microseconds since 2000-01-01 as whole seconds since 1970 and a
 * microsecond, or an infinity.
 *
 * **Details**
 * With `hi`/`lo` the signed and unsigned halves, the count is `hi·2^32 + lo`, and
 * `2^32 = 4294·10^6 + 967296`, so it equals `(hi·4294)·10^6 + r` with `r = hi·967296 + lo`.
 * `|r| < 2.1·10^15 < 2^53` is exact, and `floor(r / 10^6)` is exact too: the quotient is below
 * 2.2·10^9, where doubles are spaced far closer than the 10^-6 a non-integral quotient is away
 * from the next integer.
 */
const timestampDecoder = (withTimeZone: boolean) => {
  const name = withTimeZone ? "timestamptz" : "timestamp"
  const oid = withTimeZone ? Oid.timestamptz : Oid.timestamp
  const inf = withTimeZone ? PgTimestamp.infinity : LOCAL_INFINITY
  const negInf = withTimeZone ? PgTimestamp.negativeInfinity : LOCAL_NEGATIVE_INFINITY
  return (bytes: Uint8Array, offset: number, length: number): PgTimestamp => {
    if (length !== 8) return wrongLength(name, oid, 8, length)
    const hi = readInt32(bytes, offset)
    const lo = readUint32(bytes, offset + 4)
    const r = hi * 967_296 + lo
    const q = Math.floor(r / 1_000_000)
    const seconds = hi * 4294 + q
    if (seconds < MIN_PG_SECONDS || seconds > MAX_PG_SECONDS) {
      if (hi === INT32_MAX && lo === 0xffff_ffff) return inf
      if (hi === INT32_MIN && lo === 0) return negInf
      return fail(`${name}: value out of range`, oid, name)
    }
    return new PgTimestamp(seconds + PG_EPOCH_SECONDS, r - q * 1_000_000, withTimeZone)
  }
}

/**
 * Writes whole seconds since 1970 plus a microsecond as an int64 count of microseconds since
 * 2000-01-01, without `bigint`.
 *
 * **Details**
 * With `s = h·4096 + l` (`0 ≤ l < 4096`) the count `s·10^6 + µ` is `a·2^18 + b` where
 * `a = h·15625` (since `4096·10^6 = 15625·2^18`) and `b = l·10^6 + µ < 2^32`; then
 * `a·2^18 = ah·2^32 + al·2^18` with `ah = floor(a / 2^14)`, and `al·2^18 + b < 2^33` gives the low
 * word and a carry into the high one. All intermediates are exact doubles.
 */
const writeTimestamp = (
  writer: PgWriter,
  epochSeconds: number,
  microsecond: number,
  oid: number,
  name: string
): void => {
  if (epochSeconds === Infinity) {
    writer.i32(INT32_MAX)
    writer.u32(0xffff_ffff)
    return
  }
  if (epochSeconds === -Infinity) {
    writer.i32(INT32_MIN)
    writer.u32(0)
    return
  }
  const s = epochSeconds - PG_EPOCH_SECONDS
  if (
    !(s >= MIN_PG_SECONDS && s <= MAX_PG_SECONDS && Math.floor(s) === s && microsecond >= 0 &&
      microsecond < 1_000_000 && Math.floor(microsecond) === microsecond)
  ) {
    return fail(`${name}: value out of range`, oid, name)
  }
  const h = Math.floor(s / 4096)
  const a = h * 15_625
  const b = (s - h * 4096) * 1_000_000 + microsecond
  const ah = Math.floor(a / 16_384)
  const rest = (a - ah * 16_384) * 262_144 + b
  const carry = rest >= TWO_POW_32 ? 1 : 0
  writer.i32(ah + carry)
  writer.u32(rest - carry * TWO_POW_32)
}

const timestampEncoder = (withTimeZone: boolean) => {
  const name = withTimeZone ? "timestamptz" : "timestamp"
  const oid = withTimeZone ? Oid.timestamptz : Oid.timestamp
  return (input: PgTimestamp | Date | InstantLike, writer: PgWriter): void => {
    const value = asDate(input)
    if (value instanceof PgTimestamp) return writeTimestamp(writer, value.epochSeconds, value.microsecond, oid, name)
    if (value instanceof Date) {
      const ms = value.getTime()
      if (Number.isNaN(ms)) return fail(`${name}: Invalid Date`, oid, name)
      const seconds = Math.floor(ms / 1000)
      return writeTimestamp(writer, seconds, (ms - seconds * 1000) * 1000, oid, name)
    }
    return fail(`${name}: expected a PgTimestamp or a Date`, oid, name)
  }
}

const timestampTextEncoder = (withTimeZone: boolean) => {
  const name = withTimeZone ? "timestamptz" : "timestamp"
  const oid = withTimeZone ? Oid.timestamptz : Oid.timestamp
  const options = withTimeZone ? WITH_TZ : WITHOUT_TZ
  return (input: PgTimestamp | Date | InstantLike): string => {
    const value = asDate(input)
    let v: PgTimestamp
    if (value instanceof PgTimestamp) {
      const s = value.epochSeconds - PG_EPOCH_SECONDS
      const m = value.microsecond
      const valid = (value.epochSeconds === Infinity || value.epochSeconds === -Infinity)
        ? m === 0
        : s >= MIN_PG_SECONDS && s <= MAX_PG_SECONDS && Math.floor(s) === s && m >= 0 && m < 1_000_000 &&
          Math.floor(m) === m
      if (!valid) return fail(`${name}: value out of range`, oid, name)
      v = value.withTimeZone === withTimeZone
        ? value
        : new PgTimestamp(value.epochSeconds, value.microsecond, withTimeZone)
    } else if (value instanceof Date) {
      v = PgTimestamp.fromDate(value, options)
    } else {
      return fail(`${name}: expected a PgTimestamp or a Date`, oid, name)
    }
    return v.toString()
  }
}

/**
 * `timestamp` ⇄ {@link PgTimestamp} with `withTimeZone: false`; encodes any `PgTimestamp` by
 * its fields and a `Date` by its UTC wall-clock time.
 *
 * @category codecs
 * @since 0.1.0
 */
export const timestamp: Codec<PgTimestamp, PgTimestamp | Date | InstantLike> = make<PgTimestamp, PgTimestamp | Date | InstantLike>({
  oid: Oid.timestamp,
  name: "timestamp",
  decodeBinary: timestampDecoder(false),
  encodeBinary: timestampEncoder(false),
  decodeText: (text) => PgTimestamp.parse(text, WITHOUT_TZ),
  encodeText: timestampTextEncoder(false)
})

/**
 * `timestamptz` ⇄ {@link PgTimestamp} with `withTimeZone: true` (UTC); decodes text in any
 * offset; encodes a `Date` by its instant.
 *
 * @category codecs
 * @since 0.1.0
 */
export const timestamptz: Codec<PgTimestamp, PgTimestamp | Date | InstantLike> = make<PgTimestamp, PgTimestamp | Date | InstantLike>({
  oid: Oid.timestamptz,
  name: "timestamptz",
  decodeBinary: timestampDecoder(true),
  encodeBinary: timestampEncoder(true),
  decodeText: (text) => PgTimestamp.parse(text, WITH_TZ),
  encodeText: timestampTextEncoder(true)
})

/**
 * The date/time codecs of this family (arrays and ranges are built by `PgTypes`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [date, time, timetz, timestamp, timestamptz]
