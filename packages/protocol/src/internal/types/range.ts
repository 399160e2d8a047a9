/**
 * Range and multirange codecs, generic over the subtype codec.
 *
 * Binary range (`range_send`): one flag byte, then the lower bound (when finite) and the upper
 * bound (when finite), each as an int32 length and the subtype's binary form. Flag bits
 * (`rangetypes.h`): 0x01 empty, 0x02 lower inclusive, 0x04 upper inclusive, 0x08 lower
 * infinite, 0x10 upper infinite; 0x20 / 0x40 (NULL bounds) and 0x80 (contains-empty, used only
 * inside GiST indexes) never come over the wire, and are masked out as `range_recv` does.
 *
 * Binary multirange (`multirange_send`): int32 count, then each range as an int32 length and the
 * binary range.
 *
 * Text: `[1,5)`, `(,5]`, `empty`; a bound is quoted with `"` when it is empty or contains a
 * quote, backslash, bracket, parenthesis, comma or white space, with `"` and `\` doubled inside.
 * Multirange: `{[1,3),[5,7)}`, `{}`.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { PgRange } from "../../PgRange.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { readInt32 } from "../bytes.ts"
import type { Fail, Member } from "./literal.ts"
import { failer, quoteLiteral, readMember, skipSpace, specials } from "./literal.ts"

/** `RANGE_EMPTY` */
const EMPTY = 0x01
/** `RANGE_LB_INC` */
const LB_INC = 0x02
/** `RANGE_UB_INC` */
const UB_INC = 0x04
/** `RANGE_LB_INF` */
const LB_INF = 0x08
/** `RANGE_UB_INF` */
const UB_INF = 0x10
/** The flags `range_recv` keeps. */
const KNOWN = EMPTY | LB_INC | UB_INC | LB_INF | UB_INF

const CH_COMMA = 44
const CH_LPAREN = 40
const CH_RPAREN = 41
const CH_LBRACKET = 91
const CH_RBRACKET = 93
const CH_LBRACE = 123
const CH_RBRACE = 125

// -------------------------------------------------------------------------------------------------
// binary

const decodeRangeBinary = <A>(
  decode: (bytes: Uint8Array, offset: number, length: number) => A,
  bytes: Uint8Array,
  offset: number,
  length: number,
  fail: Fail
): PgRange<A> => {
  const end = offset + length
  if (length < 1) fail("range truncated")
  const flags = bytes[offset]! & KNOWN
  let pos = offset + 1
  if ((flags & EMPTY) !== 0) {
    if (pos !== end) fail("trailing bytes after empty range")
    return new PgRange<A>(null, null, false, false, true)
  }
  let lower: A | null = null
  let upper: A | null = null
  if ((flags & LB_INF) === 0) {
    if (pos + 4 > end) fail("range lower bound truncated")
    const len = readInt32(bytes, pos)
    pos += 4
    if (len < 0 || len > end - pos) fail(`invalid range bound length: ${len}`)
    lower = decode(bytes, pos, len)
    pos += len
  }
  if ((flags & UB_INF) === 0) {
    if (pos + 4 > end) fail("range upper bound truncated")
    const len = readInt32(bytes, pos)
    pos += 4
    if (len < 0 || len > end - pos) fail(`invalid range bound length: ${len}`)
    upper = decode(bytes, pos, len)
    pos += len
  }
  if (pos !== end) fail("trailing bytes after range")
  return new PgRange<A>(
    lower,
    upper,
    (flags & (LB_INC | LB_INF)) === LB_INC,
    (flags & (UB_INC | UB_INF)) === UB_INC,
    false
  )
}

const encodeRangeBinary = <I>(
  encode: (value: I, writer: PgWriter) => void,
  value: PgRange<I>,
  writer: PgWriter,
  fail: Fail
): void => {
  if (!(value instanceof PgRange)) return fail("expected a PgRange")
  if (value.empty) {
    writer.u8(EMPTY)
    return
  }
  const lower = value.lower
  const upper = value.upper
  let flags = 0
  if (lower === null || lower === undefined) flags |= LB_INF
  else if (value.lowerInclusive) flags |= LB_INC
  if (upper === null || upper === undefined) flags |= UB_INF
  else if (value.upperInclusive) flags |= UB_INC
  writer.u8(flags)
  if ((flags & LB_INF) === 0) {
    const at = writer.beginLength()
    encode(lower as I, writer)
    writer.endLength(at, false)
  }
  if ((flags & UB_INF) === 0) {
    const at = writer.beginLength()
    encode(upper as I, writer)
    writer.endLength(at, false)
  }
}

// -------------------------------------------------------------------------------------------------
// text

/** What makes `range_out` quote a bound, besides white space, `"` and `\`. */
const BOUND_SPECIALS = specials("()[],")

/** Quotes a bound's text as `range_out` does. */
const quoteBound = (s: string): string => quoteLiteral(s, BOUND_SPECIALS, "double")

const encodeRangeText = <I>(encode: (value: I) => string, value: PgRange<I>, fail: Fail): string => {
  if (!(value instanceof PgRange)) return fail("expected a PgRange")
  if (value.empty) return "empty"
  const lower = value.lower
  const upper = value.upper
  const lo = lower === null || lower === undefined ? "(" : (value.lowerInclusive ? "[" : "(") + quoteBound(encode(lower))
  const hi = upper === null || upper === undefined ? ")" : quoteBound(encode(upper)) + (value.upperInclusive ? "]" : ")")
  return `${lo},${hi}`
}

const isBoundEnd = (c: number): boolean => c === CH_COMMA || c === CH_RPAREN || c === CH_RBRACKET

/**
 * Reads one bound (`range_parse_bound`) starting at `i`; `null` text means unbounded. Ends at
 * the terminating `,`, `)` or `]`.
 */
const parseBound = (text: string, i: number, fail: Fail): Member =>
  readMember(text, i, isBoundEnd, fail, "unexpected end of range literal")

/**
 * Parses one range literal (`range_parse`) starting at `i` (after any white space); returns the
 * range and the position just past it.
 */
const parseRange = <A>(
  decode: (text: string) => A,
  text: string,
  i: number,
  fail: Fail
): { range: PgRange<A>; end: number } => {
  const c = text.charCodeAt(i)
  if (c !== CH_LBRACKET && c !== CH_LPAREN) {
    if (text.length - i >= 5 && text.slice(i, i + 5).toLowerCase() === "empty") {
      return { range: new PgRange<A>(null, null, false, false, true), end: i + 5 }
    }
    return fail("range literal must start with \"[\", \"(\" or be \"empty\"")
  }
  const lowerInclusive = c === CH_LBRACKET
  const lo = parseBound(text, i + 1, fail)
  if (text.charCodeAt(lo.end) !== CH_COMMA) fail("too many commas in range literal")
  const hi = parseBound(text, lo.end + 1, fail)
  const close = text.charCodeAt(hi.end)
  if (close !== CH_RBRACKET && close !== CH_RPAREN) fail("too many commas in range literal")
  const lower = lo.text === null ? null : decode(lo.text)
  const upper = hi.text === null ? null : decode(hi.text)
  return {
    range: new PgRange<A>(
      lower,
      upper,
      lower !== null && lowerInclusive,
      upper !== null && close === CH_RBRACKET,
      false
    ),
    end: hi.end + 1
  }
}

// -------------------------------------------------------------------------------------------------
// codecs

/**
 * Builds the codec of a range type over its subtype codec.
 *
 * @category constructors
 * @since 0.1.0
 */
export const rangeCodec = <A, I = A>(subtype: Codec<A, I>, rangeOid: number, name: string): Codec<PgRange<A>, PgRange<I>> => {
  const fail = failer(rangeOid, name)
  const sub = subtype
  const dec = sub.decodeBinary
  const enc = sub.encodeBinary
  return {
    oid: rangeOid,
    name,
    decodeBinary: dec === undefined ? undefined : (bytes, offset, length) => decodeRangeBinary(dec, bytes, offset, length, fail),
    encodeBinary: enc === undefined ? undefined : (value, writer) => encodeRangeBinary(enc, value, writer, fail),
    decodeText: (text) => {
      const { end, range } = parseRange(sub.decodeText, text, skipSpace(text, 0), fail)
      if (skipSpace(text, end) !== text.length) fail("junk after range literal")
      return range
    },
    encodeText: (value) => encodeRangeText(sub.encodeText, value, fail)
  }
}

/**
 * Builds the codec of a multirange type over its subtype codec; values are arrays of ranges.
 *
 * **Details**
 * Decoding text drops `empty` members as `multirange_in` does; the server always sends the
 * ranges sorted and merged.
 *
 * @category constructors
 * @since 0.1.0
 */
export const multirangeCodec = <A, I = A>(
  subtype: Codec<A, I>,
  multirangeOid: number,
  name: string
): Codec<ReadonlyArray<PgRange<A>>, ReadonlyArray<PgRange<I>>> => {
  const fail = failer(multirangeOid, name)
  const sub = subtype
  const dec = sub.decodeBinary
  const enc = sub.encodeBinary
  return {
    oid: multirangeOid,
    name,
    decodeBinary: dec === undefined ? undefined : (bytes, offset, length) => {
      const end = offset + length
      if (length < 4) fail("multirange truncated")
      const count = readInt32(bytes, offset)
      let pos = offset + 4
      if (count < 0 || count > (end - pos) / 5) fail(`invalid multirange count: ${count}`)
      const out = new Array<PgRange<A>>(count)
      for (let k = 0; k < count; k++) {
        if (pos + 4 > end) fail("multirange member length truncated")
        const len = readInt32(bytes, pos)
        pos += 4
        if (len < 0 || len > end - pos) fail(`invalid multirange member length: ${len}`)
        out[k] = decodeRangeBinary(dec, bytes, pos, len, fail)
        pos += len
      }
      if (pos !== end) fail("trailing bytes after multirange")
      return out
    },
    encodeBinary: enc === undefined ? undefined : (value, writer) => {
      if (!Array.isArray(value)) return fail("expected an array of PgRange")
      writer.i32(value.length)
      for (let k = 0; k < value.length; k++) {
        const at = writer.beginLength()
        encodeRangeBinary(enc, value[k]!, writer, fail)
        writer.endLength(at, false)
      }
    },
    decodeText: (text) => {
      let i = skipSpace(text, 0)
      if (text.charCodeAt(i) !== CH_LBRACE) fail("multirange literal must start with \"{\"")
      i = skipSpace(text, i + 1)
      const out: Array<PgRange<A>> = []
      if (text.charCodeAt(i) === CH_RBRACE) {
        i++
      } else {
        for (;;) {
          const { end, range } = parseRange(sub.decodeText, text, i, fail)
          if (!range.empty) out.push(range)
          i = skipSpace(text, end)
          const c = text.charCodeAt(i)
          i++
          if (c === CH_RBRACE) break
          if (c !== CH_COMMA) fail("expected \",\" or \"}\" in multirange literal")
          i = skipSpace(text, i)
        }
      }
      if (skipSpace(text, i) !== text.length) fail("junk after multirange literal")
      return out
    },
    encodeText: (value) => {
      if (!Array.isArray(value)) return fail("expected an array of PgRange")
      let out = "{"
      for (let k = 0; k < value.length; k++) {
        if (k > 0) out += ","
        out += encodeRangeText(sub.encodeText, value[k]!, fail)
      }
      return out + "}"
    }
  }
}
