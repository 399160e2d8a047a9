import { assert, describe, it, layer } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as PgConnection from "@pgfx/connection/PgConnection"
import { PgError } from "@pgfx/connection/PgError"
import * as PgRange from "@pgfx/protocol/PgRange"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgClient from "../src/PgClient.ts"
import * as PgSource from "../src/PgSource.ts"

const server = pgServer()
/** Type names unique to this run, so parallel test files and reruns never collide. */
const suffix = `${process.pid}_${Date.now().toString(36)}`
const mood = `mood_${suffix}`
const complex = `complex_${suffix}`
const amount = `amount_${suffix}`
const moodRange = `mood_range_${suffix}`
const floatRange = `float_range_${suffix}`
const order = `order_${suffix}`
const aclPair = `acl_pair_${suffix}`
const table = `typed_rows_${suffix}`

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.die(new Error("expected a failure"))
    const error = Cause.findErrorOption(exit.cause)
    return Option.isSome(error) ? Effect.succeed(error.value) : Effect.die(Cause.pretty(exit.cause))
  })

const setup = Effect.gen(function*() {
  const sql = yield* PgClient.PgClient
  yield* sql.simple(`
    create type ${mood} as enum ('sad', 'ok', 'happy');
    create type ${complex} as (r float8, i float8);
    create domain ${amount} as numeric(10, 2) check (value >= 0);
    create type ${moodRange} as range (subtype = ${mood});
    create type ${floatRange} as range (subtype = float8);
    create type ${order} as (id int4, moods ${mood}[], total ${amount}, at ${complex});
    create type ${aclPair} as (a aclitem, n int4);
    create table ${table} (id int4 primary key, m ${mood}, c ${complex});
  `)
})

layer(PgClient.layer(server.connectionString()), { excludeTestServices: true })("types", (it) => {
  it.effect("setup", () => setup)

  describe("enums", () => {
    it.effect("an enum and an enum array round trip as results and as parameters", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const ident = sql.identifier(mood)
        const row = yield* sql`select 'ok'::${ident} as m, array['sad', null, 'happy']::${ident}[] as ms`.single
        assert.deepStrictEqual(row, { m: "ok", ms: ["sad", null, "happy"] })
        const echoed = yield* sql`select ${"happy"}::${ident} as m, ${["ok", "sad"]}::${ident}[] as ms`.single
        assert.deepStrictEqual(echoed, { m: "happy", ms: ["ok", "sad"] })
        // The server checks labels.
        const error = yield* failure(sql`select ${"angry"}::${ident}`)
        assert.instanceOf(error, PgError)
        // The codec is in the client's registry, with the labels.
        const typeOid = (yield* sql`select ${mood}::text::regtype::oid::int4 as oid`.single).oid as number
        const codec = PgTypes.get(sql.registry, typeOid) as (PgTypes.Registry["codecs"] extends ReadonlyMap<number, infer C> ? C : never) & {
          labels?: ReadonlyArray<string>
        }
        assert.deepStrictEqual(codec.labels, ["sad", "ok", "happy"])
        // Discovered types work in every mode afterwards.
        assert.deepStrictEqual(yield* sql`select 'sad'::${ident} as m`.unnamed, [{ m: "sad" }])
        assert.deepStrictEqual(yield* sql`select 'sad'::${ident} as m`.simple, [{ m: "sad" }])
      }))
  })

  describe("composites", () => {
    it.effect("a composite and a composite array round trip as results and as parameters", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const ident = sql.identifier(complex)
        const row = yield* sql`select row(1.5, -2)::${ident} as c, array[row(0, 1)::${ident}, null]::${ident}[] as cs`.single
        assert.deepStrictEqual(row, { c: { r: 1.5, i: -2 }, cs: [{ r: 0, i: 1 }, null] })
        const echoed = yield* sql`select ${{ r: 3, i: 4 }}::${ident} as c, ${[{ r: 5, i: null }]}::${ident}[] as cs`.single
        assert.deepStrictEqual(echoed, { c: { r: 3, i: 4 }, cs: [{ r: 5, i: null }] })
        const modulus = yield* sql`select sqrt((${{ r: 3, i: 4 }}::${ident}).r ^ 2 + (${{ r: 3, i: 4 }}::${ident}).i ^ 2) as m`.single
        assert.strictEqual(modulus.m, 5)
      }))

    it.effect("nested user types (enum array, domain, composite fields) are discovered recursively", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const o = sql.identifier(order)
        const row = yield* sql`select row(7, array['happy']::${sql.identifier(mood)}[], 12.5, row(1, 2)::${
          sql.identifier(complex)
        })::${o} as o`.single
        assert.deepStrictEqual(row, { o: { id: 7, moods: ["happy"], total: "12.50", at: { r: 1, i: 2 } } })
        const echoed = yield* sql`select ${{ id: 8, moods: ["sad", "ok"], total: "3.10", at: { r: 0, i: 0 } }}::${o} as o`.single
        assert.deepStrictEqual(echoed, { o: { id: 8, moods: ["sad", "ok"], total: "3.10", at: { r: 0, i: 0 } } })
      }))

    it.effect("table row types and columns of user types", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const t = sql.identifier(table)
        yield* sql`insert into ${t} ${sql.insert([{ id: 1, m: "ok", c: { r: 1, i: 1 } }, { id: 2, m: null, c: null }])}`
        const rows = yield* sql`select t as row, t.m from ${t} t order by id`
        assert.deepStrictEqual(rows, [
          { row: { id: 1, m: "ok", c: { r: 1, i: 1 } }, m: "ok" },
          { row: { id: 2, m: null, c: null }, m: null }
        ])
      }))

    it.effect("a composite with a field that has no binary form is exchanged as text", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const row = yield* sql`select row('postgres=r/postgres'::aclitem, 1)::${sql.identifier(aclPair)} as p`.single
        assert.deepStrictEqual(row, { p: { a: "postgres=r/postgres", n: 1 } })
      }))
  })

  describe("domains and ranges", () => {
    it.effect("a domain over numeric decodes as its base type and keeps its check", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const a = sql.identifier(amount)
        const row = yield* sql`select 12.5::${a} as v, ${"3.14159"}::${a} as w, array[1, 2]::${a}[] as vs`.single
        assert.deepStrictEqual(row, { v: "12.50", w: "3.14", vs: ["1.00", "2.00"] })
        const error = yield* failure(sql`select ${"-1"}::${a}`)
        assert.instanceOf(error, PgError)
        assert.strictEqual((error as PgError).reason._tag, "CheckViolation")
      }))

    it.effect("ranges and multiranges over built-in and user types", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const fr = sql.identifier(floatRange)
        const mr = sql.identifier(moodRange)
        const row = yield* sql`select '[1.5,2.5)'::${fr} as f, '[sad,happy]'::${mr} as m,
          ${sql.unsafe(`'{[sad,ok), [happy,happy]}'::${moodRange.replace("range", "multirange")}`)} as mm`.single
        assert.deepStrictEqual(row.f, PgRange.make(1.5, 2.5))
        assert.deepStrictEqual(row.m, PgRange.make("sad", "happy", "[]"))
        assert.deepStrictEqual(row.mm, [PgRange.make("sad", "ok"), PgRange.make("happy", "happy", "[]")])
        const echoed = yield* sql`select ${PgRange.make("ok", null)}::${mr} as m, ${PgRange.make(-1, 1, "[]")}::${fr} as f`.single
        assert.deepStrictEqual(echoed, { m: PgRange.make("ok", null), f: PgRange.make(-1, 1, "[]") })
        const contains = yield* sql`select ${PgRange.make("sad", "happy")}::${mr} @> 'ok'::${sql.identifier(mood)} as yes`.single
        assert.strictEqual(contains.yes, true)
      }))
  })

  describe("unnamed mode", () => {
    it.effect("without a describe step, a result's new types are discovered after the fact", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.connect(server.connectionString(), { mode: "unnamed" })
        const m = sql.identifier(mood)
        const c = sql.identifier(complex)
        const q = sql`select 'ok'::${m} as m, array['sad', null]::${m}[] as ms, row(1, 2)::${c} as c, 1::int4 as n`
        assert.deepStrictEqual(yield* q, [{ m: "ok", ms: ["sad", null], c: { r: 1, i: 2 }, n: 1 }])
        assert.deepStrictEqual(yield* q.values, [["ok", ["sad", null], { r: 1, i: 2 }, 1]])
        const n = yield* sql<{ n: number }>`select count(*)::int4 as n from pg_prepared_statements`.single
        assert.strictEqual(n.n, 0)
        // Discovery off: the raw binary form, as the connection gives it.
        const raw = yield* PgClient.connect(server.connectionString(), { mode: "unnamed", discoverTypes: false })
        const [row] = yield* raw`select 'ok'::${m} as m`
        assert.instanceOf(row!.m, Uint8Array)
      }).pipe(Effect.scoped))
  })

  describe("the shared cache", () => {
    it.effect("types discovered on one connection serve the client's other connections without a query", () =>
      Effect.gen(function*() {
        const options = PgClient.connectionOptions()
        const a = yield* PgConnection.make(server.connectionString(), options)
        const b = yield* PgConnection.make(server.connectionString(), options)
        let next = 0
        const source: PgSource.PgSource = {
          withConnection: (f) => f([a, b][next++ % 2]!),
          reserve: a.pin,
          invalidate: (c) => c.close,
          config: server.connectionString(),
          options
        }
        const sql = yield* PgClient.make(source)
        const ident = sql.identifier(mood)
        assert.deepStrictEqual(yield* sql`select 'ok'::${ident} as m`, [{ m: "ok" }]) // on a: discovers
        const typeOid = (yield* sql`select ${mood}::text::regtype::oid::int4 as oid`.single).oid as number // on b
        assert.isDefined(PgTypes.get(a.registry, typeOid))
        // b asks the hook, which finds the type in the cache: no catalog query runs on b.
        let queries = 0
        const counting = { ...b, execute: (...args: Parameters<typeof b.execute>) => {
          queries++
          return b.execute(...args)
        } } as PgConnection.PgConnection
        yield* options.onUnknownTypes!([typeOid], counting)
        assert.strictEqual(queries, 0)
        assert.isDefined(PgTypes.get(b.registry, typeOid))
        assert.deepStrictEqual(yield* sql`select array['happy']::${ident}[] as ms`, [{ ms: ["happy"] }]) // on a
        assert.deepStrictEqual(yield* sql`select array['sad']::${ident}[] as ms`, [{ ms: ["sad"] }]) // on b
        assert.strictEqual(a.registry, b.registry)
      }).pipe(Effect.scoped))

    it.effect("with discovery off, user types come back as text; user codecs apply", () =>
      Effect.gen(function*() {
        const typeOid = yield* Effect.gen(function*() {
          const sql = yield* PgClient.PgClient
          return (yield* sql`select ${mood}::text::regtype::oid::int4 as oid`.single).oid as number
        })
        const plain = yield* PgClient.connect(server.connectionString(), { discoverTypes: false })
        const ident = plain.identifier(mood)
        assert.deepStrictEqual(yield* plain`select 'ok'::${ident} as m, array['ok']::${ident}[] as ms`, [{ m: "ok", ms: "{ok}" }])
        const upper = PgTypes.enumCodec(typeOid, mood)
        const custom = yield* PgClient.connect(server.connectionString(), {
          discoverTypes: false,
          codecs: [{ codec: { ...upper, decodeBinary: (b, o, l) => upper.decodeBinary!(b, o, l).toUpperCase() } }]
        })
        assert.deepStrictEqual(yield* custom`select 'ok'::${custom.identifier(mood)} as m`, [{ m: "OK" }])
      }).pipe(Effect.scoped))
  })
})

describe("concurrent discovery", () => {
  it.live("two statements preparing at once with a new type both get its codec", () =>
    Effect.scoped(Effect.gen(function*() {
      const admin = yield* PgClient.connect(server.connectionString())
      const pair = `pair_${suffix}_${Math.random().toString(36).slice(2, 8)}`
      yield* admin.simple(`create type ${pair} as (a int4, b text)`)
      // A fresh client: the type is unknown to it until discovered.
      const sql = yield* PgClient.connect(server.connectionString())
      const ident = sql.identifier(pair)
      const [x, y] = yield* Effect.all([
        sql`select ${{ a: 1, b: "x" }}::${ident} as p`.single,
        sql`select ${{ a: 2, b: "y" }}::${ident} as q, 1 as k`.single
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(x, { p: { a: 1, b: "x" } })
      assert.deepStrictEqual(y, { q: { a: 2, b: "y" }, k: 1 })
      yield* admin.simple(`drop type ${pair}`)
    })))
})
