/**
 * The execute fast path against the real server: a statement found in the cache is executed by
 * one `Effect.callback` with its prebuilt Bind template and memoised row shape. These tests run
 * each statement at least twice so that the second run takes that path, and check that it
 * behaves as the first: encoding errors, row modes, registry changes, statements without rows,
 * pipelined executions. And deep pipelines, whose new requests the session holds back until the
 * backlog of written ones runs low: interrupting a held-back request drops it, the rest are
 * answered in order.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as PgCodec from "@pgfx/protocol/PgCodec"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgConnection from "../src/PgConnection.ts"
import type * as PgError from "../src/PgError.ts"

const server = pgServer()
const url = server.connectionString()

const twoInts = "select $1::int as a, $2::int as b"

describe("execute of a cached statement", () => {
  it.live("an unencodable value fails as on the first execution (EncodeError naming $n); nothing is sent", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const first = yield* Effect.flip(c.execute(twoInts, [1, "x"]))
      assert.deepStrictEqual((yield* c.execute(twoInts, [1, 2])).rows, [{ a: 1, b: 2 }])
      const cached = yield* Effect.flip(c.execute(twoInts, [1, "x"]))
      for (const error of [first, cached]) {
        assert.strictEqual(error.reason._tag, "EncodeError")
        const reason = error.reason as PgError.EncodeError
        assert.strictEqual(reason.parameter, 2)
        assert.strictEqual(reason.oid, Oid.int4)
      }
      assert.strictEqual(cached.message, first.message)
      // The half-written Bind was dropped: the next statement is answered correctly.
      assert.deepStrictEqual((yield* c.execute(twoInts, [3, 4])).rows, [{ a: 3, b: 4 }])
      assert.strictEqual(c.inFlight, 0)
    }))

  it.live("a wrong parameter count fails with EncodeError", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.execute(twoInts, [1, 2])
      const error = yield* Effect.flip(c.execute(twoInts, [1]))
      assert.strictEqual(error.reason._tag, "EncodeError")
      assert.include(error.message, "2 parameter(s), 1 given")
    }))

  it.live("row modes alternate on the same statement", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      for (let i = 0; i < 3; i++) {
        assert.deepStrictEqual((yield* c.execute(twoInts, [i, 7])).rows, [{ a: i, b: 7 }])
        assert.deepStrictEqual((yield* c.execute<ReadonlyArray<number>>(twoInts, [i, 8], { rowMode: "array" })).rows, [[i, 8]])
      }
    }))

  it.live("a registry replaced between executions decodes with the new codecs", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      assert.deepStrictEqual((yield* c.execute("select $1::int as n", [5])).rows, [{ n: 5 }])
      const int4 = PgTypes.getOrText(PgTypes.builtins, Oid.int4)
      const tagged = PgCodec.make<unknown, unknown>({
        oid: Oid.int4,
        name: "int4",
        decodeBinary: (bytes, offset, length) => `int:${String(int4.decodeBinary!(bytes, offset, length))}`,
        encodeBinary: int4.encodeBinary!,
        decodeText: (text) => `int:${text}`,
        encodeText: int4.encodeText
      })
      const before = c.registry
      c.registry = PgTypes.add(before, tagged)
      assert.deepStrictEqual((yield* c.execute("select $1::int as n", [6])).rows, [{ n: "int:6" }])
      c.registry = before
      assert.deepStrictEqual((yield* c.execute("select $1::int as n", [7])).rows, [{ n: 7 }])
    }))

  it.live("statements without rows report their command and count", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table fast_path (x int)")
      for (let i = 0; i < 3; i++) {
        const r = yield* c.execute("insert into fast_path values ($1)", [i])
        assert.strictEqual(r.command, "INSERT")
        assert.strictEqual(r.rowCount, 1)
        assert.deepStrictEqual(r.rows, [])
        assert.deepStrictEqual(r.fields, [])
      }
      assert.deepStrictEqual((yield* c.execute("select count(*)::int as n from fast_path")).rows, [{ n: 3 }])
    }))

  it.live("pipelined executions each get their own result", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.execute("select $1::int as v", [0])
      const values = Array.from({ length: 500 }, (_, i) => i)
      const rows = yield* Effect.forEach(
        values,
        (i) => Effect.map(c.execute<{ v: number }>("select $1::int as v", [i]), (r) => r.rows[0]!.v),
        { concurrency: 100 }
      )
      assert.deepStrictEqual(rows, values)
    }))
})

describe("deep pipelines", () => {
  it.live("requests held back behind a slow backlog are written later and answered; interrupted ones are dropped at once", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const statement = "select $1::int as v, pg_sleep($2) as s"
      yield* c.execute(statement, [0, 0])
      const run = (i: number, sleep: number) =>
        Effect.forkChild(
          Effect.map(c.execute<{ v: number }>(statement, [i, sleep]), (r) => r.rows[0]!.v),
          { startImmediately: true }
        )
      // A slow head and a backlog of written requests behind it …
      const fibers: Array<Fiber.Fiber<number, PgError.PgError>> = [yield* run(0, 0.3)]
      for (let i = 1; i < 20; i++) fibers.push(yield* run(i, 0))
      yield* Effect.sleep("20 millis")
      // … so that these wait to be written.
      for (let i = 20; i < 60; i++) fibers.push(yield* run(i, 0))
      yield* Effect.sleep("20 millis")
      assert.strictEqual(c.inFlight, 60)
      // Interrupting a request not yet written drops it at once (one already written would wait
      // for the slow head to finish before it could be drained).
      const interrupted = new Set([45, 50, 55, 59])
      const started = Date.now()
      for (const i of interrupted) yield* Fiber.interrupt(fibers[i]!)
      assert.isBelow(Date.now() - started, 150)
      assert.strictEqual(c.inFlight, 56)
      for (let i = 0; i < 60; i++) {
        if (!interrupted.has(i)) assert.strictEqual(yield* Fiber.join(fibers[i]!), i)
      }
      assert.strictEqual(c.inFlight, 0)
      assert.strictEqual((yield* c.execute<{ v: number }>(statement, [7, 0])).rows[0]!.v, 7)
    }))
})
