/**
 * The fixed parts of PostgreSQL's binary COPY format (signature, header flags, header, trailer)
 * and {@link CopyBinaryError}, shared by the decoder and the encoder. `PgCopyBinary` re-exports
 * the public ones.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * The 11-byte signature that starts every binary COPY stream: `PGCOPY\n\377\r\n\0`.
 *
 * @category constants
 * @since 0.1.0
 */
export const signature: Uint8Array = /* @__PURE__ */ Uint8Array.of(0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00)

/**
 * The header flag saying that every tuple carries an OID field (bit 16). Servers since
 * PostgreSQL 12 never set it.
 *
 * @category constants
 * @since 0.1.0
 */
export const flagOids = 0x10000

/** Bits 16–31 are critical: a reader must refuse a stream with one it does not know. */
export const criticalUnknown = 0xfffe0000 | 0

/** Signature, flags, extension length. */
export const fixedHeaderSize = 19

/**
 * The header pgfx writes: the signature, flags 0, no extension.
 *
 * @category constants
 * @since 0.1.0
 */
export const header: Uint8Array = /* @__PURE__ */ (() => {
  const h = new Uint8Array(fixedHeaderSize)
  h.set(signature)
  return h
})()

/**
 * The trailer: a field count of -1.
 *
 * @category constants
 * @since 0.1.0
 */
export const trailer: Uint8Array = /* @__PURE__ */ Uint8Array.of(0xff, 0xff)

/** Largest tuple the decoder assembles across chunks unless told otherwise (1 GiB). */
export const defaultMaxTupleSize = 0x40000000

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

/**
 * What is wrong with a binary COPY stream or a row to encode.
 *
 * - `BadSignature`: the data does not start with {@link signature} (text or CSV data, or noise).
 * - `UnsupportedFlags`: a critical header flag (bits 17–31) is set.
 * - `BadHeader`: a negative header-extension length.
 * - `BadFieldCount`: a field count below -1.
 * - `FieldCountMismatch`: a tuple with a different number of fields than expected (or than the
 *   first tuple), or a row to encode with a different number of values than columns.
 * - `BadFieldLength`: a field length below -1.
 * - `TupleTooLarge`: a tuple spanning chunks grew past `maxTupleSize`.
 * - `Truncated`: the data ended inside the header or a tuple (a field's length runs past the end).
 * - `MissingTrailer`: the data ended at a tuple boundary without the trailer.
 * - `DataAfterTrailer`: bytes after the trailer.
 * - `DecodeFailed` / `EncodeFailed`: a field's codec rejected its bytes or value (`cause` holds the
 *   codec's error), or a column has no binary encoder.
 *
 * @category errors
 * @since 0.1.0
 */
export type CopyBinaryErrorReason =
  | "BadSignature"
  | "UnsupportedFlags"
  | "BadHeader"
  | "BadFieldCount"
  | "FieldCountMismatch"
  | "BadFieldLength"
  | "TupleTooLarge"
  | "Truncated"
  | "MissingTrailer"
  | "DataAfterTrailer"
  | "DecodeFailed"
  | "EncodeFailed"

/**
 * A malformed binary COPY stream, or a row that cannot be encoded. Messages never contain
 * field values.
 *
 * @category errors
 * @since 0.1.0
 */
export class CopyBinaryError extends Data.TaggedError("PgCopyBinaryError")<{
  readonly reason: CopyBinaryErrorReason
  readonly message: string
  /** The 0-based index of the tuple (row) concerned, when there is one. */
  readonly tuple?: number | undefined
  /** The 0-based index of the field (column) concerned, when there is one. */
  readonly column?: number | undefined
  /** The codec's error, for `DecodeFailed` / `EncodeFailed`. */
  readonly cause?: unknown
}> {}

export const error = (
  reason: CopyBinaryErrorReason,
  message: string,
  tuple?: number,
  column?: number,
  cause?: unknown
): CopyBinaryError => new CopyBinaryError({ reason, message, tuple, column, cause })

