/**
 * The harness's own connection for set-up, checks and server-side reference timings: a plain
 * `pg` client, so no contender's code runs outside its own runs.
 *
 * @since 0.1.0
 */
import { createRequire } from "node:module"

/**
 * @category models
 * @since 0.1.0
 */
export interface Admin {
  readonly exec: (sql: string) => Promise<void>
  readonly rows: (sql: string) => Promise<Array<Record<string, unknown>>>
  readonly close: () => Promise<void>
}

interface RawClient {
  connect(): Promise<void>
  query(text: string): Promise<{ rows: Array<Record<string, unknown>> }>
  end(): Promise<void>
}

/**
 * @category constructors
 * @since 0.1.0
 */
export const connectAdmin = async (url: string): Promise<Admin> => {
  const pg = createRequire(import.meta.url)("pg") as { Client: new(config: object) => RawClient }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    exec: async (sql) => {
      await client.query(sql)
    },
    rows: async (sql) => (await client.query(sql)).rows,
    close: () => client.end()
  }
}
