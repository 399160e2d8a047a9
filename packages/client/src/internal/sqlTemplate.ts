/**
 * The `sql` tagged template: builds a template node and checks its call site's text.
 *
 * A template's strings are the same `TemplateStringsArray` object at every call of one call
 * site, so what can be known from the text alone is computed once and cached by that object:
 * whether it is usable (no interpolation inside a literal, quoted identifier, comment or dollar
 * quote; no hand-written `$n`; no unterminated quoting), and the statement text for the common
 * case where every interpolation is a plain value. A call then only allocates its node.
 *
 * The public documentation of `sql` is in `PgSql.ts`.
 *
 * @since 0.1.0
 */
import type { Fragment } from "../PgSql.ts"
import { Emitter, Fail, Template, type TemplateInfo } from "./sqlCompile.ts"
import { scan, State, stateName } from "./sqlLexer.ts"

/** What each call site's text allows, keyed by its `TemplateStringsArray` (the same object at every call). */
const templateCache = new WeakMap<ReadonlyArray<string>, TemplateInfo>()

const excerpt = (s: string): string => (s.length > 24 ? "…" + s.slice(s.length - 24) : s)

const analyse = (strings: ReadonlyArray<string>): TemplateInfo => {
  const last = strings.length - 1
  let tail = ""
  for (let i = 0; i <= last; i++) {
    const s = strings[i]
    if (typeof s !== "string") {
      return { error: "the sql template contains an invalid escape sequence", text: "", tail }
    }
    const { placeholders, state } = scan(s)
    if (placeholders.length > 0) {
      return {
        error: `the sql template contains a hand-written placeholder ${s.slice(placeholders[0], placeholders[1])}` +
          ": interpolate values with ${…} (or use PgSql.unsafe(text, params))",
        text: "",
        tail
      }
    }
    if (i < last && state !== State.Normal) {
      return {
        error: `interpolation #${i + 1} (after "${excerpt(s)}") is inside ${stateName[state]}` +
          `, where it cannot be a parameter: interpolate outside the quotes (e.g. like '%' || \${x} || '%')`,
        text: "",
        tail
      }
    }
    if (i === last) {
      if (state === State.LineComment) tail = "\n"
      else if (state !== State.Normal) {
        return { error: `the sql template ends inside ${stateName[state]}`, text: "", tail }
      }
    }
  }
  const emitter = new Emitter()
  emitter.str(strings[0])
  for (let i = 1; i <= last; i++) {
    emitter.placeholder(i)
    emitter.str(strings[i])
  }
  emitter.str(tail)
  return { error: undefined, text: emitter.text, tail }
}

/** `PgSql.sql`: the tagged template. */
export const sql = (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Fragment => {
  let info = templateCache.get(strings)
  if (info === undefined) {
    if (!Array.isArray(strings)) {
      return new Fail(
        "InvalidTemplate",
        "sql must be used as a tagged template (sql`…`); for raw text use PgSql.unsafe"
      )
    }
    info = analyse(strings)
    templateCache.set(strings, info)
  }
  if (values.length !== strings.length - 1) {
    return new Fail("InvalidTemplate", "sql was called with a strings array that does not match its values")
  }
  return new Template(strings, values, info)
}
