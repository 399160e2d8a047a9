/**
 * The binary COPY encoder behind `PgCopyBinary.makeEncoder`: writes the header once, then one
 * tuple per row through the columns' binary encoders, rolling a row that fails back out of the
 * writer, then the trailer.
 *
 * @since 0.1.0
 */
import type { Codec } from "../PgCodec.ts"
import { PgWriter } from "../PgWriter.ts"
import type { CopyBinaryError } from "./copyBinaryFormat.ts"
import { error, header, trailer } from "./copyBinaryFormat.ts"

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

export class EncoderImpl implements Encoder {
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
