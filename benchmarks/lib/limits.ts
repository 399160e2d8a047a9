/**
 * Limit references measured beside the peers, in the same interleaved rounds:
 *
 * - `pgbench` (libpq, C): `-M prepared`, one client, optionally `\startpipeline` — what a
 *   client with no decoding cost reaches for W1/W2/W4.
 * - `psql \copy` (libpq) for COPY FROM / TO.
 * - the server's own time: `EXPLAIN (ANALYZE, SERIALIZE)` (executes and serialises the result
 *   without sending it), `INSERT … SELECT generate_series` for the load, `COPY … TO '/dev/null'`
 *   written by the server itself.
 *
 * Tools missing on the machine give a contender with `missing` set ("—").
 *
 * @since 0.1.0
 */
import { execFileSync, spawn } from "node:child_process"
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Admin } from "./admin.ts"
import type { Contender } from "./runner.ts"

/**
 * The path of an executable on PATH, or undefined.
 *
 * @category tools
 * @since 0.1.0
 */
export const which = (name: string): string | undefined => {
  try {
    const out = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim()
    return out === "" ? undefined : out
  } catch {
    return undefined
  }
}

/**
 * @category tools
 * @since 0.1.0
 */
export interface Tools {
  readonly pgbench: string | undefined
  readonly psql: string | undefined
  readonly env: Record<string, string>
  readonly tmpDir: string
}

/**
 * Finds pgbench / psql and makes a scratch directory (removed by `dispose`).
 *
 * @category tools
 * @since 0.1.0
 */
export const findTools = (env: Record<string, string>): Tools & { readonly dispose: () => void } => {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), "pgfx-bench-"))
  // the embedded server runs as another OS user and reads the COPY file itself (W5 limit)
  chmodSync(tmpDir, 0o755)
  return {
    pgbench: which("pgbench"),
    psql: which("psql"),
    env,
    tmpDir,
    dispose: () => rmSync(tmpDir, { recursive: true, force: true })
  }
}

const runTool = (
  file: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  timeoutMs = 170_000
): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8")
    })
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString("utf8")
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`${path.basename(file)} exited with ${signal ?? code}: ${out.trim().split("\n").slice(-2).join(" | ")}`))
    })
  })

/**
 * pgbench with a custom script: `transactions` transactions of `queriesPerTransaction` statements
 * each, over `clients` connections; the rate comes from pgbench's own `tps` (connection time
 * excluded).
 *
 * @category limits
 * @since 0.1.0
 */
export const pgbench = (
  tools: Tools,
  options: {
    readonly label: string
    readonly note: string
    readonly script: string
    readonly queriesPerTransaction: number
    readonly transactions: number
    readonly clients?: number | undefined
  }
): Contender => {
  const file = path.join(tools.tmpDir, `pgbench-${Math.random().toString(36).slice(2)}.sql`)
  const clients = options.clients ?? 1
  return {
    label: options.label,
    kind: "limit",
    note: options.note,
    spawnsProcesses: true,
    missing: tools.pgbench === undefined ? "pgbench not installed" : undefined,
    open: async () => {
      writeFileSync(file, options.script)
    },
    run: async () => {
      const out = await runTool(tools.pgbench!, [
        "-n",
        "-M",
        "prepared",
        "-f",
        file,
        "-c",
        String(clients),
        "-j",
        String(Math.min(clients, 2)),
        "-t",
        String(Math.ceil(options.transactions / clients))
      ], tools.env)
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)
      if (tps === null) throw new Error(`no tps in pgbench output: ${out.slice(-200)}`)
      const transactions = Math.ceil(options.transactions / clients) * clients
      const units = transactions * options.queriesPerTransaction
      return { units, ms: (transactions / Number(tps[1])) * 1000, clientCpuMs: undefined }
    }
  }
}

/**
 * `psql -c "\copy …"`: wall time of the psql process (includes its start and connection,
 * ~10–20 ms).
 *
 * @category limits
 * @since 0.1.0
 */
export const psqlCopy = (
  tools: Tools,
  options: {
    readonly label: string
    readonly note: string
    readonly command: string
    readonly rows: number
    readonly before?: (() => Promise<void>) | undefined
    readonly after?: (() => Promise<void>) | undefined
    readonly open?: (() => Promise<void>) | undefined
  }
): Contender => ({
  label: options.label,
  kind: "limit",
  note: options.note,
  spawnsProcesses: true,
  missing: tools.psql === undefined ? "psql not installed" : undefined,
  open: options.open,
  before: options.before,
  run: async () => {
    await runTool(tools.psql!, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", options.command], tools.env)
    return { units: options.rows, clientCpuMs: undefined }
  },
  after: options.after === undefined ? undefined : () => options.after!()
})

/**
 * A statement the server runs by itself (one round trip from the harness), timed by wall clock.
 *
 * @category limits
 * @since 0.1.0
 */
export const serverSide = (
  admin: Admin,
  options: {
    readonly label: string
    readonly note: string
    readonly sql: string
    readonly units: number
    readonly before?: (() => Promise<void>) | undefined
    readonly after?: (() => Promise<void>) | undefined
  }
): Contender => ({
  label: options.label,
  kind: "limit",
  note: options.note,
  before: options.before,
  run: async () => {
    await admin.exec(options.sql)
    return { units: options.units, clientCpuMs: undefined }
  },
  after: options.after === undefined ? undefined : () => options.after!()
})

/**
 * `EXPLAIN (ANALYZE, SERIALIZE binary, TIMING off)` of `sql`, `repeat` times per run: the
 * server's execution + serialisation time (its `Execution Time`), no network, no client.
 *
 * @category limits
 * @since 0.1.0
 */
export const explainSerialize = (
  admin: Admin,
  options: { readonly label: string; readonly note: string; readonly sql: string; readonly units: number; readonly repeat?: number | undefined }
): Contender => ({
  label: options.label,
  kind: "limit",
  note: options.note,
  run: async () => {
    let ms = 0
    for (let i = 0; i < (options.repeat ?? 1); i++) {
      const rows = await admin.rows(`explain (analyze, serialize binary, timing off, costs off, buffers off) ${options.sql}`)
      const line = rows.map((r) => String(Object.values(r)[0])).find((l) => l.startsWith("Execution Time:"))
      if (line === undefined) throw new Error("no Execution Time in EXPLAIN output (SERIALIZE needs PostgreSQL 17+)")
      ms += Number(/([\d.]+) ms/.exec(line)![1])
    }
    return { units: options.units, ms, clientCpuMs: undefined }
  }
})
