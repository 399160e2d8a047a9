/**
 * Encoders for every message a PostgreSQL client sends (protocol 3.0 and 3.2), and the models of
 * those messages.
 *
 * An {@link Encoder} owns one `PgWriter`. Each method appends one complete message to it, and
 * {@link Encoder.take} hands back everything appended so far as one owned `Uint8Array`: a
 * connection appends a tick's worth of messages (Parse, Bind, Describe, Execute, Sync, …) and
 * writes them to the socket in one call.
 *
 * **Errors**: encoder methods *throw* {@link EncodeError} (tag `"PgEncodeError"`) when an input
 * breaks a protocol limit (a NUL inside a name or SQL text, more than 65535 parameters, a format
 * count that fits neither "none", "one for all" nor "one per parameter", …). A parameter encoder
 * that throws (typically a `CodecError`) is wrapped in an `EncodeError` whose `cause` is the
 * original error and whose `parameterIndex` names the parameter. When a method throws, the bytes
 * it had begun to append are removed again, so the writer never holds half a message. Throwing
 * (rather than returning a `Result`) keeps the per-message hot path free of allocations, and
 * matches the codec contract in `PgCodec`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import { PgWriter } from "./PgWriter.ts"

// ---------------------------------------------------------------------------------------------
// constants
// ---------------------------------------------------------------------------------------------

/**
 * Protocol version numbers sent in the StartupMessage (`major << 16 | minor`).
 *
 * **Details**
 * 3.2 (PostgreSQL 18) differs from 3.0 only in the length of the cancel key (BackendKeyData and
 * CancelRequest carry up to 256 bytes instead of 4). A server that does not know the requested
 * minor version answers with `NegotiateProtocolVersion`.
 *
 * @category constants
 * @since 0.1.0
 */
export const ProtocolVersion = {
  /** 3.0 = 196608 */
  v3_0: 196608,
  /** 3.2 = 196610 (PostgreSQL 18) */
  v3_2: 196610
} as const

/**
 * The request codes that take the place of a protocol version in the untagged start-up packets.
 *
 * @category constants
 * @since 0.1.0
 */
export const RequestCode = {
  /** 1234.5679 */
  SSLRequest: 80877103,
  /** 1234.5680 */
  GSSENCRequest: 80877104,
  /** 1234.5678 */
  CancelRequest: 80877102
} as const

/**
 * The type byte of each tagged frontend message.
 *
 * **Gotchas**
 * `'p'` is shared by PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse; the
 * server tells them apart by the authentication exchange in progress.
 *
 * @category constants
 * @since 0.1.0
 */
export const FrontendType = {
  /** 'B' */
  Bind: 0x42,
  /** 'C' */
  Close: 0x43,
  /** 'd' */
  CopyData: 0x64,
  /** 'c' */
  CopyDone: 0x63,
  /** 'f' */
  CopyFail: 0x66,
  /** 'D' */
  Describe: 0x44,
  /** 'E' */
  Execute: 0x45,
  /** 'H' */
  Flush: 0x48,
  /** 'F' */
  FunctionCall: 0x46,
  /** 'P' */
  Parse: 0x50,
  /** 'p' (PasswordMessage, SASLInitialResponse, SASLResponse, GSSResponse) */
  Password: 0x70,
  /** 'Q' */
  Query: 0x51,
  /** 'S' */
  Sync: 0x53,
  /** 'X' */
  Terminate: 0x58
} as const

/**
 * The most parameters (and parameter types, format codes) one message can carry: the counts are
 * 16-bit.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxParameters = 65535

/**
 * The longest cancel key protocol 3.2 allows (protocol 3.0 keys are exactly 4 bytes).
 *
 * @category constants
 * @since 0.1.0
 */
export const maxCancelKeyLength = 256

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

/**
 * Thrown by the encoders when an input cannot be represented in the protocol, or when a
 * parameter encoder fails.
 *
 * @category errors
 * @since 0.1.0
 */
export class EncodeError extends Data.TaggedError("PgEncodeError")<{
  /** What is wrong (never the value itself: it may be a secret). */
  readonly message: string
  /** The `_tag` of the message being encoded, e.g. `"Bind"`. */
  readonly messageTag: string
  /** The zero-based parameter index, for Bind and FunctionCall value failures. */
  readonly parameterIndex?: number | undefined
  /** The error a parameter encoder threw. */
  readonly cause?: unknown
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
 * Format codes for Bind and FunctionCall. A single code means "this code for every value" (0
 * is sent as zero codes, the shortest form); an array is sent as given and must be empty, hold
 * one code for all values, or one per value.
 *
 * @category models
 * @since 0.1.0
 */
export type Formats = FormatCode | ReadonlyArray<FormatCode>

/**
 * Writes one parameter value in place; `PgCodec.Codec.encodeBinary` has this shape. The encoder
 * writes the 4-byte length around it.
 *
 * @category models
 * @since 0.1.0
 */
export type ParamEncoder<A = any> = (value: A, writer: PgWriter) => void

/**
 * The start-up packet: protocol version and connection parameters (`user`, `database`,
 * `application_name`, `options`, `replication`, `_pq_.*` protocol options, …), in order.
 *
 * @category models
 * @since 0.1.0
 */
export interface StartupMessage {
  readonly _tag: "StartupMessage"
  readonly protocolVersion: number
  readonly parameters: ReadonlyArray<readonly [name: string, value: string]>
}

/**
 * Asks the server to switch to TLS; the reply is one byte, see `PgBackend.decodeSslResponse`.
 *
 * @category models
 * @since 0.1.0
 */
export interface SSLRequest {
  readonly _tag: "SSLRequest"
}

/**
 * Asks the server to switch to GSSAPI encryption; the reply is one byte (`'G'` or `'N'`).
 *
 * @category models
 * @since 0.1.0
 */
export interface GSSENCRequest {
  readonly _tag: "GSSENCRequest"
}

/**
 * Sent on a new connection to cancel the running query of the backend identified by
 * BackendKeyData. `secretKey` is 4 bytes in protocol 3.0 and up to 256 in 3.2.
 *
 * @category models
 * @since 0.1.0
 */
export interface CancelRequest {
  readonly _tag: "CancelRequest"
  readonly processId: number
  readonly secretKey: Uint8Array
}

/**
 * A cleartext or MD5-hashed password.
 *
 * @category models
 * @since 0.1.0
 */
export interface PasswordMessage {
  readonly _tag: "PasswordMessage"
  readonly password: string
}

/**
 * The first SASL message: the chosen mechanism and its optional initial response (`null` is
 * sent as length -1).
 *
 * @category models
 * @since 0.1.0
 */
export interface SASLInitialResponse {
  readonly _tag: "SASLInitialResponse"
  readonly mechanism: string
  readonly data: Uint8Array | null
}

/**
 * A later SASL message.
 *
 * @category models
 * @since 0.1.0
 */
export interface SASLResponse {
  readonly _tag: "SASLResponse"
  readonly data: Uint8Array
}

/**
 * A GSSAPI or SSPI token.
 *
 * @category models
 * @since 0.1.0
 */
export interface GSSResponse {
  readonly _tag: "GSSResponse"
  readonly data: Uint8Array
}

/**
 * A simple-protocol query (one or more statements).
 *
 * @category models
 * @since 0.1.0
 */
export interface Query {
  readonly _tag: "Query"
  readonly sql: string
}

/**
 * Prepares a statement; `name` "" is the unnamed statement; a parameter type OID of 0 lets the
 * server infer the type.
 *
 * @category models
 * @since 0.1.0
 */
export interface Parse {
  readonly _tag: "Parse"
  readonly name: string
  readonly sql: string
  readonly paramTypes: ReadonlyArray<number>
}

/**
 * Binds parameter values to a prepared statement, creating a portal.
 *
 * @category models
 * @since 0.1.0
 */
export interface Bind {
  readonly _tag: "Bind"
  readonly portal: string
  readonly statement: string
  readonly paramFormats: ReadonlyArray<FormatCode>
  readonly params: ReadonlyArray<Uint8Array | null>
  readonly resultFormats: ReadonlyArray<FormatCode>
}

/**
 * Asks for a statement's (`"S"`) or portal's (`"P"`) description.
 *
 * @category models
 * @since 0.1.0
 */
export interface Describe {
  readonly _tag: "Describe"
  readonly kind: "S" | "P"
  readonly name: string
}

/**
 * Runs a portal; `maxRows` 0 means all rows, otherwise the portal is suspended after that many.
 *
 * @category models
 * @since 0.1.0
 */
export interface Execute {
  readonly _tag: "Execute"
  readonly portal: string
  readonly maxRows: number
}

/**
 * Closes a statement (`"S"`) or portal (`"P"`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Close {
  readonly _tag: "Close"
  readonly kind: "S" | "P"
  readonly name: string
}

/**
 * Ends an extended-query cycle; the server answers with ReadyForQuery.
 *
 * @category models
 * @since 0.1.0
 */
export interface Sync {
  readonly _tag: "Sync"
}

/**
 * Asks the server to send everything it has buffered, without ending the cycle.
 *
 * @category models
 * @since 0.1.0
 */
export interface Flush {
  readonly _tag: "Flush"
}

/**
 * COPY FROM STDIN data (any split of the stream).
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyData {
  readonly _tag: "CopyData"
  readonly data: Uint8Array
}

/**
 * Ends COPY FROM STDIN successfully.
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyDone {
  readonly _tag: "CopyDone"
}

/**
 * Aborts COPY FROM STDIN with an error message.
 *
 * @category models
 * @since 0.1.0
 */
export interface CopyFail {
  readonly _tag: "CopyFail"
  readonly message: string
}

/**
 * The legacy fast-path function call.
 *
 * @category models
 * @since 0.1.0
 */
export interface FunctionCall {
  readonly _tag: "FunctionCall"
  readonly functionOid: number
  readonly argFormats: ReadonlyArray<FormatCode>
  readonly args: ReadonlyArray<Uint8Array | null>
  readonly resultFormat: FormatCode
}

/**
 * Ends the session.
 *
 * @category models
 * @since 0.1.0
 */
export interface Terminate {
  readonly _tag: "Terminate"
}

/**
 * Every message a client sends.
 *
 * @category models
 * @since 0.1.0
 */
export type FrontendMessage =
  | StartupMessage
  | SSLRequest
  | GSSENCRequest
  | CancelRequest
  | PasswordMessage
  | SASLInitialResponse
  | SASLResponse
  | GSSResponse
  | Query
  | Parse
  | Bind
  | Describe
  | Execute
  | Close
  | Sync
  | Flush
  | CopyData
  | CopyDone
  | CopyFail
  | FunctionCall
  | Terminate

// ---------------------------------------------------------------------------------------------
// pre-encoded constant messages
// ---------------------------------------------------------------------------------------------

const tagOnly = (type: number): Uint8Array => new Uint8Array([type, 0, 0, 0, 4])
const untagged = (code: number): Uint8Array =>
  new Uint8Array([0, 0, 0, 8, code >>> 24, (code >>> 16) & 0xff, (code >>> 8) & 0xff, code & 0xff])

const SYNC = tagOnly(FrontendType.Sync)
const FLUSH = tagOnly(FrontendType.Flush)
const TERMINATE = tagOnly(FrontendType.Terminate)
const COPY_DONE = tagOnly(FrontendType.CopyDone)
const SSL_REQUEST = untagged(RequestCode.SSLRequest)
const GSSENC_REQUEST = untagged(RequestCode.GSSENCRequest)

// ---------------------------------------------------------------------------------------------
// validation helpers
// ---------------------------------------------------------------------------------------------

const fail = (messageTag: string, message: string, parameterIndex?: number, cause?: unknown): never => {
  throw new EncodeError({ message, messageTag, parameterIndex, cause })
}

const checkCString = (value: string, what: string, tag: string): void => {
  if (typeof value !== "string") fail(tag, `${what} must be a string`)
  if (value.indexOf("\0") !== -1) fail(tag, `${what} contains a NUL character`)
}

const checkInt32 = (value: number, what: string, tag: string, min: number): void => {
  if (!Number.isInteger(value) || value < min || value > 2147483647) {
    fail(tag, `${what} must be an integer in [${min}, 2147483647]`)
  }
}

const checkOid = (value: number, what: string, tag: string): void => {
  if (!Number.isInteger(value) || value < 0 || value > 4294967295) {
    fail(tag, `${what} must be an OID (integer in [0, 4294967295])`)
  }
}

const checkKind = (kind: string, tag: string): number => {
  if (kind === "S") return 0x53
  if (kind === "P") return 0x50
  return fail(tag, `kind must be "S" or "P"`)
}

const checkBytes = (value: Uint8Array, what: string, tag: string): void => {
  if (!(value instanceof Uint8Array)) fail(tag, `${what} must be a Uint8Array`)
}

/**
 * Validates a format list against a value count (or -1 for result formats, which the server
 * checks against the columns) before anything is written.
 */
const checkFormats = (formats: Formats, count: number, what: string, tag: string): void => {
  if (formats === 0 || formats === 1) return
  if (!Array.isArray(formats)) return fail(tag, `${what} must be 0, 1 or an array of 0/1`)
  const n = formats.length
  if (n > maxParameters) fail(tag, `too many ${what} (${n} > ${maxParameters})`)
  if (count >= 0 && n > 1 && n !== count) {
    fail(tag, `${what}: ${n} codes for ${count} values (must be 0, 1 or ${count})`)
  }
  for (let i = 0; i < n; i++) {
    const f = formats[i]
    if (f !== 0 && f !== 1) fail(tag, `${what}[${i}] must be 0 or 1`)
  }
}

const writeFormats = (w: PgWriter, formats: Formats): void => {
  if (formats === 0) {
    w.i16(0)
  } else if (formats === 1) {
    w.i16(1)
    w.i16(1)
  } else {
    const list = formats as ReadonlyArray<FormatCode>
    const n = list.length
    w.ensure(2 + 2 * n)
    const buf = w.buffer
    let p = w.length
    buf[p++] = n >>> 8
    buf[p++] = n & 0xff
    for (let i = 0; i < n; i++) {
      buf[p++] = 0
      buf[p++] = list[i]!
    }
    w.length = p
  }
}

/** Writes one pre-encoded value (`Uint8Array`, `string` as UTF-8, or `null`/`undefined` as -1). */
const writePlainValue = (w: PgWriter, value: unknown, index: number, tag: string): void => {
  if (value === null || value === undefined) {
    w.i32(-1)
  } else if (typeof value === "string") {
    const at = w.beginLength()
    w.string(value)
    w.endLength(at, false)
  } else if (value instanceof Uint8Array) {
    w.i32(value.length)
    w.bytes(value)
  } else {
    fail(tag, `parameter ${index + 1}: expected Uint8Array, string or null when no encoder is given`, index)
  }
}

/**
 * Writes pre-encoded values with {@link writePlainValue}; when one is not writable, drops the
 * half-built message (everything from `start`) before rethrowing.
 */
const writePlainValues = (w: PgWriter, values: ReadonlyArray<unknown>, start: number, tag: string): void => {
  try {
    for (let i = 0; i < values.length; i++) writePlainValue(w, values[i], i, tag)
  } catch (e) {
    w.length = start
    throw e
  }
}

// ---------------------------------------------------------------------------------------------
// the encoder
// ---------------------------------------------------------------------------------------------

/**
 * Appends frontend messages to one owned `PgWriter`; see the module header for errors.
 *
 * **Details**
 * - Methods return the encoder, so a cycle reads `enc.parse(…).bind(…).execute("", 0).sync()`.
 * - {@link take} returns a copy the caller owns and empties the encoder; {@link view} returns a
 *   view that is valid until the next append.
 * - {@link mark} / {@link rollback} drop messages appended after a mark (a connection uses this
 *   to discard a half-built request when a later message of it fails to encode).
 * - {@link writer} is the underlying writer, for callers that frame a custom payload.
 * - An encoder is not shared between connections; it holds no global state.
 *
 * @category models
 * @since 0.1.0
 */
export interface Encoder {
  /** The writer this encoder appends to. */
  readonly writer: PgWriter
  /** Bytes appended and not yet taken. */
  readonly length: number
  /** StartupMessage; `parameters` as a record or ordered pairs; version defaults to 3.0. */
  startup(
    parameters: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>,
    protocolVersion?: number
  ): this
  /** SSLRequest (8 bytes, untagged). */
  sslRequest(): this
  /** GSSENCRequest (8 bytes, untagged). */
  gssEncRequest(): this
  /** CancelRequest with a 4-byte (3.0) or up to 256-byte (3.2) secret key. */
  cancelRequest(processId: number, secretKey: Uint8Array): this
  /** PasswordMessage (cleartext or `"md5…"`). */
  password(password: string): this
  /** SASLInitialResponse; `data` `null`/omitted is sent as length -1. */
  saslInitialResponse(mechanism: string, data?: Uint8Array | null): this
  /** SASLResponse. */
  saslResponse(data: Uint8Array): this
  /** GSSResponse. */
  gssResponse(data: Uint8Array): this
  /** Query (simple protocol). */
  query(sql: string): this
  /** Parse; `paramTypes` are OIDs (0 = let the server infer). */
  parse(name: string, sql: string, paramTypes?: ReadonlyArray<number>): this
  /**
   * Bind. With `encoders`, value `i` is written by `encoders[i]` straight into the writer
   * (`null`/`undefined` values are sent as NULL without calling it); values without an encoder
   * must be `Uint8Array`, `string` (sent as UTF-8) or `null`/`undefined`.
   */
  bind(
    portal: string,
    statement: string,
    paramFormats: Formats,
    params: ReadonlyArray<unknown>,
    resultFormats: Formats,
    encoders?: ReadonlyArray<ParamEncoder | null | undefined> | null
  ): this
  /** Describe a statement (`"S"`) or portal (`"P"`). */
  describe(kind: "S" | "P", name: string): this
  /** Execute; `maxRows` 0 = all rows. */
  execute(portal: string, maxRows?: number): this
  /** Close a statement (`"S"`) or portal (`"P"`). */
  close(kind: "S" | "P", name: string): this
  /** Sync. */
  sync(): this
  /** Flush. */
  flush(): this
  /** CopyData; a string is sent as UTF-8. */
  copyData(data: Uint8Array | string): this
  /** CopyDone. */
  copyDone(): this
  /** CopyFail. */
  copyFail(message: string): this
  /** FunctionCall; `args` as for Bind without encoders. */
  functionCall(
    functionOid: number,
    argFormats: Formats,
    args: ReadonlyArray<Uint8Array | string | null>,
    resultFormat?: FormatCode
  ): this
  /** Terminate. */
  terminate(): this
  /** Appends any message model. */
  encode(message: FrontendMessage): this
  /** The appended bytes as an owned copy; empties the encoder. */
  take(): Uint8Array
  /** A view of the appended bytes, valid until the next append, take or reset. */
  view(): Uint8Array
  /** A position to {@link rollback} to. */
  mark(): number
  /** Drops everything appended after `mark`. */
  rollback(mark: number): void
  /** Drops everything appended. */
  reset(): void
}

class EncoderImpl implements Encoder {
  readonly writer: PgWriter

  constructor(initialSize: number) {
    this.writer = new PgWriter(initialSize)
  }

  get length(): number {
    return this.writer.length
  }

  startup(
    parameters: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>,
    protocolVersion: number = ProtocolVersion.v3_0
  ): this {
    const tag = "StartupMessage"
    checkOid(protocolVersion, "protocolVersion", tag)
    const pairs: ReadonlyArray<readonly [string, string]> = Array.isArray(parameters)
      ? parameters
      : Object.entries(parameters)
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!
      checkCString(pair[0], "parameter name", tag)
      if (pair[0].length === 0) fail(tag, "parameter name must not be empty")
      checkCString(pair[1], `parameter ${pair[0]}`, tag)
    }
    const w = this.writer
    const at = w.beginLength()
    w.u32(protocolVersion)
    for (let i = 0; i < pairs.length; i++) {
      w.cstring(pairs[i]![0])
      w.cstring(pairs[i]![1])
    }
    w.u8(0)
    w.endLength(at, true)
    return this
  }

  sslRequest(): this {
    return this.fixed(SSL_REQUEST)
  }

  gssEncRequest(): this {
    return this.fixed(GSSENC_REQUEST)
  }

  /** A message whose bytes never change (built once at module load). */
  private fixed(bytes: Uint8Array): this {
    this.writer.bytes(bytes)
    return this
  }

  cancelRequest(processId: number, secretKey: Uint8Array): this {
    const tag = "CancelRequest"
    if (!Number.isInteger(processId) || processId < -2147483648 || processId > 2147483647) {
      fail(tag, "processId must be a 32-bit integer")
    }
    checkBytes(secretKey, "secretKey", tag)
    if (secretKey.length < 4 || secretKey.length > maxCancelKeyLength) {
      fail(tag, `secretKey must be 4 to ${maxCancelKeyLength} bytes long`)
    }
    const w = this.writer
    w.i32(12 + secretKey.length)
    w.i32(RequestCode.CancelRequest)
    w.i32(processId)
    w.bytes(secretKey)
    return this
  }

  password(password: string): this {
    return this.cstringMessage(FrontendType.Password, password, "password", "PasswordMessage")
  }

  saslInitialResponse(mechanism: string, data: Uint8Array | null = null): this {
    const tag = "SASLInitialResponse"
    checkCString(mechanism, "mechanism", tag)
    if (data !== null) checkBytes(data, "data", tag)
    const w = this.writer
    const at = w.beginMessage(FrontendType.Password)
    w.cstring(mechanism)
    if (data === null) {
      w.i32(-1)
    } else {
      w.i32(data.length)
      w.bytes(data)
    }
    w.endMessage(at)
    return this
  }

  saslResponse(data: Uint8Array): this {
    return this.rawPassword(data, "SASLResponse")
  }

  gssResponse(data: Uint8Array): this {
    return this.rawPassword(data, "GSSResponse")
  }

  private rawPassword(data: Uint8Array, tag: string): this {
    checkBytes(data, "data", tag)
    const w = this.writer
    const at = w.beginMessage(FrontendType.Password)
    w.bytes(data)
    w.endMessage(at)
    return this
  }

  query(sql: string): this {
    return this.cstringMessage(FrontendType.Query, sql, "sql", "Query")
  }

  /** A message whose whole body is one C string (PasswordMessage, Query, CopyFail). */
  private cstringMessage(type: number, value: string, what: string, tag: string): this {
    checkCString(value, what, tag)
    const w = this.writer
    const at = w.beginMessage(type)
    w.cstring(value)
    w.endMessage(at)
    return this
  }

  parse(name: string, sql: string, paramTypes?: ReadonlyArray<number>): this {
    const tag = "Parse"
    checkCString(name, "statement name", tag)
    checkCString(sql, "sql", tag)
    const n = paramTypes === undefined ? 0 : paramTypes.length
    if (n > maxParameters) fail(tag, `too many parameter types (${n} > ${maxParameters})`)
    for (let i = 0; i < n; i++) checkOid(paramTypes![i]!, `paramTypes[${i}]`, tag)
    const w = this.writer
    const at = w.beginMessage(FrontendType.Parse)
    w.cstring(name)
    w.cstring(sql)
    w.i16(n)
    for (let i = 0; i < n; i++) w.u32(paramTypes![i]!)
    w.endMessage(at)
    return this
  }

  bind(
    portal: string,
    statement: string,
    paramFormats: Formats,
    params: ReadonlyArray<unknown>,
    resultFormats: Formats,
    encoders?: ReadonlyArray<ParamEncoder | null | undefined> | null
  ): this {
    const tag = "Bind"
    checkCString(portal, "portal name", tag)
    checkCString(statement, "statement name", tag)
    const n = params.length
    if (n > maxParameters) fail(tag, `too many parameters (${n} > ${maxParameters})`)
    checkFormats(paramFormats, n, "parameter format codes", tag)
    checkFormats(resultFormats, -1, "result format codes", tag)
    const w = this.writer
    const start = w.length
    const at = w.beginMessage(FrontendType.Bind)
    w.cstring(portal)
    w.cstring(statement)
    writeFormats(w, paramFormats)
    w.i16(n)
    if (encoders === undefined || encoders === null) {
      writePlainValues(w, params, start, tag)
    } else {
      let i = 0
      try {
        for (; i < n; i++) {
          const value = params[i]
          const encode = encoders[i]
          if (value === null || value === undefined) {
            w.i32(-1)
          } else if (encode === null || encode === undefined) {
            writePlainValue(w, value, i, tag)
          } else {
            const lengthAt = w.beginLength()
            encode(value, w)
            w.endLength(lengthAt, false)
          }
        }
      } catch (e) {
        w.length = start
        if (e instanceof EncodeError) throw e
        const detail = e instanceof Error ? e.message : String(e)
        fail(tag, `parameter ${i + 1}: ${detail}`, i, e)
      }
    }
    writeFormats(w, resultFormats)
    w.endMessage(at)
    return this
  }

  describe(kind: "S" | "P", name: string): this {
    return this.kindAndName(FrontendType.Describe, kind, name, "Describe")
  }

  close(kind: "S" | "P", name: string): this {
    return this.kindAndName(FrontendType.Close, kind, name, "Close")
  }

  private kindAndName(type: number, kind: "S" | "P", name: string, tag: string): this {
    const k = checkKind(kind, tag)
    checkCString(name, "name", tag)
    const w = this.writer
    const at = w.beginMessage(type)
    w.u8(k)
    w.cstring(name)
    w.endMessage(at)
    return this
  }

  execute(portal: string, maxRows = 0): this {
    const tag = "Execute"
    checkCString(portal, "portal name", tag)
    checkInt32(maxRows, "maxRows", tag, 0)
    const w = this.writer
    const at = w.beginMessage(FrontendType.Execute)
    w.cstring(portal)
    w.i32(maxRows)
    w.endMessage(at)
    return this
  }

  sync(): this {
    return this.fixed(SYNC)
  }

  flush(): this {
    return this.fixed(FLUSH)
  }

  copyData(data: Uint8Array | string): this {
    const w = this.writer
    if (typeof data === "string") {
      const at = w.beginMessage(FrontendType.CopyData)
      w.string(data)
      w.endMessage(at)
    } else {
      checkBytes(data, "data", "CopyData")
      w.ensure(5 + data.length)
      w.u8(FrontendType.CopyData)
      w.i32(4 + data.length)
      w.bytes(data)
    }
    return this
  }

  copyDone(): this {
    return this.fixed(COPY_DONE)
  }

  copyFail(message: string): this {
    return this.cstringMessage(FrontendType.CopyFail, message, "message", "CopyFail")
  }

  functionCall(
    functionOid: number,
    argFormats: Formats,
    args: ReadonlyArray<Uint8Array | string | null>,
    resultFormat: FormatCode = 0
  ): this {
    const tag = "FunctionCall"
    checkOid(functionOid, "functionOid", tag)
    const n = args.length
    if (n > maxParameters) fail(tag, `too many arguments (${n} > ${maxParameters})`)
    checkFormats(argFormats, n, "argument format codes", tag)
    if (resultFormat !== 0 && resultFormat !== 1) fail(tag, "resultFormat must be 0 or 1")
    const w = this.writer
    const start = w.length
    const at = w.beginMessage(FrontendType.FunctionCall)
    w.u32(functionOid)
    writeFormats(w, argFormats)
    w.i16(n)
    writePlainValues(w, args, start, tag)
    w.i16(resultFormat)
    w.endMessage(at)
    return this
  }

  terminate(): this {
    return this.fixed(TERMINATE)
  }

  encode(message: FrontendMessage): this {
    switch (message["_tag"]) {
      case "StartupMessage":
        return this.startup(message.parameters, message.protocolVersion)
      case "SSLRequest":
        return this.sslRequest()
      case "GSSENCRequest":
        return this.gssEncRequest()
      case "CancelRequest":
        return this.cancelRequest(message.processId, message.secretKey)
      case "PasswordMessage":
        return this.password(message.password)
      case "SASLInitialResponse":
        return this.saslInitialResponse(message.mechanism, message.data)
      case "SASLResponse":
        return this.saslResponse(message.data)
      case "GSSResponse":
        return this.gssResponse(message.data)
      case "Query":
        return this.query(message.sql)
      case "Parse":
        return this.parse(message.name, message.sql, message.paramTypes)
      case "Bind":
        return this.bind(message.portal, message.statement, message.paramFormats, message.params, message.resultFormats)
      case "Describe":
        return this.describe(message.kind, message.name)
      case "Execute":
        return this.execute(message.portal, message.maxRows)
      case "Close":
        return this.close(message.kind, message.name)
      case "Sync":
        return this.sync()
      case "Flush":
        return this.flush()
      case "CopyData":
        return this.copyData(message.data)
      case "CopyDone":
        return this.copyDone()
      case "CopyFail":
        return this.copyFail(message.message)
      case "FunctionCall":
        return this.functionCall(message.functionOid, message.argFormats, message.args, message.resultFormat)
      case "Terminate":
        return this.terminate()
    }
    return fail(String((message as { readonly _tag?: unknown })["_tag"]), "unknown frontend message")
  }

  take(): Uint8Array {
    return this.writer.take()
  }

  view(): Uint8Array {
    return this.writer.view()
  }

  mark(): number {
    return this.writer.length
  }

  rollback(mark: number): void {
    if (mark >= 0 && mark <= this.writer.length) this.writer.length = mark
  }

  reset(): void {
    this.writer.reset()
  }
}

/**
 * Creates an {@link Encoder} with its own writer (`initialSize` bytes to start with; it grows).
 *
 * **Example** (One extended-query cycle in one socket write)
 * ```ts
 * import { PgFrontend } from "@pgfx/protocol"
 *
 * const enc = PgFrontend.makeEncoder()
 * const bytes = enc
 *   .parse("", "select $1::int4 + 1", [23])
 *   .bind("", "", 0, ["41"], 1)
 *   .describe("P", "")
 *   .execute("", 0)
 *   .sync()
 *   .take()
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeEncoder = (initialSize = 4096): Encoder => new EncoderImpl(initialSize > 0 ? initialSize : 4096)

/**
 * Encodes one message model into a fresh `Uint8Array` (a convenience for tests and one-off
 * messages; connections keep an {@link Encoder}). Throws {@link EncodeError}.
 *
 * @category encoding
 * @since 0.1.0
 */
export const encode = (message: FrontendMessage): Uint8Array => new EncoderImpl(64).encode(message).take()
