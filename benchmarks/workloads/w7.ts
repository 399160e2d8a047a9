/**
 * W7: interrupt to usable — start `select pg_sleep(5)`, interrupt it after 20 ms the way the
 * client offers, and time from the interruption until `select 1` on the same connection has
 * answered. A client whose cancellation does not stop the statement shows the rest of the sleep.
 *
 * @since 0.1.0
 */
import { inProcess } from "../lib/runner.ts"
import { measure, roundsFor, type Workload } from "../lib/workload.ts"
import { sizesFor } from "./sizes.ts"

const notes: Record<string, string> = {
  pgfx: "Fiber.interrupt (as Effect.timeout does): CancelRequest + drain",
  "postgres.js": "query.cancel()",
  pg: "new Client().cancel(client, query)",
  "@effect/sql-pg": "Fiber.interrupt on an unmultiplexed client"
}

/**
 * @category workloads
 * @since 0.1.0
 */
export const w7: Workload = {
  id: "W7",
  title: "interrupt to usable",
  run: async (ctx) => {
    const samples = sizesFor(ctx.quick).interruptSamples
    const table = await measure(
      ctx,
      {
        id: "W7",
        title: "interrupt to usable",
        unit: "latency",
        size: `\`select pg_sleep(5)\` interrupted after 20 ms, then \`select 1\` on the same connection; ${samples} samples per round`,
        rounds: roundsFor(ctx, 5)
      },
      ctx.peers.map((peer) =>
        inProcess(peer, {
          url: ctx.url,
          spec: { op: "interrupt", sleepSql: "select pg_sleep(5)", afterMs: 20, samples },
          note: notes[peer.name],
          warmupFactor: 0.1
        })
      )
    )
    return [table]
  }
}
