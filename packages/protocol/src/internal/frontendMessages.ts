/**
 * The frontend messages (protocol 3.0 and 3.2): the protocol constants (versions, request codes,
 * type bytes, limits) and one readonly model per message, unioned into {@link FrontendMessage}.
 * Declarations only; `PgFrontend` re-exports all of them.
 *
 * @since 0.1.0
 */
import type { PgWriter } from "../PgWriter.ts"

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
