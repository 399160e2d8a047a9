/**
 * The `bool` codec.
 *
 * Binary form: one byte, `1` true and `0` false (`boolrecv` reads any non-zero byte as true, and so
 * does the decoder here). Text form: the server prints `t` / `f`; decoding accepts everything
 * `boolin` accepts (`true`, `yes`, `on`, `1`, unique prefixes, any case, surrounding whitespace).
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

/** `parse_bool_with_len`: `word` must be a non-empty prefix of `full`, at least `min` long. */
const isPrefix = (word: string, full: string, min: number): boolean =>
  word.length >= min && word.length <= full.length && full.startsWith(word)

const parseBoolSlow = (text: string): boolean => {
  let i = 0
  let n = text.length
  while (i < n && isSpace(text.charCodeAt(i))) i++
  while (n > i && isSpace(text.charCodeAt(n - 1))) n--
  const w = text.slice(i, n).toLowerCase()
  switch (w.charCodeAt(0)) {
    case 116: // t
      if (isPrefix(w, "true", 1)) return true
      break
    case 102: // f
      if (isPrefix(w, "false", 1)) return false
      break
    case 121: // y
      if (isPrefix(w, "yes", 1)) return true
      break
    case 110: // n
      if (isPrefix(w, "no", 1)) return false
      break
    case 111: // o: "on" or "off", at least two letters to disambiguate
      if (isPrefix(w, "on", 2)) return true
      if (isPrefix(w, "off", 2)) return false
      break
    case 49: // 1
      if (w.length === 1) return true
      break
    case 48: // 0
      if (w.length === 1) return false
      break
  }
  return fail("bool: invalid input syntax", Oid.bool, "bool")
}

/**
 * `bool` ⇄ `boolean`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const bool: Codec<boolean> = make<boolean>({
  oid: Oid.bool,
  name: "bool",
  decodeBinary: (b, o, len) =>
    len === 1 ? b[o] !== 0 : fail(`bool: expected 1 byte, got ${len}`, Oid.bool, "bool"),
  encodeBinary: (v, w) => {
    if (typeof v !== "boolean") fail(`bool: expected a boolean, got ${typeof v}`, Oid.bool, "bool")
    w.u8(v ? 1 : 0)
  },
  decodeText: (t) => (t === "t" ? true : t === "f" ? false : parseBoolSlow(t)),
  encodeText: (v) => {
    if (typeof v !== "boolean") fail(`bool: expected a boolean, got ${typeof v}`, Oid.bool, "bool")
    return v ? "t" : "f"
  }
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [bool]
