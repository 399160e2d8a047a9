/**
 * copy-csv: bulk-loads a CSV file with `COPY … FROM STDIN (format csv, header)`. The file is read
 * as a Stream of byte chunks and run into the `PgCopy.fromBytes` Sink, so the whole file never
 * sits in memory, and a progress bar on stderr shows bytes/s and rows/s while it loads. Without
 * `--path`, a CSV of `--rows` rows (with quoted commas and quotes in it) is generated first in a
 * temp directory, removed afterwards.
 *
 * Run: `pnpm example copy-csv` (options: `--rows 1000000`, `--path data.csv` — a CSV with the
 * header `id,name,email,amount,created`).
 *
 * @since 0.1.0
 */
import { createReadStream } from "node:fs"
import { mkdtemp, open, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Console, Data, Effect, Stream } from "effect"
import { PgClient, PgCopy } from "@pgfx/client"
import { options } from "../shared/args.ts"
import { progress } from "../shared/progress.ts"

class FileError extends Data.TaggedError("FileError")<{ readonly path: string; readonly cause: unknown }> {}

const csvLine = (i: number): string => {
  // every 10th name needs CSV quoting: a comma, and a doubled quote
  const name = i % 10 === 0 ? `"Lovelace, Ada ""#${i}"""` : `user ${i}`
  const created = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString()
  return `${i},${name},user${i}@example.com,${((i % 100_000) / 100).toFixed(2)},${created}\n`
}

/** Writes a CSV of `rows` rows into a new temp dir; removes the dir when the Scope closes. */
const generateCsv = (rows: number) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => mkdtemp(join(tmpdir(), "pgfx-copy-csv-")), catch: (cause) => new FileError({ path: tmpdir(), cause }) }),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const path = join(dir, "items.csv")
    yield* Effect.tryPromise({
      try: async () => {
        const file = await open(path, "w")
        try {
          await file.write("id,name,email,amount,created\n")
          for (let from = 1; from <= rows; from += 10_000) {
            let chunk = ""
            for (let i = from; i < from + 10_000 && i <= rows; i++) chunk += csvLine(i)
            await file.write(chunk)
          }
        } finally {
          await file.close()
        }
      },
      catch: (cause) => new FileError({ path, cause })
    })
    return path
  })

/** Newlines in a chunk: rows seen so far, for the progress bar. */
const lines = (chunk: Uint8Array): number => {
  let n = 0
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++
  return n
}

const program = (rows: number, givenPath: string) =>
  Effect.gen(function*() {
    const sql = yield* PgClient
    const path = givenPath !== "" ? givenPath : yield* generateCsv(rows)
    if (givenPath === "") yield* Console.log(`generated ${rows.toLocaleString("en-US")} rows into ${path}`)
    const size = yield* Effect.tryPromise({ try: () => stat(path), catch: (cause) => new FileError({ path, cause }) })

    yield* sql`create table if not exists copy_csv_items (
      id int8 primary key, name text not null, email text not null, amount numeric(12, 2) not null, created timestamptz not null
    )`
    yield* sql`truncate copy_csv_items`

    const bar = progress({ label: "loading", total: size.size, unit: "bytes" })
    const started = performance.now()
    let header = 1
    const file = Stream.suspend(() =>
      Stream.fromAsyncIterable(createReadStream(path) as AsyncIterable<Uint8Array>, (cause) => new FileError({ path, cause }))
    )
    const result = yield* file.pipe(
      Stream.tap((chunk) =>
        Effect.sync(() => {
          bar.add(lines(chunk) - header, chunk.length)
          header = 0
        })
      ),
      Stream.run(PgCopy.fromBytes(sql, "copy copy_csv_items from stdin (format csv, header)"))
    )
    const seconds = (performance.now() - started) / 1000
    bar.finish()

    const check = yield* sql<{ rows: bigint; total: string; quoted: bigint }>`
      select count(*) as rows, sum(amount)::text as total, count(*) filter (where name like '%, Ada "%') as quoted
      from copy_csv_items`.single
    const copied = result.rows ?? 0
    yield* Console.log(
      `loaded ${copied.toLocaleString("en-US")} rows (${(size.size / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s: ` +
        `${Math.round(copied / seconds).toLocaleString("en-US")} rows/s, ${(size.size / 1e6 / seconds).toFixed(1)} MB/s`
    )
    yield* Console.log(`table: ${check.rows} rows, ${check.quoted} with quoted names, amounts sum to ${check.total}`)
    return { copied, rows: check.rows, quoted: check.quoted, total: check.total, bytes: size.size }
  })

/**
 * Runs the example against `url`. Options: `--rows` (rows to generate, default 1,000,000),
 * `--path` (load this CSV file instead).
 *
 * @since 0.1.0
 */
export const main = (url: string, args: ReadonlyArray<string> = []) => {
  const { rows, path } = options(args, { rows: 1_000_000, path: "" })
  return Effect.runPromise(program(rows, path).pipe(Effect.scoped, Effect.provide(PgClient.layer({ url }))))
}
