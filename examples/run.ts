/**
 * `pnpm example <name>`: runs `examples/<name>/main.ts` against `DATABASE_URL` / `PG*` when set,
 * otherwise against an embedded PostgreSQL started for the run (and stopped afterwards).
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
if (name === undefined || !available.includes(name)) {
  console.error(`usage: pnpm example <name>\navailable: ${available.join(", ")}`)
  process.exit(2)
}
const module = (await import(pathToFileURL(join(here, name, "main.ts")).href)) as {
  readonly main: (url: string, args: ReadonlyArray<string>) => Promise<void>
}
await withDatabase((url) => module.main(url, process.argv.slice(3)))
