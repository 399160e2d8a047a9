/**
 * Command-line options of the examples: `--name value` or `--name=value`, each with a default
 * that also gives its type (a number default makes a number option). Built on `node:util`'s
 * `parseArgs`; unknown options are an error that lists the known ones. A bare `--` (as some
 * package managers pass through) is ignored.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"

/**
 * A malformed or unknown option.
 *
 * @category errors
 * @since 0.1.0
 */
export class OptionError extends Error {
  readonly _tag = "OptionError"
}

/**
 * The parsed options: the same keys as the defaults, with their types.
 *
 * @category models
 * @since 0.1.0
 */
export type Options<D extends Record<string, number | string>> = {
  readonly [K in keyof D]: D[K] extends number ? number : string
}

/**
 * Parses `args` against `defaults`.
 *
 * **Example** (Rows and a path)
 *
 * ```ts
 * const { rows, path } = options(["--rows", "1000"], { rows: 1_000_000, path: "" })
 * ```
 *
 * @category parsing
 * @since 0.1.0
 */
export const options = <const D extends Record<string, number | string>>(
  args: ReadonlyArray<string>,
  defaults: D
): Options<D> => {
  const spec: Record<string, { type: "string" }> = {}
  for (const key of Object.keys(defaults)) spec[key] = { type: "string" }
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args: args.filter((a) => a !== "--"), options: spec, strict: true, allowPositionals: false }).values
  } catch (e) {
    const known = Object.entries(defaults).map(([k, v]) => `--${k} (default ${v === "" ? "none" : v})`)
    throw new OptionError(`${e instanceof Error ? e.message : String(e)}\noptions: ${known.join(", ")}`)
  }
  const out: Record<string, number | string> = {}
  for (const [key, fallback] of Object.entries(defaults)) {
    const raw = values[key]
    if (typeof raw !== "string") {
      out[key] = fallback
    } else if (typeof fallback === "number") {
      const n = Number(raw.replaceAll("_", ""))
      if (!Number.isFinite(n)) throw new OptionError(`--${key} must be a number, got ${JSON.stringify(raw)}`)
      out[key] = n
    } else {
      out[key] = raw
    }
  }
  return out as Options<D>
}
