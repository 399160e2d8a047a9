/**
 * `--profile`: runs one operation for pgfx alone in a child with the V8 CPU sampler (the
 * `node --cpu-prof` profiler, started through `node:inspector` around the timed part only, 200 µs
 * interval) and summarises the profile — self time per function and per source file (pgfx files by their path
 * in the repository, dependencies by package), plus GC and idle time.
 *
 * @since 0.1.0
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { OpSpec } from "./ops.ts"
import { runChild } from "./runner.ts"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
}
interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/**
 * @category models
 * @since 0.1.0
 */
export interface ProfileSummary {
  readonly id: string
  /** Sampled time, idle excluded. */
  readonly totalMs: number
  readonly idleMs: number
  readonly functions: ReadonlyArray<{ readonly name: string; readonly where: string; readonly ms: number; readonly percent: number }>
  readonly files: ReadonlyArray<{ readonly file: string; readonly ms: number; readonly percent: number }>
}

const repoRoot = path.resolve(fileURLToPath(new URL("../..", import.meta.url)))

/** `packages/connection/src/x.ts`, `effect/…`, `node:…`, or a category like `(garbage collector)`. */
const shortFile = (url: string, name: string): string => {
  if (url === "") return name.startsWith("(") ? name : "(native)"
  let p = url.startsWith("file://") ? fileURLToPath(url) : url
  const nm = p.lastIndexOf("/node_modules/")
  if (nm >= 0) {
    const rest = p.slice(nm + 14).split("/")
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!
    const inner = rest.slice(rest[0]!.startsWith("@") ? 2 : 1).join("/")
    return pkg === "effect" ? `effect/${inner.replace(/^(dist|src)\//, "")}` : pkg
  }
  if (p.startsWith(repoRoot)) p = path.relative(repoRoot, p)
  return p
}

/**
 * Summarises a `.cpuprofile`.
 *
 * @category profiling
 * @since 0.1.0
 */
export const summarizeProfile = (id: string, profile: CpuProfile, top = 15): ProfileSummary => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt)
  }
  let total = 0
  let idle = 0
  const fns = new Map<string, { name: string; where: string; ms: number }>()
  const files = new Map<string, number>()
  for (const [nodeId, ms] of self) {
    const n = byId.get(nodeId)
    if (n === undefined) continue
    if (n.callFrame.functionName === "(idle)") {
      idle += ms
      continue
    }
    total += ms
    const file = shortFile(n.callFrame.url, n.callFrame.functionName)
    const name = n.callFrame.functionName === "" ? "(anonymous)" : n.callFrame.functionName
    const where = n.callFrame.url === "" ? file : `${file}:${n.callFrame.lineNumber + 1}`
    const key = `${name}@${where}`
    const f = fns.get(key) ?? { name, where, ms: 0 }
    f.ms += ms
    fns.set(key, f)
    files.set(file, (files.get(file) ?? 0) + ms)
  }
  const pct = (ms: number) => (total === 0 ? 0 : (ms * 100) / total)
  return {
    id,
    totalMs: total,
    idleMs: idle,
    functions: [...fns.values()].toSorted((a, b) => b.ms - a.ms).slice(0, top).map((f) => ({ ...f, percent: pct(f.ms) })),
    files: [...files.entries()].toSorted((a, b) => b[1] - a[1]).slice(0, top).map(([file, ms]) => ({ file, ms, percent: pct(ms) }))
  }
}

/**
 * Profiles `spec` for pgfx in a child process.
 *
 * @category profiling
 * @since 0.1.0
 */
export const profilePgfx = async (
  id: string,
  url: string,
  spec: OpSpec,
  warmup: OpSpec | undefined
): Promise<ProfileSummary> => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pgfx-prof-"))
  try {
    const file = path.join(dir, "pgfx.cpuprofile")
    await runChild({ peer: "pgfx", url, spec, warmup, profileFile: file }, { timeoutMs: 170_000 })
    return summarizeProfile(id, JSON.parse(readFileSync(file, "utf8")) as CpuProfile)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A profile as Markdown.
 *
 * @category rendering
 * @since 0.1.0
 */
export const profileMarkdown = (p: ProfileSummary): string =>
  [
    `#### ${p.id}: pgfx CPU profile (${Math.round(p.totalMs)} ms busy + ${Math.round(p.idleMs)} ms idle sampled in the timed part; % of busy time)`,
    "",
    "| self % | function | where |",
    "|---:|---|---|",
    ...p.functions.map((f) => `| ${f.percent.toFixed(1)} | \`${f.name}\` | ${f.where} |`),
    "",
    "| self % | file / package |",
    "|---:|---|",
    ...p.files.map((f) => `| ${f.percent.toFixed(1)} | ${f.file} |`),
    ""
  ].join("\n")
