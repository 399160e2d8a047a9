import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import type * as PgCodec from "../../src/PgCodec.ts"
import { PgInterval } from "../../src/PgDateTime.ts"
import { codecs, interval } from "../../src/internal/types/interval.ts"
import { decodeHex, encodeHex, int32Hex, int64Hex, throwsCodecError } from "./helpers.ts"

/** The wire form: µs int64, days int32, months int32. */
const wire = (months: number, days: number, micros: bigint): string => int64Hex(micros) + int32Hex(days) + int32Hex(months)

const assertCodecError = (f: () => unknown): PgCodec.CodecError => {
  const err = throwsCodecError(f, "interval")
  assert.strictEqual(err.oid, 1186)
  return err
}

const INT32_MIN = -2_147_483_648
const INT32_MAX = 2_147_483_647
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

// Captured from PostgreSQL 18.4 with
//   set intervalstyle=postgres;
//   select encode(interval_send('<literal>'::interval), 'hex'), '<literal>'::interval::text
// and, for the last column, `set intervalstyle=iso_8601; select '<literal>'::interval::text`.
// Each row: [literal, hex (µs int64, days int32, months int32), postgres text, iso_8601 text].
const goldens: ReadonlyArray<readonly [string, string, string, string]> = [
  [
    "1 year 2 mons 3 days 04:05:06.789",
    "000000036c97ca88000000030000000e",
    "1 year 2 mons 3 days 04:05:06.789",
    "P1Y2M3DT4H5M6.789S"
  ],
  ["-00:00:01", "fffffffffff0bdc00000000000000000", "-00:00:01", "PT-1S"],
  ["00:00:00", "00000000000000000000000000000000", "00:00:00", "PT0S"],
  ["-0.000001 sec", "ffffffffffffffff0000000000000000", "-00:00:00.000001", "PT-0.000001S"],
  ["1 day -01:00:00", "ffffffff296c5c000000000100000000", "1 day -01:00:00", "P1DT-1H"],
  [
    "-1 years -2 mons +3 days -04:05:06",
    "fffffffc93743f8000000003fffffff2",
    "-1 years -2 mons +3 days -04:05:06",
    "P-1Y-2M3DT-4H-5M-6S"
  ],
  ["1 mon -1 days", "0000000000000000ffffffff00000001", "1 mon -1 days", "P1M-1D"],
  ["-1 days +01:00:00", "00000000d693a400ffffffff00000000", "-1 days +01:00:00", "P-1DT1H"],
  [
    "178956970 years 7 mons 2147483647 days 2562047788:00:54.775806",
    "7ffffffffffffffe7fffffff7fffffff",
    "178956970 years 7 mons 2147483647 days 2562047788:00:54.775806",
    "P178956970Y7M2147483647DT2562047788H54.775806S"
  ],
  [
    "-178956970 years -8 mons -2147483648 days -2562047788:00:54.775807",
    "80000000000000018000000080000000",
    "-178956970 years -8 mons -2147483648 days -2562047788:00:54.775807",
    "P-178956970Y-8M-2147483648DT-2562047788H-54.775807S"
  ],
  ["infinity", "7fffffffffffffff7fffffff7fffffff", "infinity", "infinity"],
  ["-infinity", "80000000000000008000000080000000", "-infinity", "-infinity"],
  ["100 hours", "00000053d1ac10000000000000000000", "100:00:00", "PT100H"],
  ["1 year", "0000000000000000000000000000000c", "1 year", "P1Y"],
  ["-1 year", "000000000000000000000000fffffff4", "-1 years", "P-1Y"],
  ["-11 mons", "000000000000000000000000fffffff5", "-11 mons", "P-11M"],
  ["00:00:00.5", "000000000007a1200000000000000000", "00:00:00.5", "PT0.5S"],
  ["1 day", "00000000000000000000000100000000", "1 day", "P1D"],
  ["-1 day -00:00:00.5", "fffffffffff85ee0ffffffff00000000", "-1 days -00:00:00.5", "P-1DT-0.5S"],
  ["2562047788:00:54.775807", "7fffffffffffffff0000000000000000", "2562047788:00:54.775807", "PT2562047788H54.775807S"],
  [
    "-2562047788:00:54.775807",
    "80000000000000010000000000000000",
    "-2562047788:00:54.775807",
    "PT-2562047788H-54.775807S"
  ],
  [
    "1 year 1 mon 1 day 01:01:01.000001",
    "00000000da366d41000000010000000d",
    "1 year 1 mon 1 day 01:01:01.000001",
    "P1Y1M1DT1H1M1.000001S"
  ],
  ["-1 mons +1 day", "000000000000000000000001ffffffff", "-1 mons +1 day", "P-1M1D"],
  ["-00:01:00", "fffffffffc6c79000000000000000000", "-00:01:00", "PT-1M"],
  ["-01:00:00", "ffffffff296c5c000000000000000000", "-01:00:00", "PT-1H"]
]

describe("interval goldens", () => {
  it("binary, postgres text and iso_8601 text agree with the server", () => {
    for (const [literal, hex, text, iso] of goldens) {
      const value = decodeHex(interval, hex)
      assert.strictEqual(value.toString(), text, `toString of ${literal}`)
      assert.strictEqual(value.toJSON(), iso, `toJSON of ${literal}`)
      assert.strictEqual(encodeHex(interval, value), hex, `encodeBinary of ${literal}`)
      assert.strictEqual(interval.encodeText(value), text, `encodeText of ${literal}`)
      assert.isTrue(interval.decodeText(text).equals(value), `decodeText of ${literal}`)
      assert.isTrue(interval.decodeText(iso).equals(value), `decodeText of ${iso}`)
    }
  })

  it("keeps months, days and microseconds apart", () => {
    const v = decodeHex(interval, "000000036c97ca88000000030000000e")
    assert.strictEqual(v.months, 14)
    assert.strictEqual(v.days, 3)
    assert.strictEqual(v.microseconds, 14_706_789_000n)
    assert.deepStrictEqual(v.toParts(), {
      years: 1,
      months: 2,
      days: 3,
      hours: 4,
      minutes: 5,
      seconds: 6,
      microseconds: 789_000
    })
    assert.deepStrictEqual(decodeHex(interval, "fffffffc93743f8000000003fffffff2").toParts(), {
      years: -1,
      months: -2,
      days: 3,
      hours: -4,
      minutes: -5,
      seconds: -6,
      microseconds: 0
    })
    assert.isTrue(PgInterval.make({ months: 1 }).equals(new PgInterval(1, 0, 0n)))
    assert.isFalse(PgInterval.make({ months: 1 }).equals(PgInterval.make({ days: 30 })))
    assert.isTrue(
      PgInterval.make({ years: 1, months: 2, weeks: 1, days: -4, hours: 4, minutes: 5, seconds: 6, microseconds: 789_000n })
        .equals(decodeHex(interval, "000000036c97ca88000000030000000e"))
    )
  })

  it("decodes the infinities to the shared constants", () => {
    assert.strictEqual(decodeHex(interval, "7fffffffffffffff7fffffff7fffffff"), PgInterval.infinity)
    assert.strictEqual(decodeHex(interval, "80000000000000008000000080000000"), PgInterval.negativeInfinity)
    assert.isFalse(PgInterval.infinity.isFinite)
    assert.isFalse(PgInterval.negativeInfinity.isFinite)
    assert.isTrue(PgInterval.zero.isFinite)
    assert.strictEqual(interval.decodeText("infinity"), PgInterval.infinity)
    assert.strictEqual(interval.decodeText("-infinity"), PgInterval.negativeInfinity)
    // almost-sentinel values are finite
    assert.isTrue(decodeHex(interval, wire(INT32_MAX, INT32_MAX, INT64_MAX - 1n)).isFinite)
    assert.isTrue(decodeHex(interval, wire(INT32_MIN, INT32_MIN, INT64_MIN + 1n)).isFinite)
    assert.isTrue(decodeHex(interval, wire(0, 0, INT64_MIN)).isFinite)
    assert.isTrue(decodeHex(interval, wire(INT32_MAX, 0, INT64_MAX)).isFinite)
  })

  it("the family exports the codec", () => {
    assert.deepStrictEqual(codecs.map((c) => [c.name, c.oid]), [["interval", 1186]])
  })
})

const int32 = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: INT32_MIN, max: INT32_MAX }) },
  { weight: 4, arbitrary: fc.integer({ min: -40, max: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(INT32_MIN, INT32_MAX, 0, -1, 1, 12, -12) }
)
const int64 = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }) },
  { weight: 4, arbitrary: fc.bigInt({ min: -200_000_000_000n, max: 200_000_000_000n }) },
  { weight: 1, arbitrary: fc.constantFrom(INT64_MIN, INT64_MAX, 0n, -1n, 1n, 2n ** 53n, -(2n ** 53n)) }
)
const intervals = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(int32, int32, int64) },
  { weight: 1, arbitrary: fc.constant([INT32_MAX, INT32_MAX, INT64_MAX] as const) },
  { weight: 1, arbitrary: fc.constant([INT32_MIN, INT32_MIN, INT64_MIN] as const) }
)

describe("interval properties", () => {
  it("binary: decode ∘ encode is the identity and exact", () => {
    fc.assert(
      fc.property(intervals, ([months, days, micros]) => {
        const hex = wire(months, days, micros)
        const value = decodeHex(interval, hex)
        assert.strictEqual(value.months, months)
        assert.strictEqual(value.days, days)
        assert.strictEqual(value.microseconds, micros)
        assert.strictEqual(encodeHex(interval, value), hex)
      }),
      { numRuns: 5000 }
    )
  })

  it("text: decodeText ∘ encodeText and parse ∘ toJSON are the identity", () => {
    fc.assert(
      fc.property(intervals, ([months, days, micros]) => {
        const value = PgInterval.fromFields(months, days, micros)
        const text = interval.encodeText(value)
        assert.isTrue(interval.decodeText(text).equals(value), text)
        assert.isTrue(PgInterval.parse(value.toJSON()).equals(value), value.toJSON())
      }),
      { numRuns: 5000 }
    )
  })

  it("toParts recombines to the stored fields", () => {
    fc.assert(
      fc.property(fc.tuple(int32, int32, int64), ([months, days, micros]) => {
        const value = new PgInterval(months, days, micros)
        fc.pre(value.isFinite)
        const p = value.toParts()
        assert.strictEqual(p.years * 12 + p.months, months)
        assert.strictEqual(p.days, days)
        assert.strictEqual(
          ((BigInt(p.hours) * 60n + BigInt(p.minutes)) * 60n + BigInt(p.seconds)) * 1_000_000n +
            BigInt(p.microseconds),
          micros
        )
        const signs = [p.hours, p.minutes, p.seconds, p.microseconds].map(Math.sign)
        assert.isFalse(signs.includes(1) && signs.includes(-1))
      }),
      { numRuns: 2000 }
    )
  })
})

describe("interval malformed input", () => {
  it("rejects wrong binary lengths", () => {
    for (const length of [0, 8, 12, 15, 17]) {
      const err = assertCodecError(() => interval.decodeBinary!(new Uint8Array(32), 0, length))
      assert.include(err.message, "expected 16 bytes")
    }
  })

  it("rejects garbage text", () => {
    for (
      const text of [
        "",
        " ",
        "1",
        "1 year 1 year",
        "1 mon 2 mons",
        "1 fortnight",
        "1 years  2 mons",
        "1 year ",
        " 1 year",
        "1year",
        "01:02:03 04:05:06",
        "01:60:00",
        "01:00:60",
        "1:2:3",
        "01:00:00.1234567",
        "--1 year",
        "1.5 years",
        "2147483648 days",
        "-2147483649 days",
        "178956971 years",
        "2562047788:00:54.775808",
        "99999999999:00:00",
        "P",
        "PT",
        "P1",
        "P1X",
        "P1.5Y",
        "PT1.5H",
        "P1Y1Y",
        "P1H",
        "PT1D",
        "P1DT",
        "infinityx",
        "Infinity",
        "x".repeat(100_000)
      ]
    ) {
      const err = assertCodecError(() => interval.decodeText(text))
      assert.isBelow(err.message.length, 200)
    }
    assertCodecError(() => interval.decodeText(null as any))
  })

  it("rejects out-of-range values and wrong types when encoding", () => {
    assertCodecError(() => encodeHex(interval, new PgInterval(INT32_MAX + 1, 0, 0n)))
    assertCodecError(() => encodeHex(interval, new PgInterval(0, 0.5, 0n)))
    assertCodecError(() => encodeHex(interval, new PgInterval(0, 0, INT64_MAX + 1n)))
    assertCodecError(() => encodeHex(interval, new PgInterval(0, 0, 1 as any)))
    assertCodecError(() => interval.encodeText(new PgInterval(NaN, 0, 0n)))
    assertCodecError(() => encodeHex(interval, { months: 0, days: 0, microseconds: 0n } as any))
    assertCodecError(() => PgInterval.make({ years: 178_956_971 }))
    assertCodecError(() => PgInterval.make({ hours: 2_562_047_789 }))
    assertCodecError(() => PgInterval.make({ seconds: 1.5 }))
    assertCodecError(() => PgInterval.fromFields(0, INT32_MIN - 1, 0n))
  })
})
