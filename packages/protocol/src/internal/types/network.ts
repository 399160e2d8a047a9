/**
 * Codecs for the network address types: `inet`, `cidr`, `macaddr`, `macaddr8`.
 *
 * Binary forms:
 * - inet / cidr (`inet_send`): uint8 family (2 = IPv4, 3 = IPv6), uint8 prefix length, uint8
 *   is-cidr flag, uint8 address length (4 or 16), then the address bytes.
 * - macaddr: 6 bytes; macaddr8: 8 bytes.
 *
 * Values are strings identical to the server's output: `192.168.0.1` (inet omits a full-length
 * prefix), `192.168.0.0/24` (cidr always prints it), IPv6 compressed as PostgreSQL does (the
 * first longest run of two or more zero groups becomes `::`, and `::a.b.c.d` / `::ffff:a.b.c.d`
 * keep the embedded IPv4 address), `08:00:2b:01:02:03`, `08:00:2b:ff:fe:01:02:03`.
 *
 * The binary encoders parse the same text the server's input functions accept, with their
 * quirks (abbreviated and classful cidr such as `10` → `10.0.0.0/8`, `0x` hex cidr, the
 * `macaddr` separator styles, six-byte `macaddr8` input), and throw a CodecError for anything
 * the server would reject. The text encoders send the string unchanged.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"

const AF_INET = 2
const AF_INET6 = 3

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/** Hex digit value, or -1. */
const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

const HEX = "0123456789abcdef"

const hexByte = (v: number): string => HEX[v >> 4]! + HEX[v & 15]!

const checkString = (v: unknown, oid: number, name: string): string => {
  if (typeof v !== "string") fail(`${name}: expected a string, got ${typeof v}`, oid, name)
  if ((v as string).indexOf("\0") !== -1) fail(`${name}: invalid input syntax`, oid, name)
  return v as string
}

// -------------------------------------------------------------------------------------------------
// inet / cidr output
// -------------------------------------------------------------------------------------------------

/** Formats an IPv6 address (16 bytes at `o`) as `inet_net_ntop` does, without the prefix. */
const formatIpv6 = (b: Uint8Array, o: number): string => {
  // The first longest run of zero groups (at least two) is written as "::".
  let bestBase = -1
  let bestLen = 0
  let curBase = -1
  let curLen = 0
  for (let i = 0; i < 8; i++) {
    if (b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0) {
      if (curBase === -1) {
        curBase = i
        curLen = 1
      } else curLen++
    } else if (curBase !== -1) {
      if (curLen > bestLen) {
        bestBase = curBase
        bestLen = curLen
      }
      curBase = -1
    }
  }
  if (curBase !== -1 && curLen > bestLen) {
    bestBase = curBase
    bestLen = curLen
  }
  if (bestLen < 2) bestBase = -1
  let s = ""
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ":"
      continue
    }
    if (i !== 0) s += ":"
    // An IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address.
    if (
      i === 6 && bestBase === 0 &&
      (bestLen === 6 || (bestLen === 5 && b[o + 10] === 0xff && b[o + 11] === 0xff))
    ) {
      s += b[o + 12] + "." + b[o + 13] + "." + b[o + 14] + "." + b[o + 15]
      break
    }
    s += ((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!).toString(16)
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ":"
  return s
}

const decodeInet = (isCidr: boolean, oid: number, name: string) => (b: Uint8Array, o: number, len: number): string => {
  if (len < 4) return fail(`${name}: expected at least 4 bytes, got ${len}`, oid, name)
  const family = b[o]!
  const bits = b[o + 1]!
  const nb = b[o + 3]!
  if (family === AF_INET) {
    if (nb !== 4 || len !== 8 || bits > 32) return fail(`${name}: invalid IPv4 value`, oid, name)
    const s = b[o + 4] + "." + b[o + 5] + "." + b[o + 6] + "." + b[o + 7]
    return isCidr || bits !== 32 ? s + "/" + bits : s
  }
  if (family === AF_INET6) {
    if (nb !== 16 || len !== 20 || bits > 128) return fail(`${name}: invalid IPv6 value`, oid, name)
    const s = formatIpv6(b, o + 4)
    return isCidr || bits !== 128 ? s + "/" + bits : s
  }
  return fail(`${name}: invalid address family ${family}`, oid, name)
}

// -------------------------------------------------------------------------------------------------
// inet / cidr input
// -------------------------------------------------------------------------------------------------

interface Address {
  readonly family: number
  readonly bits: number
  readonly addr: Uint8Array
}

/** Returned by the parsers on a syntax error (the caller raises the CodecError). */
const INVALID = -1

/** The character at `k`, or 0 past the end (input never contains NUL: see `checkString`). */
const charAt = (s: string, k: number): number => (k < s.length ? s.charCodeAt(k) : 0)

/**
 * Reads `/bits` (the `/` already consumed, `src` at the first digit): decimal, at most 32,
 * nothing after it. Returns the width or INVALID.
 */
const parseV4Bits = (s: string, src: number): number => {
  let ch = charAt(s, src++)
  let bits = 0
  do {
    bits = bits * 10 + ch - 48
    if (bits > 32) return INVALID
  } while ((ch = charAt(s, src++)) !== 0 && isDigit(ch))
  return ch === 0 ? bits : INVALID
}

/** `inet` IPv4 syntax: 1–4 decimal octets (leading zeros allowed) and an optional `/bits`. */
const parseInetV4 = (s: string, addr: Uint8Array): number => {
  let src = 0
  let count = 0
  let ch = 0
  while (isDigit(ch = charAt(s, src++))) {
    let v = 0
    do {
      v = v * 10 + ch - 48
      if (v > 255) return INVALID
    } while ((ch = charAt(s, src++)) !== 0 && isDigit(ch))
    if (count === 4) return INVALID
    addr[count++] = v
    if (ch === 0 || ch === 47) break
    if (ch !== 46) return INVALID
  }
  let bits = -1
  if (ch === 47 && isDigit(charAt(s, src)) && count > 0) {
    bits = parseV4Bits(s, src)
    if (bits === INVALID) return INVALID
    ch = 0
  }
  if (ch !== 0) return INVALID
  if (bits === -1) {
    if (count !== 4) return INVALID
    bits = 32
  }
  if (count === 0) return INVALID
  // The prefix may not claim more octets than were written.
  if ((bits >> 3) > count) return INVALID
  return bits
}

/**
 * `cidr` IPv4 syntax: decimal octets (a digit must follow each dot) or `0x` hex nybbles, an
 * optional `/bits`; without `/bits` the width comes from the address class.
 */
const parseCidrV4 = (s: string, addr: Uint8Array): number => {
  let src = 0
  let count = 0
  let ch = charAt(s, src++)
  if (ch === 48 && (charAt(s, src) | 0x20) === 120 && hexValue(charAt(s, src + 1)) >= 0) {
    src++
    let dirty = 0
    let tmp = 0
    let h = 0
    while ((ch = charAt(s, src++)) !== 0 && (h = hexValue(ch)) >= 0) {
      tmp = dirty === 0 ? h : (tmp << 4) | h
      if (++dirty === 2) {
        if (count === 4) return INVALID
        addr[count++] = tmp
        dirty = 0
      }
    }
    if (dirty !== 0) {
      if (count === 4) return INVALID
      addr[count++] = (tmp << 4) & 0xff
    }
  } else if (isDigit(ch)) {
    for (;;) {
      let v = 0
      do {
        v = v * 10 + ch - 48
        if (v > 255) return INVALID
      } while ((ch = charAt(s, src++)) !== 0 && isDigit(ch))
      if (count === 4) return INVALID
      addr[count++] = v
      if (ch === 0 || ch === 47) break
      if (ch !== 46) return INVALID
      ch = charAt(s, src++)
      if (!isDigit(ch)) return INVALID
    }
  } else return INVALID
  let bits = -1
  if (ch === 47 && isDigit(charAt(s, src)) && count > 0) {
    bits = parseV4Bits(s, src)
    if (bits === INVALID) return INVALID
    ch = 0
  }
  if (ch !== 0) return INVALID
  if (count === 0) return INVALID
  if (bits === -1) {
    const first = addr[0]!
    bits = first >= 240 ? 32 : first >= 224 ? 8 : first >= 192 ? 24 : first >= 128 ? 16 : 8
    if (bits < count * 8) bits = count * 8
    if (bits === 8 && first === 224) bits = 4
  }
  return bits
}

/** Decimal digits after `/` in IPv6 syntax: no leading zeros, at most 128; or INVALID. */
const parseV6Bits = (s: string, i: number): number => {
  const n = s.length
  if (i >= n) return INVALID
  let v = 0
  let digits = 0
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (!isDigit(c)) return INVALID
    if (digits++ !== 0 && v === 0) return INVALID
    v = v * 10 + c - 48
    if (v > 128) return INVALID
  }
  return v
}

/**
 * The dotted IPv4 tail of an IPv6 address, from `i` to the end (or a `/bits`): up to four
 * decimal octets without leading zeros (missing ones are zero). Writes at `addr[at…]`; returns
 * the prefix length (-2 when none), or INVALID.
 */
const parseV6Tail = (s: string, i: number, addr: Uint8Array, at: number): number => {
  const n = s.length
  let v = 0
  let digits = 0
  let count = 0
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (isDigit(c)) {
      if (digits++ !== 0 && v === 0) return INVALID
      v = v * 10 + c - 48
      if (v > 255) return INVALID
      continue
    }
    if (c === 46 || c === 47) {
      if (count > 3) return INVALID
      addr[at + count++] = v
      if (c === 47) return parseV6Bits(s, i + 1)
      v = 0
      digits = 0
      continue
    }
    return INVALID
  }
  if (digits === 0) return INVALID
  if (count > 3) return INVALID
  addr[at + count] = v
  return -2
}

/** IPv6 syntax as `inet_cidr_pton_ipv6` reads it; returns the prefix length or INVALID. */
const parseV6 = (s: string, addr: Uint8Array): number => {
  const n = s.length
  let i = 0
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return INVALID
    i = 1
  }
  let tp = 0
  let colonp = -1
  let curtok = i
  let sawDigit = false
  let val = 0
  let digits = 0
  let bits = -1
  while (i < n) {
    const ch = s.charCodeAt(i++)
    const h = hexValue(ch)
    if (h >= 0) {
      val = (val << 4) | h
      if (++digits > 4) return INVALID
      sawDigit = true
      continue
    }
    if (ch === 58) {
      curtok = i
      if (!sawDigit) {
        if (colonp !== -1) return INVALID
        colonp = tp
        continue
      }
      if (i === n) return INVALID
      // The server stops here and returns a zero address: refuse rather than guess.
      if (tp + 2 > 16) return INVALID
      addr[tp++] = (val >> 8) & 0xff
      addr[tp++] = val & 0xff
      sawDigit = false
      digits = 0
      val = 0
      continue
    }
    if (ch === 46 && tp + 4 <= 16) {
      const r = parseV6Tail(s, curtok, addr, tp)
      if (r !== INVALID) {
        if (r !== -2) bits = r
        tp += 4
        sawDigit = false
        break
      }
    }
    if (ch === 47) {
      const r = parseV6Bits(s, i)
      if (r !== INVALID) {
        bits = r
        break
      }
    }
    return INVALID
  }
  if (sawDigit) {
    if (tp + 2 > 16) return INVALID
    addr[tp++] = (val >> 8) & 0xff
    addr[tp++] = val & 0xff
  }
  if (bits === -1) bits = 128
  if (colonp !== -1) {
    if (tp === 16) return INVALID
    const moved = tp - colonp
    for (let k = 1; k <= moved; k++) {
      addr[16 - k] = addr[colonp + moved - k]!
      addr[colonp + moved - k] = 0
    }
    tp = 16
  }
  if (tp !== 16) return INVALID
  return bits
}

/** Whether no bit beyond the first `bits` of `addr` is set (the cidr rule). */
const maskOk = (addr: Uint8Array, bits: number): boolean => {
  let byte = bits >> 3
  const rem = bits & 7
  if (rem !== 0) {
    if ((addr[byte]! & (0xff >> rem)) !== 0) return false
    byte++
  }
  for (; byte < addr.length; byte++) if (addr[byte] !== 0) return false
  return true
}

/**
 * Parses the text form of an `inet` or `cidr` value as the server's input function does.
 *
 * @category decoding
 * @since 0.1.0
 */
export const parseAddress = (text: string, isCidr: boolean): Address => {
  const oid = isCidr ? Oid.cidr : Oid.inet
  const name = isCidr ? "cidr" : "inet"
  const s = checkString(text, oid, name)
  let addr: Uint8Array
  let bits: number
  let family: number
  if (s.indexOf(":") !== -1) {
    family = AF_INET6
    addr = new Uint8Array(16)
    bits = parseV6(s, addr)
  } else {
    family = AF_INET
    addr = new Uint8Array(4)
    bits = isCidr ? parseCidrV4(s, addr) : parseInetV4(s, addr)
  }
  if (bits < 0) return fail(`${name}: invalid input syntax`, oid, name)
  if (isCidr && !maskOk(addr, bits)) return fail("cidr: value has bits set to right of mask", oid, name)
  return { family, bits, addr }
}

const encodeInet = (isCidr: boolean) => (v: string, w: PgWriter): void => {
  const a = parseAddress(v, isCidr)
  w.u8(a.family)
  w.u8(a.bits)
  w.u8(isCidr ? 1 : 0)
  w.u8(a.addr.length)
  w.bytes(a.addr)
}

/**
 * A codec whose values are the server's text: decoding text returns it unchanged, encoding text
 * checks it is a string without NUL, and the binary functions convert to and from the wire form.
 */
const addressCodec = (
  oid: number,
  name: string,
  decodeBinary: (b: Uint8Array, o: number, len: number) => string,
  encodeBinary: (v: string, w: PgWriter) => void
): Codec<string> =>
  make<string>({
    oid,
    name,
    decodeBinary,
    encodeBinary,
    decodeText: (t) => t,
    encodeText: (v) => checkString(v, oid, name)
  })

/**
 * `inet` ⇄ `string` (`192.168.0.1`, `10.1.2.3/8`, `::1`, `::ffff:1.2.3.4`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const inet: Codec<string> = addressCodec(Oid.inet, "inet", decodeInet(false, Oid.inet, "inet"), encodeInet(false))

/**
 * `cidr` ⇄ `string` (`192.168.0.0/24`, `::/0`).
 *
 * **Gotchas**
 * Encoding a network with bits set to the right of its mask (`10.1.2.3/8`) throws a CodecError,
 * as the server rejects it.
 *
 * @category codecs
 * @since 0.1.0
 */
export const cidr: Codec<string> = addressCodec(Oid.cidr, "cidr", decodeInet(true, Oid.cidr, "cidr"), encodeInet(true))

// -------------------------------------------------------------------------------------------------
// macaddr / macaddr8
// -------------------------------------------------------------------------------------------------

/** `macaddr` (6 bytes) or `macaddr8` (8 bytes): decodes `size` bytes as `xx:xx:…`. */
const decodeMac = (size: number, oid: number, name: string) => (b: Uint8Array, o: number, len: number): string => {
  if (len !== size) return fail(`${name}: expected ${size} bytes, got ${len}`, oid, name)
  let s = hexByte(b[o]!)
  for (let i = 1; i < size; i++) s += ":" + hexByte(b[o + i]!)
  return s
}

/** A `sscanf` conversion (`%x` / `%2x`) or a literal separator of the macaddr input formats. */
type ScanStep = number | string

// The formats `macaddr_in` tries in order: 0 = `%x`, 2 = `%2x`, a string = that literal.
const MAC_FORMATS: ReadonlyArray<ReadonlyArray<ScanStep>> = [
  [0, ":", 0, ":", 0, ":", 0, ":", 0, ":", 0],
  [0, "-", 0, "-", 0, "-", 0, "-", 0, "-", 0],
  [2, 2, 2, ":", 2, 2, 2],
  [2, 2, 2, "-", 2, 2, 2],
  [2, 2, ".", 2, 2, ".", 2, 2],
  [2, 2, "-", 2, 2, "-", 2, 2],
  [2, 2, 2, 2, 2, 2]
]

/**
 * The value glibc's `%x` stores for a digit string: `strtoul` (saturating at 2^64 - 1, negated
 * modulo 2^64 for a `-` sign), truncated to 32 bits and read as a C `int`.
 */
const scannedInt = (digits: string, negative: boolean): number => {
  if (!negative && digits.length <= 6) return parseInt(digits, 16)
  let v = BigInt("0x" + digits)
  const max = 0xffffffffffffffffn
  if (v > max) v = max
  else if (negative) v = BigInt.asUintN(64, -v)
  return Number(BigInt.asIntN(32, v))
}

/**
 * Runs one format over `s` as glibc's `sscanf` does for these conversions (whitespace skipped
 * before each `%x`, an optional sign and `0x` prefix inside the field width), returning the six
 * values or `undefined` when the format does not match.
 */
const scanMac = (s: string, format: ReadonlyArray<ScanStep>): Array<number> | undefined => {
  const n = s.length
  const out: Array<number> = []
  let i = 0
  for (const step of format) {
    if (typeof step === "string") {
      if (s[i] !== step) return undefined
      i++
      continue
    }
    while (i < n && isSpace(s.charCodeAt(i))) i++
    let width = step === 0 ? Infinity : step
    let negative = false
    const c0 = s.charCodeAt(i)
    if (c0 === 43 || c0 === 45) {
      negative = c0 === 45
      i++
      width--
    }
    let digits = ""
    if (width > 0 && s.charCodeAt(i) === 48) {
      digits = "0"
      i++
      width--
      if (width > 0 && (s.charCodeAt(i) | 0x20) === 120) {
        i++
        width--
      }
    }
    const start = i
    while (width > 0 && i < n && hexValue(s.charCodeAt(i)) >= 0) {
      i++
      width--
    }
    digits += s.slice(start, i)
    if (digits.length === 0) return undefined
    out.push(scannedInt(digits, negative))
  }
  // `%1s`: anything but trailing whitespace makes the count 7, i.e. no match.
  while (i < n && isSpace(s.charCodeAt(i))) i++
  return i === n ? out : undefined
}

/**
 * Parses `macaddr` text as `macaddr_in` does: `08:00:2b:01:02:03`, `08-00-2b-01-02-03`,
 * `08002b:010203`, `08002b-010203`, `0800.2b01.0203`, `0800-2b01-0203`, `08002b010203`.
 *
 * @category decoding
 * @since 0.1.0
 */
export const parseMacaddr = (text: string): Uint8Array => {
  const s = checkString(text, Oid.macaddr, "macaddr")
  for (const format of MAC_FORMATS) {
    const r = scanMac(s, format)
    if (r === undefined) continue
    const out = new Uint8Array(6)
    for (let k = 0; k < 6; k++) {
      if (r[k]! < 0 || r[k]! > 255) return fail("macaddr: invalid octet value", Oid.macaddr, "macaddr")
      out[k] = r[k]!
    }
    return out
  }
  return fail("macaddr: invalid input syntax", Oid.macaddr, "macaddr")
}

const badMacaddr8 = (): never => fail("macaddr8: invalid input syntax", Oid.macaddr8, "macaddr8")

/**
 * Parses `macaddr8` text as `macaddr8_in` does: 6 or 8 pairs of hex digits, optionally separated
 * by one consistent `:`, `-` or `.`; a 6-byte address becomes `xx:xx:xx:ff:fe:xx:xx:xx`.
 *
 * @category decoding
 * @since 0.1.0
 */
export const parseMacaddr8 = (text: string): Uint8Array => {
  const s = checkString(text, Oid.macaddr8, "macaddr8")
  const bad = badMacaddr8
  const n = s.length
  let i = 0
  while (i < n && isSpace(s.charCodeAt(i))) i++
  const bytes = new Uint8Array(8)
  let count = 0
  let spacer = 0
  // The server reads byte pairs while two characters remain, so one trailing (single-byte)
  // character is ignored.
  while (i + 1 < n) {
    if (count === 8) return bad()
    const hi = hexValue(s.charCodeAt(i))
    const lo = hexValue(s.charCodeAt(i + 1))
    if (hi < 0 || lo < 0) return bad()
    bytes[count++] = (hi << 4) | lo
    i += 2
    const c = s.charCodeAt(i)
    if (c === 58 || c === 45 || c === 46) {
      if (spacer === 0) spacer = c
      else if (spacer !== c) return bad()
      i++
    }
    if ((count === 6 || count === 8) && i < n && isSpace(s.charCodeAt(i))) {
      while (i < n && isSpace(s.charCodeAt(i))) i++
      if (i < n) return bad()
    }
  }
  if (i < n && s.charCodeAt(i) >= 0x80) return bad()
  if (count === 6) {
    bytes[7] = bytes[5]!
    bytes[6] = bytes[4]!
    bytes[5] = bytes[3]!
    bytes[3] = 0xff
    bytes[4] = 0xfe
  } else if (count !== 8) return bad()
  return bytes
}

/**
 * `macaddr` ⇄ `string` (`08:00:2b:01:02:03`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const macaddr: Codec<string> = addressCodec(
  Oid.macaddr,
  "macaddr",
  decodeMac(6, Oid.macaddr, "macaddr"),
  (v, w) => {
    w.bytes(parseMacaddr(v))
  }
)

/**
 * `macaddr8` ⇄ `string` (`08:00:2b:01:02:03:04:05`); 6-byte input is widened with `ff:fe`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const macaddr8: Codec<string> = addressCodec(
  Oid.macaddr8,
  "macaddr8",
  decodeMac(8, Oid.macaddr8, "macaddr8"),
  (v, w) => {
    w.bytes(parseMacaddr8(v))
  }
)

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [inet, cidr, macaddr, macaddr8]
