/**
 * Codecs for the full-text search types `tsvector` and `tsquery` (and the output-only
 * `gtsvector`).
 *
 * Binary forms:
 * - tsvector (`tsvectorsend`): int32 lexeme count, then per lexeme (sorted by their UTF-8 bytes,
 *   shorter first on a common prefix) the lexeme as a NUL-terminated string, a uint16 position
 *   count and that many uint16 positions (weight in the top two bits: 3 = A, 2 = B, 1 = C, 0 = D;
 *   position 1…16383 below).
 * - tsquery (`tsquerysend`): int32 item count, then the items in prefix order, each operator
 *   followed by its right operand and then its left operand. An operand is uint8 1, uint8 weight
 *   mask (A = 8, B = 4, C = 2, D = 1), uint8 prefix flag, NUL-terminated lexeme; an operator is
 *   uint8 2, uint8 operator (1 `!`, 2 `&`, 3 `|`, 4 `<N>`) and, for `<N>`, an int16 distance.
 *
 * Values are strings identical to the server's output (`'a':1A,2 'cat':3`,
 * `'a' & !( 'b' | 'c' ) <-> 'd':*A`). The binary encoders parse the input syntax of `tsvectorin`
 * and `tsqueryin` (quoting, backslash escapes, positions and weights, duplicate lexemes merged,
 * operator priorities `!` > `<->` > `&` > `|`) and produce exactly the bytes the server would
 * store. Unquoted non-ASCII whitespace is rejected with a CodecError, because whether the server
 * treats it as a separator depends on the database's locale; quote such lexemes.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { indexOfNul, readInt16, readInt32, readUint16, utf8Slice } from "../bytes.ts"

/** Longest lexeme, in bytes, plus one (`MAXSTRLEN`). */
const MAX_LEXEME_BYTES = 2048
/** Largest total of lexeme bytes (`MAXSTRPOS`). */
const MAX_TOTAL_BYTES = (1 << 20) - 1
/** Largest position (`MAXENTRYPOS - 1`). */
const MAX_POSITION = 16383
/** Most positions kept per lexeme (`MAXNUMPOS`). */
const MAX_POSITIONS = 256
/** Largest phrase distance. */
const MAX_DISTANCE = 16384

const textEncoder = new TextEncoder()

// -------------------------------------------------------------------------------------------------
// Output
// -------------------------------------------------------------------------------------------------

/** Quotes a lexeme as `tsvectorout` / `tsqueryout` do: `'…'` with `'` and `\` doubled. */
const quoteLexeme = (s: string): string => {
  if (s.indexOf("'") === -1 && s.indexOf("\\") === -1) return "'" + s + "'"
  let out = "'"
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === "'" || c === "\\") out += c
    out += c
  }
  return out + "'"
}

const VECTOR_WEIGHT = ["", "C", "B", "A"] as const

const badTsvector = (what: string): never => fail(`tsvector: ${what}`, Oid.tsvector, "tsvector")

const decodeTsvector = (b: Uint8Array, o: number, len: number): string => {
  const bad = badTsvector
  const end = o + len
  if (len < 4) return bad("too short")
  const count = readInt32(b, o)
  if (count < 0) return bad("negative lexeme count")
  let p = o + 4
  let s = ""
  for (let i = 0; i < count; i++) {
    const nul = indexOfNul(b, p, end)
    if (nul === -1) return bad("unterminated lexeme")
    if (i > 0) s += " "
    s += quoteLexeme(utf8Slice(b, p, nul))
    p = nul + 1
    if (p + 2 > end) return bad("truncated")
    const npos = readUint16(b, p)
    p += 2
    if (p + 2 * npos > end) return bad("truncated")
    for (let k = 0; k < npos; k++, p += 2) {
      const v = readUint16(b, p)
      s += (k === 0 ? ":" : ",") + (v & 0x3fff) + VECTOR_WEIGHT[v >> 14]
    }
  }
  return p === end ? s : bad("trailing bytes")
}

const ITEM_VAL = 1
const ITEM_OPR = 2
const OP_NOT = 1
const OP_AND = 2
const OP_OR = 3
const OP_PHRASE = 4
/** Operator priorities, indexed by operator code. */
const PRIORITY = [0, 4, 2, 1, 3] as const

const badTsquery = (what: string): never => fail(`tsquery: ${what}`, Oid.tsquery, "tsquery")

const decodeTsquery = (b: Uint8Array, o: number, len: number): string => {
  const bad = badTsquery
  const end = o + len
  if (len < 4) return bad("too short")
  const count = readInt32(b, o)
  if (count < 0) return bad("negative item count")
  if (count === 0) return len === 4 ? "" : bad("trailing bytes")
  if (count > len) return bad("item count does not match the field length")
  // For operands: the quoted text with modifiers; for operators: undefined.
  const text = new Array<string | undefined>(count)
  const oper = new Uint8Array(count)
  const distance = new Int16Array(count)
  let p = o + 4
  for (let i = 0; i < count; i++) {
    if (p >= end) return bad("truncated")
    const type = b[p++]
    if (type === ITEM_VAL) {
      if (p + 2 > end) return bad("truncated")
      const weight = b[p]!
      const prefix = b[p + 1] !== 0
      if (weight > 15) return bad("invalid operand weight")
      const nul = indexOfNul(b, p + 2, end)
      if (nul === -1) return bad("unterminated operand")
      let t = quoteLexeme(utf8Slice(b, p + 2, nul))
      if (weight !== 0 || prefix) {
        t += ":"
        if (prefix) t += "*"
        if (weight & 8) t += "A"
        if (weight & 4) t += "B"
        if (weight & 2) t += "C"
        if (weight & 1) t += "D"
      }
      text[i] = t
      p = nul + 1
    } else if (type === ITEM_OPR) {
      if (p >= end) return bad("truncated")
      const op = b[p++]!
      if (op < OP_NOT || op > OP_PHRASE) return bad("invalid operator")
      oper[i] = op
      if (op === OP_PHRASE) {
        if (p + 2 > end) return bad("truncated")
        distance[i] = readInt16(b, p)
        p += 2
      }
    } else return bad("invalid item type")
  }
  if (p !== end) return bad("trailing bytes")
  // Subtree sizes, from the last item back: every item starts a subtree in prefix order.
  const size = new Int32Array(count)
  for (let i = count - 1; i >= 0; i--) {
    if (oper[i] === 0) size[i] = 1
    else {
      const right = i + 1
      if (right >= count) return bad("malformed query: operand not found")
      if (oper[i] === OP_NOT) size[i] = 1 + size[right]!
      else {
        const left = right + size[right]!
        if (left >= count) return bad("malformed query: operand not found")
        size[i] = 1 + size[right]! + size[left]!
      }
    }
  }
  if (size[0] !== count) return bad("malformed query: extra nodes")
  return infix(text, oper, distance, size)
}

/**
 * Prints a query tree as `tsqueryout` does, without recursion (a long chain of `&` is a deep
 * tree). Stack entries are literal strings or node tasks encoded as
 * `index * 16 + parentPriority * 2 + (right operand of a phrase ? 1 : 0)`.
 */
const infix = (
  text: ReadonlyArray<string | undefined>,
  oper: Uint8Array,
  distance: Int16Array,
  size: Int32Array
): string => {
  let out = ""
  const stack: Array<number | string> = [0]
  while (stack.length > 0) {
    const task = stack.pop()!
    if (typeof task === "string") {
      out += task
      continue
    }
    const low = task % 16
    const i = (task - low) / 16
    const parentPriority = low >> 1
    const rightPhrase = (low & 1) === 1
    const op = oper[i]!
    if (op === 0) {
      out += text[i]!
      continue
    }
    const priority = PRIORITY[op]!
    if (op === OP_NOT) {
      const paren = priority < parentPriority
      out += paren ? "( !" : "!"
      if (paren) stack.push(" )")
      stack.push((i + 1) * 16 + priority * 2)
      continue
    }
    const paren = priority < parentPriority || (op === OP_PHRASE && rightPhrase)
    if (paren) {
      out += "( "
      stack.push(" )")
    }
    const right = i + 1
    const left = right + size[right]!
    stack.push(right * 16 + priority * 2 + (op === OP_PHRASE ? 1 : 0))
    stack.push(
      op === OP_AND
        ? " & "
        : op === OP_OR
        ? " | "
        : distance[i] === 1
        ? " <-> "
        : " <" + distance[i] + "> "
    )
    stack.push(left * 16 + priority * 2)
  }
  return out
}

// -------------------------------------------------------------------------------------------------
// Input: the tokenizer shared by tsvectorin and tsqueryin
// -------------------------------------------------------------------------------------------------

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

/** Non-ASCII characters with the Unicode White_Space property: locale-dependent separators. */
const isUnicodeSpace = (c: number): boolean =>
  c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
  c === 0x202f || c === 0x205f || c === 0x3000

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/** `!`, `&`, `|`, `(`, `)`, `<`: characters that end an unquoted tsquery operand. */
const isOperatorChar = (c: number): boolean => c === 33 || c === 38 || c === 124 || c === 40 || c === 41 || c === 60

interface Scanner {
  readonly s: string
  i: number
  readonly name: string
  readonly oid: number
  /** tsquery mode: operator characters end a word and no positions are read. */
  readonly query: boolean
}

const syntaxError = (sc: Scanner): never => fail(`${sc.name}: syntax error`, sc.oid, sc.name)

/** The ASCII-whitespace test of an unquoted context; throws on locale-dependent whitespace. */
const spaceAt = (sc: Scanner, c: number): boolean => {
  if (c < 0x80) return isSpace(c)
  if (isUnicodeSpace(c)) {
    fail(`${sc.name}: unquoted non-ASCII whitespace is locale-dependent; quote the lexeme`, sc.oid, sc.name)
  }
  return false
}

interface Word {
  readonly text: string
  /** Encoded positions (weight << 14 | position), tsvector only. */
  readonly positions: Array<number> | undefined
}

/**
 * Reads a position's digits at `i` like `atoi` into an int, then clamps as `LIMITPOS` and
 * `WEP_SETPOS` do; returns [position bits, index after the digits].
 */
const readPosition = (s: string, i: number): readonly [number, number] => {
  const start = i
  while (i < s.length && isDigit(s.charCodeAt(i))) i++
  let v: number
  if (i - start <= 9) v = +s.slice(start, i)
  else {
    // strtol saturates at LONG_MAX, then the value is truncated to a C int.
    let big = BigInt(s.slice(start, i))
    if (big > 0x7fffffffffffffffn) big = 0x7fffffffffffffffn
    v = Number(BigInt.asIntN(32, big))
  }
  return [(v >= MAX_POSITION + 1 ? MAX_POSITION : v) & 0x3fff, i]
}

// States of the word tokenizer (named after gettoken_tsvector's).
const WAIT_WORD = 1
const WAIT_END_WORD = 2
const WAIT_NEXT_CHAR = 3
const WAIT_END_QUOTED = 4
const WAIT_QUOTE_OR_END = 5
const WAIT_POSITIONS = 6
const IN_POSITION = 7
const WAIT_POSITION_DELIMITER = 8

/**
 * The word tokenizer (`gettoken_tsvector`): returns the next word with its positions, or
 * `undefined` at the end of input (only when no word has started).
 */
const nextWord = (sc: Scanner): Word | undefined => {
  const s = sc.s
  const n = s.length
  let state = WAIT_WORD
  let oldState = 0
  let word = ""
  let positions: Array<number> | undefined
  for (;;) {
    const c = sc.i < n ? s.charCodeAt(sc.i) : 0
    switch (state) {
      case WAIT_WORD: {
        if (c === 0) return undefined
        if (c === 39) state = WAIT_END_QUOTED
        else if (c === 92) {
          state = WAIT_NEXT_CHAR
          oldState = WAIT_END_WORD
        } else if (sc.query && isOperatorChar(c)) return syntaxError(sc)
        else if (!spaceAt(sc, c)) {
          word += s[sc.i]
          state = WAIT_END_WORD
        }
        break
      }
      case WAIT_NEXT_CHAR: {
        if (c === 0) return fail(`${sc.name}: there is no escaped character`, sc.oid, sc.name)
        word += s[sc.i]
        state = oldState
        break
      }
      case WAIT_END_WORD: {
        if (c === 92) {
          state = WAIT_NEXT_CHAR
          oldState = WAIT_END_WORD
        } else if (c === 0 || spaceAt(sc, c) || (sc.query && isOperatorChar(c))) {
          return { text: word, positions }
        } else if (c === 58) {
          if (sc.query) return { text: word, positions }
          state = IN_POSITION
        } else word += s[sc.i]
        break
      }
      case WAIT_END_QUOTED: {
        if (c === 39) state = WAIT_QUOTE_OR_END
        else if (c === 92) {
          state = WAIT_NEXT_CHAR
          oldState = WAIT_END_QUOTED
        } else if (c === 0) return syntaxError(sc)
        else word += s[sc.i]
        break
      }
      case WAIT_QUOTE_OR_END: {
        if (c === 39) {
          word += "'"
          state = WAIT_END_QUOTED
          break
        }
        if (word.length === 0) return syntaxError(sc)
        if (sc.query) return { text: word, positions }
        state = WAIT_POSITIONS
        continue // recheck the current character
      }
      case WAIT_POSITIONS: {
        if (c === 58) state = IN_POSITION
        else return { text: word, positions }
        break
      }
      case IN_POSITION: {
        if (!isDigit(c)) return syntaxError(sc)
        const [pos, next] = readPosition(s, sc.i)
        if (pos === 0) return fail(`${sc.name}: wrong position info`, sc.oid, sc.name)
        if (positions === undefined) positions = []
        positions.push(pos)
        // atoi consumed the digits; the state machine skips them one by one.
        sc.i = next
        state = WAIT_POSITION_DELIMITER
        continue
      }
      case WAIT_POSITION_DELIMITER: {
        const last = positions!.length - 1
        const weight = positions![last]! >> 14
        if (c === 44) state = IN_POSITION
        else if (c === 97 || c === 65 || c === 42) {
          if (weight !== 0) return syntaxError(sc)
          positions![last]! |= 3 << 14
        } else if (c === 98 || c === 66) {
          if (weight !== 0) return syntaxError(sc)
          positions![last]! |= 2 << 14
        } else if (c === 99 || c === 67) {
          if (weight !== 0) return syntaxError(sc)
          positions![last]! |= 1 << 14
        } else if (c === 100 || c === 68) {
          if (weight !== 0) return syntaxError(sc)
        } else if (c === 0 || spaceAt(sc, c)) return { text: word, positions }
        else if (!isDigit(c)) return syntaxError(sc)
        break
      }
    }
    sc.i++
  }
}

const utf8 = (s: string): Uint8Array => textEncoder.encode(s)

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.length - b.length
}

// -------------------------------------------------------------------------------------------------
// tsvector input
// -------------------------------------------------------------------------------------------------

interface Entry {
  readonly bytes: Uint8Array
  positions: Array<number> | undefined
  /** How many input words were merged into this lexeme. */
  sources: number
}

/** Whether `positions` are already in non-decreasing position order. */
const positionsSorted = (positions: ReadonlyArray<number>): boolean => {
  for (let i = 1; i < positions.length; i++) if ((positions[i - 1]! & 0x3fff) > (positions[i]! & 0x3fff)) return false
  return true
}

/**
 * Sorts positions, merges duplicates (keeping the strongest weight) and keeps at most 256, as
 * `tsvectorin` does.
 *
 * **Details**
 * When the list is cut (256 positions, or position 16383 reached) the server keeps whichever
 * duplicate of the last position its sort put first, without merging the others' weights. Its
 * sort keeps input order for fewer than 7 elements or presorted input; `orderKnown` says whether
 * the concatenated input order is the server's too. Otherwise the outcome is unknowable and this
 * throws.
 */
const uniquePositions = (positions: Array<number>, orderKnown: boolean): Array<number> => {
  if (positions.length < 2) return positions
  // Stable sort by position only.
  const sorted = positions.toSorted((a, b) => (a & 0x3fff) - (b & 0x3fff))
  const out: Array<number> = [sorted[0]!]
  let k = 1
  for (; k < sorted.length; k++) {
    const v = sorted[k]!
    const last = out[out.length - 1]!
    if ((v & 0x3fff) !== (last & 0x3fff)) {
      out.push(v)
      if (out.length >= MAX_POSITIONS || (v & 0x3fff) === MAX_POSITION) {
        k++
        break
      }
    } else if ((v >> 14) > (last >> 14)) out[out.length - 1] = (last & 0x3fff) | (v & 0xc000)
  }
  if (k < sorted.length) {
    const kept = out[out.length - 1]!
    let ambiguous = false
    for (; k < sorted.length && (sorted[k]! & 0x3fff) === (kept & 0x3fff); k++) if (sorted[k] !== kept) ambiguous = true
    if (ambiguous && !(orderKnown && (positions.length < 7 || positionsSorted(positions)))) {
      fail(
        "tsvector: duplicate positions with different weights where the server truncates the list are ambiguous",
        Oid.tsvector,
        "tsvector"
      )
    }
  }
  return out
}

/**
 * Parses `tsvector` text as `tsvectorin` does: lexemes sorted by bytes, duplicates merged,
 * positions sorted and de-duplicated.
 */
const parseTsvector = (text: string): Array<Entry> => {
  if (typeof text !== "string") return fail(`tsvector: expected a string, got ${typeof text}`, Oid.tsvector, "tsvector")
  if (text.indexOf("\0") !== -1) return fail("tsvector: invalid input syntax", Oid.tsvector, "tsvector")
  const sc: Scanner = { s: text, i: 0, name: "tsvector", oid: Oid.tsvector, query: false }
  const entries: Array<Entry> = []
  let total = 0
  for (;;) {
    const w = nextWord(sc)
    if (w === undefined) break
    const bytes = utf8(w.text)
    if (bytes.length >= MAX_LEXEME_BYTES) {
      fail(`tsvector: word is too long (${bytes.length} bytes, max ${MAX_LEXEME_BYTES - 1})`, Oid.tsvector, "tsvector")
    }
    if (total > MAX_TOTAL_BYTES) fail("tsvector: string is too long", Oid.tsvector, "tsvector")
    total += bytes.length
    entries.push({ bytes, positions: w.positions, sources: 1 })
  }
  // The server's sort keeps input order for fewer than 7 elements or presorted input; a merged
  // lexeme's positions are concatenated in that order.
  let wordsInOrder = entries.length < 7
  if (!wordsInOrder) {
    wordsInOrder = true
    for (let i = 1; i < entries.length && wordsInOrder; i++) {
      if (compareBytes(entries[i - 1]!.bytes, entries[i]!.bytes) > 0) wordsInOrder = false
    }
  }
  if (entries.length > 1) entries.sort((a, b) => compareBytes(a.bytes, b.bytes))
  const out: Array<Entry> = []
  for (const e of entries) {
    const prev = out.length > 0 ? out[out.length - 1]! : undefined
    if (prev !== undefined && compareBytes(prev.bytes, e.bytes) === 0) {
      prev.sources++
      if (e.positions !== undefined) {
        prev.positions = prev.positions === undefined ? e.positions : prev.positions.concat(e.positions)
      }
    } else out.push({ bytes: e.bytes, positions: e.positions, sources: 1 })
  }
  // The stored size, as the server counts it after merging (lexemes, aligned position arrays).
  let stored = 0
  for (const e of out) {
    stored += e.bytes.length
    if (e.positions !== undefined) {
      e.positions = uniquePositions(e.positions, wordsInOrder || e.sources === 1)
      stored = ((stored + 1) & ~1) + 2 * e.positions.length + 2
    }
  }
  if (stored > MAX_TOTAL_BYTES) fail("tsvector: string is too long", Oid.tsvector, "tsvector")
  return out
}

const encodeTsvector = (v: string, w: PgWriter): void => {
  const entries = parseTsvector(v)
  w.i32(entries.length)
  for (const e of entries) {
    w.bytes(e.bytes)
    w.u8(0)
    const positions = e.positions
    if (positions === undefined) w.u16(0)
    else {
      w.u16(positions.length)
      for (let i = 0; i < positions.length; i++) w.u16(positions[i]!)
    }
  }
}

// -------------------------------------------------------------------------------------------------
// tsquery input
// -------------------------------------------------------------------------------------------------

/** An item of a parsed query, in postfix order. */
type QueryItem =
  | { readonly op: 0; readonly bytes: Uint8Array; readonly weight: number; readonly prefix: boolean }
  | { readonly op: 1 | 2 | 3 | 4; readonly distance: number }

const TOKEN_END = 0
const TOKEN_VAL = 1
const TOKEN_OPR = 2
const TOKEN_OPEN = 3
const TOKEN_CLOSE = 4

const STACK_DEPTH = 32

/**
 * Parses `tsquery` text as `tsqueryin` does and returns its items in postfix order (the binary
 * form lists them reversed).
 */
const parseTsquery = (text: string): Array<QueryItem> => {
  const name = "tsquery"
  const oid = Oid.tsquery
  if (typeof text !== "string") return fail(`tsquery: expected a string, got ${typeof text}`, oid, name)
  if (text.indexOf("\0") !== -1) return fail("tsquery: invalid input syntax", oid, name)
  const sc: Scanner = { s: text, i: 0, name, oid, query: true }
  const s = text
  const n = s.length
  // Tokenizer state: 0 = first operand, 1 = operand, 2 = operator.
  let state = 0
  let depth = 0
  let tokOp = 0
  let tokDistance = 1
  let tokWord: Word | undefined
  let tokWeight = 0
  let tokPrefix = false
  let total = 0

  const nextToken = (): number => {
    for (;;) {
      const c = sc.i < n ? s.charCodeAt(sc.i) : 0
      if (state !== 2) {
        if (c === 33) {
          sc.i++
          state = 1
          tokOp = OP_NOT
          return TOKEN_OPR
        }
        if (c === 40) {
          sc.i++
          state = 1
          depth++
          return TOKEN_OPEN
        }
        if (c === 58) return syntaxError(sc)
        if (c === 0 || !spaceAt(sc, c)) {
          const w = nextWord(sc)
          if (w === undefined) {
            if (state === 0) return TOKEN_END
            return fail("tsquery: no operand", oid, name)
          }
          tokWord = w
          // Modifiers: `:` followed by any of a/b/c/d (any case) and `*`.
          tokWeight = 0
          tokPrefix = false
          if (sc.i < n && s.charCodeAt(sc.i) === 58) {
            sc.i++
            for (; sc.i < n; sc.i++) {
              const m = s.charCodeAt(sc.i) | 0x20
              if (m === 97) tokWeight |= 8
              else if (m === 98) tokWeight |= 4
              else if (m === 99) tokWeight |= 2
              else if (m === 100) tokWeight |= 1
              else if (s.charCodeAt(sc.i) === 42) tokPrefix = true
              else break
            }
          }
          state = 2
          return TOKEN_VAL
        }
      } else {
        if (c === 38) {
          sc.i++
          state = 1
          tokOp = OP_AND
          return TOKEN_OPR
        }
        if (c === 124) {
          sc.i++
          state = 1
          tokOp = OP_OR
          return TOKEN_OPR
        }
        if (c === 60) {
          const end = parsePhrase()
          if (end === -1) return syntaxError(sc)
          sc.i = end
          state = 1
          tokOp = OP_PHRASE
          return TOKEN_OPR
        }
        if (c === 41) {
          sc.i++
          if (--depth < 0) return syntaxError(sc)
          return TOKEN_CLOSE
        }
        if (c === 0) {
          if (depth !== 0) return syntaxError(sc)
          return TOKEN_END
        }
        if (!spaceAt(sc, c)) return syntaxError(sc)
      }
      sc.i++
    }
  }

  /** `<->` or `<N>` at sc.i; sets tokDistance and returns the index after it, or -1. */
  const parsePhrase = (): number => {
    let i = sc.i + 1
    let distance = 1
    if (i < n && s.charCodeAt(i) === 45) i++
    else {
      if (!(i < n && isDigit(s.charCodeAt(i)))) return -1
      // strtol: any number of digits; out of range is an error, not a syntax error.
      let value = 0
      while (i < n && isDigit(s.charCodeAt(i))) {
        if (value <= MAX_DISTANCE) value = value * 10 + s.charCodeAt(i) - 48
        i++
      }
      if (value > MAX_DISTANCE) {
        return fail(
          `tsquery: distance in phrase operator must be an integer value between zero and ${MAX_DISTANCE} inclusive`,
          oid,
          name
        )
      }
      distance = value
    }
    if (!(i < n && s.charCodeAt(i) === 62)) return -1
    i++
    // The server's scanner stops at the end of input before accepting the closing `>`.
    if (i >= n) return -1
    tokDistance = distance
    return i
  }

  const items: Array<QueryItem> = []
  const stacks: Array<Array<{ op: number; distance: number }>> = []
  let ops: Array<{ op: number; distance: number }> = []
  const clean = (op: number): void => {
    const priority = PRIORITY[op]!
    while (ops.length > 0) {
      const top = ops[ops.length - 1]!
      if (op !== OP_NOT ? priority > PRIORITY[top.op]! : priority >= PRIORITY[top.op]!) break
      ops.pop()
      items.push({ op: top.op as 1 | 2 | 3 | 4, distance: top.distance })
    }
  }
  for (;;) {
    const t = nextToken()
    if (t === TOKEN_END) break
    if (t === TOKEN_VAL) {
      const bytes = utf8(tokWord!.text)
      if (bytes.length >= MAX_LEXEME_BYTES) fail("tsquery: word is too long", oid, name)
      if (total >= MAX_TOTAL_BYTES) fail("tsquery: value is too big", oid, name)
      total += bytes.length + 1
      items.push({ op: 0, bytes, weight: tokWeight, prefix: tokPrefix })
    } else if (t === TOKEN_OPR) {
      clean(tokOp)
      if (ops.length === STACK_DEPTH) fail("tsquery: stack too small", oid, name)
      ops.push({ op: tokOp, distance: tokOp === OP_PHRASE ? tokDistance : 0 })
    } else if (t === TOKEN_OPEN) {
      stacks.push(ops)
      ops = []
    } else {
      clean(OP_OR)
      ops = stacks.pop()!
    }
  }
  clean(OP_OR)
  return items
}

const encodeTsquery = (v: string, w: PgWriter): void => {
  const items = parseTsquery(v)
  w.i32(items.length)
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!
    if (item.op === 0) {
      w.u8(ITEM_VAL)
      w.u8(item.weight)
      w.u8(item.prefix ? 1 : 0)
      w.bytes(item.bytes)
      w.u8(0)
    } else {
      w.u8(ITEM_OPR)
      w.u8(item.op)
      if (item.op === OP_PHRASE) w.i16(item.distance)
    }
  }
}

// -------------------------------------------------------------------------------------------------
// Codecs
// -------------------------------------------------------------------------------------------------

const checkString = (oid: number, name: string) => (v: string): string =>
  typeof v === "string" ? v : fail(`${name}: expected a string, got ${typeof v}`, oid, name)

/**
 * `tsvector` ⇄ `string` (`'a':1A,2 'cat':3`).
 *
 * **Details**
 * The binary encoder normalises like the server (sorts and merges lexemes and positions), so the
 * bytes sent are the bytes `tsvectorsend` would print for the same text.
 *
 * @category codecs
 * @since 0.1.0
 */
export const tsvector: Codec<string> = make<string>({
  oid: Oid.tsvector,
  name: "tsvector",
  decodeBinary: decodeTsvector,
  encodeBinary: encodeTsvector,
  decodeText: (t) => t,
  encodeText: checkString(Oid.tsvector, "tsvector")
})

/**
 * `tsquery` ⇄ `string` (`'fat' & ( 'rat' | 'cat' )`, `'a' <-> 'b':*A`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const tsquery: Codec<string> = make<string>({
  oid: Oid.tsquery,
  name: "tsquery",
  decodeBinary: decodeTsquery,
  encodeBinary: encodeTsquery,
  decodeText: (t) => t,
  encodeText: checkString(Oid.tsquery, "tsquery")
})

/**
 * `gtsvector` → `string`: the GiST signature of a tsvector, output only (`2016 true bits, 0
 * false bits`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const gtsvector: Codec<string> = make<string>({
  oid: Oid.gtsvector,
  name: "gtsvector",
  decodeText: (t) => t,
  encodeText: checkString(Oid.gtsvector, "gtsvector")
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [tsvector, tsquery, gtsvector]
