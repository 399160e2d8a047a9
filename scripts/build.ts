/**
 * The root `build` script: compiles the publishable packages (`@pgfx/protocol`,
 * `@pgfx/connection`, `@pgfx/client`, `@pgfx/sql`) to `packages/<name>/dist/` — ES modules,
 * `.d.ts` declarations, and source and declaration maps — with the workspace's TypeScript 7
 * (`tsc -b tsconfig.build.json`, project references in dependency order).
 *
 * Every run starts from empty `dist/` directories, so a deleted or renamed module leaves nothing
 * stale behind; a failed compile removes them again (nothing half-built gets packed). After compiling it rewrites the relative `./x.ts` specifiers that tsc keeps in
 * declaration files to `./x.js` (tsc rewrites them in `.js` only; a consumer's tooling should not
 * have to know that `.ts` in a `.d.ts` means the `.d.ts` next to it), drops tsc's build-info
 * files, and checks the result: every source module has its `.js` and `.d.ts`, and no output
 * names a relative `.ts` file.
 *
 * The dev flow does not use `dist/`: the packages' `exports` point at `src/*.ts` in the
 * workspace; `publishConfig` swaps in the `dist/` exports when pnpm packs or publishes.
 *
 *     pnpm build                              build all four
 *     node ../../scripts/build.ts --verify    (a package's `prepack`) check that dist/ is complete
 *
 * @since 0.1.0
 */
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The workspace root.
 *
 * @category constants
 * @since 0.1.0
 */
export const root: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/**
 * The publishable packages (directory names under `packages/`), dependencies first.
 *
 * @category constants
 * @since 0.1.0
 */
export const publishable: ReadonlyArray<string> = ["protocol", "connection", "client", "sql"]

/**
 * What one package's build produced.
 *
 * @category models
 * @since 0.1.0
 */
export interface BuiltPackage {
  readonly name: string
  readonly dir: string
  readonly modules: number
  readonly bytes: number
}

/** Every file under `dir`, as paths relative to it (`/`-separated). */
const walk = (dir: string, prefix = ""): Array<string> => {
  const out: Array<string> = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`
    if (entry.isDirectory()) out.push(...walk(path.join(dir, entry.name), rel))
    else out.push(rel)
  }
  return out
}

/**
 * A relative module specifier ending in `.ts` after `from`, `import(` or a bare `import`
 * (as tsc writes them in declaration files; the `.ts` → `.js` swap keeps the length, so the
 * declaration maps stay exact).
 */
const relativeTsSpecifier = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"'\n]*?)\.ts\2/g

/**
 * Rewrites relative `.ts` specifiers to `.js` in a declaration file's text.
 *
 * @category utils
 * @since 0.1.0
 */
export const rewriteDeclarationSpecifiers = (text: string): string =>
  text.replace(relativeTsSpecifier, (_all, lead: string, quote: string, stem: string) => `${lead}${quote}${stem}.js${quote}`)

/**
 * Problems with one package's `dist/` (empty when it is complete): a source module without
 * its `.js` or `.d.ts`, an output file naming a relative `.ts` module, a test file.
 *
 * @category utils
 * @since 0.1.0
 */
export const verifyPackage = (packageDir: string): Array<string> => {
  const problems: Array<string> = []
  const src = path.join(packageDir, "src")
  const dist = path.join(packageDir, "dist")
  if (!existsSync(dist)) return [`${dist} is missing: run \`pnpm build\` at the workspace root`]
  const built = new Set(walk(dist))
  for (const file of walk(src)) {
    if (!file.endsWith(".ts")) continue
    const stem = file.slice(0, -3)
    for (const out of [`${stem}.js`, `${stem}.d.ts`]) {
      if (!built.has(out)) problems.push(`${path.join(dist, out)} is missing (from src/${file})`)
    }
  }
  for (const file of built) {
    if (/\.test\.|\.tsbuildinfo$/.test(file)) problems.push(`${path.join(dist, file)} should not be in dist/`)
    if (!file.endsWith(".js") && !file.endsWith(".d.ts")) continue
    const text = readFileSync(path.join(dist, file), "utf8")
    relativeTsSpecifier.lastIndex = 0
    const hit = relativeTsSpecifier.exec(text)
    if (hit !== null) problems.push(`${path.join(dist, file)} imports ${hit[3]}.ts, which is not shipped`)
  }
  return problems
}

const tscBinary = (): string => {
  const local = path.join(root, "node_modules", ".bin", "tsc")
  return existsSync(local) ? local : "tsc"
}

/**
 * Cleans and builds the publishable packages; throws when tsc fails or a `dist/` is incomplete.
 *
 * @category build
 * @since 0.1.0
 */
export const build = (options: { readonly quiet?: boolean } = {}): ReadonlyArray<BuiltPackage> => {
  const log = options.quiet === true ? () => {} : (line: string) => console.log(line)
  const started = performance.now()
  for (const name of publishable) rmSync(path.join(root, "packages", name, "dist"), { recursive: true, force: true })
  const tsc = spawnSync(tscBinary(), ["-b", "tsconfig.build.json"], { cwd: root, stdio: "inherit" })
  if (tsc.error !== undefined || tsc.status !== 0) {
    // a half-built dist/ must not be packed
    for (const name of publishable) rmSync(path.join(root, "packages", name, "dist"), { recursive: true, force: true })
    throw new Error(
      tsc.error !== undefined ? `could not run tsc: ${tsc.error.message}` : `tsc -b tsconfig.build.json failed (exit ${tsc.status ?? tsc.signal})`
    )
  }

  const results: Array<BuiltPackage> = []
  const problems: Array<string> = []
  for (const name of publishable) {
    const dir = path.join(root, "packages", name)
    const dist = path.join(dir, "dist")
    let bytes = 0
    for (const file of walk(dist)) {
      const full = path.join(dist, file)
      if (file.endsWith(".tsbuildinfo")) {
        rmSync(full)
        continue
      }
      if (file.endsWith(".d.ts")) {
        const text = readFileSync(full, "utf8")
        const rewritten = rewriteDeclarationSpecifiers(text)
        if (rewritten !== text) writeFileSync(full, rewritten)
      }
      bytes += statSync(full).size
    }
    problems.push(...verifyPackage(dir))
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name: string }
    const modules = walk(dist).filter((f) => f.endsWith(".js")).length
    results.push({ name: pkg.name, dir, modules, bytes })
    log(`built ${pkg.name.padEnd(17)} ${String(modules).padStart(3)} modules, ${(bytes / 1024).toFixed(0)} kB in ${path.relative(root, dist)}/`)
  }
  if (problems.length > 0) throw new Error(`build output is incomplete:\n  ${problems.join("\n  ")}`)
  log(`build done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return results
}

const main = () => {
  const args = process.argv.slice(2)
  if (args[0] === "--verify") {
    const dir = path.resolve(args[1] ?? process.cwd())
    const problems = verifyPackage(dir)
    if (problems.length > 0) {
      console.error(`build.ts --verify: ${path.relative(root, dir) || dir} is not ready to pack:\n  ${problems.join("\n  ")}`)
      process.exit(1)
    }
    return
  }
  if (args.length > 0) {
    console.error("usage: node scripts/build.ts [--verify [packageDir]]")
    process.exit(2)
  }
  try {
    build()
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}

if (import.meta.main) main()
