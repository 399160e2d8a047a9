/**
 * Hot-path byte readers shared by the decoder and the codecs. Plain functions over
 * `(bytes, offset)` avoid allocating a DataView per field.
 */

const utf8Decoder = new TextDecoder("utf-8", { fatal: false })
const strictUtf8Decoder = new TextDecoder("utf-8", { fatal: true })
const scratch = new DataView(new ArrayBuffer(8))

/** Reads a big-endian signed 16-bit integer. */
export const readInt16 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16)) >> 16

/** Reads a big-endian unsigned 16-bit integer. */
export const readUint16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!

/** Reads a big-endian signed 32-bit integer. */
export const readInt32 = (b: Uint8Array, o: number): number =>
  (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!

/** Reads a big-endian unsigned 32-bit integer. */
export const readUint32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0

/** Reads a big-endian signed 64-bit integer as a bigint. */
export const readInt64 = (b: Uint8Array, o: number): bigint => {
  const hi = readInt32(b, o)
  const lo = readUint32(b, o + 4)
  return (BigInt(hi) << 32n) | BigInt(lo)
}

/**
 * Reads a big-endian signed 64-bit integer as a number when it is a safe integer; callers that
 * need exactness beyond 2^53 use {@link readInt64}.
 */
export const readInt64Number = (b: Uint8Array, o: number): number => readInt32(b, o) * 4294967296 + readUint32(b, o + 4)

/** Reads a big-endian IEEE 754 single. */
export const readFloat32 = (b: Uint8Array, o: number): number => {
  scratch.setUint32(0, readUint32(b, o))
  return scratch.getFloat32(0)
}

/** Reads a big-endian IEEE 754 double. */
export const readFloat64 = (b: Uint8Array, o: number): number => {
  scratch.setUint32(0, readUint32(b, o))
  scratch.setUint32(4, readUint32(b, o + 4))
  return scratch.getFloat64(0)
}

/**
 * Decodes UTF-8 in `b[start, end)`. Short ASCII runs are decoded by hand (faster than
 * TextDecoder for the typical short field); anything else goes to TextDecoder. Invalid
 * sequences become U+FFFD.
 */
export const utf8Slice = (b: Uint8Array, start: number, end: number): string => {
  if (end - start < 16) {
    let s = ""
    for (let i = start; i < end; i++) {
      const c = b[i]!
      if (c >= 0x80) return decodeUtf8(b, start, end)
      s += String.fromCharCode(c)
    }
    return s
  }
  return decodeUtf8(b, start, end)
}

/** A Node `Buffer` (socket chunks are) has a native UTF-8 slice, ~40% faster than TextDecoder. */
interface NativeUtf8 {
  readonly utf8Slice?: ((start: number, end: number) => string) | undefined
}

/**
 * Decodes UTF-8 without copying: the host's native slice when the bytes have one (no `node:`
 * import: detected on the value), else TextDecoder. Both replace invalid sequences with U+FFFD.
 */
const decodeUtf8 = (b: Uint8Array, start: number, end: number): string => {
  const native = (b as NativeUtf8).utf8Slice
  return native !== undefined ? native.call(b, start, end) : utf8Decoder.decode(b.subarray(start, end))
}

/** Decodes UTF-8 in `b[start, end)`, throwing a TypeError on invalid sequences. */
export const utf8SliceStrict = (b: Uint8Array, start: number, end: number): string =>
  strictUtf8Decoder.decode(b.subarray(start, end))

/** Index of the first NUL at or after `from` and before `end`, or -1. */
export const indexOfNul = (b: Uint8Array, from: number, end: number): number => {
  for (let i = from; i < end; i++) if (b[i] === 0) return i
  return -1
}
