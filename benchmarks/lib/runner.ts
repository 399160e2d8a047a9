/**
 * Interleaved rounds. Every contender of a table is opened once, warmed up, then run once per
 * round in turn — the order rotating each round (A B C D, B C D A, …) so no contender always
 * follows the same neighbour — and closed at the end. Each run is bounded in time; a contender
 * that fails or times out keeps the samples it has and is skipped for the remaining rounds.
 *
 * Around every run the harness reads its own CPU time (`process.cpuUsage`) and the server's
 * (`/proc` of the postmaster and its children) unless the run reports them itself.
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { ChildArgs, ChildResult } from "./child.ts"
import { connectOptionsFor, type OpOutput, type OpSpec, type Prepared, prepare, runOp, scaled, supports } from "./ops.ts"
import type { Client, Peer } from "./peer.ts"
import { serverChildrenExiting, serverCpuMs } from "./server.ts"

/**
 * One measured run.
 *
 * @category models
 * @since 0.1.0
 */
export interface Sample {
  readonly units: number
  readonly ms: number
  readonly clientCpuMs?: number | undefined
  readonly serverCpuMs?: number | undefined
  readonly peakRssBytes?: number | undefined
  readonly rssGrowthBytes?: number | undefined
  readonly latenciesMs?: ReadonlyArray<number> | undefined
  readonly bytes?: number | undefined
}

/**
 * A row of a table: a peer or a limit reference.
 *
 * @category models
 * @since 0.1.0
 */
export interface Contender {
  readonly label: string
  readonly kind: "peer" | "limit"
  readonly note?: string | undefined
  /** Why there is no figure (shown as "—"). */
  readonly missing?: string | undefined
  readonly open?: (() => Promise<void>) | undefined
  /** Asked after `open`: a reason when the connected client lacks the feature (shown as "—"). */
  readonly unsupported?: (() => string | undefined) | undefined
  readonly warmup?: (() => Promise<void>) | undefined
  /** Untimed, before every run (TRUNCATE …). */
  readonly before?: (() => Promise<void>) | undefined
  /** The timed run; `ms` / CPU may be filled in by the runner. */
  readonly run: () => Promise<Partial<Sample> & { readonly units: number }>
  /** Untimed check after every run; throws when the run did not do its work. */
  readonly after?: ((sample: Sample) => Promise<void>) | undefined
  readonly close?: (() => Promise<void>) | undefined
  /**
   * The run starts and ends processes (a child, pgbench, psql) whose server backends exit with
   * them: wait until the postmaster has reaped those before reading the server's CPU time (a
   * zombie's CPU time is invisible until it is reaped).
   */
  readonly spawnsProcesses?: boolean | undefined
}

/**
 * What a contender produced over all rounds.
 *
 * @category models
 * @since 0.1.0
 */
export interface ContenderResult {
  readonly label: string
  readonly kind: "peer" | "limit"
  readonly note?: string | undefined
  readonly missing?: string | undefined
  readonly error?: string | undefined
  readonly samples: ReadonlyArray<Sample>
}

/**
 * @category models
 * @since 0.1.0
 */
export interface RunSettings {
  readonly id: string
  readonly rounds: number
  readonly log: (line: string) => void
  readonly postmasterPid: number | undefined
  /** Per-run bound (default 180 s). */
  readonly runTimeoutMs?: number | undefined
  /** Formats a sample for the progress line. */
  readonly describe: (sample: Sample) => string
}

const withTimeout = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Waits (≤ 2 s) until the postmaster has no exited-but-unreaped or exiting client backends. */
const reaped = async (postmasterPid: number): Promise<void> => {
  const deadline = Date.now() + 2_000
  await new Promise((r) => setTimeout(r, 20))
  while (Date.now() < deadline && serverChildrenExiting(postmasterPid)) await new Promise((r) => setTimeout(r, 10))
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200)

/**
 * Runs the contenders in interleaved rounds.
 *
 * @category running
 * @since 0.1.0
 */
export const interleave = async (settings: RunSettings, contenders: ReadonlyArray<Contender>): Promise<Array<ContenderResult>> => {
  const timeoutMs = settings.runTimeoutMs ?? 180_000
  const state = contenders.map((c) => ({
    contender: c,
    samples: [] as Array<Sample>,
    error: undefined as string | undefined,
    missing: c.missing,
    active: c.missing === undefined
  }))
  const fail = (s: (typeof state)[number], stage: string, e: unknown): void => {
    s.error = `${stage}: ${message(e)}`
    s.active = false
    settings.log(`  ${settings.id} ${s.contender.label}: ${s.error}`)
  }
  for (const s of state) {
    if (!s.active) continue
    try {
      if (s.contender.open !== undefined) await withTimeout(s.contender.open(), 60_000, "connect")
      s.missing = s.contender.unsupported?.()
      if (s.missing !== undefined) {
        s.active = false
        continue
      }
      if (s.contender.warmup !== undefined) await withTimeout(s.contender.warmup(), timeoutMs, "warm-up")
    } catch (e) {
      fail(s, "set-up", e)
    }
  }
  for (let round = 0; round < settings.rounds; round++) {
    for (let k = 0; k < state.length; k++) {
      const s = state[(k + round) % state.length]!
      if (!s.active) continue
      const c = s.contender
      try {
        if (c.before !== undefined) await withTimeout(c.before(), timeoutMs, "preparation")
        const srv0 = serverCpuMs(settings.postmasterPid)
        const cpu0 = process.cpuUsage()
        const t0 = performance.now()
        const out = await withTimeout(c.run(), timeoutMs, "run")
        const ms = performance.now() - t0
        const cpu = process.cpuUsage(cpu0)
        if (c.spawnsProcesses === true && settings.postmasterPid !== undefined) await reaped(settings.postmasterPid)
        const srv1 = serverCpuMs(settings.postmasterPid)
        const sample: Sample = {
          ...out,
          ms: out.ms ?? ms,
          // a limit's client is another program (or none): the harness's own CPU would mislead
          clientCpuMs: c.kind === "limit" ? out.clientCpuMs : out.clientCpuMs ?? (cpu.user + cpu.system) / 1000,
          serverCpuMs: out.serverCpuMs ?? (srv0 !== undefined && srv1 !== undefined ? srv1 - srv0 : undefined)
        }
        if (c.after !== undefined) await withTimeout(c.after(sample), timeoutMs, "check")
        s.samples.push(sample)
        settings.log(`  ${settings.id} round ${round + 1}/${settings.rounds} ${c.label}: ${settings.describe(sample)}`)
      } catch (e) {
        fail(s, `round ${round + 1}`, e)
      }
    }
  }
  for (const s of state) {
    try {
      if (s.contender.close !== undefined) await withTimeout(s.contender.close(), 30_000, "close")
    } catch {
      // a client that cannot close cleanly does not change its figures
    }
  }
  return state.map((s) => ({
    label: s.contender.label,
    kind: s.contender.kind,
    note: s.contender.note,
    missing: s.missing,
    error: s.error,
    samples: s.samples
  }))
}

/**
 * Per-workload wiring of a peer.
 *
 * @category models
 * @since 0.1.0
 */
export interface PeerRun {
  readonly url: string
  readonly spec: OpSpec
  /** Warm-up scale (default 0.2); 0 = no warm-up. */
  readonly warmupFactor?: number | undefined
  readonly note?: string | undefined
  readonly before?: (() => Promise<void>) | undefined
  readonly after?: ((sample: Sample) => Promise<void>) | undefined
}

/**
 * A peer running `spec` in this process on one client kept open for all rounds.
 *
 * @category constructors
 * @since 0.1.0
 */
export const inProcess = (peer: Peer, options: PeerRun): Contender => {
  let client: Client | undefined
  let missing: string | undefined
  const factor = options.warmupFactor ?? 0.2
  return {
    label: peer.name,
    kind: "peer",
    get note() {
      return client?.note ?? options.note
    },
    open: async () => {
      client = await peer.connect(options.url, connectOptionsFor(options.spec))
      if (!supports(client, options.spec)) missing = "no such API"
    },
    unsupported: () => missing,
    warmup: factor > 0
      ? async () => {
        if (client === undefined || missing !== undefined) return
        const spec = scaled(options.spec, factor)
        await options.before?.()
        await runOp(client, spec, prepare(spec))
      }
      : undefined,
    before: async () => {
      await options.before?.()
      // untimed: generated inputs are shared by every contender of the table
      prepared(options.spec)
    },
    run: async () => {
      if (client === undefined) throw new Error("not connected")
      const input = prepared(options.spec)
      const out: OpOutput = await runOp(client, options.spec, input)
      return out
    },
    after: options.after,
    close: async () => {
      await client?.close()
    }
  }
}

const preparedInputs = new Map<string, Prepared>()

/** The untimed inputs of `spec`, built once and shared until {@link clearPrepared}. */
const prepared = (spec: OpSpec): Prepared => {
  const key = JSON.stringify(spec)
  let p = preparedInputs.get(key)
  if (p === undefined) {
    p = prepare(spec)
    preparedInputs.set(key, p)
  }
  return p
}

/**
 * Drops the shared generated inputs (COPY text) once a workload is done with them.
 *
 * @category running
 * @since 0.1.0
 */
export const clearPrepared = (): void => {
  preparedInputs.clear()
}

const childPath = fileURLToPath(new URL("./child.ts", import.meta.url))

/**
 * Runs one operation in a fresh `node --expose-gc` child and returns its `RESULT` line.
 *
 * @category running
 * @since 0.1.0
 */
export const runChild = (
  args: ChildArgs,
  options: { readonly timeoutMs: number; readonly nodeFlags?: ReadonlyArray<string> | undefined }
): Promise<ChildResult> =>
  new Promise<ChildResult>((resolve, reject) => {
    // the child resolves pgfx the way this process does (`--conditions=@pgfx/dist`: the built JS)
    const inherited = process.execArgv.filter((flag) => flag.startsWith("--conditions") || flag.startsWith("-C"))
    const child = spawn(process.execPath, [...inherited, ...(options.nodeFlags ?? []), "--expose-gc", childPath, JSON.stringify(args)], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8")
    })
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8")
    })
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
    }, options.timeoutMs)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const line = out.split("\n").find((l) => l.startsWith("RESULT "))
      if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice(7)) as ChildResult)
      else {
        reject(new Error(`child ${args.peer} ${args.spec.op} exited with ${signal ?? code}: ${err.trim().split("\n").slice(-3).join(" | ")}`))
      }
    })
  })

/**
 * A peer running `spec` in a fresh child process per run (peak RSS per client and run).
 *
 * @category constructors
 * @since 0.1.0
 */
export const inChild = (
  peer: Peer,
  options: PeerRun & { readonly warmup?: OpSpec | undefined; readonly missing?: string | undefined; readonly timeoutMs?: number | undefined }
): Contender => ({
  label: peer.name,
  kind: "peer",
  spawnsProcesses: true,
  note: options.note,
  missing: options.missing,
  before: options.before,
  run: async () => {
    const r = await runChild(
      { peer: peer.name, url: options.url, spec: options.spec, warmup: options.warmup },
      { timeoutMs: options.timeoutMs ?? 170_000 }
    )
    return {
      units: r.units,
      ms: r.ms,
      clientCpuMs: r.clientCpuMs,
      peakRssBytes: r.peakRssBytes,
      rssGrowthBytes: r.rssGrowthBytes,
      bytes: r.bytes
    }
  },
  after: options.after
})
