import { assert, describe, layer } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as SqlClient from "effect/sql/SqlClient"
import { SqlError } from "effect/sql/SqlError"
import * as Stream from "effect/Stream"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { PgClient } from "@pgfx/client/PgClient"
import * as PgSource from "@pgfx/client/PgSource"
import { PgError } from "@pgfx/connection/PgError"
import { PgTimestamp } from "@pgfx/protocol/PgDateTime"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgSqlClient from "../src/PgSqlClient.ts"

const server = pgServer()
const unique = (prefix: string) => `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

/** A table for one test, dropped when the test's Scope closes. */
const table = (columns: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const name = unique("t")
    yield* sql.unsafe(`create table ${name} (${columns})`)
    yield* Effect.addFinalizer(() => Effect.ignore(sql.unsafe(`drop table if exists ${name}`)))
    return sql(name)
  })

const sqlError = <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<SqlError, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) =>
    Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail"
      ? Effect.succeed((exit.cause.reasons[0] as { readonly error: SqlError }).error)
      : Effect.die(new Error(`expected a SqlError, got ${String(exit)}`)))

layer(PgSqlClient.layer({ url: server.connectionString(), pool: { max: 6 } }), { excludeTestServices: true })("PgSqlClient", (it) => {
  describe("statements", () => {
    it.effect("binds parameters and returns rows as objects; insert/update helpers with RETURNING", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const people = yield* table(
          "id serial primary key, name text not null, born date, seen timestamptz not null default now(), score numeric, big int8, doc jsonb"
        )
        const inserted = yield* sql<{ id: number; name: string }>`insert into ${people} ${
          sql.insert([
            { name: "Ada", born: "1815-12-10", score: "1.50", big: 9007199254740993n, doc: { tags: ["x"] } },
            { name: "Grace", born: new Date("1906-12-09T00:00:00Z"), score: 2, big: 1, doc: null }
          ]).returning("id, name")
        }`
        assert.deepStrictEqual(inserted.map((r) => r.name), ["Ada", "Grace"])
        const [ada] = yield* sql`select * from ${people} where name = ${"Ada"}`
        assert.strictEqual(ada!.born, "1815-12-10")
        assert.instanceOf(ada!.seen, Date)
        assert.strictEqual(ada!.score, "1.50")
        assert.strictEqual(ada!.big, 9007199254740993n)
        assert.deepStrictEqual(ada!.doc, { tags: ["x"] })

        const updated = yield* sql`update ${people} set ${sql.update({ id: 0, name: "Grace Hopper", seen: "2024-01-02T03:04:05Z" }, ["id"])} where id = ${
          inserted[1]!.id
        } returning name, seen`
        assert.deepStrictEqual(updated, [{ name: "Grace Hopper", seen: new Date("2024-01-02T03:04:05Z") }])

        const many = yield* sql`update ${people} as p set score = v.score::numeric from ${
          sql.updateValues([{ id: inserted[0]!.id, score: "10" }, { id: inserted[1]!.id, score: "20" }], "v")
        } where p.id = v.id::int4 returning p.score`
        assert.sameMembers(many.map((r) => r.score), ["10", "20"])

        const found = yield* sql`select name from ${people} where id in ${sql.in(inserted.map((r) => r.id))} order by id`
        assert.deepStrictEqual(found, [{ name: "Ada" }, { name: "Grace Hopper" }])
        assert.deepStrictEqual(yield* sql`select name from ${people} where id in ${sql.in([])}`, [])
      }))

    it.effect("values, raw, unprepared (simple protocol scripts and unnamed statements), reserve", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        assert.deepStrictEqual(yield* sql`select ${1}::int4 as a, ${"b"} as b, null as c`.values, [[1, "b", null]])
        const raw = (yield* sql`select generate_series(1, ${3}::int4) as n`.raw) as { command: string; rowCount: number; fields: ReadonlyArray<{ name: string }> }
        assert.strictEqual(raw.command, "SELECT")
        assert.strictEqual(raw.rowCount, 3)
        assert.deepStrictEqual(raw.fields.map((f) => f.name), ["n"])
        // No parameters: the simple protocol, so a script runs and the last statement's rows come back.
        assert.deepStrictEqual(yield* sql`select 1 as a; select 2 as b, now()::date = current_date as today`.unprepared, [{ b: 2, today: true }])
        // Parameters: the unnamed statement (text parameters typed by the server).
        assert.deepStrictEqual(yield* sql`select ${41}::int4 + 1 as n, ${"2024-01-02"}::date as d`.unprepared, [{ n: 42, d: "2024-01-02" }])
        assert.deepStrictEqual(yield* sql`select ${41}::int4 + 1 as n`.valuesUnprepared, [[42]])
        const pid = yield* Effect.scoped(Effect.gen(function*() {
          const connection = yield* sql.reserve
          const a = yield* connection.execute("select pg_backend_pid() as pid", [], undefined)
          const b = yield* connection.executeUnprepared("select pg_backend_pid() as pid", [], undefined)
          assert.strictEqual(a[0].pid, b[0].pid)
          return a[0].pid as number
        }))
        assert.isNumber(pid)
      }))

    it.effect("lenient parameters: strings for dates and numbers, numbers for text", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql`select ${"2024-01-02"}::date as d, ${"2024-01-02T03:04:05.5+02:00"}::timestamptz as t, ${"42"}::int4 as i, ${1} as x, ${"t"}::bool as b, ${"1 day"}::interval as iv, ${"12:30"}::time as tm`
        assert.deepStrictEqual(row, {
          d: "2024-01-02",
          t: new Date("2024-01-02T01:04:05.500Z"),
          i: 42,
          x: "1",
          b: true,
          iv: "1 day",
          tm: "12:30:00"
        })
        const arrays = yield* sql`select ${["2024-01-02", "2024-02-03"]}::date[] as ds, array['2024-01-02 00:00:00+00'::timestamptz] as ts`
        assert.deepStrictEqual(arrays, [{ ds: ["2024-01-02", "2024-02-03"], ts: [new Date("2024-01-02T00:00:00Z")] }])
      }))

    it.effect("transformQueryNames / transformResultNames, and withoutTransforms", () =>
      Effect.gen(function*() {
        const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
        const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
        const sql = yield* PgSqlClient.connect({ url: server.connectionString(), transformQueryNames: snake, transformResultNames: camel }).pipe(
          Effect.provide(Reactivity.layer)
        )
        const name = unique("camel")
        yield* sql`create table ${sql(name)} (id int4 primary key, first_name text, extra_info jsonb)`
        yield* Effect.addFinalizer(() => Effect.ignore(sql`drop table ${sql(name)}`))
        const inserted = yield* sql`insert into ${sql(name)} ${sql.insert({ id: 1, firstName: "Ada", extraInfo: sql.json({ likesMath: true }) }).returning("*")}`
        assert.deepStrictEqual(inserted, [{ id: 1, firstName: "Ada", extraInfo: { likesMath: true } }])
        assert.deepStrictEqual(yield* sql`select first_name from ${sql(name)}`.withoutTransform, [{ first_name: "Ada" }])
        assert.deepStrictEqual(yield* sql.withoutTransforms()`select extra_info from ${sql(name)}`, [{ extra_info: { likes_math: true } }])
      }))
  })

  describe("streams", () => {
    it.effect("100k rows stream through a portal in batches, in bounded memory", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const n = 100_000
        gc()
        const base = process.memoryUsage().heapUsed
        let rows = 0
        let maxChunk = 0
        let peak = 0
        let sum = 0
        yield* Stream.runForEachArray(
          sql<{ i: number; pad: string }>`select i, repeat('x', 1000) || i::text as pad from generate_series(1, ${n}::int4) i`.stream,
          (chunk) =>
            Effect.sync(() => {
              rows += chunk.length
              maxChunk = Math.max(maxChunk, chunk.length)
              for (const row of chunk) sum += row.i
              if (rows % 20_000 === 0) {
                gc()
                peak = Math.max(peak, process.memoryUsage().heapUsed - base)
              }
            })
        )
        assert.strictEqual(rows, n)
        assert.strictEqual(sum, (n * (n + 1)) / 2)
        // Fetched 1000 rows per round trip (the default streamBatchSize) ...
        assert.isAtMost(maxChunk, 1000)
        // ... so what stays alive is a batch, not the ~100 MB the result would take in memory.
        console.log(`adapter stream of ${n} rows (~1 kB each): retained after GC at most ${(peak / 1e6).toFixed(1)} MB`)
        assert.isBelow(peak, 30e6)
      }))

    it.effect("stopping early closes the portal; the stream sees its transaction's rows; errors are SqlErrors", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const first = yield* Stream.runCollect(sql<{ n: number }>`select generate_series(1, 1000000) as n`.stream.pipe(Stream.take(3)))
        assert.deepStrictEqual(first.map((r) => r.n), [1, 2, 3])
        assert.deepStrictEqual(yield* sql`select 1 as ok`, [{ ok: 1 }])
        const t = yield* table("n int4")
        const seen = yield* sql.withTransaction(Effect.gen(function*() {
          yield* sql`insert into ${t} select generate_series(1, 2500)`
          return yield* Stream.runCollect(sql`select n from ${t} order by n`.stream)
        }))
        assert.strictEqual(seen.length, 2500)
        const error = yield* sqlError(Stream.runDrain(sql`select 1 / (i - 1500) from generate_series(1, 3000) i`.stream))
        assert.strictEqual(error.reason._tag, "UnknownError")
        assert.strictEqual(((error.reason.cause as PgError).reason as { code?: string }).code, "22012")
      }))
  })

  describe("transactions", () => {
    it.effect("commit; rollback on failure; statements inside run on the transaction's connection", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const t = yield* table("id int4 primary key")
        const pids = yield* sql.withTransaction(Effect.gen(function*() {
          yield* sql`insert into ${t} values (1)`
          const [inside] = yield* sql`select pg_backend_pid() as pid, count(*)::int4 as n from ${t}`
          // Another session does not see the uncommitted row.
          const other = yield* PgClient.connect(server.connectionString())
          assert.deepStrictEqual(yield* other.unsafe(`select count(*)::int4 as n from ${sql`${t}`.compile()[0]}`), [{ n: 0 }])
          return inside
        }))
        assert.strictEqual(pids!.n, 1)
        assert.deepStrictEqual(yield* sql`select id from ${t}`, [{ id: 1 }])

        const failed = yield* Effect.exit(sql.withTransaction(Effect.gen(function*() {
          yield* sql`insert into ${t} values (2)`
          return yield* Effect.fail("boom" as const)
        })))
        assert.deepStrictEqual(failed, Exit.fail("boom"))
        assert.deepStrictEqual(yield* sql`select id from ${t} order by id`, [{ id: 1 }])
      }))

    it.effect("nested transactions are savepoints: an inner failure rolls back only the inner work", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const t = yield* table("id int4 primary key")
        yield* sql.withTransaction(Effect.gen(function*() {
          yield* sql`insert into ${t} values (1)`
          const inner = yield* Effect.exit(sql.withTransaction(Effect.gen(function*() {
            yield* sql`insert into ${t} values (2)`
            yield* sql`insert into ${t} values (1)` // unique violation inside the savepoint
          })))
          assert.isTrue(Exit.isFailure(inner))
          yield* sql.withTransaction(sql`insert into ${t} values (3)`)
        }))
        assert.deepStrictEqual(yield* sql`select id from ${t} order by id`, [{ id: 1 }, { id: 3 }])
      }))

    it.effect("interruption rolls back and the pool stays usable", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const t = yield* table("id int4 primary key")
        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(sql.withTransaction(Effect.gen(function*() {
          yield* sql`insert into ${t} values (1)`
          yield* Deferred.succeed(started, undefined)
          yield* sql`select pg_sleep(30)`
        })))
        yield* Deferred.await(started)
        yield* Effect.sleep("50 millis")
        yield* Fiber.interrupt(fiber)
        assert.deepStrictEqual(yield* sql`select count(*)::int4 as n from ${t}`, [{ n: 0 }])
      }))

    it.effect("a COMMIT the server turns into ROLLBACK fails (the error inside had been caught)", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const t = yield* table("id int4 primary key")
        const error = yield* sqlError(sql.withTransaction(Effect.gen(function*() {
          yield* sql`insert into ${t} values (1)`
          yield* Effect.ignore(sql`insert into ${t} values (1)`)
        })))
        assert.strictEqual(error.reason._tag, "UnknownError")
        assert.strictEqual(error.reason.operation, "commit")
        assert.strictEqual((error.reason.cause as PgError).reason._tag, "InFailedTransaction")
        assert.deepStrictEqual(yield* sql`select count(*)::int4 as n from ${t}`, [{ n: 0 }])
      }))

    it.effect("BeginTransaction sets the isolation level; afterCommit runs only after a commit", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const ran: Array<string> = []
        const level = yield* sql.withTransaction(Effect.gen(function*() {
          yield* sql.afterCommit(Effect.sync(() => ran.push("committed")))
          return yield* sql`select current_setting('transaction_isolation') as level`
        })).pipe(Effect.provideService(SqlClient.BeginTransaction, "BEGIN ISOLATION LEVEL SERIALIZABLE"))
        assert.deepStrictEqual(level, [{ level: "serializable" }])
        assert.deepStrictEqual(ran, ["committed"])
        yield* Effect.exit(sql.withTransaction(Effect.andThen(sql.afterCommit(Effect.sync(() => ran.push("rolled back"))), Effect.fail(1))))
        assert.deepStrictEqual(ran, ["committed"])
      }))
  })

  describe("errors", () => {
    it.effect("unique violation → UniqueViolation with the constraint; syntax → SqlSyntaxError", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const name = unique("u")
        yield* sql`create table ${sql(name)} (id int4, email text constraint ${sql(`${name}_email`)} unique)`
        yield* Effect.addFinalizer(() => Effect.ignore(sql`drop table ${sql(name)}`))
        yield* sql`insert into ${sql(name)} ${sql.insert({ id: 1, email: "a@b" })}`
        const duplicate = yield* sqlError(sql`insert into ${sql(name)} ${sql.insert({ id: 2, email: "a@b" })}`)
        assert.instanceOf(duplicate, SqlError)
        assert.strictEqual(duplicate.reason._tag, "UniqueViolation")
        assert.strictEqual((duplicate.reason as { constraint?: string }).constraint, `${name}_email`)
        assert.instanceOf(duplicate.reason.cause, PgError)
        assert.isFalse(duplicate.isRetryable)

        const syntax = yield* sqlError(sql`selec 1`)
        assert.strictEqual(syntax.reason._tag, "SqlSyntaxError")
        assert.include(syntax.message, "syntax error")
        const missing = yield* sqlError(sql`select * from ${sql(unique("nope"))}`)
        assert.strictEqual(missing.reason._tag, "SqlSyntaxError")
        const notNull = yield* sqlError(sql`insert into ${sql(name)} (id, email) values (null::int4, ${"x"}) returning (1 / 0)`)
        assert.strictEqual(notNull.reason._tag, "UnknownError") // division by zero, 22012
      }))

    it.effect("a real serialization failure → SerializationError (retryable)", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const t = yield* table("id int4 primary key, v int4")
        yield* sql`insert into ${t} values (1, 0), (2, 0)`
        const aRead = yield* Deferred.make<void>()
        const bRead = yield* Deferred.make<void>()
        const writeSkew = (id: number, mine: Deferred.Deferred<void>, theirs: Deferred.Deferred<void>) =>
          sql.withTransaction(Effect.gen(function*() {
            yield* sql`select sum(v) from ${t}`
            yield* Deferred.succeed(mine, undefined)
            yield* Deferred.await(theirs)
            yield* sql`update ${t} set v = v + 1 where id = ${id}`
          })).pipe(Effect.provideService(SqlClient.BeginTransaction, "BEGIN ISOLATION LEVEL SERIALIZABLE"), Effect.exit)
        const [a, b] = yield* Effect.all([writeSkew(1, aRead, bRead), writeSkew(2, bRead, aRead)], { concurrency: 2 })
        const failures = [a, b].filter(Exit.isFailure)
        assert.strictEqual(failures.length, 1)
        const error = yield* sqlError(failures[0]!)
        assert.strictEqual(error.reason._tag, "SerializationError")
        assert.isTrue(error.isRetryable)
      }))

    it.effect("deadlock → DeadlockError; lock_timeout → LockTimeoutError; statement_timeout → StatementTimeoutError", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const t = yield* table("id int4 primary key")
        yield* sql`insert into ${t} values (1), (2)`
        const locked = [yield* Deferred.make<void>(), yield* Deferred.make<void>()] as const
        const crossLock = (first: number, second: number, mine: Deferred.Deferred<void>, theirs: Deferred.Deferred<void>) =>
          sql.withTransaction(Effect.gen(function*() {
            yield* sql`select id from ${t} where id = ${first} for update`
            yield* Deferred.succeed(mine, undefined)
            yield* Deferred.await(theirs)
            yield* sql`select id from ${t} where id = ${second} for update`
          })).pipe(Effect.exit)
        const results = yield* Effect.all([crossLock(1, 2, locked[0], locked[1]), crossLock(2, 1, locked[1], locked[0])], { concurrency: 2 })
        const deadlocks = results.filter(Exit.isFailure)
        assert.strictEqual(deadlocks.length, 1)
        assert.strictEqual((yield* sqlError(deadlocks[0]!)).reason._tag, "DeadlockError")

        const holding = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(sql.withTransaction(Effect.gen(function*() {
          yield* sql`select id from ${t} where id = 1 for update`
          yield* Deferred.succeed(holding, undefined)
          yield* Deferred.await(release)
        })))
        yield* Deferred.await(holding)
        const lock = yield* sqlError(sql.withTransaction(Effect.gen(function*() {
          yield* sql`set local lock_timeout = '50ms'`
          yield* sql`select id from ${t} where id = 1 for update`
        })))
        assert.strictEqual(lock.reason._tag, "LockTimeoutError")
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(holder)

        const timeout = yield* sqlError(sql.withTransaction(Effect.gen(function*() {
          yield* sql`set local statement_timeout = '50ms'`
          yield* sql`select pg_sleep(5)`
        })))
        assert.strictEqual(timeout.reason._tag, "StatementTimeoutError")
      }))

    it.effect("permission denied → AuthorizationError", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const t = yield* table("id int4")
        const role = unique("r")
        yield* sql`create role ${sql(role)} nologin`
        yield* Effect.addFinalizer(() => Effect.ignore(sql`drop role ${sql(role)}`))
        const denied = yield* sqlError(sql.withTransaction(Effect.gen(function*() {
          yield* sql.unsafe(`set local role ${role}`)
          yield* sql`select * from ${t}`
        })))
        assert.strictEqual(denied.reason._tag, "AuthorizationError")
      }))
  })
})

describe("over pgfx clients and sources", () => {
  layer(Reactivity.layer, { excludeTestServices: true })("adapters", (it) => {
    it.effect("an unreachable server → ConnectionError", () =>
      Effect.gen(function*() {
        const sql = yield* PgSqlClient.connect({ url: "postgres://postgres@127.0.0.1:1/postgres", pool: { acquireTimeout: "300 millis" } })
        const error = yield* sqlError(sql`select 1`)
        assert.strictEqual(error.reason._tag, "ConnectionError")
        assert.isTrue(error.isRetryable)
      }))

    it.effect("unnamed mode (PgBouncer) and .unprepared decode types met on the way (enums, arrays, composites)", () =>
      Effect.gen(function*() {
        const sql = yield* PgSqlClient.connect({ url: server.connectionString(), mode: "unnamed" })
        const mood = unique("mood")
        const point = unique("point")
        yield* sql.unsafe(`create type ${mood} as enum ('sad', 'happy'); create type ${point} as (x int4, label text)`).unprepared
        yield* Effect.addFinalizer(() => Effect.ignore(sql.unsafe(`drop type if exists ${mood}, ${point}`).unprepared))
        const rows = yield* sql`select ${"happy"}::${sql(mood)} as m, array['sad', 'happy']::${sql(mood)}[] as ms, row(${1}::int4, ${"a"})::${
          sql(point)
        } as p, now() as t`
        const [row] = rows
        assert.deepStrictEqual([row!.m, row!.ms, row!.p], ["happy", ["sad", "happy"], { x: 1, label: "a" }])
        assert.instanceOf(row!.t, Date)

        const prepared = yield* PgSqlClient.connect(server.connectionString())
        const mood2 = unique("mood")
        yield* prepared.unsafe(`create type ${mood2} as enum ('x', 'y')`).unprepared
        yield* Effect.addFinalizer(() => Effect.ignore(prepared.unsafe(`drop type if exists ${mood2}`).unprepared))
        assert.deepStrictEqual(yield* prepared`select ${"y"}::${prepared(mood2)} as m`.unprepared, [{ m: "y" }])
        assert.deepStrictEqual(yield* prepared`select ${"x"}::${prepared(mood2)} as m`.valuesUnprepared, [["x"]])
      }))

    it.effect("over a pgfx client: the client's values (pgfx by default, the adapter's with codecs())", () =>
      Effect.gen(function*() {
        const plain = yield* PgClient.connect(server.connectionString())
        const overPlain = yield* PgSqlClient.make(plain)
        const [a] = yield* overPlain`select '2024-01-02 03:04:05+00'::timestamptz as t`
        assert.instanceOf(a!.t, PgTimestamp)
        const withCodecs = yield* PgClient.connect(server.connectionString(), { codecs: PgSqlClient.codecs() })
        const adapted = yield* PgSqlClient.make(withCodecs)
        const [b] = yield* adapted`select '2024-01-02 03:04:05+00'::timestamptz as t`
        assert.deepStrictEqual(b!.t, new Date("2024-01-02T03:04:05Z"))
        // pgfx statements and effect/sql statements side by side on one client.
        assert.deepStrictEqual(yield* withCodecs`select 1 as one`, [{ one: 1 }])
        assert.strictEqual(adapted.client, withCodecs)
      }))

    it.effect("over a single-connection source: transactions pin it; statements outside wait for them", () =>
      Effect.gen(function*() {
        const source = yield* PgSource.single(server.connectionString())
        const sql = yield* PgSqlClient.make(source)
        const t = unique("single")
        yield* sql`create temp table ${sql(t)} (id int4)`
        yield* sql.withTransaction(sql`insert into ${sql(t)} values (1)`)
        assert.deepStrictEqual(yield* sql`select id from ${sql(t)}`, [{ id: 1 }])
        const [row] = yield* sql`select now() as t`
        assert.instanceOf(row!.t, Date)
      }))

    it.effect("an effect/sql transaction inside a pgfx transaction is refused", () =>
      Effect.gen(function*() {
        const client = yield* PgClient.connect(server.connectionString(), { codecs: PgSqlClient.codecs() })
        const sql = yield* PgSqlClient.make(client)
        const error = yield* sqlError(client.withTransaction(sql.withTransaction(sql`select 1`)).pipe(
          Effect.catchIf((e): e is PgError => e instanceof PgError, Effect.die)
        ))
        assert.include(error.message, "cannot start inside a pgfx PgClient.withTransaction")
        // Outside a transaction, effect/sql statements inside a pgfx transaction join it.
        const pids = yield* client.withTransaction(Effect.all([client`select pg_backend_pid() as pid`, sql`select pg_backend_pid() as pid`]))
        assert.deepStrictEqual(pids[0], pids[1])
      }))
  })
})
