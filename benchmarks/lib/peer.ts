/**
 * What every contender implements: one connected client (a single connection or a small pool)
 * with one method per benchmark operation. A peer that lacks a feature leaves the method out and
 * the report shows "—" for it, never a substitute figure.
 *
 * All methods return when the work is complete and every row or byte has reached the caller; the
 * numbers they return (rows, bytes, checksums) are checked by the workloads, so a client that
 * silently drops work fails its run instead of looking fast.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"

/**
 * A row of the COPY / INSERT load (W5): id, name, created, score, amount.
 *
 * @category models
 * @since 0.1.0
 */
export type LoadRow = readonly [number, string, Date, number, string]

/**
 * A connected client.
 *
 * @category models
 * @since 0.1.0
 */
export interface Client {
  /** How this client was set up, when it differs from the peer's usual way (shown in the table). */
  readonly note?: string | undefined
  /** Runs one statement without parameters and discards the result (set-up, TRUNCATE). */
  readonly exec: (sql: string) => Promise<void>
  /** W1: `n` × `select 1`, one after the other. */
  readonly selectOneSequential?: ((n: number) => Promise<void>) | undefined
  /** W2: `n` × `select $1::int` with `inFlight` outstanding; returns the sum of the answers. */
  readonly selectParamConcurrent?: ((n: number, inFlight: number) => Promise<number>) | undefined
  /** W3a: the whole result of `sql` as one array; returns its length. */
  readonly selectArray?: ((sql: string) => Promise<number>) | undefined
  /** W3b: the result of `sql` as a stream of `batch`-sized pieces; returns the row count. */
  readonly selectStream?: ((sql: string, batch: number) => Promise<number>) | undefined
  /** W4: `n` × `sql` (no parameters), one after the other; returns the total row count. */
  readonly repeatQuery?: ((sql: string, n: number) => Promise<number>) | undefined
  /** W5: `COPY … FROM STDIN` (text format) fed with `chunks`; returns the rows copied. */
  readonly copyIn?: ((sql: string, chunks: ReadonlyArray<Uint8Array>) => Promise<number>) | undefined
  /**
   * W5: one multi-row INSERT per batch (`sql` takes `batch.length × 5` parameters), `inFlight`
   * statements outstanding on the one connection (pipelined where the client can); returns rows.
   */
  readonly insertBatches?:
    | ((sql: string, batches: () => Iterable<ReadonlyArray<unknown>>, inFlight: number) => Promise<number>)
    | undefined
  /** W6: `COPY … TO STDOUT` consumed as a stream; returns the bytes received. */
  readonly copyOut?: ((sql: string) => Promise<number>) | undefined
  /**
   * W7: starts `sleepSql`, waits `afterMs`, interrupts it the way the client offers, and returns
   * the milliseconds from the interruption until `select 1` on the same connection answers.
   */
  readonly interruptToUsable?: ((sleepSql: string, afterMs: number) => Promise<number>) | undefined
  readonly close: () => Promise<void>
}

/**
 * How to connect.
 *
 * @category models
 * @since 0.1.0
 */
export interface ConnectOptions {
  /** 1 = one connection; more = the client's pool of that size (or round-robin connections). */
  readonly connections: number
  /** For W2: how many statements the workload keeps in flight (multiplexing limits). */
  readonly inFlight?: number | undefined
}

/**
 * A contender.
 *
 * @category models
 * @since 0.1.0
 */
export interface Peer {
  /** Short name in tables: `pgfx`, `postgres.js`, `pg`, `@effect/sql-pg`. */
  readonly name: string
  /** Version shown in the report header. */
  readonly version: string
  readonly connect: (url: string, options: ConnectOptions) => Promise<Client>
  /** How the peer runs `connections > 1` / W2 (shown under the table), e.g. `4 conns, round-robin`. */
  readonly notes?: Partial<Record<string, string>> | undefined
}

/**
 * Runs `one(i)` for i in 0..n-1 with at most `inFlight` outstanding (promise-based peers).
 *
 * @category helpers
 * @since 0.1.0
 */
export const promisePool = async (n: number, inFlight: number, one: (i: number) => Promise<number>): Promise<number> => {
  let next = 0
  let sum = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++
      // not `sum += await …`: that reads `sum` before the await and loses other workers' adds
      const value = await one(i)
      sum += value
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, inFlight) }, worker))
  return sum
}

/**
 * Runs `one(item)` for every item of `items` with at most `inFlight` outstanding, pulling from
 * the one iterator (promise-based peers); returns the sum of the results.
 *
 * @category helpers
 * @since 0.1.0
 */
export const iterablePool = async <A>(
  items: Iterable<A>,
  inFlight: number,
  one: (item: A) => Promise<number>
): Promise<number> => {
  const iterator = items[Symbol.iterator]()
  let sum = 0
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
      const value = await one(next.value)
      sum += value
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, worker))
  return sum
}

/**
 * Writes `chunks` into a Node writable honouring backpressure, then ends it and waits for
 * `finish` (or the first error).
 *
 * @category helpers
 * @since 0.1.0
 */
export const writeAll = (
  stream: NodeJS.WritableStream & { once(event: string, f: (...args: Array<any>) => void): unknown },
  chunks: ReadonlyArray<Uint8Array>
): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    let i = 0
    const state = { failed: false }
    stream.once("error", (e: unknown) => {
      state.failed = true
      reject(e)
    })
    const pump = (): void => {
      while (i < chunks.length) {
        if (state.failed) return
        if (!stream.write(chunks[i++]!)) {
          stream.once("drain", pump)
          return
        }
      }
      if (!state.failed) {
        stream.once("finish", () => resolve())
        stream.end()
      }
    }
    pump()
  })

/**
 * The installed version of a benchmark dependency (read from `benchmarks/node_modules`, since
 * some packages do not export their `package.json`).
 *
 * @category helpers
 * @since 0.1.0
 */
export const installedVersion = (name: string): string => {
  try {
    const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version
  } catch {
    return "?"
  }
}
