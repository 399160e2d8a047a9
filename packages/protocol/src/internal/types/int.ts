/**
 * Integer codecs: int2, int4, int8, the unsigned 32-bit identifier types (oid, xid, cid), xid8,
 * and the `reg*` object-identifier aliases.
 *
 * Binary forms are big-endian two's complement (int2/int4/int8) or unsigned (oid, xid, cid, reg*:
 * 4 bytes; xid8: 8 bytes). Text forms are plain decimal as the server prints them.
 *
 * Values: int2/int4/oid/xid/cid → `number`; int8/xid8 → `bigint` (encoders also take a safe-integer
 * `number` or a decimal string). The `reg*` types decode to the numeric OID from binary; their text
 * form is an object *name* (`pg_class`, `sum(integer)`), which cannot be turned into an OID without
 * the catalog, so text decoding yields the name (or a number when the server printed a bare OID).
 *
 * Text decoding accepts what the server's input functions accept for the signed types (surrounding
 * whitespace, `+`, `_` between digits, `0x`/`0o`/`0b` prefixes, PostgreSQL 16+); the fast path is
 * the plain decimal the server prints.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { readInt16, readInt32, readUint32 } from "../bytes.ts"

const TWO_32 = 4294967296
const INT8_MIN = -(2n ** 63n)
const INT8_MAX = 2n ** 63n - 1n
const UINT8_MAX = 2n ** 64n - 1n

/**
 * Scratch space for 64-bit reads. Measured on Node 24: `DataView.getBigInt64` costs about half of
 * building the bigint from two 32-bit halves, except for values below 2^32, where one `BigInt`
 * of a small integer is fastest. Nothing is kept in it between calls.
 */
const scratch = new DataView(new ArrayBuffer(8))

/**
 * Reads a big-endian signed 64-bit integer as a bigint.
 *
 * @category decoding
 * @since 0.1.0
 */
export const readBigInt64 = (b: Uint8Array, o: number): bigint => {
  const hi = readInt32(b, o)
  const lo = readUint32(b, o + 4)
  if (hi === 0) return BigInt(lo)
  scratch.setInt32(0, hi)
  scratch.setUint32(4, lo)
  return scratch.getBigInt64(0)
}

/**
 * Reads a big-endian unsigned 64-bit integer as a bigint.
 *
 * @category decoding
 * @since 0.1.0
 */
export const readBigUint64 = (b: Uint8Array, o: number): bigint => {
  const hi = readUint32(b, o)
  const lo = readUint32(b, o + 4)
  if (hi === 0) return BigInt(lo)
  scratch.setUint32(0, hi)
  scratch.setUint32(4, lo)
  return scratch.getBigUint64(0)
}

/** PostgreSQL's `isspace`: space, \t, \n, \v, \f, \r. */
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

/** Strips the whitespace PostgreSQL's input functions skip (not JS's wider `trim` set). */
const trimSpace = (s: string): string => {
  let i = 0
  let n = s.length
  while (i < n && isSpace(s.charCodeAt(i))) i++
  while (n > i && isSpace(s.charCodeAt(n - 1))) n--
  return i === 0 && n === s.length ? s : s.slice(i, n)
}

const SIGNED_SYNTAX =
  /^([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|0[oO]((?:_?[0-7])+)|0[bB]((?:_?[01])+)|([0-9](?:_?[0-9])*))$/

/**
 * Parses the integer syntax of `int2in` / `int4in` / `int8in` (PostgreSQL 16+): optional
 * whitespace, sign, decimal digits or a `0x` / `0o` / `0b` prefix, `_` between digits. Returns
 * `undefined` on a syntax error. Off the hot path.
 */
const parseSignedSlow = (text: string): bigint | undefined => {
  const m = SIGNED_SYNTAX.exec(trimSpace(text))
  if (m === null) return undefined
  const body = m[2] !== undefined
    ? "0x" + m[2]
    : m[3] !== undefined
    ? "0o" + m[3]
    : m[4] !== undefined
    ? "0b" + m[4]
    : m[5]!
  const v = BigInt(body.includes("_") ? body.replaceAll("_", "") : body)
  return m[1] === "-" ? -v : v
}

/**
 * Parses a signed integer in text form into a `number`, throwing a CodecError outside
 * `[min, max]`. The fast path is the plain decimal the server prints.
 */
const parseSignedNumber = (text: string, min: number, max: number, oid: number, name: string): number => {
  const n = text.length
  if (n > 0 && n <= 15) {
    let i = 0
    let neg = false
    if (text.charCodeAt(0) === 45) {
      neg = true
      i = 1
    }
    if (i < n) {
      let v = 0
      for (; i < n; i++) {
        const d = text.charCodeAt(i) - 48
        if (d < 0 || d > 9) break
        v = v * 10 + d
      }
      if (i === n) {
        if (neg) v = -v
        if (v < min || v > max) return fail(`${name}: value out of range`, oid, name)
        return v
      }
    }
  }
  const big = parseSignedSlow(text)
  if (big === undefined) return fail(`${name}: invalid input syntax`, oid, name)
  if (big < BigInt(min) || big > BigInt(max)) return fail(`${name}: value out of range`, oid, name)
  return Number(big)
}

/** Parses a decimal integer (optional whitespace and sign) into a bigint, or `undefined`. */
const parseBigText = (text: string, signed: boolean): bigint | undefined => {
  const n = text.length
  // Fast path: plain decimal as the server prints it.
  if (n > 0 && n <= 21) {
    const start = text.charCodeAt(0) === 45 ? 1 : 0
    if (start < n) {
      let v = 0
      let i = start
      for (; i < n; i++) {
        const d = text.charCodeAt(i) - 48
        if (d < 0 || d > 9) break
        v = v * 10 + d
      }
      if (i === n) {
        if (start === 1 && !signed) return undefined
        // Up to 15 digits the double is exact; beyond, let BigInt parse the validated text.
        return n - start <= 15 ? BigInt(start === 1 ? -v : v) : BigInt(text)
      }
    }
  }
  if (signed) return parseSignedSlow(text)
  const t = trimSpace(text)
  return /^\+?[0-9]+$/.test(t) ? BigInt(t) : undefined
}

/** Parses an unsigned 32-bit decimal (oid, xid, cid), as the server prints it. */
const parseUint32Text = (text: string, oid: number, name: string): number => {
  const n = text.length
  let v = 0
  let i = 0
  for (; i < n && i < 11; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    v = v * 10 + d
  }
  if (i === n && n > 0) {
    if (v > 4294967295) return fail(`${name}: value out of range`, oid, name)
    return v
  }
  const t = trimSpace(text)
  if (!/^\+?[0-9]+$/.test(t)) return fail(`${name}: invalid input syntax`, oid, name)
  const big = BigInt(t)
  if (big > 4294967295n) return fail(`${name}: value out of range`, oid, name)
  return Number(big)
}

const badLength = (name: string, oid: number, expected: number, length: number): never =>
  fail(`${name}: expected ${expected} bytes, got ${length}`, oid, name)

const describe = (value: unknown): string => (value === null ? "null" : typeof value)

// ---------------------------------------------------------------------------------------------
// int2 / int4

/**
 * `int2` (smallint) ⇄ `number`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const int2: Codec<number> = make<number>({
  oid: Oid.int2,
  name: "int2",
  decodeBinary: (b, o, len) => (len === 2 ? readInt16(b, o) : badLength("int2", Oid.int2, 2, len)),
  encodeBinary: (v, w) => {
    if (typeof v !== "number" || ((v << 16) >> 16) !== v) fail(`int2: expected an integer in range, got ${describe(v)}`, Oid.int2, "int2")
    w.i16(v)
  },
  decodeText: (t) => parseSignedNumber(t, -32768, 32767, Oid.int2, "int2"),
  encodeText: (v) => {
    if (typeof v !== "number" || ((v << 16) >> 16) !== v) fail(`int2: expected an integer in range, got ${describe(v)}`, Oid.int2, "int2")
    return "" + v
  }
})

/**
 * `int4` (integer) ⇄ `number`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const int4: Codec<number> = make<number>({
  oid: Oid.int4,
  name: "int4",
  decodeBinary: (b, o, len) => (len === 4 ? readInt32(b, o) : badLength("int4", Oid.int4, 4, len)),
  encodeBinary: (v, w) => {
    if (typeof v !== "number" || (v | 0) !== v) fail(`int4: expected an integer in range, got ${describe(v)}`, Oid.int4, "int4")
    w.i32(v)
  },
  decodeText: (t) => parseSignedNumber(t, -2147483648, 2147483647, Oid.int4, "int4"),
  encodeText: (v) => {
    if (typeof v !== "number" || (v | 0) !== v) fail(`int4: expected an integer in range, got ${describe(v)}`, Oid.int4, "int4")
    return "" + v
  }
})

// ---------------------------------------------------------------------------------------------
// int8 / xid8

/**
 * What the 64-bit integer encoders accept: a `bigint`, a safe-integer `number`, or a decimal
 * string (the syntax of PostgreSQL's integer input).
 *
 * @category models
 * @since 0.1.0
 */
export type Int8Input = bigint | number | string

/**
 * Validates a 64-bit integer encoder input and returns it as a safe-integer `number` (fast path) or
 * a `bigint` within `[min, max]`; throws a CodecError naming the type otherwise.
 *
 * @category encoding
 * @since 0.1.0
 */
export const toInt64 = (
  value: unknown,
  min: bigint,
  max: bigint,
  oid: number,
  name: string
): number | bigint => {
  switch (typeof value) {
    case "number": {
      if (!Number.isSafeInteger(value)) {
        return fail(`${name}: expected a safe integer number (use a bigint or string beyond 2^53)`, oid, name)
      }
      if (min === 0n && value < 0) return fail(`${name}: value out of range`, oid, name)
      return value
    }
    case "bigint": {
      if (value < min || value > max) return fail(`${name}: value out of range`, oid, name)
      return value
    }
    case "string": {
      const v = parseBigText(value, min < 0n)
      if (v === undefined) return fail(`${name}: invalid input syntax`, oid, name)
      if (v < min || v > max) return fail(`${name}: value out of range`, oid, name)
      return v
    }
    default:
      return fail(`${name}: expected a bigint, number or string, got ${describe(value)}`, oid, name)
  }
}

/**
 * Writes a validated 64-bit value (from {@link toInt64}) as 8 big-endian bytes; unsigned values
 * above 2^63 are written with their two's-complement bit pattern.
 *
 * @category encoding
 * @since 0.1.0
 */
export const writeInt64 = (w: PgWriter, v: number | bigint): void => {
  if (typeof v === "number") {
    const hi = Math.floor(v / TWO_32)
    w.i32(hi)
    w.u32(v - hi * TWO_32)
  } else {
    w.i64(BigInt.asIntN(64, v))
  }
}

const int8Text = (t: string, oid: number, name: string, min: bigint, max: bigint): bigint => {
  const v = parseBigText(t, min < 0n)
  if (v === undefined) return fail(`${name}: invalid input syntax`, oid, name)
  if (v < min || v > max) return fail(`${name}: value out of range`, oid, name)
  return v
}

/**
 * `int8` (bigint) ⇄ `bigint`; encoders also accept a safe-integer `number` or a decimal string.
 *
 * @category codecs
 * @since 0.1.0
 */
export const int8: Codec<bigint, Int8Input> = make<bigint, Int8Input>({
  oid: Oid.int8,
  name: "int8",
  decodeBinary: (b, o, len) => (len === 8 ? readBigInt64(b, o) : badLength("int8", Oid.int8, 8, len)),
  encodeBinary: (v, w) => writeInt64(w, toInt64(v, INT8_MIN, INT8_MAX, Oid.int8, "int8")),
  decodeText: (t) => int8Text(t, Oid.int8, "int8", INT8_MIN, INT8_MAX),
  encodeText: (v) => "" + toInt64(v, INT8_MIN, INT8_MAX, Oid.int8, "int8")
})

/**
 * `xid8` (64-bit transaction id, unsigned) ⇄ `bigint`; encoders also accept a non-negative
 * safe-integer `number` or a decimal string.
 *
 * @category codecs
 * @since 0.1.0
 */
export const xid8: Codec<bigint, Int8Input> = make<bigint, Int8Input>({
  oid: Oid.xid8,
  name: "xid8",
  decodeBinary: (b, o, len) => (len === 8 ? readBigUint64(b, o) : badLength("xid8", Oid.xid8, 8, len)),
  encodeBinary: (v, w) => writeInt64(w, toInt64(v, 0n, UINT8_MAX, Oid.xid8, "xid8")),
  decodeText: (t) => int8Text(t, Oid.xid8, "xid8", 0n, UINT8_MAX),
  encodeText: (v) => "" + toInt64(v, 0n, UINT8_MAX, Oid.xid8, "xid8")
})

// ---------------------------------------------------------------------------------------------
// Unsigned 32-bit: oid, xid, cid

const uint32 = (oid: number, name: string): Codec<number> =>
  make<number>({
    oid,
    name,
    decodeBinary: (b, o, len) => (len === 4 ? readUint32(b, o) : badLength(name, oid, 4, len)),
    encodeBinary: (v, w) => {
      if (typeof v !== "number" || (v >>> 0) !== v) fail(`${name}: expected an integer in [0, 2^32), got ${describe(v)}`, oid, name)
      w.u32(v)
    },
    decodeText: (t) => parseUint32Text(t, oid, name),
    encodeText: (v) => {
      if (typeof v !== "number" || (v >>> 0) !== v) fail(`${name}: expected an integer in [0, 2^32), got ${describe(v)}`, oid, name)
      return "" + v
    }
  })

/**
 * `oid` ⇄ `number` (unsigned 32-bit).
 *
 * @category codecs
 * @since 0.1.0
 */
export const oid: Codec<number> = uint32(Oid.oid, "oid")

/**
 * `xid` (32-bit transaction id) ⇄ `number`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const xid: Codec<number> = uint32(Oid.xid, "xid")

/**
 * `cid` (command id) ⇄ `number`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const cid: Codec<number> = uint32(Oid.cid, "cid")

// ---------------------------------------------------------------------------------------------
// reg* aliases

/**
 * The value of a `reg*` column: the OID (`number`) from the binary form; from the text form the
 * object's name as the server printed it (`"pg_class"`, `"sum(integer)"`), or a `number` when the
 * server printed a bare OID (no object has that OID) or `-` (OID 0).
 *
 * @category models
 * @since 0.1.0
 */
export type RegValue = number | string

/** Whether `t` is a bare decimal OID (printed for OIDs without an object). */
const isDecimal = (t: string): boolean => {
  const n = t.length
  if (n === 0 || n > 10) return false
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

const reg = (oid: number, name: string): Codec<RegValue> =>
  make<RegValue>({
    oid,
    name,
    decodeBinary: (b, o, len) => (len === 4 ? readUint32(b, o) : badLength(name, oid, 4, len)),
    encodeBinary: (v, w) => {
      if (typeof v !== "number" || v >>> 0 !== v) {
        return fail(
          `${name}: binary encoding needs a numeric OID in [0, 2^32), got ${describe(v)} (send names as text)`,
          oid,
          name
        )
      }
      w.u32(v)
    },
    decodeText: (t) => {
      if (t === "-") return 0
      if (isDecimal(t)) {
        const v = Number(t)
        if (v <= 4294967295) return v
      }
      return t
    },
    encodeText: (v) => {
      if (typeof v === "string") return v
      if (typeof v !== "number" || v >>> 0 !== v) fail(`${name}: expected an OID in [0, 2^32) or a name`, oid, name)
      return "" + v
    }
  })

/**
 * `regproc` ⇄ OID `number` (binary) or function name (text).
 *
 * **Gotchas**
 * Every `reg*` type prints an object *name* in text, which only the server can resolve; binary
 * gives the OID. Request binary for these columns to get numbers. OID 0 prints as `-`, decoded
 * as `0`. Encoders take a numeric OID (binary or text) or a name (text only).
 *
 * @category codecs
 * @since 0.1.0
 */
export const regproc: Codec<RegValue> = reg(Oid.regproc, "regproc")

/**
 * `regprocedure` ⇄ OID `number` (binary) or function signature (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regprocedure: Codec<RegValue> = reg(Oid.regprocedure, "regprocedure")

/**
 * `regoper` ⇄ OID `number` (binary) or operator name (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regoper: Codec<RegValue> = reg(Oid.regoper, "regoper")

/**
 * `regoperator` ⇄ OID `number` (binary) or operator signature (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regoperator: Codec<RegValue> = reg(Oid.regoperator, "regoperator")

/**
 * `regclass` ⇄ OID `number` (binary) or relation name (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regclass: Codec<RegValue> = reg(Oid.regclass, "regclass")

/**
 * `regtype` ⇄ OID `number` (binary) or type name (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regtype: Codec<RegValue> = reg(Oid.regtype, "regtype")

/**
 * `regrole` ⇄ OID `number` (binary) or role name (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regrole: Codec<RegValue> = reg(Oid.regrole, "regrole")

/**
 * `regnamespace` ⇄ OID `number` (binary) or schema name (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regnamespace: Codec<RegValue> = reg(Oid.regnamespace, "regnamespace")

/**
 * `regconfig` ⇄ OID `number` (binary) or text search configuration name (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regconfig: Codec<RegValue> = reg(Oid.regconfig, "regconfig")

/**
 * `regdictionary` ⇄ OID `number` (binary) or text search dictionary name (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regdictionary: Codec<RegValue> = reg(Oid.regdictionary, "regdictionary")

/**
 * `regcollation` ⇄ OID `number` (binary) or collation name (text). See {@link regproc}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const regcollation: Codec<RegValue> = reg(Oid.regcollation, "regcollation")

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [
  int2,
  int4,
  int8,
  oid,
  xid,
  xid8,
  cid,
  regproc,
  regprocedure,
  regoper,
  regoperator,
  regclass,
  regtype,
  regrole,
  regnamespace,
  regconfig,
  regdictionary,
  regcollation
]
