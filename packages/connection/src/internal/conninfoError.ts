/**
 * The error every conninfo step reports: a bad connection string, an invalid option value, a
 * broken service file, a host/port count mismatch.
 *
 * Messages follow libpq's wording (`invalid sslmode value: "foo"`), except that a secret
 * (password, key) is never echoed: where libpq would quote one, pgfx says `<redacted>`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Result from "effect/Result"

/**
 * Raised when connection options cannot be parsed, merged or validated.
 *
 * @category errors
 * @since 0.1.0
 */
export class ConfigError extends Data.TaggedError("PgConfigError")<{
  /** libpq-style message, without secrets. */
  readonly message: string
  /** The keyword the error is about, when there is one. */
  readonly keyword?: string | undefined
}> {}

/**
 * Shorthand for a failed `Result` carrying a {@link ConfigError}.
 *
 * @category internal
 * @since 0.1.0
 */
export const fail = (message: string, keyword?: string): Result.Result<never, ConfigError> =>
  Result.fail(new ConfigError(keyword === undefined ? { message } : { message, keyword }))
