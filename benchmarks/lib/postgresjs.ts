/**
 * The postgres.js contender (`postgres` 3.x): tagged templates for the small statements (its
 * normal use, prepared and pipelined), `sql.unsafe` for fixed SQL text, `.cursor(n)` for the
 * stream, `.writable()` / `.readable()` for COPY, `query.cancel()` for W7. `connections` is its
 * `max` option (its own pool, which also pipelines when all connections are busy).
 *
 * @since 0.1.0
 */
import postgres from "postgres"
import { type Client, type ConnectOptions, installedVersion, iterablePool, type Peer, promisePool, writeAll } from "./peer.ts"

const version = installedVersion("postgres")

const connect = async (url: string, options: ConnectOptions): Promise<Client> => {
  const sql = postgres(url, { max: Math.max(1, options.connections), onnotice: () => {} })
  await sql`select 1`
  return {
    exec: async (text) => {
      await sql.unsafe(text)
    },

    selectOneSequential: async (n) => {
      for (let i = 0; i < n; i++) await sql`select 1`
    },

    selectParamConcurrent: (n, inFlight) =>
      promisePool(n, inFlight, async (i) => {
        const rows = await sql<Array<{ int4: number }>>`select ${i}::int`
        return rows[0]!.int4
      }),

    selectArray: async (text) => (await sql.unsafe(text)).length,

    selectStream: async (text, batch) => {
      let rows = 0
      await sql.unsafe(text).cursor(batch, (chunk) => {
        rows += chunk.length
      })
      return rows
    },

    repeatQuery: async (text, n) => {
      let rows = 0
      for (let i = 0; i < n; i++) rows += (await sql.unsafe(text)).length
      return rows
    },

    copyIn: async (text, chunks) => {
      const writable = await sql.unsafe(text).writable()
      await writeAll(writable, chunks)
      return -1
    },

    insertBatches: (text, batches, inFlight) =>
      iterablePool(batches(), inFlight, async (params) => (await sql.unsafe(text, params as Array<any>)).count),

    copyOut: async (text) => {
      const readable = await sql.unsafe(text).readable()
      let bytes = 0
      for await (const chunk of readable) bytes += (chunk as Buffer).length
      return bytes
    },

    interruptToUsable: async (sleepSql, afterMs) => {
      const query = sql.unsafe(sleepSql)
      const settled = query.then(() => {}, () => {})
      await new Promise((r) => setTimeout(r, afterMs))
      const t0 = performance.now()
      query.cancel()
      await sql`select 1`
      const t1 = performance.now()
      await settled
      return t1 - t0
    },

    close: () => sql.end({ timeout: 5 })
  }
}

/**
 * @category peers
 * @since 0.1.0
 */
export const postgresjs: Peer = {
  name: "postgres.js",
  version,
  connect,
  notes: { W2b: "postgres({ max: 4 })" }
}
