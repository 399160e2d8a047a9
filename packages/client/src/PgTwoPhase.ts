/**
 * Two-phase commit: prepare a transaction under a global identifier (gid), then commit or roll
 * it back later — from any connection to the same database, even after the preparing session
 * ended or the server restarted — and list the transactions still pending.
 *
 * This is the participant side of a distributed transaction (XA-style): a coordinator prepares
 * its work on every participant, and only when all of them prepared does it commit them all
 * (otherwise it rolls back the prepared ones). A prepared transaction is durable: it survives
 * connection loss, crashes and restarts.
 *
 * **Server setting.** PostgreSQL ships with `max_prepared_transactions = 0`, which disables
 * `PREPARE TRANSACTION`; set it to at least the number of transactions that may be prepared at
 * once (it needs a restart). On a server where it is 0, {@link prepare} fails with the server's
 * SQLSTATE `55000` and a message saying so.
 *
 * **Global identifiers.** `PREPARE TRANSACTION`, `COMMIT PREPARED` and `ROLLBACK PREPARED` take
 * the gid as a string literal — it cannot be a bound parameter — so it is validated strictly
 * ({@link gidProblem}: non-empty, well-formed Unicode, no NUL, less than 200 bytes in UTF-8) and
 * quoted by {@link quoteGid} (quotes doubled, and backslashes too in an `E'…'` literal, so the
 * result is safe whatever `standard_conforming_strings` says). An invalid gid fails with reason
 * `EncodeError` before anything is sent.
 *
 * **Gotchas**
 * - A prepared transaction keeps its locks and holds back VACUUM until it is finished: always
 *   commit or roll back what you prepare, and have recovery look for leftovers with
 *   {@link listPrepared} (after a crash of the coordinator, for instance).
 * - The server refuses to prepare a transaction that used temporary tables, `WITH HOLD`
 *   cursors, `LISTEN`/`UNLISTEN`/`NOTIFY` or exported snapshots.
 * - `COMMIT PREPARED` / `ROLLBACK PREPARED` cannot run inside a transaction block: called
 *   inside `sql.withTransaction` they fail with SQLSTATE `25001` before anything is sent. They
 *   must run in the database where the transaction was prepared.
 * - If the fiber is interrupted (or the connection is lost) while `PREPARE TRANSACTION` runs,
 *   whether the transaction was prepared is unknown to the caller: a coordinator records the
 *   gid before preparing and resolves such cases with {@link listPrepared}.
 *
 * **Example** (One participant)
 *
 * ```ts
 * import { Effect } from "effect"
 * import { PgClient, PgTwoPhase } from "@pgfx/client"
 *
 * const program = Effect.gen(function*() {
 *   const sql = yield* PgClient
 *   const gid = `transfer-${transferId}`
 *   yield* PgTwoPhase.prepare(sql, gid, sql`update accounts set balance = balance - ${amount} where id = ${from}`)
 *   // … once every participant has prepared:
 *   yield* PgTwoPhase.commitPrepared(sql, gid)
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as PgError from "@pgfx/connection/PgError"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgSqlState from "@pgfx/protocol/PgSqlState"
import type { PgClient, TransactionOptions } from "./PgClient.ts"

/**
 * The longest gid PostgreSQL accepts, in UTF-8 bytes (`GIDSIZE` is 200 with the terminating NUL).
 *
 * @category constants
 * @since 0.1.0
 */
export const maxGidBytes = 199

/**
 * Why `gid` cannot be a global transaction identifier, or `undefined` when it can: it must be a
 * non-empty string of well-formed Unicode (no lone surrogates, which UTF-8 cannot carry) without
 * NUL characters, of at most {@link maxGidBytes} bytes in UTF-8.
 *
 * @category validation
 * @since 0.1.0
 */
export const gidProblem = (gid: unknown): string | undefined => {
  if (typeof gid !== "string") return `a transaction identifier must be a string (got ${typeof gid})`
  if (gid.length === 0) return "a transaction identifier cannot be empty"
  let bytes = 0
  for (let i = 0; i < gid.length; i++) {
    const c = gid.charCodeAt(i)
    if (c === 0) return `a transaction identifier cannot contain NUL (at index ${i})`
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < gid.length ? gid.charCodeAt(i + 1) : 0
      if (next < 0xdc00 || next > 0xdfff) return `a transaction identifier must be well-formed Unicode (lone surrogate at index ${i})`
      bytes += 4
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return `a transaction identifier must be well-formed Unicode (lone surrogate at index ${i})`
    } else bytes += 3
  }
  if (bytes > maxGidBytes) return `a transaction identifier must be at most ${maxGidBytes} bytes in UTF-8 (got ${bytes})`
  return undefined
}

/**
 * The gid as an SQL string literal for `PREPARE TRANSACTION` / `COMMIT PREPARED` /
 * `ROLLBACK PREPARED`, after {@link gidProblem} found nothing wrong: `'…'` with quotes doubled,
 * or `E'…'` with quotes and backslashes doubled when it holds a backslash (so the literal means
 * the same whatever `standard_conforming_strings` is). Fails with reason `EncodeError`.
 *
 * @category validation
 * @since 0.1.0
 */
export const quoteGid = (gid: string): Result.Result<string, PgError.PgError> => {
  const problem = gidProblem(gid)
  if (problem !== undefined) return Result.fail(PgError.make(new PgError.EncodeError({ message: problem })))
  const quoted = gid.replaceAll("'", "''")
  return Result.succeed(gid.includes("\\") ? `E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`)
}

const quoted = (gid: string): Effect.Effect<string, PgError.PgError> => Effect.suspend(() => Effect.fromResult(quoteGid(gid)))

const stateError = (code: string, message: string): PgError.PgError =>
  PgError.make(
    PgError.serverReason({
      message,
      severity: "ERROR",
      code,
      condition: PgSqlState.conditionName(code) ?? "",
      className: PgSqlState.className(code) ?? ""
    })
  )

const isDisabled = (error: PgError.PgError): boolean => {
  const reason = error.reason
  if (!PgError.isServerErrorReason(reason) || reason.code !== "55000") return false
  return reason.message.includes("prepared transactions are disabled") || (reason.hint ?? "").includes("max_prepared_transactions")
}

/** The server's "prepared transactions are disabled", with a message that says what to do. */
const disabled = (error: PgError.PgError): PgError.PgError => {
  const reason = error.reason as PgError.ServerError
  const fields: Record<string, unknown> = {}
  for (const key of Object.keys(PgError.ServerErrorFields)) {
    const v = (reason as unknown as Record<string, unknown>)[key]
    if (v !== undefined) fields[key] = v
  }
  return PgError.make(
    PgError.serverReason({
      ...(fields as PgError.ServerErrorInit),
      message: "prepared transactions are disabled on this server (max_prepared_transactions = 0): two-phase commit " +
        "needs max_prepared_transactions set to at least the number of transactions that may be prepared at once " +
        "(a server setting; changing it needs a restart)",
      cause: reason
    })
  )
}

/** Fails with 25001 when the fiber is in a transaction of the client. */
const requireIdle = (sql: PgClient.Service, message: string): Effect.Effect<void, PgError.PgError> =>
  Effect.flatMap(sql.transactionStatus, (status) => status === "idle" ? Effect.void : Effect.fail(stateError("25001", message)))

/**
 * Runs `effect` in a transaction (on a connection reserved from the client, with `options` as
 * in `sql.withTransaction`) and ends it with `PREPARE TRANSACTION gid` instead of `COMMIT`.
 * Statements of `sql` inside run in that transaction. Succeeds with the effect's value once the
 * transaction is prepared: its work is then durable but invisible to others until
 * {@link commitPrepared}, and undone by {@link rollbackPrepared}.
 *
 * **Details**
 * - A failing, dying or interrupted effect rolls the transaction back: nothing is prepared.
 * - A statement of the effect that failed (its error caught) makes the server roll back
 *   instead of preparing: `prepare` then fails with reason `InFailedTransaction`.
 * - A gid already in use fails with the server's `42710`; too many prepared transactions with
 *   `53400`; prepared transactions disabled with `55000` (see the module header).
 * - Must be called outside `sql.withTransaction` (a transaction cannot be prepared from inside
 *   another): inside one it fails with SQLSTATE `25001`.
 * - The client's transaction machinery still sends its `COMMIT` after the `PREPARE`, which the
 *   server answers with the warning "there is no transaction in progress" (a notice, logged at
 *   debug level by default).
 *
 * @category two-phase commit
 * @since 0.1.0
 */
export const prepare = <A, E, R>(
  sql: PgClient.Service,
  gid: string,
  effect: Effect.Effect<A, E, R>,
  options?: TransactionOptions
): Effect.Effect<A, E | PgError.PgError, R> =>
  Effect.flatMap(quoted(gid), (literal) =>
    Effect.andThen(
      requireIdle(
        sql,
        "PgTwoPhase.prepare cannot run inside a transaction block: it runs its own transaction — call it outside sql.withTransaction"
      ),
      sql.withTransaction(Effect.tap(effect, () => prepareTransaction(sql, literal)), options)
    ))

const prepareTransaction = (sql: PgClient.Service, literal: string): Effect.Effect<void, PgError.PgError> =>
  sql.simple(`PREPARE TRANSACTION ${literal}`).pipe(
    Effect.mapError((error) => isDisabled(error) ? disabled(error) : error),
    Effect.flatMap((results) =>
      results[0]?.command === "ROLLBACK"
        ? Effect.fail(PgError.make(
          new PgError.InFailedTransaction({
            message: "PREPARE TRANSACTION rolled the transaction back: a statement in it had failed (its error was " +
              "caught and not re-raised), so nothing was prepared",
            severity: "ERROR",
            code: "25P02",
            condition: "in_failed_sql_transaction",
            className: "Invalid Transaction State"
          })
        ))
        : Effect.void
    )
  )

const finish = (verb: "COMMIT PREPARED" | "ROLLBACK PREPARED", name: string) =>
(sql: PgClient.Service, gid: string): Effect.Effect<void, PgError.PgError> =>
  Effect.flatMap(quoted(gid), (literal) =>
    Effect.andThen(
      requireIdle(sql, `${verb} cannot run inside a transaction block: call PgTwoPhase.${name} outside sql.withTransaction`),
      Effect.asVoid(sql.simple(`${verb} ${literal}`))
    ))

/**
 * Commits a prepared transaction (`COMMIT PREPARED gid`), from any session of the database it
 * was prepared in (as its owner or a superuser).
 *
 * **Gotchas**
 * - Fails with the server's `42704` when no transaction is prepared under `gid` (it was already
 *   finished, or never prepared); with `0A000` from another database.
 * - Cannot run inside `sql.withTransaction` (SQLSTATE `25001`, nothing sent).
 *
 * @category two-phase commit
 * @since 0.1.0
 */
export const commitPrepared: (sql: PgClient.Service, gid: string) => Effect.Effect<void, PgError.PgError> = finish(
  "COMMIT PREPARED",
  "commitPrepared"
)

/**
 * Rolls back a prepared transaction (`ROLLBACK PREPARED gid`); see {@link commitPrepared} for
 * where it may run and how it fails.
 *
 * @category two-phase commit
 * @since 0.1.0
 */
export const rollbackPrepared: (sql: PgClient.Service, gid: string) => Effect.Effect<void, PgError.PgError> = finish(
  "ROLLBACK PREPARED",
  "rollbackPrepared"
)

/**
 * A transaction prepared and not yet finished (a row of `pg_prepared_xacts`).
 *
 * @category models
 * @since 0.1.0
 */
export interface PreparedTransaction {
  /** The global transaction identifier. */
  readonly gid: string
  /** When it was prepared (millisecond precision). */
  readonly preparedAt: DateTime.Utc
  /** The role that prepared it. */
  readonly owner: string
  /** The database it was prepared in (where it must be finished). */
  readonly database: string
  /** Its transaction ID (`xid`). */
  readonly transaction: number
}

/**
 * Options of {@link listPrepared}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ListOptions {
  /** Only gids starting with this prefix (default: all). */
  readonly prefix?: string | undefined
  /** List every database's prepared transactions, not only the current database's (default false). */
  readonly allDatabases?: boolean | undefined
}

const listText = `select gid, floor(extract(epoch from prepared) * 1000)::float8, owner, database, transaction
from pg_prepared_xacts
where ($1 or database = current_database()) and starts_with(gid, $2)
order by prepared, gid`

/**
 * The transactions prepared and not yet finished, oldest first: by default those of the current
 * database (the ones this client can finish). Runs in the current transaction, if any.
 *
 * @category two-phase commit
 * @since 0.1.0
 */
export const listPrepared = (
  sql: PgClient.Service,
  options?: ListOptions
): Effect.Effect<ReadonlyArray<PreparedTransaction>, PgError.PgError> =>
  Effect.map(
    sql.execute<readonly [string, number, string, string, number]>(
      listText,
      [options?.allDatabases === true, options?.prefix ?? ""],
      { paramTypes: [Oid.bool, Oid.text], rowMode: "array", mode: sql.mode === "prepared" ? undefined : "unnamed" }
    ),
    (result) =>
      result.rows.map(([gid, ms, owner, database, transaction]) => ({
        gid,
        preparedAt: DateTime.makeUnsafe(ms),
        owner,
        database,
        transaction
      }))
  )
