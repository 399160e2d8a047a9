/**
 * The node-postgres contender (`pg` 8.x, with `pg-query-stream` for the stream and
 * `pg-copy-streams` for COPY). `client.query(text, values)` as its users call it: text format,
 * an unnamed statement per call with parameters, the simple protocol without.
 *
 * - W2 on one connection uses `new Client({ pipeline: true })` (pg ≥ 8.21 pipelines when asked);
 *   with `connections > 1` it is a `pg.Pool` of that size (exclusive checkouts).
 * - W7: `client.cancel(target, query)` on a fresh, unconnected `Client`, which sends a
 *   CancelRequest for the running query; then `select 1` on the interrupted client.
 *
 * The packages ship no TypeScript types, so the few members used are typed here.
 *
 * @since 0.1.0
 */
import { createRequire } from "node:module"
import type { Readable, Writable } from "node:stream"
import { type Client, type ConnectOptions, installedVersion, iterablePool, type Peer, promisePool, writeAll } from "./peer.ts"

interface PgResult {
  readonly rows: Array<any>
  readonly rowCount: number | null
}
interface PgQuery {
  on(event: "error" | "end", f: (e?: unknown) => void): PgQuery
}
interface PgClient {
  connect(): Promise<void>
  query(text: string, values?: ReadonlyArray<unknown>): Promise<PgResult>
  query<S extends object>(submittable: S): S
  end(): Promise<void>
  cancel(target: PgClient, query: PgQuery): void
}
interface PgPool {
  query(text: string, values?: ReadonlyArray<unknown>): Promise<PgResult>
  connect(): Promise<PgClient & { release(): void }>
  end(): Promise<void>
}
interface PgModule {
  readonly Client: new(config: object) => PgClient
  readonly Pool: new(config: object) => PgPool
  readonly Query: new(text: string) => PgQuery
}
interface CopyStreams {
  from(text: string): Writable
  to(text: string): Readable
}
type QueryStreamClass = new(text: string, values: ReadonlyArray<unknown>, config: { batchSize: number }) => Readable

const require = createRequire(import.meta.url)
const pg = require("pg") as PgModule
const copyStreams = require("pg-copy-streams") as CopyStreams
const QueryStream = require("pg-query-stream") as QueryStreamClass
const version = installedVersion("pg")

const untilEnd = (stream: Readable, onData: (x: any) => void): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    stream.on("data", onData)
    stream.once("end", () => resolve())
    stream.once("error", reject)
  })

const connect = async (url: string, options: ConnectOptions): Promise<Client> => {
  if (options.connections > 1) {
    const pool = new pg.Pool({ connectionString: url, max: options.connections })
    // open every connection up front, as the other peers do
    const held = await Promise.all(Array.from({ length: options.connections }, () => pool.connect()))
    for (const c of held) c.release()
    return {
      exec: async (text) => {
        await pool.query(text)
      },
      selectParamConcurrent: (n, inFlight) =>
        promisePool(n, inFlight, async (i) => (await pool.query("select $1::int", [i])).rows[0].int4 as number),
      close: () => pool.end()
    }
  }
  const pipelined = (options.inFlight ?? 1) > 1
  const client = new pg.Client({ connectionString: url, ...(pipelined ? { pipeline: true } : {}) })
  await client.connect()
  return {
    exec: async (text) => {
      await client.query(text)
    },

    selectOneSequential: async (n) => {
      for (let i = 0; i < n; i++) await client.query("select 1")
    },

    selectParamConcurrent: (n, inFlight) =>
      promisePool(n, inFlight, async (i) => (await client.query("select $1::int", [i])).rows[0].int4 as number),

    selectArray: async (text) => (await client.query(text)).rows.length,

    selectStream: async (text, batch) => {
      let rows = 0
      const stream = client.query(new QueryStream(text, [], { batchSize: batch }))
      await untilEnd(stream, () => {
        rows++
      })
      return rows
    },

    repeatQuery: async (text, n) => {
      let rows = 0
      for (let i = 0; i < n; i++) rows += (await client.query(text)).rows.length
      return rows
    },

    copyIn: async (text, chunks) => {
      await writeAll(client.query(copyStreams.from(text)), chunks)
      return -1
    },

    insertBatches: (text, batches, inFlight) =>
      iterablePool(batches(), inFlight, async (params) => (await client.query(text, params as Array<unknown>)).rowCount ?? 0),

    copyOut: async (text) => {
      let bytes = 0
      await untilEnd(client.query(copyStreams.to(text)), (chunk: Buffer) => {
        bytes += chunk.length
      })
      return bytes
    },

    interruptToUsable: async (sleepSql, afterMs) => {
      const query = client.query(new pg.Query(sleepSql))
      const settled = new Promise<void>((resolve) => {
        query.on("error", () => resolve())
        query.on("end", () => resolve())
      })
      await new Promise((r) => setTimeout(r, afterMs))
      const t0 = performance.now()
      new pg.Client({ connectionString: url }).cancel(client, query)
      await client.query("select 1")
      const t1 = performance.now()
      await settled
      return t1 - t0
    },

    close: () => client.end()
  }
}

/**
 * @category peers
 * @since 0.1.0
 */
export const pgPeer: Peer = {
  name: "pg",
  version,
  connect,
  notes: { W2a: "new Client({ pipeline: true })", W2b: "pg.Pool({ max: 4 })" }
}
