/**
 * Parser for libpq's `keyword=value` connection strings.
 *
 * Rules (libpq's): pairs are separated by whitespace; whitespace may surround `=`; a value is
 * either a run of non-whitespace characters or a single-quoted string; inside either form a
 * backslash takes the next character literally (`\'`, `\\`, `\ `). An empty value is written
 * `''` (or `keyword=` at the end of the string: whitespace after `=` is skipped, so
 * `host= port=5` sets `host` to `port=5`, exactly as libpq does). A later keyword replaces an
 * earlier one.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import { type ConfigError, fail } from "./conninfoError.ts"
import { isSecretKeyword, storeValue } from "./conninfoKeywords.ts"

/** C `isspace`: space, \t, \n, \v, \f, \r. */
const isSpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13)

const BACKSLASH = 92
const QUOTE = 39
const EQUALS = 61

/**
 * Parses a `keyword=value` string into raw keyword values (no defaults applied).
 *
 * **Details**
 * A token that directly follows a secret's value (`password=two words`) is reported as
 * `<redacted>`, because it is likely a piece of the secret.
 *
 * @category internal
 * @since 0.1.0
 */
export const parseKeyValue = (input: string): Result.Result<Map<string, string>, ConfigError> => {
  const options = new Map<string, string>()
  const length = input.length
  let i = 0
  let afterSecret = false
  while (i < length) {
    while (i < length && isSpace(input.charCodeAt(i))) i++
    if (i >= length) break

    const keywordStart = i
    while (i < length) {
      const code = input.charCodeAt(i)
      if (code === EQUALS || isSpace(code)) break
      i++
    }
    const keyword = input.slice(keywordStart, i)
    while (i < length && isSpace(input.charCodeAt(i))) i++
    const shown = afterSecret ? "<redacted>" : keyword
    if (input.charCodeAt(i) !== EQUALS) {
      return fail(`missing "=" after "${shown}" in connection info string`)
    }
    i++
    while (i < length && isSpace(input.charCodeAt(i))) i++

    let value = ""
    if (input.charCodeAt(i) === QUOTE) {
      i++
      let closed = false
      while (i < length) {
        const code = input.charCodeAt(i)
        if (code === BACKSLASH) {
          i++
          if (i < length) value += input[i++]
        } else if (code === QUOTE) {
          i++
          closed = true
          break
        } else {
          value += input[i++]
        }
      }
      if (!closed) return fail("unterminated quoted string in connection info string")
    } else {
      while (i < length) {
        const code = input.charCodeAt(i)
        if (isSpace(code)) {
          i++
          break
        }
        if (code === BACKSLASH) {
          i++
          if (i < length) value += input[i++]
        } else {
          value += input[i++]
        }
      }
    }

    if (!storeValue(options, keyword, value)) {
      return fail(`invalid connection option "${shown}"`)
    }
    afterSecret = isSecretKeyword(keyword)
  }
  return Result.succeed(options)
}
