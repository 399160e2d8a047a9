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
import * as Data from "effect/Data"
import * as Result from "effect/Result"
import { Reader } from "./internal/backendReader.ts"
import { readInt16, readInt32, readUint32, utf8Slice } from "./internal/bytes.ts"

// ---------------------------------------------------------------------------------------------
// constants
// ---------------------------------------------------------------------------------------------

/**
 * The type byte of each backend message.
 *
 * @category constants
 * @since 0.1.0
 */
export const BackendType = {
  /** 'R' (every Authentication* message) */
  Authentication: 0x52,
  /** 'K' */
  BackendKeyData: 0x4b,
  /** '2' */
  BindComplete: 0x32,
  /** '3' */
  CloseComplete: 0x33,
  /** 'C' */
  CommandComplete: 0x43,
  /** 'G' */
  CopyInResponse: 0x47,
  /** 'H' */
  CopyOutResponse: 0x48,
  /** 'W' */
  CopyBothResponse: 0x57,
  /** 'd' */
  CopyData: 0x64,
  /** 'c' */
  CopyDone: 0x63,
  /** 'D' */
  DataRow: 0x44,
  /** 'I' */
  EmptyQueryResponse: 0x49,
  /** 'E' */
  ErrorResponse: 0x45,
  /** 'V' */
  FunctionCallResponse: 0x56,
  /** 'v' */
  NegotiateProtocolVersion: 0x76,
  /** 'n' */
  NoData: 0x6e,
  /** 'N' */
  NoticeResponse: 0x4e,
  /** 'A' */
  NotificationResponse: 0x41,
  /** 't' */
  ParameterDescription: 0x74,
  /** 'S' */
  ParameterStatus: 0x53,
  /** '1' */
  ParseComplete: 0x31,
  /** 's' */
  PortalSuspended: 0x73,
  /** 'Z' */
  ReadyForQuery: 0x5a,
  /** 'T' */
  RowDescription: 0x54
} as const

/**
 * The codes of the Authentication ('R') message.
 *
 * @category constants
 * @since 0.1.0
 */
export const AuthenticationCode = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12
} as const

/**
 * The default {@link ParserOptions.maxMessageSize}: 1 GiB, the largest allocation a PostgreSQL
 * backend can make for one message.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultMaxMessageSize = 0x40000000

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

/**
 * The bytes from the server are not a valid message stream. Returned (never thrown) by
 * {@link Parser.push} and the other decoders; a parser that returned one is terminal.
 *
 * @category errors
 * @since 0.1.0
 */
export class ParseError extends Data.TaggedError("PgParseError")<{
  /** What is wrong, with the message name and type character. */
  readonly message: string
  /** The type byte of the offending message, when there is one. */
  readonly messageType: number | undefined
}> {}

// ---------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------

/**
 * A format code: 0 = text, 1 = binary.
 *
 * @category models
 * @since 0.1.0
 */
export type FormatCode = 0 | 1

/**
 * Authentication succeeded.
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationOk {
  readonly _tag: "AuthenticationOk"
}

/**
 * Kerberos V5 is required (not supported by any current server).
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationKerberosV5 {
  readonly _tag: "AuthenticationKerberosV5"
}

/**
 * A cleartext password is required.
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationCleartextPassword {
  readonly _tag: "AuthenticationCleartextPassword"
}

/**
 * An MD5-hashed password is required, salted with these 4 bytes.
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationMD5Password {
  readonly _tag: "AuthenticationMD5Password"
  readonly salt: Uint8Array
}

/**
 * GSSAPI authentication is required.
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationGSS {
  readonly _tag: "AuthenticationGSS"
}

/**
 * GSSAPI or SSPI continuation data.
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationGSSContinue {
  readonly _tag: "AuthenticationGSSContinue"
  readonly data: Uint8Array
}

/**
 * SSPI authentication is required.
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationSSPI {
  readonly _tag: "AuthenticationSSPI"
}

/**
 * SASL authentication is required; the mechanisms are in the server's order of preference.
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationSASL {
  readonly _tag: "AuthenticationSASL"
  readonly mechanisms: ReadonlyArray<string>
}

/**
 * A SASL challenge (e.g. SCRAM server-first-message).
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationSASLContinue {
  readonly _tag: "AuthenticationSASLContinue"
  readonly data: Uint8Array
}

/**
 * The SASL outcome (e.g. SCRAM server-final-message).
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthenticationSASLFinal {
  readonly _tag: "AuthenticationSASLFinal"
  readonly data: Uint8Array
}

/**
 * Every Authentication ('R') message.
 *
 * @category models
 * @since 0.1.0
 */
export type Authentication =
  | AuthenticationOk
  | AuthenticationKerberosV5
  | AuthenticationCleartextPassword
  | AuthenticationMD5Password
  | AuthenticationGSS
  | AuthenticationGSSContinue
  | AuthenticationSSPI
  | AuthenticationSASL
  | AuthenticationSASLContinue
  | AuthenticationSASLFinal

/**
 * The cancellation key: 4 bytes in protocol 3.0, 4 to 256 bytes in 3.2 (PostgreSQL 18 sends 32).
 *
 * @category models
 * @since 0.1.0
 */
export interface BackendKeyData {
  readonly _tag: "BackendKeyData"
  readonly processId: number
  readonly secretKey: Uint8Array
}

/**
 * Bind succeeded.
 *
 * @category models
 * @since 0.1.0
 */
export interface BindComplete {
  readonly _tag: "BindComplete"
}

/**
 * Close succeeded.
 *
 * @category models
 * @since 0.1.0
 */
export interface CloseComplete {
  readonly _tag: "CloseComplete"
}

/**
 * A statement finished. `tag` is the raw command tag; `command` is the tag without its counts
 * and `rows` the row count when the tag has one (`"INSERT 0 5"` → `"INSERT"`, 5;
 * `"CREATE TABLE"` → `"CREATE TABLE"`, `null`).
 *
 * @category models
 * @since 0.1.0
 */
export interface CommandComplete {
  readonly _tag: "CommandComplete"
  readonly tag: string
  readonly command: string
  readonly rows: number | null
}

/**
 * The server is ready for COPY FROM STDIN data.
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyInResponse {
  readonly _tag: "CopyInResponse"
  readonly format: FormatCode
  readonly columnFormats: ReadonlyArray<FormatCode>
}

/**
 * COPY TO STDOUT data follows.
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyOutResponse {
  readonly _tag: "CopyOutResponse"
  readonly format: FormatCode
  readonly columnFormats: ReadonlyArray<FormatCode>
}

/**
 * Both directions of COPY are open (streaming replication).
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyBothResponse {
  readonly _tag: "CopyBothResponse"
  readonly format: FormatCode
  readonly columnFormats: ReadonlyArray<FormatCode>
}

/**
 * COPY data; `data` is a view (see the module header).
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyData {
  readonly _tag: "CopyData"
  readonly data: Uint8Array
}

/**
 * COPY TO STDOUT finished.
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyDone {
  readonly _tag: "CopyDone"
}

/**
 * One result row, not decoded: the fields lie in `bytes[start, end)` as `fieldCount` pairs of
 * a big-endian Int32 length (-1 = NULL) followed by that many bytes.
 *
 * **Details**
 * `bytes` is the pushed chunk itself (or a private buffer when the row spanned chunks), so
 * building the message allocates nothing but this record. The parser has already checked that the
 * lengths agree with the message, so a consumer can walk the fields without bounds checks:
 *
 * ```ts
 * let pos = row.start
 * for (let i = 0; i < row.fieldCount; i++) {
 *   const length = PgBackend.readFieldLength(row.bytes, pos)
 *   pos += 4
 *   if (length >= 0) {
 *     values[i] = codecs[i].decodeBinary(row.bytes, pos, length)
 *     pos += length
 *   } else values[i] = null
 * }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface DataRow {
  readonly _tag: "DataRow"
  readonly bytes: Uint8Array
  readonly start: number
  readonly end: number
  readonly fieldCount: number
}

/**
 * The query string was empty.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmptyQueryResponse {
  readonly _tag: "EmptyQueryResponse"
}

/**
 * The fields of ErrorResponse and NoticeResponse, by their field-type bytes.
 *
 * **Details**
 * `severity`, `code` and `message` are always sent by PostgreSQL (they are `""` if a server
 * omits them); the others only when they apply. Values are kept as sent: `position`,
 * `internalPosition` and `line` are decimal strings. Fields with codes this version does not
 * know are kept in `unknown`, in order.
 *
 * @category models
 * @since 0.1.0
 */
export interface NoticeFields {
  /** 'S': severity, possibly localized (`ERROR`, `FATAL`, `PANIC`, `WARNING`, `NOTICE`, …). */
  readonly severity: string
  /** 'V': severity, never localized (9.6+). */
  readonly severityNonLocalized?: string
  /** 'C': SQLSTATE code. */
  readonly code: string
  /** 'M': primary message. */
  readonly message: string
  /** 'D': detail. */
  readonly detail?: string
  /** 'H': hint. */
  readonly hint?: string
  /** 'P': 1-based character position in the query string. */
  readonly position?: string
  /** 'p': position in an internally generated query. */
  readonly internalPosition?: string
  /** 'q': the internally generated query. */
  readonly internalQuery?: string
  /** 'W': context (call stack). */
  readonly where?: string
  /** 's': schema name. */
  readonly schema?: string
  /** 't': table name. */
  readonly table?: string
  /** 'c': column name. */
  readonly column?: string
  /** 'd': data type name. */
  readonly dataType?: string
  /** 'n': constraint name. */
  readonly constraint?: string
  /** 'F': source file. */
  readonly file?: string
  /** 'L': source line. */
  readonly line?: string
  /** 'R': source routine. */
  readonly routine?: string
  /** Fields with other codes, as `[code character, value]`. */
  readonly unknown?: ReadonlyArray<readonly [code: string, value: string]>
}

/**
 * An error; the current statement (or the whole cycle up to Sync) is aborted.
 *
 * @category models
 * @since 0.1.0
 */
export interface ErrorResponse extends NoticeFields {
  readonly _tag: "ErrorResponse"
}

/**
 * A notice or warning.
 *
 * @category models
 * @since 0.1.0
 */
export interface NoticeResponse extends NoticeFields {
  readonly _tag: "NoticeResponse"
}

/**
 * The result of a FunctionCall (`null` for SQL NULL); an owned copy.
 *
 * @category models
 * @since 0.1.0
 */
export interface FunctionCallResponse {
  readonly _tag: "FunctionCallResponse"
  readonly result: Uint8Array | null
}

/**
 * The server does not support the requested minor version or some `_pq_.` options.
 *
 * @category models
 * @since 0.1.0
 */
export interface NegotiateProtocolVersion {
  readonly _tag: "NegotiateProtocolVersion"
  /**
   * The newest protocol version the server supports for the requested major version, encoded
   * like the StartupMessage's (`major << 16 | minor`: 196610 = 3.2). The protocol documentation
   * calls it "the newest minor version", but servers send the whole number; the minor is
   * `newestVersion & 0xffff`.
   */
  readonly newestVersion: number
  /** The protocol options (`_pq_.…`) the server did not recognise. */
  readonly unrecognizedOptions: ReadonlyArray<string>
}

/**
 * The described statement or portal returns no rows.
 *
 * @category models
 * @since 0.1.0
 */
export interface NoData {
  readonly _tag: "NoData"
}

/**
 * A NOTIFY delivered to a channel this session listens on.
 *
 * @category models
 * @since 0.1.0
 */
export interface NotificationResponse {
  readonly _tag: "NotificationResponse"
  readonly processId: number
  readonly channel: string
  readonly payload: string
}

/**
 * The parameter types of a described statement.
 *
 * @category models
 * @since 0.1.0
 */
export interface ParameterDescription {
  readonly _tag: "ParameterDescription"
  readonly typeOids: ReadonlyArray<number>
}

/**
 * A run-time parameter's current value (`server_version`, `TimeZone`, `client_encoding`, …).
 *
 * @category models
 * @since 0.1.0
 */
export interface ParameterStatus {
  readonly _tag: "ParameterStatus"
  readonly name: string
  readonly value: string
}

/**
 * Parse succeeded.
 *
 * @category models
 * @since 0.1.0
 */
export interface ParseComplete {
  readonly _tag: "ParseComplete"
}

/**
 * Execute reached its row limit; the portal can be executed again.
 *
 * @category models
 * @since 0.1.0
 */
export interface PortalSuspended {
  readonly _tag: "PortalSuspended"
}

/**
 * The server is idle: `"I"` outside a transaction, `"T"` inside one, `"E"` inside a failed one.
 *
 * @category models
 * @since 0.1.0
 */
export interface ReadyForQuery {
  readonly _tag: "ReadyForQuery"
  readonly status: "I" | "T" | "E"
}

/**
 * One column of a RowDescription.
 *
 * @category models
 * @since 0.1.0
 */
export interface FieldDescription {
  readonly name: string
  /** The table's OID, or 0 when the column is not a table column. */
  readonly tableOid: number
  /** The column's attribute number, or 0. */
  readonly columnAttribute: number
  readonly typeOid: number
  /** `pg_type.typlen`: negative for variable-width types. */
  readonly typeSize: number
  /** `pg_attribute.atttypmod`, -1 when none. */
  readonly typeModifier: number
  readonly format: FormatCode
}

/**
 * The columns of the rows that follow (or of a described statement/portal).
 *
 * @category models
 * @since 0.1.0
 */
export interface RowDescription {
  readonly _tag: "RowDescription"
  readonly fields: ReadonlyArray<FieldDescription>
}

/**
 * Every message a server sends after start-up.
 *
 * @category models
 * @since 0.1.0
 */
export type BackendMessage =
  | Authentication
  | BackendKeyData
  | BindComplete
  | CloseComplete
  | CommandComplete
  | CopyInResponse
  | CopyOutResponse
  | CopyBothResponse
  | CopyData
  | CopyDone
  | DataRow
  | EmptyQueryResponse
  | ErrorResponse
  | FunctionCallResponse
  | NegotiateProtocolVersion
  | NoData
  | NoticeResponse
  | NotificationResponse
  | ParameterDescription
  | ParameterStatus
  | ParseComplete
  | PortalSuspended
  | ReadyForQuery
  | RowDescription

// Messages without content are shared, frozen singletons.
const authenticationOk: AuthenticationOk = Object.freeze({ _tag: "AuthenticationOk" })
const authenticationKerberosV5: AuthenticationKerberosV5 = Object.freeze({ _tag: "AuthenticationKerberosV5" })
const authenticationCleartextPassword: AuthenticationCleartextPassword = Object.freeze({
  _tag: "AuthenticationCleartextPassword"
})
const authenticationGSS: AuthenticationGSS = Object.freeze({ _tag: "AuthenticationGSS" })
const authenticationSSPI: AuthenticationSSPI = Object.freeze({ _tag: "AuthenticationSSPI" })
const bindComplete: BindComplete = Object.freeze({ _tag: "BindComplete" })
const closeComplete: CloseComplete = Object.freeze({ _tag: "CloseComplete" })
const copyDone: CopyDone = Object.freeze({ _tag: "CopyDone" })
const emptyQueryResponse: EmptyQueryResponse = Object.freeze({ _tag: "EmptyQueryResponse" })
const noData: NoData = Object.freeze({ _tag: "NoData" })
const parseComplete: ParseComplete = Object.freeze({ _tag: "ParseComplete" })
const portalSuspended: PortalSuspended = Object.freeze({ _tag: "PortalSuspended" })
const readyIdle: ReadyForQuery = Object.freeze({ _tag: "ReadyForQuery", status: "I" })
const readyInTransaction: ReadyForQuery = Object.freeze({ _tag: "ReadyForQuery", status: "T" })
const readyFailed: ReadyForQuery = Object.freeze({ _tag: "ReadyForQuery", status: "E" })

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

const isDigits = (s: string, from: number, to: number): boolean => {
  if (from >= to) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

/**
 * Splits a command tag into the command and its row count: `"INSERT 0 5"` → `{ command:
 * "INSERT", rows: 5 }`, `"SELECT 3"` → `{ command: "SELECT", rows: 3 }`, `"CREATE TABLE"` →
 * `{ command: "CREATE TABLE", rows: null }`. A count beyond 2^53 loses precision.
 *
 * @category decoding
 * @since 0.1.0
 */
export const parseCommandTag = (tag: string): { readonly command: string; readonly rows: number | null } => {
  const last = tag.lastIndexOf(" ")
  if (last < 0 || !isDigits(tag, last + 1, tag.length)) return { command: tag, rows: null }
  const rows = Number(tag.slice(last + 1))
  let commandEnd = last
  // INSERT carries an OID (always 0 nowadays) before the count.
  const previous = last > 0 ? tag.lastIndexOf(" ", last - 1) : -1
  if (previous >= 0 && isDigits(tag, previous + 1, last)) commandEnd = previous
  return { command: tag.slice(0, commandEnd), rows }
}

// ---------------------------------------------------------------------------------------------
// message decoding
// ---------------------------------------------------------------------------------------------

const messageNames: Record<number, string> = {}
for (const [name, type] of Object.entries(BackendType)) messageNames[type] = name

const describeType = (type: number): string => {
  const name = messageNames[type]
  const char = type >= 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, "0")}`
  return name === undefined ? `unknown message type ${char}` : `${name} (${char})`
}

/** 1 for every known backend type byte. Never written after module initialisation. */
const knownTypes = new Uint8Array(256)
for (const type of Object.values(BackendType)) knownTypes[type] = 1

const parseError = (type: number | undefined, message: string): ParseError =>
  new ParseError({ message: type === undefined ? message : `${describeType(type)}: ${message}`, messageType: type })

const newReader = (): Reader => new Reader((type, message) => parseError(type, message))

const decodeAuthentication = (r: Reader): Authentication => {
  const code = r.i32("authentication code")
  switch (code) {
    case AuthenticationCode.Ok:
      return r.done(authenticationOk)
    case AuthenticationCode.KerberosV5:
      return r.done(authenticationKerberosV5)
    case AuthenticationCode.CleartextPassword:
      return r.done(authenticationCleartextPassword)
    case AuthenticationCode.MD5Password:
      return r.done({ _tag: "AuthenticationMD5Password", salt: r.copy(4, "MD5 salt") })
    case AuthenticationCode.GSS:
      return r.done(authenticationGSS)
    case AuthenticationCode.GSSContinue:
      return { _tag: "AuthenticationGSSContinue", data: r.restCopy() }
    case AuthenticationCode.SSPI:
      return r.done(authenticationSSPI)
    case AuthenticationCode.SASL: {
      const mechanisms: Array<string> = []
      for (;;) {
        const mechanism = r.cstring("SASL mechanism list")
        if (mechanism.length === 0) break
        mechanisms.push(mechanism)
      }
      return r.done({ _tag: "AuthenticationSASL", mechanisms })
    }
    case AuthenticationCode.SASLContinue:
      return { _tag: "AuthenticationSASLContinue", data: r.restCopy() }
    case AuthenticationCode.SASLFinal:
      return { _tag: "AuthenticationSASLFinal", data: r.restCopy() }
  }
  return r.fail(`unknown authentication code ${code}`)
}

const decodeNoticeFields = (r: Reader, tag: "ErrorResponse" | "NoticeResponse"): ErrorResponse | NoticeResponse => {
  const o: Record<string, unknown> = { _tag: tag, severity: "", code: "", message: "" }
  let unknown: Array<readonly [string, string]> | undefined
  for (;;) {
    const code = r.u8("field code")
    if (code === 0) break
    const value = r.cstring("field value")
    switch (code) {
      case 0x53: // 'S'
        o.severity = value
        break
      case 0x56: // 'V'
        o.severityNonLocalized = value
        break
      case 0x43: // 'C'
        o.code = value
        break
      case 0x4d: // 'M'
        o.message = value
        break
      case 0x44: // 'D'
        o.detail = value
        break
      case 0x48: // 'H'
        o.hint = value
        break
      case 0x50: // 'P'
        o.position = value
        break
      case 0x70: // 'p'
        o.internalPosition = value
        break
      case 0x71: // 'q'
        o.internalQuery = value
        break
      case 0x57: // 'W'
        o.where = value
        break
      case 0x73: // 's'
        o.schema = value
        break
      case 0x74: // 't'
        o.table = value
        break
      case 0x63: // 'c'
        o.column = value
        break
      case 0x64: // 'd'
        o.dataType = value
        break
      case 0x6e: // 'n'
        o.constraint = value
        break
      case 0x46: // 'F'
        o.file = value
        break
      case 0x4c: // 'L'
        o.line = value
        break
      case 0x52: // 'R'
        o.routine = value
        break
      default:
        if (unknown === undefined) unknown = []
        unknown.push([String.fromCharCode(code), value])
    }
  }
  if (unknown !== undefined) o.unknown = unknown
  return r.done(o as unknown as ErrorResponse | NoticeResponse)
}

const decodeCopyResponse = (
  r: Reader,
  tag: "CopyInResponse" | "CopyOutResponse" | "CopyBothResponse"
): CopyInResponse | CopyOutResponse | CopyBothResponse => {
  const format = r.u8("overall format")
  if (format !== 0 && format !== 1) r.fail(`overall format is ${format}, not 0 or 1`)
  const n = r.u16("column count")
  r.need(2 * n, "column formats")
  const columnFormats = new Array<FormatCode>(n)
  for (let i = 0; i < n; i++) columnFormats[i] = r.format("column format")
  return r.done({ _tag: tag, format: format as FormatCode, columnFormats })
}

const decodeRowDescription = (r: Reader): RowDescription => {
  const n = r.u16("field count")
  // Each field takes at least 19 bytes: an empty name and 18 bytes of attributes.
  r.need(19 * n, `${n} field descriptions`)
  const fields = new Array<FieldDescription>(n)
  for (let i = 0; i < n; i++) {
    const name = r.cstring("field name")
    r.need(18, "field description")
    const b = r.b
    const p = r.p
    const format = readInt16(b, p + 16)
    if (format !== 0 && format !== 1) r.fail(`field ${i} format is ${format}, not 0 or 1`)
    fields[i] = {
      name,
      tableOid: readUint32(b, p),
      columnAttribute: readInt16(b, p + 4),
      typeOid: readUint32(b, p + 6),
      typeSize: readInt16(b, p + 10),
      typeModifier: readInt32(b, p + 12),
      format: format as FormatCode
    }
    r.p = p + 18
  }
  return r.done({ _tag: "RowDescription", fields })
}

/** A DataRow delivered in place (see {@link ParserOptions.reuseDataRow}). */
interface ReusedDataRow {
  readonly _tag: "DataRow"
  bytes: Uint8Array
  start: number
  end: number
  fieldCount: number
}

/**
 * Validates a DataRow body in `b[start, end)` and returns the message (in `into` when given);
 * throws ParseError.
 */
const decodeDataRow = (b: Uint8Array, start: number, end: number, into?: ReusedDataRow): DataRow => {
  if (end - start < 2) throw parseError(0x44, "truncated field count")
  const n = (b[start]! << 8) | b[start + 1]!
  let p = start + 2
  for (let i = 0; i < n; i++) {
    if (end - p < 4) throw parseError(0x44, `truncated length of field ${i} of ${n}`)
    const length = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!
    p += 4
    if (length > 0) {
      if (length > end - p) throw parseError(0x44, `field ${i} (${length} bytes) runs past the end of the message`)
      p += length
    } else if (length < -1) {
      throw parseError(0x44, `field ${i} has negative length ${length}`)
    }
  }
  if (p !== end) throw parseError(0x44, `${end - p} bytes left over after ${n} fields`)
  if (into === undefined) return { _tag: "DataRow", bytes: b, start: start + 2, end, fieldCount: n }
  into.bytes = b
  into.start = start + 2
  into.end = end
  into.fieldCount = n
  return into
}

const requireEmpty = <A>(r: Reader, message: A): A => r.done(message)

/** How many distinct CommandComplete tags a parser remembers (then it starts over). */
const COMMAND_TAG_MEMO = 64

/**
 * The CommandComplete message for `tag`: the same (immutable) object for a tag seen before, so a
 * session repeating `SELECT 1` or `INSERT 0 1000` parses each tag once.
 */
const commandComplete = (r: Reader, tag: string): CommandComplete => {
  const memo = r.memo
  const known = memo.get(tag) as CommandComplete | undefined
  if (known !== undefined) return known
  const parsed = parseCommandTag(tag)
  const message: CommandComplete = { _tag: "CommandComplete", tag, command: parsed.command, rows: parsed.rows }
  if (memo.size >= COMMAND_TAG_MEMO) memo.clear()
  memo.set(tag, message)
  return message
}

/**
 * Decodes the body `b[start, end)` of a message of type `type`; throws ParseError. `b` is kept
 * (by DataRow and CopyData) as a view.
 */
const decodeBody = (r: Reader, type: number, b: Uint8Array, start: number, end: number): BackendMessage => {
  if (type === 0x44) return decodeDataRow(b, start, end)
  r.reset(b, start, end, type)
  switch (type) {
    case 0x64: // 'd'
      return { _tag: "CopyData", data: b.subarray(start, end) }
    case 0x43: { // 'C'
      const tag = r.cstring("command tag")
      r.done(undefined)
      return commandComplete(r, tag)
    }
    case 0x5a: { // 'Z'
      const status = r.u8("transaction status")
      r.done(undefined)
      if (status === 0x49) return readyIdle
      if (status === 0x54) return readyInTransaction
      if (status === 0x45) return readyFailed
      return r.fail(`unknown transaction status 0x${status.toString(16)}`)
    }
    case 0x54: // 'T'
      return decodeRowDescription(r)
    case 0x31: // '1'
      return requireEmpty(r, parseComplete)
    case 0x32: // '2'
      return requireEmpty(r, bindComplete)
    case 0x33: // '3'
      return requireEmpty(r, closeComplete)
    case 0x6e: // 'n'
      return requireEmpty(r, noData)
    case 0x73: // 's'
      return requireEmpty(r, portalSuspended)
    case 0x49: // 'I'
      return requireEmpty(r, emptyQueryResponse)
    case 0x63: // 'c'
      return requireEmpty(r, copyDone)
    case 0x74: { // 't'
      const n = r.u16("parameter count")
      r.need(4 * n, "parameter type OIDs")
      const typeOids = new Array<number>(n)
      for (let i = 0; i < n; i++) typeOids[i] = r.u32("parameter type OID")
      return r.done({ _tag: "ParameterDescription", typeOids })
    }
    case 0x53: { // 'S'
      const name = r.cstring("parameter name")
      const value = r.cstring("parameter value")
      return r.done({ _tag: "ParameterStatus", name, value })
    }
    case 0x52: // 'R'
      return decodeAuthentication(r)
    case 0x4b: { // 'K'
      const processId = r.i32("process ID")
      const n = r.end - r.p
      if (n < 4 || n > 256) r.fail(`secret key is ${n} bytes (must be 4 to 256)`)
      return { _tag: "BackendKeyData", processId, secretKey: r.restCopy() }
    }
    case 0x45: // 'E'
      return decodeNoticeFields(r, "ErrorResponse")
    case 0x4e: // 'N'
      return decodeNoticeFields(r, "NoticeResponse")
    case 0x41: { // 'A'
      const processId = r.i32("process ID")
      const channel = r.cstring("channel")
      const payload = r.cstring("payload")
      return r.done({ _tag: "NotificationResponse", processId, channel, payload })
    }
    case 0x47: // 'G'
      return decodeCopyResponse(r, "CopyInResponse")
    case 0x48: // 'H'
      return decodeCopyResponse(r, "CopyOutResponse")
    case 0x57: // 'W'
      return decodeCopyResponse(r, "CopyBothResponse")
    case 0x56: { // 'V'
      const length = r.i32("result length")
      if (length < -1) r.fail(`negative result length ${length}`)
      const result = length === -1 ? null : r.copy(length, "result")
      return r.done({ _tag: "FunctionCallResponse", result })
    }
    case 0x76: { // 'v'
      const newestVersion = r.i32("newest protocol version")
      const n = r.i32("option count")
      if (n < 0 || n > r.end - r.p) r.fail(`option count ${n} disagrees with the length`)
      const unrecognizedOptions = new Array<string>(n)
      for (let i = 0; i < n; i++) unrecognizedOptions[i] = r.cstring("option name")
      return r.done({ _tag: "NegotiateProtocolVersion", newestVersion, unrecognizedOptions })
    }
  }
  return r.fail("unknown message type")
}

// ---------------------------------------------------------------------------------------------
// the incremental parser
// ---------------------------------------------------------------------------------------------

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
