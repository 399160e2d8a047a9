/**
 * Quickstart: connect, create a table, insert rows with bound parameters, read them back as
 * Schema-typed values, run a transaction, and stream a large result in bounded memory.
 *
 * Run: `pnpm main` (or `pnpm example quickstart -- --rows 5000000`). Uses DATABASE_URL when set,
 * otherwise an embedded PostgreSQL.
 *
 * @since 0.1.0
 */
import { Console, DateTime, Effect, Schema, Stream } from "effect"
import { PgClient, PgSchema } from "@pgfx/client"
import { options } from "../shared/args.ts"

// A row as the application sees it: int8 → bigint, timestamptz → DateTime.Utc.
const User = Schema.Struct({
  id: PgSchema.Int8,
  name: Schema.String,
  email: Schema.String,
  joined: PgSchema.Timestamptz
})

const program = (rows: number) =>
  Effect.gen(function*() {
    const sql = yield* PgClient
    const { version } = yield* sql<{ version: string }>`select current_setting('server_version') as version`.single
    yield* Console.log(`connected to PostgreSQL ${version}`)

    yield* sql`drop table if exists quickstart_users`
    yield* sql`create table quickstart_users (
      id int8 generated always as identity primary key,
      name text not null,
      email text not null unique,
      joined timestamptz not null default now()
    )`

    // Every interpolated value is a bound parameter — never spliced into the SQL text.
    yield* sql`insert into quickstart_users (name, email) values (${"Ada"}, ${"ada@example.com"})`
    // Objects become a column list and rows of parameters.
    const more = [{ name: "Grace", email: "grace@example.com" }, { name: "Barbara", email: "barbara@example.com" }]
    yield* sql`insert into quickstart_users ${sql.insert(more)}`

    // Rows decoded (and checked) by a Schema.
    const users = yield* sql`select id, name, email, joined from quickstart_users order by id`.withSchema(User)
    for (const user of users) {
      yield* Console.log(`  #${user.id} ${user.name.padEnd(8)} ${user.email.padEnd(20)} joined ${DateTime.formatIso(user.joined)}`)
    }

    // A transaction: everything in it commits together, or nothing does. The second insert
    // breaks the unique email, so the first one is rolled back too.
    yield* sql.withTransaction(
      Effect.gen(function*() {
        yield* sql`insert into quickstart_users ${sql.insert({ name: "Edsger", email: "edsger@example.com" })}`
        yield* sql`insert into quickstart_users ${sql.insert({ name: "Grace II", email: "grace@example.com" })}`
      })
    ).pipe(
      Effect.catchReason("PgError", "UniqueViolation", (e) => Console.log(`transaction rolled back: ${e.detail}`))
    )
    const { count } = yield* sql<{ count: bigint }>`select count(*) from quickstart_users`.single
    yield* Console.log(`still ${count} users`)

    // Stream a big result: rows arrive in batches of 1000, so memory stays flat at any size.
    const started = performance.now()
    const total = yield* sql<{ n: number }>`select n from generate_series(1, ${rows}::int4) as n`.stream({ batchSize: 1000 }).pipe(
      Stream.runFold(() => ({ count: 0, sum: 0 }), (acc, row) => {
        acc.count++
        acc.sum += row.n
        return acc
      })
    )
    const seconds = (performance.now() - started) / 1000
    yield* Console.log(
      `streamed ${total.count.toLocaleString("en-US")} rows in ${seconds.toFixed(2)} s ` +
        `(${Math.round(total.count / seconds).toLocaleString("en-US")} rows/s), sum ${total.sum}`
    )
    return { users: users.length, afterRollback: count, streamed: total.count, sum: total.sum }
  })

/**
 * Runs the quickstart against `url`. Options: `--rows` (rows to stream, default 1,000,000).
 *
 * @since 0.1.0
 */
export const main = (url: string, args: ReadonlyArray<string> = []) => {
  const { rows } = options(args, { rows: 1_000_000 })
  return Effect.runPromise(program(rows).pipe(Effect.provide(PgClient.layer({ url }))))
}
