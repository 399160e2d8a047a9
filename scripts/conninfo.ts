/**
 * Conformance printer for connection strings, the pgfx twin of libpq's `libpq_uri_regress`.
 *
 * Prints, on one line, `keyword='value'` for every keyword the string sets to something other
 * than its default (defaults come from the `PG*` environment and service file, as
 * `PQconndefaults`), in libpq's keyword order, followed by `(local)` or `(inet)`. On a bad string
 * it prints `conninfo: <libpq-style message>` on stderr and exits 1.
 *
 * Usage: `pnpm --silent conninfo '<connection string>'`
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import { conninfoLine } from "../packages/connection/src/PgConfig.ts"

const args = process.argv.slice(2)
if (args.length !== 1) {
  process.stderr.write("usage: conninfo '<connection string>'\n")
  process.exit(2)
}

const line = conninfoLine(args[0])
if (Result.isSuccess(line)) {
  process.stdout.write(line.success + "\n")
} else {
  process.stderr.write(`conninfo: ${line.failure.message}\n`)
  process.exit(1)
}
