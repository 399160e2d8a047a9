/**
 * The errors of requests that cannot be encoded: nothing was sent, so they are raised before the
 * request reaches the session (and the encoder is rolled back by whoever encoded).
 *
 * @since 0.1.0
 */
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import * as PgError from "../PgError.ts"
import type { PreparedStatement } from "./preparedCache.ts"

/**
 * A failure thrown while encoding a request, as a `PgError` (an `EncodeError` unless it already
 * is a `PgError`).
 *
 * @category errors
 * @since 0.1.0
 */
export const toEncodeError = (cause: unknown, query?: string): PgError.PgError =>
  cause instanceof PgError.PgError
    ? cause
    : PgError.make(
      new PgError.EncodeError({
        message: `cannot encode the request: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
        ...(query !== undefined ? { query } : {})
      })
    )

/**
 * More parameters than a Bind message can carry.
 *
 * @category errors
 * @since 0.1.0
 */
export const tooManyParameters = (count: number, sql: string): PgError.PgError =>
  PgError.make(
    new PgError.EncodeError({
      message: `too many parameters: ${count} (the protocol allows ${PgFrontend.maxParameters})`,
      query: sql
    })
  )

/**
 * A prepared statement given the wrong number of parameters.
 *
 * @category errors
 * @since 0.1.0
 */
export const parameterCountError = (statement: PreparedStatement, count: number, sql: string): PgError.PgError =>
  PgError.make(
    new PgError.EncodeError({
      message: `the statement takes ${statement.paramTypes.length} parameter(s), ${count} given`,
      query: sql
    })
  )

/**
 * Finds which parameter failed to encode, for the error message.
 *
 * @category errors
 * @since 0.1.0
 */
export const parameterError = (cause: unknown, statement: PreparedStatement, params: ReadonlyArray<unknown>): PgError.PgError => {
  let parameter: number | undefined = undefined
  const scratch = PgFrontend.makeEncoder(64)
  for (let i = 0; i < params.length; i++) {
    if (params[i] === null || params[i] === undefined) continue
    try {
      statement.params.encoders[i]!(params[i], scratch.writer)
    } catch {
      parameter = i + 1
      break
    }
  }
  const oid = parameter !== undefined ? statement.paramTypes[parameter - 1] : undefined
  const detail = cause instanceof Error ? cause.message : String(cause)
  return PgError.make(
    new PgError.EncodeError({
      message: parameter !== undefined
        ? `cannot encode parameter $${parameter}${oid !== undefined ? ` (type ${oid})` : ""}: ${detail}`
        : `cannot encode parameters: ${detail}`,
      cause,
      query: statement.sql,
      ...(parameter !== undefined ? { parameter } : {}),
      ...(oid !== undefined ? { oid } : {})
    })
  )
}
