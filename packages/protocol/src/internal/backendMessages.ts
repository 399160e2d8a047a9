/**
 * The messages a PostgreSQL server sends (protocol 3.0 and 3.2): their type bytes, the codes of
 * the Authentication message, and one readonly model per message, unioned into
 * {@link BackendMessage}. Declarations only; `PgBackend` re-exports all of them.
 *
 * @since 0.1.0
 */

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
