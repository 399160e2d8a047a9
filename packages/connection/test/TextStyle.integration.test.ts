/**
 * Text results of date/time types after the session changes DateStyle or IntervalStyle: the
 * connection follows the server's ParameterStatus and reads every style's output as the same
 * values the binary results give. The simple query protocol always returns text, so these run
 * through `simple()`; the reference is the same query through `execute()` (binary results).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgConnection from "../src/PgConnection.ts"

const server = pgServer()
const url = server.connectionString()

/** Day ≤ 12 on purpose: a day-first style misread as month-first would give another date. */
const valuesSql = `select
  date '2024-03-04' as d,
  date '0044-03-15 BC' as bc,
  timestamp '2024-03-04 05:06:07.25' as ts,
  timestamptz '2024-03-04 05:06:07.123456+00' as tstz,
  time '23:59:58.5' as t,
  interval '1 year 2 mons -3 days 04:05:06.5' as iv,
  interval '-1 days +02:00:00' as mixed,
  array[date '2024-01-02', date '2024-12-11'] as dates,
  tstzrange('2024-03-04 00:00+00', '2024-03-05 12:00+00') as range,
  'infinity'::timestamptz as inf`

const asText = (row: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join("|") : String(v)]))

const styles: ReadonlyArray<readonly [dateStyle: string, intervalStyle: string]> = [
  ["ISO, MDY", "postgres"],
  ["SQL, DMY", "sql_standard"],
  ["SQL, MDY", "postgres_verbose"],
  ["Postgres, DMY", "iso_8601"],
  ["Postgres, MDY", "postgres"],
  ["German", "sql_standard"],
  ["ISO, YMD", "postgres_verbose"]
]

describe("date/time text under the session's DateStyle and IntervalStyle", () => {
  it.live("simple() reads every style as the binary results read", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const expected = asText((yield* c.execute(valuesSql)).rows[0]!)
      for (const [dateStyle, intervalStyle] of styles) {
        yield* c.simple(`set DateStyle = '${dateStyle}'; set IntervalStyle = '${intervalStyle}'`)
        assert.strictEqual(c.parameters.get("DateStyle")?.replace(/\s/g, ""), dateStyle.replace(/\s/g, "").replace(/^German$/, "German,DMY"))
        const [result] = yield* c.simple(valuesSql)
        assert.deepStrictEqual(asText(result!.rows[0]!), expected, `${dateStyle} / ${intervalStyle}`)
        // binary results are unaffected by the style
        assert.deepStrictEqual(asText((yield* c.execute(valuesSql)).rows[0]!), expected)
      }
    }))

  it.live("a zone printed as an abbreviation cannot be read: a DecodeError, and the connection stays usable", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("set DateStyle = 'SQL, DMY'; set TimeZone = 'Europe/Paris'")
      const error = yield* Effect.flip(c.simple("select timestamptz '2024-03-04 05:06:07+00' as at"))
      assert.strictEqual(error.reason._tag, "DecodeError")
      assert.match(error.message, /CET|zone/)
      // UTC prints as "UTC" in every style and reads back
      yield* c.simple("set TimeZone = 'UTC'")
      const [ok] = yield* c.simple("select timestamptz '2024-03-04 05:06:07+00' as at")
      assert.strictEqual(String(ok!.rows[0]!["at"]), "2024-03-04 05:06:07+00")
    }))

  it.live("a SET pipelined just before a query: the query's rows are read in the new style", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      // from MDY to DMY: read in the old order, 2020-01-02 would come back as February 1st
      yield* c.simple("set DateStyle = 'SQL, MDY'")
      const [, [result]] = yield* Effect.all([
        c.simple("set DateStyle = 'SQL, DMY'"),
        c.simple("select '2020-01-02'::date as d")
      ], { concurrency: "unbounded" })
      assert.strictEqual(String(result!.rows[0]!["d"]), "2020-01-02")
      // and back to ISO the same way
      const [, again] = yield* Effect.all([
        c.simple("set DateStyle = 'ISO, MDY'"),
        c.simple("select '2020-01-02'::date as d")
      ], { concurrency: "unbounded" })
      assert.strictEqual(String(again[0]!.rows[0]!["d"]), "2020-01-02")
    }))

  it.live("RESET brings the ISO reading back", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("set DateStyle = 'Postgres, DMY'")
      yield* c.simple("reset DateStyle")
      const [result] = yield* c.simple("select date '2024-03-04' as d")
      assert.strictEqual(String(result!.rows[0]!["d"]), "2024-03-04")
    }))
})
