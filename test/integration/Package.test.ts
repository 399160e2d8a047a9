/**
 * The packages as published: `scripts/pack-smoke.ts` builds them, packs the four publishable
 * packages with pnpm, unpacks the tarballs into a fresh `node_modules`, type-checks a consumer
 * against the packed declarations, and runs a program importing `@pgfx/client` and `@pgfx/sql`
 * with the machine's Node 20 against this run's server. Fails when the build breaks, an export
 * or a file is missing from a tarball, a `.d.ts` does not resolve, or the code needs Node > 20.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { pgServer } from "../src/PgTestServer.ts"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

interface SmokeResult {
  readonly node: string
  readonly nodePath: string
  readonly fallback: boolean
  readonly modules: number
  readonly closed: ReadonlyArray<string>
  readonly answer: number
  readonly greeting: string
  readonly big: string
  readonly bigType: string
  readonly at: string
  readonly streamedRows: number
  readonly streamedSum: number
  readonly sqlProduct: number
  readonly sqlText: string
  readonly tarballs: Record<string, number>
}

const packSmoke = (url: string): Promise<{ code: number; output: string }> =>
  new Promise((resolve, reject) => {
    // the URL by environment: it may hold the superuser's password
    const child = spawn(process.execPath, [path.join(root, "scripts", "pack-smoke.ts")], {
      cwd: root,
      env: { ...process.env, PGFX_SMOKE_URL: url },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.setEncoding("utf8").on("data", (s: string) => (output += s))
    child.stderr.setEncoding("utf8").on("data", (s: string) => (output += s))
    child.once("error", reject)
    child.once("close", (code) => resolve({ code: code ?? 1, output }))
  })

describe("published packages", () => {
  it("pack, install and run on Node 20 against the server", { timeout: 90_000 }, async () => {
    const { code, output } = await packSmoke(pgServer().connectionString())
    assert.strictEqual(code, 0, output)
    const line = output.split("\n").find((l) => l.startsWith("pack-smoke result: "))
    assert.isDefined(line, output)
    const result = JSON.parse(line!.slice("pack-smoke result: ".length)) as SmokeResult

    if (result.fallback) console.warn(`pack-smoke ran on ${result.node}: no Node 20 on this machine`)
    else assert.match(result.node, /^v20\./, `the program ran on ${result.node} (${result.nodePath})`)

    // the parameterised, Schema-decoded query
    assert.strictEqual(result.answer, 42)
    assert.strictEqual(result.greeting, `hello, Node ${result.node.slice(1)}`)
    assert.strictEqual(result.big, String(2n ** 41n))
    assert.strictEqual(result.bigType, "bigint")
    assert.strictEqual(result.at, "2024-02-29T12:34:56.000Z")
    // the stream
    assert.strictEqual(result.streamedRows, 2500)
    assert.strictEqual(result.streamedSum, (2500 * 2501) / 2)
    // @pgfx/sql's SqlClient
    assert.strictEqual(result.sqlProduct, 42)
    assert.strictEqual(result.sqlText, "xy")
    // every public module loaded; internal/* stays closed
    assert.isAtLeast(result.modules, 30)
    assert.strictEqual(result.closed.length, 3)
    assert.deepStrictEqual(Object.keys(result.tarballs).toSorted(), ["@pgfx/client", "@pgfx/connection", "@pgfx/protocol", "@pgfx/sql"])
    for (const bytes of Object.values(result.tarballs)) assert.isAbove(bytes, 10_000)
  })
})
