/**
 * Large-object descriptors: the server-side `lo_*` functions over one connection in a
 * transaction, with bound parameters, and the guard that keeps a descriptor from ever touching
 * another transaction.
 *
 * **Sessions.** A descriptor (`lo_open`) lives until the end of the transaction that opened it,
 * so every descriptor belongs to a {@link Session}: the caller's transaction (its connection,
 * taken through the client so that it follows the current transaction), or a transaction opened
 * here on a reserved connection and ended with the Scope.
 *
 * **The guard.** Descriptors are small integers numbered from 0 in every transaction, so a
 * descriptor kept past its transaction could name another large object opened later on the same
 * connection. Each call therefore checks, in the statement itself, that it runs on the connection
 * and in the transaction that opened the descriptor: `lo_open` also returns the transaction's
 * start time in microseconds (`transaction_timestamp()`, fixed for a transaction and distinct
 * between two transactions of one session), and every later call runs
 * `case when <that time> = $1 then loread(…) end`: a NULL answer means the transaction has
 * ended. No extra round trip.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { ExecutionMode, PgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgSqlState from "@pgfx/protocol/PgSqlState"
import type { PgClient } from "../PgClient.ts"

/** `INV_WRITE` of `libpq-fs.h`. */
export const INV_WRITE = 0x20000
/** `INV_READ` of `libpq-fs.h`. */
export const INV_READ = 0x40000

/** How a large object is opened. */
export type Mode = "read" | "write" | "readwrite"

/** Where `seek` counts from: `SEEK_SET`, `SEEK_CUR`, `SEEK_END`. */
export type Whence = "start" | "current" | "end"

const modeFlags: Readonly<Record<Mode, number>> = { read: INV_READ, write: INV_WRITE, readwrite: INV_READ | INV_WRITE }
const whenceCodes: Readonly<Record<Whence, number>> = { start: 0, current: 1, end: 2 }

/** The largest large object PostgreSQL stores (4 TB), and so the largest position. */
export const maxPosition = 4 * 1024 ** 4

/** Bytes one `lowrite` of `Descriptor.write` sends at most. */
export const writePiece = 1024 * 1024

/** Bytes one `loread` / `lowrite` moves at most (a statement's bytea stays well below 1 GB). */
export const maxChunk = 64 * 1024 * 1024

// -------------------------------------------------------------------------------------------------
// errors

/** A client-side error shaped like the server's, with the SQLSTATE's condition and class. */
export const stateError = (code: string, message: string): PgError.PgError =>
  PgError.make(
    PgError.serverReason({
      message,
      severity: "ERROR",
      code,
      condition: PgSqlState.conditionName(code) ?? "",
      className: PgSqlState.className(code) ?? ""
    })
  )

/** An argument refused before anything is sent. */
export const argumentError = (message: string): PgError.PgError => PgError.make(new PgError.EncodeError({ message }))

/** `operation` needs a transaction and the fiber is in none (SQLSTATE 25P01). */
export const notInTransaction = (operation: string): PgError.PgError =>
  stateError(
    "25P01",
    `${operation}: large-object descriptors only exist inside a transaction: run it inside sql.withTransaction(…)`
  )

const otherTransaction = (): PgError.PgError =>
  stateError(
    "25000",
    "large object: the fiber is not in the transaction that opened this descriptor (descriptors are closed at the " +
      "end of the transaction that opened them): open the large object in a Scope inside the transaction that uses it"
  )

const staleDescriptor = (oid: number): PgError.PgError =>
  stateError(
    "25000",
    `large object ${oid}: its descriptor belonged to a transaction that has ended (descriptors are closed at the ` +
      `end of the transaction that opened them): open the large object in a Scope inside the transaction that uses it`
  )

const closedDescriptor = (oid: number): PgError.PgError =>
  stateError("42704", `large object ${oid}: the handle is closed`)

// -------------------------------------------------------------------------------------------------
// validation

/** A problem with an OID argument, or undefined. `zero` allows 0 ("let the server choose"). */
export const oidProblem = (oid: unknown, zero: boolean): string | undefined =>
  typeof oid === "number" && Number.isInteger(oid) && oid >= (zero ? 0 : 1) && oid <= 0xffffffff
    ? undefined
    : `${String(oid)} is not a large-object OID (an integer from ${zero ? 0 : 1} to 4294967295)`

/** A problem with a byte count or position argument, or undefined. */
export const countProblem = (name: string, n: unknown, min: number, max: number): string | undefined =>
  typeof n === "number" && Number.isSafeInteger(n) && n >= min && n <= max
    ? undefined
    : `${name} must be an integer from ${min} to ${max} (got ${String(n)})`

/** Fails with an `EncodeError` when `problem` is set. */
export const check = (problem: string | undefined, operation: string): Effect.Effect<void, PgError.PgError> =>
  problem === undefined ? Effect.void : Effect.fail(argumentError(`${operation}: ${problem}`))

// -------------------------------------------------------------------------------------------------
// sessions

/** Runs `f` on the session's connection (or fails if the fiber has left the session). */
export type Runner = <A>(f: (connection: PgConnection) => Effect.Effect<A, PgError.PgError>) => Effect.Effect<A, PgError.PgError>

/** A connection in a transaction, on which descriptors are opened. */
export interface Session {
  readonly run: Runner
  /** Whether the transaction was opened here (and ends with the Scope). */
  readonly own: boolean
  /** Ends a transaction opened here with `COMMIT`; nothing for the caller's transaction. */
  readonly commit: Effect.Effect<void, PgError.PgError>
  /** The execution mode for statements: the client's (unnamed for a simple-mode client). */
  readonly mode: ExecutionMode | undefined
}

/** The execution mode of the client's statements with parameters. */
export const modeOf = (sql: PgClient.Service): ExecutionMode | undefined => sql.mode === "prepared" ? undefined : "unnamed"

/**
 * The caller's transaction as a session: its connection, and a runner that refuses to run when
 * the fiber is no longer in that transaction's connection (the statement guard covers the rest).
 * Fails with 25P01 outside a transaction.
 */
export const callerSession = (sql: PgClient.Service, operation: string): Effect.Effect<Session, PgError.PgError> =>
  Effect.flatMap(sql.transactionStatus, (status) => {
    if (status === "idle") return Effect.fail(notInTransaction(operation))
    return sql.withConnection((connection) =>
      Effect.succeed<Session>({
        run: (f) => sql.withConnection((current) => current === connection ? f(current) : Effect.fail(otherTransaction())),
        own: false,
        commit: Effect.void,
        mode: modeOf(sql)
      })
    )
  })

/** `COMMIT`, failing when the server answers that it rolled back instead. */
const commit = (connection: PgConnection): Effect.Effect<void, PgError.PgError> =>
  Effect.flatMap(connection.simple("COMMIT"), (results) =>
    results[0]?.command === "ROLLBACK"
      ? Effect.fail(stateError("25P02", "COMMIT rolled the transaction back: a statement in it had failed, so nothing was committed"))
      : Effect.void)

/** Leaves the connection idle (`ROLLBACK` when a transaction is still open), or invalidates it. */
const settle = (sql: PgClient.Service, connection: PgConnection): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (!connection.isOpen) return sql.invalidate(connection)
    if (connection.transactionStatus === "idle") return Effect.void
    return Effect.matchEffect(connection.simple("ROLLBACK"), {
      onFailure: () => sql.invalidate(connection),
      onSuccess: () => connection.transactionStatus === "idle" ? Effect.void : sql.invalidate(connection)
    })
  })

/**
 * A transaction of its own (`begin`, e.g. `BEGIN READ ONLY`) on a connection reserved from the
 * client until the Scope closes. Closing the Scope rolls back whatever `commit` has not
 * committed; a connection that cannot be brought back to idle is invalidated.
 */
export const ownSession = (sql: PgClient.Service, begin: string): Effect.Effect<Session, PgError.PgError, Scope.Scope> =>
  Effect.gen(function*() {
    const connection = yield* sql.reserve
    yield* Effect.acquireRelease(
      Effect.onError(connection.simple(begin), () => settle(sql, connection)),
      () => settle(sql, connection)
    )
    return {
      run: (f) => f(connection),
      own: true,
      commit: commit(connection),
      mode: modeOf(sql)
    }
  })

/**
 * The caller's transaction when the fiber is in one, else a transaction of its own (see
 * {@link ownSession}).
 */
export const anySession = (sql: PgClient.Service, begin: string): Effect.Effect<Session, PgError.PgError, Scope.Scope> =>
  Effect.flatMap(sql.transactionStatus, (status) => status === "idle" ? ownSession(sql, begin) : callerSession(sql, "large object"))

// -------------------------------------------------------------------------------------------------
// descriptors

/** Microseconds since the epoch at which the current transaction started. */
const txKey = "(extract(epoch from transaction_timestamp()) * 1000000)::int8"
const guarded = (call: string): string => `select case when ${txKey} = $1 then ${call} end`

const openText = `select lo_open($1, $2), ${txKey}`
const readText = guarded("loread($2, $3)")
const writeText = guarded("lowrite($2, $3)")
const seekText = guarded("lo_lseek64($2, $3, $4)")
const tellText = guarded("lo_tell64($2)")
const truncateText = guarded("lo_truncate64($2, $3)")
const closeText = guarded("lo_close($2)")

const guardTypes = [Oid.int8, Oid.int4] as const

const toNumber = (v: unknown): number => typeof v === "bigint" ? Number(v) : v as number

/** An open descriptor of one large object in one session. */
export class Descriptor {
  readonly session: Session
  readonly oid: number
  readonly fd: number
  readonly mode: Mode
  /** The opening transaction's start time (µs), checked by every call. */
  readonly tx: bigint
  closed = false

  constructor(session: Session, oid: number, fd: number, mode: Mode, tx: bigint) {
    this.session = session
    this.oid = oid
    this.fd = fd
    this.mode = mode
    this.tx = tx
  }

  /** Runs one guarded call; `params` / `types` follow the descriptor (`$3…`). Fails once closed. */
  call(text: string, params: ReadonlyArray<unknown>, types: ReadonlyArray<number>): Effect.Effect<unknown, PgError.PgError> {
    return Effect.suspend(() => this.closed ? Effect.fail(closedDescriptor(this.oid)) : this.callAnyway(text, params, types))
  }

  private callAnyway(text: string, params: ReadonlyArray<unknown>, types: ReadonlyArray<number>): Effect.Effect<unknown, PgError.PgError> {
    const mode = this.session.mode
    return this.session.run((connection) =>
      Effect.flatMap(
        connection.execute<ReadonlyArray<unknown>>(text, [this.tx, this.fd, ...params], {
          paramTypes: [...guardTypes, ...types],
          rowMode: "array",
          mode
        }),
        (result) => {
          const value = result.rows[0]?.[0]
          return value === null || value === undefined ? Effect.fail(staleDescriptor(this.oid)) : Effect.succeed(value)
        }
      )
    )
  }

  /** Up to `n` bytes from the current position (fewer only at the end). */
  read(n: number): Effect.Effect<Uint8Array, PgError.PgError> {
    return Effect.andThen(
      check(countProblem("read length", n, 0, maxChunk), "read"),
      this.call(readText, [n], [Oid.int4]) as Effect.Effect<Uint8Array, PgError.PgError>
    )
  }

  /**
   * Writes `bytes` at the current position, in statements of at most `piece` bytes (the
   * connection's encoder keeps the storage of its largest message: keep them small).
   */
  write(bytes: Uint8Array, piece: number = writePiece): Effect.Effect<number, PgError.PgError> {
    return Effect.suspend(() => {
      if (!(bytes instanceof Uint8Array)) return Effect.fail(argumentError("write: expected a Uint8Array"))
      if (bytes.length <= piece) return Effect.as(this.call(writeText, [bytes], [Oid.bytea]), bytes.length)
      const from = (at: number): Effect.Effect<number, PgError.PgError> =>
        at >= bytes.length
          ? Effect.succeed(bytes.length)
          : Effect.andThen(
            this.call(writeText, [bytes.subarray(at, Math.min(at + piece, bytes.length))], [Oid.bytea]),
            Effect.suspend(() => from(at + piece))
          )
      return from(0)
    })
  }

  /** Moves the position; returns the new one. */
  seek(offset: number, whence: Whence): Effect.Effect<number, PgError.PgError> {
    return Effect.suspend(() => {
      const code = whenceCodes[whence]
      if (code === undefined) return Effect.fail(argumentError(`seek: unknown whence ${JSON.stringify(whence)}`))
      const problem = countProblem("seek offset", offset, whence === "start" ? 0 : -maxPosition, maxPosition)
      if (problem !== undefined) return Effect.fail(argumentError(`seek: ${problem}`))
      return Effect.map(this.call(seekText, [offset, code], [Oid.int8, Oid.int4]), toNumber)
    })
  }

  /** The current position. */
  get tell(): Effect.Effect<number, PgError.PgError> {
    return Effect.map(this.call(tellText, [], []), toNumber)
  }

  /** Cuts (or zero-extends) the object to `length` bytes; the position does not move. */
  truncate(length: number): Effect.Effect<void, PgError.PgError> {
    return Effect.andThen(
      check(countProblem("truncate length", length, 0, maxPosition), "truncate"),
      Effect.asVoid(this.call(truncateText, [length], [Oid.int8]))
    )
  }

  /** `lo_close`, once; later calls fail as closed. */
  get close(): Effect.Effect<void, PgError.PgError> {
    return Effect.suspend(() => {
      if (this.closed) return Effect.void
      this.closed = true
      return Effect.asVoid(this.callAnyway(closeText, [], []))
    })
  }
}

/**
 * Opens `oid` in `session` with `lo_open`; the descriptor is closed when the Scope closes
 * (unless the session is a transaction of its own, whose end closes it anyway).
 */
export const open = (
  session: Session,
  oid: number,
  mode: Mode
): Effect.Effect<Descriptor, PgError.PgError, Scope.Scope> =>
  Effect.suspend(() => {
    const flags = modeFlags[mode]
    if (flags === undefined) return Effect.fail(argumentError(`open: unknown mode ${JSON.stringify(mode)} (read, write or readwrite)`))
    const problem = oidProblem(oid, false)
    if (problem !== undefined) return Effect.fail(argumentError(`open: ${problem}`))
    const acquire = session.run((connection) =>
      Effect.map(
        connection.execute<ReadonlyArray<unknown>>(openText, [oid, flags], {
          paramTypes: [Oid.oid, Oid.int4],
          rowMode: "array",
          mode: session.mode
        }),
        (result) => {
          const row = result.rows[0]!
          return new Descriptor(session, oid, row[0] as number, mode, row[1] as bigint)
        }
      )
    )
    return session.own
      ? acquire
      : Effect.acquireRelease(acquire, (descriptor) => Effect.ignore(descriptor.close))
  })

/** Runs a plain statement (no descriptor) in `session`; the first column of the first row. */
export const value = (
  session: Session,
  text: string,
  params: ReadonlyArray<unknown>,
  types: ReadonlyArray<number>
): Effect.Effect<unknown, PgError.PgError> =>
  session.run((connection) =>
    Effect.map(
      connection.execute<ReadonlyArray<unknown>>(text, params, { paramTypes: types, rowMode: "array", mode: session.mode }),
      (result) => result.rows[0]?.[0]
    )
  )
