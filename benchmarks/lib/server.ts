/**
 * The PostgreSQL the benchmarks run against: an embedded server started for the run with
 * settings for benchmarking (no fsync, no synchronous commit, no full-page writes, larger shared
 * buffers and WAL, no autovacuum or JIT to add noise, no TLS so every client talks plain TCP),
 * or the server named by `DATABASE_URL` / `PG*`.
 *
 * For a local server whose postmaster pid is known (always for the embedded one), `serverCpuMs`
 * reads the CPU time of the postmaster and all its children from `/proc/<pid>/stat` (user +
 * system, plus the children it has already reaped), so a run's server CPU is the difference of
 * two readings.
 *
 * @since 0.1.0
 */
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { type RunningServer, serverFromEnvOrEmbedded } from "@pgfx/test/PgServer"

/**
 * @category models
 * @since 0.1.0
 */
export interface BenchServer {
  /** The URL every client uses (superuser of the test database, plain TCP). */
  readonly url: string
  /** libpq environment for psql / pgbench. */
  readonly env: Record<string, string>
  readonly description: string
  readonly embedded: boolean
  /** postmaster pid when known (server CPU accounting). */
  readonly postmasterPid: number | undefined
  readonly stop: () => Promise<void>
}

/**
 * Settings appended to the embedded server's `postgresql.conf`.
 *
 * @category constants
 * @since 0.1.0
 */
export const benchSettings: Readonly<Record<string, string | number | boolean>> = {
  fsync: false,
  synchronous_commit: false,
  full_page_writes: false,
  shared_buffers: "1GB",
  max_wal_size: "8GB",
  checkpoint_timeout: "30min",
  max_connections: 200,
  autovacuum: false,
  jit: false,
  ssl: false
}

const withSslDisabled = (url: string): string => {
  const u = new URL(url)
  if (!u.searchParams.has("sslmode")) u.searchParams.set("sslmode", "disable")
  return u.toString()
}

/**
 * Starts the embedded server (or attaches to the external one).
 *
 * @category constructors
 * @since 0.1.0
 */
export const startBenchServer = async (log: (line: string) => void): Promise<BenchServer> => {
  const running: RunningServer = await serverFromEnvOrEmbedded({ settings: benchSettings, log })
  const embedded = running.info.source === "embedded"
  const url = embedded ? withSslDisabled(running.connectionString()) : running.connectionString()
  const env = embedded ? { ...running.env(), PGSSLMODE: "disable" } : running.env()
  let postmasterPid: number | undefined
  if (embedded && running.info.dataDir !== undefined) {
    try {
      postmasterPid = Number(readFileSync(path.join(running.info.dataDir, "postmaster.pid"), "utf8").split("\n")[0])
    } catch {
      postmasterPid = undefined
    }
  } else if (process.env.PGFX_BENCH_POSTMASTER_PID !== undefined) {
    postmasterPid = Number(process.env.PGFX_BENCH_POSTMASTER_PID)
  }
  return {
    url,
    env: { ...env, DATABASE_URL: url },
    description: running.info.description,
    embedded,
    postmasterPid: Number.isInteger(postmasterPid) && postmasterPid! > 0 ? postmasterPid : undefined,
    stop: running.stop
  }
}

const ticksPerSecond = 100 // USER_HZ on Linux

/** Fields after the `(comm)` of /proc/<pid>/stat, 0-based from `state`. */
const statFields = (pid: number | string): Array<string> | undefined => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8")
    return s.slice(s.lastIndexOf(")") + 2).split(" ")
  } catch {
    return undefined
  }
}

/**
 * CPU milliseconds used so far by the postmaster and every process it started (live children
 * plus reaped ones), or undefined when not readable.
 *
 * @category measuring
 * @since 0.1.0
 */
export const serverCpuMs = (postmasterPid: number | undefined): number | undefined => {
  if (postmasterPid === undefined) return undefined
  const own = statFields(postmasterPid)
  if (own === undefined) return undefined
  // state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])
  const parent = String(postmasterPid)
  for (const entry of readdirSync("/proc")) {
    const c = entry.charCodeAt(0)
    if (c < 48 || c > 57) continue
    const f = statFields(entry)
    if (f !== undefined && f[1] === parent) ticks += Number(f[11]) + Number(f[12])
  }
  return (ticks * 1000) / ticksPerSecond
}

/**
 * Whether a child of the postmaster is a zombie (exited, not yet reaped) — its CPU time is then
 * in neither its own nor the postmaster's counters.
 *
 * @category measuring
 * @since 0.1.0
 */
export const serverChildrenExiting = (postmasterPid: number): boolean => {
  const parent = String(postmasterPid)
  for (const entry of readdirSync("/proc")) {
    const c = entry.charCodeAt(0)
    if (c < 48 || c > 57) continue
    const f = statFields(entry)
    if (f !== undefined && f[1] === parent && f[0] === "Z") return true
  }
  return false
}
