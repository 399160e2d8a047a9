/**
 * `PgConnection` against the real server: connecting (TCP v4/v6, unix socket; URL, key=value,
 * config object, parsed PgConfig), the prepared-statement cache (reuse, DISCARD ALL, result type
 * changes, eviction, unnamed mode), parameters (10,000; too many; wrong count; unencodable),
 * error fields and secrecy, per-query decode failures, notices, notifications, exclusive
 * sections, pipelining and Terminate on close.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import * as PgCodec from "@pgfx/protocol/PgCodec"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgConfig from "../src/PgConfig.ts"
import * as PgConnection from "../src/PgConnection.ts"
import type * as PgError from "../src/PgError.ts"

const server = pgServer()
const url = server.connectionString()
const superuser = server.requireRole("superuser")

const selectOne = (c: PgConnection.PgConnection) =>
  Effect.map(c.execute<{ x: number }>("select 1 as x"), (r) => r.rows[0]!.x)

const preparedCount = (c: PgConnection.PgConnection) =>
  Effect.map(
    c.simple("select count(*)::int as n from pg_prepared_statements"),
    (results) => Number(results[0]!.rows[0].n)
  )

describe("connecting", () => {
  it.live("over TCP 127.0.0.1: server_version, select 1", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(server.connectionString("superuser", { host: "127.0.0.1" }))
      assert.strictEqual(yield* selectOne(c), 1)
      assert.match(c.parameters.get("server_version") ?? "", /^\d+(\.\d+)?/)
      if (server.version !== undefined) {
        assert.strictEqual(c.parameters.get("server_version")!.split(/[ .]/)[0], String(server.version.major))
      }
      assert.strictEqual(c.parameters.get("client_encoding"), "UTF8")
      assert.isAbove(c.processId, 0)
      assert.deepStrictEqual(c.target, { host: "127.0.0.1", port: server.port })
      assert.strictEqual(c.transactionStatus, "idle")
      assert.isTrue(c.isOpen)
      // The fiber resumes inside the socket callback: the finished request is not counted.
      assert.strictEqual(c.inFlight, 0)
      yield* c.simple("select 1")
      assert.strictEqual(c.inFlight, 0)
    }))

  it.live.skipIf(!server.hosts.includes("::1"))("over TCP ::1", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(server.connectionString("superuser", { host: "::1" }))
      assert.strictEqual(yield* selectOne(c), 1)
      const r = yield* c.execute<{ a: string }>("select host(inet_client_addr()) as a")
      assert.strictEqual(r.rows[0]!.a, "::1")
    }))

  it.live.skipIf(server.socketDir === undefined)("over the unix socket", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(server.connectionString("superuser", { via: "socket" }))
      assert.strictEqual(yield* selectOne(c), 1)
      assert.isFalse(c.encrypted)
      const r = yield* c.execute<{ a: string | null }>("select inet_client_addr()::text as a")
      assert.strictEqual(r.rows[0]!.a, null)
    }))

  it.live("with a key=value string", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(
        `host=${server.host} port=${server.port} user=${superuser.user} dbname=${server.database} application_name=kv_test`
      )
      const r = yield* c.execute<{ a: string }>("select current_setting('application_name') as a")
      assert.strictEqual(r.rows[0]!.a, "kv_test")
    }))

  it.live("with a PgConfigInput object and with a parsed PgConfig", () =>
    Effect.gen(function*() {
      const a = yield* PgConnection.make({
        host: server.host,
        port: server.port,
        user: superuser.user,
        database: server.database
      })
      assert.strictEqual(yield* selectOne(a), 1)
      const parsed = PgConfig.parse(url)
      assert.isTrue(Result.isSuccess(parsed))
      const b = yield* PgConnection.make(Result.getOrThrow(parsed))
      assert.strictEqual(yield* selectOne(b), 1)
      const r = yield* b.execute<{ d: string }>("select current_database() as d")
      assert.strictEqual(r.rows[0]!.d, server.database)
    }))

  it.live("a refused port fails with ConnectionError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(`postgresql://${superuser.user}@127.0.0.1:1/x`))
      assert.strictEqual(error.reason._tag, "ConnectionError")
    }))

  it.live("an invalid option fails with ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(`${url}?sslmode=sometimes`))
      assert.strictEqual(error.reason._tag, "ConfigError")
    }))
})

describe("prepared statements", () => {
  it.live("repeated execution reuses one named statement", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      for (let i = 0; i < 5; i++) {
        const r = yield* c.execute<{ v: number }>("select $1::int + 1 as v", [i])
        assert.strictEqual(r.rows[0]!.v, i + 1)
      }
      const r = yield* c.simple("select name, statement from pg_prepared_statements")
      const rows = r[0]!.rows.filter((row) => row.statement === "select $1::int + 1 as v")
      assert.strictEqual(rows.length, 1)
      assert.match(rows[0].name, /^pgfx_/)
    }))

  it.live("DISCARD ALL between executions: the statement is prepared again", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      assert.deepStrictEqual((yield* c.execute("select $1::text as t", ["a"])).rows, [{ t: "a" }])
      yield* c.simple("discard all")
      assert.deepStrictEqual((yield* c.execute("select $1::text as t", ["b"])).rows, [{ t: "b" }])
      // Every other cached statement was forgotten too (it was gone on the server).
      assert.deepStrictEqual((yield* c.execute("select 3 as n")).rows, [{ n: 3 }])
    }))

  it.live("DISCARD ALL / DEALLOCATE ALL empty the cache when they complete (no failed round trip first)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      for (const reset of ["discard all", "deallocate all"]) {
        const before = yield* c.prepare("select $1::int as n")
        yield* c.simple(reset)
        const after = yield* c.prepare("select $1::int as n")
        assert.notStrictEqual(after.name, before.name, reset)
        const names = yield* c.simple("select name from pg_prepared_statements")
        assert.deepStrictEqual(names[0]!.rows.map((r) => r.name), [after.name])
      }
    }))

  it.live("DEALLOCATE of one statement by hand: every statement is prepared again, none is left behind", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const a = yield* c.prepare("select $1::int as a")
      const b = yield* c.prepare("select $1::int as b")
      yield* c.simple(`deallocate ${a.name}`)
      assert.deepStrictEqual((yield* c.execute("select $1::int as a", [1])).rows, [{ a: 1 }])
      assert.deepStrictEqual((yield* c.execute("select $1::int as b", [2])).rows, [{ b: 2 }])
      const a2 = yield* c.prepare("select $1::int as a")
      const b2 = yield* c.prepare("select $1::int as b")
      assert.notStrictEqual(a2.name, a.name)
      assert.notStrictEqual(b2.name, b.name)
      // b's old statement was closed on the server: only the current two are prepared
      const names = (yield* c.simple("select name from pg_prepared_statements"))[0]!.rows.map((r) => String(r.name))
      assert.deepStrictEqual(names.toSorted(), [a2.name, b2.name].toSorted())
    }))

  it.live("a result type change between executions (cached plan must not change result type)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table rt (x int); insert into rt values (1)")
      assert.deepStrictEqual((yield* c.execute("select * from rt")).rows, [{ x: 1 }])
      yield* c.simple("alter table rt alter column x type text")
      assert.deepStrictEqual((yield* c.execute("select * from rt")).rows, [{ x: "1" }])
      yield* c.simple("alter table rt add column y int default 7")
      assert.deepStrictEqual((yield* c.execute("select * from rt")).rows, [{ x: "1", y: 7 }])
      // The replaced statements were closed on the server: one per SQL text is left.
      const n = yield* c.simple("select count(*)::int as n from pg_prepared_statements where statement = 'select * from rt'")
      assert.strictEqual(Number(n[0]!.rows[0].n), 1)
    }))

  it.live("a result type change inside a transaction fails (the transaction is aborted)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table rt2 (x int); insert into rt2 values (1)")
      yield* c.execute("select * from rt2")
      const error = yield* c.exclusive((x) =>
        Effect.gen(function*() {
          yield* x.simple("begin")
          yield* x.simple("alter table rt2 alter column x type text")
          const e = yield* Effect.flip(x.execute("select * from rt2"))
          yield* x.simple("rollback")
          return e
        })
      )
      assert.strictEqual(error.reason._tag, "ServerError")
      assert.strictEqual((error.reason as PgError.ServerError).code, "0A000")
      assert.deepStrictEqual((yield* c.execute("select * from rt2")).rows, [{ x: 1 }])
    }))

  it.live("eviction at capacity closes statements on the server", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url, { preparedCacheSize: 2 })
      for (let i = 0; i < 5; i++) {
        const r = yield* c.execute<{ v: number }>(`select ${i} as v`)
        assert.strictEqual(r.rows[0]!.v, i)
      }
      assert.isAtMost(yield* preparedCount(c), 2)
      yield* c.execute("select 'next' as n")
      assert.isAtMost(yield* preparedCount(c), 2)
    }))

  it.live("an evicted statement is closed even when the request after the eviction fails to encode", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url, { preparedCacheSize: 1 })
      yield* c.execute("select 1 as a")
      // Preparing this evicts the first statement; then its Bind fails to encode.
      const e = yield* Effect.flip(c.execute("select $1::int as c", ["not an int"]))
      assert.strictEqual(e.reason._tag, "EncodeError")
      const names = yield* c.simple("select name from pg_prepared_statements order by name")
      assert.strictEqual(names[0]!.rows.length, 1)
    }))

  it.live("preparedCacheSize 0: unnamed statements only", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url, { preparedCacheSize: 0 })
      for (let i = 0; i < 3; i++) assert.deepStrictEqual((yield* c.execute("select $1::int as v", [i])).rows, [{ v: i }])
      assert.strictEqual(yield* preparedCount(c), 0)
    }))

  it.live("unnamed mode, untyped and typed parameters", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url, { mode: "unnamed" })
      const a = yield* c.execute<{ s: number; t: string }>("select $1::int + 1 as s, $2 as t", [41, "x"])
      assert.deepStrictEqual(a.rows, [{ s: 42, t: "x" }])
      const b = yield* c.execute<{ s: number }>("select $1 + 1 as s", [41], { paramTypes: [Oid.int4] })
      assert.deepStrictEqual(b.rows, [{ s: 42 }])
      const n = yield* c.execute("select $1::int8 as n, $2::bool as b, $3::bytea as y", [10n, true, new Uint8Array([1, 2])])
      assert.deepStrictEqual(n.rows, [{ n: 10n, b: true, y: new Uint8Array([1, 2]) }])
      assert.strictEqual(yield* preparedCount(c), 0)
      // Per-call override on a prepared-mode connection.
      const d = yield* PgConnection.make(url)
      assert.deepStrictEqual((yield* d.execute("select $1::int as v", [5], { mode: "unnamed" })).rows, [{ v: 5 }])
      assert.strictEqual(yield* preparedCount(d), 0)
    }))

  it.live("10,000 parameters in one statement", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const n = 10_000
      const params = Array.from({ length: n }, (_, i) => i)
      const sql = `select cardinality(array[${params.map((_, i) => `$${i + 1}::int`).join(",")}]) as n, $${n}::int as last`
      const r = yield* c.execute<{ n: number; last: number }>(sql, params)
      assert.deepStrictEqual(r.rows, [{ n, last: n - 1 }])
      const u = yield* c.execute<{ n: number; last: number }>(sql, params, { mode: "unnamed" })
      assert.deepStrictEqual(u.rows, [{ n, last: n - 1 }])
    }))

  it.live("65,536 parameters: EncodeError before anything is sent; the connection stays usable", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const params = Array.from({ length: 65_536 }, () => 1)
      for (const mode of ["prepared", "unnamed"] as const) {
        const error = yield* Effect.flip(c.execute("select $1::int", params, { mode }))
        assert.strictEqual(error.reason._tag, "EncodeError", mode)
        assert.match(error.message, /too many parameters/)
        assert.strictEqual(c.inFlight, 0)
        assert.strictEqual(yield* selectOne(c), 1)
      }
    }))

  it.live("wrong parameter count → EncodeError", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const error = yield* Effect.flip(c.execute("select $1::int + $2::int", [1]))
      assert.strictEqual(error.reason._tag, "EncodeError")
      assert.match(error.message, /takes 2 parameter\(s\), 1 given/)
      assert.strictEqual(yield* selectOne(c), 1)
    }))

  it.live("an unencodable value → EncodeError naming $n", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const error = yield* Effect.flip(c.execute("select $1::int as a, $2::int as b", [1, "not a number"]))
      assert.strictEqual(error.reason._tag, "EncodeError")
      const reason = error.reason as PgError.EncodeError
      assert.strictEqual(reason.parameter, 2)
      assert.strictEqual(reason.oid, Oid.int4)
      assert.include(error.message, "$2")
      assert.notInclude(error.message, "not a number")
      assert.strictEqual(yield* selectOne(c), 1)
      // The statement itself is fine.
      assert.deepStrictEqual((yield* c.execute("select $1::int as a, $2::int as b", [1, 2])).rows, [{ a: 1, b: 2 }])
    }))
})

describe("errors", () => {
  const setup = (c: PgConnection.PgConnection) =>
    c.simple(`
      create temp table parent (id int primary key);
      create temp table child (
        id int primary key,
        parent_id int references parent (id),
        qty int not null check (qty > 0) constraint qty_small check (qty < 1000),
        code text constraint child_code_key unique
      );
      insert into parent values (1);
      insert into child values (1, 1, 5, 'a');
    `)

  it.live("unique violation: every field, condition and class, the SQL, never parameter values", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* setup(c)
      const secret = "s3cr3t-Hunter2-value"
      const sql = "insert into child values ($1::int, 1, 5, 'a') returning $2::text as secret"
      const error = yield* Effect.flip(c.execute(sql, [2, secret]))
      assert.strictEqual(error.reason._tag, "UniqueViolation")
      const r = error.reason as PgError.UniqueViolation
      assert.strictEqual(r.code, "23505")
      assert.strictEqual(r.condition, "unique_violation")
      assert.strictEqual(r.className, "Integrity Constraint Violation")
      assert.strictEqual(r.severity, "ERROR")
      assert.strictEqual(r.constraint, "child_code_key")
      assert.strictEqual(r.table, "child")
      assert.match(r.schema ?? "", /^pg_temp/)
      assert.strictEqual(r.detail, "Key (code)=(a) already exists.")
      assert.isString(r.file)
      assert.isString(r.line)
      assert.isString(r.routine)
      assert.strictEqual(r.query, sql)
      assert.isFalse(error.isRetryable)
      assert.isTrue(error.isServerError)
      for (const text of [String(error), error.message, JSON.stringify(error), JSON.stringify(error.reason)]) {
        assert.notInclude(text, secret)
      }
      // Same in unnamed mode (parameters sent as text).
      const e2 = yield* Effect.flip(c.execute(sql, [2, secret], { mode: "unnamed" }))
      assert.strictEqual(e2.reason._tag, "UniqueViolation")
      for (const text of [String(e2), e2.message, JSON.stringify(e2)]) assert.notInclude(text, secret)
    }))

  it.live("check, not-null and foreign key violations", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* setup(c)
      const check = yield* Effect.flip(c.execute("insert into child values (2, 1, $1::int, 'b')", [5000]))
      assert.strictEqual(check.reason._tag, "CheckViolation")
      assert.strictEqual((check.reason as PgError.CheckViolation).constraint, "qty_small")
      assert.strictEqual((check.reason as PgError.CheckViolation).condition, "check_violation")
      const notNull = yield* Effect.flip(c.execute("insert into child values (2, 1, null, 'b')"))
      assert.strictEqual(notNull.reason._tag, "NotNullViolation")
      assert.strictEqual((notNull.reason as PgError.NotNullViolation).column, "qty")
      assert.strictEqual((notNull.reason as PgError.NotNullViolation).table, "child")
      const fk = yield* Effect.flip(c.execute("insert into child values (2, 99, 1, 'b')"))
      assert.strictEqual(fk.reason._tag, "ForeignKeyViolation")
      assert.strictEqual((fk.reason as PgError.ForeignKeyViolation).constraint, "child_parent_id_fkey")
      assert.strictEqual((fk.reason as PgError.ForeignKeyViolation).className, "Integrity Constraint Violation")
      assert.isString((fk.reason as PgError.ForeignKeyViolation).detail)
    }))

  it.live("syntax error: position and hint; simple protocol errors; connection keeps serving", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const e = yield* Effect.flip(c.execute("select 1 frm x"))
      const r = e.reason as PgError.ServerError
      assert.strictEqual(r.code, "42601")
      assert.strictEqual(r.condition, "syntax_error")
      assert.isNumber(r.position)
      const e2 = yield* Effect.flip(c.simple("select 1; select 1/0; select 3"))
      assert.strictEqual((e2.reason as PgError.ServerError).code, "22012")
      assert.strictEqual((e2.reason as PgError.ServerError).condition, "division_by_zero")
      const e3 = yield* Effect.flip(c.execute("select raise_it()"))
      assert.strictEqual((e3.reason as PgError.ServerError).code, "42883")
      assert.isString((e3.reason as PgError.ServerError).hint)
      assert.strictEqual(yield* selectOne(c), 1)
    }))

  it.live("where, internal query fields from PL/pgSQL", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const e = yield* Effect.flip(
        c.simple(
          "do $$ begin raise exception using message = 'boom', detail = 'd', hint = 'h', errcode = 'P0001', column = 'col', table = 'tab', schema = 'sch', constraint = 'con', datatype = 'dt'; end $$"
        )
      )
      const r = e.reason as PgError.ServerError
      assert.strictEqual(r.message, "boom")
      assert.strictEqual(r.code, "P0001")
      assert.strictEqual(r.condition, "raise_exception")
      assert.strictEqual(r.detail, "d")
      assert.strictEqual(r.hint, "h")
      assert.strictEqual(r.column, "col")
      assert.strictEqual(r.table, "tab")
      assert.strictEqual(r.schema, "sch")
      assert.strictEqual(r.constraint, "con")
      assert.strictEqual(r.dataType, "dt")
      assert.isString(r.where)
      const e2 = yield* Effect.flip(c.simple("do $$ begin execute 'selec 1'; end $$"))
      const r2 = e2.reason as PgError.ServerError
      assert.strictEqual(r2.internalQuery, "selec 1")
      assert.isNumber(r2.internalPosition)
    }))
})

describe("decoding", () => {
  const failing13: PgCodec.Codec<number> = {
    ...PgTypes.get(PgTypes.builtins, Oid.int4)!,
    decodeBinary: (bytes, offset, length) => {
      const v = new DataView(bytes.buffer, bytes.byteOffset).getInt32(offset)
      if (length !== 4 || v === 13) throw new PgCodec.CodecError({ message: "thirteen is unlucky" })
      return v
    },
    decodeText: (text) => {
      if (text === "13") throw new PgCodec.CodecError({ message: "thirteen is unlucky" })
      return Number(text)
    }
  } as PgCodec.Codec<number>
  const registry = PgTypes.add(PgTypes.builtins, failing13)

  it.live("a decode failure fails only its query (DecodeError with column and row)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url, { registry })
      const sql = "select v from (values (1), (13), (3)) as t(v)"
      const e = yield* Effect.flip(c.execute(sql))
      assert.strictEqual(e.reason._tag, "DecodeError")
      const r = e.reason as PgError.DecodeError
      assert.strictEqual(r.column, "v")
      assert.strictEqual(r.row, 1)
      assert.strictEqual(r.oid, Oid.int4)
      assert.strictEqual(r.query, sql)
      assert.include(e.message, "thirteen is unlucky")
      assert.deepStrictEqual((yield* c.execute("select 12 as v")).rows, [{ v: 12 }])
      // Text (simple protocol) decoding too.
      const e2 = yield* Effect.flip(c.simple(`${sql}; select 2 as w`))
      assert.strictEqual(e2.reason._tag, "DecodeError")
      assert.strictEqual((e2.reason as PgError.DecodeError).row, 1)
      assert.deepStrictEqual((yield* c.simple("select 14 as v"))[0]!.rows, [{ v: 14 }])
      // Pipelined neighbours are not affected.
      const [a, b, d] = yield* Effect.all([
        Effect.result(c.execute("select 1 as v")),
        Effect.result(c.execute(sql)),
        Effect.result(c.execute("select 3 as v"))
      ], { concurrency: "unbounded" })
      assert.isTrue(Result.isSuccess(a) && a.success.rows[0].v === 1)
      assert.isTrue(Result.isFailure(b) && b.failure.reason._tag === "DecodeError")
      assert.isTrue(Result.isSuccess(d) && d.success.rows[0].v === 3)
    }))
})

describe("asynchronous messages", () => {
  it.live("notices go to onNotice", () =>
    Effect.gen(function*() {
      const notices: Array<PgConnection.Notice> = []
      const c = yield* PgConnection.make(url, { onNotice: (n) => notices.push(n) })
      yield* c.simple("do $$ begin raise notice 'hi %', 42; end $$")
      yield* c.execute("select 1")
      assert.strictEqual(notices.length, 1)
      assert.strictEqual(notices[0]!.message, "hi 42")
      assert.strictEqual(notices[0]!.code, "00000")
      assert.strictEqual(notices[0]!.severityNonLocalized ?? notices[0]!.severity, "NOTICE")
    }))

  it.live("without onNotice, notices are logged at Debug through the logger of the fiber that connected", () => {
    const logged: Array<string> = []
    const collector = Logger.make((options) => {
      const annotations = Object.keys(options.fiber.getRef(References.CurrentLogAnnotations))
      logged.push(`${options.logLevel}: ${String(options.message)}${annotations.length > 0 ? ` ${annotations}` : ""}`)
    })
    return Effect.gen(function*() {
      // the connecting fiber's annotations stay with it: the connection's log lines lack them
      const c = yield* PgConnection.make(url).pipe(Effect.annotateLogs("requestId", "r-1"))
      yield* c.simple("do $$ begin raise notice 'hello %', 7; end $$")
      yield* c.execute("select 1")
      // the log line is forked: give it a bounded moment
      for (let i = 0; i < 50 && logged.length === 0; i++) yield* Effect.sleep("10 millis")
      assert.deepStrictEqual(logged, ["Debug: PostgreSQL NOTICE: hello 7"])
    }).pipe(
      Effect.provide(Logger.layer([collector])),
      Effect.provideService(References.MinimumLogLevel, "Debug")
    )
  })

  it.live("notifications arrive with channel, payload and processId", () =>
    Effect.gen(function*() {
      const listener = yield* PgConnection.make(url)
      const sender = yield* PgConnection.make(url)
      yield* listener.simple("listen pgfx_channel")
      const received = yield* Effect.forkChild(
        Stream.runCollect(Stream.take(listener.notifications(), 2)),
        { startImmediately: true }
      )
      yield* sender.execute("select pg_notify('pgfx_channel', $1)", ["payload ü"])
      yield* sender.simple("notify pgfx_channel, 'second'")
      const got = yield* Fiber.join(received).pipe(Effect.timeout("5 seconds"))
      assert.deepStrictEqual(Array.from(got), [
        { channel: "pgfx_channel", payload: "payload ü", processId: sender.processId },
        { channel: "pgfx_channel", payload: "second", processId: sender.processId }
      ])
    }))

  it.live("ParameterStatus updates parameters live", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("set application_name = 'changed_live'")
      assert.strictEqual(c.parameters.get("application_name"), "changed_live")
    }))
})

describe("exclusive sections and pipelining", () => {
  it.live("a fiber's query waits for another fiber's exclusive section", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table ex (i int)")
      const log: Array<string> = []
      const a = yield* Effect.forkChild(
        c.exclusive((x) =>
          Effect.gen(function*() {
            log.push("A begin")
            yield* x.simple("begin")
            yield* x.execute("insert into ex values (1)")
            yield* x.simple("select pg_sleep(0.2)")
            yield* x.simple("commit")
            log.push("A end")
          })
        ),
        { startImmediately: true }
      )
      const b = yield* Effect.forkChild(
        Effect.map(c.execute<{ n: string }>("select count(*)::text as n from ex"), (r) => {
          log.push(`B ${r.rows[0]!.n}`)
        }),
        { startImmediately: true }
      )
      yield* Fiber.join(a)
      yield* Fiber.join(b)
      // B ran after A committed: it sees A's row.
      assert.deepStrictEqual(log, ["A begin", "A end", "B 1"])
      assert.strictEqual(c.transactionStatus, "idle")
    }))

  it.live("a failure inside exclusive releases the gate", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const e = yield* Effect.flip(c.exclusive((x) => x.simple("select 1/0")))
      assert.strictEqual((e.reason as PgError.ServerError).code, "22012")
      assert.strictEqual(yield* selectOne(c), 1)
    }))

  it.live("1000 concurrent queries on one connection pipeline and complete correctly", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const values = Array.from({ length: 1000 }, (_, i) => i)
      const results = yield* Effect.forEach(
        values,
        (i) => Effect.map(c.execute<{ v: number }>("select $1::int as v", [i]), (r) => r.rows[0]!.v),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(results, values)
      const simple = yield* Effect.forEach(
        values.slice(0, 200),
        (i) => Effect.map(c.simple(`select ${i} as v`), (r) => r[0]!.rows[0].v as number),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(simple, values.slice(0, 200))
    }))

  it.live("pin holds the connection until its Scope closes", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const log: Array<string> = []
      const pinned = yield* Effect.forkChild(
        Effect.scoped(
          Effect.gen(function*() {
            const p = yield* c.pin
            yield* p.simple("select pg_sleep(0.1)")
            log.push("pinned done")
          })
        ),
        { startImmediately: true }
      )
      const other = yield* Effect.forkChild(
        Effect.map(selectOne(c), () => log.push("other")),
        { startImmediately: true }
      )
      yield* Fiber.join(pinned)
      yield* Fiber.join(other)
      assert.deepStrictEqual(log, ["pinned done", "other"])
    }))
})

describe("closing", () => {
  it.live("closing the Scope sends Terminate: the backend is gone within 1 s", () =>
    Effect.gen(function*() {
      const admin = yield* PgConnection.make(url)
      const pid = yield* Effect.scoped(
        Effect.gen(function*() {
          const c = yield* PgConnection.make(url)
          yield* selectOne(c)
          return c.processId
        })
      )
      const deadline = performance.now() + 1000
      let present = true
      while (present && performance.now() < deadline) {
        const r = yield* admin.execute<{ n: number }>("select count(*)::int as n from pg_stat_activity where pid = $1", [pid])
        present = r.rows[0]!.n > 0
        if (present) yield* Effect.sleep("10 millis")
      }
      assert.isFalse(present)
    }))

  it.live("close fails queued requests and later ones with ConnectionClosed; closed completes with undefined", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const pending = yield* Effect.forkChild(c.simple("select pg_sleep(5)"), { startImmediately: true })
      yield* Effect.sleep("20 millis")
      yield* c.close
      const e = yield* Effect.flip(Fiber.join(pending))
      assert.strictEqual(e.reason._tag, "ConnectionClosed")
      assert.isUndefined(yield* c.closed)
      assert.isFalse(c.isOpen)
      const e2 = yield* Effect.flip(c.execute("select 1"))
      assert.strictEqual(e2.reason._tag, "ConnectionClosed")
    }))
})

describe("copyIn misuse", () => {
  it.live("a statement that is not COPY FROM STDIN fails promptly and the connection stays usable", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      for (const sql of ["select 1", "", "create temp table not_copy (i int)"]) {
        const error = yield* Effect.flip(Effect.scoped(c.copyIn(sql))).pipe(
          Effect.timeoutOrElse({ duration: "5 seconds", orElse: () => Effect.die(new Error(`copyIn(${JSON.stringify(sql)}) hung`)) })
        )
        assert.include(error.message, "not a COPY")
      }
      const r = yield* c.execute<{ n: number }>("select 7 as n")
      assert.strictEqual(r.rows[0]!.n, 7)
    }))
})

describe("exclusive sections: interleaving, revocation, interruptible waits", () => {
  it.live("a statement sent while a portal stream or COPY occupies the section fails with ConnectionBusy", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.exclusive((x) =>
        Effect.gen(function*() {
          const seen: Array<number> = []
          const busy = yield* x.stream<{ n: number }>("select n from generate_series(1, 10) n", [], { batchSize: 2 }).pipe(
            Stream.runForEach((row) =>
              Effect.flatMap(Effect.flip(x.execute("select 1")), (error) =>
                Effect.sync(() => {
                  seen.push(row.n)
                  assert.strictEqual(error.reason._tag, "ConnectionBusy")
                }))
            ),
            Effect.as(true)
          )
          assert.isTrue(busy)
          assert.deepStrictEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
          // Once the stream has ended, the section works normally.
          const after = yield* x.execute<{ n: number }>("select 5 as n")
          assert.strictEqual(after.rows[0]!.n, 5)
          yield* x.simple("create temp table busy_copy (i int)")
          yield* Effect.scoped(Effect.gen(function*() {
            const w = yield* x.copyIn("copy busy_copy from stdin")
            const error = yield* Effect.flip(x.execute("select 1"))
            assert.strictEqual(error.reason._tag, "ConnectionBusy")
            yield* w.write("1\n")
            yield* w.end
          }))
          const n = yield* x.execute<{ n: number }>("select count(*)::int as n from busy_copy")
          assert.strictEqual(n.rows[0]!.n, 1)
        })
      )
    }))

  it.live("a view kept after its section ended is refused (never runs in the next section)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const kept = yield* c.exclusive((x) => Effect.succeed(x))
      const error = yield* Effect.flip(kept.execute("select 1"))
      assert.strictEqual(error.reason._tag, "ConnectionClosed")
      assert.include(error.message, "released")
      const fine = yield* c.execute<{ n: number }>("select 2 as n")
      assert.strictEqual(fine.rows[0]!.n, 2)
    }))

  it.live("waiting for an exclusive section is interruptible", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const holder = yield* Effect.forkChild(c.exclusive((x) => x.simple("select pg_sleep(1)")), { startImmediately: true })
      yield* Effect.sleep("20 millis")
      const started = Date.now()
      const exit = yield* Effect.exit(c.exclusive((x) => x.simple("select 1")).pipe(Effect.timeout("100 millis")))
      assert.isTrue(Exit.isFailure(exit))
      assert.isBelow(Date.now() - started, 600)
      yield* Fiber.join(holder)
    }))
})

describe("COPY outside the COPY API", () => {
  it.live("execute and simple of COPY FROM STDIN fail clearly, never hang, and pipelined neighbours are unharmed", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.simple("create temp table copy_misuse (i int)")
      const results = yield* Effect.all(
        [
          Effect.flip(c.execute("copy copy_misuse from stdin")),
          c.execute<{ n: number }>("select 1 as n"),
          Effect.flip(c.simple("copy copy_misuse from stdin")),
          c.execute<{ n: number }>("select 2 as n"),
          Effect.flip(c.execute("copy copy_misuse to stdout"))
        ] as const,
        { concurrency: "unbounded" }
      ).pipe(Effect.timeoutOrElse({ duration: "10 seconds", orElse: () => Effect.die(new Error("hung")) }))
      assert.include(results[0].message, "copyIn")
      assert.strictEqual(results[1].rows[0]!.n, 1)
      // PostgreSQL reports a CopyFail as query_canceled ("COPY from stdin failed: …").
      assert.include(results[2].message, "COPY")
      assert.strictEqual(results[3].rows[0]!.n, 2)
      assert.include(results[4].message, "copyOut")
      const after = yield* c.execute<{ n: number }>("select count(*)::int as n from copy_misuse")
      assert.strictEqual(after.rows[0]!.n, 0)
      assert.isTrue(c.isOpen)
    }))
})

describe("copyOut misuse", () => {
  it.live("a statement that is not COPY TO STDOUT fails instead of yielding an empty stream", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const error = yield* Effect.flip(Stream.runCollect(c.copyOut("create temp table not_copy_out (i int)")))
      assert.include(error.message, "not a COPY")
      const r = yield* c.execute<{ n: number }>("select 3 as n")
      assert.strictEqual(r.rows[0]!.n, 3)
    }))
})

describe("unnamed mode and types without binary output", () => {
  it.live("a column of a type with no send function is fetched as text", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      const r = yield* c.execute<{ acl: unknown; n: number }>(
        "select relacl as acl, 1 as n from pg_class where relname = 'pg_class'",
        [],
        { mode: "unnamed" }
      )
      assert.strictEqual(r.rows[0]!.n, 1)
      assert.isTrue(Array.isArray(r.rows[0]!.acl) || r.rows[0]!.acl === null)
    }))
})
