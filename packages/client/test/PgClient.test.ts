import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { ExecuteOptions, PgConnection, QueryResult } from "@pgfx/connection/PgConnection"
import { PgError } from "@pgfx/connection/PgError"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import * as PgClient from "../src/PgClient.ts"
import type * as PgSource from "../src/PgSource.ts"
import * as PgSql from "../src/PgSql.ts"
import { beginText } from "../src/internal/clientTransaction.ts"

/** A connection that records what it is asked and answers from a script. */
const fakeConnection = (answer: (sql: string) => Partial<QueryResult> = () => ({})) => {
  const calls: Array<{ readonly kind: "execute" | "simple"; readonly sql: string; readonly params?: ReadonlyArray<unknown>; readonly options?: ExecuteOptions }> = []
  let status: "idle" | "transaction" | "failed" = "idle"
  const result = (sql: string): QueryResult => {
    const upper = sql.trim().toUpperCase()
    if (upper.startsWith("BEGIN") || upper.startsWith("SAVEPOINT")) status = "transaction"
    if (upper === "COMMIT" || upper === "ROLLBACK") status = "idle"
    return { command: upper.split(" ")[0]!, rowCount: 0, rows: [], fields: [], ...answer(sql) }
  }
  const connection = {
    processId: 1,
    registry: PgTypes.builtins,
    isOpen: true,
    get transactionStatus() {
      return status
    },
    execute: (sql: string, params: ReadonlyArray<unknown> = [], options?: ExecuteOptions) =>
      Effect.sync(() => {
        calls.push({ kind: "execute", sql, params, ...(options ? { options } : {}) })
        return result(sql)
      }),
    simple: (sql: string) =>
      Effect.sync(() => {
        calls.push({ kind: "simple", sql })
        return [result(sql)]
      }),
    close: Effect.void
  } as unknown as PgConnection
  const source: PgSource.PgSource = {
    withConnection: (f) => f(connection),
    reserve: Effect.succeed(connection),
    invalidate: () => Effect.void,
    config: "",
    options: {}
  }
  return { connection, calls, source }
}

describe("statements", () => {
  it.effect("a statement is an Effect and a PgSql fragment that composes", () =>
    Effect.gen(function*() {
      const { source } = fakeConnection()
      const sql = yield* PgClient.make(source)
      const inner = sql`id = ${1}`
      const other = sql`name = ${"x"}`
      assert.isTrue(Effect.isEffect(inner))
      assert.isTrue(PgSql.isFragment(inner))
      assert.isTrue(PgClient.isPgStatement(inner))
      assert.isFalse(PgClient.isPgStatement(PgSql.sql`x`))
      const outer = sql`select * from t where ${inner} and ${PgSql.or([inner, other])} and ${PgSql.sql`k = ${2}`}`
      const compiled = yield* PgClient.compileStatement(outer)
      assert.strictEqual(compiled.text, "select * from t where id = $1 and ((id = $2) or (name = $3)) and k = $4")
      assert.deepStrictEqual(compiled.params, [1, 1, "x", 2])
      // PgSql itself compiles a statement like its fragment.
      assert.deepStrictEqual(PgSql.compile(inner), { text: "id = $1", params: [1] })
      assert.strictEqual(String(inner), "id = $1 [1 parameter]")
      // Derived statements keep their fragment.
      assert.deepStrictEqual(PgSql.compile(inner.unnamed.values), { text: "id = $1", params: [1] })
    }))

  it.effect("runs through the source with the mode and row shape asked for", () =>
    Effect.gen(function*() {
      const { calls, source } = fakeConnection(() => ({ rows: [{ a: 1 }] }))
      const sql = yield* PgClient.make(source)
      assert.deepStrictEqual(yield* sql`select ${1}`, [{ a: 1 }])
      yield* sql`select ${2}`.unnamed.values
      yield* sql`select 3`.simple
      assert.deepStrictEqual(calls, [
        { kind: "execute", sql: "select $1", params: [1], options: { paramTypes: undefined, rowMode: "object", mode: "prepared" } },
        { kind: "execute", sql: "select $1", params: [2], options: { paramTypes: undefined, rowMode: "array", mode: "unnamed" } },
        { kind: "simple", sql: "select 3" }
      ])
      const unnamedClient = yield* PgClient.make(source, { mode: "unnamed" })
      yield* unnamedClient`select ${PgSql.param(4, 23)}`
      assert.deepStrictEqual(calls[3], {
        kind: "execute",
        sql: "select $1",
        params: [4],
        options: { paramTypes: [23], rowMode: "object", mode: "unnamed" }
      })
    }))

  it.effect("invalid fragments and parameters in simple mode fail before reaching the connection", () =>
    Effect.gen(function*() {
      const { calls, source } = fakeConnection()
      const sql = yield* PgClient.make(source)
      for (const statement of [sql`select ${undefined}`, sql`select '${1}'`, sql`select ${1}`.simple, sql.unsafe("select $2", [1])]) {
        const exit = yield* Effect.exit(statement)
        assert.isTrue(Exit.isFailure(exit))
        const error = Cause.findErrorOption((exit as Exit.Failure<unknown, unknown>).cause)
        assert.isTrue(Option.isSome(error) && error.value instanceof PgError)
        assert.strictEqual((error as Option.Some<PgError>).value.reason._tag, "EncodeError")
      }
      assert.deepStrictEqual(calls, [])
    }))

  it.effect(".single and .maybe count rows", () =>
    Effect.gen(function*() {
      let rows: Array<unknown> = []
      const { source } = fakeConnection(() => ({ rows: rows as Array<any> }))
      const sql = yield* PgClient.make(source)
      const q = sql`select 1`
      assert.isTrue(Cause.isNoSuchElementError(yield* Effect.flip(q.single)))
      assert.deepStrictEqual(yield* q.maybe, Option.none())
      rows = [{ x: 1 }]
      assert.deepStrictEqual(yield* q.single, { x: 1 })
      assert.deepStrictEqual(yield* q.maybe, Option.some({ x: 1 }))
      rows = [{ x: 1 }, { x: 2 }]
      assert.isTrue(Cause.isNoSuchElementError(yield* Effect.flip(q.single)))
      assert.isTrue(Cause.isNoSuchElementError(yield* Effect.flip(q.maybe)))
    }))
})

describe("transactions", () => {
  it("BEGIN text from the options", () => {
    assert.strictEqual(beginText(undefined), "BEGIN")
    assert.strictEqual(beginText({}), "BEGIN")
    assert.strictEqual(
      beginText({ isolation: "serializable", readOnly: true, deferrable: true }),
      "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE"
    )
    assert.strictEqual(beginText({ isolation: "read committed", readOnly: false, deferrable: false }), "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE, NOT DEFERRABLE")
    const bad = beginText({ isolation: "serializable; drop table x" as "serializable" })
    assert.instanceOf(bad, PgError)
  })

  it.effect("BEGIN, statements, savepoints, COMMIT / ROLLBACK in order", () =>
    Effect.gen(function*() {
      const { calls, source } = fakeConnection()
      const sql = yield* PgClient.make(source)
      yield* sql.withTransaction(
        Effect.gen(function*() {
          yield* sql`insert 1`
          yield* sql.withTransaction(sql`insert 2`)
          yield* Effect.ignore(sql.withTransaction(Effect.andThen(sql`insert 3`, Effect.fail("no"))))
        }),
        { isolation: "repeatable read" }
      )
      const failed = yield* Effect.exit(sql.withTransaction(Effect.fail("boom")))
      assert.isTrue(Exit.isFailure(failed))
      assert.deepStrictEqual(calls.map((c) => c.sql), [
        "BEGIN ISOLATION LEVEL REPEATABLE READ",
        "insert 1",
        "SAVEPOINT pgfx_1",
        "insert 2",
        "RELEASE SAVEPOINT pgfx_1",
        "SAVEPOINT pgfx_1",
        "insert 3",
        "ROLLBACK TO SAVEPOINT pgfx_1; RELEASE SAVEPOINT pgfx_1",
        "COMMIT",
        "BEGIN",
        "ROLLBACK"
      ])
    }))

  it.effect("a COMMIT answered with ROLLBACK fails with InFailedTransaction", () =>
    Effect.gen(function*() {
      const { source } = fakeConnection((sql) => (sql === "COMMIT" ? { command: "ROLLBACK" } : {}))
      const sql = yield* PgClient.make(source)
      const error = yield* Effect.flip(sql.withTransaction(Effect.succeed(1)))
      assert.instanceOf(error, PgError)
      assert.strictEqual((error as PgError).reason._tag, "InFailedTransaction")
      assert.strictEqual((error as { reason: { code: string } }).reason.code, "25P02")
    }))
})
