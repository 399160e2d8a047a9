/**
 * W4: `select * from pg_type` × 2,000, one after the other: a wide (32-column) result of ~600
 * rows with many types (oid, regproc, name, char, bool, aclitem[], pg_node_tree…). Limits:
 * pgbench doing the same, and the server's own time per statement.
 *
 * @since 0.1.0
 */
import { explainSerialize, pgbench } from "../lib/limits.ts"
import { inProcess } from "../lib/runner.ts"
import { measure, roundsFor, type Workload } from "../lib/workload.ts"
import { sizesFor } from "./sizes.ts"

const sql = "select * from pg_type"

/**
 * @category workloads
 * @since 0.1.0
 */
export const w4: Workload = {
  id: "W4",
  title: "select * from pg_type",
  run: async (ctx) => {
    const n = sizesFor(ctx.quick).pgType
    const typeRows = Number((await ctx.admin.rows("select count(*)::int as n from pg_type"))[0]!.n)
    const table = await measure(
      ctx,
      {
        id: "W4",
        title: "`select * from pg_type`",
        unit: "queries",
        size: `${n.toLocaleString("en-US")} × \`${sql}\` (${typeRows} rows × 32 columns), sequential, one connection`,
        rounds: roundsFor(ctx, 3)
      },
      [
        ...ctx.peers.map((peer) => inProcess(peer, { url: ctx.url, spec: { op: "repeat", sql, n }, warmupFactor: 0.05 })),
        pgbench(ctx.tools, {
          label: "pgbench",
          note: "libpq, -M prepared, 1 client",
          script: `${sql};\n`,
          queriesPerTransaction: 1,
          transactions: n
        }),
        explainSerialize(ctx.admin, {
          label: "server",
          note: "EXPLAIN (ANALYZE, SERIALIZE binary) × 50: execution + serialisation only",
          sql,
          units: 50,
          repeat: 50
        })
      ]
    )
    return [table]
  }
}
