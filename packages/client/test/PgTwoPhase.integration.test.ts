import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as PgConnection from "@pgfx/connection/PgConnection"
import { PgError } from "@pgfx/connection/PgError"
import { startServer } from "@pgfx/test"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgClient from "../src/PgClient.ts"
import * as PgTwoPhase from "../src/PgTwoPhase.ts"

const server = pgServer()
const url = server.connectionString()
const schema = `pgfx_2pc_${process.pid}`
/** Every gid of this file starts with it, so the cleanup finds them all (and nobody else's). */
const prefix = `pgfx-test-${process.pid}-`
let counter = 0
const newGid = (name: string) => `${prefix}${++counter}-${name}`

class Broke extends Data.TaggedError("Broke")<{}> {}

const run = <A, E>(effect: Effect.Effect<A, E, never>): Promise<A> => Effect.runPromise(effect)
const admin = (text: string) => Effect.scoped(Effect.flatMap(PgConnection.make(url), (c) => c.simple(text)))

/** Rolls back every transaction this file prepared and left behind (they hold locks, and survive us). */
const cleanup = Effect.scoped(Effect.gen(function*() {
  const sql = yield* PgClient.connect(url)
  const left = yield* PgTwoPhase.listPrepared(sql, { prefix, allDatabases: true })
  for (const p of left) yield* Effect.ignore(PgTwoPhase.rollbackPrepared(sql, p.gid))
  return left.length
}))

beforeAll(() => run(admin(`drop schema if exists ${schema} cascade; create schema ${schema}; create table ${schema}.t (id int4 primary key, note text)`)))
afterAll(() => run(Effect.andThen(cleanup, admin(`drop schema if exists ${schema} cascade`))))

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.die(new Error("expected a failure"))
    const error = Cause.findErrorOption(exit.cause)
    return Option.isSome(error) ? Effect.succeed(error.value) : Effect.die(Cause.pretty(exit.cause))
  })

const codeOf = (e: unknown): string => {
  assert.instanceOf(e, PgError)
  const reason = (e as PgError).reason as { readonly _tag: string; readonly code?: string }
  return reason.code ?? reason._tag
}

/** Two clients (two sessions), and a cleanup of prepared leftovers when the test ends. */
const withClients = (f: (a: PgClient.PgClient.Service, b: PgClient.PgClient.Service) => Effect.Effect<void, unknown, Scope.Scope>) =>
  Effect.scoped(Effect.gen(function*() {
    yield* Effect.addFinalizer(() => Effect.ignore(cleanup))
    const a = yield* PgClient.connect(url)
    const b = yield* PgClient.connect(url)
    yield* f(a, b)
  }))

const t = (sql: PgClient.PgClient.Service) => sql.identifier(schema, "t")
const ids = (sql: PgClient.PgClient.Service) =>
  Effect.map(sql<{ id: number }>`select id from ${t(sql)} order by id`, (rows) => rows.map((r) => r.id))
const gids = (sql: PgClient.PgClient.Service) => Effect.map(PgTwoPhase.listPrepared(sql, { prefix }), (ps) => ps.map((p) => p.gid))

describe("PgTwoPhase", () => {
  it.live("prepare on one connection, commit from another: invisible before COMMIT PREPARED, visible after", () =>
    withClients((a, b) =>
      Effect.gen(function*() {
        const gid = newGid("commit")
        const started = yield* DateTime.now
        const value = yield* PgTwoPhase.prepare(a, gid, Effect.as(a`insert into ${t(a)} values (1, 'prepared')`, "done"))
        assert.strictEqual(value, "done")
        // The preparing session is free again: its transaction is no longer its own.
        assert.strictEqual(yield* a.transactionStatus, "idle")
        assert.deepStrictEqual(yield* a`select 1 as one`, [{ one: 1 }])
        // Invisible from both sessions until committed.
        assert.deepStrictEqual(yield* ids(b), [])
        assert.deepStrictEqual(yield* ids(a), [])
        const [pending] = (yield* PgTwoPhase.listPrepared(b, { prefix })).filter((p) => p.gid === gid)
        assert.isDefined(pending)
        assert.strictEqual(pending!.owner, "postgres")
        assert.strictEqual(pending!.database, server.database)
        assert.isAbove(pending!.transaction, 0)
        assert.isTrue(
          Math.abs(DateTime.toEpochMillis(pending!.preparedAt) - DateTime.toEpochMillis(started)) < 60_000,
          "prepared at about now"
        )
        // The prepared transaction holds its row lock: another session cannot take it.
        const locked = yield* failure(b.withTransaction(Effect.andThen(
          b`set local lock_timeout = '100ms'`.simple,
          b`insert into ${t(b)} values (1, 'clash')`
        )))
        assert.strictEqual(codeOf(locked), "55P03")
        // Committed from the other session.
        yield* PgTwoPhase.commitPrepared(b, gid)
        assert.deepStrictEqual(yield* ids(b), [1])
        assert.deepStrictEqual(yield* ids(a), [1])
        assert.notInclude(yield* gids(a), gid)
        // Finishing it twice fails with the server's "does not exist".
        assert.strictEqual(codeOf(yield* failure(PgTwoPhase.commitPrepared(a, gid))), "42704")
        yield* a`delete from ${t(a)}`
      })
    ))

  it.live("a prepared transaction survives its session; rollback prepared undoes it", () =>
    withClients((_, b) =>
      Effect.gen(function*() {
        const gid = newGid("rollback")
        // Prepared by a session that is closed right after.
        yield* Effect.scoped(Effect.flatMap(PgClient.connect(url), (c) => PgTwoPhase.prepare(c, gid, c`insert into ${t(c)} values (2, 'x')`)))
        assert.include(yield* gids(b), gid)
        yield* PgTwoPhase.rollbackPrepared(b, gid)
        assert.notInclude(yield* gids(b), gid)
        assert.deepStrictEqual(yield* ids(b), [])
      })
    ))

  it.live("a failing effect never prepares: it is rolled back", () =>
    withClients((a, b) =>
      Effect.gen(function*() {
        const gid = newGid("fails")
        const error = yield* failure(PgTwoPhase.prepare(a, gid, Effect.andThen(a`insert into ${t(a)} values (3, 'x')`, Effect.fail(new Broke()))))
        assert.instanceOf(error, Broke)
        assert.notInclude(yield* gids(b), gid)
        assert.deepStrictEqual(yield* ids(b), [])
        // A server error inside.
        const duplicate = yield* failure(PgTwoPhase.prepare(a, gid, a`insert into ${t(a)} values (3, 'x'), (3, 'dup')`))
        assert.strictEqual(codeOf(duplicate), "23505")
        // A server error caught inside: the server turns the PREPARE into a ROLLBACK.
        const swallowed = yield* failure(PgTwoPhase.prepare(
          a,
          gid,
          Effect.andThen(a`insert into ${t(a)} values (4, 'x')`, Effect.ignore(a`select 1/0`))
        ))
        assert.strictEqual((swallowed as PgError).reason._tag, "InFailedTransaction")
        assert.match((swallowed as PgError).message, /nothing was prepared/)
        // Interrupted: rolled back too.
        const interrupted = yield* PgTwoPhase.prepare(a, gid, Effect.andThen(a`insert into ${t(a)} values (5, 'x')`, Effect.never)).pipe(
          Effect.timeoutOption("100 millis")
        )
        assert.isTrue(Option.isNone(interrupted))
        assert.notInclude(yield* gids(b), gid)
        assert.deepStrictEqual(yield* ids(b), [])
        assert.strictEqual(yield* a.transactionStatus, "idle")
        // A gid already in use.
        yield* PgTwoPhase.prepare(a, gid, a`select 1`)
        assert.strictEqual(codeOf(yield* failure(PgTwoPhase.prepare(b, gid, b`insert into ${t(b)} values (6, 'x')`))), "42710")
        yield* PgTwoPhase.rollbackPrepared(a, gid)
        assert.deepStrictEqual(yield* ids(b), [])
      })
    ))

  it.live("gids with quotes, backslashes and other characters are quoted safely", () =>
    withClients((a, b) =>
      Effect.gen(function*() {
        const nasty = [
          newGid("it's"),
          newGid("back\\slash\\'; drop table x; --"),
          newGid("''"),
          newGid("semi;colon $$ dollar $tag$ \"double\""),
          newGid("unicode ü ✓ 🐘"),
          newGid("E'x'")
        ]
        for (const gid of nasty) yield* PgTwoPhase.prepare(a, gid, a`select 1`)
        const listed = yield* gids(b)
        for (const gid of nasty) assert.include(listed, gid)
        // Whatever standard_conforming_strings says.
        yield* b`set standard_conforming_strings = off`.simple
        for (const gid of nasty) yield* PgTwoPhase.commitPrepared(b, gid)
        yield* b`set standard_conforming_strings = on`.simple
        const after = yield* gids(a)
        for (const gid of nasty) assert.notInclude(after, gid)
        assert.strictEqual(Result.getOrThrow(PgTwoPhase.quoteGid("it's")), "'it''s'")
        assert.strictEqual(Result.getOrThrow(PgTwoPhase.quoteGid("a\\'b")), "E'a\\\\''b'")
      })
    ))

  it.live("gids are validated before anything is sent: empty, NUL, lone surrogates, 200 bytes", () =>
    withClients((a, b) =>
      Effect.gen(function*() {
        // The longest accepted gid: 199 bytes (here 2-byte characters and one ASCII).
        const longest = (prefix + "x".repeat(199)).slice(0, 199 - 64) + "é".repeat(32)
        assert.strictEqual(new TextEncoder().encode(longest).length, 199)
        assert.isUndefined(PgTwoPhase.gidProblem(longest))
        yield* PgTwoPhase.prepare(a, longest, a`select 1`)
        assert.include(yield* gids(b), longest)
        yield* PgTwoPhase.rollbackPrepared(b, longest)
        const bad = ["", "a\u0000b", "lone \ud800 surrogate", "lone \udc00 low", longest + "x", "é".repeat(100)]
        for (const gid of bad) {
          assert.isDefined(PgTwoPhase.gidProblem(gid))
          assert.strictEqual(codeOf(yield* failure(PgTwoPhase.prepare(a, gid, a`insert into ${t(a)} values (7, 'x')`))), "EncodeError")
          assert.strictEqual(codeOf(yield* failure(PgTwoPhase.commitPrepared(a, gid))), "EncodeError")
          assert.strictEqual(codeOf(yield* failure(PgTwoPhase.rollbackPrepared(a, gid))), "EncodeError")
        }
        assert.isDefined(PgTwoPhase.gidProblem(42))
        assert.isUndefined(PgTwoPhase.gidProblem("🐘"))
        // The server agrees about 200 bytes.
        const raw = yield* failure(a.withTransaction(a.unsafe(`prepare transaction '${"y".repeat(200)}'`).simple))
        assert.match((raw as PgError).message, /too long/)
        assert.deepStrictEqual(yield* ids(b), [])
      })
    ))

  it.live("inside a transaction: prepare, commitPrepared and rollbackPrepared fail with 25001", () =>
    withClients((a, b) =>
      Effect.gen(function*() {
        const gid = newGid("inside")
        yield* PgTwoPhase.prepare(b, gid, b`select 1`)
        const errors = yield* a.withTransaction(Effect.all([
          failure(PgTwoPhase.commitPrepared(a, gid)),
          failure(PgTwoPhase.rollbackPrepared(a, gid)),
          failure(PgTwoPhase.prepare(a, newGid("nested"), a`select 1`)),
          a.transactionStatus
        ]))
        assert.deepStrictEqual(errors.slice(0, 3).map(codeOf), ["25001", "25001", "25001"])
        assert.match((errors[0] as PgError).message, /outside sql.withTransaction/)
        // Nothing was sent: the transaction was not failed by them.
        assert.strictEqual(errors[3], "transaction")
        assert.include(yield* gids(a), gid)
        yield* PgTwoPhase.commitPrepared(a, gid)
      })
    ))

  it.live("listPrepared: oldest first, filtered by prefix, this database by default", () =>
    withClients((a, b) =>
      Effect.gen(function*() {
        const first = newGid("list-1")
        const second = newGid("list-2")
        yield* PgTwoPhase.prepare(a, first, a`select 1`)
        yield* Effect.sleep("5 millis")
        yield* PgTwoPhase.prepare(a, second, a`select 1`)
        const mine = yield* PgTwoPhase.listPrepared(b, { prefix: `${prefix}${counter - 1}-` })
        assert.deepStrictEqual(mine.map((p) => p.gid), [first])
        const both = (yield* PgTwoPhase.listPrepared(b, { prefix })).map((p) => p.gid)
        assert.isBelow(both.indexOf(first), both.indexOf(second))
        const everywhere = (yield* PgTwoPhase.listPrepared(b, { allDatabases: true, prefix })).map((p) => p.gid)
        assert.includeMembers(everywhere, [first, second])
        // The cleanup finalizer rolls these back.
      })
    ))

  it.live("a server with max_prepared_transactions = 0: a clear 55000 error", () =>
    Effect.gen(function*() {
      const other = yield* Effect.acquireRelease(
        Effect.promise(() => startServer({ settings: { max_prepared_transactions: 0 } })),
        (s) => Effect.promise(() => s.stop())
      )
      const sql = yield* PgClient.connect(other.connectionString())
      yield* sql`create table t2 (id int4)`
      const error = yield* failure(PgTwoPhase.prepare(sql, "disabled", sql`insert into t2 values (1)`))
      assert.strictEqual(codeOf(error), "55000")
      assert.match((error as PgError).message, /prepared transactions are disabled on this server \(max_prepared_transactions = 0\)/)
      assert.match((error as PgError).message, /restart/)
      assert.deepStrictEqual(yield* sql`select count(*)::int4 as n from t2`, [{ n: 0 }])
      assert.strictEqual(yield* sql.transactionStatus, "idle")
      assert.deepStrictEqual(yield* PgTwoPhase.listPrepared(sql), [])
    }).pipe(Effect.scoped), 120_000)
})
