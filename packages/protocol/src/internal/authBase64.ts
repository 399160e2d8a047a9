/**
 * Standard base64 (RFC 4648 §4, with padding) for the SCRAM exchange.
 *
 * Written here rather than borrowed from `Buffer` (not available in a pure package) or
 * `atob` (lenient: it skips whitespace and accepts missing padding). The decoder is strict on
 * purpose: a salt or signature that is not canonical-looking base64 is a malformed server
 * message, not something to guess at. Non-zero bits in the last character's unused low bits
 * are tolerated (they carry no data and some encoders leave them set).
 *
 * @since 0.1.0
 */

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/** Maps a character code to its 6-bit value, or -1. */
const decodeTable: ReadonlyArray<number> = (() => {
  const table: Array<number> = new Array(128).fill(-1)
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i
  return table
})()

/**
 * Encodes bytes as padded standard base64.
 *
 * @since 0.1.0
 */
export const encodeBase64 = (bytes: Uint8Array): string => {
  let out = ""
  const n = bytes.length
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + alphabet[v & 63]!
  }
  if (n - i === 1) {
    const v = bytes[i]! << 16
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + "=="
  } else if (n - i === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += alphabet[v >> 18]! + alphabet[(v >> 12) & 63]! + alphabet[(v >> 6) & 63]! + "="
  }
  return out
}

/**
 * Decodes padded standard base64; `undefined` when the text is not valid base64 (wrong length,
 * a character outside the alphabet, misplaced padding, whitespace).
 *
 * @since 0.1.0
 */
export const decodeBase64 = (text: string): Uint8Array | undefined => {
  const n = text.length
  if (n % 4 !== 0) return undefined
  let pad = 0
  if (n > 0 && text.charCodeAt(n - 1) === 61) pad = text.charCodeAt(n - 2) === 61 ? 2 : 1
  const out = new Uint8Array((n / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n
    const a = sextet(text, i)
    const b = sextet(text, i + 1)
    const c = last && pad === 2 ? 0 : sextet(text, i + 2)
    const d = last && pad >= 1 ? 0 : sextet(text, i + 3)
    if ((a | b | c | d) < 0) return undefined
    const v = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = v >> 16
    if (o < out.length) out[o++] = (v >> 8) & 255
    if (o < out.length) out[o++] = v & 255
  }
  return out
}

const sextet = (text: string, i: number): number => {
  const code = text.charCodeAt(i)
  return code < 128 ? decodeTable[code]! : -1
}
