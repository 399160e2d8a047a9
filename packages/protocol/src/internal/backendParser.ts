/**
 * The incremental backend parser behind `PgBackend.makeParser`: splits the pushed chunks into
 * messages, decodes each in place (or in a buffer of its own when it spans chunks) and calls back
 * once per message. The `push` loop is the hottest code of the project; see `PgBackend` for the
 * contract (zero copy, terminal failure).
 *
 * @since 0.1.0
 */
import type { BackendMessage } from "./backendMessages.ts"
import { BackendType } from "./backendMessages.ts"
import type { ReusedDataRow } from "./backendDecode.ts"
import { decodeBody, decodeDataRow, newReader } from "./backendDecode.ts"
import { describeType, ParseError, parseError } from "./backendParseError.ts"
import { readInt32 } from "./bytes.ts"

/**
 * The default {@link ParserOptions.maxMessageSize}: 1 GiB, the largest allocation a PostgreSQL
 * backend can make for one message.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultMaxMessageSize = 0x40000000

/**
 * Options of {@link makeParser}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ParserOptions {
  /**
   * The largest accepted message, as the value of its length field (which counts itself but not
   * the type byte). Default {@link defaultMaxMessageSize}. A larger length is a ParseError as
   * soon as the 5-byte header arrives.
   */
  readonly maxMessageSize?: number | undefined
  /**
   * Deliver every `DataRow` in one object of the parser's, refilled for each row: valid only
   * during the `onMessage` call (its `bytes` view stays valid as usual). Saves an allocation per
   * row for a consumer that builds the row at once. Default `false`.
   */
  readonly reuseDataRow?: boolean | undefined
}

/**
 * An incremental decoder for one connection's backend byte stream.
 *
 * **Details**
 * - `push(chunk, onMessage)` calls `onMessage` synchronously for every message the bytes
 *   complete, in order, and keeps an incomplete tail for the next push. It returns `undefined`,
 *   or the {@link ParseError} that stopped it (after delivering the messages before the bad
 *   one). From then on every push returns that same error without reading its chunk: the parser
 *   is terminal.
 * - `push` never throws for any input. If `onMessage` itself throws, the exception propagates,
 *   the rest of that chunk is lost and the parser is terminal.
 * - Not re-entrant: do not call `push` from inside `onMessage`.
 * - See the module header for how long message views stay valid.
 *
 * @category models
 * @since 0.1.0
 */
export interface Parser {
  /** Feeds one chunk; see above. */
  push(chunk: Uint8Array, onMessage: (message: BackendMessage) => void): ParseError | undefined
  /** The error that made this parser terminal, if any. */
  readonly failure: ParseError | undefined
  /** Bytes of an incomplete message held from earlier chunks (0 at a message boundary). */
  readonly pending: number
  /** The configured maximum message size. */
  readonly maxMessageSize: number
}

/** 1 for every known backend type byte. Never written after module initialisation. */
const knownTypes = new Uint8Array(256)
for (const type of Object.values(BackendType)) knownTypes[type] = 1

const EMPTY = new Uint8Array(0)
const SMALL_MESSAGE = 1 << 20

class ParserImpl implements Parser {
  readonly maxMessageSize: number
  failure: ParseError | undefined = undefined
  /** Header bytes of a message whose header spans chunks. */
  private readonly head = new Uint8Array(5)
  private headLength = 0
  /** A message spanning chunks: its bytes so far (type byte and length included). */
  private partial: Uint8Array = EMPTY
  private partialLength = 0
  /** 1 + the length of the message in `partial`, 0 when none. */
  private total = 0
  private readonly reader = newReader()
  private delivering = false

  /** The DataRow refilled for each row, when the parser was asked to reuse one. */
  private readonly row: ReusedDataRow | undefined

  constructor(maxMessageSize: number, reuseDataRow: boolean) {
    this.maxMessageSize = maxMessageSize
    this.row = reuseDataRow ? { _tag: "DataRow", bytes: EMPTY, start: 0, end: 0, fieldCount: 0 } : undefined
  }

  get pending(): number {
    return this.total > 0 ? this.partialLength : this.headLength
  }

  push(chunk: Uint8Array, onMessage: (message: BackendMessage) => void): ParseError | undefined {
    if (this.failure !== undefined) return this.failure
    const end = chunk.length
    let pos = 0
    try {
      if (this.headLength > 0 || this.total > 0) {
        pos = this.resume(chunk, onMessage)
      }
      const max = this.maxMessageSize
      const reader = this.reader
      while (end - pos >= 5) {
        const type = chunk[pos]!
        const length = (chunk[pos + 1]! << 24) | (chunk[pos + 2]! << 16) | (chunk[pos + 3]! << 8) | chunk[pos + 4]!
        if (length < 4 || length > max || knownTypes[type] === 0) this.badHeader(type, length)
        const next = pos + 1 + length
        if (next > end) break
        const message = type === 0x44 ? decodeDataRow(chunk, pos + 5, next, this.row) : decodeBody(reader, type, chunk, pos + 5, next)
        this.delivering = true
        onMessage(message)
        this.delivering = false
        pos = next
      }
      if (pos < end) this.hold(chunk, pos, end)
      return undefined
    } catch (e) {
      return this.caught(e)
    }
  }

  private caught(e: unknown): ParseError {
    if (this.delivering) {
      this.delivering = false
      this.failure = parseError(undefined, "the message callback threw; the parser lost its place")
      throw e
    }
    if (e instanceof ParseError) {
      this.failure = e
    } else {
      // Defensive: nothing above should throw anything else.
      this.failure = parseError(undefined, `internal decoder failure: ${String(e)}`)
    }
    this.partial = EMPTY
    return this.failure
  }

  private badHeader(type: number, length: number): never {
    if (knownTypes[type] === 0) throw new ParseError({ message: describeType(type), messageType: type })
    if (length < 4) throw parseError(type, `invalid length ${length} (less than 4)`)
    throw parseError(type, `length ${length} exceeds maxMessageSize ${this.maxMessageSize}`)
  }

  /** Continues a message begun in an earlier chunk; returns the position after it in `chunk`. */
  private resume(chunk: Uint8Array, onMessage: (message: BackendMessage) => void): number {
    const end = chunk.length
    let pos = 0
    if (this.total === 0) {
      const head = this.head
      while (this.headLength < 5 && pos < end) head[this.headLength++] = chunk[pos++]!
      if (this.headLength < 5) return end
      const type = head[0]!
      const length = readInt32(head, 1)
      if (length < 4 || length > this.maxMessageSize || knownTypes[type] === 0) this.badHeader(type, length)
      this.startPartial(1 + length, head, 5)
      this.headLength = 0
    }
    const want = this.total - this.partialLength
    const take = want < end - pos ? want : end - pos
    if (take > 0) {
      this.reserve(this.partialLength + take)
      this.partial.set(take === end && pos === 0 ? chunk : chunk.subarray(pos, pos + take), this.partialLength)
      this.partialLength += take
      pos += take
    }
    if (this.partialLength < this.total) return end
    const bytes = this.partial
    const total = this.total
    this.partial = EMPTY
    this.partialLength = 0
    this.total = 0
    const type = bytes[0]!
    const message = type === 0x44 ? decodeDataRow(bytes, 5, total, this.row) : decodeBody(this.reader, type, bytes, 5, total)
    this.delivering = true
    onMessage(message)
    this.delivering = false
    return pos
  }

  /** Keeps the incomplete tail `chunk[pos, end)`; its header (if complete) was validated. */
  private hold(chunk: Uint8Array, pos: number, end: number): void {
    const n = end - pos
    if (n < 5) {
      for (let i = 0; i < n; i++) this.head[i] = chunk[pos + i]!
      this.headLength = n
      return
    }
    const length = readInt32(chunk, pos + 1)
    this.startPartial(1 + length, chunk.subarray(pos, end), n)
  }

  private startPartial(total: number, first: Uint8Array, n: number): void {
    // A small message gets its exact size at once; a large one grows geometrically as bytes
    // arrive, so a header announcing a huge message costs nothing until the bytes come.
    const capacity = total <= SMALL_MESSAGE ? total : Math.min(total, Math.max(SMALL_MESSAGE, 2 * n))
    this.partial = new Uint8Array(capacity)
    this.partial.set(n === first.length ? first : first.subarray(0, n), 0)
    this.partialLength = n
    this.total = total
  }

  private reserve(size: number): void {
    if (size <= this.partial.length) return
    const capacity = Math.min(this.total, Math.max(size, 2 * this.partial.length))
    const next = new Uint8Array(capacity)
    next.set(this.partial.subarray(0, this.partialLength), 0)
    this.partial = next
  }
}

/**
 * Creates a {@link Parser} for one connection.
 *
 * **Example** (Feeding socket chunks)
 * ```ts
 * import { PgBackend } from "@pgfx/protocol"
 *
 * const parser = PgBackend.makeParser()
 * const error = parser.push(new Uint8Array([0x5a, 0, 0, 0, 5, 0x49]), (message) => {
 *   console.log(message._tag) // "ReadyForQuery"
 * })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeParser = (options?: ParserOptions): Parser => {
  const requested = options?.maxMessageSize
  const max = requested === undefined || !Number.isFinite(requested) || requested < 4
    ? defaultMaxMessageSize
    : Math.min(Math.floor(requested), 0x7fffffff)
  return new ParserImpl(max, options?.reuseDataRow === true)
}
