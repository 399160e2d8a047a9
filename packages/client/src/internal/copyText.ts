/**
 * COPY's text format, for rows whose column types have no binary codec.
 *
 * A row is one line; fields are separated by a tab; `\N` is NULL; a backslash escapes the
 * backslash itself, newline, carriage return and tab (`\\`, `\n`, `\r`, `\t`) — the server also
 * understands `\b \f \v`, octal `\ooo` and hex `\xhh`, which the decoder accepts too.
 */
import type { Codec } from "@pgfx/protocol/PgCodec"
import type { PgWriter } from "@pgfx/protocol/PgWriter"

const TAB = 0x09
const NL = 0x0a
const BACKSLASH = 0x5c

/** Whether `s` needs escaping (a backslash, newline, carriage return or tab). */
const needsEscape = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x5c || c === 0x0a || c === 0x0d || c === 0x09) return true
  }
  return false
}

const escape = (s: string): string => {
  let out = ""
  let from = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let e: string | undefined
    if (c === 0x5c) e = "\\\\"
    else if (c === 0x0a) e = "\\n"
    else if (c === 0x0d) e = "\\r"
    else if (c === 0x09) e = "\\t"
    if (e !== undefined) {
      out += s.slice(from, i) + e
      from = i + 1
    }
  }
  return out + s.slice(from)
}

/** Thrown by {@link TextRowEncoder} with the failing column. */
export class TextEncodeFailure {
  readonly column: number
  readonly cause: unknown
  constructor(column: number, cause: unknown) {
    this.column = column
    this.cause = cause
  }
}

/**
 * Writes rows in the text format through the columns' text encoders.
 */
export class TextRowEncoder {
  private readonly encoders: ReadonlyArray<(value: any) => string>
  readonly columns: number

  constructor(codecs: ReadonlyArray<Codec>) {
    this.encoders = codecs.map((c) => c.encodeText)
    this.columns = codecs.length
  }

  /** Appends one row; throws {@link TextEncodeFailure} (the writer is then rolled back). */
  write(values: any, keys: ReadonlyArray<string> | undefined, writer: PgWriter): void {
    const mark = writer.length
    const n = this.columns
    let i = 0
    try {
      for (; i < n; i++) {
        if (i > 0) writer.u8(TAB)
        const value = keys === undefined ? values[i] : values[keys[i]!]
        if (value === null || value === undefined) {
          writer.u8(BACKSLASH).u8(0x4e) // \N
          continue
        }
        const text = this.encoders[i]!(value)
        writer.string(needsEscape(text) ? escape(text) : text)
      }
      writer.u8(NL)
    } catch (cause) {
      writer.length = mark
      throw new TextEncodeFailure(i, cause)
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

const hexValue = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1

/**
 * Unescapes `b[start, end)` (which contains a backslash) into bytes, then decodes UTF-8.
 * Escapes may produce arbitrary bytes (octal/hex), so unescaping works on bytes.
 */
const unescape = (b: Uint8Array, start: number, end: number): string => {
  const out = new Uint8Array(end - start)
  let n = 0
  let i = start
  while (i < end) {
    const c = b[i++]!
    if (c !== BACKSLASH || i === end) {
      out[n++] = c
      continue
    }
    const e = b[i++]!
    switch (e) {
      case 0x62:
        out[n++] = 0x08
        break
      case 0x66:
        out[n++] = 0x0c
        break
      case 0x6e:
        out[n++] = 0x0a
        break
      case 0x72:
        out[n++] = 0x0d
        break
      case 0x74:
        out[n++] = 0x09
        break
      case 0x76:
        out[n++] = 0x0b
        break
      case 0x78: {
        let v = 0
        let digits = 0
        while (digits < 2 && i < end && hexValue(b[i]!) >= 0) {
          v = v * 16 + hexValue(b[i++]!)
          digits++
        }
        if (digits === 0) out[n++] = e
        else out[n++] = v
        break
      }
      default:
        if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30
          let digits = 1
          while (digits < 3 && i < end && b[i]! >= 0x30 && b[i]! <= 0x37) {
            v = v * 8 + (b[i++]! - 0x30)
            digits++
          }
          out[n++] = v & 0xff
        } else out[n++] = e
    }
  }
  return utf8.decode(out.subarray(0, n))
}

/** The text of the field `b[start, end)`, or null for `\N`. */
const fieldText = (b: Uint8Array, start: number, end: number): string | null => {
  if (end - start === 2 && b[start] === BACKSLASH && b[start + 1] === 0x4e) return null
  for (let i = start; i < end; i++) if (b[i] === BACKSLASH) return unescape(b, start, end)
  return utf8.decode(b.subarray(start, end))
}

/** Thrown by {@link TextRowDecoder} for a malformed line or a field its codec rejects. */
export class TextDecodeFailure {
  readonly message: string
  readonly row: number
  readonly column: number | undefined
  readonly cause: unknown
  constructor(message: string, row: number, column: number | undefined, cause?: unknown) {
    this.message = message
    this.row = row
    this.column = column
    this.cause = cause
  }
}

/**
 * Splits text-format COPY data (any chunking) into rows and decodes each field with its
 * column's text decoder.
 */
export class TextRowDecoder {
  private readonly decoders: ReadonlyArray<(text: string) => unknown>
  private readonly build: (values: Array<unknown>) => unknown
  private tail: Uint8Array = new Uint8Array(0)
  rows = 0

  constructor(codecs: ReadonlyArray<Codec>, build: (values: Array<unknown>) => unknown) {
    this.decoders = codecs.map((c) => c.decodeText)
    this.build = build
  }

  /** Decodes the complete lines of `chunk` (with what was held back) into `out`. */
  push(chunk: Uint8Array, out: Array<unknown>): void {
    let b = chunk
    if (this.tail.length > 0) {
      b = new Uint8Array(this.tail.length + chunk.length)
      b.set(this.tail)
      b.set(chunk, this.tail.length)
      this.tail = new Uint8Array(0)
    }
    let lineStart = 0
    for (let i = 0; i < b.length; i++) {
      if (b[i] !== NL) continue
      out.push(this.line(b, lineStart, i))
      lineStart = i + 1
    }
    if (lineStart < b.length) this.tail = b.slice(lineStart)
  }

  /** The data ended: throws if a partial line is left. */
  end(): void {
    if (this.tail.length > 0) throw new TextDecodeFailure("the COPY data ended inside a row", this.rows, undefined)
  }

  private line(b: Uint8Array, start: number, end: number): unknown {
    const n = this.decoders.length
    const values = new Array<unknown>(n)
    if (n === 0 && start === end) {
      this.rows++
      return this.build(values)
    }
    let fieldStart = start
    let column = 0
    for (let i = start; i <= end; i++) {
      if (i < end && b[i] !== TAB) continue
      if (column >= n) throw new TextDecodeFailure(`row ${this.rows} has more than ${n} fields`, this.rows, undefined)
      let text: string | null
      try {
        text = fieldText(b, fieldStart, i)
        values[column] = text === null ? null : this.decoders[column]!(text)
      } catch (cause) {
        throw new TextDecodeFailure(
          `cannot decode row ${this.rows}, column ${column}: ${cause instanceof Error ? cause.message : String(cause)}`,
          this.rows,
          column,
          cause
        )
      }
      column++
      fieldStart = i + 1
    }
    if (column !== n) throw new TextDecodeFailure(`row ${this.rows} has ${column} fields, expected ${n}`, this.rows, undefined)
    this.rows++
    return this.build(values)
  }
}
