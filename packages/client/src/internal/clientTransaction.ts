/**
 * Transactions on a reserved connection, and savepoints for nested ones.
 *
 * The top level reserves a connection from the source, runs `BEGIN` (with the isolation level
 * and access mode asked for), runs the effect with the transaction in the client's
 * `Context.Reference` (so every statement of that client inside goes to this connection), then
 * `COMMIT`s on success and `ROLLBACK`s on failure, defect or interruption. Only waiting for the
 * connection, `BEGIN` and the effect itself are interruptible; ending the transaction is not.
 * A connection left in an unknown state (ROLLBACK failed, the socket closed) is invalidated so
 * the source never hands it out again.
 *
 * A nested `withTransaction` runs inside `SAVEPOINT pgfx_<depth>`: success releases it, failure
 * rolls back to it (and releases it) and re-fails, so the outer transaction may catch the error
 * and go on with its own work intact. Nested transactions started from the same level are run
 * one at a time (savepoints are a stack).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import type { PgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { type ClientCore, type TransactionState } from "./clientCore.ts"
import { adopt } from "./typeDiscovery.ts"

/**
 * Isolation levels (`read uncommitted` behaves as `read committed` in PostgreSQL).
 *
 * @category models
 * @since 0.1.0
 */
export type IsolationLevel = "read uncommitted" | "read committed" | "repeatable read" | "serializable"

/**
 * Options of `withTransaction` (top level only: a savepoint inherits its transaction's).
 *
 * @category models
 * @since 0.1.0
 */
export interface TransactionOptions {
  /** `ISOLATION LEVEL …` (default: the session's `default_transaction_isolation`). */
  readonly isolation?: IsolationLevel | undefined
  /** `READ ONLY` (true) or `READ WRITE` (false); default: the session's. */
  readonly readOnly?: boolean | undefined
  /** `DEFERRABLE` (true) or `NOT DEFERRABLE` (false); only matters for serializable read-only. */
  readonly deferrable?: boolean | undefined
}

const isolationLevels: ReadonlySet<string> = new Set(["read uncommitted", "read committed", "repeatable read", "serializable"])

/** The `BEGIN` statement for the options (validated: it is built from fixed keywords only). */
export const beginText = (options: TransactionOptions | undefined): string | PgError.PgError => {
  if (options === undefined) return "BEGIN"
  const modes: Array<string> = []
  if (options.isolation !== undefined) {
    if (!isolationLevels.has(options.isolation)) {
      return PgError.make(
        new PgError.EncodeError({ message: `unknown isolation level ${JSON.stringify(options.isolation)}` })
      )
    }
    modes.push(`ISOLATION LEVEL ${options.isolation.toUpperCase()}`)
  }
  if (options.readOnly !== undefined) modes.push(options.readOnly ? "READ ONLY" : "READ WRITE")
  if (options.deferrable !== undefined) modes.push(options.deferrable ? "DEFERRABLE" : "NOT DEFERRABLE")
  return modes.length === 0 ? "BEGIN" : `BEGIN ${modes.join(", ")}`
}

/** The error of a COMMIT the server answered with `ROLLBACK`. */
export const commitRolledBack = (): PgError.PgError =>
  PgError.make(
    new PgError.InFailedTransaction({
      message: "COMMIT rolled the transaction back: a statement in it had failed (its error was caught and not " +
        "re-raised), so nothing was committed",
      severity: "ERROR",
      code: "25P02",
      condition: "in_failed_sql_transaction",
      className: "Invalid Transaction State"
    })
  )

/** The error of a savepoint whose body swallowed a statement's failure. */
const savepointRolledBack = (): PgError.PgError =>
  PgError.make(
    PgError.serverReason({
      message: "the nested transaction was rolled back to its savepoint: a statement in it had failed (its error " +
        "was caught and not re-raised), so its work is lost; the outer transaction continues",
      severity: "ERROR",
      code: "25P02",
      condition: "in_failed_sql_transaction",
      className: "Invalid Transaction State"
    })
  )

/** `COMMIT`, failing when the server reports that it rolled back instead. */
export const commit = (connection: PgConnection): Effect.Effect<void, PgError.PgError> =>
  Effect.suspend(() =>
    // The effect may have ended the transaction block itself (`PREPARE TRANSACTION`, an explicit
    // COMMIT): there is nothing left to commit, and a COMMIT would only draw a warning.
    connection.transactionStatus === "idle"
      ? Effect.void
      : Effect.flatMap(connection.simple("COMMIT"), (results) =>
        results[0]?.command === "ROLLBACK" ? Effect.fail(commitRolledBack()) : Effect.void)
  )

/**
 * Ends whatever transaction the connection is in with `ROLLBACK`; a connection that cannot be
 * brought back to idle is invalidated. Never fails.
 */
export const rollback = (core: ClientCore, connection: PgConnection): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (!connection.isOpen) return core.source.invalidate(connection)
    return Effect.matchEffect(connection.simple("ROLLBACK"), {
      onFailure: () => core.source.invalidate(connection),
      onSuccess: () => connection.transactionStatus === "idle" ? Effect.void : core.source.invalidate(connection)
    })
  })

/** After a failed BEGIN or COMMIT: make sure no transaction is left open. */
const settle = (core: ClientCore, connection: PgConnection): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (!connection.isOpen) return core.source.invalidate(connection)
    return connection.transactionStatus === "idle" ? Effect.void : rollback(core, connection)
  })

/**
 * `withTransaction` of a client.
 */
export const withTransaction = (core: ClientCore) =>
<A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options?: TransactionOptions
): Effect.Effect<A, E | PgError.PgError, R> =>
  Effect.withFiber((fiber) => {
    const parent = fiber.getRef(core.transaction)
    if (parent !== undefined) return parent.nested.withPermits(1)(savepoint(core, parent, effect))
    const begin = beginText(options)
    if (typeof begin !== "string") return Effect.fail(begin)
    return top(core, effect, begin)
  })

const top = <A, E, R>(
  core: ClientCore,
  effect: Effect.Effect<A, E, R>,
  begin: string
): Effect.Effect<A, E | PgError.PgError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Scope.make(), (scope) => {
      const run = Effect.gen(function*() {
        const connection = yield* restore(Scope.provide(core.source.reserve, scope))
        adopt(core.types, connection)
        const begun = yield* Effect.exit(restore(connection.simple(begin)))
        if (Exit.isFailure(begun)) {
          yield* settle(core, connection)
          return yield* Effect.failCause(begun.cause)
        }
        const state: TransactionState = { connection, depth: 0, nested: Semaphore.makeUnsafe(1) }
        const exit = yield* Effect.exit(restore(Effect.provideService(effect, core.transaction, state)))
        if (Exit.isFailure(exit)) {
          yield* rollback(core, connection)
          return yield* exit
        }
        const committed = yield* Effect.exit(commit(connection))
        if (Exit.isFailure(committed)) {
          yield* settle(core, connection)
          return yield* Effect.failCause(committed.cause)
        }
        return exit.value
      })
      return Effect.onExit(run, (exit) => Scope.close(scope, exit))
    })
  )

const savepoint = <A, E, R>(
  core: ClientCore,
  parent: TransactionState,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | PgError.PgError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const connection = parent.connection
      const depth = parent.depth + 1
      const name = `pgfx_${depth}`
      yield* restore(connection.simple(`SAVEPOINT ${name}`))
      const state: TransactionState = { connection, depth, nested: Semaphore.makeUnsafe(1) }
      const exit = yield* Effect.exit(restore(Effect.provideService(effect, core.transaction, state)))
      if (Exit.isSuccess(exit)) {
        if (connection.transactionStatus !== "failed") {
          yield* connection.simple(`RELEASE SAVEPOINT ${name}`)
          return exit.value
        }
        // The body succeeded but a statement in it failed and its error was caught: the work since
        // the savepoint is lost. Roll back to the savepoint (so the outer transaction can go on)
        // and say so, as a top-level COMMIT that rolled back does.
        yield* connection.simple(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`)
        return yield* Effect.fail(savepointRolledBack())
      }
      // Back to the savepoint: the outer transaction is usable again. If even that fails (the
      // connection broke), the outer transaction fails at its next statement or at COMMIT.
      yield* Effect.ignore(connection.simple(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`))
      return yield* exit
    })
  )

/**
 * The transaction status seen by the current fiber: the transaction connection's status
 * (`transaction`, or `failed` after an error inside it), or `idle` outside any transaction.
 */
export const transactionStatus = (core: ClientCore): Effect.Effect<"idle" | "transaction" | "failed"> =>
  Effect.withFiber((fiber) => Effect.succeed(fiber.getRef(core.transaction)?.connection.transactionStatus ?? "idle"))
