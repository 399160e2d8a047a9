import { assert, describe, it } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import fc from "fast-check"

import * as PgArray from "@pgfx/protocol/PgArray"
import type { Codec } from "@pgfx/protocol/PgCodec"
import { PgDate, PgInterval, PgTime, PgTimestamp, PgTimeTz } from "@pgfx/protocol/PgDateTime"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgRange from "@pgfx/protocol/PgRange"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { PgWriter } from "@pgfx/protocol/PgWriter"

import * as PgSchema from "../src/PgSchema.ts"

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type Sync = Schema.Codec<any, any, never, never>

const decodeOk = <S extends Sync>(schema: S, input: unknown): S["Type"] => {
  const r = Schema.decodeUnknownResult(schema)(input)
  if (Result.isFailure(r)) return assert.fail(`expected success, got: ${r.failure.message}`)
  return r.success
}

const encodeOk = <S extends Sync>(schema: S, input: unknown): S["Encoded"] => {
  const r = Schema.encodeUnknownResult(schema)(input)
  if (Result.isFailure(r)) return assert.fail(`expected success, got: ${r.failure.message}`)
  return r.success
}

const decodeErr = (schema: Sync, input: unknown): string => {
  const r = Schema.decodeUnknownResult(schema)(input)
  if (Result.isSuccess(r)) return assert.fail(`expected a decoding failure, got ${String(r.success)}`)
  return r.failure.message
}

const encodeErr = (schema: Sync, input: unknown): string => {
  const r = Schema.encodeUnknownResult(schema)(input)
  if (Result.isSuccess(r)) return assert.fail(`expected an encoding failure, got ${String(r.success)}`)
  return r.failure.message
}

const includes = (message: string, part: string): void =>
  assert.isTrue(message.includes(part), `expected ${JSON.stringify(message)} to include ${JSON.stringify(part)}`)

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

const codec = (oid: number): Codec => {
  const c = PgTypes.get(PgTypes.builtins, oid)
  if (c === undefined) return assert.fail(`no codec for oid ${oid}`)
  return c
}
/** The wire value of golden binary bytes, decoded by the protocol's codec. */
const wire = (oid: number, bytesHex: string): unknown => {
  const bytes = hex(bytesHex)
  return codec(oid).decodeBinary!(bytes, 0, bytes.length)
}
/** The binary bytes the protocol's codec writes for a wire value. */
const send = (oid: number, value: unknown): string => {
  const w = new PgWriter(64)
  codec(oid).encodeBinary!(value, w)
  return toHex(w.take())
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const utc = (iso: string): DateTime.Utc => DateTime.makeUnsafe(iso) as DateTime.Utc

// ---------------------------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------------------------

describe("declarations (identity, lossless)", () => {
  it("pass the wire classes through unchanged, both ways", () => {
    const cases: ReadonlyArray<readonly [Sync, unknown]> = [
      [PgSchema.PgTimestamp, PgTimestamp.parse("2024-01-02 03:04:05.123456+00")],
      [PgSchema.PgTimestamp, PgTimestamp.infinity.toTimestamp()],
      [PgSchema.PgDate, PgDate.make(-43, 3, 15)],
      [PgSchema.PgTime, PgTime.make({ hour: 24, minute: 0 })],
      [PgSchema.PgTimeTz, PgTimeTz.make({ hour: 12, minute: 0, offsetSeconds: 19_800 })],
      [PgSchema.PgInterval, PgInterval.make({ months: 14, days: -3, microseconds: 1n })]
    ]
    for (const [schema, value] of cases) {
      assert.strictEqual(decodeOk(schema, value), value)
      assert.strictEqual(encodeOk(schema, value), value)
    }
  })

  it("reject other values with the class name", () => {
    includes(decodeErr(PgSchema.PgTimestamp, new Date(0)), "Expected PgTimestamp")
    includes(decodeErr(PgSchema.PgDate, "2024-01-02"), "Expected PgDate")
    includes(decodeErr(PgSchema.PgTime, PgTimeTz.make({ hour: 1, minute: 0, offsetSeconds: 0 })), "Expected PgTime")
    includes(decodeErr(PgSchema.PgTimeTz, PgTime.midnight), "Expected PgTimeTz")
    includes(decodeErr(PgSchema.PgInterval, 1000), "Expected PgInterval")
  })

  it("derive equivalence from the classes' equals", () => {
    const eq = Schema.toEquivalence(PgSchema.PgTimestamp)
    assert.isTrue(eq(PgTimestamp.parse("2024-01-02 00:00:00.5+00"), PgTimestamp.parse("2024-01-02T00:00:00.5Z")))
    assert.isFalse(eq(PgTimestamp.parse("2024-01-02 00:00:00+00"), PgTimestamp.parse("2024-01-02 00:00:00.000001+00")))
  })
})

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

describe("integers and floats", () => {
  it("Int2 / Int4 / Oid check their ranges", () => {
    assert.strictEqual(decodeOk(PgSchema.Int2, -32_768), -32_768)
    assert.strictEqual(decodeOk(PgSchema.Int2, 32_767), 32_767)
    includes(decodeErr(PgSchema.Int2, 32_768), "int2")
    includes(decodeErr(PgSchema.Int2, 1.5), "int2")
    assert.strictEqual(decodeOk(PgSchema.Int4, -2_147_483_648), -2_147_483_648)
    includes(decodeErr(PgSchema.Int4, 2_147_483_648), "int4")
    includes(encodeErr(PgSchema.Int4, 0.5), "int4")
    assert.strictEqual(decodeOk(PgSchema.Oid, 4_294_967_295), 4_294_967_295)
    includes(decodeErr(PgSchema.Oid, -1), "oid")
  })

  it("Float4 / Float8 keep NaN, ±Infinity and -0", () => {
    assert.isTrue(Number.isNaN(decodeOk(PgSchema.Float8, NaN)))
    assert.strictEqual(decodeOk(PgSchema.Float8, -Infinity), -Infinity)
    assert.isTrue(Object.is(decodeOk(PgSchema.Float4, -0), -0))
    includes(decodeErr(PgSchema.Float8, "1.5"), "Expected number")
  })

  it("Int8 is bigint identity within int64 (BigIntFromInt8 is the same schema)", () => {
    assert.strictEqual(decodeOk(PgSchema.Int8, INT64_MIN), INT64_MIN)
    assert.strictEqual(encodeOk(PgSchema.Int8, INT64_MAX), INT64_MAX)
    includes(decodeErr(PgSchema.Int8, INT64_MAX + 1n), "int8")
    includes(decodeErr(PgSchema.Int8, 1), "Expected bigint")
    assert.strictEqual(PgSchema.BigIntFromInt8, PgSchema.Int8)
  })

  it("Int8Number decodes safe integers and fails beyond ±(2^53 - 1)", () => {
    assert.strictEqual(decodeOk(PgSchema.Int8Number, 9_007_199_254_740_991n), 9_007_199_254_740_991)
    assert.strictEqual(decodeOk(PgSchema.Int8Number, -9_007_199_254_740_991n), -9_007_199_254_740_991)
    const message = decodeErr(PgSchema.Int8Number, 9_007_199_254_740_992n)
    includes(message, "not a safe integer")
    includes(message, "PgSchema.Int8")
    assert.strictEqual(encodeOk(PgSchema.Int8Number, 42), 42n)
    includes(encodeErr(PgSchema.Int8Number, 2 ** 53), "safe integer")
    includes(encodeErr(PgSchema.Int8Number, 1.5), "safe integer")
  })
})

describe("numeric", () => {
  it("Numeric accepts exactly the server's text form", () => {
    const good = ["0", "-1", "1.50", "0.000", "-0.001", "123456789012345678901234567890.5"]
    good.push("NaN", "Infinity", "-Infinity")
    for (const s of good) {
      assert.strictEqual(decodeOk(PgSchema.Numeric, s), s)
      assert.strictEqual(encodeOk(PgSchema.Numeric, s), s)
    }
    const bad = ["", "-", "1.", ".5", "01", "-0", "-0.00", "+1", "1e5", "1.5e3", " 1", "1_000", "nan", "inf", "0x1F"]
    for (const s of bad) {
      includes(decodeErr(PgSchema.Numeric, s), "numeric as PostgreSQL prints it")
    }
  })

  it("NumericBigDecimal keeps the scale: \"1.50\" is value 150, scale 2, and encodes back to \"1.50\"", () => {
    const bd = decodeOk(PgSchema.NumericBigDecimal, "1.50")
    assert.strictEqual(bd.value, 150n)
    assert.strictEqual(bd.scale, 2)
    assert.strictEqual(encodeOk(PgSchema.NumericBigDecimal, bd), "1.50")
    const cases: ReadonlyArray<readonly [string, bigint, number]> = [
      ["0", 0n, 0],
      ["0.00", 0n, 2],
      ["-0.001", -1n, 3],
      ["123", 123n, 0],
      ["-123456789012345678901234567890.000100", -123456789012345678901234567890000100n, 6]
    ]
    for (const [text, value, scale] of cases) {
      const d = decodeOk(PgSchema.NumericBigDecimal, text)
      assert.strictEqual(d.value, value, text)
      assert.strictEqual(d.scale, scale, text)
      assert.strictEqual(encodeOk(PgSchema.NumericBigDecimal, d), text)
    }
  })

  it("NumericBigDecimal encodes any BigDecimal without an exponent", () => {
    assert.strictEqual(encodeOk(PgSchema.NumericBigDecimal, BigDecimal.make(15n, -2)), "1500")
    assert.strictEqual(encodeOk(PgSchema.NumericBigDecimal, BigDecimal.make(0n, -3)), "0")
    assert.strictEqual(encodeOk(PgSchema.NumericBigDecimal, BigDecimal.fromStringUnsafe("1e-7")), "0.0000001")
    assert.strictEqual(encodeOk(PgSchema.NumericBigDecimal, BigDecimal.make(-5n, 1)), "-0.5")
    const e20 = BigDecimal.fromStringUnsafe("1e20")
    assert.strictEqual(encodeOk(PgSchema.NumericBigDecimal, e20), "100000000000000000000")
  })

  it("NumericBigDecimal fails on NaN and the infinities with a clear issue", () => {
    for (const s of ["NaN", "Infinity", "-Infinity"]) {
      const message = decodeErr(PgSchema.NumericBigDecimal, s)
      includes(message, `numeric ${s} cannot be represented as a BigDecimal`)
      includes(message, "PgSchema.Numeric")
    }
    includes(decodeErr(PgSchema.NumericBigDecimal, "1e5"), "numeric as PostgreSQL prints it")
    includes(encodeErr(PgSchema.NumericBigDecimal, "1.5"), "Expected BigDecimal")
  })

  it("NumericNumber is Number(text) one way and an exponent-free decimal the other", () => {
    assert.strictEqual(decodeOk(PgSchema.NumericNumber, "1.50"), 1.5)
    assert.isTrue(Number.isNaN(decodeOk(PgSchema.NumericNumber, "NaN")))
    assert.strictEqual(decodeOk(PgSchema.NumericNumber, "-Infinity"), -Infinity)
    // lossy: more digits than a double holds
    assert.strictEqual(decodeOk(PgSchema.NumericNumber, "9007199254740993"), 9_007_199_254_740_992)
    const cases: ReadonlyArray<readonly [number, string]> = [
      [1.5, "1.5"],
      [-0, "0"],
      [1e21, "1000000000000000000000"],
      [1e-7, "0.0000001"],
      [-1.5e-7, "-0.00000015"],
      [NaN, "NaN"],
      [Infinity, "Infinity"],
      [-Infinity, "-Infinity"]
    ]
    for (const [n, text] of cases) assert.strictEqual(encodeOk(PgSchema.NumericNumber, n), text)
  })
})

describe("text-like scalars", () => {
  it("Bool, Text, Bytea", () => {
    assert.strictEqual(decodeOk(PgSchema.Bool, false), false)
    includes(decodeErr(PgSchema.Bool, "t"), "Expected boolean")
    assert.strictEqual(decodeOk(PgSchema.Text, "héllo"), "héllo")
    includes(decodeErr(PgSchema.Text, "a\u0000b"), "without NUL")
    includes(encodeErr(PgSchema.Text, "a\u0000b"), "without NUL")
    const bytes = new Uint8Array([0, 255])
    assert.strictEqual(decodeOk(PgSchema.Bytea, bytes), bytes)
    includes(decodeErr(PgSchema.Bytea, [0, 255]), "Uint8Array")
  })

  it("Uuid accepts any 8-4-4-4-12 hex value", () => {
    const good = [
      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      "00000000-0000-0000-0000-000000000000",
      "A0EEBC99-9C0B-0EF8-1B6D-6BB9BD380A11"
    ]
    for (const u of good) {
      assert.strictEqual(decodeOk(PgSchema.Uuid, u), u)
    }
    const bad = [
      "a0eebc999c0b4ef8bb6d6bb9bd380a11",
      "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
      "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    ]
    for (const u of bad) {
      includes(decodeErr(PgSchema.Uuid, u), "UUID")
    }
  })

  it("Enum decodes known labels and names the expected ones for a bad label", () => {
    const Mood = PgSchema.Enum(["sad", "ok", "happy"])
    assert.strictEqual(decodeOk(Mood, "ok"), "ok")
    assert.strictEqual(encodeOk(Mood, "happy"), "happy")
    const message = decodeErr(Mood, "angry")
    includes(message, `"sad" | "ok" | "happy"`)
  })

  it("Nullable is NullOr", () => {
    const s = PgSchema.Nullable(PgSchema.Int4)
    assert.strictEqual(decodeOk(s, null), null)
    assert.strictEqual(decodeOk(s, 1), 1)
    includes(decodeErr(s, undefined), "Expected")
  })

  it("Json decodes the parsed JSON value through the schema's JSON codec, and encodes back to JSON", () => {
    const Doc = PgSchema.Json(
      Schema.Struct({ at: Schema.DateTimeUtc, n: Schema.BigInt, tags: Schema.Array(Schema.String) })
    )
    const value = decodeOk(Doc, { at: "2024-01-02T03:04:05.678Z", n: "12345678901234567890", tags: ["a"] })
    assert.strictEqual(DateTime.toEpochMillis(value.at), Date.UTC(2024, 0, 2, 3, 4, 5, 678))
    assert.strictEqual(value.n, 12345678901234567890n)
    assert.deepStrictEqual(encodeOk(Doc, value), {
      at: "2024-01-02T03:04:05.678Z",
      n: "12345678901234567890",
      tags: ["a"]
    })
    const message = decodeErr(Doc, { at: "2024-01-02T03:04:05Z", n: "x", tags: [] })
    includes(message, `["n"]`)
  })
})

// ---------------------------------------------------------------------------------------------
// Timestamps and dates
// ---------------------------------------------------------------------------------------------

describe("Timestamptz", () => {
  it("decodes to DateTime.Utc, truncating microseconds to the millisecond", () => {
    const dt = decodeOk(PgSchema.Timestamptz, PgTimestamp.parse("2024-01-02 03:04:05.123999+00"))
    assert.isTrue(DateTime.isDateTime(dt) && DateTime.isUtc(dt))
    assert.strictEqual(DateTime.toEpochMillis(dt), Date.UTC(2024, 0, 2, 3, 4, 5, 123))
    // before 1970 the truncation still rounds down (toward the past)
    const before = decodeOk(PgSchema.Timestamptz, PgTimestamp.parse("1969-12-31 23:59:59.999500+00"))
    assert.strictEqual(DateTime.toEpochMillis(before), -1)
    assert.strictEqual(PgSchema.DateTimeUtc, PgSchema.Timestamptz)
  })

  it("encodes exactly: microsecond = millisecond × 1000, withTimeZone true", () => {
    const t = encodeOk(PgSchema.Timestamptz, utc("2024-01-02T03:04:05.123Z"))
    assert.instanceOf(t, PgTimestamp)
    assert.isTrue(t.equals(PgTimestamp.parse("2024-01-02 03:04:05.123+00")))
    assert.strictEqual(t.microsecond, 123_000)
    const neg = encodeOk(PgSchema.Timestamptz, DateTime.makeUnsafe(-1))
    assert.strictEqual(neg.epochSeconds, -1)
    assert.strictEqual(neg.microsecond, 999_000)
  })

  it("fails on ±infinity with a message naming the alternative", () => {
    const message = decodeErr(PgSchema.Timestamptz, PgTimestamp.infinity)
    includes(message, "timestamptz infinity cannot be represented as a DateTime.Utc")
    includes(message, "PgSchema.TimestamptzOrInfinity")
    includes(decodeErr(PgSchema.Timestamptz, PgTimestamp.negativeInfinity), "timestamptz -infinity")
  })

  it("fails outside DateTime's range and before PostgreSQL's first timestamp", () => {
    includes(decodeErr(PgSchema.Timestamptz, PgTimestamp.max), "outside the range of DateTime.Utc")
    assert.strictEqual(
      DateTime.toEpochMillis(decodeOk(PgSchema.Timestamptz, PgTimestamp.min)),
      PgTimestamp.min.epochSeconds * 1000
    )
    includes(encodeErr(PgSchema.Timestamptz, DateTime.makeUnsafe(-8.64e15)), "before 4714-11-24 00:00:00 BC")
  })

  it("rejects a timestamp (without time zone) value, pointing at PgSchema.Timestamp", () => {
    const wall = PgTimestamp.parse("2024-01-02 03:04:05").toTimestamp()
    includes(decodeErr(PgSchema.Timestamptz, wall), "PgSchema.Timestamp")
    includes(decodeErr(PgSchema.Timestamptz, new Date(0)), "Expected PgTimestamp")
  })

  it("TimestamptzOrInfinity maps the infinities to strings and back", () => {
    assert.strictEqual(decodeOk(PgSchema.TimestamptzOrInfinity, PgTimestamp.infinity), "infinity")
    assert.strictEqual(decodeOk(PgSchema.TimestamptzOrInfinity, PgTimestamp.negativeInfinity), "-infinity")
    const dt = decodeOk(PgSchema.TimestamptzOrInfinity, PgTimestamp.parse("2024-01-02 00:00:00.000001+00"))
    assert.isTrue(DateTime.isDateTime(dt))
    assert.strictEqual(encodeOk(PgSchema.TimestamptzOrInfinity, "infinity"), PgTimestamp.infinity)
    assert.strictEqual(encodeOk(PgSchema.TimestamptzOrInfinity, "-infinity"), PgTimestamp.negativeInfinity)
    assert.isTrue(
      encodeOk(PgSchema.TimestamptzOrInfinity, utc("2024-01-02T00:00:00Z")).equals(PgTimestamp.parse("2024-01-02"))
    )
    includes(encodeErr(PgSchema.TimestamptzOrInfinity, "forever"), "Expected")
  })

  it("TimestamptzDate decodes to a Date and encodes one", () => {
    const d = decodeOk(PgSchema.TimestamptzDate, PgTimestamp.parse("2024-01-02 03:04:05.678901+00"))
    assert.instanceOf(d, Date)
    assert.strictEqual(d.toISOString(), "2024-01-02T03:04:05.678Z")
    assert.isTrue(
      encodeOk(PgSchema.TimestamptzDate, new Date("2024-01-02T03:04:05.678Z")).equals(
        PgTimestamp.parse("2024-01-02 03:04:05.678+00")
      )
    )
    includes(decodeErr(PgSchema.TimestamptzDate, PgTimestamp.infinity), "cannot be represented as a Date")
    includes(encodeErr(PgSchema.TimestamptzDate, new Date(NaN)), "a valid Date")
  })
})

describe("Timestamp (without time zone)", () => {
  it("reads the wall clock as UTC and encodes a timestamp back", () => {
    const wall = PgTimestamp.make({ year: 2024, month: 3, day: 31, hour: 2, minute: 30 }, { withTimeZone: false })
    const dt = decodeOk(PgSchema.Timestamp, wall)
    const parts = DateTime.toPartsUtc(dt)
    assert.deepStrictEqual([parts.year, parts.month, parts.day, parts.hour, parts.minute], [2024, 3, 31, 2, 30])
    const back = encodeOk(PgSchema.Timestamp, dt)
    assert.isFalse(back.withTimeZone)
    assert.isTrue(back.equals(wall))
    includes(decodeErr(PgSchema.Timestamp, PgTimestamp.parse("2024-01-02 00:00:00+00")), "PgSchema.Timestamptz")
    includes(decodeErr(PgSchema.Timestamp, PgTimestamp.infinity.toTimestamp()), "timestamp infinity")
  })

  it("TimestampDate gives a Date whose UTC fields are the wall clock", () => {
    const d = decodeOk(PgSchema.TimestampDate, PgTimestamp.parse("2024-01-02 03:04:05", { withTimeZone: false }))
    assert.deepStrictEqual([d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()], [2024, 0, 2, 3])
    assert.isFalse(encodeOk(PgSchema.TimestampDate, d).withTimeZone)
  })
})

describe("dates", () => {
  it("DateFromPgDate: midnight UTC both ways", () => {
    const d = decodeOk(PgSchema.DateFromPgDate, PgDate.make(2024, 1, 2))
    assert.strictEqual(d.getTime(), Date.UTC(2024, 0, 2))
    assert.isTrue(encodeOk(PgSchema.DateFromPgDate, new Date(Date.UTC(1999, 11, 31))).equals(PgDate.make(1999, 12, 31)))
    const bc = PgDate.make(-43, 3, 15)
    assert.isTrue(encodeOk(PgSchema.DateFromPgDate, decodeOk(PgSchema.DateFromPgDate, bc)).equals(bc))
  })

  it("DateFromPgDate fails on a time of day, infinities, and dates out of range", () => {
    includes(encodeErr(PgSchema.DateFromPgDate, new Date(Date.UTC(2024, 0, 2, 0, 0, 0, 1))), "midnight UTC")
    includes(decodeErr(PgSchema.DateFromPgDate, PgDate.infinity), "date infinity cannot be represented as a Date")
    includes(decodeErr(PgSchema.DateFromPgDate, PgDate.negativeInfinity), "date -infinity")
    includes(decodeErr(PgSchema.DateFromPgDate, PgDate.max), "outside the range of Date")
    includes(encodeErr(PgSchema.DateFromPgDate, new Date(Date.UTC(-5000, 0, 1))), "before 4714-11-24 BC")
  })

  it("DateTimeFromPgDate", () => {
    const dt = decodeOk(PgSchema.DateTimeFromPgDate, PgDate.make(2024, 2, 29))
    assert.strictEqual(DateTime.formatIsoDateUtc(dt), "2024-02-29")
    assert.isTrue(encodeOk(PgSchema.DateTimeFromPgDate, dt).equals(PgDate.make(2024, 2, 29)))
    includes(encodeErr(PgSchema.DateTimeFromPgDate, utc("2024-02-29T12:00:00Z")), "midnight UTC")
  })
})

// ---------------------------------------------------------------------------------------------
// Intervals
// ---------------------------------------------------------------------------------------------

const nanosOf = (d: Duration.Duration): bigint => Duration.toNanosUnsafe(d)

describe("intervals", () => {
  it("Interval counts days as 24 hours and fails on months", () => {
    const d = decodeOk(PgSchema.Interval, PgInterval.make({ days: 1, hours: 2, microseconds: 5 }))
    assert.strictEqual(nanosOf(d), ((86_400n + 7_200n) * 1_000_000n + 5n) * 1000n)
    const neg = decodeOk(PgSchema.Interval, PgInterval.make({ days: -1, hours: 1 }))
    assert.strictEqual(nanosOf(neg), -23n * 3_600_000_000_000n)
    const message = decodeErr(PgSchema.Interval, PgInterval.make({ years: 1 }))
    includes(message, "interval with months cannot be a Duration")
    includes(message, "PgSchema.IntervalParts")
  })

  it("Interval maps PostgreSQL 17's infinities to Duration's and back", () => {
    assert.strictEqual(decodeOk(PgSchema.Interval, PgInterval.infinity), Duration.infinity)
    assert.strictEqual(decodeOk(PgSchema.Interval, PgInterval.negativeInfinity), Duration.negativeInfinity)
    assert.strictEqual(encodeOk(PgSchema.Interval, Duration.infinity), PgInterval.infinity)
    assert.strictEqual(encodeOk(PgSchema.Interval, Duration.negativeInfinity), PgInterval.negativeInfinity)
  })

  it("Interval encodes microseconds only, failing on sub-microsecond and oversized durations", () => {
    assert.isTrue(encodeOk(PgSchema.Interval, Duration.days(1)).equals(new PgInterval(0, 0, 86_400_000_000n)))
    assert.isTrue(encodeOk(PgSchema.Interval, Duration.millis(-1.5)).equals(new PgInterval(0, 0, -1500n)))
    assert.isTrue(encodeOk(PgSchema.Interval, Duration.zero).equals(PgInterval.zero))
    includes(encodeErr(PgSchema.Interval, Duration.nanos(1_001n)), "fraction of a microsecond")
    includes(encodeErr(PgSchema.Interval, Duration.micros(INT64_MAX + 1n)), "too long for an interval")
  })

  it("IntervalStrict rejects days", () => {
    const d = decodeOk(PgSchema.IntervalStrict, PgInterval.make({ hours: 25 }))
    assert.strictEqual(nanosOf(d), 25n * 3_600_000_000_000n)
    includes(decodeErr(PgSchema.IntervalStrict, PgInterval.make({ days: 1 })), "a day is not always 24 hours")
    includes(decodeErr(PgSchema.IntervalStrict, PgInterval.make({ months: 1 })), "months")
  })

  it("IntervalParts keeps months, days and microseconds", () => {
    const i = PgInterval.make({ years: 1, months: 2, days: -3, hours: 4, microseconds: 5 })
    const parts = decodeOk(PgSchema.IntervalParts, i)
    assert.deepStrictEqual(parts, { months: 14, days: -3, microseconds: 4n * 3_600_000_000n + 5n })
    assert.isTrue(encodeOk(PgSchema.IntervalParts, parts).equals(i))
    const infinityParts = decodeOk(PgSchema.IntervalParts, PgInterval.infinity)
    assert.isTrue(encodeOk(PgSchema.IntervalParts, infinityParts).equals(PgInterval.infinity))
    includes(encodeErr(PgSchema.IntervalParts, { months: 2 ** 31, days: 0, microseconds: 0n }), `["months"]`)
  })
})

// ---------------------------------------------------------------------------------------------
// Ranges and arrays
// ---------------------------------------------------------------------------------------------

describe("Range", () => {
  const During = PgSchema.Range(PgSchema.Timestamptz)

  it("decodes and encodes each finite bound through the item schema", () => {
    const wireRange = PgRange.make(PgTimestamp.parse("2024-01-01"), PgTimestamp.parse("2024-02-01"), "[]")
    const r = decodeOk(During, wireRange)
    assert.instanceOf(r, PgRange.PgRange)
    assert.strictEqual(DateTime.formatIso(r.lower!), "2024-01-01T00:00:00.000Z")
    assert.strictEqual(DateTime.formatIso(r.upper!), "2024-02-01T00:00:00.000Z")
    assert.deepStrictEqual([r.lowerInclusive, r.upperInclusive, r.empty], [true, true, false])
    const back = encodeOk(During, r)
    assert.isTrue(back.lower!.equals(wireRange.lower!) && back.upper!.equals(wireRange.upper!))
    assert.deepStrictEqual(PgRange.bounds(back), "[]")
  })

  it("keeps unbounded sides and the empty range", () => {
    const half = decodeOk(During, PgRange.make(null, PgTimestamp.parse("2024-01-01"), "(]"))
    assert.isNull(half.lower)
    assert.isTrue(half.upperInclusive)
    assert.strictEqual(decodeOk(During, PgRange.empty()), PgRange.empty())
    const ints = PgRange.make(1, 10)
    assert.strictEqual(decodeOk(PgSchema.Range(PgSchema.Int4), ints), ints)
  })

  it("points an item issue at its bound", () => {
    const message = decodeErr(During, PgRange.make(PgTimestamp.parse("2024-01-01"), PgTimestamp.infinity))
    includes(message, "timestamptz infinity")
    includes(message, `["upper"]`)
    includes(decodeErr(During, { lower: null, upper: null }), "Expected PgRange")
    assert.strictEqual(PgSchema.PgRange, PgSchema.Range)
  })

  it("Multirange is an array of ranges", () => {
    const m = decodeOk(PgSchema.Multirange(PgSchema.Int8Number), [PgRange.make(1n, 3n), PgRange.make(5n, null)])
    assert.deepStrictEqual(m.map((r) => [r.lower, r.upper]), [[1, 3], [5, null]])
    includes(decodeErr(PgSchema.Multirange(PgSchema.Int8Number), [PgRange.make(1n, 2n ** 60n)]), `[0]["upper"]`)
  })
})

describe("Array", () => {
  it("decodes plain arrays element by element and encodes plain arrays", () => {
    const s = PgSchema.Array(PgSchema.Int8Number)
    assert.deepStrictEqual(decodeOk(s, [1n, 2n]), [1, 2])
    assert.deepStrictEqual(encodeOk(s, [1, 2]), [1n, 2n])
    assert.deepStrictEqual(decodeOk(s, []), [])
    includes(decodeErr(s, [1n, 2n ** 60n]), "at [1]")
    includes(decodeErr(s, "{1,2}"), "Expected an array")
  })

  it("accepts a PgArray with other lower bounds, dropping the bounds", () => {
    const s = PgSchema.Array(PgSchema.Text)
    assert.deepStrictEqual(decodeOk(s, PgArray.make(["a", "b", "c"], [0])), ["a", "b", "c"])
    const grid = PgSchema.Array(PgSchema.Array(PgSchema.Int4))
    assert.deepStrictEqual(decodeOk(grid, PgArray.make([[1, 2], [3, 4]], [-1, 5])), [[1, 2], [3, 4]])
    assert.deepStrictEqual(decodeOk(grid, [[1, 2], [3, 4]]), [[1, 2], [3, 4]])
  })

  it("passes NULL elements to the item schema (use Nullable)", () => {
    includes(decodeErr(PgSchema.Array(PgSchema.Int4), [1, null]), "at [1]")
    assert.deepStrictEqual(decodeOk(PgSchema.Array(PgSchema.Nullable(PgSchema.Int4)), [1, null]), [1, null])
    const dates = PgSchema.Array(PgSchema.Nullable(PgSchema.DateFromPgDate))
    const out = decodeOk(dates, [PgDate.make(2024, 1, 2), null])
    assert.strictEqual(out[0]!.getTime(), Date.UTC(2024, 0, 2))
    assert.isNull(out[1])
  })
})

describe("geometry", () => {
  it("structs matching PgGeometry's shapes", () => {
    assert.deepStrictEqual(decodeOk(PgSchema.Point, { x: 1, y: -2.5 }), { x: 1, y: -2.5 })
    const box = { upperRight: { x: 2, y: 2 }, lowerLeft: { x: 0, y: 0 } }
    assert.deepStrictEqual(decodeOk(PgSchema.Box, box), box)
    includes(decodeErr(PgSchema.Circle, { center: { x: 0, y: 0 } }), `["radius"]`)
    assert.deepStrictEqual(decodeOk(PgSchema.Path, { closed: true, points: [{ x: 0, y: 0 }] }), {
      closed: true,
      points: [{ x: 0, y: 0 }]
    })
  })
})

// ---------------------------------------------------------------------------------------------
// End to end with the protocol codecs and server goldens
// ---------------------------------------------------------------------------------------------

describe("with the wire codecs (goldens from PostgreSQL 18)", () => {
  it("timestamptz", () => {
    // select encode(timestamptz_send('2024-01-02 03:04:05.123456+00'), 'hex')
    const micros = wire(Oid.timestamptz, "0002b0ec8517d580")
    assert.strictEqual(DateTime.formatIso(decodeOk(PgSchema.Timestamptz, micros)), "2024-01-02T03:04:05.123Z")
    // select encode(timestamptz_send('2024-01-02 03:04:05.123+00'), 'hex')
    const dt = decodeOk(PgSchema.Timestamptz, wire(Oid.timestamptz, "0002b0ec8517d3b8"))
    assert.strictEqual(send(Oid.timestamptz, encodeOk(PgSchema.Timestamptz, dt)), "0002b0ec8517d3b8")
    // select encode(timestamptz_send('infinity'), 'hex')
    assert.strictEqual(decodeOk(PgSchema.TimestamptzOrInfinity, wire(Oid.timestamptz, "7fffffffffffffff")), "infinity")
    assert.strictEqual(send(Oid.timestamptz, encodeOk(PgSchema.TimestamptzOrInfinity, "infinity")), "7fffffffffffffff")
  })

  it("timestamp", () => {
    // select encode(timestamp_send('2024-01-02 03:04:05.123'), 'hex')
    const dt = decodeOk(PgSchema.Timestamp, wire(Oid.timestamp, "0002b0ec8517d3b8"))
    assert.strictEqual(DateTime.formatIso(dt), "2024-01-02T03:04:05.123Z")
    assert.strictEqual(send(Oid.timestamp, encodeOk(PgSchema.Timestamp, dt)), "0002b0ec8517d3b8")
  })

  it("numeric", () => {
    // select encode(numeric_send('1.50'), 'hex')
    const bd = decodeOk(PgSchema.NumericBigDecimal, wire(Oid.numeric, "000200000000000200011388"))
    assert.deepStrictEqual([bd.value, bd.scale], [150n, 2])
    assert.strictEqual(send(Oid.numeric, encodeOk(PgSchema.NumericBigDecimal, bd)), "000200000000000200011388")
    // select encode(numeric_send('-123456789012345678901234567890.000100'), 'hex')
    const big = "0009000740000006000c0d801ed204d2162e23340d801ed20001"
    const d = decodeOk(PgSchema.NumericBigDecimal, wire(Oid.numeric, big))
    assert.strictEqual(send(Oid.numeric, encodeOk(PgSchema.NumericBigDecimal, d)), big)
    // select encode(numeric_send('NaN'), 'hex')
    includes(decodeErr(PgSchema.NumericBigDecimal, wire(Oid.numeric, "00000000c0000000")), "numeric NaN")
  })

  it("int8", () => {
    // select encode(int8send(9007199254740993), 'hex')
    const v = wire(Oid.int8, "0020000000000001")
    assert.strictEqual(decodeOk(PgSchema.Int8, v), 9_007_199_254_740_993n)
    includes(decodeErr(PgSchema.Int8Number, v), "not a safe integer")
  })

  it("interval and date", () => {
    // select encode(interval_send('1 day 02:03:04.5'), 'hex')
    const i = wire(Oid.interval, "00000001b82687200000000100000000")
    assert.strictEqual(nanosOf(decodeOk(PgSchema.Interval, i)), (86_400n + 7_384n) * 1_000_000_000n + 500_000_000n)
    const parts = decodeOk(PgSchema.IntervalParts, i)
    assert.strictEqual(send(Oid.interval, encodeOk(PgSchema.IntervalParts, parts)), "00000001b82687200000000100000000")
    // select encode(interval_send('1 mon'), 'hex')
    includes(decodeErr(PgSchema.Interval, wire(Oid.interval, "00000000000000000000000000000001")), "months")
    // select encode(date_send('2024-01-02'), 'hex')
    const d = decodeOk(PgSchema.DateFromPgDate, wire(Oid.date, "0000223f"))
    assert.strictEqual(d.toISOString(), "2024-01-02T00:00:00.000Z")
    assert.strictEqual(send(Oid.date, encodeOk(PgSchema.DateFromPgDate, d)), "0000223f")
  })

  it("tstzrange", () => {
    // select encode(range_send('[2024-01-01 00:00:00+00,)'::tstzrange), 'hex')
    const golden = "12000000080002b0d5d4e94000"
    const r = decodeOk(PgSchema.Range(PgSchema.Timestamptz), wire(Oid.tstzrange, golden))
    assert.strictEqual(DateTime.formatIso(r.lower!), "2024-01-01T00:00:00.000Z")
    assert.isNull(r.upper)
    assert.strictEqual(send(Oid.tstzrange, encodeOk(PgSchema.Range(PgSchema.Timestamptz), r)), golden)
  })
})

describe("row schemas", () => {
  const User = Schema.Struct({
    id: PgSchema.Int4,
    balance: PgSchema.NumericBigDecimal,
    created: PgSchema.Timestamptz,
    deleted: PgSchema.Nullable(PgSchema.Timestamptz),
    role: PgSchema.Enum(["admin", "member"])
  })
  const row = {
    id: 7,
    balance: "10.00",
    created: PgTimestamp.parse("2024-01-02 03:04:05+00"),
    deleted: null,
    role: "admin"
  }

  it.effect("decode with Schema.decodeUnknownEffect", () =>
    Effect.gen(function*() {
      const user = yield* Schema.decodeUnknownEffect(User)(row)
      assert.strictEqual(user.id, 7)
      assert.strictEqual(user.balance.scale, 2)
      assert.strictEqual(DateTime.formatIso(user.created), "2024-01-02T03:04:05.000Z")
      assert.isNull(user.deleted)
      const params = yield* Schema.encodeEffect(User)(user)
      assert.strictEqual(params.balance, "10.00")
      assert.isTrue(params.created.equals(row.created))
    }))

  it.effect("fail with a SchemaError naming the column", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Schema.decodeUnknownEffect(User)({ ...row, created: PgTimestamp.infinity }))
      assert.strictEqual(error._tag, "SchemaError")
      includes(error.message, "timestamptz infinity")
      includes(error.message, `["created"]`)
    }))
})

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe("properties", () => {
  it("Int8: decode ∘ encode is the identity over int64; Int8Number over safe integers", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (n) => {
        assert.strictEqual(encodeOk(PgSchema.Int8, decodeOk(PgSchema.Int8, n)), n)
      })
    )
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        assert.strictEqual(decodeOk(PgSchema.Int8Number, encodeOk(PgSchema.Int8Number, n)), n)
      })
    )
  })

  it("NumericBigDecimal: value and scale survive text and back; the text survives BigDecimal and back", () => {
    const arb = fc.record({
      value: fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
      scale: fc.integer({ min: 0, max: 30 })
    })
    fc.assert(
      fc.property(arb, ({ scale, value }) => {
        const text = encodeOk(PgSchema.NumericBigDecimal, BigDecimal.make(value, scale))
        assert.strictEqual(decodeOk(PgSchema.Numeric, text), text)
        const back = decodeOk(PgSchema.NumericBigDecimal, text)
        assert.strictEqual(back.value, value)
        assert.strictEqual(back.scale, scale)
        assert.strictEqual(encodeOk(PgSchema.NumericBigDecimal, back), text)
      })
    )
  })

  it("NumericNumber: every double survives number → text → number", () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        const text = encodeOk(PgSchema.NumericNumber, n)
        assert.strictEqual(decodeOk(PgSchema.Numeric, text), text)
        const back = decodeOk(PgSchema.NumericNumber, text)
        assert.isTrue(Object.is(back, n) || (n === 0 && back === 0), `${n} → ${text} → ${back}`)
      })
    )
  })

  it("Timestamptz: DateTime → wire → DateTime is exact; wire → DateTime truncates to the millisecond", () => {
    const minMillis = PgTimestamp.min.epochSeconds * 1000
    fc.assert(
      fc.property(fc.integer({ min: minMillis, max: 8.64e15 }), (ms) => {
        const t = encodeOk(PgSchema.Timestamptz, DateTime.makeUnsafe(ms))
        assert.strictEqual(t.epochMicroseconds, BigInt(ms) * 1000n)
        assert.strictEqual(DateTime.toEpochMillis(decodeOk(PgSchema.Timestamptz, t)), ms)
      })
    )
    const maxMicros = 8_640_000_000_000_000_000n
    fc.assert(
      fc.property(fc.bigInt({ min: BigInt(minMillis) * 1000n, max: maxMicros }), (micros) => {
        const t = PgTimestamp.fromEpochMicroseconds(micros)
        const dt = decodeOk(PgSchema.Timestamptz, t)
        const floorMillis = (micros - ((micros % 1000n) + 1000n) % 1000n) / 1000n
        assert.strictEqual(BigInt(DateTime.toEpochMillis(dt)), floorMillis)
        const back = encodeOk(PgSchema.Timestamptz, dt)
        assert.strictEqual(back.epochMicroseconds, floorMillis * 1000n)
      })
    )
  })
})
