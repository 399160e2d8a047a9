/**
 * What a workload module gets and returns, and the one helper they all use to run a table.
 *
 * @since 0.1.0
 */
import type { Admin } from "./admin.ts"
import type { Tools } from "./limits.ts"
import type { Peer } from "./peer.ts"
import { buildTable, type TableResult, type TableSpec } from "./report.ts"
import { type Contender, interleave, type Sample } from "./runner.ts"
import { formatMs, formatRate } from "./stats.ts"

/**
 * @category models
 * @since 0.1.0
 */
export interface WorkloadContext {
  readonly url: string
  readonly admin: Admin
  readonly tools: Tools
  readonly peers: ReadonlyArray<Peer>
  readonly quick: boolean
  /** `--rounds N`, overriding each workload's default. */
  readonly rounds: number | undefined
  readonly postmasterPid: number | undefined
  /** The server runs on this machine (it can read files the harness writes). */
  readonly localServer: boolean
  /** Rows in the table W3 and W6 read. */
  readonly readRows: number
  readonly log: (line: string) => void
}

/**
 * @category models
 * @since 0.1.0
 */
export interface Workload {
  readonly id: string
  readonly title: string
  readonly run: (ctx: WorkloadContext) => Promise<ReadonlyArray<TableResult>>
}

/**
 * Rounds for a workload: `--rounds`, else `quick` / `full` defaults.
 *
 * @category helpers
 * @since 0.1.0
 */
export const roundsFor = (ctx: WorkloadContext, full: number): number => ctx.rounds ?? (ctx.quick ? 2 : full)

/**
 * Runs the contenders interleaved and builds the table.
 *
 * @category helpers
 * @since 0.1.0
 */
export const measure = async (
  ctx: WorkloadContext,
  spec: TableSpec,
  contenders: ReadonlyArray<Contender>,
  runTimeoutMs?: number
): Promise<TableResult> => {
  ctx.log(`${spec.id} ${spec.title} — ${spec.size}, ${spec.rounds} round(s)`)
  const describe = (s: Sample): string => {
    const cpu = s.clientCpuMs === undefined ? "" : `, client CPU ${formatMs(s.clientCpuMs)}`
    const srv = s.serverCpuMs === undefined ? "" : `, server CPU ${formatMs(s.serverCpuMs)}`
    const rss = s.peakRssBytes === undefined ? "" : `, peak RSS ${(s.peakRssBytes / 1048576).toFixed(0)} MiB`
    if (s.latenciesMs !== undefined) {
      const sorted = s.latenciesMs.toSorted((a, b) => a - b)
      return `median ${formatMs(sorted[Math.floor(sorted.length / 2)]!)}, max ${formatMs(sorted[sorted.length - 1]!)}${cpu}${srv}`
    }
    return `${formatRate((s.units / s.ms) * 1000)} (${formatMs(s.ms)})${cpu}${srv}${rss}`
  }
  const results = await interleave(
    { id: spec.id, rounds: spec.rounds, log: ctx.log, postmasterPid: ctx.postmasterPid, describe, runTimeoutMs },
    contenders
  )
  return buildTable(spec, results)
}
