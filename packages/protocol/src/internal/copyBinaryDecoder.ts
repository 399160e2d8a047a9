/**
 * The incremental binary COPY decoder behind `PgCopyBinary.makeDecoder`: reads the header, then
 * delivers every tuple lying whole inside a pushed chunk as a view of it (the fast path) and
 * assembles a tuple spanning chunks unit by unit (field count, field length, field data) in a
 * buffer of its own. See `PgCopyBinary` for the contract (zero copy, terminal failure).
 *
 * @since 0.1.0
 */
import { readInt16, readInt32 } from "./bytes.ts"
import type { CopyBinaryError } from "./copyBinaryFormat.ts"
import { criticalUnknown, defaultMaxTupleSize, error, fixedHeaderSize, flagOids, signature } from "./copyBinaryFormat.ts"

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

export class DecoderImpl implements Decoder {
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
