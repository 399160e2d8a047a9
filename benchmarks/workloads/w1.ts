/**
 * W1: 20,000 × `select 1`, one after the other on one connection — the round-trip and
 * per-statement overhead of each client. Limit: pgbench (libpq, prepared) doing the same.
 *
 * @since 0.1.0
 */
import { pgbench } from "../lib/limits.ts"
import { inProcess } from "../lib/runner.ts"
import { measure, roundsFor, type Workload } from "../lib/workload.ts"
import { sizesFor } from "./sizes.ts"

/**
 * @category workloads
 * @since 0.1.0
 */
export const w1: Workload = {
  id: "W1",
  title: "sequential select 1",
  run: async (ctx) => {
    const n = sizesFor(ctx.quick).selectOne
    const table = await measure(
      ctx,
      {
        id: "W1",
        title: "sequential `select 1`",
        unit: "queries",
        size: `${n.toLocaleString("en-US")} × \`select 1\`, sequential, one connection`,
        rounds: roundsFor(ctx, 5)
      },
      [
        ...ctx.peers.map((peer) => inProcess(peer, { url: ctx.url, spec: { op: "selectOne", n } })),
        pgbench(ctx.tools, {
          label: "pgbench",
          note: "libpq, -M prepared, 1 client",
          script: "select 1;\n",
          queriesPerTransaction: 1,
          transactions: n
        })
      ]
    )
    return [table]
  }
}
