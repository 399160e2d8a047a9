/**
 * Proves that the packages as published work on plain Node 20: builds them (`scripts/build.ts`),
 * `pnpm pack`s the four publishable packages, unpacks the tarballs into a temporary
 * `node_modules/@pgfx/<name>` tree (with `effect` and `@types/node` linked from the workspace —
 * no registry involved), and then
 *
 * - checks each tarball: `dist/` ESM + declarations present, `package.json` exports rewritten to
 *   `dist/` by `publishConfig`, no `workspace:` ranges, no test files, no `.tsbuildinfo`;
 * - scans the shipped JavaScript for Node APIs newer than Node 20 (a short deny-list; the
 *   TypeScript `lib` setting already rejects newer ECMAScript built-ins);
 * - type-checks a small consumer `.ts` against the packed declarations (`moduleResolution:
 *   nodenext`, `skipLibCheck: false`), so a missing `types` export or a broken `.d.ts` fails;
 * - runs a small `.mjs` program with the machine's Node 20 — outside pnpm, `node` on PATH — that
 *   imports every public subpath, checks that `internal/*` is closed, and against a real server
 *   runs a parameterised Schema-typed query and a stream through `@pgfx/client`, and a query
 *   through `@pgfx/sql`'s `SqlClient`.
 *
 * The last line of output is `pack-smoke result: {json}` (the program's findings plus the Node
 * used and the tarball sizes). When no Node 20 is installed it falls back to the Node running
 * this script and says so (`"fallback": true`).
 *
 *     node scripts/pack-smoke.ts [connection url]     (else PGFX_SMOKE_URL, else DATABASE_URL)
 *       --no-build     use the existing dist/ directories
 *       --keep         keep the temporary directory (its path is printed)
 *       --node <path>  the Node to run the program with (also PGFX_SMOKE_NODE)
 *
 * @since 0.1.0
 */
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { build, publishable, root } from "./build.ts"

/**
 * One packed package.
 *
 * @category models
 * @since 0.1.0
 */
export interface Packed {
  readonly name: string
  readonly tarball: string
  readonly bytes: number
  readonly files: number
  /** the subpath specifiers the package exports (`@pgfx/client`, `@pgfx/client/PgClient`, …) */
  readonly specifiers: ReadonlyArray<string>
}

/**
 * A Node binary and its version.
 *
 * @category models
 * @since 0.1.0
 */
export interface NodeBinary {
  readonly path: string
  readonly version: string
  readonly fallback: boolean
}

/**
 * Node APIs the packages must not call directly (they need Node > 20): a short deny-list, not
 * a proof. The TypeScript `lib` (ES2023) already rejects newer ECMAScript built-ins; these come
 * from `@types/node` 24. A feature-detected use (`const get = tls.getCACertificates`, then
 * `typeof get === "function"`) is not a call and passes.
 */
const newerNodeApis: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bprocess\.getBuiltinModule\(/, "process.getBuiltinModule (Node 22.3)"],
  [/\bprocess\.loadEnvFile\(/, "process.loadEnvFile (Node 21.7)"],
  [/\bURL\.parse\(/, "URL.parse (Node 22.1)"],
  [/\bcrypto\.hash\(/, "crypto.hash (Node 21.7)"],
  [/\bimport\.meta\.main\b/, "import.meta.main (Node 24.2)"],
  [/\bnavigator\.\w+/, "navigator (Node 21)"],
  [/\bnew WebSocket\(/, "WebSocket (Node 22)"],
  [/\bPromise\.(withResolvers|try)\(/, "Promise.withResolvers / Promise.try (Node 22)"],
  [/\b(Object|Map)\.groupBy\(/, "Object.groupBy / Map.groupBy (Node 21)"],
  [/\bArray\.fromAsync\(/, "Array.fromAsync (Node 22)"],
  [/\.getCACertificates\(/, "tls.getCACertificates (Node 22.15)"],
  [/["']node:sqlite["']/, "node:sqlite (Node 22.5)"],
  [/\bfs\.(glob|globSync)\(/, "fs.glob (Node 22)"],
  [/\.duplexPair\(/, "stream.duplexPair (Node 22.6)"]
]

const run = (
  command: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<{ code: number; out: string; err: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s))
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s))
    child.once("error", reject)
    child.once("close", (code) => resolve({ code: code ?? 1, out, err }))
  })

/**
 * How to run pnpm: the pnpm running this script when there is one (`npm_execpath`; `./dev` may
 * have started it through npx, off PATH), else `pnpm` on PATH.
 */
const pnpmCommand = (): readonly [string, ReadonlyArray<string>] => {
  const exec = process.env.npm_execpath
  if (exec === undefined || !path.basename(exec).startsWith("pnpm") || !existsSync(exec)) return ["pnpm", []]
  return /\.[cm]?js$/.test(exec) ? [process.execPath, [exec]] : [exec, []]
}

/** The end of a long output (a failing program's error can run to pages). */
const tail = (text: string, max = 6000) => (text.length > max ? `…${text.slice(-max)}` : text)

const walk = (dir: string, prefix = ""): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix === "" ? e.name : `${prefix}/${e.name}`
    return e.isDirectory() ? walk(path.join(dir, e.name), rel) : [rel]
  })

/**
 * Finds the Node to run the packed program with: `PGFX_SMOKE_NODE` / `--node`, else the oldest
 * `node` on PATH outside any `node_modules` (or in /usr/local/bin, /usr/bin), preferring a
 * Node 20; else the Node running this script, marked as a fallback.
 *
 * @category utils
 * @since 0.1.0
 */
export const findNode = (explicit?: string): NodeBinary => {
  const versionOf = (binary: string): string | undefined => {
    const r = spawnSync(binary, ["-p", "process.versions.node"], { encoding: "utf8" })
    return r.status === 0 ? r.stdout.trim() : undefined
  }
  if (explicit !== undefined && explicit !== "") {
    const version = versionOf(explicit)
    if (version === undefined) throw new Error(`${explicit} does not run as node`)
    return { path: explicit, version, fallback: false }
  }
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "" && !d.split(path.sep).includes("node_modules"))
  const seen = new Set<string>()
  const found: Array<NodeBinary> = []
  for (const dir of [...dirs, "/usr/local/bin", "/usr/bin"]) {
    const candidate = path.join(dir, "node")
    if (!existsSync(candidate)) continue
    const real = realpathSync(candidate)
    if (seen.has(real)) continue
    seen.add(real)
    const version = versionOf(candidate)
    if (version !== undefined) found.push({ path: candidate, version, fallback: false })
  }
  const major = (v: string) => Number(v.split(".")[0])
  found.sort((a, b) => major(a.version) - major(b.version))
  const node20 = found.find((n) => major(n.version) === 20)
  if (node20 !== undefined) return node20
  if (found.length > 0) return { ...found[0]!, fallback: major(found[0]!.version) !== 20 }
  return { path: process.execPath, version: process.versions.node, fallback: true }
}

/** Every problem found in one unpacked package (empty when it is right). */
const checkUnpacked = (dir: string, name: string): Array<string> => {
  const problems: Array<string> = []
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, any>
  const text = JSON.stringify(pkg)
  if (text.includes("workspace:")) problems.push(`${name}: package.json still has workspace: ranges`)
  if (JSON.stringify(pkg.exports ?? null).includes("src/")) problems.push(`${name}: exports still point at src/`)
  if (pkg.exports?.["."]?.types !== "./dist/index.d.ts") problems.push(`${name}: exports["."] has no types condition for dist/index.d.ts`)
  if (pkg.exports?.["./*"]?.default !== "./dist/*.js") problems.push(`${name}: exports["./*"] does not map to dist/*.js`)
  if (pkg.exports?.["./internal/*"] !== null) problems.push(`${name}: exports["./internal/*"] is not null`)
  if (pkg.engines?.node !== ">=20") problems.push(`${name}: engines.node is not ">=20"`)
  if (pkg.private === true) problems.push(`${name}: is private`)
  for (const file of ["dist/index.js", "dist/index.d.ts", "dist/index.js.map"]) {
    if (!existsSync(path.join(dir, file))) problems.push(`${name}: ${file} is missing from the tarball`)
  }
  for (const file of walk(dir)) {
    if (/\.test\.|\.tsbuildinfo$|(^|\/)test\//.test(file)) problems.push(`${name}: ${file} should not be in the tarball`)
    if (!file.startsWith("dist/") || !file.endsWith(".js")) continue
    // comments may name newer APIs (to say they are feature-detected); code may not call them
    const js = readFileSync(path.join(dir, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
    for (const [pattern, api] of newerNodeApis) {
      if (pattern.test(js)) problems.push(`${name}: ${file} uses ${api}`)
    }
  }
  return problems
}

/** The program run by Node 20: exercises the packed packages; its last line is JSON. */
const program = (specifiers: ReadonlyArray<string>) => `// written by scripts/pack-smoke.ts
import { DateTime, Effect, Schema, Stream } from "effect"
import { SqlClient } from "effect/sql"
import { PgClient, PgSchema } from "@pgfx/client"
import { PgSqlClient } from "@pgfx/sql"

const url = process.env.PGFX_SMOKE_URL
if (!url) throw new Error("usage: PGFX_SMOKE_URL=<connection url> node smoke.mjs")

// every public subpath loads; internal/* is closed
const specifiers = ${JSON.stringify(specifiers, null, 2)}
for (const specifier of specifiers) await import(specifier)
const closed = []
for (const specifier of ["@pgfx/client/internal/pool", "@pgfx/connection/internal/session", "@pgfx/protocol/internal/bytes"]) {
  try {
    await import(specifier)
  } catch (error) {
    if (error.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") closed.push(specifier)
    else throw error
  }
}

const Row = Schema.Struct({
  answer: Schema.Number,
  greeting: Schema.String,
  big: PgSchema.Int8,
  at: PgSchema.Timestamptz
})

const client = Effect.gen(function*() {
  const sql = yield* PgClient
  const rows = yield* sql\`select \${41}::int4 + 1 as answer, 'hello, ' || \${"Node " + process.versions.node} as greeting,
    \${2n ** 40n}::int8 * 2 as big, \${new Date("2024-02-29T12:34:56Z")}::timestamptz as at\`.withSchema(Row)
  const row = rows[0]
  const streamed = yield* sql\`select n from generate_series(1, \${2500}::int4) as n\`.stream({ batchSize: 300 }).pipe(
    Stream.runFold(() => ({ rows: 0, sum: 0 }), (acc, r) => {
      acc.rows++
      acc.sum += r.n
      return acc
    })
  )
  return {
    answer: row.answer,
    greeting: row.greeting,
    big: String(row.big),
    bigType: typeof row.big,
    at: DateTime.formatIso(row.at),
    streamedRows: streamed.rows,
    streamedSum: streamed.sum
  }
}).pipe(Effect.provide(PgClient.layer({ url })))

const viaSql = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql\`select \${6}::int4 * \${7}::int4 as product, \${"x"} || 'y' as text\`
  return rows[0]
}).pipe(Effect.provide(PgSqlClient.layer({ url, pool: { max: 2 } })))

const result = await Effect.runPromise(client)
const sqlRow = await Effect.runPromise(viaSql)
console.log(\`query: answer \${result.answer}, big \${result.big} (\${result.bigType}), at \${result.at}; stream: \${result.streamedRows} rows, sum \${result.streamedSum}; @pgfx/sql: \${sqlRow.product}\`)
console.log("smoke-json " + JSON.stringify({ node: process.version, modules: specifiers.length, closed, ...result, sqlProduct: sqlRow.product, sqlText: sqlRow.text }))
`

/** A consumer module type-checked against the packed declarations. */
const consumer = `import { Effect, Stream } from "effect"
import { PgClient, PgError, PgSchema } from "@pgfx/client"
import type { PgClient as PgClientService } from "@pgfx/client/PgClient"
import { PgSqlClient } from "@pgfx/sql"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgConfig from "@pgfx/connection/PgConfig"

const query: Effect.Effect<ReadonlyArray<{ n: number }>, PgError.PgError, PgClientService> = Effect.gen(function*() {
  const sql = yield* PgClient
  return yield* sql<{ n: number }>\`select \${1}::int4 as n\`
})
const counted: Effect.Effect<number, PgError.PgError, PgClientService> = Effect.gen(function*() {
  const sql = yield* PgClient
  return yield* Stream.runCount(sql\`select 1\`.stream())
})
const int8: typeof PgSchema.Int8 = PgSchema.Int8
const oid: number = Oid.int4
export const all = [query, counted, int8, oid, PgSqlClient.layer, PgConfig] as const
`

const main = async () => {
  const args = process.argv.slice(2)
  const flag = (name: string) => args.includes(name)
  const nodeIndex = args.indexOf("--node")
  const explicitNode = nodeIndex >= 0 ? args[nodeIndex + 1] : process.env.PGFX_SMOKE_NODE
  const url = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--node") ?? process.env.PGFX_SMOKE_URL ?? process.env.DATABASE_URL
  if (url === undefined || url === "") {
    console.error("usage: node scripts/pack-smoke.ts <connection url> [--no-build] [--keep] [--node <path>]")
    process.exit(2)
  }
  const started = performance.now()
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`

  if (!flag("--no-build")) build()

  const tmp = mkdtempSync(path.join(os.tmpdir(), "pgfx-pack-smoke-"))
  try {
    const tarballs = path.join(tmp, "tarballs")
    const app = path.join(tmp, "app")
    mkdirSync(tarballs)
    mkdirSync(path.join(app, "node_modules", "@pgfx"), { recursive: true })
    mkdirSync(path.join(app, "node_modules", "@types"), { recursive: true })

    // pack all four at once, each into its own directory (the names are pnpm's to choose)
    // (allSettled: a failed pack must not leave the others writing into a deleted directory)
    const settled = await Promise.allSettled(
      publishable.map(async (dirName): Promise<Packed> => {
        const dest = path.join(tarballs, dirName)
        mkdirSync(dest)
        const [pnpm, pnpmArgs] = pnpmCommand()
        const r = await run(pnpm, [...pnpmArgs, "pack", "--pack-destination", dest], path.join(root, "packages", dirName))
        if (r.code !== 0) throw new Error(`pnpm pack in packages/${dirName} failed:\n${r.out}${r.err}`)
        const [file] = readdirSync(dest).filter((f) => f.endsWith(".tgz"))
        if (file === undefined) throw new Error(`pnpm pack in packages/${dirName} wrote no tarball`)
        const tarball = path.join(dest, file)
        const name = (JSON.parse(readFileSync(path.join(root, "packages", dirName, "package.json"), "utf8")) as { name: string }).name
        const target = path.join(app, "node_modules", ...name.split("/"))
        mkdirSync(target, { recursive: true })
        const tar = await run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], tmp)
        if (tar.code !== 0) throw new Error(`tar -xzf ${tarball} failed: ${tar.err}`)
        const files = walk(target)
        const modules = files.filter((f) => /^dist\/[^/]+\.js$/.test(f)).map((f) => f.slice(5, -3)).toSorted()
        const specifiers = modules.map((m) => (m === "index" ? name : `${name}/${m}`))
        return { name, tarball, bytes: statSync(tarball).size, files: files.length, specifiers }
      })
    )
    const failed = settled.flatMap((r) => (r.status === "rejected" ? [r.reason] : []))
    if (failed.length > 0) throw failed[0]
    const packed = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))
    for (const p of packed) {
      console.log(`packed ${p.name.padEnd(17)} ${(p.bytes / 1024).toFixed(0).padStart(4)} kB tarball, ${p.files} files, ${p.specifiers.length} entry points`)
    }

    const problems = packed.flatMap((p) => checkUnpacked(path.join(app, "node_modules", ...p.name.split("/")), p.name))
    if (problems.length > 0) throw new Error(`packed packages are not right:\n  ${problems.join("\n  ")}`)
    console.log(`tarballs checked (exports → dist/, versions instead of workspace:, no tests, no Node > 20 APIs) — ${elapsed()}`)

    // the workspace's effect and @types/node stand in for an install from the registry
    symlinkSync(realpathSync(path.join(root, "node_modules", "effect")), path.join(app, "node_modules", "effect"), "dir")
    symlinkSync(realpathSync(path.join(root, "node_modules", "@types", "node")), path.join(app, "node_modules", "@types", "node"), "dir")
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "pgfx-pack-smoke", private: true, type: "module" }, null, 2))

    // the declarations as a consumer sees them
    writeFileSync(path.join(app, "consumer.ts"), consumer)
    writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ["node"]
          },
          files: ["consumer.ts"]
        },
        null,
        2
      )
    )
    const tsc = await run(path.join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], app)
    if (tsc.code !== 0) throw new Error(`the packed declarations do not type-check in a consumer:\n${tsc.out}${tsc.err}`)
    console.log(`consumer type-check against the packed .d.ts passed — ${elapsed()}`)

    const node = findNode(explicitNode)
    if (node.fallback) {
      console.log(`WARNING: no Node 20 found outside node_modules; running the program with Node ${node.version} (${node.path}) instead`)
    }
    writeFileSync(path.join(app, "smoke.mjs"), program(packed.flatMap((p) => p.specifiers)))
    // the URL goes by environment (it may hold a password); NODE_OPTIONS meant for the dev Node could break Node 20
    const env: NodeJS.ProcessEnv = { ...process.env, PGFX_SMOKE_URL: url }
    delete env.NODE_OPTIONS
    const smoke = await run(node.path, ["smoke.mjs"], app, env)
    if (smoke.code !== 0) throw new Error(`the program failed on Node ${node.version} (${node.path}):\n${tail(smoke.out + smoke.err)}`)
    const lines = smoke.out.trim().split("\n")
    const jsonLine = lines.find((l) => l.startsWith("smoke-json "))
    if (jsonLine === undefined) throw new Error(`the program printed no result:\n${smoke.out}${smoke.err}`)
    for (const line of lines) if (line !== jsonLine) console.log(`node ${node.version}: ${line}`)
    const result = {
      ...(JSON.parse(jsonLine.slice("smoke-json ".length)) as Record<string, unknown>),
      nodePath: node.path,
      fallback: node.fallback,
      tarballs: Object.fromEntries(packed.map((p) => [p.name, p.bytes]))
    }
    if (flag("--keep")) console.log(`kept ${tmp}`)
    console.log(`pack-smoke passed in ${elapsed()}`)
    console.log(`pack-smoke result: ${JSON.stringify(result)}`)
  } finally {
    if (!flag("--keep")) rmSync(tmp, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`pack-smoke FAILED: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  })
}
