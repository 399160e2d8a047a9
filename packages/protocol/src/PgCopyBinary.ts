/**
 * PostgreSQL's binary COPY format (`COPY … (FORMAT binary)`): an incremental decoder and an
 * encoder.
 *
 * **The format.** An 11-byte signature `PGCOPY\n\377\r\n\0`, an int32 flags word (bit 16: every
 * tuple carries an OID field; bits 17–31 are critical and must be zero; bits 0–15 are ignored), an
 * int32 header-extension length followed by that many bytes (skipped). Then tuples: an int16
 * field count, then per field an int32 length (-1 for NULL) and that many bytes in the type's
 * binary form (`typsend` / `typreceive`). A field count of -1 is the trailer, the end of the data.
 * A tuple's fields have exactly the layout of a `DataRow` body, so the same row walks work on both.
 *
 * **Decoding.** {@link makeDecoder} returns a {@link Decoder} fed with chunks of any size (the
 * CopyData payloads of a `COPY … TO STDOUT`, a file read in blocks): `push(chunk, onTuple)` calls
 * `onTuple(bytes, start, fieldCount)` synchronously for each complete tuple, zero-copy — `bytes`
 * is the pushed chunk when the tuple lies inside it, else a buffer of the decoder's own that is
 * reused (so a view is valid only during the call, and as long as the caller does not overwrite
 * its chunk). Any chunking of the same bytes delivers the same tuples. Malformed input never throws:
 * `push` and `end` return a {@link CopyBinaryError}, after which the decoder is terminal.
 * {@link makeRowDecoder} does the same and decodes each tuple's fields through codecs.
 *
 * **Encoding.** {@link makeEncoder} writes the header, one tuple per row (values through the
 * columns' binary encoders) and the trailer into a {@link PgWriter}; a row that cannot be encoded
 * is rolled back and reported as a {@link CopyBinaryError}.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import type { Codec } from "./PgCodec.ts"
import type { Decoder, DecoderOptions } from "./internal/copyBinaryDecoder.ts"
import { DecoderImpl } from "./internal/copyBinaryDecoder.ts"
import type { Encoder, EncoderOptions } from "./internal/copyBinaryEncoder.ts"
import { EncoderImpl } from "./internal/copyBinaryEncoder.ts"
import type { CopyBinaryError } from "./internal/copyBinaryFormat.ts"
import { makeRowDecoder } from "./internal/copyBinaryRowDecoder.ts"
import { PgWriter } from "./PgWriter.ts"

// ---------------------------------------------------------------------------------------------
// constants
// ---------------------------------------------------------------------------------------------

export {
  /**
   * The 11-byte signature that starts every binary COPY stream: `PGCOPY\n\377\r\n\0`.
   *
   * @category constants
   * @since 0.1.0
   */
  signature,
  /**
   * The header flag saying that every tuple carries an OID field (bit 16). Servers since
   * PostgreSQL 12 never set it.
   *
   * @category constants
   * @since 0.1.0
   */
  flagOids,
  /**
   * The header pgfx writes: the signature, flags 0, no extension.
   *
   * @category constants
   * @since 0.1.0
   */
  header,
  /**
   * The trailer: a field count of -1.
   *
   * @category constants
   * @since 0.1.0
   */
  trailer
} from "./internal/copyBinaryFormat.ts"

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

export type {
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
  CopyBinaryErrorReason
} from "./internal/copyBinaryFormat.ts"

export {
  /**
   * A malformed binary COPY stream, or a row that cannot be encoded. Messages never contain
   * field values.
   *
   * @category errors
   * @since 0.1.0
   */
  CopyBinaryError
} from "./internal/copyBinaryFormat.ts"

// ---------------------------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------------------------

export type {
  /**
   * Receives one tuple: its fields start at `bytes[start]` (after the OID field, if the stream has
   * OIDs), laid out as `fieldCount` × (int32 length, -1 = NULL; then the bytes). The lengths were
   * validated: a walk over them stays inside `bytes`. `bytes` is valid only during the call.
   *
   * @category models
   * @since 0.1.0
   */
  TupleHandler,
  /**
   * Options of {@link makeDecoder}.
   *
   * @category models
   * @since 0.1.0
   */
  DecoderOptions,
  /**
   * An incremental binary COPY decoder (see the module header).
   *
   * **Details**
   * - `push(chunk, onTuple)` delivers every tuple the bytes complete and keeps an incomplete tail.
   *   It returns `undefined`, or the error that stopped it (tuples before the bad one were
   *   delivered). The error is terminal: later calls return it again.
   * - `end()` says the data is over: it returns an error unless the trailer was seen.
   * - If `onTuple` throws, the exception propagates and the decoder is terminal.
   *
   * @category models
   * @since 0.1.0
   */
  Decoder
} from "./internal/copyBinaryDecoder.ts"

/**
 * Creates a {@link Decoder} for one binary COPY stream.
 *
 * **Example** (Walking tuples)
 * ```ts
 * import * as PgCopyBinary from "@pgfx/protocol/PgCopyBinary"
 *
 * const decoder = PgCopyBinary.makeDecoder()
 * for (const chunk of chunks) {
 *   const error = decoder.push(chunk, (bytes, start, fieldCount) => {
 *     // fieldCount × (int32 length, bytes), as in a DataRow
 *   })
 *   if (error) throw error
 * }
 * const error = decoder.end()
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeDecoder = (options?: DecoderOptions): Decoder => new DecoderImpl(options)

export type {
  /**
   * A field decoder: the value of the field at `bytes[offset, offset + length)`.
   *
   * @category models
   * @since 0.1.0
   */
  FieldDecoder,
  /**
   * A decoder whose tuples are decoded through codecs (see {@link makeRowDecoder}).
   *
   * **Details**
   * As {@link Decoder}, except that `push` hands each row to `onRow` as a new array of values
   * (`null` for NULL), and a field its codec rejects stops the decoder with a `DecodeFailed` error
   * naming the tuple and column.
   *
   * @category models
   * @since 0.1.0
   */
  RowDecoder
} from "./internal/copyBinaryRowDecoder.ts"

export {
  /**
   * The binary field decoders of `codecs`; a codec without a binary decoder yields the field's
   * bytes (an owned copy).
   *
   * @category decoding
   * @since 0.1.0
   */
  fieldDecoders,
  /**
   * Decodes the fields of one tuple (as delivered to a {@link TupleHandler}) into a new array,
   * `null` for NULL. Throws the codec's error when a field is malformed.
   *
   * @category decoding
   * @since 0.1.0
   */
  decodeTuple
} from "./internal/copyBinaryRowDecoder.ts"

export {
  /**
   * Creates a {@link RowDecoder} decoding every field with the binary decoder of the codec of
   * its column (a codec without one yields the field's bytes). The number of codecs is the field
   * count every tuple must have.
   *
   * @category constructors
   * @since 0.1.0
   */
  makeRowDecoder
}

/**
 * Decodes a whole binary COPY stream held in memory into rows (for tests, files and small
 * dumps).
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeAll = (bytes: Uint8Array, codecs: ReadonlyArray<Codec>): Result.Result<Array<Array<unknown>>, CopyBinaryError> => {
  const decoder = makeRowDecoder(codecs)
  const rows: Array<Array<unknown>> = []
  const e = decoder.push(bytes, (row) => {
    rows.push(row)
  }) ?? decoder.end()
  return e === undefined ? Result.succeed(rows) : Result.fail(e)
}

// ---------------------------------------------------------------------------------------------
// encoding
// ---------------------------------------------------------------------------------------------

export type {
  /**
   * Options of {@link makeEncoder}.
   *
   * @category models
   * @since 0.1.0
   */
  EncoderOptions,
  /**
   * Writes a binary COPY stream into {@link Encoder.writer}.
   *
   * **Details**
   * - The header is written by the first `row`/`record` (or `trailer`), once.
   * - `row(values)` writes one tuple: `null` and `undefined` are NULL, other values go through the
   *   column's binary encoder. A column whose codec has no binary encoder takes a `Uint8Array`
   *   holding the value's binary form as is. On failure nothing of the row is left in the writer.
   * - `record(object)` reads the values by the `keys` given to {@link makeEncoder}.
   * - Take the bytes with `writer.take()` (or `view()` + `reset()`) as often as you like, e.g. every
   *   64 KiB: the encoder keeps no offsets into the writer between rows.
   *
   * @category models
   * @since 0.1.0
   */
  Encoder
} from "./internal/copyBinaryEncoder.ts"

/**
 * Creates an {@link Encoder} for rows whose columns have the given codecs (in column order).
 *
 * **Example** (Encoding rows)
 * ```ts
 * import * as PgCopyBinary from "@pgfx/protocol/PgCopyBinary"
 * import * as PgTypes from "@pgfx/protocol/PgTypes"
 * import { Oid } from "@pgfx/protocol/PgOid"
 *
 * const encoder = PgCopyBinary.makeEncoder([Oid.int4, Oid.text].map((oid) => PgTypes.getOrText(PgTypes.builtins, oid)))
 * encoder.row([1, "one"])
 * encoder.row([2, null])
 * encoder.trailer()
 * const bytes = encoder.writer.take()
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeEncoder = (codecs: ReadonlyArray<Codec>, options?: EncoderOptions): Encoder => new EncoderImpl(codecs, options)

/**
 * Encodes rows into one complete binary COPY stream (header, tuples, trailer).
 *
 * @category encoding
 * @since 0.1.0
 */
export const encodeAll = (
  codecs: ReadonlyArray<Codec>,
  rows: Iterable<ReadonlyArray<unknown>>
): Result.Result<Uint8Array, CopyBinaryError> => {
  const encoder = new EncoderImpl(codecs, { writer: new PgWriter(4096) })
  for (const row of rows) {
    const e = encoder.row(row)
    if (e !== undefined) return Result.fail(e)
  }
  encoder.trailer()
  return Result.succeed(encoder.writer.take())
}
