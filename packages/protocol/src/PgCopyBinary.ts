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
import * as Data from "effect/Data"
import * as Result from "effect/Result"
import type { Codec } from "./PgCodec.ts"
import { readInt16, readInt32 } from "./internal/bytes.ts"
import { PgWriter } from "./PgWriter.ts"

// ---------------------------------------------------------------------------------------------
// constants
// ---------------------------------------------------------------------------------------------

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
const criticalUnknown = 0xfffe0000 | 0

/** Signature, flags, extension length. */
const fixedHeaderSize = 19

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
const defaultMaxTupleSize = 0x40000000

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

const error = (
  reason: CopyBinaryErrorReason,
  message: string,
  tuple?: number,
  column?: number,
  cause?: unknown
): CopyBinaryError => new CopyBinaryError({ reason, message, tuple, column, cause })

// ---------------------------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------------------------

/**
 * Receives one tuple: its fields start at `bytes[start]` (after the OID field, if the stream has
 * OIDs), laid out as `fieldCount` × (int32 length, -1 = NULL; then the bytes). The lengths were
 * validated: a walk over them stays inside `bytes`. `bytes` is valid only during the call.
 *
 * @category models
 * @since 0.1.0
 */
export type TupleHandler = (bytes: Uint8Array, start: number, fieldCount: number) => void

/**
 * Options of {@link makeDecoder}.
 *
 * @category models
 * @since 0.1.0
 */
export interface DecoderOptions {
  /**
   * The number of fields every tuple must have. Default: whatever the first tuple has (every
   * tuple of a stream has the same count).
   */
  readonly fieldCount?: number | undefined
  /** Largest tuple assembled across chunks, in bytes (default 1 GiB). */
  readonly maxTupleSize?: number | undefined
}

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
export interface Decoder {
  push(chunk: Uint8Array, onTuple: TupleHandler): CopyBinaryError | undefined
  end(): CopyBinaryError | undefined
  /** Whether the header says tuples carry OIDs (known once the header is read). */
  readonly hasOids: boolean
  /** The OID of the tuple being delivered (streams with OIDs), else `null`. */
  readonly oid: number | null
  /** Tuples delivered so far. */
  readonly tuples: number
  /** Whether the trailer was read. */
  readonly done: boolean
  /** The error that made the decoder terminal, if any. */
  readonly failure: CopyBinaryError | undefined
}

const EMPTY = new Uint8Array(0)

/** What the unit being assembled across chunks is. */
const S_COUNT = 0
const S_LENGTH = 1
const S_DATA = 2

class DecoderImpl implements Decoder {
  hasOids = false
  oid: number | null = null
  tuples = 0
  done = false
  failure: CopyBinaryError | undefined = undefined
  /** Expected field count; -1 until known. */
  private expected: number
  private readonly maxTupleSize: number
  /** Header bytes so far (signature, flags, extension length). */
  private readonly head = new Uint8Array(fixedHeaderSize)
  private headLength = 0
  /** Header-extension bytes still to skip. */
  private skip = 0
  private inHeader = true
  /** A tuple spanning chunks: its bytes from the field count on. */
  private partial: Uint8Array = EMPTY
  private partialLength = 0
  /** Bytes still missing from the current unit of the partial tuple (0: no partial tuple). */
  private want = 0
  private state = S_COUNT
  /** Fields (OID field included) whose length is still to be read. */
  private fieldsLeft = 0
  private fieldCount = 0

  constructor(options: DecoderOptions | undefined) {
    const n = options?.fieldCount
    this.expected = n !== undefined && Number.isInteger(n) && n >= 0 ? n : -1
    const max = options?.maxTupleSize
    this.maxTupleSize = max !== undefined && max > 0 ? max : defaultMaxTupleSize
  }

  push(chunk: Uint8Array, onTuple: TupleHandler): CopyBinaryError | undefined {
    if (this.failure !== undefined) return this.failure
    try {
      return this.pushChunk(chunk, onTuple)
    } catch (e) {
      // Only `onTuple` can throw: the decoder lost its place.
      if (this.failure === undefined) this.fail(error("DecodeFailed", "the tuple handler threw; the decoder stopped", this.tuples))
      throw e
    }
  }

  private pushChunk(chunk: Uint8Array, onTuple: TupleHandler): CopyBinaryError | undefined {
    const end = chunk.length
    let pos = 0
    if (this.inHeader) {
      pos = this.readHeader(chunk)
      if (this.failure !== undefined) return this.failure
      if (this.inHeader) return undefined
    }
    if (this.want > 0) {
      pos = this.resume(chunk, pos, end, onTuple)
      if (this.failure !== undefined) return this.failure
    }
    if (this.done) return pos < end ? this.dataAfterTrailer() : undefined
    // The fast path: whole tuples inside this chunk, delivered as views of it.
    const oids = this.hasOids
    while (end - pos >= 2) {
      const count = readInt16(chunk, pos)
      if (count < 0) {
        if (count === -1) {
          this.done = true
          return pos + 2 < end ? this.dataAfterTrailer() : undefined
        }
        return this.badCount(count)
      }
      if (count !== this.expected && !this.checkCount(count)) return this.failure
      let p = pos + 2
      let oid: number | null = null
      let complete = true
      if (oids) {
        if (end - p < 4) complete = false
        else {
          const len = readInt32(chunk, p)
          p += 4
          if (len > 0) {
            if (end - p < len) complete = false
            else {
              if (len === 4) oid = readInt32(chunk, p) >>> 0
              p += len
            }
          } else if (len < -1) return this.badLength(len, -1)
        }
      }
      const start = p
      if (complete) {
        for (let i = 0; i < count; i++) {
          if (end - p < 4) {
            complete = false
            break
          }
          const len = (chunk[p]! << 24) | (chunk[p + 1]! << 16) | (chunk[p + 2]! << 8) | chunk[p + 3]!
          p += 4
          if (len > 0) {
            if (end - p < len) {
              complete = false
              break
            }
            p += len
          } else if (len < -1) return this.badLength(len, i)
        }
      }
      if (!complete) break
      this.oid = oid
      onTuple(chunk, start, count)
      this.tuples++
      pos = p
    }
    if (pos < end) {
      // An incomplete tuple: assemble it unit by unit in `partial`.
      this.partialLength = 0
      this.state = S_COUNT
      this.want = 2
      this.resume(chunk, pos, end, onTuple)
      if (this.failure !== undefined) return this.failure
    }
    return undefined
  }

  end(): CopyBinaryError | undefined {
    if (this.failure !== undefined) return this.failure
    if (this.done) return undefined
    if (this.inHeader) return this.fail(error("Truncated", "the data ended inside the binary COPY header"))
    if (this.want > 0) {
      return this.fail(error("Truncated", `the data ended inside tuple ${this.tuples}`, this.tuples))
    }
    return this.fail(error("MissingTrailer", `the data ended after ${this.tuples} tuples without the trailer`))
  }

  private fail(e: CopyBinaryError): CopyBinaryError {
    this.failure = e
    this.partial = EMPTY
    this.want = 0
    return e
  }

  private dataAfterTrailer(): CopyBinaryError {
    return this.fail(error("DataAfterTrailer", "data after the binary COPY trailer"))
  }

  private badCount(count: number): CopyBinaryError {
    return this.fail(error("BadFieldCount", `tuple ${this.tuples} has an invalid field count ${count}`, this.tuples))
  }

  private badLength(len: number, column: number): CopyBinaryError {
    const which = column < 0 ? "the OID field" : `field ${column}`
    return this.fail(
      error("BadFieldLength", `tuple ${this.tuples}: ${which} has an invalid length ${len}`, this.tuples, column < 0 ? undefined : column)
    )
  }

  /** A tuple's field count differs from the expected one: adopt it if none was, else fail. */
  private checkCount(count: number): boolean {
    if (this.expected === -1) {
      this.expected = count
      return true
    }
    this.fail(
      error(
        "FieldCountMismatch",
        `tuple ${this.tuples} has ${count} fields, expected ${this.expected}`,
        this.tuples
      )
    )
    return false
  }

  /** Consumes header bytes from the start of `chunk`; returns the position after them. */
  private readHeader(chunk: Uint8Array): number {
    const end = chunk.length
    let pos = 0
    const head = this.head
    if (this.headLength < fixedHeaderSize) {
      while (this.headLength < fixedHeaderSize && pos < end) {
        const byte = chunk[pos++]!
        if (this.headLength < signature.length && byte !== signature[this.headLength]) {
          this.fail(error("BadSignature", "the data does not start with the binary COPY signature"))
          return end
        }
        head[this.headLength++] = byte
      }
      if (this.headLength < fixedHeaderSize) return end
      const flags = readInt32(head, 11)
      if ((flags & criticalUnknown) !== 0) {
        this.fail(error("UnsupportedFlags", `unknown critical flags in the binary COPY header (0x${(flags >>> 0).toString(16)})`))
        return end
      }
      this.hasOids = (flags & flagOids) !== 0
      const extension = readInt32(head, 15)
      if (extension < 0) {
        this.fail(error("BadHeader", `negative header extension length ${extension}`))
        return end
      }
      this.skip = extension
    }
    const take = this.skip < end - pos ? this.skip : end - pos
    this.skip -= take
    pos += take
    if (this.skip === 0) this.inHeader = false
    return pos
  }

  /**
   * Continues the tuple being assembled in `partial` with bytes from `chunk[pos, end)`. Returns
   * the position after the bytes it used: `end` if the tuple is still incomplete.
   */
  private resume(chunk: Uint8Array, pos: number, end: number, onTuple: TupleHandler): number {
    for (;;) {
      const take = this.want < end - pos ? this.want : end - pos
      if (take > 0) {
        if (this.partialLength + take > this.maxTupleSize) {
          this.fail(error("TupleTooLarge", `tuple ${this.tuples} is larger than maxTupleSize (${this.maxTupleSize} bytes)`, this.tuples))
          return end
        }
        this.reserve(this.partialLength + take)
        this.partial.set(chunk.subarray(pos, pos + take), this.partialLength)
        this.partialLength += take
        pos += take
        this.want -= take
      }
      if (this.want > 0) return end
      // The current unit is complete.
      const b = this.partial
      const at = this.partialLength
      switch (this.state) {
        case S_COUNT: {
          const count = readInt16(b, 0)
          if (count < 0) {
            this.partialLength = 0
            if (count !== -1) {
              this.badCount(count)
              return end
            }
            this.done = true
            return pos
          }
          if (count !== this.expected && !this.checkCount(count)) return end
          this.fieldCount = count
          this.fieldsLeft = count + (this.hasOids ? 1 : 0)
          if (this.fieldsLeft === 0) return this.deliver(pos, onTuple)
          this.state = S_LENGTH
          this.want = 4
          break
        }
        case S_LENGTH: {
          const len = readInt32(b, at - 4)
          if (len > 0) {
            this.state = S_DATA
            this.want = len
            break
          }
          if (len < -1) {
            const oidField = this.hasOids && this.fieldsLeft === this.fieldCount + 1
            this.badLength(len, oidField ? -1 : this.fieldCount - this.fieldsLeft)
            return end
          }
          if (--this.fieldsLeft === 0) return this.deliver(pos, onTuple)
          this.want = 4
          break
        }
        default: {
          if (--this.fieldsLeft === 0) return this.deliver(pos, onTuple)
          this.state = S_LENGTH
          this.want = 4
        }
      }
    }
  }

  /** Delivers the assembled tuple. */
  private deliver(pos: number, onTuple: TupleHandler): number {
    const b = this.partial
    let start = 2
    let oid: number | null = null
    if (this.hasOids) {
      const len = readInt32(b, 2)
      if (len === 4) oid = readInt32(b, 6) >>> 0
      start = 6 + (len > 0 ? len : 0)
    }
    this.partialLength = 0
    this.state = S_COUNT
    this.oid = oid
    onTuple(b, start, this.fieldCount)
    this.tuples++
    return pos
  }

  private reserve(size: number): void {
    if (size <= this.partial.length) return
    const next = new Uint8Array(Math.max(size, 2 * this.partial.length, 256))
    next.set(this.partial.subarray(0, this.partialLength))
    this.partial = next
  }
}

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

/**
 * Options of {@link makeEncoder}.
 *
 * @category models
 * @since 0.1.0
 */
export interface EncoderOptions {
  /** The writer to append to (default: a new one). */
  readonly writer?: PgWriter | undefined
  /** Property names of the columns, for {@link Encoder.record}. */
  readonly keys?: ReadonlyArray<string> | undefined
}

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
export interface Encoder {
  readonly writer: PgWriter
  /** Number of columns of every row. */
  readonly columns: number
  /** Rows written so far. */
  readonly rows: number
  row(values: ReadonlyArray<unknown>): CopyBinaryError | undefined
  record(values: { readonly [key: string]: unknown }): CopyBinaryError | undefined
  trailer(): void
}

type FieldEncoder = (value: any, writer: PgWriter) => void

/** Thrown inside `write` for a column without a binary encoder given something else than bytes. */
const noBinaryEncoder: unique symbol = Symbol("noBinaryEncoder")

class EncoderImpl implements Encoder {
  readonly writer: PgWriter
  readonly columns: number
  rows = 0
  private headerWritten = false
  private readonly encoders: ReadonlyArray<FieldEncoder | undefined>
  private readonly codecs: ReadonlyArray<Codec>
  private readonly keys: ReadonlyArray<string> | undefined

  constructor(codecs: ReadonlyArray<Codec>, options: EncoderOptions | undefined) {
    this.codecs = codecs
    this.columns = codecs.length
    this.encoders = codecs.map((c) => c.encodeBinary)
    this.writer = options?.writer ?? new PgWriter(64 * 1024)
    this.keys = options?.keys
  }

  private writeHeader(): void {
    this.headerWritten = true
    this.writer.bytes(header)
  }

  row(values: ReadonlyArray<unknown>): CopyBinaryError | undefined {
    const n = this.columns
    if (values.length !== n) {
      return error("FieldCountMismatch", `row ${this.rows} has ${values.length} values, expected ${n}`, this.rows)
    }
    return this.write(values, undefined)
  }

  record(values: { readonly [key: string]: unknown }): CopyBinaryError | undefined {
    const keys = this.keys
    if (keys === undefined || keys.length !== this.columns) {
      return error("FieldCountMismatch", `record(): the encoder was made without keys for its ${this.columns} columns`, this.rows)
    }
    return this.write(values, keys)
  }

  private write(values: any, keys: ReadonlyArray<string> | undefined): CopyBinaryError | undefined {
    if (!this.headerWritten) this.writeHeader()
    const w = this.writer
    const mark = w.length
    const n = this.columns
    const encoders = this.encoders
    let i = 0
    try {
      w.i16(n)
      for (; i < n; i++) {
        const value = keys === undefined ? values[i] : values[keys[i]!]
        if (value === null || value === undefined) {
          w.i32(-1)
          continue
        }
        const encode = encoders[i]
        const at = w.beginLength()
        if (encode !== undefined) encode(value, w)
        else if (value instanceof Uint8Array) w.bytes(value)
        else throw noBinaryEncoder
        w.endLength(at, false)
      }
    } catch (cause) {
      w.length = mark
      const codec = this.codecs[i]
      const detail = cause === noBinaryEncoder
        ? `type ${codec?.name} has no binary encoder (pass the binary form as a Uint8Array)`
        : cause instanceof Error
        ? cause.message
        : String(cause)
      return error(
        "EncodeFailed",
        `cannot encode row ${this.rows}, column ${keys === undefined ? i : JSON.stringify(keys[i])} (${codec?.name}): ${detail}`,
        this.rows,
        i,
        cause === noBinaryEncoder ? undefined : cause
      )
    }
    this.rows++
    return undefined
  }

  trailer(): void {
    if (!this.headerWritten) this.writeHeader()
    this.writer.bytes(trailer)
  }
}


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
