/**
 * One benchmark operation as data (`OpSpec`), so the same operation runs in the harness process,
 * in a child process (peak RSS per client) or under `--cpu-prof` (profiles), and checks its own
 * result: a client that drops rows, answers wrongly or loads too little fails the run.
 *
 * @since 0.1.0
 */
import { copyChunks, insertBatches, insertSql } from "../workloads/data.ts"
import type { Client, ConnectOptions } from "./peer.ts"

/**
 * @category models
 * @since 0.1.0
 */
export type OpSpec =
  | { readonly op: "selectOne"; readonly n: number }
  | { readonly op: "selectParam"; readonly n: number; readonly inFlight: number; readonly connections: number }
  | { readonly op: "array"; readonly sql: string; readonly rows: number }
  | { readonly op: "stream"; readonly sql: string; readonly rows: number; readonly batch: number }
  | { readonly op: "repeat"; readonly sql: string; readonly n: number }
  | { readonly op: "copyIn"; readonly sql: string; readonly rows: number }
  | { readonly op: "insert"; readonly rows: number; readonly batch: number; readonly inFlight: number }
  | { readonly op: "copyOut"; readonly table: string; readonly rows: number; readonly limit?: number | undefined }
  | { readonly op: "interrupt"; readonly sleepSql: string; readonly afterMs: number; readonly samples: number }

/**
 * What a run produced: the units of work (queries or rows) and, for W7, the latencies.
 *
 * @category models
 * @since 0.1.0
 */
export interface OpOutput {
  readonly units: number
  readonly latenciesMs?: ReadonlyArray<number> | undefined
  /** bytes received (COPY TO), checked across contenders by the workload */
  readonly bytes?: number | undefined
}

/**
 * Data prepared before the timed part (COPY text).
 *
 * @category models
 * @since 0.1.0
 */
export interface Prepared {
  readonly chunks?: ReadonlyArray<Uint8Array> | undefined
}

/**
 * How a client must be connected for `spec`.
 *
 * @category models
 * @since 0.1.0
 */
export const connectOptionsFor = (spec: OpSpec): ConnectOptions =>
  spec.op === "selectParam"
    ? { connections: spec.connections, inFlight: spec.inFlight }
    : spec.op === "insert"
    ? { connections: 1, inFlight: spec.inFlight }
    : { connections: 1 }

/**
 * The client method `spec` needs, or undefined when the client lacks it.
 *
 * @category models
 * @since 0.1.0
 */
export const supports = (client: Client, spec: OpSpec): boolean => {
  switch (spec.op) {
    case "selectOne":
      return client.selectOneSequential !== undefined
    case "selectParam":
      return client.selectParamConcurrent !== undefined
    case "array":
      return client.selectArray !== undefined
    case "stream":
      return client.selectStream !== undefined
    case "repeat":
      return client.repeatQuery !== undefined
    case "copyIn":
      return client.copyIn !== undefined
    case "insert":
      return client.insertBatches !== undefined
    case "copyOut":
      return client.copyOut !== undefined
    case "interrupt":
      return client.interruptToUsable !== undefined
  }
}

/**
 * Builds the untimed inputs of `spec`.
 *
 * @category running
 * @since 0.1.0
 */
export const prepare = (spec: OpSpec): Prepared => (spec.op === "copyIn" ? { chunks: copyChunks(spec.rows) } : {})

const expect = (what: string, got: number, want: number): void => {
  if (got !== want) throw new Error(`${what}: got ${got}, expected ${want}`)
}

/**
 * Runs `spec` on `client` and checks the result (throws on a wrong answer or a missing feature).
 *
 * @category running
 * @since 0.1.0
 */
export const runOp = async (client: Client, spec: OpSpec, prepared: Prepared): Promise<OpOutput> => {
  const missing = (): never => {
    throw new Error(`the client does not support ${spec.op}`)
  }
  switch (spec.op) {
    case "selectOne":
      await (client.selectOneSequential ?? missing)(spec.n)
      return { units: spec.n }
    case "selectParam": {
      const sum = await (client.selectParamConcurrent ?? missing)(spec.n, spec.inFlight)
      expect("sum of answers", sum, (spec.n * (spec.n - 1)) / 2)
      return { units: spec.n }
    }
    case "array":
      expect("rows", await (client.selectArray ?? missing)(spec.sql), spec.rows)
      return { units: spec.rows }
    case "stream":
      expect("rows", await (client.selectStream ?? missing)(spec.sql, spec.batch), spec.rows)
      return { units: spec.rows }
    case "repeat": {
      const rows = await (client.repeatQuery ?? missing)(spec.sql, spec.n)
      if (rows < spec.n) throw new Error(`rows: got ${rows} for ${spec.n} queries`)
      return { units: spec.n }
    }
    case "copyIn": {
      const copied = await (client.copyIn ?? missing)(spec.sql, prepared.chunks ?? copyChunks(spec.rows))
      if (copied >= 0) expect("rows copied", copied, spec.rows)
      return { units: spec.rows }
    }
    case "insert": {
      const sql = insertSql(spec.batch)
      const rows = await (client.insertBatches ?? missing)(sql, () => insertBatches(spec.rows, spec.batch), spec.inFlight)
      expect("rows inserted", rows, spec.rows)
      return { units: spec.rows }
    }
    case "copyOut": {
      const sql = spec.limit === undefined
        ? `copy ${spec.table} to stdout`
        : `copy (select * from ${spec.table} limit ${spec.limit}) to stdout`
      const bytes = await (client.copyOut ?? missing)(sql)
      if (bytes <= 0) throw new Error("COPY TO returned no data")
      return { units: spec.rows, bytes }
    }
    case "interrupt": {
      const f = client.interruptToUsable ?? missing
      const latenciesMs: Array<number> = []
      for (let i = 0; i < spec.samples; i++) latenciesMs.push(await f(spec.sleepSql, spec.afterMs))
      return { units: spec.samples, latenciesMs }
    }
  }
}

/**
 * A copy of `spec` scaled down (warm-up runs).
 *
 * @category running
 * @since 0.1.0
 */
export const scaled = (spec: OpSpec, factor: number): OpSpec => {
  const n = (x: number) => Math.max(1, Math.floor(x * factor))
  switch (spec.op) {
    case "selectOne":
    case "repeat":
    case "selectParam":
      return { ...spec, n: n(spec.n) }
    case "interrupt":
      return { ...spec, samples: n(spec.samples) }
    case "copyIn":
      return { ...spec, rows: n(spec.rows) }
    case "insert":
      return { ...spec, rows: Math.max(1, Math.floor(n(spec.rows) / spec.batch)) * spec.batch }
    case "copyOut":
      return { ...spec, rows: n(spec.rows), limit: n(spec.rows) }
    default:
      return spec
  }
}
