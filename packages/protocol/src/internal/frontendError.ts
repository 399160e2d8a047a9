/**
 * The error the frontend encoders throw; `PgFrontend` re-exports it.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

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
