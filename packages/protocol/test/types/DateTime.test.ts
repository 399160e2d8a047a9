import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import type * as PgCodec from "../../src/PgCodec.ts"
import { daysInMonth, isLeapYear, PgDate, PgTime, PgTimestamp, PgTimeTz } from "../../src/PgDateTime.ts"
import { codecs, date, time, timestamp, timestamptz, timetz } from "../../src/internal/types/datetime.ts"
import { decodeHex, encodeHex, int32Hex, int64Hex, throwsCodecError } from "./helpers.ts"

// --- helpers ---------------------------------------------------------------------------------------

/** Asserts that `f` throws a `CodecError` (and nothing else), for the type `oid` when given. */
const assertCodecError = (f: () => unknown, oid?: number): PgCodec.CodecError => {
  const err = throwsCodecError(f)
  if (oid !== undefined) assert.strictEqual(err.oid, oid)
  return err
}

const PG_EPOCH_MICROS = 946_684_800_000_000n
/** `MIN_TIMESTAMP` and `END_TIMESTAMP - 1` in microseconds since 2000-01-01. */
const MIN_TS = -211_813_488_000_000_000n
const MAX_TS = 9_223_371_331_199_999_999n
const MIN_DAYS = -2_451_545
const MAX_DAYS = 2_145_031_948

// --- goldens ---------------------------------------------------------------------------------------
// Captured from PostgreSQL 18.4 with
//   set timezone=UTC; set datestyle=ISO;
//   select encode(<type>_send('<literal>'::<type>), 'hex'), '<literal>'::<type>::text
// Each row: [literal, hex, text].

const timestamptzGoldens: ReadonlyArray<readonly [string, string, string]> = [
  ["1970-01-01 00:00:00+00", "fffca2fec4c82000", "1970-01-01 00:00:00+00"],
  ["2000-01-01 00:00:00+00", "0000000000000000", "2000-01-01 00:00:00+00"],
  ["2000-01-01 00:00:00.000001+00", "0000000000000001", "2000-01-01 00:00:00.000001+00"],
  ["1999-12-31 23:59:59.999999+00", "ffffffffffffffff", "1999-12-31 23:59:59.999999+00"],
  ["2024-01-02 03:04:05.123456+00", "0002b0ec8517d580", "2024-01-02 03:04:05.123456+00"],
  ["2024-01-02 03:04:05.1+00", "0002b0ec851779e0", "2024-01-02 03:04:05.1+00"],
  ["4714-11-24 00:00:00+00 BC", "fd0f7cc1411fa000", "4714-11-24 00:00:00+00 BC"],
  ["294276-12-31 23:59:59.999999+00", "7fffff5bb3b29fff", "294276-12-31 23:59:59.999999+00"],
  ["infinity", "7fffffffffffffff", "infinity"],
  ["-infinity", "8000000000000000", "-infinity"],
  ["0001-01-01 00:00:00+00 BC", "ff1fc63d1bb12000", "0001-01-01 00:00:00+00 BC"],
  ["0001-01-01 00:00:00+00", "ff1fe2ffc59c6000", "0001-01-01 00:00:00+00"],
  ["0044-03-15 12:00:00+00 BC", "ff1af9e8fb46d000", "0044-03-15 12:00:00+00 BC"],
  ["2024-06-01 12:00:00+05:30", "0002bcccff89ea00", "2024-06-01 06:30:00+00"],
  ["1800-01-01 00:00:00-04:56:02", "ffe993e11ac99c80", "1800-01-01 04:56:02+00"],
  ["9999-12-31 23:59:59.999999+00", "0380e70b913b7fff", "9999-12-31 23:59:59.999999+00"],
  ["10000-01-01 00:00:00+00", "0380e70b913b8000", "10000-01-01 00:00:00+00"],
  ["1969-12-31 23:59:59.999999+00", "fffca2fec4c81fff", "1969-12-31 23:59:59.999999+00"],
  ["2262-04-11 23:47:16.854775+00", "001d679a6aab73f7", "2262-04-11 23:47:16.854775+00"],
  ["1677-09-21 00:12:43.145225+00", "ffdbde631ee4cc09", "1677-09-21 00:12:43.145225+00"]
]

const timestampGoldens: ReadonlyArray<readonly [string, string, string]> = [
  ["1970-01-01 00:00:00", "fffca2fec4c82000", "1970-01-01 00:00:00"],
  ["2000-01-01 00:00:00", "0000000000000000", "2000-01-01 00:00:00"],
  ["2000-01-01 00:00:00.000001", "0000000000000001", "2000-01-01 00:00:00.000001"],
  ["1999-12-31 23:59:59.999999", "ffffffffffffffff", "1999-12-31 23:59:59.999999"],
  ["2024-01-02 03:04:05.123456", "0002b0ec8517d580", "2024-01-02 03:04:05.123456"],
  ["4714-11-24 00:00:00 BC", "fd0f7cc1411fa000", "4714-11-24 00:00:00 BC"],
  ["294276-12-31 23:59:59.999999", "7fffff5bb3b29fff", "294276-12-31 23:59:59.999999"],
  ["infinity", "7fffffffffffffff", "infinity"],
  ["-infinity", "8000000000000000", "-infinity"],
  ["0001-01-01 00:00:00 BC", "ff1fc63d1bb12000", "0001-01-01 00:00:00 BC"],
  ["0044-03-15 12:00:00.5 BC", "ff1af9e8fb4e7120", "0044-03-15 12:00:00.5 BC"],
  ["10000-01-01 00:00:00", "0380e70b913b8000", "10000-01-01 00:00:00"],
  ["2024-02-29 23:59:59.9", "0002b58cd3623960", "2024-02-29 23:59:59.9"]
]

const dateGoldens: ReadonlyArray<readonly [string, string, string]> = [
  ["1970-01-01", "ffffd533", "1970-01-01"],
  ["2000-01-01", "00000000", "2000-01-01"],
  ["1999-12-31", "ffffffff", "1999-12-31"],
  ["4714-11-24 BC", "ffda97a7", "4714-11-24 BC"],
  ["5874897-12-31", "7fda970c", "5874897-12-31"],
  ["infinity", "7fffffff", "infinity"],
  ["-infinity", "80000000", "-infinity"],
  ["0001-01-01 BC", "fff4da8b", "0001-01-01 BC"],
  ["0001-01-01", "fff4dbf9", "0001-01-01"],
  ["2024-02-29", "00002279", "2024-02-29"],
  ["10000-01-01", "002c95d4", "10000-01-01"],
  ["0044-03-15 BC", "fff49d7b", "0044-03-15 BC"],
  ["1900-03-01", "ffff718f", "1900-03-01"]
]

const timeGoldens: ReadonlyArray<readonly [string, string, string]> = [
  ["00:00:00", "0000000000000000", "00:00:00"],
  ["24:00:00", "000000141dd76000", "24:00:00"],
  ["12:34:56.789", "0000000a8be62608", "12:34:56.789"],
  ["23:59:59.999999", "000000141dd75fff", "23:59:59.999999"],
  ["00:00:00.000001", "0000000000000001", "00:00:00.000001"],
  ["01:02:03.1", "00000000dde9ff60", "01:02:03.1"]
]

const timetzGoldens: ReadonlyArray<readonly [string, string, string]> = [
  ["12:00:00+05:30", "0000000a0eebb000ffffb2a8", "12:00:00+05:30"],
  ["12:00:00-08", "0000000a0eebb00000007080", "12:00:00-08"],
  ["00:00:00+00", "000000000000000000000000", "00:00:00+00"],
  ["24:00:00-15:59:59", "000000141dd760000000e0ff", "24:00:00-15:59:59"],
  ["23:59:59.999999+15:59:59", "000000141dd75fffffff1f01", "23:59:59.999999+15:59:59"],
  ["12:00:00.000001-04:56:02", "0000000a0eebb00100004562", "12:00:00.000001-04:56:02"],
  ["04:05:06.789+01", "000000036c97ca88fffff1f0", "04:05:06.789+01"]
]

// timestamptz text printed by the server in other sessions' time zones:
//   set timezone='<zone>'; select '<utc literal>'::timestamptz::text
// Each row: [zone, server text, the same instant in UTC].
const zonedGoldens: ReadonlyArray<readonly [string, string, string]> = [
  ["America/New_York", "2024-06-01 08:00:00.5-04", "2024-06-01 12:00:00.5+00"],
  ["America/New_York", "1799-12-31 19:03:58-04:56:02", "1800-01-01 00:00:00+00"],
  ["America/New_York", "0044-03-15 07:03:58-04:56:02 BC", "0044-03-15 12:00:00+00 BC"],
  ["America/New_York", "294276-12-31 18:59:59.999999-05", "294276-12-31 23:59:59.999999+00"],
  ["America/New_York", "4714-11-24 18:03:58-04:56:02 BC", "4714-11-24 23:00:00+00 BC"],
  ["Asia/Kolkata", "2024-06-01 17:30:00.5+05:30", "2024-06-01 12:00:00.5+00"],
  ["Asia/Kolkata", "1900-01-01 05:21:10+05:21:10", "1900-01-01 00:00:00+00"],
  ["Asia/Kolkata", "294277-01-01 05:29:59.999999+05:30", "294276-12-31 23:59:59.999999+00"],
  ["Asia/Kolkata", "4714-11-25 04:53:28+05:53:28 BC", "4714-11-24 23:00:00+00 BC"],
  ["Australia/Lord_Howe", "2024-06-01 22:30:00.5+10:30", "2024-06-01 12:00:00.5+00"],
  ["Australia/Lord_Howe", "294277-01-01 10:59:59.999999+11", "294276-12-31 23:59:59.999999+00"],
  ["Europe/Amsterdam", "1800-01-01 00:17:30+00:17:30", "1800-01-01 00:00:00+00"],
  ["America/St_Johns", "1899-12-31 20:29:08-03:30:52", "1900-01-01 00:00:00+00"],
  ["America/St_Johns", "2024-06-01 09:30:00.5-02:30", "2024-06-01 12:00:00.5+00"],
  ["Pacific/Kiritimati", "2024-06-02 02:00:00.5+14", "2024-06-01 12:00:00.5+00"],
  ["Pacific/Kiritimati", "1937-06-30 01:20:00-10:40", "1937-06-30 12:00:00+00"]
]

const checkGoldens = <A extends { toString(): string; equals(that: A): boolean }>(
  codec: PgCodec.Codec<A, any>,
  goldens: ReadonlyArray<readonly [string, string, string]>
) => {
  for (const [literal, hex, text] of goldens) {
    const value = decodeHex(codec, hex)
    assert.strictEqual(value.toString(), text, `toString of ${literal}`)
    assert.strictEqual(encodeHex(codec, value), hex, `encodeBinary of ${literal}`)
    assert.isTrue(codec.decodeText(text).equals(value), `decodeText of ${literal}`)
    assert.strictEqual(codec.encodeText(value), text, `encodeText of ${literal}`)
  }
}

describe("datetime goldens", () => {
  it("timestamptz", () => checkGoldens(timestamptz, timestamptzGoldens))
  it("timestamp", () => checkGoldens(timestamp, timestampGoldens))
  it("date", () => checkGoldens(date, dateGoldens))
  it("time", () => checkGoldens(time, timeGoldens))
  it("timetz", () => checkGoldens(timetz, timetzGoldens))

  it("timestamptz text in other time zones decodes to the same instant", () => {
    for (const [zone, text, utc] of zonedGoldens) {
      const value = timestamptz.decodeText(text)
      assert.strictEqual(value.toString(), utc, `${zone}: ${text}`)
    }
  })

  it("timestamptz literals with offsets decode to the server's bytes", () => {
    for (const [literal, hex] of timestamptzGoldens) {
      assert.strictEqual(encodeHex(timestamptz, timestamptz.decodeText(literal)), hex, literal)
    }
  })

  it("exposes the fields of decoded values", () => {
    const t = decodeHex(timestamptz, "0002b0ec8517d580")
    assert.strictEqual(t.epochSeconds, 1_704_164_645)
    assert.strictEqual(t.microsecond, 123_456)
    assert.isTrue(t.withTimeZone)
    assert.strictEqual(t.epochMicroseconds, 1_704_164_645_123_456n)
    assert.strictEqual(t.epochMilliseconds, 1_704_164_645_123)
    assert.deepStrictEqual(t.toParts(), {
      year: 2024,
      month: 1,
      day: 2,
      hour: 3,
      minute: 4,
      second: 5,
      microsecond: 123_456
    })
    assert.strictEqual(t.toJSON(), "2024-01-02T03:04:05.123456Z")
    assert.strictEqual(t.toDate().toISOString(), "2024-01-02T03:04:05.123Z")
    assert.strictEqual(t.date.toString(), "2024-01-02")
    assert.strictEqual(t.time.toString(), "03:04:05.123456")

    const local = decodeHex(timestamp, "0002b0ec8517d580")
    assert.isFalse(local.withTimeZone)
    assert.strictEqual(local.toJSON(), "2024-01-02T03:04:05.123456")
    assert.isFalse(local.equals(t))
    assert.strictEqual(PgTimestamp.compare(local, t), 0)
    assert.isTrue(local.toTimestampTz().equals(t))

    const bc = decodeHex(timestamptz, "ff1af9e8fb46d000")
    assert.strictEqual(bc.year, -43)
    assert.strictEqual(bc.toJSON(), "-000043-03-15T12:00:00Z")
    const max = decodeHex(timestamptz, "7fffff5bb3b29fff")
    assert.isTrue(max.equals(PgTimestamp.max))
    assert.strictEqual(max.toJSON(), "+294276-12-31T23:59:59.999999Z")
    assert.isTrue(decodeHex(timestamptz, "fd0f7cc1411fa000").equals(PgTimestamp.min))
    assert.strictEqual(PgTimestamp.min.toDate().getTime(), -210_866_803_200_000)
    assert.isTrue(Number.isNaN(max.toDate().getTime()))

    const inf = decodeHex(timestamptz, "7fffffffffffffff")
    assert.strictEqual(inf, PgTimestamp.infinity)
    assert.isFalse(inf.isFinite)
    assert.strictEqual(inf.toJSON(), "infinity")
    assert.strictEqual(PgTimestamp.negativeInfinity.toJSON(), "-infinity")
    assert.isTrue(Number.isNaN(inf.toDate().getTime()))
    assert.isTrue(Number.isNaN(inf.year))
    assert.strictEqual(inf.epochMilliseconds, Infinity)
    assert.throws(() => inf.epochMicroseconds, RangeError)
    assert.isFalse(decodeHex(timestamp, "8000000000000000").withTimeZone)

    const d = decodeHex(date, "fff49d7b")
    assert.deepStrictEqual([d.year, d.month, d.day], [-43, 3, 15])
    assert.strictEqual(d.toJSON(), "-000043-03-15")
    assert.strictEqual(decodeHex(date, "7fda970c").toJSON(), "+5874897-12-31")
    assert.strictEqual(decodeHex(date, "ffda97a7").toJSON(), "-004713-11-24")
    assert.strictEqual(decodeHex(date, "fff4da8b").toJSON(), "0000-01-01")
    assert.strictEqual(decodeHex(date, "00002279").toDate().toISOString(), "2024-02-29T00:00:00.000Z")
    assert.strictEqual(PgDate.infinity.toJSON(), "infinity")
    assert.isTrue(Number.isNaN(PgDate.max.toDate().getTime()))

    const tz = decodeHex(timetz, "0000000a0eebb000ffffb2a8")
    assert.strictEqual(tz.offsetSeconds, 19_800)
    assert.strictEqual(tz.microsOfDay, 43_200_000_000)
    assert.strictEqual(tz.toJSON(), "12:00:00+05:30")
    const west = decodeHex(timetz, "0000000a0eebb00000007080")
    assert.strictEqual(west.offsetSeconds, -28_800)
    assert.strictEqual(west.toJSON(), "12:00:00-08:00")
    assert.isTrue(Object.is(decodeHex(timetz, "000000000000000000000000").offsetSeconds, 0))

    const t24 = decodeHex(time, "000000141dd76000")
    assert.deepStrictEqual([t24.hour, t24.minute, t24.second, t24.microsecond], [24, 0, 0, 0])
    assert.isTrue(t24.equals(PgTime.endOfDay))
    const t2 = decodeHex(time, "0000000a8be62608")
    assert.deepStrictEqual([t2.hour, t2.minute, t2.second, t2.microsecond], [12, 34, 56, 789_000])
  })

  it("the family exports every codec with its OID", () => {
    assert.deepStrictEqual(codecs.map((c) => [c.name, c.oid]), [
      ["date", 1082],
      ["time", 1083],
      ["timetz", 1266],
      ["timestamp", 1114],
      ["timestamptz", 1184]
    ])
  })
})

// --- JavaScript Date -------------------------------------------------------------------------------

describe("Date interop", () => {
  it("encodes Dates: instants for timestamptz, UTC wall clock for timestamp, UTC day for date", () => {
    const d = new Date("2024-01-02T03:04:05.123Z")
    assert.strictEqual(encodeHex(timestamptz, d), "0002b0ec8517d3b8")
    assert.strictEqual(timestamptz.encodeText(d), "2024-01-02 03:04:05.123+00")
    assert.strictEqual(encodeHex(timestamp, d), "0002b0ec8517d3b8")
    assert.strictEqual(timestamp.encodeText(d), "2024-01-02 03:04:05.123")
    assert.strictEqual(encodeHex(date, d), int32Hex(8767))
    assert.strictEqual(date.encodeText(d), "2024-01-02")
    assert.strictEqual(date.encodeText(new Date("2024-01-01T23:59:59.999Z")), "2024-01-01")
    // before 1970, and before year 1: floors, never rounds toward zero
    assert.strictEqual(timestamptz.encodeText(new Date(-1)), "1969-12-31 23:59:59.999+00")
    assert.strictEqual(PgDate.fromDate(new Date(-1)).toString(), "1969-12-31")
    assert.strictEqual(timestamptz.encodeText(new Date("-000043-03-15T12:00:00.000Z")), "0044-03-15 12:00:00+00 BC")
  })

  it("encodes a PgTimestamp of either kind into either type", () => {
    const tz = PgTimestamp.parse("2024-01-02 03:04:05+00")
    assert.strictEqual(timestamp.encodeText(tz), "2024-01-02 03:04:05")
    assert.strictEqual(timestamptz.encodeText(tz.toTimestamp()), "2024-01-02 03:04:05+00")
    assert.strictEqual(timestamptz.encodeText(PgTimestamp.infinity.toTimestamp()), "infinity")
  })

  it("fromDate(d).toDate() is d", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(-210_866_803_200_000), max: new Date(8.64e15), noInvalidDate: true }),
        (d) => {
          assert.strictEqual(PgTimestamp.fromDate(d).toDate().getTime(), d.getTime())
          assert.strictEqual(PgTimestamp.fromDate(d).epochMilliseconds, d.getTime())
          assert.strictEqual(PgTimestamp.fromDate(d).epochMicroseconds, BigInt(d.getTime()) * 1000n)
          const day = PgDate.fromDate(d)
          assert.strictEqual(day.toDate().getTime(), Math.floor(d.getTime() / 86_400_000) * 86_400_000)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("calendar fields agree with Date's UTC fields", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(-210_866_803_200_000), max: new Date(8.64e15), noInvalidDate: true }),
        (d) => {
          const t = PgTimestamp.fromDate(d)
          assert.deepStrictEqual(t.toParts(), {
            year: d.getUTCFullYear(),
            month: d.getUTCMonth() + 1,
            day: d.getUTCDate(),
            hour: d.getUTCHours(),
            minute: d.getUTCMinutes(),
            second: d.getUTCSeconds(),
            microsecond: d.getUTCMilliseconds() * 1000
          })
          // Date's ISO form always has milliseconds; ours trims them.
          const iso = d.toISOString().replace(/\.?0+Z$/, "Z").replace(/\.(\d*?)0+Z$/, ".$1Z")
          assert.strictEqual(t.toJSON(), iso)
          assert.strictEqual(PgDate.fromDate(d).toJSON(), iso.slice(0, iso.indexOf("T")))
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("rejects Invalid Dates and Dates outside PostgreSQL's range", () => {
    assertCodecError(() => encodeHex(timestamptz, new Date(NaN)), 1184)
    assertCodecError(() => timestamptz.encodeText(new Date(NaN)), 1184)
    assertCodecError(() => encodeHex(timestamp, new Date(-210_866_803_200_001)), 1114)
    assertCodecError(() => encodeHex(date, new Date(NaN)), 1082)
    assertCodecError(() => PgTimestamp.fromDate(new Date(-8.64e15)))
    assertCodecError(() => PgDate.fromDate(new Date(-8.64e15)))
  })
})

// --- property tests --------------------------------------------------------------------------------

const pgMicros = fc.oneof(
  { weight: 10, arbitrary: fc.bigInt({ min: MIN_TS, max: MAX_TS }) },
  { weight: 2, arbitrary: fc.bigInt({ min: -100_000_000_000_000n, max: 100_000_000_000_000n }) },
  { weight: 1, arbitrary: fc.constantFrom(MIN_TS, MAX_TS, 0n, -1n, 1n, -PG_EPOCH_MICROS) },
  { weight: 1, arbitrary: fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n) }
)

const isSentinel = (us: bigint) => us === -(2n ** 63n) || us === 2n ** 63n - 1n

const pgDays = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: MIN_DAYS, max: MAX_DAYS }) },
  { weight: 2, arbitrary: fc.integer({ min: -800_000, max: 800_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(MIN_DAYS, MAX_DAYS, 0, -1, -2_147_483_648, 2_147_483_647) }
)

const microsOfDay = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 86_400_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 86_400_000_000, 86_399_999_999) }
)

const offsets = fc.oneof(
  fc.integer({ min: -57_599, max: 57_599 }),
  fc.integer({ min: -16, max: 16 }).map((h) => h * 1800),
  fc.constantFrom(-57_599, 57_599, 0)
)

describe("datetime properties", () => {
  it("timestamp(tz) binary: decode ∘ encode is the identity over the full range, and exact", () => {
    fc.assert(
      fc.property(pgMicros, fc.boolean(), (us, tz) => {
        const codec = tz ? timestamptz : timestamp
        const hex = int64Hex(us)
        const value = decodeHex(codec, hex)
        assert.strictEqual(value.withTimeZone, tz)
        assert.strictEqual(encodeHex(codec, value), hex)
        if (isSentinel(us)) {
          assert.isFalse(value.isFinite)
          assert.strictEqual(value.epochSeconds, us > 0n ? Infinity : -Infinity)
        } else {
          assert.strictEqual(value.epochMicroseconds, us + PG_EPOCH_MICROS)
          assert.isTrue(value.microsecond >= 0 && value.microsecond < 1_000_000)
          assert.isTrue(PgTimestamp.fromEpochMicroseconds(us + PG_EPOCH_MICROS, { withTimeZone: tz }).equals(value))
        }
      }),
      { numRuns: 5000 }
    )
  })

  it("timestamp(tz) text: decodeText ∘ encodeText and parse ∘ toJSON are the identity", () => {
    fc.assert(
      fc.property(pgMicros, fc.boolean(), (us, tz) => {
        const codec = tz ? timestamptz : timestamp
        const value = decodeHex(codec, int64Hex(us))
        const text = codec.encodeText(value)
        assert.strictEqual(text, value.toString())
        assert.isTrue(codec.decodeText(text).equals(value), text)
        assert.isTrue(PgTimestamp.parse(value.toJSON(), { withTimeZone: tz }).equals(value), value.toJSON())
        if (value.isFinite) {
          assert.isTrue(PgTimestamp.make(value.toParts(), { withTimeZone: tz }).equals(value))
        }
      }),
      { numRuns: 3000 }
    )
  })

  it("timestamptz text with any offset decodes to the instant it names", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: MIN_TS, max: MAX_TS }), offsets, (us, offset) => {
        const utc = decodeHex(timestamptz, int64Hex(us))
        // the local reading may lie outside the range (294277-01-01 05:29:59+05:30): unchecked
        const shifted = new PgTimestamp(utc.epochSeconds + offset, utc.microsecond, false)
        // e.g. "2024-06-01 17:30:00.5+05:30", and the BC suffix after the offset
        const text = shifted.toString()
        const sign = offset < 0 ? "-" : "+"
        const abs = Math.abs(offset)
        const hh = String(Math.floor(abs / 3600)).padStart(2, "0")
        const mm = String(Math.floor(abs / 60) % 60).padStart(2, "0")
        const ss = String(abs % 60).padStart(2, "0")
        const zone = abs % 60 !== 0 ? `${sign}${hh}:${mm}:${ss}` : abs % 3600 !== 0 ? `${sign}${hh}:${mm}` : `${sign}${hh}`
        const withZone = text.endsWith(" BC") ? text.slice(0, -3) + zone + " BC" : text + zone
        assert.isTrue(timestamptz.decodeText(withZone).equals(utc), withZone)
      }),
      { numRuns: 2000 }
    )
  })

  it("date: binary and text round trips over the full range", () => {
    fc.assert(
      fc.property(pgDays, (days) => {
        const hex = int32Hex(days)
        const value = decodeHex(date, hex)
        assert.strictEqual(encodeHex(date, value), hex)
        assert.isTrue(date.decodeText(date.encodeText(value)).equals(value))
        assert.isTrue(PgDate.parse(value.toJSON()).equals(value))
        if (value.isFinite) {
          assert.strictEqual(value.epochDays, days + 10_957)
          assert.isTrue(PgDate.make(value.year, value.month, value.day).equals(value))
          assert.isTrue(PgDate.fromEpochDays(value.epochDays).equals(value))
        }
      }),
      { numRuns: 5000 }
    )
  })

  it("time and timetz: binary and text round trips", () => {
    fc.assert(
      fc.property(microsOfDay, offsets, (micros, offset) => {
        const t = PgTime.fromMicrosOfDay(micros)
        assert.isTrue(decodeHex(time, encodeHex(time, t)).equals(t))
        assert.isTrue(time.decodeText(time.encodeText(t)).equals(t))
        assert.isTrue(PgTime.parse(t.toJSON()).equals(t))
        assert.isTrue(
          PgTime.make({ hour: t.hour, minute: t.minute, second: t.second, microsecond: t.microsecond }).equals(t)
        )
        const tz = PgTimeTz.fromMicrosOfDay(micros, offset)
        const hex = encodeHex(timetz, tz)
        assert.strictEqual(hex.slice(16), int32Hex(-offset))
        assert.isTrue(decodeHex(timetz, hex).equals(tz))
        assert.isTrue(timetz.decodeText(timetz.encodeText(tz)).equals(tz))
        assert.isTrue(PgTimeTz.parse(tz.toJSON()).equals(tz))
      }),
      { numRuns: 3000 }
    )
  })

  it("calendar helpers agree with Date", () => {
    fc.assert(
      fc.property(fc.integer({ min: -271_000, max: 275_000 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        const d = new Date(0)
        d.setUTCFullYear(year, month, 0)
        assert.strictEqual(daysInMonth(year, month), d.getUTCDate())
        assert.strictEqual(isLeapYear(year), daysInMonth(year, 2) === 29)
      })
    )
  })
})

// --- malformed input -------------------------------------------------------------------------------

describe("datetime malformed input", () => {
  it("rejects wrong binary lengths", () => {
    for (const [codec, good] of [[date, 4], [time, 8], [timetz, 12], [timestamp, 8], [timestamptz, 8]] as const) {
      for (const length of [0, 1, good - 1, good + 1, 16]) {
        if (length === good) continue
        const err = assertCodecError(() => codec.decodeBinary!(new Uint8Array(32), 0, length), codec.oid)
        assert.include(err.message, `expected ${good} bytes`)
      }
    }
  })

  it("rejects out-of-range binary values", () => {
    assertCodecError(() => decodeHex(date, int32Hex(MAX_DAYS + 1)), 1082)
    assertCodecError(() => decodeHex(date, int32Hex(MIN_DAYS - 1)), 1082)
    assertCodecError(() => decodeHex(date, int32Hex(-2_147_483_647)), 1082)
    assertCodecError(() => decodeHex(timestamptz, int64Hex(MAX_TS + 1n)), 1184)
    assertCodecError(() => decodeHex(timestamptz, int64Hex(MIN_TS - 1n)), 1184)
    assertCodecError(() => decodeHex(timestamp, int64Hex(2n ** 63n - 2n)), 1114)
    assertCodecError(() => decodeHex(timestamp, int64Hex(-(2n ** 63n) + 1n)), 1114)
    assertCodecError(() => decodeHex(time, int64Hex(86_400_000_001n)), 1083)
    assertCodecError(() => decodeHex(time, int64Hex(-1n)), 1083)
    assertCodecError(() => decodeHex(time, int64Hex(2n ** 62n)), 1083)
    assertCodecError(() => decodeHex(timetz, int64Hex(0n) + int32Hex(57_600)), 1266)
    assertCodecError(() => decodeHex(timetz, int64Hex(0n) + int32Hex(-57_600)), 1266)
    assertCodecError(() => decodeHex(timetz, int64Hex(-1n) + int32Hex(0)), 1266)
  })

  it("rejects garbage text", () => {
    const bad: ReadonlyArray<readonly [PgCodec.Codec, ReadonlyArray<string>]> = [
      [date, [
        "",
        "2024",
        "2024-1-01",
        "24-01-01",
        "2024-13-01",
        "2024-00-10",
        "2024-02-30",
        "2023-02-29",
        "2024-01-32",
        "2024-01-01x",
        "2024-01-01 AD",
        "0000-01-01 BC",
        "-0001-01-01 BC",
        "4714-11-23 BC",
        "5874898-01-01",
        "12345678-01-01",
        "Infinity!",
        "infinit",
        " 2024-01-01",
        "２０２４-01-01"
      ]],
      [time, [
        "",
        "12",
        "12:00:00.",
        "12:00:00.1234567",
        "24:00:00.000001",
        "24:00:01",
        "25:00:00",
        "12:60:00",
        "12:00:61",
        "23:59:60.5",
        "1:00:00",
        "12:00:00+01",
        "12:00:00 ",
        "noon"
      ]],
      [timetz, ["", "12:00:00", "12:00:00+16", "12:00:00-16:00", "12:00:00+05:60", "12:00:00+05:30:60", "12:00:00+5"]],
      [timestamp, [
        "",
        "2024-01-01 ",
        "2024-01-01T",
        "2024-01-01 12",
        "2024-01-01 12:00:00.",
        "2024-01-01 25:00:00",
        "2024-13-01 00:00:00",
        "2024-02-30 00:00:00",
        "294277-01-01 00:00:00",
        "4714-11-23 23:59:59.999999 BC",
        "2024-01-01 00:00:00 BC AD",
        "2024-01-01 00:00:00+",
        "2024-01-01 00:00:00+16",
        "-2024-01-01 00:00:00 BC"
      ]],
      [timestamptz, [
        "",
        "2024-01-01 00:00:00+16",
        "294276-12-31 23:59:59.999999-01",
        "4714-11-24 00:00:00+01 BC",
        "2024-01-01 00:00:00+00:00:00:00",
        "2024-01-01 00:00:00 UTC",
        "yesterday",
        "x".repeat(100_000)
      ]]
    ]
    for (const [codec, texts] of bad) {
      for (const text of texts) {
        const err = assertCodecError(() => codec.decodeText(text), codec.oid)
        assert.isBelow(err.message.length, 200)
      }
    }
    // never an exception of another type, whatever the input
    assertCodecError(() => timestamptz.decodeText(undefined as any), 1184)
    assertCodecError(() => date.decodeText(42 as any), 1082)
  })

  it("rejects invalid components in constructors", () => {
    assertCodecError(() => PgDate.make(2024, 13, 1))
    assertCodecError(() => PgDate.make(2024, 2, 30))
    assertCodecError(() => PgDate.make(2024.5, 1, 1))
    assertCodecError(() => PgDate.make(-4713, 11, 23))
    assertCodecError(() => PgDate.make(5_874_898, 1, 1))
    assertCodecError(() => PgDate.fromEpochDays(NaN))
    assertCodecError(() => PgTime.make({ hour: 24, minute: 0, microsecond: 1 }))
    assertCodecError(() => PgTime.make({ hour: 12, minute: 60 }))
    assertCodecError(() => PgTime.fromMicrosOfDay(86_400_000_001))
    assertCodecError(() => PgTimeTz.make({ hour: 12, minute: 0, offsetSeconds: 57_600 }))
    assertCodecError(() => PgTimestamp.make({ year: 2024, month: 1, day: 1, hour: 24 }))
    assertCodecError(() => PgTimestamp.make({ year: 294_277, month: 1, day: 1 }))
    assertCodecError(() => PgTimestamp.make({ year: 2024, month: 1, day: 1, microsecond: 1_000_000 }))
    assertCodecError(() => PgTimestamp.fromEpochMicroseconds(MAX_TS + PG_EPOCH_MICROS + 1n))
    assert.strictEqual(PgDate.make(-4713, 11, 24).toString(), "4714-11-24 BC")
    assert.strictEqual(PgTimestamp.make({ year: 2024, month: 2, day: 29 }).toString(), "2024-02-29 00:00:00+00")
    assert.strictEqual(
      PgTimeTz.make({ hour: 1, minute: 2, second: 3, microsecond: 40, offsetSeconds: -12_600 }).toString(),
      "01:02:03.00004-03:30"
    )
  })

  it("rejects values the unchecked constructors let through, and wrong types", () => {
    assertCodecError(() => encodeHex(timestamptz, new PgTimestamp(NaN, 0, true)), 1184)
    assertCodecError(() => encodeHex(timestamptz, new PgTimestamp(0.5, 0, true)), 1184)
    assertCodecError(() => encodeHex(timestamptz, new PgTimestamp(0, 1_000_000, true)), 1184)
    assertCodecError(() => timestamptz.encodeText(new PgTimestamp(NaN, 0, true)), 1184)
    assertCodecError(() => encodeHex(timestamp, new PgTimestamp(1e13, 0, false)), 1114)
    assertCodecError(() => encodeHex(timestamptz, "2024-01-01" as any), 1184)
    assertCodecError(() => encodeHex(date, new PgDate(2.5)), 1082)
    assertCodecError(() => date.encodeText(new PgDate(NaN)), 1082)
    assertCodecError(() => encodeHex(date, 1 as any), 1082)
    assertCodecError(() => encodeHex(time, new PgTime(-1)), 1083)
    assertCodecError(() => time.encodeText({ microsOfDay: 0 } as any), 1083)
    assertCodecError(() => encodeHex(timetz, new PgTimeTz(0, 57_600)), 1266)
    assertCodecError(() => timetz.encodeText(new PgTimeTz(0, 0.5)), 1266)
  })
})

describe("parsing conveniences", () => {
  it("accepts ISO 8601 forms and ignores offsets for timestamp like timestamp_in", () => {
    assert.strictEqual(PgTimestamp.parse("2024-01-02T03:04:05Z").toString(), "2024-01-02 03:04:05+00")
    assert.strictEqual(PgTimestamp.parse("2024-01-02").toString(), "2024-01-02 00:00:00+00")
    assert.strictEqual(PgTimestamp.parse("2024-01-01 24:00:00").toString(), "2024-01-02 00:00:00+00")
    assert.strictEqual(PgTimestamp.parse("2024-12-31 23:59:60").toString(), "2025-01-01 00:00:00+00")
    assert.strictEqual(PgTime.parse("23:59:60").toString(), "24:00:00")
    assert.strictEqual(PgTime.parse("12:34").toString(), "12:34:00")
    assert.strictEqual(
      PgTimestamp.parse("2024-01-02 03:04:05+05", { withTimeZone: false }).toString(),
      "2024-01-02 03:04:05"
    )
    assert.strictEqual(PgTimestamp.parse("+infinity"), PgTimestamp.infinity)
    assert.isTrue(PgTimestamp.parse("-infinity", { withTimeZone: false }).equals(PgTimestamp.negativeInfinity.toTimestamp()))
    assert.strictEqual(PgDate.parse("0000-01-01").toString(), "0001-01-01 BC")
    assert.strictEqual(PgDate.parse("+002024-01-01").toString(), "2024-01-01")
    assert.strictEqual(PgDate.parse("-000001-01-01").toString(), "0002-01-01 BC")
    assert.strictEqual(PgDate.parse("0044-03-15 bc").toString(), "0044-03-15 BC")
  })

  it("orders values with compare", () => {
    const ts = ["-infinity", "4714-11-24 00:00:00 BC", "1969-12-31 23:59:59.999999", "1970-01-01", "infinity"].map(
      (s) => PgTimestamp.parse(s)
    )
    for (let i = 0; i < ts.length; i++) {
      for (let j = 0; j < ts.length; j++) {
        assert.strictEqual(PgTimestamp.compare(ts[i]!, ts[j]!), Math.sign(i - j))
      }
    }
    assert.strictEqual(PgDate.compare(PgDate.negativeInfinity, PgDate.min), -1)
    assert.strictEqual(PgDate.compare(PgDate.infinity, PgDate.max), 1)
  })
})

describe("Effect values as parameters", () => {
  it("timestamp encoders accept a DateTime-like value (epochMilliseconds)", () => {
    const ms = Date.UTC(2024, 0, 2, 3, 4, 5, 678)
    assert.strictEqual(encodeHex(timestamptz, { epochMilliseconds: ms }), encodeHex(timestamptz, new Date(ms)))
    assert.strictEqual(timestamptz.encodeText({ epochMilliseconds: ms }), timestamptz.encodeText(new Date(ms)))
    assert.strictEqual(encodeHex(date, { epochMilliseconds: ms }), encodeHex(date, new Date(ms)))
  })
})
