/**
 * cancellation: interrupting a fiber stops its query on the server. A long `pg_sleep` races a
 * timeout and Ctrl-C (SIGINT); whichever comes first interrupts the query fiber, the client
 * sends a CancelRequest and waits for the server to confirm, and only then does the race end.
 * A second connection then looks in `pg_stat_activity` to show the query is gone, and the first
 * connection — the same backend — runs the next statement at once. Last, the server-side
 * counterpart: a `statement_timeout` fails with the `QueryCanceled` reason of `PgError`.
 *
 * Run: `pnpm example cancellation` and press Ctrl-C, or wait for `--timeout` (ms, default 5000).
 *
 * @since 0.1.0
 */
import { Console, Effect } from "effect"
import { PgClient } from "@pgfx/client"
import { options } from "../shared/args.ts"

/** Succeeds at the next SIGINT (Ctrl-C) — while it waits, SIGINT no longer kills the process. */
const ctrlC = Effect.callback<void>((resume) => {
  const onSigint = () => resume(Effect.void)
  process.once("SIGINT", onSigint)
  return Effect.sync(() => process.off("SIGINT", onSigint))
})

const program = (url: string, timeout: number) =>
  Effect.gen(function*() {
    const sql = yield* PgClient
    const monitor = yield* PgClient.connect(url) // a second connection, to watch from outside
    const { pid } = yield* sql<{ pid: number }>`select pg_backend_pid() as pid`.single
    const running = monitor<{ n: number }>`
      select count(*)::int4 as n from pg_stat_activity where pid = ${pid} and state = 'active'`.single

    yield* Console.log(`backend ${pid}: running select pg_sleep(3600); interrupting after ${timeout} ms, or press Ctrl-C`)
    const started = performance.now()
    const outcome = yield* Effect.raceAllFirst([
      sql`select pg_sleep(3600)`.pipe(Effect.as("completed" as const)),
      Effect.sleep(timeout).pipe(Effect.as("timeout" as const)),
      ctrlC.pipe(Effect.as("SIGINT" as const))
    ])
    // The race ends after its losers have: the query fiber only after the server confirmed.
    const elapsed = Math.round(performance.now() - started)
    const stillRunning = (yield* running).n
    yield* Console.log(`${outcome} after ${elapsed} ms; backend ${pid} running a query now: ${stillRunning === 0 ? "no" : "YES"}`)

    const after = yield* sql<{ pid: number; two: number }>`select pg_backend_pid() as pid, 1 + 1 as two`.single
    yield* Console.log(`same connection, next query: 1 + 1 = ${after.two} (backend ${after.pid})`)

    // The server can cancel too: then the statement fails with reason QueryCanceled.
    const serverSide = yield* sql.withTransaction(
      Effect.andThen(sql`set local statement_timeout = 200`, sql`select pg_sleep(3600)`)
    ).pipe(
      Effect.as("no error"),
      Effect.catchReason("PgError", "QueryCanceled", (reason) =>
        Effect.succeed(`QueryCanceled (${reason.code}${reason.isStatementTimeout ? ", statement timeout" : ""})`))
    )
    yield* Console.log(`with statement_timeout = 200 ms the server answers: ${serverSide}`)

    return { outcome, elapsed, pid, stillRunning, samePid: after.pid === pid, serverSide }
  })

/**
 * Runs the example against `url`. Options: `--timeout` (ms before the query is interrupted,
 * default 5000).
 *
 * @since 0.1.0
 */
export const main = (url: string, args: ReadonlyArray<string> = []) => {
  const { timeout } = options(args, { timeout: 5000 })
  return Effect.runPromise(program(url, timeout).pipe(Effect.scoped, Effect.provide(PgClient.layer({ url }))))
}
