/**
 * `@pgfx/test`: the shared test harness. The embedded PostgreSQL server (`startServer`,
 * `serverFromEnvOrEmbedded`), the description of a server (`PgServerInfo` and helpers), and a tiny
 * raw client used to check the harness. Vitest test files use `pgServer()` from
 * `@pgfx/test/PgTestServer` (kept out of this barrel so that plain scripts never load vitest).
 *
 * @since 0.1.0
 */

/**
 * @category server
 * @since 0.1.0
 */
export {
  PgServerError,
  probeExternal,
  type RunningServer,
  serverFromEnvOrEmbedded,
  startServer,
  type StartOptions
} from "./PgServer.ts"

/**
 * @category info
 * @since 0.1.0
 */
export {
  connectionString,
  env,
  externalFromEnv,
  getRole,
  isExternal,
  missingRoleReason,
  type PgAuthMethod,
  type PgConnectOptions,
  type PgRole,
  type PgRoleKey,
  type PgServerInfo,
  type PgServerVersion,
  type PgTlsFiles,
  requireRole,
  roleKeys
} from "./PgServerInfo.ts"

/**
 * @category raw client
 * @since 0.1.0
 */
export {
  PgRawError,
  rawConnect,
  type RawConnectOptions,
  rawQuery,
  type RawResult,
  type RawSession,
  type RawTarget,
  type RawTlsOptions,
  sslRequest,
  startupMessage
} from "./PgRawClient.ts"

/**
 * @category versions
 * @since 0.1.0
 */
export { type PgMajor, parseMajor } from "./internal/binaries.ts"
export * as PgFakeServer from "./PgFakeServer.ts"
