/**
 * Quickstart: connect, create a table, insert with bound parameters, query typed rows, and
 * stream a large result with bounded memory.
 *
 * Run: `pnpm example quickstart` (uses DATABASE_URL when set, otherwise an embedded PostgreSQL).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { PgConnection } from "@pgfx/connection"

const program = (url: string) =>
  Effect.scoped(
    Effect.gen(function*() {
      const db = yield* PgConnection.make(Redacted.value(Redacted.make(url)))
      console.log(`connected to PostgreSQL ${db.parameters.get("server_version")} (pid ${db.processId})`)

      yield* db.simple(`
        drop table if exists quickstart_users;
        create table quickstart_users (id int8 generated always as identity primary key, name text not null, joined timestamptz not null default now())
      `)
      for (const name of ["ada", "grace", "barbara"]) {
        yield* db.execute("insert into quickstart_users (name) values ($1)", [name])
      }
      const users = yield* db.execute<{ id: bigint; name: string }>("select id, name from quickstart_users where name <> $1 order by id", ["nobody"])
      for (const user of users.rows) console.log(`user ${user.id}: ${user.name}`)

      let count = 0
      let sum = 0
      yield* db.stream<{ n: number }>("select n from generate_series(1, $1::int) as n", [100_000], { batchSize: 10_000 }).pipe(
        Stream.runForEach((row) =>
          Effect.sync(() => {
            count++
            sum += row.n
          })
        )
      )
      console.log(`streamed ${count} rows (sum ${sum})`)
    })
  )

/**
 * Runs the example against `url`.
 *
 * @since 0.1.0
 */
export const main = (url: string): Promise<void> => Effect.runPromise(program(url))
