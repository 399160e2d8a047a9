/**
 * stream-1m: streams a million rows through `statement.stream()` with flat memory. Rows arrive
 * `batchSize` at a time through a portal, and each batch is processed and dropped before the
 * next is fetched, so the heap does not grow with the result. A rows/s readout runs on stderr
 * (on a terminal); at the end it prints the throughput, the peak RSS growth and the live-heap
 * growth.
 *
 * Run: `pnpm example stream-1m` (options: `--rows 1000000`, `--batch 1000`).
 *
 * @since 0.1.0
 */
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Console, Effect, Stream } from "effect"
import { PgClient } from "@pgfx/client"
import { options } from "../shared/args.ts"
import { progress } from "../shared/progress.ts"

// A forced full GC before each heap sample, so "live heap" counts what the stream keeps alive,
// not garbage that V8 has not collected yet. (Same as starting node with --expose-gc.)
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

interface Item {
  readonly id: number
  readonly name: string
  readonly price: number
  readonly tags: ReadonlyArray<string>
}

const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10

const program = (rows: number, batchSize: number) =>
  Effect.gen(function*() {
    const sql = yield* PgClient
    const items = sql<Item>`
      select i as id, 'item #' || i as name, (i % 1000) * 0.25::float8 as price, array['a', 'b', i::text] as tags
      from generate_series(1, ${rows}::int4) as i`

    const meter = progress({ label: "streaming", total: rows })
    gc()
    const base = process.memoryUsage()
    let peakRss = base.rss
    let liveHeap = 0
    let count = 0
    let checksum = 0
    const started = performance.now()

    yield* items.stream({ batchSize }).pipe(
      Stream.runForEachArray((batch) =>
        Effect.sync(() => {
          for (const item of batch) checksum += item.id + item.tags.length
          const before = count
          count += batch.length
          meter.add(batch.length)
          peakRss = Math.max(peakRss, process.memoryUsage.rss())
          if (Math.floor(count / 100_000) !== Math.floor(before / 100_000)) {
            gc()
            liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed - base.heapUsed)
          }
        })
      )
    )
    const seconds = (performance.now() - started) / 1000
    meter.finish()

    const summary = {
      rows: count,
      checksum,
      seconds,
      rowsPerSecond: Math.round(count / seconds),
      peakRssGrowthMB: megabytes(peakRss - base.rss),
      liveHeapGrowthMB: megabytes(liveHeap)
    }
    yield* Console.log(
      `streamed ${count.toLocaleString("en-US")} rows in ${seconds.toFixed(2)} s ` +
        `(${summary.rowsPerSecond.toLocaleString("en-US")} rows/s, batches of ${batchSize})`
    )
    yield* Console.log(`memory: peak RSS +${summary.peakRssGrowthMB} MB, live heap +${summary.liveHeapGrowthMB} MB`)
    return summary
  })

/**
 * Runs the example against `url`. Options: `--rows` (default 1,000,000), `--batch` (rows per
 * fetch, default 1000).
 *
 * @since 0.1.0
 */
export const main = (url: string, args: ReadonlyArray<string> = []) => {
  const { rows, batch } = options(args, { rows: 1_000_000, batch: 1000 })
  return Effect.runPromise(program(rows, batch).pipe(Effect.provide(PgClient.layer({ url }))))
}
