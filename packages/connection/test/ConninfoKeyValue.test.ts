import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import fc from "fast-check"
import { conninfoLine, type ParseOptions, parseConnectionString } from "../src/PgConfig.ts"

const hermetic: ParseOptions = {
  env: {},
  homeDir: undefined,
  osUser: "os-user",
  readFile: () => undefined,
  statFile: () => undefined
}

const line = (input: string): string => {
  const result = conninfoLine(input, hermetic)
  return Result.isSuccess(result) ? result.success : `ERROR: ${result.failure.message}`
}

const raw = (input: string): Record<string, string> => {
  const result = parseConnectionString(input)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return Object.fromEntries(result.success)
}

/** Quotes a value the way libpq's documentation says: single quotes, `\'` and `\\`. */
const quote = (value: string): string => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`

describe("Conninfo key=value strings", () => {
  // Each expected line was produced by libpq 18 (PQconninfoParse + PQconndefaults, empty env).
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["host='a b' port=1", "host='a b' port='1' (inet)"],
    ["host = 'a b\\' c\\\\d' port=1", "host='a b' c\\d' port='1' (inet)"],
    ["host=a\\ b", "host='a b' (inet)"],
    ["host='' port=5", "host='' port='5' (local)"],
    ["host=a=b", "host='a=b' (inet)"],
    ["host =", "host='' (local)"],
    ["host=a'b", "host='a'b' (inet)"],
    ["user=\\x", "user='x' (local)"],
    ["user='\\x'", "user='x' (local)"],
    // Whitespace after '=' is skipped, so the next pair becomes the value.
    ["host= port=5", "host='port=5' (inet)"],
    ["host=a\tport=1", "host='a' port='1' (inet)"],
    ["host=a\nport=2", "host='a' port='2' (inet)"],
    ["application_name='it\\'s'", "application_name='it's' (local)"],
    ["password='p w' user=u", "user='u' password='p w' (local)"],
    ["dbname = 'my db'  user=me", "user='me' dbname='my db' (local)"],
    ["options='-c geqo=off -c statement_timeout=5s'", "options='-c geqo=off -c statement_timeout=5s' (local)"],
    ["host=x,y port=1,2", "host='x,y' port='1,2' (inet)"],
    ["requiressl=1", "sslmode='require' (local)"],
    ["requiressl=0 sslmode=require", "sslmode='require' (local)"],
    ["sslmode=require requiressl=0", "(local)"],
    ["host=a\\", "host='a' (inet)"],
    ["host=\\", "host='' (local)"],
    ["  host=x   ", "host='x' (inet)"],
    ["host='\\\\'", "host='\\' (inet)"],
    ["host=\\'", "host=''' (inet)"],
    ["host=x=", "host='x=' (inet)"],
    ["host='a'user='b'", "user='b' host='a' (inet)"],
    ["host=a host=b", "host='b' (inet)"],
    ["host=/tmp,x", "host='/tmp,x' (local)"],
    ["host=x,/tmp", "host='x,/tmp' (inet)"],
    ["hostaddr=", "hostaddr='' (local)"],
    ["dbname=postgresql://h/x", "dbname='postgresql://h/x' (local)"],
    ["", "(local)"],
    ["   ", "(local)"],
    ["service=foo", "service='foo' (local)"],
    [
      "keepalives=1 scram_client_key=abc oauth_issuer=x sslkeylogfile=/x",
      "keepalives='1' scram_client_key='abc' oauth_issuer='x' sslkeylogfile='/x' (local)"
    ],
    // Errors, with libpq's wording.
    ["foo", `ERROR: missing "=" after "foo" in connection info string`],
    ["host", `ERROR: missing "=" after "host" in connection info string`],
    ["host x=1", `ERROR: missing "=" after "host" in connection info string`],
    ["foo=bar", `ERROR: invalid connection option "foo"`],
    ["ssl=true", `ERROR: invalid connection option "ssl"`],
    ["Host=x", `ERROR: invalid connection option "Host"`],
    ["=x", `ERROR: invalid connection option ""`],
    [" = x", `ERROR: invalid connection option ""`],
    ["host='abc", "ERROR: unterminated quoted string in connection info string"],
    ["host='a\\", "ERROR: unterminated quoted string in connection info string"],
    ["host='a'b", `ERROR: missing "=" after "b" in connection info string`],
    ["application_name='it''s'", `ERROR: missing "=" after "'s'" in connection info string`]
  ]
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => {
      assert.strictEqual(line(input), expected)
    })
  }

  it("does not echo a token that follows a secret (probably part of it)", () => {
    assert.strictEqual(line("password=two words"), `ERROR: missing "=" after "<redacted>" in connection info string`)
    assert.strictEqual(line("sslpassword=a b=c"), `ERROR: invalid connection option "<redacted>"`)
    assert.strictEqual(line("password=x user"), `ERROR: missing "=" after "<redacted>" in connection info string`)
    assert.strictEqual(line("user=x bad"), `ERROR: missing "=" after "bad" in connection info string`)
  })

  it("keeps the last value of a repeated keyword", () => {
    assert.deepStrictEqual(raw("port=1 port=2 port=3"), { port: "3" })
  })

  it("a quoted value round-trips", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        assert.deepStrictEqual(raw(`application_name=${quote(value)} port=1`), { application_name: value, port: "1" })
      })
    )
  })

  // (An empty unquoted value is impossible: whitespace after "=" is skipped.)
  it("a non-empty unquoted value with escapes round-trips", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", " ", "\\", "'", "=", "\t", "é"), minLength: 1 }), (value) => {
        const escaped = value.replace(/[\\ \t']/g, (c) => `\\${c}`)
        assert.strictEqual(raw(`user=${escaped} dbname=d`).user, value)
      })
    )
  })
})
