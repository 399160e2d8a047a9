/**
 * W6: `COPY bench_rows TO STDOUT` (text) of the 1,000,000-row table, consumed as a stream;
 * every client must receive the same number of bytes. Limits: `psql \copy … to '/dev/null'` and
 * the server writing the same COPY to `/dev/null` itself.
 *
 * @since 0.1.0
 */
import { psqlCopy, serverSide } from "../lib/limits.ts"
import { inProcess, type Sample } from "../lib/runner.ts"
import { measure, roundsFor, type Workload } from "../lib/workload.ts"
import { readTable } from "./data.ts"

const notes: Record<string, string> = {
  pgfx: "PgConnection.copyOut stream",
  "postgres.js": ".readable()",
  pg: "pg-copy-streams to()"
}

/**
 * @category workloads
 * @since 0.1.0
 */
export const w6: Workload = {
  id: "W6",
  title: "COPY TO STDOUT",
  run: async (ctx) => {
    const rows = ctx.readRows
    let expectedBytes: number | undefined
    const sameBytes = async (s: Sample): Promise<void> => {
      if (s.bytes === undefined) return
      expectedBytes ??= s.bytes
      if (s.bytes !== expectedBytes) throw new Error(`received ${s.bytes} bytes, another client received ${expectedBytes}`)
    }
    const table = await measure(
      ctx,
      {
        id: "W6",
        title: "COPY TO STDOUT as a stream",
        unit: "rows",
        size: `\`copy ${readTable} to stdout\` (text), ${rows.toLocaleString("en-US")} rows × 5 columns`,
        rounds: roundsFor(ctx, 5)
      },
      [
        ...ctx.peers.map((peer) =>
          inProcess(peer, { url: ctx.url, spec: { op: "copyOut", table: readTable, rows }, note: notes[peer.name], after: sameBytes, warmupFactor: 0.1 })
        ),
        psqlCopy(ctx.tools, {
          label: "psql \\copy",
          note: "libpq, to /dev/null; includes psql start-up",
          command: `\\copy ${readTable} to '/dev/null'`,
          rows
        }),
        serverSide(ctx.admin, {
          label: "server",
          note: "COPY … TO '/dev/null' written by the server (no network)",
          sql: `copy ${readTable} to '/dev/null'`,
          units: rows
        })
      ]
    )
    return [table]
  }
}
