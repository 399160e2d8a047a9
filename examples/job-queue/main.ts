/**
 * job-queue: a PostgreSQL job queue with LISTEN/NOTIFY wake-ups. A producer inserts jobs and
 * sends `NOTIFY jobs` in the same transaction; N workers listen on `jobs` (one shared listener
 * connection) and claim jobs with `FOR UPDATE SKIP LOCKED`, so each job runs exactly once however
 * many workers race for it. Each worker subscribes *before* its first scan (no job slips between
 * the two), and treats a `Reconnected` gap — notifications lost while the listener connection
 * was down — as a reason to rescan. With `--disrupt 1`, the producer kills the listener's
 * connection halfway, inserts a batch whose NOTIFY is lost, and waits until the workers' rescans
 * have found it. Exits once every job is done.
 *
 * Run: `pnpm example job-queue` (options: `--jobs 1000`, `--workers 4`, `--work 2` (ms per job),
 * `--disrupt 1`).
 *
 * @since 0.1.0
 */
import { Console, Deferred, Effect, Fiber, Option, Stream } from "effect"
import { PgClient, PgListen, PgPool } from "@pgfx/client"
import { options } from "../shared/args.ts"

interface Settings {
  readonly jobs: number
  readonly workers: number
  readonly work: number
  readonly disrupt: boolean
}

const program = ({ disrupt, jobs, work, workers }: Settings) =>
  Effect.gen(function*() {
    const sql = yield* PgClient
    yield* sql`drop table if exists job_queue_runs, job_queue`
    yield* sql`create table job_queue (id int8 generated always as identity primary key, input int4 not null,
      status text not null default 'queued', worker int4)`
    yield* sql`create table job_queue_runs (job_id int8 not null, worker int4 not null, result int8 not null)`

    const listener = yield* PgListen.make(sql.source)
    const allDone = yield* Deferred.make<void>()
    const allListening = yield* Deferred.make<void>()
    const allRescanned = yield* Deferred.make<void>()
    let listening = 0
    const processed = new Array<number>(workers).fill(0)
    let rescans = 0
    let finished = 0
    const started = performance.now()

    // Claim the oldest queued job nobody holds; SKIP LOCKED makes racing workers pass each other.
    const claim = sql<{ id: bigint; input: number }>`
      update job_queue set status = 'running'
      where id = (select id from job_queue where status = 'queued' order by id limit 1 for update skip locked)
      returning id, input`.maybe

    /** Runs jobs until none is queued. */
    const drain = (worker: number) =>
      Effect.gen(function*() {
        while (true) {
          const job = yield* claim
          if (Option.isNone(job)) return
          const { id, input } = job.value
          if (work > 0) yield* Effect.sleep(work)
          yield* sql.withTransaction(Effect.andThen(
            sql`insert into job_queue_runs ${sql.insert({ job_id: id, worker, result: BigInt(input) ** 2n })}`,
            sql`update job_queue set status = 'done', worker = ${worker} where id = ${id}`
          ))
          processed[worker - 1]!++
          if (++finished === jobs) yield* Deferred.succeed(allDone, undefined)
        }
      })

    const worker = (n: number) =>
      Effect.gen(function*() {
        const wakeups = yield* listener.subscribe("jobs") // LISTEN is in effect from here on
        if (++listening === workers) yield* Deferred.succeed(allListening, undefined)
        yield* drain(n) // jobs queued before we listened
        // A batch of wake-ups needs one drain; a gap means notifications were lost: rescan.
        yield* Stream.runForEachArray(wakeups, (events) =>
          Effect.gen(function*() {
            if (events.some((e) => e._tag === "Reconnected")) {
              yield* Console.log(`worker ${n}: listener reconnected, rescanning the queue`)
              if (++rescans === workers) yield* Deferred.succeed(allRescanned, undefined)
            }
            yield* drain(n)
          }))
      })
    const running = yield* Effect.forEach(Array.from({ length: workers }, (_, i) => i + 1), (n) => Effect.forkChild(Effect.scoped(worker(n))))

    // The producer: batches of jobs, each inserted with its NOTIFY in one transaction.
    const batch = Math.max(1, Math.ceil(jobs / 50))
    yield* Console.log(`${workers} workers; producing ${jobs.toLocaleString("en-US")} jobs in batches of ${batch}`)
    for (let from = 0; from < jobs; from += batch) {
      const inputs = Array.from({ length: Math.min(batch, jobs - from) }, (_, i) => ({ input: from + i + 1 }))
      const halfway = disrupt && from < jobs / 2 && from + batch >= jobs / 2
      if (halfway) {
        yield* Deferred.await(allListening)
        yield* Console.log(`killing the listener connection (pid ${listener.processId}); NOTIFYs sent while it is down are lost`)
        yield* sql`select pg_terminate_backend(${listener.processId ?? 0})`
      }
      yield* sql.withTransaction(Effect.andThen(sql`insert into job_queue ${sql.insert(inputs)}`, sql`notify jobs`))
      if (halfway) yield* Deferred.await(allRescanned) // its NOTIFY was lost: the rescans find it
      yield* Effect.sleep(2)
    }

    yield* Deferred.await(allDone)
    yield* Fiber.interruptAll(running) // stop the workers (and their LISTEN) before the listener closes
    const seconds = (performance.now() - started) / 1000
    const check = yield* sql<{ done: number; runs: number; distinct: number }>`
      select (select count(*)::int4 from job_queue where status = 'done') as done,
             count(*)::int4 as runs, count(distinct job_id)::int4 as distinct
      from job_queue_runs`.single
    yield* Console.log(
      `all ${jobs.toLocaleString("en-US")} jobs done in ${seconds.toFixed(2)} s by ${workers} workers (` +
        processed.map((p, i) => `#${i + 1}: ${p}`).join(", ") + ")"
    )
    yield* Console.log(`check: ${check.done} done, ${check.runs} runs of ${check.distinct} distinct jobs`)
    return { jobs, processed, rescans, done: check.done, runs: check.runs, distinctJobs: check.distinct }
  })

/**
 * Runs the example against `url`. Options: `--jobs` (default 1000), `--workers` (default 4),
 * `--work` (milliseconds of "work" per job, default 2), `--disrupt` (1: kill the listener
 * connection halfway through; default 0).
 *
 * @since 0.1.0
 */
export const main = (url: string, args: ReadonlyArray<string> = []) => {
  const { disrupt, jobs, work, workers } = options(args, { jobs: 1000, workers: 4, work: 2, disrupt: 0 })
  // A pool: workers' statements share (pipeline on) its connections; transactions take one each.
  const pool = PgPool.make(url, { ...PgClient.connectionOptions(), max: workers + 2 })
  return Effect.runPromise(
    program({ jobs, workers, work, disrupt: disrupt !== 0 }).pipe(Effect.scoped, Effect.provide(PgClient.layerFromSource(pool)))
  )
}
