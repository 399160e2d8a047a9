/**
 * The body decoders of the backend messages: {@link decodeBody} turns one complete message body
 * into its model, {@link decodeDataRow} validates a DataRow in place. Both throw `ParseError`;
 * the incremental parser (`backendParser.ts`) catches it. Used once per message, so written for
 * speed: DataRow is checked without a `Reader`, messages without content are shared singletons,
 * and repeated CommandComplete tags are memoised per parser.
 *
 * @since 0.1.0
 */
import type {
  Authentication,
  AuthenticationCleartextPassword,
  AuthenticationGSS,
  AuthenticationKerberosV5,
  AuthenticationOk,
  AuthenticationSSPI,
  BackendMessage,
  BindComplete,
  CloseComplete,
  CommandComplete,
  CopyBothResponse,
  CopyDone,
  CopyInResponse,
  CopyOutResponse,
  DataRow,
  EmptyQueryResponse,
  ErrorResponse,
  FieldDescription,
  FormatCode,
  NoData,
  NoticeResponse,
  ParseComplete,
  PortalSuspended,
  ReadyForQuery,
  RowDescription
} from "./backendMessages.ts"
import { AuthenticationCode } from "./backendMessages.ts"
import { parseError } from "./backendParseError.ts"
import { Reader } from "./backendReader.ts"
import { readInt16, readInt32, readUint32 } from "./bytes.ts"
import { parseCommandTag } from "./commandTag.ts"

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

/** A fresh body cursor whose failures are ParseErrors; one per parser. */
export const newReader = (): Reader => new Reader((type, message) => parseError(type, message))

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
export interface ReusedDataRow {
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
export const decodeDataRow = (b: Uint8Array, start: number, end: number, into?: ReusedDataRow): DataRow => {
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
export const decodeBody = (r: Reader, type: number, b: Uint8Array, start: number, end: number): BackendMessage => {
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
