/**
 * The frontend encoder: {@link Encoder} (the interface `PgFrontend` exports) and its one
 * implementation, which appends each message to an owned `PgWriter`. Messages whose bytes never
 * change (Sync, Flush, Terminate, CopyDone, SSLRequest, GSSENCRequest) are built once at module
 * load and copied in.
 *
 * @since 0.1.0
 */
import { PgWriter } from "../PgWriter.ts"
import {
  checkBytes,
  checkCString,
  checkFormats,
  checkInt32,
  checkKind,
  checkOid,
  fail,
  writeFormats,
  writePlainValue,
  writePlainValues
} from "./frontendChecks.ts"
import { EncodeError } from "./frontendError.ts"
import type { FormatCode, Formats, FrontendMessage, ParamEncoder } from "./frontendMessages.ts"
import { FrontendType, maxCancelKeyLength, maxParameters, ProtocolVersion, RequestCode } from "./frontendMessages.ts"

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

/** The {@link Encoder} implementation; `PgFrontend.makeEncoder` and `encode` construct it. */
export class EncoderImpl implements Encoder {
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
