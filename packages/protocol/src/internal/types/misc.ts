/**
 * Codecs for the remaining built-in scalar types: `pg_lsn`, `tid`, `int2vector`, `oidvector`,
 * `txid_snapshot` / `pg_snapshot`, and the text-only catalog types (`aclitem`, `pg_node_tree`,
 * `pg_ndistinct`, `pg_dependencies`, `pg_mcv_list`, `pg_brin_bloom_summary`,
 * `pg_brin_minmax_multi_summary`).
 *
 * Binary forms:
 * - pg_lsn: uint64. Text `16/B374D848` (upper-case hex halves, no leading zeros).
 * - tid: uint32 block, uint16 offset. Text `(0,1)`.
 * - int2vector / oidvector: a one-dimensional `array_send` array (no nulls, lower bound 0) of
 *   int2 / oid. Text: the elements separated by single spaces.
 * - txid_snapshot / pg_snapshot: int32 count of in-progress ids, uint64 xmin, uint64 xmax, then
 *   the uint64 ids. Text `10:20:10,14,15`.
 * - pg_node_tree: sent as text (`textsend`); it cannot be received at all.
 * - pg_ndistinct, pg_dependencies, pg_mcv_list and the BRIN summaries send an internal
 *   serialisation; these codecs read only their text form (the client asks for text) and the
 *   server accepts none of them as input.
 *
 * Values: pg_lsn and the catalog types → `string` (the server's text); tid → {@link Tid};
 * int2vector / oidvector → `number[]`; snapshots → {@link Snapshot}.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import { readInt16, readInt32, readUint16, readUint32, utf8Slice } from "../bytes.ts"

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

const isDigit = (c: number): boolean => c >= 48 && c <= 57

const checkString = (v: unknown, oid: number, name: string): string =>
  typeof v === "string" ? v : fail(`${name}: expected a string, got ${typeof v}`, oid, name)

// -------------------------------------------------------------------------------------------------
// pg_lsn
// -------------------------------------------------------------------------------------------------

/** Reads 1–8 hex digits at `i`; returns the index after them, or -1. */
const hexRun = (s: string, i: number): number => {
  const start = i
  while (i < s.length && hexValue(s.charCodeAt(i)) >= 0) i++
  return i === start || i - start > 8 ? -1 : i
}

/**
 * Parses `pg_lsn` text (`16/B374D848`: two groups of 1–8 hex digits) into its two 32-bit halves.
 *
 * @category decoding
 * @since 0.1.0
 */
export const parseLsn = (text: string): readonly [hi: number, lo: number] => {
  const s = checkString(text, Oid.pg_lsn, "pg_lsn")
  const slash = hexRun(s, 0)
  if (slash === -1 || s.charCodeAt(slash) !== 47) return fail("pg_lsn: invalid input syntax", Oid.pg_lsn, "pg_lsn")
  const end = hexRun(s, slash + 1)
  if (end !== s.length) return fail("pg_lsn: invalid input syntax", Oid.pg_lsn, "pg_lsn")
  return [parseInt(s.slice(0, slash), 16), parseInt(s.slice(slash + 1), 16)]
}

/**
 * `pg_lsn` ⇄ `string` (`16/B374D848`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const pgLsn: Codec<string> = make<string>({
  oid: Oid.pg_lsn,
  name: "pg_lsn",
  decodeBinary: (b, o, len) =>
    len === 8
      ? readUint32(b, o).toString(16).toUpperCase() + "/" + readUint32(b, o + 4).toString(16).toUpperCase()
      : fail(`pg_lsn: expected 8 bytes, got ${len}`, Oid.pg_lsn, "pg_lsn"),
  encodeBinary: (v, w) => {
    const [hi, lo] = parseLsn(v)
    w.u32(hi)
    w.u32(lo)
  },
  decodeText: (t) => t,
  encodeText: (v) => checkString(v, Oid.pg_lsn, "pg_lsn")
})

// -------------------------------------------------------------------------------------------------
// tid
// -------------------------------------------------------------------------------------------------

/**
 * A tuple identifier (`ctid`): the block number and the item's offset within the block.
 *
 * @category models
 * @since 0.1.0
 */
export interface Tid {
  readonly block: number
  readonly offset: number
}

const isUint = (v: unknown, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max

const checkTid = (v: Tid): Tid => {
  if (typeof v !== "object" || v === null || !isUint(v.block, 0xffffffff) || !isUint(v.offset, 0xffff)) {
    fail("tid: expected { block: 0…4294967295, offset: 0…65535 }", Oid.tid, "tid")
  }
  return v
}

/** Reads an unsigned decimal at `i` (at most `max`); returns [value, next index] or undefined. */
const readUint = (s: string, i: number, max: number): readonly [number, number] | undefined => {
  const start = i
  let v = 0
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    v = v * 10 + s.charCodeAt(i) - 48
    if (v > max) return undefined
    i++
  }
  return i === start ? undefined : [v, i]
}

const badTid = (): never => fail("tid: invalid input syntax", Oid.tid, "tid")

/**
 * `tid` ⇄ {@link Tid} (`(0,1)`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const tid: Codec<Tid> = make<Tid>({
  oid: Oid.tid,
  name: "tid",
  decodeBinary: (b, o, len) =>
    len === 6
      ? { block: readUint32(b, o), offset: readUint16(b, o + 4) }
      : fail(`tid: expected 6 bytes, got ${len}`, Oid.tid, "tid"),
  encodeBinary: (v, w) => {
    checkTid(v)
    w.u32(v.block)
    w.u16(v.offset)
  },
  decodeText: (t) => {
    const bad = badTid
    if (t.charCodeAt(0) !== 40) return bad()
    const block = readUint(t, 1, 0xffffffff)
    if (block === undefined || t.charCodeAt(block[1]) !== 44) return bad()
    const offset = readUint(t, block[1] + 1, 0xffff)
    if (offset === undefined || offset[1] !== t.length - 1 || t.charCodeAt(offset[1]) !== 41) return bad()
    return { block: block[0], offset: offset[0] }
  },
  encodeText: (v) => "(" + checkTid(v).block + "," + v.offset + ")"
})

// -------------------------------------------------------------------------------------------------
// int2vector / oidvector
// -------------------------------------------------------------------------------------------------

const vectorCodec = (
  oid: number,
  name: string,
  elementOid: number,
  width: 2 | 4,
  min: number,
  max: number
): Codec<ReadonlyArray<number>> => {
  const bad = (what: string): never => fail(`${name}: ${what}`, oid, name)
  const check = (v: ReadonlyArray<number>): ReadonlyArray<number> => {
    if (!Array.isArray(v)) bad("expected an array of numbers")
    for (let i = 0; i < v.length; i++) {
      const x = v[i]
      if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) bad(`element out of range ${min}…${max}`)
    }
    return v
  }
  return make<ReadonlyArray<number>>({
    oid,
    name,
    decodeBinary: (b, o, len) => {
      const end = o + len
      if (len < 12) return bad("array header too short")
      const ndim = readInt32(b, o)
      const flags = readInt32(b, o + 4)
      if (flags !== 0) return bad("null elements are not allowed")
      if (readUint32(b, o + 8) !== elementOid) return bad("unexpected element type")
      if (ndim === 0) return len === 12 ? [] : bad("trailing bytes")
      if (ndim !== 1 || len < 20) return bad("expected a one-dimensional array")
      const n = readInt32(b, o + 12)
      if (n < 0 || len !== 20 + n * (4 + width)) return bad("element count does not match the field length")
      const out = new Array<number>(n)
      let p = o + 20
      for (let i = 0; i < n; i++) {
        if (readInt32(b, p) !== width) return bad("unexpected element length")
        out[i] = width === 2 ? readInt16(b, p + 4) : readUint32(b, p + 4)
        p += 4 + width
      }
      return p === end ? out : bad("trailing bytes")
    },
    encodeBinary: (v, w) => {
      check(v)
      // The server's receive function rejects an empty vector in either array shape.
      if (v.length === 0) bad("an empty vector has no binary form the server accepts; send it as text")
      w.i32(1)
      w.i32(0)
      w.u32(elementOid)
      w.i32(v.length)
      w.i32(0)
      for (let i = 0; i < v.length; i++) {
        w.i32(width)
        if (width === 2) w.i16(v[i]!)
        else w.u32(v[i]!)
      }
    },
    decodeText: (t) => {
      const out: Array<number> = []
      let i = 0
      const n = t.length
      while (i < n) {
        while (i < n && t.charCodeAt(i) === 32) i++
        if (i === n) break
        let neg = false
        if (t.charCodeAt(i) === 45) {
          neg = true
          i++
        }
        const r = readUint(t, i, 0xffffffff)
        if (r === undefined) return bad("invalid input syntax")
        const v = neg ? -r[0] : r[0]
        if (v < min || v > max) return bad("value out of range")
        out.push(v)
        i = r[1]
        if (i < n && t.charCodeAt(i) !== 32) return bad("invalid input syntax")
      }
      return out
    },
    encodeText: (v) => check(v).join(" ")
  })
}

/**
 * `int2vector` ⇄ `number[]` (text `1 2 3`).
 *
 * **Gotchas**
 * The server cannot receive an empty `int2vector` in binary; encoding `[]` in binary throws a
 * CodecError (send text instead).
 *
 * @category codecs
 * @since 0.1.0
 */
export const int2vector: Codec<ReadonlyArray<number>> = vectorCodec(
  Oid.int2vector,
  "int2vector",
  Oid.int2,
  2,
  -32768,
  32767
)

/**
 * `oidvector` ⇄ `number[]` (text `23 25`).
 *
 * **Gotchas**
 * The server cannot receive an empty `oidvector` in binary; encoding `[]` in binary throws a
 * CodecError (send text instead).
 *
 * @category codecs
 * @since 0.1.0
 */
export const oidvector: Codec<ReadonlyArray<number>> = vectorCodec(
  Oid.oidvector,
  "oidvector",
  Oid.oid,
  4,
  0,
  0xffffffff
)

// -------------------------------------------------------------------------------------------------
// txid_snapshot / pg_snapshot
// -------------------------------------------------------------------------------------------------

/**
 * A transaction snapshot (`pg_current_snapshot()`): ids below `xmin` are finished, ids from
 * `xmax` on have not started, and `xip` lists the ids in between still in progress (ascending).
 *
 * @category models
 * @since 0.1.0
 */
export interface Snapshot {
  readonly xmin: bigint
  readonly xmax: bigint
  readonly xip: ReadonlyArray<bigint>
}

/**
 * What the snapshot encoders accept: {@link Snapshot}, with safe-integer numbers allowed too.
 *
 * @category models
 * @since 0.1.0
 */
export interface SnapshotInput {
  readonly xmin: bigint | number
  readonly xmax: bigint | number
  readonly xip: ReadonlyArray<bigint | number>
}

const UINT64_MAX = 0xffffffffffffffffn
const TWO_32 = 4294967296

const readUint64 = (b: Uint8Array, o: number): bigint => {
  const hi = readUint32(b, o)
  const lo = readUint32(b, o + 4)
  return hi < 0x200000 ? BigInt(hi * TWO_32 + lo) : (BigInt(hi) << 32n) | BigInt(lo)
}

const snapshotCodec = (oid: number, name: string): Codec<Snapshot, SnapshotInput> => {
  const bad = (what: string): never => fail(`${name}: ${what}`, oid, name)
  const toId = (v: bigint | number): bigint => {
    const x = typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : v
    if (typeof x !== "bigint" || x < 0n || x > UINT64_MAX) return bad("ids must be integers in 0…2^64-1")
    return x
  }
  /** Normalises and checks the rules the server's receive function enforces. */
  const check = (v: SnapshotInput): Snapshot => {
    if (typeof v !== "object" || v === null || !Array.isArray(v.xip)) bad("expected { xmin, xmax, xip }")
    const xmin = toId(v.xmin)
    const xmax = toId(v.xmax)
    if (xmin === 0n) bad("xmin must be a valid transaction id (not 0)")
    if (xmax < xmin) bad("xmax precedes xmin")
    const xip = new Array<bigint>(v.xip.length)
    let last = xmin
    for (let i = 0; i < xip.length; i++) {
      const x = toId(v.xip[i]!)
      if (x < last || x > xmax) bad("in-progress ids must be ascending, from xmin to xmax")
      xip[i] = last = x
    }
    return { xmin, xmax, xip }
  }
  return make<Snapshot, SnapshotInput>({
    oid,
    name,
    decodeBinary: (b, o, len) => {
      if (len < 20) return bad("too short")
      const n = readInt32(b, o)
      if (n < 0 || len !== 20 + 8 * n) return bad("id count does not match the field length")
      const xip = new Array<bigint>(n)
      for (let i = 0, p = o + 20; i < n; i++, p += 8) xip[i] = readUint64(b, p)
      return { xmin: readUint64(b, o + 4), xmax: readUint64(b, o + 12), xip }
    },
    encodeBinary: (v, w) => {
      const s = check(v)
      w.i32(s.xip.length)
      w.i64(BigInt.asIntN(64, s.xmin))
      w.i64(BigInt.asIntN(64, s.xmax))
      for (const x of s.xip) w.i64(BigInt.asIntN(64, x))
    },
    decodeText: (t) => {
      const c1 = t.indexOf(":")
      const c2 = c1 === -1 ? -1 : t.indexOf(":", c1 + 1)
      if (c2 === -1) return bad("invalid input syntax")
      const id = (s: string): bigint => {
        if (s.length === 0 || s.length > 20) return bad("invalid input syntax")
        for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return bad("invalid input syntax")
        const x = BigInt(s)
        return x > UINT64_MAX ? bad("id out of range") : x
      }
      const rest = t.slice(c2 + 1)
      return {
        xmin: id(t.slice(0, c1)),
        xmax: id(t.slice(c1 + 1, c2)),
        xip: rest.length === 0 ? [] : rest.split(",").map(id)
      }
    },
    encodeText: (v) => {
      const s = check(v)
      return s.xmin + ":" + s.xmax + ":" + s.xip.join(",")
    }
  })
}

/**
 * `txid_snapshot` ⇄ {@link Snapshot} (text `10:20:10,14,15`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const txidSnapshot: Codec<Snapshot, SnapshotInput> = snapshotCodec(Oid.txid_snapshot, "txid_snapshot")

/**
 * `pg_snapshot` ⇄ {@link Snapshot} (text `10:20:10,14,15`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const pgSnapshot: Codec<Snapshot, SnapshotInput> = snapshotCodec(Oid.pg_snapshot, "pg_snapshot")

// -------------------------------------------------------------------------------------------------
// Text-only catalog types
// -------------------------------------------------------------------------------------------------

const textOnly = (oid: number, name: string): Codec<string> =>
  make<string>({
    oid,
    name,
    decodeText: (t) => t,
    encodeText: (v) => checkString(v, oid, name)
  })

/**
 * `aclitem` ⇄ `string` (`postgres=arwdDxtm/postgres`); text only, the type has no binary form.
 *
 * @category codecs
 * @since 0.1.0
 */
export const aclitem: Codec<string> = textOnly(Oid.aclitem, "aclitem")

/**
 * `pg_node_tree` → `string` (a serialised expression tree, e.g. `pg_attrdef.adbin`). Its binary
 * form is its text; the server accepts it as input in neither form.
 *
 * @category codecs
 * @since 0.1.0
 */
export const pgNodeTree: Codec<string> = make<string>({
  oid: Oid.pg_node_tree,
  name: "pg_node_tree",
  decodeBinary: (b, o, len) => utf8Slice(b, o, o + len),
  decodeText: (t) => t,
  encodeText: (v) => checkString(v, Oid.pg_node_tree, "pg_node_tree")
})

/**
 * `pg_ndistinct` → `string` (extended statistics, `{"1, 2": 3}`); text only.
 *
 * @category codecs
 * @since 0.1.0
 */
export const pgNdistinct: Codec<string> = textOnly(Oid.pg_ndistinct, "pg_ndistinct")

/**
 * `pg_dependencies` → `string` (extended statistics, `{"1 => 2": 1.000000}`); text only.
 *
 * @category codecs
 * @since 0.1.0
 */
export const pgDependencies: Codec<string> = textOnly(Oid.pg_dependencies, "pg_dependencies")

/**
 * `pg_mcv_list` → `string` (extended statistics); text only.
 *
 * @category codecs
 * @since 0.1.0
 */
export const pgMcvList: Codec<string> = textOnly(Oid.pg_mcv_list, "pg_mcv_list")

/**
 * `pg_brin_bloom_summary` → `string` (BRIN index page summaries); text only.
 *
 * @category codecs
 * @since 0.1.0
 */
export const pgBrinBloomSummary: Codec<string> = textOnly(Oid.pg_brin_bloom_summary, "pg_brin_bloom_summary")

/**
 * `pg_brin_minmax_multi_summary` → `string` (BRIN index page summaries); text only.
 *
 * @category codecs
 * @since 0.1.0
 */
export const pgBrinMinmaxMultiSummary: Codec<string> = textOnly(
  Oid.pg_brin_minmax_multi_summary,
  "pg_brin_minmax_multi_summary"
)

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [
  pgLsn,
  tid,
  int2vector,
  oidvector,
  txidSnapshot,
  pgSnapshot,
  aclitem,
  pgNodeTree,
  pgNdistinct,
  pgDependencies,
  pgMcvList,
  pgBrinBloomSummary,
  pgBrinMinmaxMultiSummary
]
