/**
 * COPY throughput: pgfx (`PgCopy`) against postgres.js (`.writable()` / `.readable()`) and
 * pg + pg-copy-streams, interleaved in one process (A B C A B C …), medians with min/max.
 *
 * ```sh
 * /work/main/node_modules/.bin/node benchmarks/copy.ts [rounds]        # default 5 rounds + 1 warm-up
 * /work/main/node_modules/.bin/node benchmarks/copy.ts rss [rows]      # slow-consumer memory check (default 10M rows)
 * COPY_ROWS=200000 … benchmarks/copy.ts                                # fewer rows
 * ```
 *
 * The table is 1M rows of (int4, text, float8, timestamptz), 10% NULL names. Workloads:
 * - `FROM text` / `FROM binary`: the same pre-dumped COPY data, in 64 KiB chunks split
 *   anywhere, written with back-pressure (`fromBytes` for pgfx).
 * - `FROM rows`: 1M JS rows `[number, string | null, number, Date]` already in memory. pgfx
 *   encodes them in binary through the column codecs (`fromRows`); the peers have no row-level
 *   COPY, so they format text lines by hand (`${id}\t${name}\t${f}\t${ts.toISOString()}\n`,
 *   ~64 KiB strings), as their users do.
 * - `TO text` / `TO binary`: the bytes of `COPY src TO STDOUT`, counted.
 * - `TO rows`: typed rows from binary COPY (`toRows`, array rows); no peer has it.
 *
 * Reported per run: wall time (rows/s, MB/s of COPY payload) and this process's CPU time.
 *
 * @since 0.1.0
 */
import { createRequire } from "node:module"
import { once } from "node:events"
import type { Readable, Writable } from "node:stream"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import postgres from "postgres"
import * as PgCopy from "@pgfx/client/PgCopy"
import * as PgSource from "@pgfx/client/PgSource"
import { startBenchServer } from "./lib/server.ts"

const require = createRequire(import.meta.url)

interface PgClient {
  connect(): Promise<void>
  query(text: string): Promise<{ rows: Array<any> }>
  query<S extends object>(submittable: S): S
  end(): Promise<void>
}
const pg = require("pg") as { Client: new(config: { connectionString: string }) => PgClient }
let copyStreams: { from(text: string): Writable; to(text: string): Readable } | undefined
try {
  copyStreams = require("pg-copy-streams")
} catch {
  copyStreams = undefined
}

// ---------------------------------------------------------------------------------------------

const args = process.argv.slice(2)
const rssMode = args[0] === "rss"
const rounds = rssMode ? 0 : Number(args[0] ?? 5)
const N = Number(process.env.COPY_ROWS ?? 1_000_000)
const MiB = 2 ** 20

const server = await startBenchServer((line) => console.error(`[server] ${line}`))
const url = server.url
const admin = new pg.Client({ connectionString: url })
await admin.connect()

const scope = Effect.runSync(Scope.make())
const source = await Effect.runPromise(Scope.provide(scope)(PgSource.single(url)))
const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

const cleanup = async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await admin.end()
  await server.stop()
}

if (rssMode) {
  const rows = Number(args[1] ?? 10_000_000)
  const rss = () => process.memoryUsage().rss
  const baseline = rss()
  let peak = baseline
  let bytes = 0
  let n = 0
  let pulls = 0
  let maxBatch = 0
  const started = performance.now()
  await run(
    Stream.runForEachArray(
      PgCopy.toBytes(source, `copy (select i, repeat('x', 100), i * 1.5, now() from generate_series(1, ${rows}) i) to stdout`),
      (batch) =>
        Effect.suspend(() => {
          let b = 0
          for (const c of batch) b += c.length
          bytes += b
          n += batch.length
          if (b > maxBatch) maxBatch = b
          if (++pulls % 8 === 0) peak = Math.max(peak, rss())
          // a slow consumer: 2 ms per pulled batch (≤ ~1 MiB), slower than the server
          return Effect.sleep("2 millis")
        })
    )
  )
  const s = (performance.now() - started) / 1000
  console.log(
    `slow consumer of COPY TO: ${n.toLocaleString("en-US")} rows, ${(bytes / MiB).toFixed(0)} MiB in ${s.toFixed(1)} s ` +
      `(${(bytes / MiB / s).toFixed(0)} MiB/s), ${pulls} pulls, largest pull ${(maxBatch / MiB).toFixed(2)} MiB; ` +
      `RSS ${(baseline / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB (+${((peak - baseline) / MiB).toFixed(1)} MiB)`
  )
  await cleanup()
  process.exit(0)
}

// --- data ------------------------------------------------------------------------------------

console.error(`preparing ${N} rows …`)
await admin.query(`drop table if exists copy_src, copy_dst`)
await admin.query(`create table copy_src (id int4, name text, f float8, ts timestamptz)`)
await admin.query(`insert into copy_src select i, case when i % 10 = 0 then null else md5(i::text) end, i * 1.5,
  timestamptz '2024-01-01 00:00:00+00' + i * interval '1.5 second' from generate_series(1, ${N}) i`)
await admin.query(`create table copy_dst (like copy_src)`)
await admin.query(`vacuum analyze copy_src`)

const dump = async (format: string): Promise<Array<Uint8Array>> => {
  const parts = await run(Stream.runCollect(PgCopy.toBytes(source, `copy copy_src to stdout (format ${format})`)))
  const total = parts.reduce((n, p) => n + p.length, 0)
  const all = Buffer.allocUnsafe(total)
  let at = 0
  for (const p of parts) {
    all.set(p, at)
    at += p.length
  }
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i < total; i += 65536) chunks.push(all.subarray(i, Math.min(total, i + 65536)))
  return chunks
}
const textChunks = await dump("text")
const binaryChunks = await dump("binary")
const sizeOf = (chunks: ReadonlyArray<Uint8Array>) => chunks.reduce((n, c) => n + c.length, 0)
const textBytes = sizeOf(textChunks)
const binaryBytes = sizeOf(binaryChunks)

type Row = readonly [number, string | null, number, Date]
const jsRows: Array<Row> = Array.from({ length: N }, (_, k) => {
  const i = k + 1
  return [i, i % 10 === 0 ? null : `name-${i.toString(36)}-${"x".repeat(20)}`, i * 1.5, new Date(Date.UTC(2024, 0, 1) + i * 1500)]
})

/** The peers' way of loading JS rows: text lines, gathered into ~64 KiB strings. */
function* textLines(rows: ReadonlyArray<Row>): Generator<string> {
  let out = ""
  for (const [id, name, f, ts] of rows) {
    out += `${id}\t${name === null ? "\\N" : name}\t${f}\t${ts.toISOString()}\n`
    if (out.length >= 65536) {
      yield out
      out = ""
    }
  }
  if (out.length > 0) yield out
}

const writeAll = async (stream: Writable, chunks: Iterable<Uint8Array | string>): Promise<void> => {
  let failure: unknown
  stream.once("error", (e) => {
    failure = e
  })
  for (const chunk of chunks) {
    if (failure !== undefined) throw failure
    if (!stream.write(chunk)) await once(stream, "drain")
  }
  stream.end()
  await once(stream, "finish")
  if (failure !== undefined) throw failure
}

const readAll = async (stream: Readable): Promise<number> => {
  let bytes = 0
  for await (const chunk of stream) bytes += (chunk as Buffer).length
  return bytes
}

// --- contenders ------------------------------------------------------------------------------

const sql = postgres(url, { max: 1, onnotice: () => {} })
const pgClient = new pg.Client({ connectionString: url })
await pgClient.connect()

type Op = () => Promise<number>
interface Workload {
  readonly name: string
  /** Payload bytes (for MB/s), undefined when not meaningful. */
  readonly bytes: number | undefined
  readonly before?: () => Promise<void>
  readonly check: (result: number) => boolean
  readonly pgfx: Op
  readonly postgresjs: Op | undefined
  readonly pg: Op | undefined
}

const truncate = async () => {
  await admin.query("truncate copy_dst")
}
const loaded = async (): Promise<number> => Number((await admin.query("select count(*) from copy_dst")).rows[0].count)

const countBytes = (stream: Stream.Stream<Uint8Array, unknown>): Promise<number> => {
  let n = 0
  return run(Stream.runForEachArray(stream, (chunks) =>
    Effect.sync(() => {
      for (const c of chunks) n += c.length
    }))).then(() => n)
}

const workloads: Array<Workload> = [
  {
    name: "FROM text",
    bytes: textBytes,
    before: truncate,
    check: (n) => n === N,
    pgfx: async () => (await run(Stream.run(Stream.fromIterable(textChunks), PgCopy.fromBytes(source, "copy copy_dst from stdin")))).rows ?? -1,
    postgresjs: async () => {
      await writeAll(await sql.unsafe("copy copy_dst from stdin").writable(), textChunks)
      return loaded()
    },
    pg: copyStreams &&
      (async () => {
        await writeAll(pgClient.query(copyStreams!.from("copy copy_dst from stdin")), textChunks)
        return loaded()
      })
  },
  {
    name: "FROM binary",
    bytes: binaryBytes,
    before: truncate,
    check: (n) => n === N,
    pgfx: async () =>
      (await run(Stream.run(Stream.fromIterable(binaryChunks), PgCopy.fromBytes(source, "copy copy_dst from stdin (format binary)")))).rows ?? -1,
    postgresjs: async () => {
      await writeAll(await sql.unsafe("copy copy_dst from stdin (format binary)").writable(), binaryChunks)
      return loaded()
    },
    pg: copyStreams &&
      (async () => {
        await writeAll(pgClient.query(copyStreams!.from("copy copy_dst from stdin (format binary)")), binaryChunks)
        return loaded()
      })
  },
  {
    name: "FROM rows (JS values)",
    bytes: undefined,
    before: truncate,
    check: (n) => n === N,
    pgfx: async () =>
      (await run(Stream.run(Stream.fromArray(jsRows), PgCopy.fromRows(source, { table: "copy_dst", columns: ["id", "name", "f", "ts"] })))).rows ?? -1,
    postgresjs: async () => {
      await writeAll(await sql.unsafe("copy copy_dst from stdin").writable(), textLines(jsRows))
      return loaded()
    },
    pg: copyStreams &&
      (async () => {
        await writeAll(pgClient.query(copyStreams!.from("copy copy_dst from stdin")), textLines(jsRows))
        return loaded()
      })
  },
  {
    name: "TO text",
    bytes: textBytes,
    check: (n) => n === textBytes,
    pgfx: () => countBytes(PgCopy.toBytes(source, "copy copy_src to stdout")),
    postgresjs: async () => readAll(await sql.unsafe("copy copy_src to stdout").readable()),
    pg: copyStreams && (() => readAll(pgClient.query(copyStreams!.to("copy copy_src to stdout"))))
  },
  {
    name: "TO binary",
    bytes: binaryBytes,
    check: (n) => n === binaryBytes,
    pgfx: () => countBytes(PgCopy.toBytes(source, "copy copy_src to stdout (format binary)")),
    postgresjs: async () => readAll(await sql.unsafe("copy copy_src to stdout (format binary)").readable()),
    pg: copyStreams && (() => readAll(pgClient.query(copyStreams!.to("copy copy_src to stdout (format binary)"))))
  },
  {
    name: "TO rows (typed)",
    bytes: binaryBytes,
    check: (n) => n === N,
    pgfx: () => {
      let n = 0
      return run(Stream.runForEachArray(PgCopy.toRows(source, { table: "copy_src", rowMode: "array" }), (rows) =>
        Effect.sync(() => {
          n += rows.length
        }))).then(() => n)
    },
    postgresjs: undefined,
    pg: undefined
  }
]

const peers = ["pgfx", "postgresjs", "pg"] as const
type PeerName = (typeof peers)[number]
const label: Record<PeerName, string> = { pgfx: "pgfx", postgresjs: "postgres.js", pg: "pg + pg-copy-streams" }

interface Sample {
  readonly ms: number
  readonly cpuMs: number
}
const samples = new Map<string, Array<Sample>>()

const measure = async (w: Workload, peer: PeerName, record: boolean): Promise<void> => {
  const op = w[peer]
  if (op === undefined) return
  if (w.before) await w.before()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await op()
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  if (!w.check(result)) throw new Error(`${w.name} / ${peer}: unexpected result ${result}`)
  if (!record) return
  const key = `${w.name}|${peer}`
  const list = samples.get(key) ?? []
  list.push({ ms, cpuMs: (cpu.user + cpu.system) / 1000 })
  samples.set(key, list)
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = xs.toSorted((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

console.error(`text ${(textBytes / MiB).toFixed(1)} MiB, binary ${(binaryBytes / MiB).toFixed(1)} MiB; ${rounds} rounds + 1 warm-up`)
try {
  for (let round = 0; round <= rounds; round++) {
    for (const w of workloads) {
      // rotate the order each round so no contender always goes first
      for (let k = 0; k < peers.length; k++) {
        const peer = peers[(k + round) % peers.length]!
        await measure(w, peer, round > 0)
      }
    }
    console.error(`round ${round}${round === 0 ? " (warm-up)" : ""} done`)
  }

  const fmtRate = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`)
  console.log(`\n| workload | client | rows/s (median) | min – max | MB/s | client CPU | × postgres.js |`)
  console.log(`|---|---|---:|---:|---:|---:|---:|`)
  for (const w of workloads) {
    const base = samples.get(`${w.name}|postgresjs`)
    const baseMs = base ? median(base.map((s) => s.ms)) : undefined
    for (const peer of peers) {
      const list = samples.get(`${w.name}|${peer}`)
      if (list === undefined) {
        console.log(`| ${w.name} | ${label[peer]} | — | — | — | — | — |`)
        continue
      }
      const ms = median(list.map((s) => s.ms))
      const lo = Math.min(...list.map((s) => s.ms))
      const hi = Math.max(...list.map((s) => s.ms))
      const rate = (N / ms) * 1000
      const mbs = w.bytes === undefined ? "—" : ((w.bytes / 1e6 / ms) * 1000).toFixed(0)
      const cpu = median(list.map((s) => s.cpuMs))
      const ratio = baseMs === undefined ? "—" : (baseMs / ms).toFixed(2)
      console.log(
        `| ${w.name} | ${label[peer]} | ${fmtRate(rate)} | ${fmtRate((N / hi) * 1000)} – ${fmtRate((N / lo) * 1000)} | ${mbs} | ${
          Math.round(cpu)
        } ms | ${ratio} |`
      )
    }
  }
} finally {
  await sql.end({ timeout: 5 })
  await pgClient.end()
  await cleanup()
}
