/**
 * Checks on LISTEN/NOTIFY channel names and payloads, made before anything is sent.
 *
 * A channel name is an identifier: PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1)
 * after LISTEN parses them, while `pg_notify` refuses longer names. A truncated LISTEN would
 * silently share its channel with every name that has the same first 63 bytes, so longer names
 * are refused here. A payload must be shorter than 8000 bytes (the server's limit).
 *
 * @since 0.1.0
 */

/**
 * The longest channel name in bytes (NAMEDATALEN - 1).
 *
 * @since 0.1.0
 */
export const maxChannelBytes = 63

/**
 * The longest payload in bytes (the server refuses 8000 bytes and more).
 *
 * @since 0.1.0
 */
export const maxPayloadBytes = 7999

/**
 * The UTF-8 length of a string, or -1 when it holds a lone surrogate (which cannot be encoded).
 *
 * @since 0.1.0
 */
export const utf8Length = (s: string): number => {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0
      if (next < 0xdc00 || next > 0xdfff) return -1
      bytes += 4
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1
    else bytes += 3
  }
  return bytes
}

/**
 * Why a channel name is unusable, or `undefined` when it is fine.
 *
 * @since 0.1.0
 */
export const channelProblem = (channel: string): string | undefined => {
  if (typeof channel !== "string") return "the channel name must be a string"
  if (channel.length === 0) return "the channel name is empty"
  if (channel.includes("\u0000")) return "the channel name contains a NUL character"
  const bytes = utf8Length(channel)
  if (bytes < 0) return "the channel name contains a lone UTF-16 surrogate"
  if (bytes > maxChannelBytes) {
    return `the channel name is ${bytes} bytes long; PostgreSQL truncates identifiers to ${maxChannelBytes} bytes, ` +
      `so it would silently share a channel with every name that starts with the same ${maxChannelBytes} bytes`
  }
  return undefined
}

/**
 * Why a payload is unusable, or `undefined` when it is fine.
 *
 * @since 0.1.0
 */
export const payloadProblem = (payload: string): string | undefined => {
  if (typeof payload !== "string") return "the payload must be a string"
  if (payload.includes("\u0000")) return "the payload contains a NUL character"
  // Fast path: even at 3 bytes per UTF-16 unit a short string cannot reach the limit.
  if (payload.length * 3 <= maxPayloadBytes) {
    return utf8Length(payload) < 0 ? "the payload contains a lone UTF-16 surrogate" : undefined
  }
  const bytes = utf8Length(payload)
  if (bytes < 0) return "the payload contains a lone UTF-16 surrogate"
  if (bytes > maxPayloadBytes) {
    return `the payload is ${bytes} bytes long; PostgreSQL accepts at most ${maxPayloadBytes} bytes`
  }
  return undefined
}

/**
 * A channel name as a quoted identifier: `"…"` with every `"` doubled.
 *
 * @since 0.1.0
 */
export const quoteChannel = (channel: string): string => `"${channel.replaceAll("\"", "\"\"")}"`
