/**
 * A minimal SQL scanner: just enough of PostgreSQL's lexer to know, at every position, whether we
 * are in plain SQL or inside a string literal, quoted identifier, comment or dollar-quoted string,
 * and to find positional placeholders (`$1`) in plain SQL.
 *
 * It runs once per template call site (results are cached by the caller) and once per `unsafe`
 * text, never per query execution. Assumes `standard_conforming_strings = on` (the default since
 * PostgreSQL 9.1): backslashes escape only inside `E'…'` strings.
 */

/** Where the scanner stands at the end of a text. */
export const State = {
  Normal: 0,
  Quote: 1,
  Identifier: 2,
  LineComment: 3,
  BlockComment: 4,
  DollarQuote: 5
} as const

/** A scanner state; see {@link State}. */
export type State = typeof State[keyof typeof State]

/** Human names of the non-normal states, for error messages. */
export const stateName: Readonly<Record<State, string>> = {
  0: "plain SQL",
  1: "a string literal",
  2: "a quoted identifier",
  3: "a line comment",
  4: "a block comment",
  5: "a dollar-quoted string"
}

/** Result of {@link scan}. */
export interface ScanResult {
  /** The state at the end of the text. */
  readonly state: State
  /** Placeholders found in plain SQL, flattened as `[start, end, number, start, end, number, …]`. */
  readonly placeholders: ReadonlyArray<number>
}

/** Placeholder numbers at or above this are reported as this (always out of range). */
const maxPlaceholder = 1_000_000

/** PostgreSQL `ident_cont`: letters, digits, `_`, `$` and any non-ASCII character. */
export const isIdentCont = (c: number): boolean =>
  c >= 0x80 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36

/** PostgreSQL `ident_start` (also `dolq_start`): letters, `_` and any non-ASCII character. */
export const isIdentStart = (c: number): boolean =>
  c >= 0x80 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * Scans `text` from plain SQL to its end, reporting the final state and the positional
 * placeholders found outside literals and comments.
 */
export const scan = (text: string): ScanResult => {
  const n = text.length
  const placeholders: Array<number> = []
  let state: State = State.Normal
  let escapes = false // inside E'…': backslash escapes the next character
  let depth = 0 // block comment nesting
  let tag = "" // dollar-quote tag, including both `$`
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    switch (state) {
      case State.Normal: {
        if (c === 39) { // '
          const p = i > 0 ? text.charCodeAt(i - 1) : -1
          escapes = (p === 69 || p === 101) && (i < 2 || !isIdentCont(text.charCodeAt(i - 2)))
          state = State.Quote
          i++
        } else if (c === 34) { // "
          state = State.Identifier
          i++
        } else if (c === 45 && text.charCodeAt(i + 1) === 45) { // --
          state = State.LineComment
          i += 2
        } else if (c === 47 && text.charCodeAt(i + 1) === 42) { // /*
          state = State.BlockComment
          depth = 1
          i += 2
        } else if (c === 36) { // $
          if (i > 0 && isIdentCont(text.charCodeAt(i - 1))) {
            i++ // part of an identifier such as a$1
          } else if (isDigit(text.charCodeAt(i + 1))) {
            let j = i + 1
            let value = 0
            while (j < n && isDigit(text.charCodeAt(j))) {
              if (value < maxPlaceholder) value = value * 10 + (text.charCodeAt(j) - 48)
              j++
            }
            placeholders.push(i, j, value < maxPlaceholder ? value : maxPlaceholder)
            i = j
          } else {
            // `$$` or `$tag$` opens a dollar-quoted string; a lone `$` is just a character.
            let j = i + 1
            if (j < n && isIdentStart(text.charCodeAt(j))) {
              j++
              while (j < n && text.charCodeAt(j) !== 36 && isIdentCont(text.charCodeAt(j))) j++
            }
            if (j < n && text.charCodeAt(j) === 36) {
              tag = text.slice(i, j + 1)
              state = State.DollarQuote
              i = j + 1
            } else {
              i++
            }
          }
        } else {
          i++
        }
        break
      }
      case State.Quote: {
        if (c === 92 && escapes) {
          i += 2
        } else if (c === 39) {
          if (text.charCodeAt(i + 1) === 39) {
            i += 2
          } else {
            state = State.Normal
            i++
          }
        } else {
          i++
        }
        break
      }
      case State.Identifier: {
        if (c === 34) {
          if (text.charCodeAt(i + 1) === 34) {
            i += 2
          } else {
            state = State.Normal
            i++
          }
        } else {
          i++
        }
        break
      }
      case State.LineComment: {
        if (c === 10 || c === 13) state = State.Normal
        i++
        break
      }
      case State.BlockComment: {
        if (c === 47 && text.charCodeAt(i + 1) === 42) {
          depth++
          i += 2
        } else if (c === 42 && text.charCodeAt(i + 1) === 47) {
          depth--
          i += 2
          if (depth === 0) state = State.Normal
        } else {
          i++
        }
        break
      }
      case State.DollarQuote: {
        if (c === 36 && text.startsWith(tag, i)) {
          state = State.Normal
          i += tag.length
        } else {
          i++
        }
        break
      }
    }
  }
  return { state, placeholders }
}
