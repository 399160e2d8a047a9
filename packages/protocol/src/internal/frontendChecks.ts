/**
 * The checks every frontend encoder runs on its inputs before writing, and the writers for the
 * fields several messages share (format-code lists, pre-encoded parameter values). Each check
 * throws `EncodeError`; the writers are on Bind's per-query path, so they write into the buffer
 * directly and allocate nothing.
 *
 * @since 0.1.0
 */
import type { PgWriter } from "../PgWriter.ts"
import { EncodeError } from "./frontendError.ts"
import type { FormatCode, Formats } from "./frontendMessages.ts"
import { maxParameters } from "./frontendMessages.ts"

/** Throws an `EncodeError` for message `messageTag`. */
export const fail = (messageTag: string, message: string, parameterIndex?: number, cause?: unknown): never => {
  throw new EncodeError({ message, messageTag, parameterIndex, cause })
}

/** A string that can be sent as a C string (no NUL inside). */
export const checkCString = (value: string, what: string, tag: string): void => {
  if (typeof value !== "string") fail(tag, `${what} must be a string`)
  if (value.indexOf("\0") !== -1) fail(tag, `${what} contains a NUL character`)
}

/** An integer in `[min, 2^31 - 1]`. */
export const checkInt32 = (value: number, what: string, tag: string, min: number): void => {
  if (!Number.isInteger(value) || value < min || value > 2147483647) {
    fail(tag, `${what} must be an integer in [${min}, 2147483647]`)
  }
}

/** An OID: an integer in `[0, 2^32 - 1]`. */
export const checkOid = (value: number, what: string, tag: string): void => {
  if (!Number.isInteger(value) || value < 0 || value > 4294967295) {
    fail(tag, `${what} must be an OID (integer in [0, 4294967295])`)
  }
}

/** Describe/Close target `"S"` or `"P"`; returns its byte. */
export const checkKind = (kind: string, tag: string): number => {
  if (kind === "S") return 0x53
  if (kind === "P") return 0x50
  return fail(tag, `kind must be "S" or "P"`)
}

/** A `Uint8Array`. */
export const checkBytes = (value: Uint8Array, what: string, tag: string): void => {
  if (!(value instanceof Uint8Array)) fail(tag, `${what} must be a Uint8Array`)
}

/**
 * Validates a format list against a value count (or -1 for result formats, which the server
 * checks against the columns) before anything is written.
 */
export const checkFormats = (formats: Formats, count: number, what: string, tag: string): void => {
  if (formats === 0 || formats === 1) return
  if (!Array.isArray(formats)) return fail(tag, `${what} must be 0, 1 or an array of 0/1`)
  const n = formats.length
  if (n > maxParameters) fail(tag, `too many ${what} (${n} > ${maxParameters})`)
  if (count >= 0 && n > 1 && n !== count) {
    fail(tag, `${what}: ${n} codes for ${count} values (must be 0, 1 or ${count})`)
  }
  for (let i = 0; i < n; i++) {
    const f = formats[i]
    if (f !== 0 && f !== 1) fail(tag, `${what}[${i}] must be 0 or 1`)
  }
}

/** Writes a format-code list (count, then codes); `0` is sent as zero codes. */
export const writeFormats = (w: PgWriter, formats: Formats): void => {
  if (formats === 0) {
    w.i16(0)
  } else if (formats === 1) {
    w.i16(1)
    w.i16(1)
  } else {
    const list = formats as ReadonlyArray<FormatCode>
    const n = list.length
    w.ensure(2 + 2 * n)
    const buf = w.buffer
    let p = w.length
    buf[p++] = n >>> 8
    buf[p++] = n & 0xff
    for (let i = 0; i < n; i++) {
      buf[p++] = 0
      buf[p++] = list[i]!
    }
    w.length = p
  }
}

/** Writes one pre-encoded value (`Uint8Array`, `string` as UTF-8, or `null`/`undefined` as -1). */
export const writePlainValue = (w: PgWriter, value: unknown, index: number, tag: string): void => {
  if (value === null || value === undefined) {
    w.i32(-1)
  } else if (typeof value === "string") {
    const at = w.beginLength()
    w.string(value)
    w.endLength(at, false)
  } else if (value instanceof Uint8Array) {
    w.i32(value.length)
    w.bytes(value)
  } else {
    fail(tag, `parameter ${index + 1}: expected Uint8Array, string or null when no encoder is given`, index)
  }
}

/**
 * Writes pre-encoded values with {@link writePlainValue}; when one is not writable, drops the
 * half-built message (everything from `start`) before rethrowing.
 */
export const writePlainValues = (w: PgWriter, values: ReadonlyArray<unknown>, start: number, tag: string): void => {
  try {
    for (let i = 0; i < values.length; i++) writePlainValue(w, values[i], i, tag)
  } catch (e) {
    w.length = start
    throw e
  }
}
