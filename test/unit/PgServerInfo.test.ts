/**
 * Offline checks of the harness's pure parts: describing an external server from the environment,
 * connection strings and PG* variables, and the CI summary line.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Summary, summarize, type VitestJsonReport } from "../../scripts/report-tests.ts"
import { connectionString, env, externalFromEnv, isExternal, missingRoleReason, type PgServerInfo } from "../src/PgServerInfo.ts"
import { parseMajor } from "../src/internal/binaries.ts"

const embedded: PgServerInfo = {
  source: "embedded",
  description: "embedded PostgreSQL 18.4 on 127.0.0.1 port 5555",
  host: "127.0.0.1",
  hosts: ["127.0.0.1", "::1"],
  port: 5555,
  socketDir: "/tmp/x/socket",
  socketPath: "/tmp/x/socket/.s.PGSQL.5555",
  database: "pgfx_test",
  superuser: { user: "postgres", password: undefined, auth: "trust", sslOnly: false, replication: true, superuser: true },
  roles: {
    scram: { user: "pgfx_scram", password: "p@ss/w:rd", auth: "scram-sha-256", sslOnly: false, replication: false, superuser: false },
    cert: { user: "pgfx_cert", password: undefined, auth: "cert", sslOnly: true, replication: false, superuser: false }
  },
  tls: { caCert: "/tmp/x/root.crt", serverCert: "/tmp/x/server.crt", clientCert: "/tmp/x/client.crt", clientKey: "/tmp/x/client.key" },
  version: { major: 18, full: "18.4" },
  dataDir: "/tmp/x/data",
  logFile: "/tmp/x/server.log"
}

describe("externalFromEnv", () => {
  it("is inactive without DATABASE_URL, PGHOST or PGFX_EXTERNAL", () => {
    assert.isFalse(isExternal({ PGPORT: "5432", PGUSER: "me" }))
    assert.isUndefined(externalFromEnv({ PGPORT: "5432" }))
    assert.isTrue(isExternal({ PGFX_EXTERNAL: "1" }))
  })

  it("parses DATABASE_URL, with PG* variables filling the gaps", () => {
    const info = externalFromEnv({ DATABASE_URL: "postgresql://al%40ice:s%3Acret@db.local:6543/app", PGPASSWORD: "ignored" })!
    assert.strictEqual(info.source, "external")
    assert.strictEqual(info.host, "db.local")
    assert.strictEqual(info.port, 6543)
    assert.strictEqual(info.superuser.user, "al@ice")
    assert.strictEqual(info.superuser.password, "s:cret")
    assert.strictEqual(info.database, "app")
    assert.deepStrictEqual(info.roles, {})
    assert.notInclude(info.description, "s:cret")
    const v6 = externalFromEnv({ DATABASE_URL: "postgres://u@[::1]/d", PGPORT: "7000" })!
    assert.strictEqual(v6.host, "::1")
    assert.strictEqual(v6.port, 7000)
  })

  it("treats a PGHOST starting with / as a socket directory", () => {
    const info = externalFromEnv({ PGHOST: "/run/pg", PGPORT: "5433", PGUSER: "u" })!
    assert.strictEqual(info.socketPath, "/run/pg/.s.PGSQL.5433")
    assert.deepStrictEqual(info.hosts, [])
    assert.strictEqual(info.database, "u")
    const url = externalFromEnv({ DATABASE_URL: connectionString(embedded, "superuser", { via: "socket" }) })!
    assert.strictEqual(url.socketPath, embedded.socketPath)
    assert.strictEqual(url.database, "pgfx_test")
  })

  it("rejects a bad URL or port with a clear error", () => {
    assert.throws(() => externalFromEnv({ DATABASE_URL: "mysql://x@y/z" }), /postgresql:\/\//)
    assert.throws(() => externalFromEnv({ PGHOST: "h", PGPORT: "99999" }), /invalid port/)
  })
})

describe("connection strings", () => {
  it("encodes credentials and brackets IPv6 hosts", () => {
    const url = new URL(connectionString(embedded, "scram", { host: "::1" }))
    assert.strictEqual(url.hostname, "[::1]")
    assert.strictEqual(decodeURIComponent(url.password), "p@ss/w:rd")
    assert.strictEqual(url.pathname, "/pgfx_test")
    assert.strictEqual(connectionString(embedded), "postgresql://postgres@127.0.0.1:5555/pgfx_test")
  })

  it("adds TLS files for the cert role and a socket form", () => {
    const url = new URL(connectionString(embedded, "cert"))
    assert.strictEqual(url.searchParams.get("sslmode"), "verify-full")
    assert.strictEqual(url.searchParams.get("sslkey"), "/tmp/x/client.key")
    const socket = new URL(connectionString(embedded, "superuser", { via: "socket" }))
    assert.strictEqual(decodeURIComponent(socket.hostname), "/tmp/x/socket")
    assert.strictEqual(socket.port, "5555")
  })

  it("builds PG* variables and explains missing roles", () => {
    const vars = env(embedded, "scram")
    assert.strictEqual(vars.PGUSER, "pgfx_scram")
    assert.strictEqual(vars.PGPASSWORD, "p@ss/w:rd")
    assert.strictEqual(vars.PGPORT, "5555")
    assert.isUndefined(vars.PGSSLMODE)
    assert.strictEqual(env(embedded, "cert").PGSSLCERT, "/tmp/x/client.crt")
    assert.isUndefined(missingRoleReason(embedded, "scram"))
    assert.match(missingRoleReason(embedded, "md5")!, /pgfx_md5/)
    assert.throws(() => connectionString(embedded, "md5"), /pgfx_md5/)
  })

  it("accepts only supported PostgreSQL majors", () => {
    assert.strictEqual(parseMajor(undefined), 18)
    assert.strictEqual(parseMajor("16"), 16)
    assert.throws(() => parseMajor("15"), /16, 17 or 18/)
  })
})

const report = (over: Partial<VitestJsonReport>): VitestJsonReport => ({
  numPassedTests: 0,
  numFailedTests: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  testResults: [],
  ...over
})
const line = (s: Summary) => [s.line, s.exitCode] as const

describe("CI summary line", () => {

  it("reports passed, failed and skipped with vitest's exit code", () => {
    assert.deepStrictEqual(line(summarize(report({ numPassedTests: 12, numPendingTests: 2, numTodoTests: 1 }), 0)), [
      "tests: 12 passed, 0 failed, 3 skipped",
      0
    ])
    assert.deepStrictEqual(line(summarize(report({ numPassedTests: 3, numFailedTests: 2 }), 1)), ["tests: 3 passed, 2 failed", 1])
  })

  it("counts files that failed to load, unexplained failures, missing reports and empty runs", () => {
    const broken = report({
      numPassedTests: 5,
      testResults: [{ name: "/r/a.test.ts", status: "failed", message: "SyntaxError: x\nmore", assertionResults: [] }]
    })
    const s = summarize(broken, 1)
    assert.deepStrictEqual(line(s), ["tests: 5 passed, 1 failed", 1])
    assert.match(s.notes[0]!, /a\.test\.ts — SyntaxError: x$/)
    assert.deepStrictEqual(line(summarize(report({ numPassedTests: 5 }), 1)), ["tests: 5 passed, 1 failed", 1])
    assert.deepStrictEqual(line(summarize(undefined, 1)), ["tests: 0 passed, 1 failed", 1])
    assert.deepStrictEqual(line(summarize(report({}), 0)), ["tests: 0 passed, 0 failed", 1])
  })
})
