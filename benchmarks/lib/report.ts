/**
 * Turning runs into tables: medians with min/max, the ratio to the fastest peer, CPU per unit of
 * work, peak RSS, the issue's targets; rendered as Markdown (console, `results/*.md`, README) and
 * kept as JSON (`results/*.json`).
 *
 * @since 0.1.0
 */
import type { ContenderResult, Sample } from "./runner.ts"
import { formatMiB, formatMs, formatRate, formatRatio, quantile, type Summary, summarize } from "./stats.ts"

/**
 * What a table measures.
 *
 * @category models
 * @since 0.1.0
 */
export interface TableSpec {
  readonly id: string
  readonly title: string
  /** `queries` / `rows`: throughput (higher is better); `latency`: milliseconds (lower is better). */
  readonly unit: "queries" | "rows" | "latency"
  /** One line: sizes and how it runs. */
  readonly size: string
  readonly rounds: number
  readonly notes?: ReadonlyArray<string> | undefined
  /** Memory targets of W3 (peak RSS of the array / growth of the stream). */
  readonly memoryTarget?: { readonly kind: "peak" | "growth"; readonly bytes: number; readonly text: string } | undefined
}

/**
 * @category models
 * @since 0.1.0
 */
export interface TableRow {
  readonly label: string
  readonly kind: "peer" | "limit"
  readonly note?: string | undefined
  readonly missing?: string | undefined
  readonly error?: string | undefined
  readonly runs: number
  /** units per second over the runs */
  readonly rate?: Summary | undefined
  /** W7: latency of all samples (median, p99) and min/max of the per-round medians */
  readonly latency?: { readonly median: number; readonly p99: number; readonly min: number; readonly max: number; readonly count: number } | undefined
  /** rate / fastest peer's rate; for latency: latency / fastest peer's latency */
  readonly ratio?: number | undefined
  readonly clientCpuUsPerUnit?: number | undefined
  readonly serverCpuUsPerUnit?: number | undefined
  readonly peakRssBytes?: number | undefined
  readonly rssGrowthBytes?: number | undefined
  readonly samples: ReadonlyArray<Sample>
}

/**
 * @category models
 * @since 0.1.0
 */
export interface TableResult extends TableSpec {
  readonly rows: ReadonlyArray<TableRow>
  /** pgfx against the best other peer, and the targets. */
  readonly verdict?: string | undefined
  readonly targetMet?: boolean | undefined
}

const medianOf = (values: ReadonlyArray<number | undefined>): number | undefined => {
  const defined = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  return defined.length === 0 ? undefined : quantile(defined, 0.5)
}
const maxOf = (values: ReadonlyArray<number | undefined>): number | undefined => {
  const defined = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  return defined.length === 0 ? undefined : Math.max(...defined)
}

const pgfxName = "pgfx"

/**
 * Builds a table from the runs.
 *
 * @category building
 * @since 0.1.0
 */
export const buildTable = (spec: TableSpec, results: ReadonlyArray<ContenderResult>): TableResult => {
  const latencyTable = spec.unit === "latency"
  const rows: Array<TableRow> = results.map((r) => {
    const samples = r.samples
    const base = {
      label: r.label,
      kind: r.kind,
      note: r.note,
      missing: r.missing,
      error: r.error,
      runs: samples.length,
      samples
    }
    if (samples.length === 0) return base
    const units = (s: Sample) => (s.latenciesMs !== undefined ? s.latenciesMs.length : s.units)
    const perUnit = (v: number | undefined, s: Sample) => (v === undefined ? undefined : (v * 1000) / units(s))
    const common = {
      clientCpuUsPerUnit: medianOf(samples.map((s) => perUnit(s.clientCpuMs, s))),
      serverCpuUsPerUnit: medianOf(samples.map((s) => perUnit(s.serverCpuMs, s))),
      peakRssBytes: maxOf(samples.map((s) => s.peakRssBytes)),
      rssGrowthBytes: maxOf(samples.map((s) => s.rssGrowthBytes))
    }
    if (latencyTable) {
      const all = samples.flatMap((s) => s.latenciesMs ?? [])
      const perRound = samples.map((s) => quantile(s.latenciesMs ?? [], 0.5))
      return {
        ...base,
        ...common,
        latency: {
          median: quantile(all, 0.5),
          p99: quantile(all, 0.99),
          min: Math.min(...perRound),
          max: Math.max(...perRound),
          count: all.length
        }
      }
    }
    return { ...base, ...common, rate: summarize(samples.map((s) => (s.units / s.ms) * 1000)) }
  })
  const score = (r: TableRow): number | undefined => (latencyTable ? r.latency?.median : r.rate?.median)
  const peerScores = rows.filter((r) => r.kind === "peer" && score(r) !== undefined)
  const best = peerScores.length === 0
    ? undefined
    : latencyTable
    ? Math.min(...peerScores.map((r) => score(r)!))
    : Math.max(...peerScores.map((r) => score(r)!))
  const withRatio = rows.map((r) => {
    const s = score(r)
    return s === undefined || best === undefined ? r : { ...r, ratio: s / best }
  })
  return { ...spec, rows: withRatio, ...judge(spec, withRatio) }
}

/** pgfx against the best other peer and the issue's targets. */
const judge = (spec: TableSpec, rows: ReadonlyArray<TableRow>): { verdict?: string; targetMet?: boolean } => {
  const pgfx = rows.find((r) => r.label === pgfxName)
  if (pgfx === undefined || pgfx.runs === 0) return { verdict: "pgfx has no figure", targetMet: false }
  const others = rows.filter((r) => r.kind === "peer" && r.label !== pgfxName && r.runs > 0)
  const parts: Array<string> = []
  let met: boolean | undefined = undefined
  if (spec.unit === "latency") {
    const bestOther = others.toSorted((a, b) => a.latency!.median - b.latency!.median)[0]
    parts.push(`pgfx median ${formatMs(pgfx.latency!.median)}, p99 ${formatMs(pgfx.latency!.p99)}`)
    if (bestOther !== undefined) {
      parts.push(`best other peer ${bestOther.label} ${formatMs(bestOther.latency!.median)} / p99 ${formatMs(bestOther.latency!.p99)}`)
    }
  } else {
    const bestOther = others.toSorted((a, b) => b.rate!.median - a.rate!.median)[0]
    if (bestOther !== undefined) {
      const ratio = pgfx.rate!.median / bestOther.rate!.median
      parts.push(`pgfx = ${ratio.toFixed(2)}× ${bestOther.label}`)
      const limits = rows.filter((r) => r.kind === "limit" && r.rate !== undefined)
      const limit = limits.length === 0 ? undefined : limits.toSorted((a, b) => b.rate!.median - a.rate!.median)[0]!
      const goal = 1.3 * bestOther.rate!.median
      if (ratio >= 1.3) met = true
      else if (limit !== undefined && goal > limit.rate!.median) {
        const ofLimit = pgfx.rate!.median / limit.rate!.median
        met = ofLimit >= 0.9
        parts.push(`1.3× lies beyond the limit (${limit.label} ${formatRate(limit.rate!.median)}); pgfx is at ${(ofLimit * 100).toFixed(0)}% of it`)
      } else met = false
      parts.push(met ? "throughput target met (≥ 1.3× the best peer, or within 10% of the limit)" : "throughput target missed (≥ 1.3× the best peer)")
      const serverUs = pgfx.serverCpuUsPerUnit
      if (!met && serverUs !== undefined && serverUs > 0) {
        // what the server's own CPU cost per unit allows one server core (the same messages as pgfx's)
        const ceiling = 1e6 / serverUs
        parts.push(
          `the server spent ${serverUs.toFixed(2)} µs per ${spec.unit === "rows" ? "row" : "query"} in pgfx's runs: one server core tops out near ${formatRate(ceiling)}, pgfx is at ${(pgfx.rate!.median / ceiling * 100).toFixed(0)}% of that`
        )
      }
    } else parts.push("no other peer to compare with")
  }
  if (spec.memoryTarget !== undefined) {
    const value = spec.memoryTarget.kind === "peak" ? pgfx.peakRssBytes : pgfx.rssGrowthBytes
    if (value !== undefined) {
      const ok = value < spec.memoryTarget.bytes
      parts.push(`${spec.memoryTarget.kind === "peak" ? "peak RSS" : "RSS growth"} ${formatMiB(value)} MiB (${spec.memoryTarget.text}: ${ok ? "met" : "missed"})`)
      met = (met ?? true) && ok
    }
  }
  return { verdict: parts.join("; "), ...(met === undefined ? {} : { targetMet: met }) }
}

const cell = (s: string): string => s.replaceAll("|", "\\|")

/**
 * One table as Markdown.
 *
 * @category rendering
 * @since 0.1.0
 */
export const tableMarkdown = (t: TableResult): string => {
  const lines: Array<string> = []
  lines.push(`### ${t.id} — ${t.title}`, "", `${t.size}; ${t.rounds} round(s).`, "")
  const memory = t.rows.some((r) => r.peakRssBytes !== undefined)
  const latency = t.unit === "latency"
  const head = latency
    ? ["client", "median", "p99", "min", "max", "× fastest", "client CPU µs/op", "server CPU µs/op", "notes"]
    : [
      "client",
      `median ${t.unit}/s`,
      "min",
      "max",
      "× fastest",
      `client CPU µs/${t.unit === "rows" ? "row" : "query"}`,
      `server CPU µs/${t.unit === "rows" ? "row" : "query"}`,
      ...(memory ? ["peak RSS MiB", "RSS growth MiB"] : []),
      "notes"
    ]
  lines.push(`| ${head.join(" | ")} |`, `|${head.map((h, i) => (i === 0 || h === "notes" ? "---" : "---:")).join("|")}|`)
  const us = (v: number | undefined) => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2))
  for (const r of t.rows) {
    const label = r.kind === "limit" ? `*${r.label}*` : `**${r.label}**`
    const notes = [r.note, r.missing, r.error].filter((x): x is string => x !== undefined && x !== "").join("; ")
    if (r.runs === 0) {
      lines.push(`| ${[label, ...head.slice(1, -1).map(() => "—"), cell(notes)].join(" | ")} |`)
      continue
    }
    const tail = [formatRatio(r.ratio ?? Number.NaN), us(r.clientCpuUsPerUnit), us(r.serverCpuUsPerUnit)]
    if (latency) {
      const l = r.latency!
      lines.push(`| ${[label, formatMs(l.median), formatMs(l.p99), formatMs(l.min), formatMs(l.max), ...tail, cell(notes)].join(" | ")} |`)
    } else {
      const rate = r.rate!
      const mem = memory ? [formatMiB(r.peakRssBytes), formatMiB(r.rssGrowthBytes)] : []
      lines.push(
        `| ${[label, formatRate(rate.median), formatRate(rate.min), formatRate(rate.max), ...tail, ...mem, cell(notes)].join(" | ")} |`
      )
    }
  }
  lines.push("")
  if (latency) lines.push("min / max: of the per-round medians; × fastest: median latency / the fastest peer's (lower is better).", "")
  for (const n of t.notes ?? []) lines.push(`- ${n}`)
  if (t.verdict !== undefined) lines.push(`- **${t.targetMet === undefined ? "pgfx" : t.targetMet ? "✓" : "✗"}** ${t.verdict}`)
  lines.push("")
  return lines.join("\n")
}

/**
 * @category models
 * @since 0.1.0
 */
export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly postgres: string
  readonly server: string
  readonly date: string
  readonly loadAverage: ReadonlyArray<number>
  readonly hot: boolean
  readonly quick: boolean
  readonly versions: Readonly<Record<string, string>>
}

/**
 * The header describing the machine and run.
 *
 * @category rendering
 * @since 0.1.0
 */
export const machineMarkdown = (m: Machine): string =>
  [
    `Machine: ${m.cpu}, ${m.cores} vCPU, ${m.memoryGiB} GiB; Node ${m.node}; PostgreSQL ${m.postgres} (${m.server}); ` +
    `${m.date}; load average at start ${m.loadAverage.map((x) => x.toFixed(2)).join(" / ")}` +
    `${m.hot ? "; **hot mode** (2 `nice -n 19` spinners keep the vCPUs awake)" : ""}${m.quick ? "; **--quick** sizes" : ""}.`,
    "",
    `Clients: ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    ""
  ].join("\n")

/**
 * A one-line-per-table summary of pgfx against the targets.
 *
 * @category rendering
 * @since 0.1.0
 */
export const summaryMarkdown = (tables: ReadonlyArray<TableResult>): string => {
  const lines = ["| workload | pgfx | fastest peer | verdict |", "|---|---:|---|---|"]
  for (const t of tables) {
    const pgfx = t.rows.find((r) => r.label === pgfxName)
    const peers = t.rows.filter((r) => r.kind === "peer" && r.runs > 0)
    const fastest = t.unit === "latency"
      ? peers.toSorted((a, b) => a.latency!.median - b.latency!.median)[0]
      : peers.toSorted((a, b) => b.rate!.median - a.rate!.median)[0]
    const value = (r: TableRow | undefined) =>
      r === undefined || r.runs === 0
        ? "—"
        : t.unit === "latency"
        ? `${formatMs(r.latency!.median)} (p99 ${formatMs(r.latency!.p99)})`
        : formatRate(r.rate!.median)
    const mark = t.targetMet === undefined ? "" : t.targetMet ? "✓ " : "✗ "
    lines.push(`| ${t.id} ${t.title} | ${value(pgfx)} | ${fastest?.label ?? "—"} ${value(fastest)} | ${cell(mark + (t.verdict ?? ""))} |`)
  }
  return `${lines.join("\n")}\n`
}
