import { assert, describe, it } from "@effect/vitest"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Result from "effect/Result"
import * as PgConfig from "../src/PgConfig.ts"

// Files on disk, read through the default (real) file access. Expected results were checked
// against libpq 18 with the same files.
const dir = mkdtempSync(join(tmpdir(), "pgfx-service-"))
const home = join(dir, "home")
const sysconf = join(dir, "sysconf")
const otherSysconf = join(dir, "other-sysconf")
mkdirSync(home)
mkdirSync(sysconf)
mkdirSync(otherSysconf)

const userFile = join(dir, "user.conf")
writeFileSync(
  userFile,
  [
    "# comment", // 1
    "[s1]", // 2
    "host=/tmp/pgtmp", // 3
    "port=54999", // 4
    "  user=postgres   ", // 5
    "dbname=fromservice", // 6
    "[s2]", // 7
    "host =x", // 8: the key is "host " — a syntax error
    "[s3]", // 9
    "service=s1", // 10
    "[s4]", // 11
    "foo=bar", // 12
    "[s5]", // 13
    "noequals", // 14
    "[s6]", // 15
    "application_name=a=b c ", // 16
    "", // 17
    "[s1]", // 18: a second [s1] is never read
    "port=1", // 19
    "[s7]", // 20
    "sslmode=bogus", // 21
    "[rs]", // 22
    "requiressl=1", // 23
    "[crlf]\r",
    "application_name=x\r",
    "  [indented]",
    "host=/indented",
    "[ sp ]",
    "host=/spaced",
    "[tr] trailing text",
    "host=/trailing",
    "[dup]",
    "port=1111",
    "port=2222",
    ""
  ].join("\n")
)
writeFileSync(join(sysconf, "pg_service.conf"), "[s1]\ndbname=sys\napplication_name=sysapp\n[sysonly]\nhost=/sys\nport=6000\n")
writeFileSync(join(otherSysconf, "pg_service.conf"), "[other]\nhost=/other\n")
writeFileSync(join(home, ".pg_service.conf"), "[homesvc]\nhost=/home-sock\n")

const options = (env: Record<string, string>, extra: PgConfig.ParseOptions = {}): PgConfig.ParseOptions => ({
  env: { PGSERVICEFILE: userFile, PGSYSCONFDIR: sysconf, ...env },
  homeDir: home,
  osUser: "os-user",
  ...extra
})

const parse = (input: string, env: Record<string, string> = {}, extra: PgConfig.ParseOptions = {}) => {
  const result = PgConfig.parse(input, options(env, extra))
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

const failure = (input: string, env: Record<string, string> = {}, extra: PgConfig.ParseOptions = {}): string => {
  const result = PgConfig.parse(input, options(env, extra))
  if (Result.isSuccess(result)) throw new Error("expected a ConfigError")
  return result.failure.message
}

const host = (input: string, options: PgConfig.ParseOptions) =>
  Result.getOrThrow(PgConfig.parse(input, { osUser: "os-user", ...options })).targets[0].host

const line = (input: string, env: Record<string, string>) =>
  Result.getOrThrow(PgConfig.conninfoLine(input, options(env)))

describe("Conninfo service file", () => {
  it("fills the options a string leaves out", () => {
    const config = parse("service=s1")
    assert.deepStrictEqual(config.targets.map((t) => t.socketPath), ["/tmp/pgtmp/.s.PGSQL.54999"])
    assert.strictEqual(config.user, "postgres")
    assert.strictEqual(config.database, "fromservice")
    assert.strictEqual(config.service, "s1")
  })

  it("explicit keywords win over the service", () => {
    assert.strictEqual(parse("service=s1 dbname=explicit").database, "explicit")
    assert.strictEqual(parse("postgresql://h/explicit?service=s1").database, "explicit")
  })

  it("the service wins over PG* variables (libpq reads it first)", () => {
    const config = parse("service=s1", { PGDATABASE: "fromenv", PGAPPNAME: "envapp" })
    assert.strictEqual(config.database, "fromservice")
    // Keywords the service does not set still come from the environment.
    assert.strictEqual(config.applicationName, "envapp")
  })

  it("PGSERVICE names the service when the string does not", () => {
    assert.strictEqual(parse("", { PGSERVICE: "s1" }).database, "fromservice")
    assert.strictEqual(parse("service=sysonly", { PGSERVICE: "s1" }).targets[0].host, "/sys")
  })

  it("values are taken literally after the first '='; the first line of a keyword wins", () => {
    assert.strictEqual(parse("service=s6").applicationName, "a=b c")
    assert.strictEqual(parse("service=dup").keywords.port, "1111")
    assert.strictEqual(parse("service=crlf").applicationName, "x")
  })

  it("section headers: indentation ignored, names exact, text after ']' ignored", () => {
    assert.strictEqual(parse("service=indented").targets[0].host, "/indented")
    assert.strictEqual(parse("service=' sp '").targets[0].host, "/spaced")
    assert.strictEqual(failure("service=sp"), `definition of service "sp" not found`)
    assert.strictEqual(parse("service=tr").targets[0].host, "/trailing")
  })

  it("only the first section with the name is read", () => {
    assert.deepStrictEqual(parse("service=s1").targets.map((t) => t.port), [54999])
  })

  it("falls back to the system file, and only when the user file lacks the service", () => {
    assert.deepStrictEqual(parse("service=sysonly").targets.map((t) => [t.host, t.port]), [["/sys", 6000]])
    // s1 is in the user file: the system file's s1 (application_name=sysapp) is not merged in.
    assert.strictEqual(parse("service=s1").applicationName, undefined)
  })

  it("uses ~/.pg_service.conf when PGSERVICEFILE is unset, and sysconfDir when PGSYSCONFDIR is unset", () => {
    assert.strictEqual(host("service=homesvc", { env: { PGSYSCONFDIR: sysconf }, homeDir: home }), "/home-sock")
    assert.strictEqual(host("service=other", { env: {}, homeDir: home, sysconfDir: otherSysconf }), "/other")
    // A missing ~/.pg_service.conf is simply skipped.
    assert.strictEqual(host("service=sysonly", { env: { PGSYSCONFDIR: sysconf }, homeDir: join(dir, "nowhere") }), "/sys")
  })

  it("errors, with libpq's wording and line numbers", () => {
    assert.strictEqual(failure("service=s2"), `syntax error in service file "${userFile}", line 8`)
    assert.strictEqual(
      failure("service=s3"),
      `nested service specifications not supported in service file "${userFile}", line 10`
    )
    assert.strictEqual(failure("service=s4"), `syntax error in service file "${userFile}", line 12`)
    assert.strictEqual(failure("service=s5"), `syntax error in service file "${userFile}", line 14`)
    assert.strictEqual(failure("service=rs"), `syntax error in service file "${userFile}", line 23`)
    assert.strictEqual(failure("service=nope"), `definition of service "nope" not found`)
    assert.strictEqual(failure("service="), `definition of service "" not found`)
    assert.strictEqual(failure("", { PGSERVICE: "nope" }), `definition of service "nope" not found`)
    assert.strictEqual(failure("service=s7"), `invalid sslmode value: "bogus"`)
    assert.strictEqual(
      failure("service=sysonly", { PGSERVICEFILE: join(dir, "missing.conf") }),
      `service file "${join(dir, "missing.conf")}" not found`
    )
    assert.strictEqual(failure("service=sysonly", { PGSERVICEFILE: "" }), `service file "" not found`)
  })

  it("PQconndefaults semantics for conninfo: service values are defaults, a bad service is ignored", () => {
    assert.strictEqual(line("dbname=fromservice port=54999", { PGSERVICE: "s1" }), "(local)")
    assert.strictEqual(line("port=54999", { PGSERVICE: "nope" }), "port='54999' (local)")
  })
})
