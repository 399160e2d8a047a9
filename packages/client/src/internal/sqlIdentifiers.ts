/**
 * Identifiers for `PgSql`: quoting names (`"` doubled, never bound as parameters) and reading a
 * possibly qualified name the way PostgreSQL's `parse_ident` does.
 *
 * Names that cannot be identifiers (not a string, empty, containing NUL) become failure nodes,
 * so the error surfaces when the statement is compiled, like every other fragment error.
 *
 * The public documentation of `identifier` is in `PgSql.ts`.
 *
 * @since 0.1.0
 */
import type { Fragment } from "../PgSql.ts"
import { Fail, Raw } from "./sqlCompile.ts"
import { isIdentCont, isIdentStart } from "./sqlLexer.ts"

/** Quotes one identifier part, or returns why it cannot be one. */
export const quoteIdentifier = (name: unknown): string | Fail => {
  if (typeof name !== "string") return new Fail("InvalidIdentifier", `an identifier must be a string, got ${typeof name}`)
  if (name.length === 0) return new Fail("InvalidIdentifier", "an identifier cannot be empty")
  if (name.indexOf("\0") !== -1) return new Fail("InvalidIdentifier", "an identifier cannot contain a NUL character")
  return "\"" + (name.indexOf("\"") === -1 ? name : name.replaceAll("\"", "\"\"")) + "\""
}

/** Quotes every part and joins them with `separator`; or the first part's failure. */
export const quoteAll = (parts: ReadonlyArray<unknown>, separator: string): string | Fail => {
  let out = ""
  for (let i = 0; i < parts.length; i++) {
    const q = quoteIdentifier(parts[i])
    if (typeof q !== "string") return q
    out += i === 0 ? q : separator + q
  }
  return out
}

/** `identifier(...parts)`: the quoted, dot-separated name. */
const identifierParts = (...parts: ReadonlyArray<string>): Fragment => {
  if (parts.length === 0) return new Fail("InvalidIdentifier", "identifier() needs at least one name")
  const quoted = quoteAll(parts, ".")
  return typeof quoted === "string" ? new Raw(quoted) : quoted
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12

/** Parses a possibly qualified name the way PostgreSQL's `parse_ident` does. */
const parseIdentifier = (text: string): Fragment => {
  if (typeof text !== "string") return new Fail("InvalidIdentifier", "identifier.parse() expects a string")
  const parts: Array<string> = []
  const n = text.length
  let i = 0
  const invalid = (why: string) => new Fail("InvalidIdentifier", `cannot parse identifier "${text}": ${why}`)
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++
    if (i < n && text.charCodeAt(i) === 34) {
      let part = ""
      let start = ++i
      for (;;) {
        if (i >= n) return invalid("unterminated quoted name")
        if (text.charCodeAt(i) === 34) {
          part += text.slice(start, i)
          if (text.charCodeAt(i + 1) === 34) {
            part += "\""
            i += 2
            start = i
            continue
          }
          i++
          break
        }
        i++
      }
      if (part.length === 0) return invalid("zero-length quoted name")
      parts.push(part)
    } else if (i < n && isIdentStart(text.charCodeAt(i))) {
      const start = i++
      while (i < n && isIdentCont(text.charCodeAt(i))) i++
      // Unquoted names fold to lower case (ASCII only, as PostgreSQL does for UTF-8).
      let part = ""
      for (let j = start; j < i; j++) {
        const c = text.charCodeAt(j)
        part += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : text[j]
      }
      parts.push(part)
    } else {
      return invalid(i >= n ? "a name is missing" : `unexpected character at position ${i + 1}`)
    }
    while (i < n && isSpace(text.charCodeAt(i))) i++
    if (i >= n) break
    if (text.charCodeAt(i) !== 46) return invalid(`unexpected character at position ${i + 1}`)
    i++
  }
  return identifierParts(...parts)
}

/** `PgSql.identifier`: quoted names, and `identifier.parse` for a qualified name. */
export const identifier: {
  (...parts: readonly [string, ...Array<string>]): Fragment
  readonly parse: (text: string) => Fragment
} = Object.assign(identifierParts, { parse: parseIdentifier })
