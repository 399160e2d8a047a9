/**
 * The one error type of pgfx sessions: `PgError`, whose tagged `reason` says what went wrong.
 *
 * Recover from one reason with `Effect.catchReason("PgError", "UniqueViolation", …)`, from several
 * with `Effect.catchReasons`, or move the reasons into the error channel with
 * `Effect.unwrapReason("PgError")`. Every reason has a `message`; `PgError.isRetryable` says whether
 * running the same work again may succeed (connection failures, serialization failures,
 * deadlocks, fail-overs).
 *
 * Secrets never appear in errors: no passwords, no parameter values. Server errors carry the SQL
 * text of the statement (it is code, not data).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { isRetryableSqlState } from "./internal/sqlState.ts"

const Base = {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}

/**
 * The socket could not be opened, was reset, or failed (refused, DNS, unreachable, EPIPE…).
 * Retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class ConnectionError extends Schema.TaggedError<ConnectionError>("@pgfx/connection/ConnectionError")(
  "ConnectionError",
  {
    ...Base,
    /** The system error code, e.g. `ECONNREFUSED`. */
    code: Schema.optional(Schema.String),
    /** The host (or socket path) being connected to. */
    host: Schema.optional(Schema.String),
    /** The port being connected to. */
    port: Schema.optional(Schema.Number)
  }
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * Connecting (socket, TLS, authentication and start-up) took longer than `connect_timeout`.
 * Retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class ConnectTimeout extends Schema.TaggedError<ConnectTimeout>("@pgfx/connection/ConnectTimeout")(
  "ConnectTimeout",
  {
    ...Base,
    host: Schema.optional(Schema.String),
    port: Schema.optional(Schema.Number)
  }
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * TLS could not be established as the configuration demands: the server refused SSL under
 * `sslmode=require`, the certificate did not verify, the host name did not match, or the
 * handshake failed. Not retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class TlsError extends Schema.TaggedError<TlsError>("@pgfx/connection/TlsError")("TlsError", {
  ...Base,
  /** The system or OpenSSL error code, when there is one. */
  code: Schema.optional(Schema.String)
}) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * Authentication failed or was refused by policy (`require_auth`, `channel_binding`), or the
 * server's SCRAM proof was wrong. Not retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>(
  "@pgfx/connection/AuthenticationError"
)("AuthenticationError", {
  ...Base,
  /** The SQLSTATE the server sent (e.g. `28P01`), when the server refused the login. */
  code: Schema.optional(Schema.String),
  /** The authentication method in play (`scram-sha-256`, `md5`, `password`, …). */
  method: Schema.optional(Schema.String)
}) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The server sent something impossible (malformed bytes, a message that does not belong in the
 * current state). The connection is closed. Not retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class ProtocolError extends Schema.TaggedError<ProtocolError>("@pgfx/connection/ProtocolError")(
  "ProtocolError",
  Base
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The connection closed (socket ended, the server terminated the backend, or the connection was
 * discarded after an unfinished cancellation) while the request was pending.
 *
 * @category reasons
 * @since 0.1.0
 */
export class ConnectionClosed extends Schema.TaggedError<ConnectionClosed>("@pgfx/connection/ConnectionClosed")(
  "ConnectionClosed",
  {
    ...Base,
    /** True when none of the request's bytes had been written: retrying cannot run it twice. */
    safeToRetry: Schema.Boolean
  }
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * A feature the server or configuration asks for that pgfx does not implement (GSSAPI, SSPI,
 * Kerberos, `gssencmode=require`). Not retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class Unsupported extends Schema.TaggedError<Unsupported>("@pgfx/connection/Unsupported")("Unsupported", {
  ...Base,
  /** What is unsupported. */
  feature: Schema.String
}) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * A parameter could not be encoded (wrong count, value of the wrong type, out of range). Raised
 * before anything is sent. Not retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class EncodeError extends Schema.TaggedError<EncodeError>("@pgfx/connection/EncodeError")("EncodeError", {
  ...Base,
  /** 1-based parameter number (`$n`), when the failure concerns one parameter. */
  parameter: Schema.optional(Schema.Number),
  /** The parameter's type OID, when known. */
  oid: Schema.optional(Schema.Number),
  /** The SQL text. */
  query: Schema.optional(Schema.String)
}) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * A result value could not be decoded. Only the query fails: the rest of its result is read and
 * dropped and the connection keeps serving. Not retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@pgfx/connection/DecodeError")("DecodeError", {
  ...Base,
  /** The column name. */
  column: Schema.optional(Schema.String),
  /** 0-based row index within the result. */
  row: Schema.optional(Schema.Number),
  /** The column's type OID. */
  oid: Schema.optional(Schema.Number),
  /** The SQL text. */
  query: Schema.optional(Schema.String)
}) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The request was refused because the connection is in the middle of a streaming operation — an
 * open portal stream or a COPY — on the same exclusive section: its messages cannot interleave
 * with another statement's. Inside a transaction, stream with a cursor (`DECLARE … CURSOR`)
 * instead, or run the other statement on another connection. Nothing was sent. Not retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class ConnectionBusy extends Schema.TaggedError<ConnectionBusy>("@pgfx/connection/ConnectionBusy")(
  "ConnectionBusy",
  Base
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * The connection options are invalid (libpq's wording: `invalid sslmode value: "x"`, …).
 * Not retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class ConfigError extends Schema.TaggedError<ConfigError>("@pgfx/connection/ConfigError")("ConfigError", {
  ...Base,
  /** The offending keyword, when one is to blame. */
  keyword: Schema.optional(Schema.String)
}) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * Waiting for a pooled connection took longer than the pool's acquire timeout. Retryable.
 *
 * @category reasons
 * @since 0.1.0
 */
export class PoolTimeout extends Schema.TaggedError<PoolTimeout>("@pgfx/connection/PoolTimeout")(
  "PoolTimeout",
  Base
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * The fields of an ErrorResponse, by their protocol field codes.
 *
 * @category models
 * @since 0.1.0
 */
export const ServerErrorFields = {
  ...Base,
  /** `S`: ERROR, FATAL or PANIC (localized). */
  severity: Schema.String,
  /** `C`: the SQLSTATE code, e.g. `23505`. */
  code: Schema.String,
  /** The SQLSTATE condition name, e.g. `unique_violation` (empty when unknown). */
  condition: Schema.String,
  /** The SQLSTATE class name, e.g. `Integrity Constraint Violation` (empty when unknown). */
  className: Schema.String,
  /** `D` */
  detail: Schema.optional(Schema.String),
  /** `H` */
  hint: Schema.optional(Schema.String),
  /** `P`: 1-based character position in the query text. */
  position: Schema.optional(Schema.Number),
  /** `p` */
  internalPosition: Schema.optional(Schema.Number),
  /** `q` */
  internalQuery: Schema.optional(Schema.String),
  /** `W` */
  where: Schema.optional(Schema.String),
  /** `s` */
  schema: Schema.optional(Schema.String),
  /** `t` */
  table: Schema.optional(Schema.String),
  /** `c` */
  column: Schema.optional(Schema.String),
  /** `d` */
  dataType: Schema.optional(Schema.String),
  /** `n` */
  constraint: Schema.optional(Schema.String),
  /** `F` */
  file: Schema.optional(Schema.String),
  /** `L` */
  line: Schema.optional(Schema.String),
  /** `R` */
  routine: Schema.optional(Schema.String),
  /** The SQL text that failed (never its parameter values). */
  query: Schema.optional(Schema.String)
}

/** Shared behaviour of every server-error reason. */
const serverRetryable = (code: string): boolean => isRetryableSqlState(code)

/**
 * Any ErrorResponse without a more specific reason below.
 *
 * @category reasons
 * @since 0.1.0
 */
export class ServerError extends Schema.TaggedError<ServerError>("@pgfx/connection/ServerError")(
  "ServerError",
  ServerErrorFields
) {
  /** Whether retrying may succeed (by SQLSTATE). */
  get isRetryable(): boolean {
    return serverRetryable(this.code)
  }
}

/**
 * SQLSTATE 23505.
 *
 * @category reasons
 * @since 0.1.0
 */
export class UniqueViolation extends Schema.TaggedError<UniqueViolation>("@pgfx/connection/UniqueViolation")(
  "UniqueViolation",
  ServerErrorFields
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * SQLSTATE 23503.
 *
 * @category reasons
 * @since 0.1.0
 */
export class ForeignKeyViolation extends Schema.TaggedError<ForeignKeyViolation>(
  "@pgfx/connection/ForeignKeyViolation"
)("ForeignKeyViolation", ServerErrorFields) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * SQLSTATE 23514.
 *
 * @category reasons
 * @since 0.1.0
 */
export class CheckViolation extends Schema.TaggedError<CheckViolation>("@pgfx/connection/CheckViolation")(
  "CheckViolation",
  ServerErrorFields
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * SQLSTATE 23502.
 *
 * @category reasons
 * @since 0.1.0
 */
export class NotNullViolation extends Schema.TaggedError<NotNullViolation>("@pgfx/connection/NotNullViolation")(
  "NotNullViolation",
  ServerErrorFields
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * SQLSTATE 40001: retry the whole transaction.
 *
 * @category reasons
 * @since 0.1.0
 */
export class SerializationFailure extends Schema.TaggedError<SerializationFailure>(
  "@pgfx/connection/SerializationFailure"
)("SerializationFailure", ServerErrorFields) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * SQLSTATE 40P01: retry the whole transaction.
 *
 * @category reasons
 * @since 0.1.0
 */
export class DeadlockDetected extends Schema.TaggedError<DeadlockDetected>("@pgfx/connection/DeadlockDetected")(
  "DeadlockDetected",
  ServerErrorFields
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * SQLSTATE 57014 — `statement_timeout`, `pg_cancel_backend` from another session, or a cancel
 * request. (When *this* client interrupts a query, the fiber is interrupted instead: you never
 * see this reason for your own interruption.) `isStatementTimeout` tells a timeout apart.
 *
 * @category reasons
 * @since 0.1.0
 */
export class QueryCanceled extends Schema.TaggedError<QueryCanceled>("@pgfx/connection/QueryCanceled")(
  "QueryCanceled",
  ServerErrorFields
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
  /** Whether `statement_timeout` (rather than a cancel request) ended the statement. */
  get isStatementTimeout(): boolean {
    return this.message.includes("statement timeout")
  }
}

/**
 * SQLSTATE 57P01/57P02/57P03: the server is shutting down, crashed, or not accepting connections
 * yet (fail-over, restart). Retryable on another connection.
 *
 * @category reasons
 * @since 0.1.0
 */
export class AdminShutdown extends Schema.TaggedError<AdminShutdown>("@pgfx/connection/AdminShutdown")(
  "AdminShutdown",
  ServerErrorFields
) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * SQLSTATE 53300. Retryable after a back-off.
 *
 * @category reasons
 * @since 0.1.0
 */
export class TooManyConnections extends Schema.TaggedError<TooManyConnections>(
  "@pgfx/connection/TooManyConnections"
)("TooManyConnections", ServerErrorFields) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return true
  }
}

/**
 * SQLSTATE 25P02: a statement was sent while the transaction is failed; roll back first.
 *
 * @category reasons
 * @since 0.1.0
 */
export class InFailedTransaction extends Schema.TaggedError<InFailedTransaction>(
  "@pgfx/connection/InFailedTransaction"
)("InFailedTransaction", ServerErrorFields) {
  /** Whether retrying may succeed. */
  get isRetryable(): boolean {
    return false
  }
}

/**
 * Every server-error reason (an ErrorResponse from the server).
 *
 * @category models
 * @since 0.1.0
 */
export type ServerErrorReason =
  | ServerError
  | UniqueViolation
  | ForeignKeyViolation
  | CheckViolation
  | NotNullViolation
  | SerializationFailure
  | DeadlockDetected
  | QueryCanceled
  | AdminShutdown
  | TooManyConnections
  | InFailedTransaction

/**
 * Every reason a `PgError` can carry.
 *
 * @category models
 * @since 0.1.0
 */
export type PgErrorReason =
  | ConnectionError
  | ConnectTimeout
  | TlsError
  | AuthenticationError
  | ProtocolError
  | ConnectionClosed
  | Unsupported
  | EncodeError
  | DecodeError
  | PoolTimeout
  | ConfigError
  | ConnectionBusy
  | ServerErrorReason

/**
 * Schema of {@link PgErrorReason}.
 *
 * @category schemas
 * @since 0.1.0
 */
export const PgErrorReason = Schema.Union([
  ConnectionError,
  ConnectTimeout,
  TlsError,
  AuthenticationError,
  ProtocolError,
  ConnectionClosed,
  Unsupported,
  EncodeError,
  DecodeError,
  PoolTimeout,
  ConfigError,
  ConnectionBusy,
  ServerError,
  UniqueViolation,
  ForeignKeyViolation,
  CheckViolation,
  NotNullViolation,
  SerializationFailure,
  DeadlockDetected,
  QueryCanceled,
  AdminShutdown,
  TooManyConnections,
  InFailedTransaction
])

/**
 * The error of every pgfx operation.
 *
 * @category errors
 * @since 0.1.0
 */
export class PgError extends Schema.TaggedError<PgError>("@pgfx/connection/PgError")("PgError", {
  reason: PgErrorReason
}) {
  /** The reason is the JavaScript cause too, so stack printers show it. */
  override readonly cause = this.reason

  /** The reason's message. */
  override get message(): string {
    return this.reason.message
  }

  /** Whether retrying the failed operation may succeed. */
  get isRetryable(): boolean {
    return this.reason.isRetryable
  }

  /** Whether the reason is an ErrorResponse from the server. */
  get isServerError(): boolean {
    return isServerErrorReason(this.reason)
  }
}

const serverTags = new Set([
  "ServerError",
  "UniqueViolation",
  "ForeignKeyViolation",
  "CheckViolation",
  "NotNullViolation",
  "SerializationFailure",
  "DeadlockDetected",
  "QueryCanceled",
  "AdminShutdown",
  "TooManyConnections",
  "InFailedTransaction"
])

/**
 * Whether a reason is an ErrorResponse from the server.
 *
 * @category guards
 * @since 0.1.0
 */
export const isServerErrorReason = (reason: PgErrorReason): reason is ServerErrorReason => serverTags.has(reason._tag)

/**
 * Wraps a reason in a {@link PgError}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (reason: PgErrorReason): PgError => new PgError({ reason })

/**
 * The fields a server-error reason is built from.
 *
 * @category models
 * @since 0.1.0
 */
export type ServerErrorInit = Omit<ConstructorParameters<typeof ServerError>[0], "_tag">

/**
 * Picks the specific reason class for a SQLSTATE.
 *
 * @category constructors
 * @since 0.1.0
 */
export const serverReason = (init: ServerErrorInit): ServerErrorReason => {
  switch (init.code) {
    case "23505":
      return new UniqueViolation(init)
    case "23503":
      return new ForeignKeyViolation(init)
    case "23514":
      return new CheckViolation(init)
    case "23502":
      return new NotNullViolation(init)
    case "40001":
      return new SerializationFailure(init)
    case "40P01":
      return new DeadlockDetected(init)
    case "57014":
      return new QueryCanceled(init)
    case "57P01":
    case "57P02":
    case "57P03":
      return new AdminShutdown(init)
    case "53300":
      return new TooManyConnections(init)
    case "25P02":
      return new InFailedTransaction(init)
    default:
      return new ServerError(init)
  }
}
