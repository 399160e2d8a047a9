/**
 * The `PgSql.unsafe` escape hatch: raw SQL text, optionally with its own `$1…$n` placeholders
 * referring to the given parameters.
 *
 * The text is scanned once, when the fragment is built: placeholders outside literals and
 * comments are cut out (to be renumbered where the fragment lands), each must have a parameter
 * and each parameter must be referenced; text ending inside quoting is a failure node, text
 * ending in a `--` comment gets a newline.
 *
 * The public documentation of `unsafe` is in `PgSql.ts`.
 *
 * @since 0.1.0
 */
import type { Fragment } from "../PgSql.ts"
import { Fail, isFragment, Param, Raw, Unsafe } from "./sqlCompile.ts"
import { scan, State, stateName } from "./sqlLexer.ts"

/** `PgSql.unsafe`: raw text whose own placeholders refer to `params`. */
export const unsafe = (text: string, params: ReadonlyArray<unknown> = []): Fragment => {
  if (typeof text !== "string") return new Fail("InvalidTemplate", "unsafe() expects a string")
  if (!Array.isArray(params)) return new Fail("InvalidParameter", "unsafe(): params must be an array")
  const { placeholders, state } = scan(text)
  if (state !== State.Normal && state !== State.LineComment) {
    return new Fail("InvalidTemplate", `the unsafe() text ends inside ${stateName[state]}`)
  }
  const tail = state === State.LineComment ? "\n" : ""
  for (let i = 0; i < params.length; i++) {
    const p = params[i]
    if (isFragment(p) && !(p instanceof Param)) {
      return new Fail("InvalidParameter", `unsafe(): parameter $${i + 1} is a fragment; pass values or PgSql.param`)
    }
  }
  if (placeholders.length === 0) {
    if (params.length > 0) {
      return new Fail("InvalidParameter", `unsafe(): ${params.length} parameters given but the text has no placeholder`)
    }
    return new Raw(text + tail)
  }
  const used = new Array<boolean>(params.length).fill(false)
  const pieces: Array<string> = []
  const refs: Array<number> = []
  let from = 0
  for (let i = 0; i < placeholders.length; i += 3) {
    const n = placeholders[i + 2]
    if (n < 1 || n > params.length) {
      return new Fail(
        "InvalidParameter",
        `unsafe(): the text references $${n} but ${params.length} parameter${params.length === 1 ? " was" : "s were"} given`
      )
    }
    used[n - 1] = true
    pieces.push(text.slice(from, placeholders[i]))
    refs.push(n - 1)
    from = placeholders[i + 1]
  }
  pieces.push(text.slice(from) + tail)
  const unused = used.indexOf(false)
  if (unused !== -1) return new Fail("InvalidParameter", `unsafe(): parameter $${unused + 1} is never referenced`)
  return new Unsafe(pieces, refs, params.slice())
}
