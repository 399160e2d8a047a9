/**
 * A growable byte buffer for building protocol messages and binary values.
 *
 * One writer per connection (or per encoder): it is reused across messages, so bytes returned by
 * {@link PgWriter.take} are copies the caller owns, while {@link PgWriter.view} is a view that is
 * only valid until the next write.
 *
 * @since 0.1.0
 */

const textEncoder = new TextEncoder()

/**
 * A reusable, growable big-endian byte writer.
 *
 * **Details**
 * All integers are written in network byte order, as the PostgreSQL protocol requires. The
 * `beginLength` / `endLength` pair reserves a 4-byte length that is patched once the content is
 * known; message framing and Bind parameter lengths both use it.
 *
 * @category models
 * @since 0.1.0
 */
export class PgWriter {
  /** The underlying storage; grows by doubling. */
  buffer: Uint8Array
  /** A DataView over {@link buffer}. */
  dataView: DataView
  /** Number of bytes written so far. */
  length: number

  constructor(initialSize = 4096) {
    this.buffer = new Uint8Array(initialSize)
    this.dataView = new DataView(this.buffer.buffer)
    this.length = 0
  }

  /** Makes room for at least `n` more bytes. */
  ensure(n: number): void {
    const needed = this.length + n
    if (needed <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < needed) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buffer.subarray(0, this.length))
    this.buffer = next
    this.dataView = new DataView(next.buffer)
  }

  /** Writes one unsigned byte. */
  u8(value: number): this {
    this.ensure(1)
    this.buffer[this.length++] = value
    return this
  }

  /** Writes a signed 16-bit integer. */
  i16(value: number): this {
    this.ensure(2)
    this.dataView.setInt16(this.length, value)
    this.length += 2
    return this
  }

  /** Writes an unsigned 16-bit integer. */
  u16(value: number): this {
    this.ensure(2)
    this.dataView.setUint16(this.length, value)
    this.length += 2
    return this
  }

  /** Writes a signed 32-bit integer. */
  i32(value: number): this {
    this.ensure(4)
    this.dataView.setInt32(this.length, value)
    this.length += 4
    return this
  }

  /** Writes an unsigned 32-bit integer. */
  u32(value: number): this {
    this.ensure(4)
    this.dataView.setUint32(this.length, value)
    this.length += 4
    return this
  }

  /** Writes a signed 64-bit integer. */
  i64(value: bigint): this {
    this.ensure(8)
    this.dataView.setBigInt64(this.length, value)
    this.length += 8
    return this
  }

  /** Writes a 32-bit IEEE float. */
  f32(value: number): this {
    this.ensure(4)
    this.dataView.setFloat32(this.length, value)
    this.length += 4
    return this
  }

  /** Writes a 64-bit IEEE float. */
  f64(value: number): this {
    this.ensure(8)
    this.dataView.setFloat64(this.length, value)
    this.length += 8
    return this
  }

  /** Copies raw bytes. */
  bytes(value: Uint8Array): this {
    this.ensure(value.length)
    this.buffer.set(value, this.length)
    this.length += value.length
    return this
  }

  /** Writes a string as UTF-8 without terminator. */
  string(value: string): this {
    // Worst case 3 bytes per UTF-16 code unit.
    const len = value.length
    this.ensure(len * 3)
    let pos = this.length
    const buf = this.buffer
    let i = 0
    // ASCII fast path: most SQL and identifiers are ASCII.
    for (; i < len; i++) {
      const c = value.charCodeAt(i)
      if (c >= 0x80) break
      buf[pos++] = c
    }
    if (i < len) {
      const { written } = textEncoder.encodeInto(value.slice(i), buf.subarray(pos))
      pos += written
    }
    this.length = pos
    return this
  }

  /** Writes a string as UTF-8 followed by a NUL terminator. */
  cstring(value: string): this {
    this.string(value)
    return this.u8(0)
  }

  /**
   * Reserves a 4-byte length and returns its position, to be passed to {@link endLength}.
   */
  beginLength(): number {
    this.ensure(4)
    const at = this.length
    this.length += 4
    return at
  }

  /**
   * Patches the length reserved at `at`. With `inclusive` (message framing) the length counts its
   * own 4 bytes; without it (Bind parameters, array elements) it counts only what follows.
   */
  endLength(at: number, inclusive: boolean): void {
    const size = this.length - at - (inclusive ? 0 : 4)
    this.dataView.setInt32(at, size)
  }

  /** Starts a typed frontend message: writes the type byte and reserves the length. */
  beginMessage(type: number): number {
    this.u8(type)
    return this.beginLength()
  }

  /** Finishes a message started with {@link beginMessage}. */
  endMessage(at: number): void {
    this.endLength(at, true)
  }

  /** A view of the written bytes, valid until the next write or reset. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }

  /** Returns a copy of the written bytes and resets the writer. */
  take(): Uint8Array {
    const out = this.buffer.slice(0, this.length)
    this.length = 0
    return out
  }

  /** Forgets everything written (keeps the storage). */
  reset(): void {
    this.length = 0
  }
}
