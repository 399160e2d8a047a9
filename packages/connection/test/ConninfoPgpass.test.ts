import { assert, describe, it } from "@effect/vitest"
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as PgConfig from "../src/PgConfig.ts"

// Real files with real permissions, read through the default file access. Every expectation
// below was checked against libpq 18 (PQpass after PQconnectStart) with the same file.
const dir = mkdtempSync(join(tmpdir(), "pgfx-pgpass-"))
let counter = 0

const passfile = (content: string, mode = 0o600): string => {
  const path = join(dir, `pgpass-${counter++}`)
  writeFileSync(path, content)
  chmodSync(path, mode)
  return path
}

const resolve = (input: string, file: string, extra: PgConfig.ParseOptions = {}) => {
  const result = PgConfig.parse(input, { env: { PGPASSFILE: file }, homeDir: undefined, osUser: "os-user", ...extra })
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

/** The password each target gets from the file (undefined = none). */
const passwords = (input: string, content: string, mode = 0o600, extra: PgConfig.ParseOptions = {}) =>
  resolve(input, passfile(content, mode), extra).targets.map((t) =>
    t.password === undefined ? undefined : Redacted.value(t.password)
  )

const socket = "host=/tmp/pgtmp port=54999 user=postgres dbname=postgres"

describe("Conninfo password file", () => {
  describe("matching", () => {
    const cases: ReadonlyArray<readonly [string, string, string | undefined]> = [
      ["wildcards", "*:*:*:*:star\n", "star"],
      ["exact fields", "/tmp/pgtmp:54999:postgres:postgres:pw1\n", "pw1"],
      ["localhost does not match a non-default socket directory", "localhost:54999:postgres:postgres:pw1\n", undefined],
      ["escapes in the password", "# c\n*:*:*:*:a\\:b\\\\c:d\n", "a:b\\c"],
      ["escapes in a field", "*:*:post\\gres:*:esc\n", "esc"],
      ["the first matching line wins", "localhost:*:postgres:postgres:first\n*:*:*:*:second\n*:*:*:*:third\n", "second"],
      ["a wrong port skips the line", "*:54998:*:*:wrongport\n*:*:*:*:ok\n", "ok"],
      ["CRLF line ends", "*:*:*:*:x\r\n", "x"],
      ["leading space is part of the host field", " *:*:*:*:lead\n", undefined],
      ["blank lines are skipped", "\n\n*:*:*:*:afterblank\n", "afterblank"],
      ["lines with four fields never match", "*:*:*:*\n*:*:*:*:five\n", "five"],
      ["only four fields", "/tmp/pgtmp:54999:postgres:postgres\n", undefined],
      ["an empty password on the first match means none", "*:*:*:*:\n*:*:*:*:x\n", undefined],
      ["# starts a comment only at the start of a line", "*:*:*:*:pw # not comment\n", "pw # not comment"],
      ["comment lines are skipped", "#*:*:*:*:commented\n*:*:*:*:real\n", "real"],
      ["a trailing backslash is kept", "*:*:*:*:a\\\n", "a\\"],
      ["'*' is a wildcard only as a whole field", "*x:*:*:*:no\n*:*:*:*:yes\n", "yes"],
      ["no trailing newline", "*:*:*:*:last", "last"]
    ]
    for (const [name, content, expected] of cases) {
      it(name, () => {
        assert.deepStrictEqual(passwords(socket, content), [expected])
      })
    }

    it("localhost matches the default socket directories and an empty host", () => {
      const file = "localhost:*:*:*:lh\n"
      assert.deepStrictEqual(passwords("host=/tmp port=5", file), ["lh"])
      assert.deepStrictEqual(passwords("port=5", file), ["lh", "lh"]) // /tmp and /var/run/postgresql
      assert.deepStrictEqual(passwords("host=/tmp/ port=5", file), [undefined])
      assert.deepStrictEqual(passwords("host=127.0.0.1 port=1", file), [undefined])
      assert.deepStrictEqual(passwords("port=5", file, 0o600, { defaultSocketDirs: ["/run/pg"] }), ["lh"])
      assert.deepStrictEqual(passwords("host=/run/pg port=5", file, 0o600, { defaultSocketDirs: ["/run/pg"] }), ["lh"])
    })

    it("matches hostaddr when no host is given, and host when both are", () => {
      assert.deepStrictEqual(passwords("hostaddr=127.0.0.1 port=1", "127.0.0.1:*:*:*:ip\nlocalhost:*:*:*:lh\n"), ["ip"])
      assert.deepStrictEqual(passwords("host=foo hostaddr=127.0.0.1 port=1", "foo:*:*:*:foo\n"), ["foo"])
    })

    it("uses the defaulted port, database and user", () => {
      assert.deepStrictEqual(passwords("host=127.0.0.1", "*:5432:*:*:dflt\n"), ["dflt"])
      assert.deepStrictEqual(passwords("host=127.0.0.1 port=", "*:5432:*:*:dflt\n"), ["dflt"])
      assert.deepStrictEqual(passwords("host=h port=1", "*:*:os-user:os-user:userdb\n"), ["userdb"])
      assert.deepStrictEqual(passwords("host=/tmp/pgtmp port=54999 user=postgres", "*:*:postgres:*:db\n"), ["db"])
      assert.deepStrictEqual(passwords("host=@abs port=1", "@abs:*:*:*:abs\n"), ["abs"])
    })

    it("looks up each target separately", () => {
      const config = resolve("host=a,b,c port=1,2,3", passfile("a:1:*:*:pa\nb:2:*:*:pb\n"))
      assert.deepStrictEqual(
        config.targets.map((t) => [t.host, t.password === undefined ? undefined : Redacted.value(t.password), t.passwordFromFile]),
        [["a", "pa", true], ["b", "pb", true], ["c", undefined, false]]
      )
      assert.strictEqual(config.password, undefined)
    })
  })

  describe("when it is consulted", () => {
    it("not when a password is given", () => {
      assert.deepStrictEqual(passwords(`${socket} password=given`, "*:*:*:*:x\n"), ["given"])
      assert.deepStrictEqual(passwords(socket, "*:*:*:*:x\n", 0o600, { env: { PGPASSWORD: "envpw" } }), ["envpw"])
    })

    it("when the given password is empty", () => {
      assert.deepStrictEqual(passwords(`${socket} password=''`, "*:*:*:*:x\n"), ["x"])
    })

    it("passfile keyword > PGPASSFILE > ~/.pgpass", () => {
      const home = mkdtempSync(join(tmpdir(), "pgfx-home-"))
      writeFileSync(join(home, ".pgpass"), "*:*:*:*:fromhome\n", { mode: 0o600 })
      const keyword = passfile("*:*:*:*:fromkeyword\n")
      const envFile = passfile("*:*:*:*:fromenv\n")
      const pw = (input: string, env: Record<string, string>) => {
        const config = Result.getOrThrow(PgConfig.parse(input, { env, homeDir: home, osUser: "u" }))
        return [config.passfile, Redacted.value(config.targets[0].password!)]
      }
      assert.deepStrictEqual(pw(`host=h passfile=${keyword}`, { PGPASSFILE: envFile }), [keyword, "fromkeyword"])
      assert.deepStrictEqual(pw("host=h", { PGPASSFILE: envFile }), [envFile, "fromenv"])
      assert.deepStrictEqual(pw("host=h", {}), [join(home, ".pgpass"), "fromhome"])
      assert.deepStrictEqual(pw("host=h passfile=''", {}), [join(home, ".pgpass"), "fromhome"])
    })

    it("a missing file is silently ignored", () => {
      const config = resolve(socket, join(dir, "does-not-exist"))
      assert.strictEqual(config.targets[0].password, undefined)
      assert.deepStrictEqual(config.warnings, [])
    })
  })

  describe("permissions", () => {
    for (const mode of [0o644, 0o640, 0o604, 0o610, 0o601]) {
      it(`ignores a file with mode ${mode.toString(8)} and warns`, () => {
        const file = passfile("*:*:*:*:x\n", mode)
        const seen: Array<string> = []
        const config = resolve(socket, file, { onWarning: (message) => seen.push(message) })
        const warning = `password file "${file}" has group or world access; permissions should be u=rw (0600) or less`
        assert.strictEqual(config.targets[0].password, undefined)
        assert.deepStrictEqual(config.warnings, [warning])
        assert.deepStrictEqual(seen, [warning])
      })
    }

    for (const mode of [0o600, 0o400, 0o700]) {
      it(`reads a file with mode ${mode.toString(8)}`, () => {
        assert.deepStrictEqual(passwords(socket, "*:*:*:*:x\n", mode), ["x"])
      })
    }

    it("ignores a directory", () => {
      const path = join(dir, "a-directory")
      mkdirSync(path)
      const config = resolve(socket, path)
      assert.strictEqual(config.targets[0].password, undefined)
      assert.deepStrictEqual(config.warnings, [`password file "${path}" is not a plain file`])
    })

    it("does not check modes on Windows", () => {
      assert.deepStrictEqual(passwords(socket, "*:*:*:*:x\n", 0o644, { platform: "win32", defaultSocketDirs: [] }), ["x"])
    })

    it("works with injected files", () => {
      const config = Result.getOrThrow(PgConfig.parse("host=h", {
        env: { PGPASSFILE: "/virtual/pgpass" },
        osUser: "u",
        statFile: (path) => path === "/virtual/pgpass" ? { isFile: true, mode: 0o600 } : undefined,
        readFile: (path) => path === "/virtual/pgpass" ? "h:5432:u:u:s3cretV\n" : undefined
      }))
      assert.strictEqual(Redacted.value(config.targets[0].password!), "s3cretV")
      assert.isTrue(config.targets[0].passwordFromFile)
      assert.notInclude(JSON.stringify(config), "s3cretV")
    })
  })
})
