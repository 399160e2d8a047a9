/**
 * `execute`: one statement with bound parameters (extended query protocol). In the prepared mode
 * (the default) the statement comes from the per-connection cache — the hot path of the whole
 * client — and a statement that went stale (DISCARD ALL, DEALLOCATE, a changed result type) is
 * prepared again once, outside a transaction block. The unnamed mode is in executeUnnamed.ts.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as PgBackend from "@pgfx/protocol/PgBackend"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import type { ExecuteOptions } from "../PgConnection.ts"
import * as PgError from "../PgError.ts"
import { writeBindExecuteSync } from "./bindTemplate.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { parameterCountError, parameterError, toEncodeError, tooManyParameters } from "./encodeErrors.ts"
import type { ExecuteUnnamed } from "./executeUnnamed.ts"
import { type PreparedStatement, statementKey } from "./preparedCache.ts"
import { ExecuteRequest, type QueryResult, type Settle } from "./requests.ts"
import type { RowMode } from "./rows.ts"
import type { Request } from "./session.ts"
import type { PreparedWith } from "./statements.ts"
import type { Submission } from "./submission.ts"

/** The fields of a statement that returns no rows (one array, so its row shape is memoised). */
const noFields: ReadonlyArray<PgBackend.FieldDescription> = []
/** Defaults of `execute` (shared, not allocated per call). */
const noParams: ReadonlyArray<unknown> = []
const noOptions: ExecuteOptions = {}

/** `prepared statement "x" does not exist` and `cached plan must not change result type`. */
const isStaleStatement = (error: PgError.PgError): boolean => {
  const r = error.reason
  if (!PgError.isServerErrorReason(r)) return false
  return r.code === "26000" || (r.code === "0A000" && r.message.includes("cached plan must not change result type"))
}

/** The statement is gone from the server (`DEALLOCATE` by hand, a pooler's server switch). */
const isMissing = (error: PgError.PgError): boolean =>
  PgError.isServerErrorReason(error.reason) && error.reason.code === "26000"

/**
 * `execute` for a view of the connection: `held` means the caller holds the exclusive gate.
 *
 * @category models
 * @since 0.1.0
 */
export type ExecuteWith = (
  held: boolean
) => <Row>(
  sql: string,
  params?: ReadonlyArray<unknown>,
  opts?: ExecuteOptions
) => Effect.Effect<QueryResult<Row>, PgError.PgError>

/**
 * Builds `execute` over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeExecuteWith = (
  ctx: ConnectionContext,
  { submit, isStrayCancel, sendWatched }: Submission,
  preparedWith: PreparedWith,
  executeUnnamed: ExecuteUnnamed
): ExecuteWith => {
  const { cache, cacheEnabled, defaultMode, encoder, session, takeBytes, lookupOf } = ctx

  const executeWith = (held: boolean) =>
  <Row>(
    sql: string,
    params: ReadonlyArray<unknown> = noParams,
    opts: ExecuteOptions = noOptions
  ): Effect.Effect<QueryResult<Row>, PgError.PgError> => {
    const rowMode = opts.rowMode ?? "object"
    const mode = opts.mode ?? defaultMode
    if (mode === "unnamed") return executeUnnamed(held, sql, params, opts.paramTypes, rowMode)
    if (params.length > PgFrontend.maxParameters) {
      // Fail before preparing: nothing is sent for a statement that cannot be bound.
      return Effect.fail(tooManyParameters(params.length, sql))
    }
    return cacheEnabled
      ? executeCached(held, sql, params, opts.paramTypes, rowMode)
      : executeUncached(held, sql, params, opts.paramTypes, rowMode)
  }

  /**
   * `execute` in the prepared mode with the statement cache on: the hot path of the whole
   * client, so it is one `Effect.callback` and nothing else. The cache is consulted when the
   * effect runs; a statement found there is executed at once, and the rare outcomes that call
   * for more work — a stray cancel to retry, a stale statement to prepare again — are decided
   * when the request settles, by resuming the fiber with that work (the same decisions, in the
   * same order, as `submit` and `executeUncached` make). A statement not cached yet takes the
   * general path, `executeUncached`.
   */
  const executeCached = <Row>(
    held: boolean,
    sql: string,
    params: ReadonlyArray<unknown>,
    paramTypes: ReadonlyArray<number> | undefined,
    rowMode: RowMode
  ): Effect.Effect<QueryResult<Row>, PgError.PgError> =>
    Effect.callback<QueryResult<Row>, PgError.PgError>((resume) => {
      const statement = cache.get(statementKey(sql, paramTypes))
      if (statement === undefined) {
        resume(executeUncached(held, sql, params, paramTypes, rowMode))
        return
      }
      let request: Request | undefined = undefined
      const settle: Settle<QueryResult> = (result) => {
        if (result._tag === "Success") {
          resume(Effect.succeed(result.value))
        } else if (isStrayCancel(result.error, request)) {
          // As `submit`: once more — and a stale statement found by that run is still handled.
          resume(onStale(executePrepared(held, statement, params, rowMode, false), () => statement, sql, paramTypes, params, rowMode, held))
        } else if (isRecoverableStale(result.error)) {
          const error = result.error
          resume(Effect.suspend(() => prepareAgain(error, statement, sql, paramTypes, params, rowMode, held)))
        } else {
          resume(Effect.fail(result.error))
        }
      }
      try {
        request = executeRequest(statement, params, rowMode, settle)
      } catch (cause) {
        resume(Effect.fail(toEncodeError(cause, sql)))
        return
      }
      return sendWatched(request, held)
    })

  /** `execute` in the prepared mode through `preparedWith` (a statement not cached yet, or no cache). */
  const executeUncached = <Row>(
    held: boolean,
    sql: string,
    params: ReadonlyArray<unknown>,
    paramTypes: ReadonlyArray<number> | undefined,
    rowMode: RowMode
  ): Effect.Effect<QueryResult<Row>, PgError.PgError> => {
    /** The statement of the latest attempt (to close it when its result type changed). */
    let used: PreparedStatement | undefined = undefined
    const run = Effect.flatMap(preparedWith(held)(sql, paramTypes), (statement) => {
      used = statement
      return executePrepared(held, statement, params, rowMode)
    })
    return onStale(run, () => used, sql, paramTypes, params, rowMode, held)
  }

  const executePrepared = (
    held: boolean,
    statement: PreparedStatement,
    params: ReadonlyArray<unknown>,
    rowMode: RowMode,
    retryStray = true
  ): Effect.Effect<QueryResult, PgError.PgError> =>
    submit<QueryResult>((settle) => executeRequest(statement, params, rowMode, settle), held, retryStray)

  /** The request executing a prepared statement (throws a `PgError` when `params` do not fit). */
  const executeRequest = (
    statement: PreparedStatement,
    params: ReadonlyArray<unknown>,
    rowMode: RowMode,
    settle: Settle<QueryResult>
  ): ExecuteRequest => {
    if (params.length !== statement.paramTypes.length) throw parameterCountError(statement, params.length, statement.sql)
    const bytes = encodeExecute(statement, params)
    return new ExecuteRequest(bytes, settle, statement.sql, lookupOf, rowMode, statement.boundFields ?? noFields)
  }

  /**
   * Bind + Execute + Sync of a prepared statement, from its prebuilt Bind template (no
   * per-call validation of names and format lists, no closure). When a value fails to encode,
   * the partial message is dropped and the statement encoded again with the validating encoder,
   * which throws the detailed error.
   */
  const encodeExecute = (statement: PreparedStatement, params: ReadonlyArray<unknown>): Uint8Array => {
    if (params.length === 0 && statement.params.formats.length === 0) {
      return statement.noParamsBytes ??= encodeBindExecute(statement, params)
    }
    return encodeBindExecute(statement, params)
  }

  const encodeBindExecute = (statement: PreparedStatement, params: ReadonlyArray<unknown>): Uint8Array => {
    const mark = encoder.mark()
    try {
      writeBindExecuteSync(encoder.writer, statement.bind, params)
      return encoder.take()
    } catch {
      encoder.rollback(mark)
    }
    return takeBytes(() => {
      try {
        encoder.bind("", statement.name, statement.params.formats, params, statement.resultFormats, statement.params.encoders)
      } catch (cause) {
        throw parameterError(cause, statement, params)
      }
      encoder.execute("", 0)
      encoder.sync()
    })
  }

  /**
   * The statement vanished (DISCARD ALL, DEALLOCATE) or its result type changed: prepare it
   * again once. Only outside a transaction block, where the failure changed nothing.
   */
  const isRecoverableStale = (error: PgError.PgError): boolean =>
    isStaleStatement(error) && session.transactionStatus === "I"

  /** Recovers from a stale statement (see {@link isRecoverableStale}) by preparing it again. */
  const onStale = <Row>(
    effect: Effect.Effect<QueryResult, PgError.PgError>,
    used: () => PreparedStatement | undefined,
    sql: string,
    paramTypes: ReadonlyArray<number> | undefined,
    params: ReadonlyArray<unknown>,
    rowMode: RowMode,
    held: boolean
  ): Effect.Effect<QueryResult<Row>, PgError.PgError> =>
    Effect.catchIf(
      effect,
      isRecoverableStale,
      (error) => prepareAgain(error, used(), sql, paramTypes, params, rowMode, held)
    )

  /** See {@link isRecoverableStale}: forgets `used` and prepares + executes once more. */
  const prepareAgain = (
    error: PgError.PgError,
    used: PreparedStatement | undefined,
    sql: string,
    paramTypes: ReadonlyArray<number> | undefined,
    params: ReadonlyArray<unknown>,
    rowMode: RowMode,
    held: boolean
  ): Effect.Effect<QueryResult, PgError.PgError> => {
    // `DISCARD ALL` / `DEALLOCATE ALL` emptied the cache when they completed (the session's
    // `onStatementsDiscarded`). Another missing statement — a `DEALLOCATE name` by hand, or a
    // pooler that moved the session to another server, where none exists — empties it too, so
    // no later statement fails the same way (inside a transaction that would be the user's
    // error); the others are Closed (not an error for a name the server does not have).
    if (isMissing(error)) {
      for (const statement of cache.takeAll()) {
        if (statement !== used) ctx.pendingCloses.push(statement.name)
      }
    } else if (used !== undefined && cache.remove(statementKey(sql, paramTypes), used)) {
      // Still on the server: close it with the next request (unless another fiber already
      // replaced it in the cache, in which case that fiber closed it).
      ctx.pendingCloses.push(used.name)
    }
    return Effect.flatMap(preparedWith(held)(sql, paramTypes), (statement) => executePrepared(held, statement, params, rowMode))
  }

  return executeWith
}
