/**
 * W2: 100,000 × `select $1::int` with 100 in flight — (a) on one connection (pipelining where
 * the client offers it), (b) on a pool of 4. Every answer is summed and checked. Limit: pgbench
 * with `\startpipeline` (100 statements per pipeline on one connection; 4 connections × 25).
 *
 * @since 0.1.0
 */
import { pgbench } from "../lib/limits.ts"
import { inProcess } from "../lib/runner.ts"
import { measure, roundsFor, type Workload } from "../lib/workload.ts"
import { sizesFor } from "./sizes.ts"

const pipelineScript = (depth: number): string =>
  `\\set i random(1, 1000000)\n\\startpipeline\n${"select :i::int;\n".repeat(depth)}\\endpipeline\n`

/**
 * @category workloads
 * @since 0.1.0
 */
export const w2: Workload = {
  id: "W2",
  title: "concurrent select $1::int",
  run: async (ctx) => {
    const { inFlight, selectParam: n } = sizesFor(ctx.quick)
    const rounds = roundsFor(ctx, 5)
    const tables = []
    for (const [id, connections] of [["W2a", 1], ["W2b", 4]] as const) {
      tables.push(
        await measure(
          ctx,
          {
            id,
            title: connections === 1 ? "`select $1::int`, 100 in flight, one connection" : "`select $1::int`, 100 in flight, pool of 4",
            unit: "queries",
            size: `${n.toLocaleString("en-US")} statements, ${inFlight} in flight, ${connections === 1 ? "one connection" : "4 connections"}`,
            rounds
          },
          [
            ...ctx.peers.map((peer) =>
              inProcess(peer, {
                url: ctx.url,
                spec: { op: "selectParam", n, inFlight, connections },
                note: peer.notes?.[id]
              })
            ),
            pgbench(ctx.tools, {
              label: "pgbench",
              note: connections === 1 ? "libpq, \\startpipeline × 100, 1 client" : "libpq, \\startpipeline × 25, 4 clients",
              script: pipelineScript(inFlight / connections),
              queriesPerTransaction: inFlight / connections,
              transactions: n / (inFlight / connections),
              clients: connections
            })
          ]
        )
      )
    }
    return tables
  }
}
