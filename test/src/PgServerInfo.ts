/**
 * What the tests know about the PostgreSQL server they run against: address, socket, database,
 * the superuser and the per-auth-method test roles with their (per-run random) passwords, the TLS
 * files, and the version. It is plain data — vitest hands it from the global setup to every test
 * file through `provide`/`inject` — plus pure helpers that turn it into a connection string or a
 * `PG*` environment for child processes.
 *
 * The embedded server (see `PgServer.ts`) creates every role; an external server (named by
 * `DATABASE_URL`/`PGHOST`) only has its one user, so role-specific tests ask
 * {@link missingRoleReason} and skip with the reason it gives.
 *
 * @since 0.1.0
 */

/**
 * The test roles, by the authentication method they exercise. The database user is `pgfx_<key>`.
 *
 * - `trust`: no password (`trust`)
 * - `password`: cleartext password exchange (`password`)
 * - `md5`: MD5 challenge; the password is stored as an MD5 hash
 * - `scram`: SCRAM-SHA-256
 * - `ssl`: SCRAM-SHA-256, but only over TLS (`hostssl`; `hostnossl` and unix socket reject)
 * - `cert`: TLS client certificate (`cert`, CN = `pgfx_cert`), only over TLS
 * - `repl`: SCRAM-SHA-256 with the REPLICATION attribute (physical `replication` lines too)
 *
 * @category models
 * @since 0.1.0
 */
export type PgRoleKey = "trust" | "password" | "md5" | "scram" | "ssl" | "cert" | "repl"

/**
 * All role keys, in pg_hba order.
 *
 * @category constants
 * @since 0.1.0
 */
export const roleKeys: ReadonlyArray<PgRoleKey> = ["trust", "password", "md5", "scram", "ssl", "cert", "repl"]

/**
 * The pg_hba method that applies to a role.
 *
 * @category models
 * @since 0.1.0
 */
export type PgAuthMethod = "trust" | "password" | "md5" | "scram-sha-256" | "cert" | "unknown"

/**
 * One database role the tests may log in as.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgRole {
  readonly user: string
  /** `undefined` for `trust` and `cert` roles (and an external user without a password) */
  readonly password: string | undefined
  readonly auth: PgAuthMethod
  /** only accepted over TLS */
  readonly sslOnly: boolean
  /** has the REPLICATION attribute and may open replication connections */
  readonly replication: boolean
  readonly superuser: boolean
}

/**
 * Paths of the TLS files written for the embedded server (mode 0600 for keys).
 *
 * @category models
 * @since 0.1.0
 */
export interface PgTlsFiles {
  /** the test CA; verify the server with it (`sslrootcert`) */
  readonly caCert: string
  readonly serverCert: string
  /** client certificate for the `cert` role (CN = `pgfx_cert`) */
  readonly clientCert: string
  readonly clientKey: string
}

/**
 * The server version.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgServerVersion {
  readonly major: number
  /** e.g. `"18.4"` */
  readonly full: string
}

/**
 * Everything the tests know about the server. Plain, structured-clonable data.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgServerInfo {
  readonly source: "embedded" | "external"
  /** one line for logs, e.g. `embedded PostgreSQL 18.4 on 127.0.0.1:41234` (no secrets) */
  readonly description: string
  /** TCP host to use (`127.0.0.1` for the embedded server) */
  readonly host: string
  /** every TCP address the server listens on (`127.0.0.1`, and `::1` when IPv6 loopback exists) */
  readonly hosts: ReadonlyArray<string>
  readonly port: number
  /** directory holding the unix socket `.s.PGSQL.<port>`, when known */
  readonly socketDir: string | undefined
  /** full unix socket path, when known */
  readonly socketPath: string | undefined
  readonly database: string
  readonly superuser: PgRole
  /** the test roles that exist on this server */
  readonly roles: Readonly<Partial<Record<PgRoleKey, PgRole>>>
  /** `ssl = on` with {@link PgTlsFiles} known to the tests */
  readonly tls: PgTlsFiles | undefined
  readonly version: PgServerVersion | undefined
  readonly dataDir: string | undefined
  readonly logFile: string | undefined
}

/**
 * A role by key, or the superuser.
 *
 * @category getters
 * @since 0.1.0
 */
export const getRole = (info: PgServerInfo, role: PgRoleKey | "superuser" = "superuser"): PgRole | undefined =>
  role === "superuser" ? info.superuser : info.roles[role]

/**
 * `undefined` when `role` exists on this server, else why not — pass it to `it.skipIf`/`ctx.skip`.
 *
 * @category getters
 * @since 0.1.0
 */
export const missingRoleReason = (info: PgServerInfo, role: PgRoleKey): string | undefined =>
  info.roles[role] !== undefined
    ? undefined
    : `role pgfx_${role} is not available on the ${info.source} server (${info.description}); ` +
      `only the embedded server creates the pgfx_* test roles`

/**
 * The same role, or throws with {@link missingRoleReason}.
 *
 * @category getters
 * @since 0.1.0
 */
export const requireRole = (info: PgServerInfo, role: PgRoleKey | "superuser" = "superuser"): PgRole => {
  const found = getRole(info, role)
  if (found === undefined) throw new Error(missingRoleReason(info, role as PgRoleKey))
  return found
}

/**
 * Options for {@link connectionString} and {@link env}.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgConnectOptions {
  /** `"tcp"` (default) uses {@link PgServerInfo.host}; `"socket"` the unix socket directory */
  readonly via?: "tcp" | "socket" | undefined
  /** override the TCP host, e.g. `"localhost"` or `"::1"` */
  readonly host?: string | undefined
  readonly database?: string | undefined
  /** default: `verify-full` for the `ssl`/`cert` roles, none otherwise */
  readonly sslmode?: "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full" | undefined
}

const roleTls = (info: PgServerInfo, role: PgRole, options: PgConnectOptions): Record<string, string> => {
  const out: Record<string, string> = {}
  const sslmode = options.sslmode ?? (role.sslOnly ? "verify-full" : undefined)
  if (sslmode !== undefined) out.sslmode = sslmode
  if (info.tls !== undefined && sslmode !== undefined && sslmode !== "disable") {
    out.sslrootcert = info.tls.caCert
    if (role.auth === "cert") {
      out.sslcert = info.tls.clientCert
      out.sslkey = info.tls.clientKey
    }
  }
  return out
}

const socketDirFor = (info: PgServerInfo): string => {
  if (info.socketDir === undefined) throw new Error(`no unix socket known for ${info.description}`)
  return info.socketDir
}

/**
 * A libpq-style URL for `role` (default: the superuser), e.g.
 * `postgresql://pgfx_scram:…@127.0.0.1:41234/pgfx_test`. Unix socket form (libpq's
 * percent-encoded socket directory as host): `postgresql://postgres@%2Ftmp%2F…%2Fsocket:41234/pgfx_test`.
 * Contains the password: never log it.
 *
 * @category formatting
 * @since 0.1.0
 */
export const connectionString = (
  info: PgServerInfo,
  role: PgRoleKey | "superuser" = "superuser",
  options: PgConnectOptions = {}
): string => {
  const r = requireRole(info, role)
  const auth = encodeURIComponent(r.user) + (r.password === undefined ? "" : `:${encodeURIComponent(r.password)}`)
  const database = encodeURIComponent(options.database ?? info.database)
  const params = new URLSearchParams(roleTls(info, r, options))
  const host = options.via === "socket" ? socketDirFor(info) : (options.host ?? info.host)
  const hostPart = options.via === "socket" ? encodeURIComponent(host) : host.includes(":") ? `[${host}]` : host
  const query = params.toString()
  return `postgresql://${auth}@${hostPart}:${info.port}/${database}${query === "" ? "" : `?${query}`}`
}

/**
 * `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `PGSSL*` and `DATABASE_URL` for a child
 * process that should connect as `role`. (A pgfx harness in that child then sees an external
 * server and reuses this one instead of starting another.)
 *
 * @category formatting
 * @since 0.1.0
 */
export const env = (
  info: PgServerInfo,
  role: PgRoleKey | "superuser" = "superuser",
  options: PgConnectOptions = {}
): Record<string, string> => {
  const r = requireRole(info, role)
  const out: Record<string, string> = {
    PGHOST: options.via === "socket" ? socketDirFor(info) : (options.host ?? info.host),
    PGPORT: String(info.port),
    PGUSER: r.user,
    PGDATABASE: options.database ?? info.database,
    DATABASE_URL: connectionString(info, role, options)
  }
  if (r.password !== undefined) out.PGPASSWORD = r.password
  const tls = roleTls(info, r, options)
  if (tls.sslmode !== undefined) out.PGSSLMODE = tls.sslmode
  if (tls.sslrootcert !== undefined) out.PGSSLROOTCERT = tls.sslrootcert
  if (tls.sslcert !== undefined) out.PGSSLCERT = tls.sslcert
  if (tls.sslkey !== undefined) out.PGSSLKEY = tls.sslkey
  return out
}

/**
 * Whether the environment names an external server: `DATABASE_URL`, `PGHOST` or `PGFX_EXTERNAL=1`.
 *
 * @category guards
 * @since 0.1.0
 */
export const isExternal = (environment: NodeJS.ProcessEnv = process.env): boolean =>
  nonEmpty(environment.DATABASE_URL) !== undefined ||
  nonEmpty(environment.PGHOST) !== undefined ||
  environment.PGFX_EXTERNAL === "1"

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value

const defaultUser = (environment: NodeJS.ProcessEnv): string =>
  nonEmpty(environment.USER) ?? nonEmpty(environment.LOGNAME) ?? "postgres"

/**
 * Describes the external server named by `DATABASE_URL` (preferred) or the libpq `PG*` variables,
 * or `undefined` when {@link isExternal} is false. Only its one user is known: `roles` is empty,
 * `version` is filled in later by a probe (see `PgServer.serverFromEnvOrEmbedded`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const externalFromEnv = (environment: NodeJS.ProcessEnv = process.env): PgServerInfo | undefined => {
  if (!isExternal(environment)) return undefined
  let host: string | undefined
  let port: number | undefined
  let user: string | undefined
  let password: string | undefined
  let database: string | undefined
  let origin: string
  const url = nonEmpty(environment.DATABASE_URL)
  if (url !== undefined) {
    origin = "DATABASE_URL"
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new Error("DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)")
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
      throw new Error(`DATABASE_URL must start with postgresql:// (got ${parsed.protocol}//)`)
    }
    const queryHost = nonEmpty(parsed.searchParams.get("host") ?? undefined)
    // libpq: a socket directory is a percent-encoded host, or the `host` query parameter
    host = queryHost ?? nonEmpty(decodeURIComponent(parsed.hostname.replace(/^\[(.*)\]$/, "$1")))
    const rawPort = nonEmpty(parsed.port) ?? nonEmpty(parsed.searchParams.get("port") ?? undefined)
    port = rawPort === undefined ? undefined : Number(rawPort)
    user = nonEmpty(decodeURIComponent(parsed.username))
    password = nonEmpty(decodeURIComponent(parsed.password))
    database = nonEmpty(decodeURIComponent(parsed.pathname.replace(/^\//, "")))
  } else {
    origin = nonEmpty(environment.PGHOST) !== undefined ? "PGHOST" : "PGFX_EXTERNAL"
  }
  host ??= nonEmpty(environment.PGHOST)
  port ??= nonEmpty(environment.PGPORT) === undefined ? undefined : Number(environment.PGPORT)
  user ??= nonEmpty(environment.PGUSER) ?? defaultUser(environment)
  password ??= nonEmpty(environment.PGPASSWORD)
  database ??= nonEmpty(environment.PGDATABASE) ?? user
  const finalPort = port ?? 5432
  if (!Number.isInteger(finalPort) || finalPort <= 0 || finalPort > 65535) {
    throw new Error(`external server: invalid port ${String(port)} (from ${origin}/PGPORT)`)
  }
  const resolvedHost = host ?? "/var/run/postgresql"
  const isSocket = resolvedHost.startsWith("/")
  const tcpHost = isSocket ? "localhost" : resolvedHost
  const socketDir = isSocket ? resolvedHost : undefined
  return {
    source: "external",
    description: `external server from ${origin} at ${isSocket ? `unix socket ${resolvedHost}` : tcpHost} port ${finalPort}, user ${user}`,
    host: tcpHost,
    hosts: isSocket ? [] : [tcpHost],
    port: finalPort,
    socketDir,
    socketPath: socketDir === undefined ? undefined : `${socketDir}/.s.PGSQL.${finalPort}`,
    database,
    superuser: {
      user,
      password,
      auth: "unknown",
      sslOnly: false,
      replication: false,
      superuser: true
    },
    roles: {},
    tls: undefined,
    version: undefined,
    dataDir: undefined,
    logFile: undefined
  }
}
