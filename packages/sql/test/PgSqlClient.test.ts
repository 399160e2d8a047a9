import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { SqlError } from "effect/sql/SqlError"
import * as Statement from "effect/sql/Statement"
import fc from "fast-check"
import * as PgError from "@pgfx/connection/PgError"
import type { Codec } from "@pgfx/protocol/PgCodec"
import { PgTimestamp } from "@pgfx/protocol/PgDateTime"
import { Oid } from "@pgfx/protocol/PgOid"
import { PgRange } from "@pgfx/protocol/PgRange"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { PgWriter } from "@pgfx/protocol/PgWriter"
import * as PgSqlClient from "../src/PgSqlClient.ts"
import { timestampMillis } from "../src/internal/codecs.ts"
import { json } from "../src/internal/compiler.ts"

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)))
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** A statement constructor that compiles but never runs. */
const constructor = (compiler: Statement.Compiler = PgSqlClient.makeCompiler()): Statement.Constructor =>
  Statement.make(Effect.die("no connection in unit tests"), compiler, [], undefined)

describe("compiler", () => {
  const sql = constructor()

  it("binds interpolated values as $n placeholders", () => {
    const [text, params] = sql`select * from t where a = ${1} and b = ${"x"} or c = ${null}`.compile()
    assert.strictEqual(text, "select * from t where a = $1 and b = $2 or c = $3")
    assert.deepStrictEqual(params, [1, "x", null])
  })

  it("quotes identifiers with double quotes, doubling quotes inside and splitting schema.name", () => {
    assert.strictEqual(sql`select ${sql("my col")}, ${sql("a\"b")} from ${sql("app.users")}`.compile()[0], "select \"my col\", \"a\"\"b\" from \"app\".\"users\"")
  })

  it("numbers placeholders across fragments and helpers", () => {
    const where = sql`b = ${2}`
    const [text, params] = sql`select 1 where a = ${1} and ${where} and c in ${sql.in([3, 4])}`.compile()
    assert.strictEqual(text, "select 1 where a = $1 and b = $2 and c in ($3,$4)")
    assert.deepStrictEqual(params, [1, 2, 3, 4])
  })

  it("an empty IN list compares with an empty array", () => {
    assert.strictEqual(sql`select 1 where a in ${sql.in([])}`.compile()[0], "select 1 where a = ANY('{}')")
    assert.strictEqual(sql`select 1 where a not in ${sql.in([])}`.compile()[0], "select 1 where a <> ALL('{}')")
  })

  it("insert: columns, one placeholder per value, rows in order, RETURNING", () => {
    const [text, params] = sql`insert into t ${sql.insert([{ a: 1, b: "x" }, { a: 2, b: undefined }]).returning("*")}`.compile()
    assert.strictEqual(text, "insert into t (\"a\",\"b\") VALUES ($1,$2),($3,$4) RETURNING *")
    assert.deepStrictEqual(params, [1, "x", 2, null])
  })

  it("update: assignments without the omitted columns", () => {
    const [text, params] = sql`update t set ${sql.update({ id: 7, a: 1, b: "x" }, ["id"])} where id = ${7}`.compile()
    assert.strictEqual(text, "update t set \"a\" = $1, \"b\" = $2 where id = $3")
    assert.deepStrictEqual(params, [1, "x", 7])
  })

  it("updateValues: a VALUES list with an alias and column names, RETURNING params after the values", () => {
    const rows = [{ id: 1, name: "a" }, { id: 2, name: "b" }] as const
    const [text, params] = sql`update t set name = v.name from ${
      sql.updateValues(rows, "v").returning(sql`t.id, ${"tag"} as tag`)
    } where t.id = v.id`.compile()
    assert.strictEqual(
      text,
      "update t set name = v.name from (values ($1,$2),($3,$4)) AS \"v\"(\"id\",\"name\") RETURNING t.id, $5 as tag where t.id = v.id"
    )
    assert.deepStrictEqual(params, [1, "a", 2, "b", "tag"])
  })

  it("json(): a jsonb parameter, also inside insert", () => {
    const [text, params] = sql`select ${json({ a: [1] })} as j`.compile()
    assert.strictEqual(text, "select $1::jsonb as j")
    assert.deepStrictEqual(params, [{ a: [1] }])
    const [insert, values] = sql`insert into t ${sql.insert({ id: 1, doc: json({ b: 2 }) })}`.compile()
    assert.strictEqual(insert, "insert into t (\"id\",\"doc\") VALUES ($1,$2)")
    assert.deepStrictEqual(values, [1, { b: 2 }])
  })

  it("transformQueryNames renames identifiers, insert columns and json keys unless compiled without transforms", () => {
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    const t = constructor(PgSqlClient.makeCompiler(snake))
    const statement = t`insert into ${t("userTable")} ${t.insert({ firstName: "a", doc: json({ someKey: 1 }) })}`
    const [text, params] = statement.compile()
    assert.strictEqual(text, "insert into \"user_table\" (\"first_name\",\"doc\") VALUES ($1,$2)")
    assert.deepStrictEqual(params, ["a", { some_key: 1 }])
    assert.strictEqual(statement.compile(true)[0], "insert into \"userTable\" (\"firstName\",\"doc\") VALUES ($1,$2)")
    const noJson = constructor(PgSqlClient.makeCompiler(snake, false))
    assert.deepStrictEqual(noJson`select ${json({ someKey: 1 })}`.compile()[1], [{ someKey: 1 }])
  })

  it("is the pg dialect", () => {
    assert.strictEqual(sql.onDialectOrElse({ pg: () => "pg", orElse: () => "other" }), "pg")
  })
})

// -------------------------------------------------------------------------------------------------

const registryOf = (codecs: ReadonlyArray<Codec>) => PgTypes.addAll(PgTypes.builtins, codecs)
const date = registryOf(PgSqlClient.codecs())
const pgfx = registryOf(PgSqlClient.codecs({ dates: "pgfx" }))
const strict = registryOf(PgSqlClient.codecs({ dates: "pgfx", parameters: "strict" }))
const codec = (registry: PgTypes.Registry, oid: number): Codec => PgTypes.get(registry, oid)!

const decode = (registry: PgTypes.Registry, oid: number, golden: string): unknown => {
  const bytes = hex(golden)
  return codec(registry, oid).decodeBinary!(bytes, 0, bytes.length)
}

const encode = (registry: PgTypes.Registry, oid: number, value: unknown): string => {
  const writer = new PgWriter(16)
  codec(registry, oid).encodeBinary!(value, writer)
  return toHex(writer.take())
}

describe("value mapping: dates \"date\"", () => {
  it("timestamptz → Date, rounded down to the millisecond", () => {
    // select encode(timestamptz_send('2024-01-02 03:04:05.123456+00'), 'hex')
    assert.deepStrictEqual(decode(date, Oid.timestamptz, "0002b0ec8517d580"), new Date("2024-01-02T03:04:05.123Z"))
    // select encode(timestamptz_send('1999-12-31 23:59:59.999999+00'), 'hex')
    assert.deepStrictEqual(decode(date, Oid.timestamptz, "ffffffffffffffff"), new Date("1999-12-31T23:59:59.999Z"))
    // select encode(timestamptz_send('1900-01-01 00:00:00.0005+00'), 'hex')
    assert.deepStrictEqual(decode(date, Oid.timestamptz, "fff4c9ee7c0b81f4"), new Date("1900-01-01T00:00:00.000Z"))
  })

  it("±infinity → Invalid Date", () => {
    // select encode(timestamptz_send('infinity'), 'hex'), encode(timestamptz_send('-infinity'), 'hex')
    assert.isTrue(Number.isNaN((decode(date, Oid.timestamptz, "7fffffffffffffff") as Date).getTime()))
    assert.isTrue(Number.isNaN((decode(date, Oid.timestamptz, "8000000000000000") as Date).getTime()))
  })

  it("timestamp → Date of its wall clock read as UTC", () => {
    // select encode(timestamp_send('2024-01-02 03:04:05.5'), 'hex')
    assert.deepStrictEqual(decode(date, Oid.timestamp, "0002b0ec851d9460"), new Date("2024-01-02T03:04:05.500Z"))
  })

  it("the direct decoder agrees with PgTimestamp.toDate for every int64", () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (micros) => {
      const bytes = new Uint8Array(8)
      new DataView(bytes.buffer).setBigInt64(0, micros)
      let expected: number
      try {
        expected = (PgTypes.get(PgTypes.builtins, Oid.timestamptz)!.decodeBinary!(bytes, 0, 8) as PgTimestamp).toDate().getTime()
      } catch {
        // Outside PostgreSQL's range: the adapter's codec fails as pgfx's does.
        assert.throws(() => codec(date, Oid.timestamptz).decodeBinary!(bytes, 0, 8), /out of range/)
        return true
      }
      const actual = timestampMillis(bytes, 0)
      assert.isTrue(Object.is((codec(date, Oid.timestamptz).decodeBinary!(bytes, 0, 8) as Date).getTime(), expected))
      return Number.isNaN(expected) ? Number.isNaN(actual) : actual === expected
    }), { numRuns: 2000 })
    // PostgreSQL's valid range, where the Date range is what matters.
    fc.assert(fc.property(fc.bigInt({ min: -211_813_488_000_000_000n, max: 9_223_371_331_199_999_999n }), (micros) => {
      const bytes = new Uint8Array(8)
      new DataView(bytes.buffer).setBigInt64(0, micros)
      const expected = (PgTypes.get(PgTypes.builtins, Oid.timestamptz)!.decodeBinary!(bytes, 0, 8) as PgTimestamp).toDate().getTime()
      const actual = (codec(date, Oid.timestamptz).decodeBinary!(bytes, 0, 8) as Date).getTime()
      return Number.isNaN(expected) ? Number.isNaN(actual) : actual === expected
    }), { numRuns: 2000 })
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 52n), max: 2n ** 52n }), (micros) => {
      const bytes = new Uint8Array(8)
      new DataView(bytes.buffer).setBigInt64(0, micros)
      return timestampMillis(bytes, 0) === Number((micros - (((micros % 1000n) + 1000n) % 1000n)) / 1000n) + 946_684_800_000
    }), { numRuns: 2000 })
  })

  it("a wrong length is a codec error", () => {
    assert.throws(() => decode(date, Oid.timestamptz, "00"), /expected 8 bytes/)
  })

  it("date → ISO 8601 date string; time, timetz, interval → the server's text", () => {
    // select encode(date_send('2024-01-02'), 'hex'), encode(date_send('0044-03-15 BC'), 'hex')
    assert.strictEqual(decode(date, Oid.date, "0000223f"), "2024-01-02")
    assert.strictEqual(decode(date, Oid.date, "fff49d7b"), "-000043-03-15")
    // select encode(time_send('03:04:05.123456'), 'hex')
    assert.strictEqual(decode(date, Oid.time, "0000000292573580"), "03:04:05.123456")
    // select encode(timetz_send('03:04:05+02'), 'hex')
    assert.strictEqual(decode(date, Oid.timetz, "0000000292555340ffffe3e0"), "03:04:05+02")
    // select encode(interval_send('1 year 2 mons 3 days 04:05:06.789'), 'hex') — text: '1 year 2 mons 3 days 04:05:06.789'
    assert.strictEqual(decode(date, Oid.interval, "000000036c97ca88000000030000000e"), "1 year 2 mons 3 days 04:05:06.789")
  })

  it("text results (simple protocol) map the same way", () => {
    assert.deepStrictEqual(codec(date, Oid.timestamptz).decodeText("2024-01-02 05:04:05.123456+02"), new Date("2024-01-02T03:04:05.123Z"))
    assert.strictEqual(codec(date, Oid.date).decodeText("2024-01-02"), "2024-01-02")
    assert.strictEqual(codec(date, Oid.interval).decodeText("1 day"), "1 day")
  })

  it("arrays and the built-in ranges follow their elements", () => {
    assert.deepStrictEqual(
      codec(date, Oid._timestamptz).decodeText("{\"2024-01-02 03:04:05+00\",NULL}"),
      [new Date("2024-01-02T03:04:05Z"), null]
    )
    assert.deepStrictEqual(codec(date, Oid._date).decodeText("{2024-01-02}"), ["2024-01-02"])
    const range = codec(date, Oid.tstzrange).decodeText("[\"2024-01-02 00:00:00+00\",)") as PgRange<Date>
    assert.instanceOf(range, PgRange)
    assert.deepStrictEqual(range.lower, new Date("2024-01-02T00:00:00Z"))
    assert.strictEqual(range.upper, null)
  })

  it("dates \"pgfx\" keeps pgfx's values", () => {
    assert.instanceOf(decode(pgfx, Oid.timestamptz, "0002b0ec8517d580"), PgTimestamp)
    assert.strictEqual(PgSqlClient.codecs({ dates: "pgfx", parameters: "strict" }).length, 0)
  })

  it("the same modes give the same codecs (identity)", () => {
    assert.strictEqual(PgSqlClient.codecs(), PgSqlClient.codecs({ dates: "date", parameters: "lenient" }))
  })
})

describe("value mapping: parameters \"lenient\"", () => {
  it("timestamps take ISO strings, server text, Dates, epoch milliseconds and DateTimes", () => {
    // select encode(timestamptz_send('2024-01-02 03:04:05.123456+00'), 'hex')
    assert.strictEqual(encode(date, Oid.timestamptz, "2024-01-02T03:04:05.123456Z"), "0002b0ec8517d580")
    assert.strictEqual(encode(date, Oid.timestamptz, "2024-01-02 05:04:05.123456+02"), "0002b0ec8517d580")
    const ms = Date.UTC(2024, 0, 2, 3, 4, 5, 123)
    const expected = encode(date, Oid.timestamptz, new Date(ms))
    assert.strictEqual(encode(date, Oid.timestamptz, ms), expected)
    assert.strictEqual(encode(date, Oid.timestamptz, DateTime.makeUnsafe(ms)), expected)
    assert.strictEqual(encode(pgfx, Oid.timestamptz, "2024-01-02T03:04:05.123456Z"), "0002b0ec8517d580")
    // select encode(timestamp_send('2024-01-02 03:04:05.5'), 'hex')
    assert.strictEqual(encode(date, Oid.timestamp, "2024-01-02T03:04:05.5"), "0002b0ec851d9460")
  })

  it("date, time and interval take their text", () => {
    assert.strictEqual(encode(date, Oid.date, "2024-01-02"), "0000223f")
    assert.strictEqual(encode(date, Oid.date, "0044-03-15 BC"), "fff49d7b")
    assert.strictEqual(encode(date, Oid.time, "03:04:05.123456"), "0000000292573580")
    assert.strictEqual(encode(date, Oid.interval, "1 year 2 mons 3 days 04:05:06.789"), "000000036c97ca88000000030000000e")
    assert.strictEqual(codec(date, Oid.date).encodeText("2024-01-02"), "2024-01-02")
  })

  it("numbers and booleans take strings; text takes numbers, bigints, booleans and Dates", () => {
    assert.strictEqual(encode(date, Oid.int4, "42"), "0000002a")
    assert.strictEqual(encode(date, Oid.int2, "-1"), "ffff")
    assert.strictEqual(encode(date, Oid.bool, "t"), "01")
    assert.strictEqual(encode(date, Oid.float8, "1.5"), "3ff8000000000000")
    assert.strictEqual(encode(date, Oid.text, 42), toHex(new TextEncoder().encode("42")))
    assert.strictEqual(encode(date, Oid.text, 10n), toHex(new TextEncoder().encode("10")))
    assert.strictEqual(encode(date, Oid.varchar, true), toHex(new TextEncoder().encode("true")))
    assert.strictEqual(encode(date, Oid.text, new Date(0)), toHex(new TextEncoder().encode("1970-01-01T00:00:00.000Z")))
    assert.strictEqual(codec(date, Oid.text).encodeText(1.5), "1.5")
  })

  it("arrays take string elements too", () => {
    const writer = new PgWriter(64)
    codec(date, Oid._date).encodeBinary!(["2024-01-02"], writer)
    const expected = new PgWriter(64)
    codec(strict, Oid._date).encodeBinary!([new Date("2024-01-02T00:00:00Z")], expected)
    assert.strictEqual(toHex(writer.take()), toHex(expected.take()))
  })

  it("bad text still fails with a codec error", () => {
    assert.throws(() => encode(date, Oid.int4, "forty-two"))
    assert.throws(() => encode(date, Oid.timestamptz, "yesterday-ish"))
  })

  it("\"strict\" takes exactly pgfx's inputs", () => {
    assert.throws(() => encode(strict, Oid.timestamptz, "2024-01-02T03:04:05Z"), /expected a PgTimestamp or a Date/)
    assert.throws(() => encode(strict, Oid.text, 42), /expected a string/)
    assert.throws(() => encode(strict, Oid.int4, "42"))
  })
})

// -------------------------------------------------------------------------------------------------

const server = (code: string, extra: Partial<PgError.ServerErrorInit> = {}): PgError.PgError =>
  PgError.make(PgError.serverReason({ message: `error ${code}`, severity: "ERROR", code, condition: "", className: "", ...extra }))

describe("toSqlError", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["08006", "ConnectionError"],
    ["08P01", "ConnectionError"],
    ["28P01", "AuthenticationError"],
    ["28000", "AuthenticationError"],
    ["42501", "AuthorizationError"],
    ["42601", "SqlSyntaxError"],
    ["42P01", "SqlSyntaxError"],
    ["23505", "UniqueViolation"],
    ["23503", "ConstraintError"],
    ["23502", "ConstraintError"],
    ["23514", "ConstraintError"],
    ["23P01", "ConstraintError"],
    ["40P01", "DeadlockError"],
    ["40001", "SerializationError"],
    ["55P03", "LockTimeoutError"],
    ["57014", "StatementTimeoutError"],
    ["57P01", "ConnectionError"],
    ["53300", "ConnectionError"],
    ["22012", "UnknownError"],
    ["25P02", "UnknownError"],
    ["XX000", "UnknownError"]
  ]
  for (const [code, tag] of cases) {
    it(`SQLSTATE ${code} → ${tag}`, () => {
      const error = server(code)
      const mapped = PgSqlClient.toSqlError(error, "execute")
      assert.instanceOf(mapped, SqlError)
      assert.strictEqual(mapped.reason._tag, tag)
      assert.strictEqual(mapped.reason.cause, error)
      assert.strictEqual(mapped.reason.operation, "execute")
      assert.strictEqual(mapped.message, `error ${code}`)
    })
  }

  it("UniqueViolation carries the constraint (\"unknown\" when the server names none)", () => {
    const named = PgSqlClient.toSqlError(server("23505", { constraint: "users_email_key" }), "execute").reason
    assert.strictEqual(named._tag, "UniqueViolation")
    assert.strictEqual((named as { constraint?: string }).constraint, "users_email_key")
    const anonymous = PgSqlClient.toSqlError(server("23505"), "execute").reason
    assert.strictEqual((anonymous as { constraint?: string }).constraint, "unknown")
  })

  it("connection failures are ConnectionErrors; client-side failures UnknownErrors", () => {
    const reasons: ReadonlyArray<readonly [PgError.PgErrorReason, string]> = [
      [new PgError.ConnectionError({ message: "refused", code: "ECONNREFUSED" }), "ConnectionError"],
      [new PgError.ConnectTimeout({ message: "timeout" }), "ConnectionError"],
      [new PgError.ConnectionClosed({ message: "closed", safeToRetry: true }), "ConnectionError"],
      [new PgError.PoolTimeout({ message: "pool" }), "ConnectionError"],
      [new PgError.ProtocolError({ message: "bad bytes" }), "ConnectionError"],
      [new PgError.TlsError({ message: "tls" }), "ConnectionError"],
      [new PgError.AuthenticationError({ message: "password" }), "AuthenticationError"],
      [new PgError.EncodeError({ message: "encode" }), "UnknownError"],
      [new PgError.DecodeError({ message: "decode" }), "UnknownError"],
      [new PgError.ConfigError({ message: "config" }), "UnknownError"],
      [new PgError.Unsupported({ message: "gss", feature: "gssapi" }), "UnknownError"]
    ]
    for (const [reason, tag] of reasons) {
      const mapped = PgSqlClient.toSqlError(PgError.make(reason), "acquire")
      assert.strictEqual(mapped.reason._tag, tag, reason._tag)
      assert.strictEqual(mapped.message, reason.message)
    }
  })

  it("retryability follows the SqlError reason", () => {
    assert.isTrue(PgSqlClient.toSqlError(server("40001"), "execute").isRetryable)
    assert.isFalse(PgSqlClient.toSqlError(server("23505"), "execute").isRetryable)
  })
})
