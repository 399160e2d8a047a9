import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as PgConnection from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import type { Codec } from "@pgfx/protocol/PgCodec"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgCopy from "../src/PgCopy.ts"
import * as PgSource from "../src/PgSource.ts"
import * as PgSql from "../src/PgSql.ts"

/** The error of a test input stream that breaks. */
class SourceBroke extends Data.TaggedError("SourceBroke")<{ readonly message: string }> {}

const server = pgServer()
const url = server.connectionString()
const schema = `pgfx_copy_${process.pid}`
/** Rows in the big source table (COPY round trips in every format). */
const N = 1_000_000

const run = <A, E>(effect: Effect.Effect<A, E, never>): Promise<A> => Effect.runPromise(effect)
const sqlAll = (sql: string) =>
  Effect.scoped(Effect.flatMap(PgConnection.make(url), (c) => c.simple(sql)))

beforeAll(() =>
  run(sqlAll(`
    drop schema if exists ${schema} cascade;
    create schema ${schema};
    create table ${schema}.src (id int4 primary key, name text, f float8, ts timestamptz);
    insert into ${schema}.src
      select i, case when i % 10 = 0 then null else md5(i::text) end, i * 1.5,
        timestamptz '2024-01-01 00:00:00+00' + i * interval '1.5 second'
      from generate_series(1, ${N}) i;
    analyze ${schema}.src;
  `)), 120_000)

afterAll(() => run(sqlAll(`drop schema if exists ${schema} cascade`)))

const t = (name: string) => `${schema}.${name}`

/** A table shaped like `src`. */
const makeTable = (source: PgSource.PgSource, name: string) =>
  source.withConnection((c) => c.simple(`drop table if exists ${t(name)}; create table ${t(name)} (like ${t("src")})`))

interface Checksum {
  readonly n: bigint
  readonly ids: bigint
  readonly h: bigint
}

const checksum = (source: PgSource.PgSource, table: string) =>
  source.withConnection((c) =>
    Effect.map(
      c.execute<Checksum>(
        `select count(*)::int8 as n, coalesce(sum(id), 0)::int8 as ids, coalesce(sum(hashtext(x::text)::int8), 0)::int8 as h from ${table} x`
      ),
      (r) => r.rows[0]!
    )
  )

const count = (source: PgSource.PgSource, table: string) =>
  source.withConnection((c) => Effect.map(c.execute<{ n: bigint }>(`select count(*)::int8 as n from ${table}`), (r) => Number(r.rows[0]!.n)))

/** `select 1` works and returns the right thing (the connection is back in step). */
const usable = (source: PgSource.PgSource) =>
  source.withConnection((c) =>
    Effect.map(c.execute<{ x: number; y: string }>("select 42 as x, 'after' as y"), (r) => {
      assert.deepStrictEqual(r.rows, [{ x: 42, y: "after" }])
    })
  )

type Row = readonly [number, string | null, number, Date]
const rowAt = (i: number): Row => [i, i % 7 === 0 ? null : `name ${i}`, i / 4, new Date(Date.UTC(2024, 0, 1) + i * 1000)]
const rows = (from: number, to: number): Stream.Stream<Row> => Stream.map(Stream.range(from, to), rowAt)

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? (Cause.findErrorOption(exit.cause).pipe((o) => (o._tag === "Some" ? o.value : undefined))) : undefined

describe("PgCopy round trips (1M rows)", () => {
  for (const format of ["text", "csv", "binary"] as const) {
    it.live(`COPY TO → COPY FROM in ${format}, streamed connection to connection`, () =>
      Effect.gen(function*() {
        const from = yield* PgSource.single(url)
        const to = yield* PgSource.single(url)
        const table = `rt_${format}`
        yield* makeTable(to, table)
        const started = performance.now()
        const result = yield* Stream.run(
          PgCopy.toBytes(from, `copy ${t("src")} to stdout (format ${format})`),
          PgCopy.fromBytes(to, `copy ${t(table)} from stdin (format ${format})`)
        )
        const ms = performance.now() - started
        console.log(`[copy] ${format}: ${N} rows out and in, ${ms.toFixed(0)} ms`)
        assert.strictEqual(result.rows, N)
        assert.deepStrictEqual(yield* checksum(to, t(table)), yield* checksum(from, t("src")))
        yield* usable(from)
        yield* usable(to)
      }), 60_000)
  }

  it.live("typed rows: toRows → fromRows (binary both ways)", () =>
    Effect.gen(function*() {
      const from = yield* PgSource.single(url)
      const to = yield* PgSource.single(url)
      yield* makeTable(to, "rt_rows")
      const started = performance.now()
      const result = yield* Stream.run(
        PgCopy.toRows(from, { table: t("src"), rowMode: "array" }),
        PgCopy.fromRows(to, { table: t("rt_rows") })
      )
      console.log(`[copy] typed rows: ${N} rows out and in, ${(performance.now() - started).toFixed(0)} ms`)
      assert.strictEqual(result.rows, N)
      assert.deepStrictEqual(yield* checksum(to, t("rt_rows")), yield* checksum(from, t("src")))
    }), 60_000)

  it.live("rows from JS values: arrays and objects, in binary and text format", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      for (const format of ["binary", "text"] as const) {
        const table = `js_${format}`
        yield* makeTable(source, table)
        const n = 200_000
        const result = yield* Stream.run(
          rows(1, n).pipe(Stream.map((r, i) => (i % 2 === 0 ? r : { id: r[0], name: r[1], f: r[2], ts: r[3] }))),
          PgCopy.fromRows(source, { table: t(table), format })
        )
        assert.strictEqual(result.rows, n)
        // The server computes the same rows from the same formula.
        const expected = yield* source.withConnection((c) =>
          c.execute<{ bad: bigint }>(
            `select count(*)::int8 as bad from ${t(table)} x where x.name is distinct from (case when x.id % 7 = 0 then null else 'name ' || x.id end)
               or x.f <> x.id / 4.0 or x.ts <> timestamptz '2024-01-01 00:00:00+00' + x.id * interval '1 second'`
          )
        )
        assert.strictEqual(expected.rows[0]!.bad, 0n, format)
        assert.strictEqual(yield* count(source, t(table)), n)
        // And they come back identical through toRows.
        const back = yield* Stream.runCollect(
          PgCopy.toRows<{ id: number; name: string | null; f: number; ts: unknown }>(source, {
            query: `select id, name, f from ${t(table)} where id <= 1000 order by id`
          })
        )
        assert.deepStrictEqual(back.map((r) => [r.id, r.name, r.f]), Array.from({ length: 1000 }, (_, i) => rowAt(i + 1).slice(0, 3)))
      }
    }), 60_000)
})

describe("PgCopy FROM failures", () => {
  it.live("a source failing after 100k rows: CopyFail, the source's error, nothing committed, connection usable", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      yield* makeTable(source, "fail_src")
      // rows: fail after 100k rows
      const rowsExit = yield* Effect.exit(
        Stream.run(
          Stream.concat(rows(1, 100_000), Stream.fail(new SourceBroke({ message: "the source broke" }))),
          PgCopy.fromRows(source, { table: t("fail_src") })
        )
      )
      const error = failureOf(rowsExit)
      assert.instanceOf(error, SourceBroke)
      assert.strictEqual((error as SourceBroke).message, "the source broke")
      assert.strictEqual(yield* count(source, t("fail_src")), 0)
      yield* usable(source)
      // bytes: fail after 100k lines
      const exit = yield* Effect.exit(
        Stream.run(
          Stream.concat(Stream.map(Stream.range(1, 100_000), (i) => `${i}\n`), Stream.fail(new SourceBroke({ message: "bytes broke" }))),
          PgCopy.fromBytes(source, `copy ${t("fail_src")} (id) from stdin`)
        )
      )
      assert.strictEqual((failureOf(exit) as SourceBroke).message, "bytes broke")
      assert.strictEqual(yield* count(source, t("fail_src")), 0)
      yield* usable(source)
    }), 60_000)

  it.live("inside an explicit transaction: the transaction is failed, rollback works, nothing committed", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      yield* makeTable(source, "fail_tx")
      yield* Effect.scoped(Effect.gen(function*() {
        const tx = yield* source.reserve
        yield* tx.simple("begin")
        yield* tx.execute(`insert into ${t("fail_tx")} (id) values (-1)`)
        const exit = yield* Effect.exit(
          Stream.run(
            Stream.concat(rows(1, 100_000), Stream.fail(new SourceBroke({ message: "broke in tx" }))),
            PgCopy.fromRows(tx, { table: t("fail_tx") })
          )
        )
        assert.strictEqual((failureOf(exit) as SourceBroke).message, "broke in tx")
        assert.strictEqual(tx.transactionStatus, "failed")
        const inFailed = yield* Effect.exit(tx.execute("select 1"))
        assert.isTrue(Exit.isFailure(inFailed))
        yield* tx.simple("rollback")
        assert.strictEqual(tx.transactionStatus, "idle")
      }))
      assert.strictEqual(yield* count(source, t("fail_tx")), 0)
      yield* usable(source)

      // and a successful COPY inside a transaction commits with it
      yield* Effect.scoped(Effect.gen(function*() {
        const tx = yield* source.reserve
        yield* tx.simple("begin")
        const result = yield* Stream.run(rows(1, 1000), PgCopy.fromRows(tx, { table: t("fail_tx") }))
        assert.strictEqual(result.rows, 1000)
        assert.strictEqual(tx.transactionStatus, "transaction")
        yield* tx.simple("commit")
      }))
      assert.strictEqual(yield* count(source, t("fail_tx")), 1000)
    }), 60_000)

  it.live("an interrupted source (a stream that stalls) aborts the COPY; the connection is usable", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      yield* makeTable(source, "interrupt_in")
      const fiber = yield* Effect.forkChild(
        Stream.run(Stream.concat(rows(1, 50_000), Stream.never), PgCopy.fromRows(source, { table: t("interrupt_in") }))
      )
      yield* Effect.sleep("300 millis")
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(yield* count(source, t("interrupt_in")), 0)
      yield* usable(source)
      // timeouts too
      const timedOut = yield* Effect.exit(
        Stream.run(Stream.concat(rows(1, 10), Stream.never), PgCopy.fromRows(source, { table: t("interrupt_in") })).pipe(
          Effect.timeout("200 millis")
        )
      )
      assert.isTrue(Exit.isFailure(timedOut))
      assert.strictEqual(yield* count(source, t("interrupt_in")), 0)
      yield* usable(source)
    }), 30_000)

  it.live("a server error mid-COPY (duplicate key) fails the sink with the ServerError; the connection is usable", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      yield* source.withConnection((c) => c.simple(`create table ${t("dup")} (id int4 primary key)`))
      const exit = yield* Effect.exit(
        Stream.run(
          Stream.map(Stream.range(1, 300_000), (i) => [i === 150_000 ? 1 : i] as const),
          PgCopy.fromRows(source, { table: t("dup") })
        )
      )
      const error = failureOf(exit)
      assert.instanceOf(error, PgError.PgError)
      assert.strictEqual((error as PgError.PgError).reason._tag, "UniqueViolation")
      assert.strictEqual(yield* count(source, t("dup")), 0)
      yield* usable(source)
      // malformed text data
      const bad = yield* Effect.exit(Stream.run(Stream.make("1\n", "x\n"), PgCopy.fromBytes(source, `copy ${t("dup")} from stdin`)))
      assert.strictEqual((failureOf(bad) as PgError.PgError).reason._tag, "ServerError")
      assert.include((failureOf(bad) as PgError.PgError).message, "invalid input syntax for type integer")
      yield* usable(source)
    }), 30_000)

  it.live("a value its codec rejects: EncodeError naming row and column, not the value; nothing committed", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      yield* makeTable(source, "encode_fail")
      const exit = yield* Effect.exit(
        Stream.run(
          Stream.map(Stream.range(0, 100_000), (i) => (i === 70_000 ? [i, "x", "secret-not-a-number", new Date()] : rowAt(i))),
          PgCopy.fromRows(source, { table: t("encode_fail") })
        )
      )
      const error = failureOf(exit) as PgError.PgError
      assert.strictEqual(error.reason._tag, "EncodeError")
      assert.include(error.message, "row 70000")
      assert.include(error.message, "\"f\"")
      assert.notInclude(error.message, "secret-not-a-number")
      assert.strictEqual(yield* count(source, t("encode_fail")), 0)
      yield* usable(source)
      // a row with the wrong number of values
      const short = yield* Effect.exit(Stream.run(Stream.make([1, "a"]), PgCopy.fromRows(source, { table: t("encode_fail") })))
      assert.strictEqual((failureOf(short) as PgError.PgError).reason._tag, "EncodeError")
      yield* usable(source)
    }), 30_000)

  it.live("unknown tables and columns, fragments with parameters, statements that are not COPY FROM", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      yield* makeTable(source, "misc")
      const noTable = yield* Effect.exit(Stream.run(Stream.make([1]), PgCopy.fromRows(source, { table: t("nope") })))
      assert.strictEqual((failureOf(noTable) as PgError.PgError).reason._tag, "ServerError")
      const noColumn = yield* Effect.exit(Stream.run(Stream.make([1]), PgCopy.fromRows(source, { table: t("misc"), columns: ["zz"] })))
      assert.include((failureOf(noColumn) as PgError.PgError).message, "\"zz\"")
      const withParams = yield* Effect.exit(
        Stream.run(Stream.make("1\n"), PgCopy.fromBytes(source, PgSql.sql`copy ${PgSql.identifier(schema, "misc")} (id) from stdin where id = ${1}`))
      )
      assert.strictEqual((failureOf(withParams) as PgError.PgError).reason._tag, "EncodeError")
      const notCopyIn = yield* Effect.exit(Stream.run(Stream.make("1\n"), PgCopy.fromBytes(source, `copy ${t("misc")} to stdout`)))
      assert.isTrue(Exit.isFailure(notCopyIn))
      yield* usable(source)
      // identifiers through fragments work
      const ok = yield* Stream.run(
        Stream.make("1\t", "a\t2.5\t\\N\n2\tb\t\\N\t\\N\n"),
        PgCopy.fromBytes(source, PgSql.sql`copy ${PgSql.identifier(schema, "misc")} from stdin`)
      )
      assert.strictEqual(ok.rows, 2)
      // `types` given: no catalog query
      const typed = yield* Stream.run(
        Stream.make([3, "c"], [4, null]),
        PgCopy.fromRows(source, { table: PgSql.identifier(schema, "misc"), columns: ["id", "name"], types: [Oid.int4, Oid.text] })
      )
      assert.strictEqual(typed.rows, 2)
      assert.strictEqual(yield* count(source, t("misc")), 4)
      // empty inputs and outputs
      assert.strictEqual((yield* Stream.run(Stream.empty, PgCopy.fromRows(source, { table: t("misc") }))).rows, 0)
      assert.strictEqual((yield* Stream.run(Stream.empty, PgCopy.fromBytes(source, `copy ${t("misc")} from stdin`))).rows, 0)
      assert.deepStrictEqual(yield* Stream.runCollect(PgCopy.toRows(source, { query: `select * from ${t("misc")} where false` })), [])
      assert.deepStrictEqual(
        yield* Stream.runCollect(PgCopy.toRows(source, { table: PgSql.identifier(schema, "misc"), columns: ["name", "id"], rowMode: "array" })),
        [["a", 1], ["b", 2], ["c", 3], [null, 4]]
      )
    }), 30_000)

  it.live("toRows in text format reads dates in the session's DateStyle", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("set DateStyle = 'German'; set IntervalStyle = 'sql_standard'")
      // aclitem has no binary output: the COPY is text, and its dates print as 02.01.2020
      const rows = yield* Stream.runCollect(
        PgCopy.toRows(c, {
          query: "select '2020-01-02'::date as d, interval '1 day 02:00' as i, 'postgres=r/postgres'::aclitem as a",
          rowMode: "array"
        })
      )
      assert.deepStrictEqual(rows.map((r) => (r as Array<unknown>).map(String)), [["2020-01-02", "1 day 02:00:00", "postgres=r/postgres"]])
    }))

  it.live("raw bytes split anywhere, strings and bytes mixed, in binary format too", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      yield* makeTable(source, "split_text")
      yield* makeTable(source, "split_bin")
      const text = Array.from({ length: 5000 }, (_, i) => `${i}\tnäme ${i}\t${i / 2}\t2024-01-01 00:00:${String(i % 60).padStart(2, "0")}+00\n`).join("")
      const bytes = new TextEncoder().encode(text)
      const pieces: Array<Uint8Array | string> = []
      let at = 0
      let k = 0
      while (at < bytes.length) {
        const n = 1 + ((k * 7919) % 300)
        const piece = bytes.subarray(at, Math.min(bytes.length, at + n))
        pieces.push(k % 3 === 0 ? piece : piece.slice())
        at += n
        k++
      }
      const r = yield* Stream.run(Stream.fromIterable(pieces), PgCopy.fromBytes(source, `copy ${t("split_text")} from stdin`, { batchSize: 1000 }))
      assert.strictEqual(r.rows, 5000)
      // binary: dump the text table in binary and load it in arbitrary chunks
      const dump = yield* Stream.runCollect(PgCopy.toBytes(source, `copy ${t("split_text")} to stdout (format binary)`))
      const all = new Uint8Array(dump.reduce((n, c) => n + c.length, 0))
      let p = 0
      for (const c of dump) {
        all.set(c, p)
        p += c.length
      }
      const chunks: Array<Uint8Array> = []
      for (let i = 0; i < all.length; i += 777) chunks.push(all.subarray(i, i + 777))
      const rb = yield* Stream.run(Stream.fromIterable(chunks), PgCopy.fromBytes(source, `copy ${t("split_bin")} from stdin (format binary)`))
      assert.strictEqual(rb.rows, 5000)
      assert.deepStrictEqual(yield* checksum(source, t("split_bin")), yield* checksum(source, t("split_text")))
    }), 30_000)
})

describe("PgCopy TO", () => {
  it.live("interrupting a COPY TO midway cancels it; the next query is correct", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      // Stream.take ends the stream early
      const first = yield* Stream.runCollect(Stream.take(PgCopy.toBytes(source, `copy ${t("src")} to stdout`), 1000))
      assert.strictEqual(first.length, 1000)
      yield* usable(source)
      // a fiber interrupted while the consumer is slow
      let seen = 0
      const fiber = yield* Effect.forkChild(
        Stream.runForEach(PgCopy.toRows(source, { table: t("src") }), () =>
          Effect.suspend(() => {
            seen++
            return seen % 10_000 === 0 ? Effect.sleep("5 millis") : Effect.void
          }))
      )
      yield* Effect.sleep("300 millis")
      yield* Fiber.interrupt(fiber)
      assert.isAbove(seen, 0)
      assert.isBelow(seen, N)
      yield* usable(source)
      // a consumer that fails
      const failed = yield* Effect.exit(
        Stream.runForEach(PgCopy.toBytes(source, `copy ${t("src")} to stdout (format binary)`), () => Effect.fail("consumer failed"))
      )
      assert.isTrue(Exit.isFailure(failed))
      yield* usable(source)
      const full = yield* Stream.runFold(PgCopy.toRows<[number]>(source, { query: `select id from ${t("src")}`, rowMode: "array" }), () => 0, (n) => n + 1)
      assert.strictEqual(full, N)
    }), 60_000)

  it.live("typed rows of many types, NULLs, text fallback for a type without codec, duplicate names", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      yield* source.withConnection((c) =>
        c.simple(`create type ${schema}.mood as enum ('sad', 'happy');
          create table ${t("types")} (i int2, b bool, n numeric, u uuid, j jsonb, a int4[], by bytea, d date, iv interval, tx text);
          insert into ${t("types")} values
            (1, true, '12.50', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, null]}', '{1,NULL,3}', '\\x00ff', '2000-02-29', '1 day 02:00', E'tab\\there'),
            (null, null, null, null, null, null, null, null, null, null)`)
      )
      const binary = yield* Stream.runCollect(PgCopy.toRows<Record<string, unknown>>(source, { table: t("types") }))
      assert.strictEqual(binary.length, 2)
      const r = binary[0]!
      assert.strictEqual(r.i, 1)
      assert.strictEqual(r.b, true)
      assert.strictEqual(r.n, "12.50")
      assert.strictEqual(r.u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
      assert.deepStrictEqual(r.j, { k: [1, null] })
      assert.deepStrictEqual(r.a, [1, null, 3])
      assert.deepStrictEqual(r.by, Uint8Array.of(0, 255))
      assert.strictEqual(r.tx, "tab\there")
      assert.deepStrictEqual(Object.values(binary[1]!), Array(10).fill(null))

      // an enum without a codec: the text format is used, values decoded as text
      const withEnum = yield* Stream.runCollect(
        PgCopy.toRows(source, { query: `select 1 as x, 'happy'::${schema}.mood as m, E'a\\\\b\\nc' as s, null::text as z, 2 as x`, rowMode: "array" })
      )
      assert.deepStrictEqual(withEnum, [[1, "happy", "a\\b\nc", null, 2]])
      const objects = yield* Stream.runCollect(PgCopy.toRows(source, { query: `select 1 as x, 'happy'::${schema}.mood as m, 2 as x` }))
      assert.deepStrictEqual(objects, [{ x: 2, m: "happy" }])
      // and loading the enum column from JS values goes through the text format
      yield* source.withConnection((c) => c.simple(`create table ${t("moods")} (id int, m ${schema}.mood, note text)`))
      const loaded = yield* Stream.run(
        Stream.make([1, "sad", "line\nbreak\\and\ttab"], { id: 2, m: "happy" }),
        PgCopy.fromRows(source, { table: t("moods") })
      )
      assert.strictEqual(loaded.rows, 2)
      const back = yield* Stream.runCollect(PgCopy.toRows(source, { query: `select id, m::text, note from ${t("moods")} order by id`, rowMode: "array" }))
      assert.deepStrictEqual(back, [[1, "sad", "line\nbreak\\and\ttab"], [2, "happy", null]])
      // toRows of a statement without rows
      const noRows = yield* Effect.exit(Stream.runCollect(PgCopy.toRows(source, { query: `create table ${t("never")} (x int)` })))
      assert.isTrue(Exit.isFailure(noRows))
      yield* usable(source)
    }), 30_000)

  it.live("a value the codec cannot decode fails the stream with a DecodeError; the connection is usable", () =>
    Effect.gen(function*() {
      const int4 = PgTypes.get(PgTypes.builtins, Oid.int4)!
      const picky: Codec = {
        ...int4,
        decodeBinary: (b, o, l) => {
          const v = int4.decodeBinary!(b, o, l)
          if (v === 4242) throw new Error("picky codec refuses 4242")
          return v
        }
      }
      const source = yield* PgSource.single(url, { registry: PgTypes.add(PgTypes.builtins, picky) })
      const exit = yield* Effect.exit(Stream.runDrain(PgCopy.toRows(source, { query: `select id, name from ${t("src")} order by id` })))
      const error = failureOf(exit) as PgError.PgError
      assert.strictEqual(error.reason._tag, "DecodeError")
      const reason = error.reason as PgError.DecodeError
      assert.strictEqual(reason.row, 4241)
      assert.strictEqual(reason.column, "id")
      assert.include(error.message, "picky codec refuses 4242")
      yield* usable(source)
    }), 30_000)

  it.live("a slow consumer of COPY TO of 2M+ rows: the socket is paused, memory stays bounded", () =>
    Effect.gen(function*() {
      const source = yield* PgSource.single(url)
      const rowsOut = 2_500_000
      const rowBytes = 120
      const highWaterMark = 1024 * 1024
      const memory = () => {
        const m = process.memoryUsage()
        return { rss: m.rss, live: m.heapUsed + m.arrayBuffers }
      }
      const baseline = memory()
      let peakRss = baseline.rss
      let peakLive = baseline.live
      let chunks = 0
      let bytes = 0
      let pulls = 0
      let largestPull = 0
      const started = performance.now()
      yield* Stream.runForEachArray(
        PgCopy.toBytes(source, `copy (select i, repeat('x', ${rowBytes - 10}) from generate_series(1, ${rowsOut}) i) to stdout`, {
          highWaterMark
        }),
        (batch) =>
          Effect.suspend(() => {
            pulls++
            chunks += batch.length
            let b = 0
            for (const c of batch) b += c.length
            bytes += b
            if (b > largestPull) largestPull = b
            if (pulls % 8 === 0) {
              const now = memory()
              if (now.rss > peakRss) peakRss = now.rss
              if (now.live > peakLive) peakLive = now.live
            }
            // slow: 2 ms per pull (at most ~1 MiB), so the server is always ahead
            return Effect.sleep("2 millis")
          })
      )
      const ms = performance.now() - started
      const mib = (n: number) => (n / 2 ** 20).toFixed(1)
      console.log(
        `[copy] slow consumer: ${chunks} rows, ${mib(bytes)} MiB in ${ms.toFixed(0)} ms (${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s), ` +
          `${pulls} pulls, largest ${mib(largestPull)} MiB; RSS ${mib(baseline.rss)} MiB → peak +${mib(peakRss - baseline.rss)} MiB; ` +
          `heap+buffers peak +${mib(peakLive - baseline.live)} MiB`
      )
      assert.strictEqual(chunks, rowsOut)
      assert.isAbove(bytes, 250 * 2 ** 20)
      // Without the pause the consumer would receive tens of MiB per pull.
      assert.isBelow(largestPull, highWaterMark + 512 * 1024, "a pull exceeded the high-water mark: the socket was not paused")
      assert.isBelow(peakRss - baseline.rss, 128 * 2 ** 20, "RSS grew with the data")
      yield* usable(source)
    }), 120_000)
})
