/**
 * Vitest global setup of the `integration` project: one server for the whole run — the external
 * one named by `DATABASE_URL`/`PGHOST`/`PGFX_EXTERNAL=1`, else a fresh embedded PostgreSQL
 * (`PGFX_PG_VERSION` = 16 | 17 | 18, default 18). Its `PgServerInfo` is handed to the test files
 * with `provide("pgServer", …)`; tests read it with `pgServer()` from `@pgfx/test/PgTestServer`
 * (or `inject("pgServer")`). Teardown stops the server and removes its temp dir.
 *
 * @since 0.1.0
 */
import type { TestProject } from "vitest/node"
import { serverFromEnvOrEmbedded } from "./PgServer.ts"
import type { PgServerInfo } from "./PgServerInfo.ts"

declare module "vitest" {
  export interface ProvidedContext {
    pgServer: PgServerInfo
  }
}

/**
 * Starts (or describes) the server and provides it; returns the teardown.
 *
 * @category setup
 * @since 0.1.0
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await serverFromEnvOrEmbedded({ log: (line) => console.log(`[pgfx] ${line}`) })
  project.provide("pgServer", server.info)
  return () => server.stop()
}
