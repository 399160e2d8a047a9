/**
 * Child-process entry: connects one client, runs one operation and prints its measurements as
 * one `RESULT {json}` line. Used for the memory-sensitive workloads (a fresh process per client
 * and run, so peak RSS belongs to that client alone) and for `--cpu-prof` profiles.
 *
 *   node --expose-gc benchmarks/lib/child.ts '{"peer":"pgfx","url":"…","spec":{…}}'
 *
 * With `profileFile` the timed part (only) is CPU-profiled through `node:inspector` — the same
 * sampler as `node --cpu-prof`, without the start-up, connection and data generation.
 *
 * Before the timed part it runs the operation once on a small input when `warmup` is given (JIT),
 * collects garbage and notes the RSS; `rssGrowthBytes` is the peak RSS minus that baseline.
 *
 * @since 0.1.0
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { connectOptionsFor, type OpSpec, prepare, runOp } from "./ops.ts"
import { loadPeer } from "./peers.ts"

/**
 * What the child prints.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildResult {
  readonly units: number
  readonly ms: number
  readonly clientCpuMs: number
  readonly peakRssBytes: number
  readonly baselineRssBytes: number
  readonly rssGrowthBytes: number
  readonly bytes?: number | undefined
}

/**
 * What the child is told to do.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildArgs {
  readonly peer: string
  readonly url: string
  readonly spec: OpSpec
  readonly warmup?: OpSpec | undefined
  /** When set, a CPU profile of the timed part alone is written there (`.cpuprofile` JSON). */
  readonly profileFile?: string | undefined
}

const startProfiler = async (): Promise<Session> => {
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 200 })
  await session.post("Profiler.start")
  return session
}

const main = async (): Promise<void> => {
  const args = JSON.parse(process.argv[2] ?? "{}") as ChildArgs
  const peer = await loadPeer(args.peer)
  const client = await peer.connect(args.url, connectOptionsFor(args.spec))
  try {
    if (args.warmup !== undefined) await runOp(client, args.warmup, prepare(args.warmup))
    const prepared = prepare(args.spec)
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc !== undefined) {
      gc()
      gc()
    }
    const baselineRssBytes = process.memoryUsage().rss
    const session = args.profileFile === undefined ? undefined : await startProfiler()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    const out = await runOp(client, args.spec, prepared)
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    if (session !== undefined) {
      const { profile } = await session.post("Profiler.stop")
      writeFileSync(args.profileFile!, JSON.stringify(profile))
      session.disconnect()
    }
    const peakRssBytes = process.resourceUsage().maxRSS * 1024
    const result: ChildResult = {
      units: out.units,
      ms,
      clientCpuMs: (cpu.user + cpu.system) / 1000,
      peakRssBytes,
      baselineRssBytes,
      rssGrowthBytes: peakRssBytes - baselineRssBytes,
      bytes: out.bytes
    }
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
  } finally {
    await client.close()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  }
)
