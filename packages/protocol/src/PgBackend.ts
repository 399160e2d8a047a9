/**
 * The messages a PostgreSQL server sends (protocol 3.0 and 3.2), and an incremental decoder for
 * them.
 *
 * {@link makeParser} returns a {@link Parser}: feed it the socket's chunks as they arrive, of any
 * size, and it calls back once per complete message. Any chunking of the same bytes produces the
 * same messages. Malformed input never throws: `push` returns a {@link ParseError} and the parser
 * stays failed from then on (the connection is out of sync and must be closed).
 *
 * **Zero copy**: a message that lies wholly inside one chunk is decoded in place. `DataRow` and
 * `CopyData` carry views into the chunk (`DataRow.bytes` *is* the chunk, with offsets); every other
 * message copies what it keeps (strings are decoded, byte fields are sliced). A message that spans
 * chunks is assembled in a fresh buffer of its own. Views stay valid for as long as the caller does
 * not overwrite the chunks it pushed; a consumer that keeps field bytes beyond that must copy them.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import type { BackendMessage, DataRow } from "./internal/backendMessages.ts"
import { AuthenticationCode, BackendType } from "./internal/backendMessages.ts"
import { ParseError, parseError } from "./internal/backendParseError.ts"
import type { Parser, ParserOptions } from "./internal/backendParser.ts"
import { defaultMaxMessageSize, makeParser } from "./internal/backendParser.ts"
import { readInt32, utf8Slice } from "./internal/bytes.ts"
import { parseCommandTag } from "./internal/commandTag.ts"

// ---------------------------------------------------------------------------------------------
// constants
// ---------------------------------------------------------------------------------------------

export {
  /**
   * The type byte of each backend message.
   *
   * @category constants
   * @since 0.1.0
   */
  BackendType,
  /**
   * The codes of the Authentication ('R') message.
   *
   * @category constants
   * @since 0.1.0
   */
  AuthenticationCode,
  /**
   * The default {@link ParserOptions.maxMessageSize}: 1 GiB, the largest allocation a PostgreSQL
   * backend can make for one message.
   *
   * @category constants
   * @since 0.1.0
   */
  defaultMaxMessageSize
}

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

export {
  /**
   * The bytes from the server are not a valid message stream. Returned (never thrown) by
   * {@link Parser.push} and the other decoders; a parser that returned one is terminal.
   *
   * @category errors
   * @since 0.1.0
   */
  ParseError
}

// ---------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------

export type {
  Authentication,
  AuthenticationCleartextPassword,
  AuthenticationGSS,
  AuthenticationGSSContinue,
  AuthenticationKerberosV5,
  AuthenticationMD5Password,
  AuthenticationOk,
  AuthenticationSASL,
  AuthenticationSASLContinue,
  AuthenticationSASLFinal,
  AuthenticationSSPI,
  BackendKeyData,
  BackendMessage,
  BindComplete,
  CloseComplete,
  CommandComplete,
  CopyBothResponse,
  CopyData,
  CopyDone,
  CopyInResponse,
  CopyOutResponse,
  DataRow,
  EmptyQueryResponse,
  ErrorResponse,
  FieldDescription,
  FormatCode,
  FunctionCallResponse,
  NegotiateProtocolVersion,
  NoData,
  NoticeFields,
  NoticeResponse,
  NotificationResponse,
  ParameterDescription,
  ParameterStatus,
  ParseComplete,
  PortalSuspended,
  ReadyForQuery,
  RowDescription
} from "./internal/backendMessages.ts"
export type { Parser, ParserOptions }

// ---------------------------------------------------------------------------------------------
// DataRow helpers
// ---------------------------------------------------------------------------------------------

/**
 * Decodes UTF-8 text at `bytes[start, end)` — a text-format field — without copying (a short
 * ASCII fast path; the host's native decoder when the bytes are a Node Buffer). Invalid
 * sequences become U+FFFD.
 *
 * @category DataRow
 * @since 0.1.0
 */
export const readUtf8: (bytes: Uint8Array, start: number, end: number) => string = utf8Slice

/**
 * Reads a field's length word at `offset` (-1 = NULL); see {@link DataRow} for the walk.
 *
 * @category DataRow
 * @since 0.1.0
 */
export const readFieldLength: (bytes: Uint8Array, offset: number) => number = readInt32

/**
 * Writes each field's position into `out`: `out[2 * i]` = offset of field `i`'s bytes,
 * `out[2 * i + 1]` = its length (-1 for NULL). `out` must hold `2 * row.fieldCount` numbers;
 * allocate it once per result and reuse it for every row.
 *
 * @category DataRow
 * @since 0.1.0
 */
export const dataRowFields = (row: DataRow, out: Int32Array | Array<number>): void => {
  const b = row.bytes
  let pos = row.start
  const n = row.fieldCount
  for (let i = 0; i < n; i++) {
    const length = readInt32(b, pos)
    pos += 4
    out[2 * i] = pos
    out[2 * i + 1] = length
    if (length > 0) pos += length
  }
}

/** Reads every field of `row` with `read(bytes, start, end)`; NULL fields stay `null`. */
const mapFields = <A>(row: DataRow, read: (bytes: Uint8Array, start: number, end: number) => A): Array<A | null> => {
  const b = row.bytes
  const out = new Array<A | null>(row.fieldCount)
  let pos = row.start
  for (let i = 0; i < row.fieldCount; i++) {
    const length = readInt32(b, pos)
    pos += 4
    if (length < 0) {
      out[i] = null
    } else {
      out[i] = read(b, pos, pos + length)
      pos += length
    }
  }
  return out
}

const copyBytes = (bytes: Uint8Array, start: number, end: number): Uint8Array => bytes.slice(start, end)

/**
 * The row's fields as owned byte copies (`null` for NULL). Allocates per field: for tests and
 * slow paths.
 *
 * @category DataRow
 * @since 0.1.0
 */
export const dataRowValues = (row: DataRow): Array<Uint8Array | null> => mapFields(row, copyBytes)

/**
 * The row's fields decoded as UTF-8 text (`null` for NULL): the text-format result of a simple
 * query. Allocates per field.
 *
 * @category DataRow
 * @since 0.1.0
 */
export const dataRowText = (row: DataRow): Array<string | null> => mapFields(row, utf8Slice)

// ---------------------------------------------------------------------------------------------
// CommandComplete tags
// ---------------------------------------------------------------------------------------------

export {
  /**
   * Splits a command tag into the command and its row count: `"INSERT 0 5"` → `{ command:
   * "INSERT", rows: 5 }`, `"SELECT 3"` → `{ command: "SELECT", rows: 3 }`, `"CREATE TABLE"` →
   * `{ command: "CREATE TABLE", rows: null }`. A count beyond 2^53 loses precision.
   *
   * @category decoding
   * @since 0.1.0
   */
  parseCommandTag
}

// ---------------------------------------------------------------------------------------------
// the incremental parser
// ---------------------------------------------------------------------------------------------

export {
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
  makeParser
}

/**
 * Decodes a byte string holding whole messages (a convenience for tests and captured streams).
 * Fails if a message is malformed or the bytes end inside a message.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeAll = (
  bytes: Uint8Array,
  options?: ParserOptions
): Result.Result<Array<BackendMessage>, ParseError> => {
  const parser = makeParser(options)
  const out: Array<BackendMessage> = []
  const error = parser.push(bytes, (message) => {
    out.push(message)
  })
  if (error !== undefined) return Result.fail(error)
  if (parser.pending > 0) return Result.fail(parseError(undefined, `${parser.pending} bytes of an incomplete message`))
  return Result.succeed(out)
}

// ---------------------------------------------------------------------------------------------
// SSLRequest / GSSENCRequest replies
// ---------------------------------------------------------------------------------------------

/**
 * The one-byte reply to SSLRequest or GSSENCRequest.
 *
 * - `"accepted"` (`'S'` / `'G'`): start the TLS / GSSAPI handshake now.
 * - `"rejected"` (`'N'`): continue unencrypted with the StartupMessage, or give up.
 * - `"error"` (`'E'`): the server sent an ErrorResponse instead (it could not even start the
 *   session, or is too old to know the request). Push the same bytes, from the `'E'` on, into a
 *   {@link makeParser} parser to read it, then close the connection.
 *
 * @category models
 * @since 0.1.0
 */
export type EncryptionResponse = "accepted" | "rejected" | "error"

const decodeEncryptionResponse = (
  chunk: Uint8Array,
  accept: number,
  request: string
): Result.Result<EncryptionResponse, ParseError> => {
  if (chunk.length === 0) return Result.fail(parseError(undefined, `empty reply to ${request}`))
  const b = chunk[0]!
  if (b === 0x45) return Result.succeed("error")
  if (b !== accept && b !== 0x4e) {
    return Result.fail(parseError(b, `invalid reply to ${request}: 0x${b.toString(16).padStart(2, "0")}`))
  }
  if (chunk.length > 1) {
    // Bytes after the reply were sent before encryption started: a man-in-the-middle could have
    // injected them (CVE-2021-23222), so they are refused rather than parsed.
    return Result.fail(
      parseError(undefined, `${chunk.length - 1} unexpected bytes after the reply to ${request}`)
    )
  }
  return Result.succeed(b === accept ? "accepted" : "rejected")
}

/**
 * Decodes the reply to SSLRequest: the first chunk the server sends, which must be exactly
 * `'S'` or `'N'` (or begin an ErrorResponse `'E'`). Extra bytes after `'S'`/`'N'` are a
 * ParseError: they were not protected by TLS.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeSslResponse = (chunk: Uint8Array): Result.Result<EncryptionResponse, ParseError> =>
  decodeEncryptionResponse(chunk, 0x53, "SSLRequest")

/**
 * Decodes the reply to GSSENCRequest: `'G'`, `'N'` or an ErrorResponse `'E'`, as
 * {@link decodeSslResponse}.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeGssEncResponse = (chunk: Uint8Array): Result.Result<EncryptionResponse, ParseError> =>
  decodeEncryptionResponse(chunk, 0x47, "GSSENCRequest")
