import { assert, describe, layer } from "@effect/vitest"
import * as BigDecimal from "effect/BigDecimal"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { PgError } from "@pgfx/connection/PgError"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgClient from "../src/PgClient.ts"
import * as PgSql from "../src/PgSql.ts"

const server = pgServer()

/** The failure of an effect that must fail. */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.die(new Error(`expected a failure, got ${JSON.stringify(exit.value)}`))
    const error = Cause.findErrorOption(exit.cause)
    return Option.isSome(error) ? Effect.succeed(error.value) : Effect.die(Cause.pretty(exit.cause))
  })

const pgError = (u: unknown): PgError => {
  assert.instanceOf(u, PgError)
  return u as PgError
}

layer(PgClient.layer({ url: Redacted.make(server.connectionString()) }), { excludeTestServices: true })("PgClient", (it) => {
  describe("parameters", () => {
    it.effect("interpolated values are bound, never spliced: an injection attempt is data", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        yield* sql`create temp table people (id int4 primary key, name text)`
        yield* sql`insert into people values (1, 'a'), (2, 'b')`
        const evil = "x' or '1'='1"
        const rows = yield* sql`select id from people where name = ${evil}`
        assert.deepStrictEqual(rows, [])
        const [echo] = yield* sql`select ${evil}::text as v, ${"1; drop table people"}::text as w`
        assert.deepStrictEqual(echo, { v: evil, w: "1; drop table people" })
        const count = yield* sql`select count(*)::int4 as n from people`.single
        assert.strictEqual(count.n, 2)
        // The compiled text has placeholders, not values.
        const compiled = yield* PgClient.compileStatement(sql`select id from people where name = ${evil}`)
        assert.strictEqual(compiled.text, "select id from people where name = $1")
        assert.deepStrictEqual(compiled.params, [evil])
      }))

    it.effect("10,000 parameters in one statement through the template", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const values = Array.from({ length: 10_000 }, (_, i) => i)
        const [row] = yield* sql<{ n: number; s: string }>`select cardinality(array[${sql.join(values)}]::int4[]) as n,
          (select sum(x)::text from unnest(array[${sql.join(values)}]::int4[]) x) as s`
        assert.deepStrictEqual(row, { n: 10_000, s: String((10_000 * 9_999) / 2) })
      }))

    it.effect("more than 65,535 parameters: a typed EncodeError before anything is sent", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const values = Array.from({ length: 65_536 }, (_, i) => i)
        const error = pgError(yield* failure(sql`select ${sql.list(values)}`))
        assert.strictEqual(error.reason._tag, "EncodeError")
        assert.match(error.message, /65535/)
        // The connection is fine.
        assert.deepStrictEqual(yield* sql`select 1 as one`, [{ one: 1 }])
      }))

    it.effect("template mistakes and undefined values are EncodeErrors", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const e1 = pgError(yield* failure(sql`select ${undefined}`))
        assert.strictEqual(e1.reason._tag, "EncodeError")
        assert.match(e1.message, /undefined/)
        const e2 = pgError(yield* failure(sql`select '${1}'`))
        assert.strictEqual(e2.reason._tag, "EncodeError")
        const e3 = pgError(yield* failure(sql.unsafe("select $1 as x", [Symbol("not a value")]).unnamed))
        assert.strictEqual(e3.reason._tag, "EncodeError")
        const e4 = pgError(yield* failure(sql`select ${"not a number"}::int4`.unnamed))
        assert.isTrue(e4.isServerError)
      }))

    it.effect("an unencodable value fails with EncodeError naming the parameter, before sending", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const error = pgError(yield* failure(sql`select ${1}::int4, ${"abc"}::int4 as x`))
        assert.strictEqual(error.reason._tag, "EncodeError")
        assert.match(error.message, /\$2/)
        assert.notInclude(error.message, "abc")
        assert.deepStrictEqual(yield* sql`select 2 as two`, [{ two: 2 }])
      }))
  })

  describe("fragments", () => {
    it.effect("fragments, identifiers, lists, insert and update round trip", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const table = sql.identifier("Items With Spaces")
        yield* sql`create temp table ${table} (id int4 primary key, "the name" text, qty int4 default 7, note text)`
        yield* sql`insert into ${table} ${sql.insert([{ id: 1, "the name": "one", note: null }, { id: 2, "the name": "two", qty: 3 }])}`
        const byId = (id: number) => sql`id = ${id}`
        const rows = yield* sql`select * from ${table} where ${sql.or([byId(1), byId(2)])} order by id`
        assert.deepStrictEqual(rows, [
          { id: 1, "the name": "one", qty: 7, note: null },
          { id: 2, "the name": "two", qty: 3, note: null }
        ])
        const updated = yield* sql`update ${table} set ${sql.update({ note: "n", qty: 9 })} where id in ${sql.list([2])} returning id, qty, note`
        assert.deepStrictEqual(updated, [{ id: 2, qty: 9, note: "n" }])
        // A statement of the client interpolated into another one, and into PgSql helpers.
        const filter = sql`qty > ${5}`
        const both = yield* sql`select id from ${table} where ${sql.and([filter, sql`note is not null`])}`
        assert.deepStrictEqual(both, [{ id: 2 }])
        const nested = yield* sql`select count(*)::int4 as n from (${sql`select * from ${table} where ${filter}`}) s`
        assert.deepStrictEqual(nested, [{ n: 2 }])
        // A PgSql fragment run directly.
        const fromFragment = yield* sql(PgSql.sql`select ${"x"}::text as v`)
        assert.deepStrictEqual(fromFragment, [{ v: "x" }])
        // Printing a statement shows the text and parameter count, never values.
        assert.strictEqual(String(sql`select ${"secret"}::text`), "select $1::text [1 parameter]")
      }))

    it.effect("values() and array() helpers", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const rows = yield* sql`select id, name from (values ${sql.values([[sql.param(1, 23), "a"], [sql.param(2, 23), "b"]])}) as v(id, name)
          where id = any(${sql.array([2, 3])}::int4[])`
        assert.deepStrictEqual(rows, [{ id: 2, name: "b" }])
      }))
  })

  describe("results", () => {
    it.effect("rows as objects, arrays, and the raw result with metadata", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const statement = sql`select 1::int4 as a, 'x'::text as a, 2::int8 as b`
        assert.deepStrictEqual(yield* statement, [{ a: "x", b: 2n }])
        assert.deepStrictEqual(yield* statement.values, [[1, "x", 2n]])
        const raw = yield* statement.raw
        assert.strictEqual(raw.command, "SELECT")
        assert.strictEqual(raw.rowCount, 1)
        assert.deepStrictEqual(raw.fields.map((f) => [f.name, f.typeOid]), [["a", 23], ["a", 25], ["b", 20]])
        yield* sql`create temp table counts (n int4)`
        const inserted = yield* sql`insert into counts select generate_series(1, 5)`.raw
        assert.strictEqual(inserted.command, "INSERT")
        assert.strictEqual(inserted.rowCount, 5)
        assert.deepStrictEqual(inserted.rows, [])
      }))

    it.effect(".single and .maybe", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        assert.deepStrictEqual(yield* sql`select 1 as x`.single, { x: 1 })
        const none = yield* failure(sql`select 1 as x where false`.single)
        assert.isTrue(Cause.isNoSuchElementError(none))
        const many = yield* failure(sql`select generate_series(1, 2) as x`.single)
        assert.isTrue(Cause.isNoSuchElementError(many))
        assert.match((many as Cause.NoSuchElementError).message ?? "", /got 2/)
        assert.deepStrictEqual(yield* sql`select 1 as x where false`.maybe, Option.none())
        assert.deepStrictEqual(yield* sql`select 1 as x`.maybe, Option.some({ x: 1 }))
        const tooMany = yield* failure(sql`select generate_series(1, 3) as x`.maybe)
        assert.isTrue(Cause.isNoSuchElementError(tooMany))
      }))

    it.effect("execute and simple scripts", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const r = yield* sql.execute<{ s: number }>("select $1::int4 + $2::int4 as s", [40, 2])
        assert.deepStrictEqual(r.rows, [{ s: 42 }])
        const arrays = yield* sql.execute<ReadonlyArray<unknown>>("select $1::text as t", ["u"], { rowMode: "array", mode: "unnamed" })
        assert.deepStrictEqual(arrays.rows, [["u"]])
        const results = yield* sql.simple("create temp table script_t (x int4); insert into script_t values (1), (2); select x from script_t order by x; select 'done' as d")
        assert.deepStrictEqual(results.map((x) => x.command), ["CREATE TABLE", "INSERT", "SELECT", "SELECT"])
        assert.deepStrictEqual(results[2]!.rows, [{ x: 1 }, { x: 2 }])
        assert.deepStrictEqual(results[3]!.rows, [{ d: "done" }])
        const unsafe = yield* sql.unsafe<{ v: number }>("select $1::int4 * 2 as v", [21])
        assert.deepStrictEqual(unsafe, [{ v: 42 }])
      }))
  })

  describe("modes", () => {
    it.effect("prepared, unnamed and simple give the same rows", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const q = (n: number) => sql`select ${n}::int4 as n, now() is not null as t, '{1,2}'::int4[] as a`
        assert.deepStrictEqual(yield* q(5).prepared, [{ n: 5, t: true, a: [1, 2] }])
        assert.deepStrictEqual(yield* q(6).unnamed, [{ n: 6, t: true, a: [1, 2] }])
        const simple = sql`select 7::int4 as n, now() is not null as t, '{1,2}'::int4[] as a`.simple
        assert.deepStrictEqual(yield* simple, [{ n: 7, t: true, a: [1, 2] }])
        // The simple protocol cannot bind parameters: an EncodeError, not a spliced value.
        const error = pgError(yield* failure(q(1).simple))
        assert.strictEqual(error.reason._tag, "EncodeError")
        // Several statements in simple mode: the rows of the last.
        assert.deepStrictEqual(yield* sql`select 1 as a; select 2 as b`.simple, [{ b: 2 }])
      }))

    it.effect("prepared statements survive DISCARD ALL between two executions", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const q = (n: number) => sql`select ${n}::int4 + 1 as n`
        assert.deepStrictEqual(yield* q(1), [{ n: 2 }])
        const prepared = yield* sql<{ n: number }>`select count(*)::int4 as n from pg_prepared_statements`.single
        assert.isAbove(prepared.n, 0)
        yield* sql`DISCARD ALL`.simple
        assert.strictEqual((yield* sql`select count(*)::int4 as n from pg_prepared_statements`.simple.single).n, 0)
        assert.deepStrictEqual(yield* q(2), [{ n: 3 }])
      }))

    it.effect("a client in unnamed mode leaves no prepared statements", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.connect(server.connectionString(), { mode: "unnamed" })
        assert.strictEqual(sql.mode, "unnamed")
        for (let i = 0; i < 3; i++) assert.deepStrictEqual(yield* sql`select ${i}::int4 as i`, [{ i }])
        const n = yield* sql`select count(*)::int4 as n from pg_prepared_statements`.single
        assert.strictEqual(n.n, 0)
      }).pipe(Effect.scoped))
  })

  describe("schemas", () => {
    const Person = Schema.Struct({ id: Schema.Number, name: Schema.String })

    it.effect("rows decode with a schema", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const rows = yield* sql`select 1::int4 as id, 'ann'::text as name union all select 2, 'bob'`.withSchema(Person)
        assert.deepStrictEqual(rows, [{ id: 1, name: "ann" }, { id: 2, name: "bob" }])
        const one = yield* sql`select 3::int4 as id, 'cy'::text as name`.withSchema(Person).single
        assert.deepStrictEqual(one, { id: 3, name: "cy" })
        const raw = yield* sql`select 4::int4 as id, 'di'::text as name`.withSchema(Person).raw
        assert.deepStrictEqual(raw.rows, [{ id: 4, name: "di" }])
        const tuples = yield* sql`select 1::int4, 'a'::text`.values.withSchema(Schema.Tuple([Schema.Number, Schema.String]))
        assert.deepStrictEqual(tuples, [[1, "a"]])
      }))

    it.effect("a decode failure is a SchemaError naming the row index and the column", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const error = yield* failure(
          sql`select i::int4 as id, case when i = 3 then null else 'n' end as name from generate_series(0, 5) i`.withSchema(Person)
        )
        assert.isTrue(Schema.isSchemaError(error))
        const message = (error as Schema.SchemaError).message
        assert.include(message, "[3]")
        assert.include(message, "name")
        const streamed = yield* failure(
          Stream.runCollect(
            sql`select i::int4 as id, case when i = 2500 then null else 'n' end as name from generate_series(0, 4000) i`
              .withSchema(Person)
              .stream({ batchSize: 1000 })
          )
        )
        assert.isTrue(Schema.isSchemaError(streamed))
        assert.include((streamed as Schema.SchemaError).message, "[2500]")
        assert.include((streamed as Schema.SchemaError).message, "name")
      }))
  })

  describe("errors", () => {
    it.effect("server errors carry the SQL text, not parameter values; the client keeps working", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        yield* sql`create temp table uniq (id int4 primary key)`
        yield* sql`insert into uniq values (${1})`
        const error = pgError(yield* failure(sql`insert into uniq values (${1})`))
        assert.strictEqual(error.reason._tag, "UniqueViolation")
        const reason = error.reason as { query?: string; code: string }
        assert.strictEqual(reason.code, "23505")
        assert.strictEqual(reason.query, "insert into uniq values ($1)")
        const syntax = pgError(yield* failure(sql`selec ${"p4ssw0rd"}`))
        assert.strictEqual(syntax.reason._tag, "ServerError")
        assert.notInclude(JSON.stringify(syntax.reason), "p4ssw0rd")
        assert.deepStrictEqual(yield* sql`select 1 as ok`, [{ ok: 1 }])
      }))

    it.effect("a value that fails to decode fails only its query", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const failing = yield* PgClient.connect(server.connectionString(), {
          codecs: [{
            oid: 25,
            name: "text",
            decodeBinary: (bytes, offset, length) => {
              if (length === 3 && bytes[offset] === 98) throw new Error("no b-words")
              return new TextDecoder().decode(bytes.subarray(offset, offset + length))
            },
            encodeBinary: (value: string, writer) => writer.string(value),
            decodeText: (text) => text,
            encodeText: (value: string) => value
          }]
        })
        const error = pgError(yield* failure(failing`select x::text as w from (values ('aaa'), ('bad'), ('ccc')) v(x)`))
        assert.strictEqual(error.reason._tag, "DecodeError")
        assert.match(error.message, /"w"/)
        assert.deepStrictEqual(yield* failing`select 'ok'::text as w`, [{ w: "ok" }])
        assert.deepStrictEqual(yield* sql`select 'bad'::text as w`, [{ w: "bad" }])
      }).pipe(Effect.scoped))
  })

  describe("tracing", () => {
    it.effect("statements run in a pgfx.query span with the SQL text and no parameter values", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const spans: Array<Tracer.NativeSpan> = []
        const tracer = Tracer.make({
          span: (options) => {
            const span = new Tracer.NativeSpan(options)
            spans.push(span)
            return span
          }
        })
        yield* sql`select ${"hunter2"}::text as v`.pipe(Effect.withTracer(tracer))
        const span = spans.find((s) => s.name === "pgfx.query")
        assert.isDefined(span)
        assert.strictEqual(span!.attributes.get("db.system"), "postgresql")
        assert.strictEqual(span!.attributes.get("db.statement"), "select $1::text as v")
        assert.notInclude(JSON.stringify([...span!.attributes.values()]), "hunter2")
        // Without a tracer backend no span is made.
        spans.length = 0
        yield* sql`select 1`
        assert.strictEqual(spans.length, 0)
      }))
  })
})

describe("PgClient over a pool", () => {
  layer(PgClient.layerPool({ url: server.connectionString(), applicationName: "pgfx_client_pool" }, { pool: { max: 2 } }), {
    timeout: "30 seconds"
  })((it) => {
    it.effect("spreads statements over at most max connections and reserves one for a transaction", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const results = yield* Effect.all(
          Array.from({ length: 200 }, (_, i) => sql<{ v: number }>`select ${i}::int as v`.single),
          { concurrency: 50 }
        )
        assert.deepStrictEqual(results.map((r) => r.v), Array.from({ length: 200 }, (_, i) => i))
        const inTx = yield* sql.withTransaction(
          Effect.gen(function*() {
            const a = yield* sql<{ pid: number }>`select pg_backend_pid() as pid`.single
            const b = yield* sql<{ pid: number }>`select pg_backend_pid() as pid`.single
            return [a.pid, b.pid, yield* sql.transactionStatus] as const
          })
        )
        assert.strictEqual(inTx[0], inTx[1])
        assert.strictEqual(inTx[2], "transaction")
        const count = yield* sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${"pgfx_client_pool"}`.single
        assert.isAtMost(count.n, 2)
        assert.isAtLeast(count.n, 1)
      }))
  })
})

describe("Effect values as parameters", () => {
  layer(PgClient.layer(server.connectionString()), { timeout: "30 seconds" })((it) => {
    it.effect("BigDecimal and DateTime bind as numeric and timestamptz in every mode", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const amount = BigDecimal.fromStringUnsafe("1234.50")
        const at = DateTime.makeUnsafe(Date.UTC(2024, 0, 2, 3, 4, 5, 678))
        for (const statement of [
          sql<{ n: string; t: string }>`select ${amount}::numeric::text as n, ${at}::timestamptz::text as t`,
          sql<{ n: string; t: string }>`select ${amount}::numeric::text as n, ${at}::timestamptz::text as t`.unnamed
        ]) {
          const row = yield* statement.single
          assert.strictEqual(row.n, "1234.50")
          assert.strictEqual(row.t, "2024-01-02 03:04:05.678+00")
        }
      }))
  })
})
