/**
 * `PgError` → `effect/sql`'s `SqlError`.
 *
 * Server errors are classified by SQLSTATE (class first, then the specific codes that matter
 * to callers); failures to reach or keep a connection become `ConnectionError`; everything the
 * client itself rejected (a parameter it cannot encode, a value it cannot decode, a bad
 * configuration) is an `UnknownError`. The original `PgError` is always the reason's `cause`,
 * so nothing the server said is lost: `error.reason.cause.reason` is the pgfx reason with every
 * ErrorResponse field (`code`, `detail`, `constraint`, `table`, `position`, …).
 *
 * @since 0.1.0
 */
import type { PgError } from "@pgfx/connection/PgError"
import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  ConstraintError,
  DeadlockError,
  LockTimeoutError,
  SerializationError,
  SqlError,
  type SqlErrorReason,
  SqlSyntaxError,
  StatementTimeoutError,
  UniqueViolation,
  UnknownError
} from "effect/sql/SqlError"

/** The fields every reason is built from. */
interface ReasonProps {
  readonly cause: unknown
  readonly message: string
  readonly operation: string
}

/**
 * The `SqlError` reason for a SQLSTATE (`constraint` is the ErrorResponse's `n` field, used for
 * `UniqueViolation`).
 */
export const reasonForSqlState = (code: string, constraint: string | undefined, props: ReasonProps): SqlErrorReason => {
  switch (code) {
    case "42501":
      return new AuthorizationError(props)
    case "23505":
      return new UniqueViolation({ ...props, constraint: constraint === undefined || constraint === "" ? "unknown" : constraint })
    case "40P01":
      return new DeadlockError(props)
    case "40001":
      return new SerializationError(props)
    case "55P03":
      return new LockTimeoutError(props)
    case "57014":
      return new StatementTimeoutError(props)
    // The server is going away (admin shutdown, crash, starting up) or refuses more sessions:
    // the connection is lost or was never made, as for class 08.
    case "57P01":
    case "57P02":
    case "57P03":
    case "53300":
      return new ConnectionError(props)
  }
  switch (code.slice(0, 2)) {
    case "08":
      return new ConnectionError(props)
    case "28":
      return new AuthenticationError(props)
    case "42":
      return new SqlSyntaxError(props)
    case "23":
      return new ConstraintError(props)
  }
  return new UnknownError(props)
}

/** The `SqlError` reason for a `PgError`. */
export const reasonFor = (error: PgError, operation: string): SqlErrorReason => {
  const reason = error.reason
  const props: ReasonProps = { cause: error, message: reason.message, operation }
  switch (reason._tag) {
    case "ConnectionError":
    case "ConnectTimeout":
    case "ConnectionClosed":
    case "PoolTimeout":
    case "ProtocolError":
    case "TlsError":
      return new ConnectionError(props)
    case "AuthenticationError":
      return new AuthenticationError(props)
    case "EncodeError":
    case "DecodeError":
    case "ConfigError":
    case "ConnectionBusy":
    case "Unsupported":
      return new UnknownError(props)
    default:
      return reasonForSqlState(reason.code, reason.constraint, props)
  }
}

/** A `PgError` as a `SqlError`, the `PgError` kept as the reason's `cause`. */
export const toSqlError = (error: PgError, operation: string): SqlError => new SqlError({ reason: reasonFor(error, operation) })
