/**
 * Decoding binary COPY tuples into values: the field decoders of a row's codecs, the walk over
 * one tuple's fields, and the row decoder behind `PgCopyBinary.makeRowDecoder`, which turns a
 * codec's exception into a `DecodeFailed` error naming the tuple and column.
 *
 * @since 0.1.0
 */
import type { Codec } from "../PgCodec.ts"
import { readInt32 } from "./bytes.ts"
import type { DecoderOptions, TupleHandler } from "./copyBinaryDecoder.ts"
import { DecoderImpl } from "./copyBinaryDecoder.ts"
import type { CopyBinaryError } from "./copyBinaryFormat.ts"
import { error } from "./copyBinaryFormat.ts"

/**
 * A field decoder: the value of the field at `bytes[offset, offset + length)`.
 *
 * @category models
 * @since 0.1.0
 */
export type FieldDecoder = (bytes: Uint8Array, offset: number, length: number) => unknown

const rawBytes: FieldDecoder = (bytes, offset, length) => bytes.slice(offset, offset + length)

/**
 * The binary field decoders of `codecs`; a codec without a binary decoder yields the field's
 * bytes (an owned copy).
 *
 * @category decoding
 * @since 0.1.0
 */
export const fieldDecoders = (codecs: ReadonlyArray<Codec>): Array<FieldDecoder> =>
  codecs.map((codec) => codec.decodeBinary ?? rawBytes)

/**
 * Decodes the fields of one tuple (as delivered to a {@link TupleHandler}) into a new array,
 * `null` for NULL. Throws the codec's error when a field is malformed.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeTuple = (
  bytes: Uint8Array,
  start: number,
  fieldCount: number,
  decoders: ReadonlyArray<FieldDecoder>
): Array<unknown> => {
  const out = new Array<unknown>(fieldCount)
  let p = start
  for (let i = 0; i < fieldCount; i++) {
    const len = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!
    p += 4
    if (len < 0) out[i] = null
    else {
      out[i] = decoders[i]!(bytes, p, len)
      p += len
    }
  }
  return out
}

/** Finds the field whose decoder throws (after a tuple failed to decode). */
const failingField = (
  bytes: Uint8Array,
  start: number,
  fieldCount: number,
  decoders: ReadonlyArray<FieldDecoder>
): number => {
  let p = start
  for (let i = 0; i < fieldCount; i++) {
    const len = readInt32(bytes, p)
    p += 4
    if (len >= 0) {
      try {
        decoders[i]!(bytes, p, len)
      } catch {
        return i
      }
      p += len
    }
  }
  return -1
}

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
export interface RowDecoder {
  push(chunk: Uint8Array, onRow: (row: Array<unknown>) => void): CopyBinaryError | undefined
  end(): CopyBinaryError | undefined
  /** Rows delivered so far. */
  readonly rows: number
  /** Whether the trailer was read. */
  readonly done: boolean
  readonly failure: CopyBinaryError | undefined
}

/**
 * Creates a {@link RowDecoder} decoding every field with the binary decoder of the codec of
 * its column (a codec without one yields the field's bytes). The number of codecs is the field
 * count every tuple must have.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeRowDecoder = (codecs: ReadonlyArray<Codec>, options?: Omit<DecoderOptions, "fieldCount">): RowDecoder => {
  const decoders = fieldDecoders(codecs)
  const decoder = new DecoderImpl({ ...options, fieldCount: codecs.length })
  let failure: CopyBinaryError | undefined = undefined
  let rows = 0
  let onRow: (row: Array<unknown>) => void = () => {}
  const onTuple: TupleHandler = (bytes, start, fieldCount) => {
    let row: Array<unknown>
    try {
      row = decodeTuple(bytes, start, fieldCount, decoders)
    } catch (cause) {
      const column = failingField(bytes, start, fieldCount, decoders)
      throw new DecodeFailure(column, cause)
    }
    onRow(row)
    rows++
  }
  return {
    push(chunk, f) {
      if (failure !== undefined) return failure
      onRow = f
      try {
        const e = decoder.push(chunk, onTuple)
        if (e !== undefined) failure = e
        return e
      } catch (e) {
        if (e instanceof DecodeFailure) {
          const tuple = decoder.tuples
          const column = e.column
          failure = error(
            "DecodeFailed",
            `cannot decode tuple ${tuple}${column >= 0 ? `, column ${column}` : ""}${
              codecs[column] !== undefined ? ` (${codecs[column]!.name})` : ""
            }: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`,
            tuple,
            column >= 0 ? column : undefined,
            e.cause
          )
          decoder.failure = failure
          return failure
        }
        throw e
      }
    },
    end() {
      if (failure !== undefined) return failure
      const e = decoder.end()
      if (e !== undefined) failure = e
      return e
    },
    get rows() {
      return rows
    },
    get done() {
      return decoder.done
    },
    get failure() {
      return failure
    }
  }
}

class DecodeFailure {
  readonly column: number
  readonly cause: unknown
  constructor(column: number, cause: unknown) {
    this.column = column
    this.cause = cause
  }
}
