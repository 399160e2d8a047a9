/**
 * W3: 1,000,000 rows × (int4, md5 text, timestamptz, float8, numeric(20,2)) read (a) into one
 * array, (b) as a stream (batches of 1,000 where the client takes a size). Each run is a fresh
 * `node --expose-gc` child per client, so its peak RSS (`process.resourceUsage().maxRSS`) and the
 * growth over the RSS before the query belong to that client alone. Limit: the server's own
 * execution + serialisation time (`EXPLAIN (ANALYZE, SERIALIZE binary)`).
 *
 * @since 0.1.0
 */
import { explainSerialize } from "../lib/limits.ts"
import type { OpSpec } from "../lib/ops.ts"
import { inChild } from "../lib/runner.ts"
import { measure, roundsFor, type Workload } from "../lib/workload.ts"
import { selectRowsSql } from "./data.ts"
import { sizesFor } from "./sizes.ts"

const streamNotes: Record<string, string> = {
  pgfx: "PgConnection.stream, portal, batchSize 1000",
  "postgres.js": ".cursor(1000)",
  pg: "pg-query-stream, batchSize 1000",
  "@effect/sql-pg": ".stream (its own batching)"
}

/**
 * @category workloads
 * @since 0.1.0
 */
export const w3: Workload = {
  id: "W3",
  title: "1M rows",
  run: async (ctx) => {
    const rows = ctx.readRows
    const rounds = roundsFor(ctx, 3)
    const warmSql = `${selectRowsSql} limit 1000`
    const size = `${rows.toLocaleString("en-US")} rows × 5 columns (int4, md5 text, timestamptz, float8, numeric(20,2)), one child process per client and run`
    const server = explainSerialize(ctx.admin, {
      label: "server",
      note: "EXPLAIN (ANALYZE, SERIALIZE binary): scan + serialise, nothing sent",
      sql: selectRowsSql,
      units: rows
    })
    const variants: ReadonlyArray<{ id: string; title: string; spec: OpSpec; warmup: OpSpec }> = [
      {
        id: "W3a",
        title: "1M rows into an array",
        spec: { op: "array", sql: selectRowsSql, rows },
        warmup: { op: "array", sql: warmSql, rows: 1000 }
      },
      {
        id: "W3b",
        title: "1M rows as a stream",
        spec: { op: "stream", sql: selectRowsSql, rows, batch: sizesFor(ctx.quick).streamBatch },
        warmup: { op: "stream", sql: warmSql, rows: 1000, batch: 1000 }
      }
    ]
    const tables = []
    for (const v of variants) {
      tables.push(
        await measure(
          ctx,
          {
            id: v.id,
            title: v.title,
            unit: "rows",
            size,
            rounds,
            memoryTarget: v.id === "W3a"
              ? { kind: "peak", bytes: 250e6, text: "target: peak RSS < 250 MB" }
              : { kind: "growth", bytes: 25 * 1048576, text: "target: growth < 25 MiB" },
            notes: [
              "peak RSS: the child's `maxRSS` (whole process: runtime + client + rows); RSS growth: peak minus the RSS after connecting, a 1,000-row warm-up and GC"
            ]
          },
          [
            ...ctx.peers.map((peer) =>
              inChild(peer, {
                url: ctx.url,
                spec: v.spec,
                warmup: v.warmup,
                note: v.id === "W3b" ? streamNotes[peer.name] : undefined
              })
            ),
            server
          ]
        )
      )
    }
    return tables
  }
}
