/**
 * serializable-retry: a read-modify-write transaction at `isolation: "serializable"`, retried on
 * serialization failure. Two fibers increment the same counter at once; a barrier makes both
 * read before either writes, so one of them always loses: PostgreSQL fails it with SQLSTATE
 * 40001, reason `SerializationFailure`. `Effect.retry` re-runs the whole transaction with an
 * exponential, jittered, bounded backoff — and only for that failure (any other error fails at
 * once). The counter ends exactly where it should: no increment lost, none applied twice.
 *
 * Run: `pnpm example serializable-retry` (option: `--rounds 5`).
 *
 * @since 0.1.0
 */
import { Console, Deferred, Effect, Schedule } from "effect"
import { PgClient, PgPool } from "@pgfx/client"
import { options } from "../shared/args.ts"

/** Completes once `parties` fibers have arrived. */
const barrier = (parties: number) => {
  const open = Deferred.makeUnsafe<void>()
  let arrived = 0
  return Effect.suspend(() => (++arrived === parties ? Deferred.succeed(open, undefined) : Deferred.await(open)))
}

// Up to 5 retries, 10 ms doubling, each delay jittered so the contenders do not collide again.
const backoff = Schedule.exponential("10 millis").pipe(Schedule.jittered)

const program = (rounds: number) =>
  Effect.gen(function*() {
    const sql = yield* PgClient
    yield* sql`create table if not exists serializable_counter (id int4 primary key, value int4 not null)`
    yield* sql`insert into serializable_counter values (1, 0) on conflict (id) do update set value = 0`

    let retries = 0
    /** One increment: read, wait for the other fiber on the first attempt, write. */
    const increment = (name: string, bothRead: Effect.Effect<void>) => {
      let attempt = 0
      const transaction = sql.withTransaction(
        Effect.gen(function*() {
          attempt++
          const { value } = yield* sql<{ value: number }>`select value from serializable_counter where id = 1`.single
          if (attempt === 1) yield* bothRead
          yield* sql`update serializable_counter set value = ${value + 1} where id = 1`
          return attempt
        }),
        { isolation: "serializable" }
      )
      return transaction.pipe(
        Effect.tapError((e) => {
          retries++
          return Console.log(`  ${name}: attempt ${attempt} failed: ${e._tag === "PgError" ? e.reason._tag : e._tag}: ${e.message}`)
        }),
        // retry this one failure only: anything else (even if retryable) fails at once
        Effect.retry({
          schedule: backoff,
          times: 5,
          while: (e) => e._tag === "PgError" && e.reason._tag === "SerializationFailure"
        }),
        Effect.tap((attempts) => Console.log(`  ${name}: committed on attempt ${attempts}`))
      )
    }

    for (let round = 1; round <= rounds; round++) {
      yield* Console.log(`round ${round}`)
      const bothRead = barrier(2)
      yield* Effect.all([increment("A", bothRead), increment("B", bothRead)], { concurrency: 2 })
    }

    const { value } = yield* sql<{ value: number }>`select value from serializable_counter where id = 1`.single
    yield* Console.log(`counter = ${value} after ${rounds} rounds of 2 increments (${retries} retries)`)
    return { rounds, value, expected: 2 * rounds, retries }
  })

/**
 * Runs the example against `url`. Option: `--rounds` (default 5).
 *
 * @since 0.1.0
 */
export const main = (url: string, args: ReadonlyArray<string> = []) => {
  const { rounds } = options(args, { rounds: 5 })
  // A pool, so the two transactions run on two connections at the same time.
  const pool = PgPool.make(url, { ...PgClient.connectionOptions(), max: 2 })
  return Effect.runPromise(program(rounds).pipe(Effect.provide(PgClient.layerFromSource(pool))))
}
