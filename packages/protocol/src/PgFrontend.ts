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
import { EncoderImpl } from "./internal/frontendEncoder.ts"
import type { Encoder } from "./internal/frontendEncoder.ts"
import { EncodeError } from "./internal/frontendError.ts"
import type { FrontendMessage } from "./internal/frontendMessages.ts"
import {
  FrontendType,
  maxCancelKeyLength,
  maxParameters,
  ProtocolVersion,
  RequestCode
} from "./internal/frontendMessages.ts"

// ---------------------------------------------------------------------------------------------
// constants
// ---------------------------------------------------------------------------------------------

export {
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
  ProtocolVersion,
  /**
   * The request codes that take the place of a protocol version in the untagged start-up packets.
   *
   * @category constants
   * @since 0.1.0
   */
  RequestCode,
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
  FrontendType,
  /**
   * The most parameters (and parameter types, format codes) one message can carry: the counts are
   * 16-bit.
   *
   * @category constants
   * @since 0.1.0
   */
  maxParameters,
  /**
   * The longest cancel key protocol 3.2 allows (protocol 3.0 keys are exactly 4 bytes).
   *
   * @category constants
   * @since 0.1.0
   */
  maxCancelKeyLength
}

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

export {
  /**
   * Thrown by the encoders when an input cannot be represented in the protocol, or when a
   * parameter encoder fails.
   *
   * @category errors
   * @since 0.1.0
   */
  EncodeError
}

// ---------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------

export type {
  Bind,
  CancelRequest,
  Close,
  CopyData,
  CopyDone,
  CopyFail,
  Describe,
  Execute,
  Flush,
  FormatCode,
  Formats,
  FrontendMessage,
  FunctionCall,
  GSSENCRequest,
  GSSResponse,
  ParamEncoder,
  Parse,
  PasswordMessage,
  Query,
  SASLInitialResponse,
  SASLResponse,
  SSLRequest,
  StartupMessage,
  Sync,
  Terminate
} from "./internal/frontendMessages.ts"

// ---------------------------------------------------------------------------------------------
// the encoder
// ---------------------------------------------------------------------------------------------

export type { Encoder }

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
