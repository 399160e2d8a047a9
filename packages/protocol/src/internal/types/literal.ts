/**
 * Text-literal scanning shared by the array, range and record codecs.
 *
 * The three output functions quote a member the same way (`array_out` an element, `range_out` a
 * bound, `record_out` a field): in double quotes when it is empty or holds a quote, a backslash,
 * white space or one of the literal's own special characters. Inside the quotes `array_out`
 * puts a backslash before `"` and `\`; `range_out` and `record_out` double them.
 *
 * On input, `range_parse_bound` and `record_in` read a bound or field the same way: up to the
 * first terminator outside double quotes, a backslash escaping the next character anywhere and
 * `""` inside quotes standing for one quote. (`array_in` reads elements by its own rules; only
 * the white space test is shared with it.)
 *
 * @since 0.1.0
 */
import { CodecError } from "../../PgCodec.ts"

const CH_QUOTE = 34
const CH_BACKSLASH = 92

/**
 * Raises a `CodecError` for the codec being run; the scanners take one.
 *
 * @category models
 * @since 0.1.0
 */
export type Fail = (message: string) => never

/**
 * The {@link Fail} of one codec.
 *
 * @category constructors
 * @since 0.1.0
 */
export const failer = (oid: number, name: string): Fail => (message) => {
  throw new CodecError({ message, oid, type: name })
}

/**
 * `scanner_isspace` (and `array_isspace`): space, `\t`, `\n`, `\v`, `\f`, `\r`.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

/**
 * The position of the first character at or after `i` that is not white space.
 *
 * @category parsing
 * @since 0.1.0
 */
export const skipSpace = (text: string, i: number): number => {
  const n = text.length
  while (i < n && isSpace(text.charCodeAt(i))) i++
  return i
}

/** A character that makes a member quoted. */
const QUOTE = 1
/** A character that is also escaped inside the quotes (`"` and `\`). */
const ESCAPE = 2

/**
 * What forces a literal's members into quotes, by character code: white space, `"` and `\`
 * always, plus the literal's own special characters. Built once per literal kind (per array
 * codec, for its delimiter).
 *
 * @category models
 * @since 0.1.0
 */
export type Specials = Uint8Array

/**
 * The {@link Specials} of a literal whose own special characters are `chars`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const specials = (chars: string): Specials => {
  let size = 128
  for (let i = 0; i < chars.length; i++) size = Math.max(size, chars.charCodeAt(i) + 1)
  const table = new Uint8Array(size)
  for (let c = 9; c <= 13; c++) table[c] = QUOTE
  table[32] = QUOTE
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = QUOTE
  table[CH_QUOTE] = ESCAPE
  table[CH_BACKSLASH] = ESCAPE
  return table
}

/**
 * Quotes a member's text when it is empty or holds one of `special`: `escape` `"backslash"`
 * writes `\"` and `\\` inside the quotes (`array_out`), `"double"` writes `""` and `\\`
 * (`range_out`, `record_out`).
 *
 * @category formatting
 * @since 0.1.0
 */
export const quoteLiteral = (s: string, special: Specials, escape: "backslash" | "double"): string => {
  const n = s.length
  const size = special.length
  let needs = n === 0
  let escapes = false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    const kind = c < size ? special[c]! : 0
    if (kind === ESCAPE) {
      needs = true
      escapes = true
      break
    }
    if (kind === QUOTE) needs = true
  }
  if (!needs) return s
  if (!escapes) return `"${s}"`
  const doubled = escape === "double"
  let out = "\""
  let start = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === CH_QUOTE || c === CH_BACKSLASH) {
      // Doubled: the character is written twice (once here, once with the next run).
      out += doubled ? s.slice(start, i + 1) : s.slice(start, i) + "\\"
      start = i
    }
  }
  return out + s.slice(start) + "\""
}

/**
 * One member read by {@link readMember}: its text (`null` when it is empty and unquoted) and
 * the position of the terminator after it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Member {
  readonly text: string | null
  readonly end: number
}

/**
 * Reads a range bound or record field starting at `i`, as `range_parse_bound` and `record_in`
 * do: up to the first character `isEnd` accepts outside double quotes; quoted and unquoted runs
 * may be mixed and white space is kept. Calls `fail(unterminated)` when the text ends first.
 *
 * @category parsing
 * @since 0.1.0
 */
export const readMember = (
  text: string,
  i: number,
  isEnd: (c: number) => boolean,
  fail: Fail,
  unterminated: string
): Member => {
  if (isEnd(text.charCodeAt(i))) return { text: null, end: i }
  const n = text.length
  let out = ""
  let chunk = i
  let inQuote = false
  for (;;) {
    if (i >= n) fail(unterminated)
    const c = text.charCodeAt(i)
    if (!inQuote && isEnd(c)) break
    if (c === CH_BACKSLASH) {
      out += text.slice(chunk, i)
      i++
      if (i >= n) fail(unterminated)
      chunk = i
      i++
    } else if (c === CH_QUOTE) {
      out += text.slice(chunk, i)
      i++
      if (inQuote && text.charCodeAt(i) === CH_QUOTE) {
        // A doubled quote inside quotes is one literal quote.
        chunk = i
        i++
      } else {
        inQuote = !inQuote
        chunk = i
      }
    } else {
      i++
    }
  }
  return { text: out + text.slice(chunk, i), end: i }
}
