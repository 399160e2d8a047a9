/**
 * `pnpm bench [W1 W3 …] [--rounds N] [--hot] [--quick] [--profile | --profile-all]`
 *
 * Runs pgfx, postgres.js, pg and @effect/sql-pg in one process, interleaved round by round,
 * against an embedded PostgreSQL started for the run (tuned for benchmarking; see
 * `lib/server.ts`) or the server named by `DATABASE_URL` / `PG*`. Prints progress and the tables,
 * writes a dated `benchmarks/results/<date>.{json,md}`, and — after a run of every workload —
 * also `results/latest.{json,md}` and the table section of `benchmarks/README.md`.
 *
 * - `W1 … W7`: run only these workloads (default: all).
 * - `--rounds N`: measured rounds per table (defaults: 5 for the short workloads, 3 for the 1M-row ones).
 * - `--hot`: two `nice -n 19` busy loops keep the vCPUs awake (killed by pid at the end).
 * - `--quick`: small sizes and 2 rounds, a smoke test; results go to `results/quick.{json,md}`.
 * - `--profile`: afterwards, CPU-profile pgfx alone on every table where it missed its target;
 *   `--profile-all`: on every table run.
 *
 * @since 0.1.0
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { connectAdmin } from "./lib/admin.ts"
import { startSpinners } from "./lib/hot.ts"
import { findTools } from "./lib/limits.ts"
import { machineFacts } from "./lib/machine.ts"
import { loadPeers } from "./lib/peers.ts"
import { profileMarkdown, profilePgfx, type ProfileSummary } from "./lib/profile.ts"
import { type Machine, machineMarkdown, summaryMarkdown, type TableResult, tableMarkdown } from "./lib/report.ts"
import { benchSettings, startBenchServer } from "./lib/server.ts"
import type { WorkloadContext } from "./lib/workload.ts"
import { createLoadTableSql, createReadTableSql } from "./workloads/data.ts"
import { operationOf, workloads } from "./workloads/index.ts"
import { sizesFor } from "./workloads/sizes.ts"

const here = path.dirname(fileURLToPath(import.meta.url))
const resultsDir = path.join(here, "results")
const readmePath = path.join(here, "README.md")
const startMarker = "<!-- pnpm bench: results start -->"
const endMarker = "<!-- pnpm bench: results end -->"
/** Past this, remaining workloads are skipped (each run is bounded too). */
const overallBudgetMs = 25 * 60_000

interface Args {
  readonly selected: ReadonlyArray<string>
  readonly rounds: number | undefined
  readonly hot: boolean
  readonly quick: boolean
  readonly profile: "off" | "missed" | "all"
}

const usage = "usage: pnpm bench [W1 … W7] [--rounds N] [--hot] [--quick] [--profile | --profile-all]"

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const selected: Array<string> = []
  let rounds: number | undefined
  let hot = false
  let quick = false
  let profile: Args["profile"] = "off"
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === "--") continue
    if (a === "--hot") hot = true
    else if (a === "--quick") quick = true
    else if (a === "--profile") profile = "missed"
    else if (a === "--profile-all") profile = "all"
    else if (a === "--rounds" || a.startsWith("--rounds=")) {
      const v = a.includes("=") ? a.slice(9) : argv[++i]
      rounds = Number(v)
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`--rounds takes 1..50 (${usage})`)
    } else if (/^w\d+[a-z]?$/i.test(a)) {
      const id = a.toUpperCase().replace(/[A-Z]$/, "")
      if (!workloads.some((w) => w.id === id)) throw new Error(`unknown workload ${a} (${usage})`)
      if (!selected.includes(id)) selected.push(id)
    } else if (a === "--help" || a === "-h") {
      console.log(usage)
      process.exit(0)
    } else throw new Error(`unknown argument ${a} (${usage})`)
  }
  return { selected, rounds, hot, quick, profile }
}

const stamp = (d: Date): string => d.toISOString().slice(0, 16).replace(":", "")

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2))
  const peers = await loadPeers()
  const started = performance.now()
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`
  const log = (line: string) => console.log(`[${elapsed().padStart(5)}] ${line}`)
  const chosen = workloads.filter((w) => args.selected.length === 0 || args.selected.includes(w.id))
  const stopSpinners = args.hot ? startSpinners(2) : () => {}
  if (args.hot) log("hot mode: 2 nice -n 19 spinners started")
  const server = await startBenchServer(log)
  const admin = await connectAdmin(server.url)
  const tools = findTools(server.env)
  const tables: Array<TableResult> = []
  const profiles: Array<ProfileSummary> = []
  try {
    const pgVersion = String((await admin.rows("show server_version"))[0]!.server_version)
    const facts = machineFacts()
    const machine: Machine = {
      ...facts,
      postgres: pgVersion,
      server: server.embedded ? "embedded, started for the run" : "external (DATABASE_URL / PG*)",
      date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
      hot: args.hot,
      quick: args.quick,
      versions: Object.fromEntries(peers.map((p) => [p.name, p.version]))
    }
    log(`${facts.cpu}, ${facts.cores} vCPU; Node ${facts.node}; PostgreSQL ${pgVersion}; ${server.description}`)
    log(`pgbench: ${tools.pgbench ?? "not found"}; psql: ${tools.psql ?? "not found"}; server CPU: ${server.postmasterPid === undefined ? "not measurable" : `/proc of postmaster ${server.postmasterPid}`}`)
    const readRows = sizesFor(args.quick).readRows
    const needs = (ids: ReadonlyArray<string>) => chosen.some((w) => ids.includes(w.id))
    if (needs(["W3", "W6"])) {
      log(`creating the ${readRows.toLocaleString("en-US")}-row table for W3/W6`)
      for (const sql of createReadTableSql(readRows)) await admin.exec(sql)
    }
    const ctx: WorkloadContext = {
      url: server.url,
      admin,
      tools,
      peers,
      quick: args.quick,
      rounds: args.rounds,
      postmasterPid: server.postmasterPid,
      localServer: server.embedded,
      readRows,
      log
    }
    for (const w of chosen) {
      if (performance.now() - started > overallBudgetMs) {
        log(`${w.id} skipped: the run is past its ${overallBudgetMs / 60_000}-minute budget`)
        continue
      }
      const t0 = performance.now()
      const result = await w.run(ctx)
      tables.push(...result)
      for (const t of result) console.log(`\n${tableMarkdown(t)}`)
      log(`${w.id} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
    }
    if (args.profile !== "off") {
      for (const sql of createLoadTableSql) await admin.exec(sql)
      for (const t of tables) {
        if (args.profile === "missed" && t.targetMet !== false) continue
        const op = operationOf(t.id, args.quick)
        if (op === undefined) continue
        if (op.before !== undefined) await admin.exec(op.before)
        log(`profiling pgfx on ${t.id}`)
        try {
          const p = await profilePgfx(t.id, server.url, op.spec, op.warmup)
          profiles.push(p)
          console.log(`\n${profileMarkdown(p)}`)
        } catch (e) {
          log(`profile of ${t.id} failed: ${e instanceof Error ? e.message : String(e)}`)
        }
      }
    }
    const header = machineMarkdown(machine)
    const tablesMarkdown = [
      "## Against the peers (`pnpm bench`)",
      "",
      methodology,
      header,
      "### Summary",
      "",
      summaryMarkdown(tables),
      ...tables.map(tableMarkdown)
    ].join("\n")
    const markdown = profiles.length === 0
      ? tablesMarkdown
      : [tablesMarkdown, "### pgfx profiles", "", ...profiles.map(profileMarkdown)].join("\n")
    console.log(`\n${summaryMarkdown(tables)}`)
    const json = JSON.stringify(
      { machine, args, serverSettings: server.embedded ? benchSettings : undefined, elapsedSeconds: Math.round((performance.now() - started) / 1000), tables, profiles },
      null,
      2
    )
    mkdirSync(resultsDir, { recursive: true })
    if (args.quick) {
      writeFileSync(path.join(resultsDir, "quick.json"), json)
      writeFileSync(path.join(resultsDir, "quick.md"), `${markdown}\n`)
      log("wrote results/quick.{json,md}")
    } else {
      const name = stamp(new Date())
      const full = args.selected.length === 0
      for (const base of full ? ["latest", name] : [name]) {
        writeFileSync(path.join(resultsDir, `${base}.json`), json)
        writeFileSync(path.join(resultsDir, `${base}.md`), `${markdown}\n`)
      }
      if (full) {
        log(`wrote results/latest.{json,md} and results/${name}.{json,md}`)
        updateReadme(
          profiles.length === 0
            ? tablesMarkdown
            : `${tablesMarkdown}\nCPU profiles of pgfx on the tables where it missed: \`results/latest.md\`.\n`
        )
        log("updated the table section of benchmarks/README.md")
      } else log(`wrote results/${name}.{json,md} (latest.* and README.md only change after a run of every workload)`)
    }
  } finally {
    await admin.close().catch(() => {})
    await server.stop()
    tools.dispose()
    stopSpinners()
    log("done")
  }
}

const methodology = `\`\`\`sh
pnpm bench                    # every workload (≈ 10–14 min on a 2-vCPU VM)
pnpm bench W1 W3              # a subset
pnpm bench --quick            # small sizes, 2 rounds: a smoke test (results/quick.*)
pnpm bench --rounds 5 --hot   # more rounds; two nice -n 19 spinners keep the vCPUs awake
pnpm bench --profile          # afterwards, CPU-profile pgfx on every table where it missed its target
DATABASE_URL=postgres://… pnpm bench   # an external server instead of the embedded one
\`\`\`

Each table runs the four clients and the limit references (*italic*) interleaved in one
process — one warm-up run at reduced size, then one run of each per round, the order rotating each
round — against an embedded PostgreSQL started for the run (\`fsync\`, \`synchronous_commit\`,
\`full_page_writes\` off, \`shared_buffers = 1GB\`, no autovacuum, no JIT, no TLS; TCP on
127.0.0.1). Figures are the median over the rounds with min and max; **× fastest** is the median
divided by the fastest peer's (limits above 1 show the headroom). **Client CPU** is
\`process.cpuUsage()\` of the client's process around the run; **server CPU** is read from
\`/proc/<pid>/stat\` of the postmaster and all its children (user + system, reaped children
included; 10 ms resolution) — both per query or row. **Peak RSS** (W3 only) is
\`process.resourceUsage().maxRSS\` of a fresh \`node --expose-gc\` child per client and run.
Every run checks its result (sums, row counts, bytes); a client lacking a feature shows "—". On
these shared VMs absolute rates drift by tens of percent between runs and rounds: compare the
ratios inside one run.
`

/** Replaces (or inserts, before the first other `## ` section) the marked section of README.md. */
const updateReadme = (markdown: string): void => {
  const readme = readFileSync(readmePath, "utf8")
  const block = `${startMarker}\n${markdown.trim()}\n${endMarker}`
  const start = readme.indexOf(startMarker)
  const end = readme.indexOf(endMarker)
  let next: string
  if (start >= 0 && end > start) next = readme.slice(0, start) + block + readme.slice(end + endMarker.length)
  else {
    const at = readme.search(/^## /m)
    next = at < 0 ? `${readme.trimEnd()}\n\n${block}\n` : `${readme.slice(0, at)}${block}\n\n${readme.slice(at)}`
  }
  writeFileSync(readmePath, next)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  }
)
