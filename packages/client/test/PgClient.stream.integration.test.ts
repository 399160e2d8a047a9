import { assert, describe, layer } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { PgError } from "@pgfx/connection/PgError"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgClient from "../src/PgClient.ts"

const server = pgServer()
const suffix = `${process.pid}_${Date.now().toString(36)}`

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.die(new Error("expected a failure"))
    const error = Cause.findErrorOption(exit.cause)
    return Option.isSome(error) ? Effect.succeed(error.value) : Effect.die(Cause.pretty(exit.cause))
  })

/**
 * Rows seen and memory while draining a stream. A full GC runs every 25k rows, so the peaks
 * measure what the stream holds plus at most 25k rows of garbage — not how long V8 lets
 * garbage pile up before a major GC (which varies from run to run with the young generation's
 * size) — and `retainedMB` is the heap growth right after each GC.
 */
const measure = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.gen(function*() {
    gc()
    const base = process.memoryUsage()
    let rows = 0
    let peakHeap = base.heapUsed
    let peakRss = base.rss
    const retained: Array<number> = []
    yield* Stream.runForEach(stream, () =>
      Effect.sync(() => {
        rows++
        if ((rows & 0x3fff) === 0) {
          const m = process.memoryUsage()
          if (m.heapUsed > peakHeap) peakHeap = m.heapUsed
          if (m.rss > peakRss) peakRss = m.rss
        }
        if (rows % 25_000 === 0) {
          gc()
          retained.push(process.memoryUsage().heapUsed - base.heapUsed)
        }
      }))
    const mb = (n: number) => Math.round(n / 1e5) / 10
    return { rows, heapGrowthMB: mb(peakHeap - base.heapUsed), rssGrowthMB: mb(peakRss - base.rss), retainedMB: retained.map(mb) }
  })

const openCursors = Effect.flatMap(PgClient.PgClient, (sql) =>
  Effect.map(sql`select count(*)::int4 as n from pg_cursors where name like 'pgfx_cursor_%'`.single, (r) => r.n as number))

layer(PgClient.layer(server.connectionString()), { excludeTestServices: true })("streams", (it) => {
  describe("statement.stream", () => {
    it.effect("streams rows in order, as objects or arrays, any batch size", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const q = sql`select i, i * 2 as d from generate_series(1, ${2500}::int4) i`
        const rows = yield* Stream.runCollect(q.stream({ batchSize: 7 }))
        assert.strictEqual(rows.length, 2500)
        assert.deepStrictEqual(rows[0], { i: 1, d: 2 })
        assert.deepStrictEqual(rows[2499], { i: 2500, d: 5000 })
        assert.isTrue(rows.every((r, k) => r.i === k + 1))
        const arrays = yield* Stream.runCollect(q.values.stream())
        assert.deepStrictEqual(arrays.slice(0, 2), [[1, 2], [2, 4]])
        const decoded = yield* Stream.runCollect(
          q.withSchema(Schema.Struct({ i: Schema.Number, d: Schema.Number })).stream({ batchSize: 1000 }).pipe(Stream.take(3))
        )
        assert.deepStrictEqual(decoded, [{ i: 1, d: 2 }, { i: 2, d: 4 }, { i: 3, d: 6 }])
      }))

    it.effect("stopping early frees the connection; errors fail the stream", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const first = yield* Stream.runCollect(sql`select generate_series(1, 1000000) as n`.stream({ batchSize: 100 }).pipe(Stream.take(5)))
        assert.deepStrictEqual(first.map((r) => r.n), [1, 2, 3, 4, 5])
        assert.deepStrictEqual(yield* sql`select 1 as ok`, [{ ok: 1 }])
        const error = yield* failure(Stream.runDrain(sql`select 1 / (i - 500) from generate_series(1, 1000) i`.stream({ batchSize: 100 })))
        assert.instanceOf(error, PgError)
        assert.strictEqual((error as PgError).reason._tag, "ServerError")
        assert.deepStrictEqual(yield* sql`select 2 as ok`, [{ ok: 2 }])
      }))

    it.effect("inside a transaction the stream uses the transaction's connection and sees its work", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        yield* sql`create temp table streamed (n int4)`
        const seen = yield* sql.withTransaction(
          Effect.gen(function*() {
            yield* sql`insert into streamed select generate_series(1, 300)`
            return yield* Stream.runCollect(sql`select n from streamed order by n`.stream({ batchSize: 64 }))
          })
        )
        assert.strictEqual(seen.length, 300)
      }))

    it.effect("2M rows stream in bounded memory (heap and RSS growth < 50 MB, retained flat)", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const n = 2_000_000
        const result = yield* measure(
          sql`select i, 'row number ' || i::text as label, i::int8 * 1000 as big from generate_series(1, ${n}::int4) i`.stream({
            batchSize: 1000
          })
        )
        const retained = result.retainedMB
        console.log(
          `stream of ${n} rows: heap +${result.heapGrowthMB} MB, rss +${result.rssGrowthMB} MB, retained after GC ` +
            `first ${retained[0]} / max ${Math.max(...retained)} / last ${retained[retained.length - 1]} MB`
        )
        assert.strictEqual(result.rows, n)
        assert.isBelow(result.heapGrowthMB, 50)
        assert.isBelow(result.rssGrowthMB, 50)
        // After a full GC the heap is back where it started, at every sample, and does not creep.
        for (const r of retained) assert.isBelow(r, 5)
        assert.isBelow(retained[retained.length - 1]! - retained[0]!, 2)
      }), { timeout: 120_000 })
  })

  describe("cursors", () => {
    it.effect("a cursor streams a parameterised statement in batches and leaves no transaction open", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const rows = yield* Stream.runCollect(
          sql.cursor(sql`select i, ${"x"}::text as tag from generate_series(1, ${1005}::int4) i`, { batchSize: 100 })
        )
        assert.strictEqual(rows.length, 1005)
        assert.deepStrictEqual(rows[1004], { i: 1005, tag: "x" })
        assert.strictEqual(yield* sql.transactionStatus, "idle")
        assert.strictEqual(yield* openCursors, 0)
        // Exactly a multiple of the batch size, and empty results.
        assert.strictEqual((yield* Stream.runCollect(sql.cursor(sql`select generate_series(1, 200)`, { batchSize: 100 }))).length, 200)
        assert.deepStrictEqual(yield* Stream.runCollect(sql.cursor(sql`select 1 where false`)), [])
      }))

    it.effect("skip moves the cursor first; arrays and schemas apply", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const q = sql`select i from generate_series(1, 10) i`
        const skipped = yield* Stream.runCollect(sql.cursor(q.values, { skip: 7, batchSize: 2 }))
        assert.deepStrictEqual(skipped, [[8], [9], [10]])
        const decoded = yield* Stream.runCollect(sql.cursor(q.withSchema(Schema.Struct({ i: Schema.Number })), { batchSize: 4 }))
        assert.strictEqual(decoded.length, 10)
        const bad = yield* failure(Stream.runDrain(sql.cursor(q.withSchema(Schema.Struct({ i: Schema.String })), { batchSize: 4 })))
        assert.isTrue(Schema.isSchemaError(bad))
        assert.include((bad as Schema.SchemaError).message, "[0]")
      }))

    it.effect("stopping a cursor early closes it and ends its transaction", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const first = yield* Stream.runCollect(sql.cursor(sql`select generate_series(1, 1000000) as n`, { batchSize: 50 }).pipe(Stream.take(3)))
        assert.deepStrictEqual(first.map((r) => r.n), [1, 2, 3])
        assert.strictEqual(yield* openCursors, 0)
        assert.strictEqual(yield* sql.source.withConnection((c) => Effect.succeed(c.transactionStatus)), "idle")
        const error = yield* failure(Stream.runDrain(sql.cursor(sql`select 1 / (i - 50) from generate_series(1, 100) i`, { batchSize: 10 })))
        assert.instanceOf(error, PgError)
        assert.strictEqual(yield* sql.source.withConnection((c) => Effect.succeed(c.transactionStatus)), "idle")
        assert.deepStrictEqual(yield* sql`select 1 as ok`, [{ ok: 1 }])
      }))

    it.effect("hold: a WITH HOLD cursor outside any transaction; inside a transaction, the transaction's", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        // While the rows flow, the session is in a transaction for a plain cursor and idle
        // for a WITH HOLD one. (The connection is the cursor's until the stream ends: asking
        // the session's state does not queue a statement behind it.)
        const statusDuring = (hold: boolean) =>
          Stream.runCollect(
            sql.cursor(sql`select i from generate_series(1, 30) i`, { hold, batchSize: 7 }).pipe(
              Stream.mapEffect(() => sql.source.withConnection((c) => Effect.succeed(c.transactionStatus)))
            )
          )
        const held = yield* statusDuring(true)
        assert.strictEqual(held.length, 30)
        assert.isTrue(held.every((s) => s === "idle"))
        const plain = yield* statusDuring(false)
        assert.isTrue(plain.every((s) => s === "transaction"))
        assert.strictEqual(yield* openCursors, 0)
        yield* sql`create temp table cursor_tx (n int4)`
        const inTx = yield* sql.withTransaction(
          Effect.gen(function*() {
            yield* sql`insert into cursor_tx select generate_series(1, 25)`
            const rows = yield* Stream.runCollect(sql.cursor(sql`select n from cursor_tx order by n`, { batchSize: 10 }))
            assert.strictEqual(yield* sql.transactionStatus, "transaction")
            return rows.length
          })
        )
        assert.strictEqual(inTx, 25)
      }))

    it.effect("cursors over user types and types without binary codecs", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        const mood = `cursor_mood_${suffix}`
        yield* sql`create type ${sql.identifier(mood)} as enum ('a', 'b')`
        const rows = yield* Stream.runCollect(
          sql.cursor(sql`select 'b'::${sql.identifier(mood)} as m, array['a']::${sql.identifier(mood)}[] as ms`, { batchSize: 10 })
        )
        assert.deepStrictEqual(rows, [{ m: "b", ms: ["a"] }])
        const acl = yield* Stream.runCollect(sql.cursor(sql`select 'postgres=r/postgres'::aclitem as a, 1::int4 as n`))
        assert.deepStrictEqual(acl, [{ a: "postgres=r/postgres", n: 1 }])
      }))
  })
})
