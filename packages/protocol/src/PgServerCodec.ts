/**
 * The server side of the protocol: an incremental decoder for the messages a client sends, and
 * encoders for every message a server sends. It exists so tests can script a fake server (and so
 * proxies can read both directions); a client never needs it.
 *
 * The decoder starts in the untagged start-up phase (StartupMessage, SSLRequest, GSSENCRequest,
 * CancelRequest have no type byte) and switches to tagged messages after the StartupMessage, as
 * a real server does. It has the same guarantees as `PgBackend.makeParser`: any chunking gives the
 * same messages, malformed input is a returned `ParseError` (never thrown) and the parser is
 * terminal afterwards. Unlike the client parser it copies: decoded byte fields are owned.
 *
 * The encoders throw `PgFrontend.EncodeError` when a model cannot be represented (a NUL inside a
 * string, a count beyond 16 bits, …).
 *
 * @since 0.1.0
 */
import type {
  BackendMessage,
  CommandComplete,
  DataRow,
  FieldDescription,
  FormatCode as BackendFormatCode,
  NoticeFields
} from "./PgBackend.ts"
import { defaultMaxMessageSize, parseCommandTag, ParseError } from "./PgBackend.ts"
import type { FormatCode, FrontendMessage } from "./PgFrontend.ts"
import { EncodeError, FrontendType, maxCancelKeyLength, ProtocolVersion, RequestCode } from "./PgFrontend.ts"
import { PgWriter } from "./PgWriter.ts"
import { Reader } from "./internal/backendReader.ts"
import { readInt32 } from "./internal/bytes.ts"

// ---------------------------------------------------------------------------------------------
// decoding frontend messages
// ---------------------------------------------------------------------------------------------

/**
 * How the next `'p'` messages are read. The byte is shared by four messages; a server knows
 * which one to expect from the authentication request it sent.
 *
 * @category models
 * @since 0.1.0
 */
export type AuthResponseKind = "PasswordMessage" | "SASLInitialResponse" | "SASLResponse" | "GSSResponse"

/**
 * The largest start-up packet PostgreSQL accepts (`MAX_STARTUP_PACKET_LENGTH`).
 *
 * @category constants
 * @since 0.1.0
 */
export const maxStartupPacketLength = 10000

/**
 * Options of {@link makeServerParser}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ServerParserOptions {
  /** The largest tagged message (length field value). Default `PgBackend.defaultMaxMessageSize`. */
  readonly maxMessageSize?: number | undefined
  /** Start in the tagged phase (skip start-up), e.g. to read a captured mid-session stream. */
  readonly skipStartup?: boolean | undefined
}

/**
 * An incremental decoder for the client side of one connection.
 *
 * **Details**
 * - `push` behaves like `PgBackend.Parser.push`: callbacks per message, `ParseError` returned,
 *   terminal after an error, exceptions from `onMessage` propagate (and make it terminal).
 * - Start-up phase: SSLRequest and GSSENCRequest keep the parser in that phase (the client then
 *   either starts TLS/GSSAPI — not this parser's business — or sends a StartupMessage);
 *   CancelRequest too (the client closes the connection); StartupMessage ends it.
 * - `'p'` messages are decoded as {@link expectAuthResponse} says (default PasswordMessage).
 *
 * @category models
 * @since 0.1.0
 */
export interface ServerParser {
  /** Feeds one chunk of client bytes. */
  push(chunk: Uint8Array, onMessage: (message: FrontendMessage) => void): ParseError | undefined
  /** Sets how later `'p'` messages are read. */
  expectAuthResponse(kind: AuthResponseKind): void
  /** Whether the parser is still in the untagged start-up phase. */
  readonly inStartup: boolean
  /** The error that made this parser terminal, if any. */
  readonly failure: ParseError | undefined
  /** Bytes of an incomplete message held from earlier chunks. */
  readonly pending: number
}

const frontendNames: Record<number, string> = {
  0x42: "Bind",
  0x43: "Close",
  0x64: "CopyData",
  0x63: "CopyDone",
  0x66: "CopyFail",
  0x44: "Describe",
  0x45: "Execute",
  0x48: "Flush",
  0x46: "FunctionCall",
  0x50: "Parse",
  0x70: "PasswordMessage/SASL/GSSResponse",
  0x51: "Query",
  0x53: "Sync",
  0x58: "Terminate"
}

const serverParseError = (type: number | undefined, message: string): ParseError => {
  if (type === undefined) return new ParseError({ message, messageType: undefined })
  const char = type >= 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16)}`
  const name = frontendNames[type]
  return new ParseError({
    message: name === undefined ? `unknown frontend message type ${char}` : `${name} (${char}): ${message}`,
    messageType: type
  })
}

const SYNC: FrontendMessage = Object.freeze({ _tag: "Sync" })
const FLUSH: FrontendMessage = Object.freeze({ _tag: "Flush" })
const TERMINATE: FrontendMessage = Object.freeze({ _tag: "Terminate" })
const COPY_DONE: FrontendMessage = Object.freeze({ _tag: "CopyDone" })
const SSL_REQUEST: FrontendMessage = Object.freeze({ _tag: "SSLRequest" })
const GSSENC_REQUEST: FrontendMessage = Object.freeze({ _tag: "GSSENCRequest" })

const readFormats = (r: Reader, what: string): Array<FormatCode> => {
  const n = r.u16(`${what} count`)
  r.need(2 * n, what)
  const out = new Array<FormatCode>(n)
  for (let i = 0; i < n; i++) out[i] = r.format(what)
  return out
}

const readValues = (r: Reader, formats: number, what: string): Array<Uint8Array | null> => {
  const n = r.u16(`${what} count`)
  if (formats > 1 && formats !== n) r.fail(`${formats} format codes for ${n} ${what}s`)
  r.need(4 * n, `${what} lengths`)
  const out = new Array<Uint8Array | null>(n)
  for (let i = 0; i < n; i++) {
    const length = r.i32(`${what} length`)
    if (length === -1) {
      out[i] = null
    } else {
      if (length < 0) r.fail(`${what} ${i} has negative length ${length}`)
      out[i] = r.copy(length, what)
    }
  }
  return out
}

const readKind = (r: Reader): "S" | "P" => {
  const kind = r.u8("kind")
  if (kind === 0x53) return "S"
  if (kind === 0x50) return "P"
  return r.fail(`kind is 0x${kind.toString(16)}, not 'S' or 'P'`)
}

const decodeTagged = (r: Reader, type: number, authKind: AuthResponseKind): FrontendMessage => {
  switch (type) {
    case FrontendType.Bind: {
      const portal = r.cstring("portal name")
      const statement = r.cstring("statement name")
      const paramFormats = readFormats(r, "parameter format")
      const params = readValues(r, paramFormats.length, "parameter")
      const resultFormats = readFormats(r, "result format")
      return r.done({ _tag: "Bind", portal, statement, paramFormats, params, resultFormats })
    }
    case FrontendType.Close:
    case FrontendType.Describe: {
      const kind = readKind(r)
      const name = r.cstring("name")
      return r.done({ _tag: type === FrontendType.Close ? "Close" : "Describe", kind, name })
    }
    case FrontendType.CopyData:
      return { _tag: "CopyData", data: r.restCopy() }
    case FrontendType.CopyDone:
      return r.done(COPY_DONE)
    case FrontendType.CopyFail:
      return r.done({ _tag: "CopyFail", message: r.cstring("message") })
    case FrontendType.Execute: {
      const portal = r.cstring("portal name")
      const maxRows = r.i32("row limit")
      if (maxRows < 0) r.fail(`negative row limit ${maxRows}`)
      return r.done({ _tag: "Execute", portal, maxRows })
    }
    case FrontendType.Flush:
      return r.done(FLUSH)
    case FrontendType.FunctionCall: {
      const functionOid = r.u32("function OID")
      const argFormats = readFormats(r, "argument format")
      const args = readValues(r, argFormats.length, "argument")
      const resultFormat = r.format("result format")
      return r.done({ _tag: "FunctionCall", functionOid, argFormats, args, resultFormat })
    }
    case FrontendType.Parse: {
      const name = r.cstring("statement name")
      const sql = r.cstring("query")
      const n = r.u16("parameter type count")
      r.need(4 * n, "parameter types")
      const paramTypes = new Array<number>(n)
      for (let i = 0; i < n; i++) paramTypes[i] = r.u32("parameter type")
      return r.done({ _tag: "Parse", name, sql, paramTypes })
    }
    case FrontendType.Password:
      switch (authKind) {
        case "PasswordMessage":
          return r.done({ _tag: "PasswordMessage", password: r.cstring("password") })
        case "SASLInitialResponse": {
          const mechanism = r.cstring("mechanism")
          const length = r.i32("initial response length")
          if (length < -1) r.fail(`negative initial response length ${length}`)
          const data = length === -1 ? null : r.copy(length, "initial response")
          return r.done({ _tag: "SASLInitialResponse", mechanism, data })
        }
        case "SASLResponse":
          return { _tag: "SASLResponse", data: r.restCopy() }
        case "GSSResponse":
          return { _tag: "GSSResponse", data: r.restCopy() }
      }
      return r.fail("unknown authentication response kind")
    case FrontendType.Query:
      return r.done({ _tag: "Query", sql: r.cstring("query") })
    case FrontendType.Sync:
      return r.done(SYNC)
    case FrontendType.Terminate:
      return r.done(TERMINATE)
  }
  return r.fail("unknown message type")
}

/** Decodes an untagged start-up packet body (after its length word). */
const decodeStartup = (r: Reader): FrontendMessage => {
  const code = r.u32("protocol version or request code")
  if (code === RequestCode.SSLRequest) return r.done(SSL_REQUEST)
  if (code === RequestCode.GSSENCRequest) return r.done(GSSENC_REQUEST)
  if (code === RequestCode.CancelRequest) {
    const processId = r.i32("process ID")
    const n = r.end - r.p
    if (n < 4 || n > maxCancelKeyLength) r.fail(`cancel key is ${n} bytes (must be 4 to ${maxCancelKeyLength})`)
    return { _tag: "CancelRequest", processId, secretKey: r.restCopy() }
  }
  if (code >>> 16 !== ProtocolVersion.v3_0 >>> 16) r.fail(`unsupported protocol version ${code >>> 16}.${code & 0xffff}`)
  const parameters: Array<readonly [string, string]> = []
  for (;;) {
    const name = r.cstring("parameter name")
    if (name.length === 0) break
    parameters.push([name, r.cstring(`value of ${name}`)])
  }
  return r.done({ _tag: "StartupMessage", protocolVersion: code, parameters })
}

const STARTUP_TYPE = -1

class ServerParserImpl implements ServerParser {
  failure: ParseError | undefined = undefined
  inStartup: boolean
  private buffer = new Uint8Array(256)
  private start = 0
  private end = 0
  private authKind: AuthResponseKind = "PasswordMessage"
  private delivering = false
  private readonly maxMessageSize: number
  private readonly reader = new Reader((type, message) =>
    type === STARTUP_TYPE ? serverParseError(undefined, `start-up packet: ${message}`) : serverParseError(type, message)
  )

  constructor(maxMessageSize: number, inStartup: boolean) {
    this.maxMessageSize = maxMessageSize
    this.inStartup = inStartup
  }

  get pending(): number {
    return this.end - this.start
  }

  expectAuthResponse(kind: AuthResponseKind): void {
    this.authKind = kind
  }

  private append(chunk: Uint8Array): void {
    const held = this.end - this.start
    if (this.end + chunk.length > this.buffer.length) {
      if (held + chunk.length <= this.buffer.length) {
        this.buffer.copyWithin(0, this.start, this.end)
      } else {
        let size = this.buffer.length * 2
        while (size < held + chunk.length) size *= 2
        const next = new Uint8Array(size)
        next.set(this.buffer.subarray(this.start, this.end), 0)
        this.buffer = next
      }
      this.start = 0
      this.end = held
    }
    this.buffer.set(chunk, this.end)
    this.end += chunk.length
  }

  push(chunk: Uint8Array, onMessage: (message: FrontendMessage) => void): ParseError | undefined {
    if (this.failure !== undefined) return this.failure
    try {
      this.append(chunk)
      const r = this.reader
      for (;;) {
        const b = this.buffer
        const available = this.end - this.start
        let message: FrontendMessage
        if (this.inStartup) {
          if (available < 4) break
          const length = readInt32(b, this.start)
          if (length < 8 || length > maxStartupPacketLength) {
            throw serverParseError(undefined, `start-up packet: invalid length ${length}`)
          }
          if (available < length) break
          r.reset(b, this.start + 4, this.start + length, STARTUP_TYPE)
          message = decodeStartup(r)
          this.start += length
          if (message["_tag"] === "StartupMessage") this.inStartup = false
        } else {
          if (available < 5) break
          const type = b[this.start]!
          const length = readInt32(b, this.start + 1)
          if (frontendNames[type] === undefined) throw serverParseError(type, "")
          if (length < 4) throw serverParseError(type, `invalid length ${length} (less than 4)`)
          if (length > this.maxMessageSize) {
            throw serverParseError(type, `length ${length} exceeds maxMessageSize ${this.maxMessageSize}`)
          }
          if (available < 1 + length) break
          r.reset(b, this.start + 5, this.start + 1 + length, type)
          message = decodeTagged(r, type, this.authKind)
          this.start += 1 + length
        }
        this.delivering = true
        onMessage(message)
        this.delivering = false
      }
      if (this.start === this.end) this.start = this.end = 0
      return undefined
    } catch (e) {
      if (this.delivering) {
        this.delivering = false
        this.failure = serverParseError(undefined, "the message callback threw; the parser lost its place")
        throw e
      }
      this.failure = e instanceof ParseError ? e : serverParseError(undefined, `internal decoder failure: ${String(e)}`)
      return this.failure
    }
  }
}

/**
 * Creates a {@link ServerParser} for one client connection.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeServerParser = (options?: ServerParserOptions): ServerParser => {
  const requested = options?.maxMessageSize
  const max = requested === undefined || !Number.isFinite(requested) || requested < 4
    ? defaultMaxMessageSize
    : Math.min(Math.floor(requested), 0x7fffffff)
  return new ServerParserImpl(max, options?.skipStartup !== true)
}

// ---------------------------------------------------------------------------------------------
// encoding backend messages
// ---------------------------------------------------------------------------------------------

const fail = (messageTag: string, message: string): never => {
  throw new EncodeError({ message, messageTag })
}

const checkString = (value: string, what: string, tag: string): void => {
  if (typeof value !== "string") fail(tag, `${what} must be a string`)
  if (value.indexOf("\0") !== -1) fail(tag, `${what} contains a NUL character`)
}

const checkCount = (n: number, what: string, tag: string): void => {
  if (n > 65535) fail(tag, `too many ${what} (${n} > 65535)`)
}

const checkFormat = (f: number, what: string, tag: string): void => {
  if (f !== 0 && f !== 1) fail(tag, `${what} must be 0 or 1`)
}

/** Field codes in the order PostgreSQL (`elog.c`) sends them. */
const noticeFieldCodes: ReadonlyArray<readonly [number, keyof NoticeFields]> = [
  [0x53, "severity"],
  [0x56, "severityNonLocalized"],
  [0x43, "code"],
  [0x4d, "message"],
  [0x44, "detail"],
  [0x48, "hint"],
  [0x57, "where"],
  [0x73, "schema"],
  [0x74, "table"],
  [0x63, "column"],
  [0x64, "dataType"],
  [0x6e, "constraint"],
  [0x50, "position"],
  [0x70, "internalPosition"],
  [0x71, "internalQuery"],
  [0x46, "file"],
  [0x4c, "line"],
  [0x52, "routine"]
]

const writeNoticeFields = (w: PgWriter, fields: NoticeFields, tag: string): void => {
  for (const [code, key] of noticeFieldCodes) {
    const value = fields[key] as string | undefined
    if (value === undefined) continue
    checkString(value, key, tag)
    w.u8(code)
    w.cstring(value)
  }
  const unknown = fields.unknown
  if (unknown !== undefined) {
    for (const [code, value] of unknown) {
      if (code.length !== 1 || code.charCodeAt(0) === 0 || code.charCodeAt(0) > 0x7f) {
        fail(tag, `unknown field code ${JSON.stringify(code)} must be one ASCII character`)
      }
      checkString(value, `field ${code}`, tag)
      w.u8(code.charCodeAt(0))
      w.cstring(value)
    }
  }
  w.u8(0)
}

const writeRowDescription = (w: PgWriter, fields: ReadonlyArray<FieldDescription>, tag: string): void => {
  checkCount(fields.length, "fields", tag)
  w.i16(fields.length)
  for (const f of fields) {
    checkString(f.name, "field name", tag)
    checkFormat(f.format, "field format", tag)
    w.cstring(f.name)
    w.u32(f.tableOid)
    w.i16(f.columnAttribute)
    w.u32(f.typeOid)
    w.i16(f.typeSize)
    w.i32(f.typeModifier)
    w.i16(f.format)
  }
}

const writeCopyResponse = (
  w: PgWriter,
  format: BackendFormatCode,
  columnFormats: ReadonlyArray<BackendFormatCode>,
  tag: string
): void => {
  checkFormat(format, "format", tag)
  checkCount(columnFormats.length, "column formats", tag)
  w.u8(format)
  w.i16(columnFormats.length)
  for (const f of columnFormats) {
    checkFormat(f, "column format", tag)
    w.i16(f)
  }
}

const authentication = (w: PgWriter, code: number, data?: Uint8Array): void => {
  const at = w.beginMessage(0x52)
  w.i32(code)
  if (data !== undefined) w.bytes(data)
  w.endMessage(at)
}

const empty = (w: PgWriter, type: number): void => {
  w.u8(type)
  w.i32(4)
}

/**
 * Appends backend messages to one owned writer (the server-side twin of `PgFrontend.Encoder`).
 *
 * @category models
 * @since 0.1.0
 */
export interface BackendEncoder {
  /** The writer this encoder appends to (for hand-crafted or deliberately broken bytes). */
  readonly writer: PgWriter
  /** Appends one message; throws `PgFrontend.EncodeError` if it cannot be represented. */
  encode(message: BackendMessage): this
  /** Appends the one-byte reply to SSLRequest (`'S'`/`'N'`) or GSSENCRequest (`'G'`/`'N'`). */
  encryptionResponse(reply: "S" | "N" | "G"): this
  /** The appended bytes as an owned copy; empties the encoder. */
  take(): Uint8Array
  /** Drops everything appended. */
  reset(): void
}

class BackendEncoderImpl implements BackendEncoder {
  readonly writer: PgWriter

  constructor(initialSize: number) {
    this.writer = new PgWriter(initialSize)
  }

  encryptionResponse(reply: "S" | "N" | "G"): this {
    if (reply !== "S" && reply !== "N" && reply !== "G") fail("EncryptionResponse", "reply must be 'S', 'N' or 'G'")
    this.writer.u8(reply.charCodeAt(0))
    return this
  }

  take(): Uint8Array {
    return this.writer.take()
  }

  reset(): void {
    this.writer.reset()
  }

  encode(message: BackendMessage): this {
    const w = this.writer
    const mark = w.length
    try {
      this.write(w, message)
    } catch (e) {
      w.length = mark
      throw e
    }
    return this
  }

  private write(w: PgWriter, m: BackendMessage): void {
    const tag = m["_tag"]
    switch (m["_tag"]) {
      case "AuthenticationOk":
        return authentication(w, 0)
      case "AuthenticationKerberosV5":
        return authentication(w, 2)
      case "AuthenticationCleartextPassword":
        return authentication(w, 3)
      case "AuthenticationMD5Password":
        if (m.salt.length !== 4) fail(tag, "salt must be 4 bytes")
        return authentication(w, 5, m.salt)
      case "AuthenticationGSS":
        return authentication(w, 7)
      case "AuthenticationGSSContinue":
        return authentication(w, 8, m.data)
      case "AuthenticationSSPI":
        return authentication(w, 9)
      case "AuthenticationSASL": {
        const at = w.beginMessage(0x52)
        w.i32(10)
        for (const mechanism of m.mechanisms) {
          checkString(mechanism, "mechanism", tag)
          if (mechanism.length === 0) fail(tag, "mechanism must not be empty")
          w.cstring(mechanism)
        }
        w.u8(0)
        w.endMessage(at)
        return
      }
      case "AuthenticationSASLContinue":
        return authentication(w, 11, m.data)
      case "AuthenticationSASLFinal":
        return authentication(w, 12, m.data)
      case "BackendKeyData": {
        const n = m.secretKey.length
        if (n < 4 || n > maxCancelKeyLength) fail(tag, `secretKey must be 4 to ${maxCancelKeyLength} bytes`)
        const at = w.beginMessage(0x4b)
        w.i32(m.processId)
        w.bytes(m.secretKey)
        w.endMessage(at)
        return
      }
      case "BindComplete":
        return empty(w, 0x32)
      case "CloseComplete":
        return empty(w, 0x33)
      case "CommandComplete": {
        checkString(m.tag, "tag", tag)
        const at = w.beginMessage(0x43)
        w.cstring(m.tag)
        w.endMessage(at)
        return
      }
      case "CopyInResponse":
      case "CopyOutResponse":
      case "CopyBothResponse": {
        const at = w.beginMessage(tag === "CopyInResponse" ? 0x47 : tag === "CopyOutResponse" ? 0x48 : 0x57)
        writeCopyResponse(w, m.format, m.columnFormats, tag)
        w.endMessage(at)
        return
      }
      case "CopyData":
        w.u8(0x64)
        w.i32(4 + m.data.length)
        w.bytes(m.data)
        return
      case "CopyDone":
        return empty(w, 0x63)
      case "DataRow": {
        checkCount(m.fieldCount, "fields", tag)
        w.u8(0x44)
        w.i32(6 + m.end - m.start)
        w.i16(m.fieldCount)
        w.bytes(m.bytes.subarray(m.start, m.end))
        return
      }
      case "EmptyQueryResponse":
        return empty(w, 0x49)
      case "ErrorResponse":
      case "NoticeResponse": {
        const at = w.beginMessage(tag === "ErrorResponse" ? 0x45 : 0x4e)
        writeNoticeFields(w, m, tag)
        w.endMessage(at)
        return
      }
      case "FunctionCallResponse": {
        const at = w.beginMessage(0x56)
        if (m.result === null) {
          w.i32(-1)
        } else {
          w.i32(m.result.length)
          w.bytes(m.result)
        }
        w.endMessage(at)
        return
      }
      case "NegotiateProtocolVersion": {
        const at = w.beginMessage(0x76)
        w.i32(m.newestVersion)
        w.i32(m.unrecognizedOptions.length)
        for (const option of m.unrecognizedOptions) {
          checkString(option, "option", tag)
          w.cstring(option)
        }
        w.endMessage(at)
        return
      }
      case "NoData":
        return empty(w, 0x6e)
      case "NotificationResponse": {
        checkString(m.channel, "channel", tag)
        checkString(m.payload, "payload", tag)
        const at = w.beginMessage(0x41)
        w.i32(m.processId)
        w.cstring(m.channel)
        w.cstring(m.payload)
        w.endMessage(at)
        return
      }
      case "ParameterDescription": {
        checkCount(m.typeOids.length, "parameter types", tag)
        const at = w.beginMessage(0x74)
        w.i16(m.typeOids.length)
        for (const oid of m.typeOids) w.u32(oid)
        w.endMessage(at)
        return
      }
      case "ParameterStatus": {
        checkString(m.name, "name", tag)
        checkString(m.value, "value", tag)
        const at = w.beginMessage(0x53)
        w.cstring(m.name)
        w.cstring(m.value)
        w.endMessage(at)
        return
      }
      case "ParseComplete":
        return empty(w, 0x31)
      case "PortalSuspended":
        return empty(w, 0x73)
      case "ReadyForQuery":
        if (m.status !== "I" && m.status !== "T" && m.status !== "E") fail(tag, "status must be 'I', 'T' or 'E'")
        w.u8(0x5a)
        w.i32(5)
        w.u8(m.status.charCodeAt(0))
        return
      case "RowDescription": {
        const at = w.beginMessage(0x54)
        writeRowDescription(w, m.fields, tag)
        w.endMessage(at)
        return
      }
    }
    fail(String(tag), "unknown backend message")
  }
}

/**
 * Creates a {@link BackendEncoder}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeBackendEncoder = (initialSize = 4096): BackendEncoder =>
  new BackendEncoderImpl(initialSize > 0 ? initialSize : 4096)

/**
 * Encodes one backend message into a fresh `Uint8Array`. Throws `PgFrontend.EncodeError`.
 *
 * @category encoding
 * @since 0.1.0
 */
export const encodeBackend = (message: BackendMessage): Uint8Array => new BackendEncoderImpl(64).encode(message).take()

// ---------------------------------------------------------------------------------------------
// model constructors for fake servers
// ---------------------------------------------------------------------------------------------

const textEncoder = new TextEncoder()

/**
 * Builds a DataRow model from field values (`string` as UTF-8, `null` as NULL).
 *
 * @category constructors
 * @since 0.1.0
 */
export const dataRow = (values: ReadonlyArray<Uint8Array | string | null>): DataRow => {
  checkCount(values.length, "fields", "DataRow")
  const w = new PgWriter(64)
  for (const value of values) {
    if (value === null) {
      w.i32(-1)
    } else {
      const bytes = typeof value === "string" ? textEncoder.encode(value) : value
      w.i32(bytes.length)
      w.bytes(bytes)
    }
  }
  const bytes = w.take()
  return { _tag: "DataRow", bytes, start: 0, end: bytes.length, fieldCount: values.length }
}

/**
 * Builds a CommandComplete model from a tag, deriving `command` and `rows`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const commandComplete = (tag: string): CommandComplete => {
  const parsed = parseCommandTag(tag)
  return { _tag: "CommandComplete", tag, command: parsed.command, rows: parsed.rows }
}
