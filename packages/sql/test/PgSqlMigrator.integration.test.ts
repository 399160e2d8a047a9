import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgSqlClient from "../src/PgSqlClient.ts"
import * as PgSqlMigrator from "../src/PgSqlMigrator.ts"

const server = pgServer()
const unique = (prefix: string) => `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`

/** Names for one test's migrations table and the tables its migrations create; all dropped afterwards. */
const names = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const n = { migrations: unique("migrations"), users: unique("users"), posts: unique("posts") }
  yield* Effect.addFinalizer(() =>
    Effect.ignore(sql`drop table if exists ${sql(n.posts)}, ${sql(n.users)}, ${sql(n.migrations)}`)
  )
  return n
})

type Names = Effect.Success<typeof names>

const createUsers = (n: Names, ran: Array<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    ran.push("users")
    yield* sql`create table ${sql(n.users)} (id serial primary key, name text not null)`
    yield* sql`insert into ${sql(n.users)} ${sql.insert({ name: "root" })}`
  })

const createPosts = (n: Names, ran: Array<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    ran.push("posts")
    yield* sql`create table ${sql(n.posts)} (id serial primary key, author int4 not null references ${sql(n.users)}(id), body text)`
  })

const exists = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql`select to_regclass(${table}) is not null as found`, (rows) => rows[0]!.found as boolean))

layer(PgSqlClient.layer(server.connectionString()), { excludeTestServices: true })("PgSqlMigrator", (it) => {
  describe("run", () => {
    it.effect("runs two migrations once; running again does nothing; a new one runs alone", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const n = yield* names
        const ran: Array<string> = []
        const migrations = {
          "1_create_users": createUsers(n, ran),
          "2_create_posts": createPosts(n, ran)
        }
        const first = yield* PgSqlMigrator.run({ loader: PgSqlMigrator.fromRecord(migrations), table: n.migrations })
        assert.deepStrictEqual(first, [[1, "create_users"], [2, "create_posts"]])
        assert.deepStrictEqual(ran, ["users", "posts"])
        assert.isTrue(yield* exists(n.users))
        assert.isTrue(yield* exists(n.posts))

        const again = yield* PgSqlMigrator.run({ loader: PgSqlMigrator.fromRecord(migrations), table: n.migrations })
        assert.deepStrictEqual(again, [])
        assert.deepStrictEqual(ran, ["users", "posts"])

        const recorded = yield* sql`select migration_id, name, created_at from ${sql(n.migrations)} order by migration_id`
        assert.deepStrictEqual(recorded.map((r) => [r.migration_id, r.name]), [[1, "create_users"], [2, "create_posts"]])
        assert.instanceOf(recorded[0]!.created_at, Date)

        const third = yield* PgSqlMigrator.run({
          loader: PgSqlMigrator.fromRecord({
            ...migrations,
            "3_add_bio": Effect.flatMap(SqlClient.SqlClient, (sql) => sql`alter table ${sql(n.users)} add column bio text`)
          }),
          table: n.migrations
        })
        assert.deepStrictEqual(third, [[3, "add_bio"]])
        assert.deepStrictEqual(yield* sql`select name, bio from ${sql(n.users)}`, [{ name: "root", bio: null }])
      }))

    it.effect("a failing migration rolls the whole run back", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const n = yield* names
        const ran: Array<string> = []
        const error = yield* Effect.flip(PgSqlMigrator.run({
          loader: PgSqlMigrator.fromRecord({
            "1_create_users": createUsers(n, ran),
            "2_broken": Effect.flatMap(SqlClient.SqlClient, (sql) => sql`alter table ${sql(n.users)} add column oops nonexistent_type`)
          }),
          table: n.migrations
        }))
        assert.strictEqual(error._tag, "MigrationError")
        assert.strictEqual((error as PgSqlMigrator.MigrationError).kind, "Failed")
        assert.deepStrictEqual(ran, ["users"])
        assert.isFalse(yield* exists(n.users))
        assert.deepStrictEqual(yield* sql`select count(*)::int4 as n from ${sql(n.migrations)}`, [{ n: 0 }])
      }))

    it.effect("concurrent migrators: the table lock makes one run the migrations and the other find nothing to do", () =>
      Effect.gen(function*() {
        const n = yield* names
        const ran: Array<string> = []
        const migrations = {
          "1_create_users": Effect.andThen(createUsers(n, ran), Effect.sleep("100 millis")),
          "2_create_posts": createPosts(n, ran)
        }
        const results = yield* Effect.all(
          [1, 2, 3].map(() => PgSqlMigrator.run({ loader: PgSqlMigrator.fromRecord(migrations), table: n.migrations })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(ran, ["users", "posts"])
        assert.deepStrictEqual(results.filter((r) => r.length > 0), [[[1, "create_users"], [2, "create_posts"]]])
        assert.strictEqual(results.filter((r) => r.length === 0).length, 2)
      }))
  })

  describe("layer", () => {
    it.effect("migrates when the layer is built, before the program runs", () =>
      Effect.gen(function*() {
        const n = yield* names
        const ran: Array<string> = []
        const migrate = PgSqlMigrator.layer({
          loader: PgSqlMigrator.fromRecord({ "1_create_users": createUsers(n, ran) }),
          table: n.migrations
        })
        const live = migrate.pipe(Layer.provideMerge(PgSqlClient.layer(server.connectionString())))
        const rows = yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`select name from ${sql(n.users)}`).pipe(Effect.provide(live))
        assert.deepStrictEqual(rows, [{ name: "root" }])
        assert.deepStrictEqual(ran, ["users"])
      }))
  })
})
