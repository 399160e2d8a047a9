/**
 * `pnpm example <name> [options]`: runs `examples/<name>/main.ts` against `DATABASE_URL` / `PG*`
 * when set, otherwise against an embedded PostgreSQL started for the run (and stopped
 * afterwards).
 *
 * Ctrl-C: an example that listens for SIGINT itself (see `cancellation`) gets it, and the
 * embedded server stays up until the example returns; otherwise Ctrl-C stops the embedded
 * server and ends the process, as usual.
 *
 * @since 0.1.0
 */
import { existsSync, readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { withDatabase } from "./shared/database.ts"

const here = dirname(fileURLToPath(import.meta.url))
const name = process.argv[2]
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "main.ts")))
  .map((d) => d.name)
  .toSorted()
if (name === undefined || !available.includes(name)) {
  console.error(`usage: pnpm example <name> [options]\navailable: ${available.join(", ")}`)
  process.exit(2)
}
const module = (await import(pathToFileURL(join(here, name, "main.ts")).href)) as {
  readonly main: (url: string, args: ReadonlyArray<string>) => Promise<unknown>
}

/** Runs `f` with SIGINT going to the example's own handlers first (see the module header). */
const sigintToExample = async <A>(f: () => Promise<A>): Promise<A> => {
  const inherited = process.listeners("SIGINT")
  for (const listener of inherited) process.off("SIGINT", listener)
  const restore = () => {
    process.off("SIGINT", onSigint)
    for (const listener of inherited) process.on("SIGINT", listener)
  }
  const onSigint = () => {
    if (process.listenerCount("SIGINT") > 1) return // the example handles it
    restore()
    process.kill(process.pid, "SIGINT")
  }
  process.on("SIGINT", onSigint)
  try {
    return await f()
  } finally {
    restore()
  }
}

try {
  await withDatabase((url) => sigintToExample(() => module.main(url, process.argv.slice(3))))
} catch (error) {
  // PgError, option errors…: the message says it all; anything else gets its stack.
  const tagged = typeof error === "object" && error !== null && "_tag" in error
  console.error(tagged || !(error instanceof Error) ? `error: ${String(error instanceof Error ? error.message : error)}` : error)
  process.exitCode = 1
}
