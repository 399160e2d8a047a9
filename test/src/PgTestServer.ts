/**
 * The server of the current vitest run, for test files of the `integration` project:
 * `pgServer()` returns the `PgServerInfo` provided by the global setup together with its helpers
 * bound to it (`connectionString`, `env`, `role`, `skipReason`).
 *
 * **Example** (skip a role-specific test on an external server)
 *
 * ```ts
 * const server = pgServer()
 * it.skipIf(server.skipReason("md5"))("md5 login", async () => { … })
 * ```
 *
 * @since 0.1.0
 */
import { inject } from "vitest"
import {
  connectionString,
  env,
  getRole,
  missingRoleReason,
  type PgConnectOptions,
  type PgRole,
  type PgRoleKey,
  type PgServerInfo,
  requireRole
} from "./PgServerInfo.ts"

/**
 * Server info plus helpers bound to it.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgTestServer extends PgServerInfo {
  readonly info: PgServerInfo
  readonly connectionString: (role?: PgRoleKey | "superuser", options?: PgConnectOptions) => string
  readonly env: (role?: PgRoleKey | "superuser", options?: PgConnectOptions) => Record<string, string>
  /** the role, or `undefined` when this server lacks it */
  readonly role: (role: PgRoleKey | "superuser") => PgRole | undefined
  /** the role, or throws with the reason it is missing */
  readonly requireRole: (role: PgRoleKey | "superuser") => PgRole
  /** `undefined` when the role exists, else a reason to skip */
  readonly skipReason: (role: PgRoleKey) => string | undefined
}

/**
 * Binds the helpers to an info value.
 *
 * @category constructors
 * @since 0.1.0
 */
export const bind = (info: PgServerInfo): PgTestServer => ({
  ...info,
  info,
  connectionString: (role, options) => connectionString(info, role, options),
  env: (role, options) => env(info, role, options),
  role: (role) => getRole(info, role),
  requireRole: (role) => requireRole(info, role),
  skipReason: (role) => missingRoleReason(info, role)
})

/**
 * The server of this run. Only inside the `integration` project (its global setup provides it).
 *
 * @category getters
 * @since 0.1.0
 */
export const pgServer = (): PgTestServer => {
  const info = inject("pgServer")
  if (info === undefined) {
    throw new Error(
      `no "pgServer" was provided: this test needs the integration project's global setup ` +
        `(name the file *.integration.test.ts or put it under test/integration/)`
    )
  }
  return bind(info)
}
