/**
 * The workloads in run order, and the pgfx operation behind each table (for `--profile`).
 *
 * @since 0.1.0
 */
import type { OpSpec } from "../lib/ops.ts"
import type { Workload } from "../lib/workload.ts"
import { loadTable, readTable, selectRowsSql } from "./data.ts"
import { sizesFor } from "./sizes.ts"
import { w1 } from "./w1.ts"
import { w2 } from "./w2.ts"
import { w3 } from "./w3.ts"
import { w4 } from "./w4.ts"
import { w5 } from "./w5.ts"
import { w6 } from "./w6.ts"
import { w7 } from "./w7.ts"

/**
 * @category workloads
 * @since 0.1.0
 */
export const workloads: ReadonlyArray<Workload> = [w1, w2, w3, w4, w5, w6, w7]

/**
 * The operation of each table id, with a warm-up and the SQL to run before it (untimed).
 *
 * @category workloads
 * @since 0.1.0
 */
export const operationOf = (
  id: string,
  quick: boolean
): { readonly spec: OpSpec; readonly warmup?: OpSpec | undefined; readonly before?: string | undefined } | undefined => {
  const s = sizesFor(quick)
  const warmRows = `${selectRowsSql} limit 1000`
  switch (id) {
    case "W1":
      return { spec: { op: "selectOne", n: s.selectOne }, warmup: { op: "selectOne", n: s.selectOne / 5 } }
    case "W2a":
    case "W2b": {
      const connections = id === "W2a" ? 1 : 4
      return {
        spec: { op: "selectParam", n: s.selectParam, inFlight: s.inFlight, connections },
        warmup: { op: "selectParam", n: s.selectParam / 5, inFlight: s.inFlight, connections }
      }
    }
    case "W3a":
      return { spec: { op: "array", sql: selectRowsSql, rows: s.readRows }, warmup: { op: "array", sql: warmRows, rows: 1000 } }
    case "W3b":
      return {
        spec: { op: "stream", sql: selectRowsSql, rows: s.readRows, batch: s.streamBatch },
        warmup: { op: "stream", sql: warmRows, rows: 1000, batch: s.streamBatch }
      }
    case "W4":
      return {
        spec: { op: "repeat", sql: "select * from pg_type", n: s.pgType },
        warmup: { op: "repeat", sql: "select * from pg_type", n: s.pgType / 5 }
      }
    case "W5c":
      return { spec: { op: "copyIn", sql: `copy ${loadTable} from stdin`, rows: s.loadRows }, before: `truncate ${loadTable}` }
    case "W5i":
      return { spec: { op: "insert", rows: s.loadRows, batch: s.insertBatch, inFlight: 2 }, before: `truncate ${loadTable}` }
    case "W6":
      return { spec: { op: "copyOut", table: readTable, rows: s.readRows } }
    case "W7":
      return {
        spec: { op: "interrupt", sleepSql: "select pg_sleep(5)", afterMs: 20, samples: s.interruptSamples },
        warmup: { op: "interrupt", sleepSql: "select pg_sleep(5)", afterMs: 20, samples: 2 }
      }
    default:
      return undefined
  }
}
