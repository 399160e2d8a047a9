/**
 * Large objects: values of up to 4 TB stored in `pg_largeobject` and named by an OID, read and
 * written piecewise through descriptors — as scoped handles, as a `Stream` of chunks and as a
 * `Sink`, with memory bounded by one chunk whatever the object's size.
 *
 * Everything runs on the server-side `lo_*` functions with bound parameters, through the client,
 * so it follows the current transaction.
 *
 * **Transactions.** A large-object descriptor only lives until the end of the transaction that
 * opened it, so:
 * - {@link open} needs a transaction: call it inside `sql.withTransaction`, in a Scope that ends
 *   inside that transaction. Outside one it fails with a `PgError` whose reason is a
 *   `ServerError` with SQLSTATE `25P01` (`no_active_sql_transaction`), before anything is sent.
 * - {@link readStream} and {@link writeSink} run in the current transaction when there is one;
 *   otherwise each opens a transaction of its own on a connection reserved from the client, for
 *   the stream's or sink's lifetime: a read sees one consistent snapshot; a write is atomic —
 *   committed when the input stream ends, rolled back (a new object included) when it fails or
 *   is interrupted.
 * - {@link create}, {@link unlink}, {@link fromBytes}, {@link toBytes} and {@link exists} are
 *   single statements: they run anywhere (in the current transaction, if any).
 *
 * **Handles cannot stray.** Descriptors are small integers that the server numbers from 0 in
 * every transaction, so a descriptor kept after its transaction ended could name another large
 * object opened later on the same connection. Every call of a handle checks, inside its own
 * statement, that it runs in the transaction that opened it; if not, it fails with SQLSTATE
 * `25000` (`invalid_transaction_state`) and touches nothing. A closed handle fails with `42704`.
 *
 * **Interruption.** Interrupting a call cancels its statement (the connection stays usable).
 * Inside your own transaction, a statement cancelled mid-way fails that transaction, as any
 * cancelled statement does; a stream or sink with a transaction of its own rolls it back.
 *
 * **Example** (Store a file, read it back)
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { PgClient, PgLargeObject } from "@pgfx/client"
 *
 * const program = Effect.gen(function*() {
 *   const sql = yield* PgClient
 *   // written in 256 KiB statements, in a transaction of its own
 *   const { oid, bytes } = yield* Stream.run(fileChunks, PgLargeObject.writeSink(sql, "new"))
 *   // read back in 256 KiB chunks
 *   yield* PgLargeObject.readStream(sql, oid).pipe(Stream.run(destination))
 *   // random access inside a transaction
 *   yield* sql.withTransaction(Effect.scoped(Effect.gen(function*() {
 *     const lo = yield* PgLargeObject.open(sql, oid, "readwrite")
 *     yield* lo.seek(-16, "end")
 *     const trailer = yield* lo.read(16)
 *     yield* lo.truncate(bytes - 16)
 *   })))
 *   yield* PgLargeObject.unlink(sql, oid)
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import type * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type * as PgError from "@pgfx/connection/PgError"
import { Oid } from "@pgfx/protocol/PgOid"
import {
  anySession,
  argumentError,
  callerSession,
  check,
  countProblem,
  type Descriptor,
  maxChunk,
  maxPosition,
  modeOf,
  oidProblem,
  open as openDescriptor,
  value
} from "./internal/largeObjectDescriptor.ts"
import type { PgClient } from "./PgClient.ts"

/**
 * How {@link open} opens a large object: `read` (`INV_READ`: reads see the object as it was when
 * the transaction's snapshot was taken, writes are refused), `write` (`INV_WRITE`) or
 * `readwrite` (`INV_READ | INV_WRITE`). The server lets `write` descriptors read too (seeing
 * their own writes), so `write` and `readwrite` behave alike.
 *
 * @category models
 * @since 0.1.0
 */
export type Mode = "read" | "write" | "readwrite"

/**
 * Where {@link LargeObject.seek} counts from: the start, the current position, or the end.
 *
 * @category models
 * @since 0.1.0
 */
export type Whence = "start" | "current" | "end"

/**
 * An open large object (a descriptor), valid in the transaction and Scope that opened it.
 * Positions and lengths are byte counts (`number`: a large object holds at most 4 TB).
 *
 * @category models
 * @since 0.1.0
 */
export interface LargeObject {
  /** The large object's OID. */
  readonly oid: number
  /** The mode it was opened with. */
  readonly mode: Mode
  /**
   * Reads up to `n` bytes (at most 64 MiB) from the current position and advances it; fewer
   * only at the end of the object (an empty array there). For large reads use
   * {@link readStream}.
   */
  read(n: number): Effect.Effect<Uint8Array, PgError.PgError>
  /**
   * Writes `bytes` at the current position (overwriting, extending the object past its end)
   * and advances it; returns the number of bytes written. Large arrays go in statements of
   * 1 MiB.
   */
  write(bytes: Uint8Array): Effect.Effect<number, PgError.PgError>
  /**
   * Moves the position to `offset` bytes from `whence` (default `"start"`) and returns the new
   * position. Seeking past the end is allowed (a later write leaves a zero-filled gap); before
   * the start fails.
   */
  seek(offset: number, whence?: Whence): Effect.Effect<number, PgError.PgError>
  /** The current position. */
  readonly tell: Effect.Effect<number, PgError.PgError>
  /**
   * Cuts the object to `length` bytes, or extends it with zero bytes; the position does not
   * move.
   */
  truncate(length: number): Effect.Effect<void, PgError.PgError>
  /** Closes the descriptor now (it is also closed with the Scope); later calls fail. */
  readonly close: Effect.Effect<void, PgError.PgError>
}

const asLargeObject = (d: Descriptor): LargeObject => ({
  oid: d.oid,
  mode: d.mode,
  read: (n) => d.read(n),
  write: (bytes) => d.write(bytes),
  seek: (offset, whence = "start") => d.seek(offset, whence),
  get tell() {
    return d.tell
  },
  truncate: (length) => d.truncate(length),
  get close() {
    return d.close
  }
})

/**
 * Opens a large object in the current transaction, until the Scope closes (`lo_open`; closed
 * with `lo_close`).
 *
 * **Gotchas**
 * - Needs a transaction: outside `sql.withTransaction` it fails with SQLSTATE `25P01`.
 * - Put the Scope inside the transaction (`sql.withTransaction(Effect.scoped(…))`): the
 *   transaction's end closes the descriptor, after which the handle fails with `25000`.
 * - A missing object fails with the server's `42704` (`large object … does not exist`).
 *
 * @category descriptors
 * @since 0.1.0
 */
export const open = (
  sql: PgClient.Service,
  oid: number,
  mode: Mode = "readwrite"
): Effect.Effect<LargeObject, PgError.PgError, Scope.Scope> =>
  Effect.flatMap(callerSession(sql, "PgLargeObject.open"), (session) => Effect.map(openDescriptor(session, oid, mode), asLargeObject))

// -------------------------------------------------------------------------------------------------
// single statements

const scalar = (
  sql: PgClient.Service,
  text: string,
  params: ReadonlyArray<unknown>,
  paramTypes: ReadonlyArray<number>
): Effect.Effect<unknown, PgError.PgError> =>
  Effect.map(
    sql.execute<ReadonlyArray<unknown>>(text, params, { paramTypes, rowMode: "array", mode: modeOf(sql) }),
    (result) => result.rows[0]?.[0]
  )

/**
 * Creates an empty large object (`lo_create`) and returns its OID: the one given, or one the
 * server picks (default). Runs in the current transaction, if any.
 *
 * @category single statements
 * @since 0.1.0
 */
export const create = (sql: PgClient.Service, oid: number = 0): Effect.Effect<number, PgError.PgError> =>
  Effect.andThen(
    check(oidProblem(oid, true), "PgLargeObject.create"),
    scalar(sql, "select lo_create($1)", [oid], [Oid.oid]) as Effect.Effect<number, PgError.PgError>
  )

/**
 * Deletes a large object (`lo_unlink`). A missing object fails with the server's `42704`.
 *
 * @category single statements
 * @since 0.1.0
 */
export const unlink = (sql: PgClient.Service, oid: number): Effect.Effect<void, PgError.PgError> =>
  Effect.andThen(
    check(oidProblem(oid, false), "PgLargeObject.unlink"),
    Effect.asVoid(scalar(sql, "select lo_unlink($1)", [oid], [Oid.oid]))
  )

/**
 * Whether a large object exists (and is visible to the current transaction).
 *
 * @category single statements
 * @since 0.1.0
 */
export const exists = (sql: PgClient.Service, oid: number): Effect.Effect<boolean, PgError.PgError> =>
  Effect.andThen(
    check(oidProblem(oid, false), "PgLargeObject.exists"),
    scalar(sql, "select exists (select 1 from pg_largeobject_metadata where oid = $1)", [oid], [Oid.oid]) as Effect.Effect<
      boolean,
      PgError.PgError
    >
  )

/**
 * Creates a large object holding `bytes` in one statement (`lo_from_bytea`) and returns its
 * OID (`oid`, or one the server picks). For small objects: the whole value travels in one
 * message; use {@link writeSink} for large ones.
 *
 * @category single statements
 * @since 0.1.0
 */
export const fromBytes = (sql: PgClient.Service, bytes: Uint8Array, oid: number = 0): Effect.Effect<number, PgError.PgError> =>
  Effect.suspend(() => {
    if (!(bytes instanceof Uint8Array)) return Effect.fail(argumentError("PgLargeObject.fromBytes: expected a Uint8Array"))
    return Effect.andThen(
      check(oidProblem(oid, true), "PgLargeObject.fromBytes"),
      scalar(sql, "select lo_from_bytea($1, $2)", [oid, bytes], [Oid.oid, Oid.bytea]) as Effect.Effect<number, PgError.PgError>
    )
  })

/**
 * Options of {@link toBytes}.
 *
 * @category models
 * @since 0.1.0
 */
export interface RangeOptions {
  /** Where to start (default 0). */
  readonly offset?: number | undefined
  /** How many bytes at most (default: to the end). */
  readonly length?: number | undefined
}

/**
 * The contents of a large object (or of a range of it) in one statement (`lo_get`). For small
 * objects: the whole value travels in one message; use {@link readStream} for large ones.
 *
 * @category single statements
 * @since 0.1.0
 */
export const toBytes = (sql: PgClient.Service, oid: number, options?: RangeOptions): Effect.Effect<Uint8Array, PgError.PgError> =>
  Effect.suspend(() => {
    const offset = options?.offset ?? 0
    const length = options?.length
    const problem = oidProblem(oid, false) ?? countProblem("offset", offset, 0, maxPosition) ??
      (length === undefined ? undefined : countProblem("length", length, 0, 0x7fffffff))
    if (problem !== undefined) return Effect.fail(argumentError(`PgLargeObject.toBytes: ${problem}`))
    const read = offset === 0 && length === undefined
      ? scalar(sql, "select lo_get($1)", [oid], [Oid.oid])
      : scalar(sql, "select lo_get($1, $2, $3)", [oid, offset, length ?? 0x7fffffff], [Oid.oid, Oid.int8, Oid.int4])
    return read as Effect.Effect<Uint8Array, PgError.PgError>
  })

// -------------------------------------------------------------------------------------------------
// streams

/** Default bytes per `loread` / `lowrite`. */
const defaultChunkSize = 256 * 1024

const chunkSizeOf = (n: number | undefined, operation: string): Effect.Effect<number, PgError.PgError> => {
  const size = n ?? defaultChunkSize
  return Effect.as(check(countProblem("chunkSize", size, 1, maxChunk), operation), size)
}

/**
 * Options of {@link readStream}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ReadStreamOptions extends RangeOptions {
  /** Bytes per `loread`, and so per emitted chunk (default 256 KiB, at most 64 MiB). */
  readonly chunkSize?: number | undefined
}

/**
 * The contents of a large object as a Stream of chunks of `chunkSize` bytes (the last one
 * shorter), read with `loread` one chunk per pull: memory stays at one chunk whatever the
 * object's size.
 *
 * **Details**
 * - In the current transaction when there is one; otherwise in a `BEGIN READ ONLY` transaction
 *   of its own on a reserved connection, which ends with the stream (so the whole read sees one
 *   snapshot).
 * - `offset` and `length` read a range.
 * - Ending the stream early (`Stream.take`, interruption, a failing consumer) closes the
 *   descriptor (or rolls its own transaction back); the connection stays usable.
 *
 * @category streams
 * @since 0.1.0
 */
export const readStream = (
  sql: PgClient.Service,
  oid: number,
  options?: ReadStreamOptions
): Stream.Stream<Uint8Array, PgError.PgError> =>
  Stream.scoped(Stream.fromPull(Effect.gen(function*() {
    const chunkSize = yield* chunkSizeOf(options?.chunkSize, "PgLargeObject.readStream")
    const offset = options?.offset ?? 0
    const length = options?.length
    yield* check(
      oidProblem(oid, false) ?? countProblem("offset", offset, 0, maxPosition) ??
        (length === undefined ? undefined : countProblem("length", length, 0, maxPosition)),
      "PgLargeObject.readStream"
    )
    const session = yield* anySession(sql, "BEGIN READ ONLY")
    const lo = yield* openDescriptor(session, oid, "read")
    if (offset > 0) yield* lo.seek(offset, "start")
    let remaining = length ?? Number.POSITIVE_INFINITY
    let done = false
    return Effect.suspend(() => {
      if (done || remaining <= 0) return Cause.done()
      const n = Math.min(chunkSize, remaining)
      return Effect.flatMap(lo.read(n), (bytes) => {
        remaining -= bytes.length
        if (bytes.length < n) done = true
        return bytes.length === 0 ? Cause.done() : Effect.succeed([bytes] as const)
      })
    })
  })))

/**
 * What {@link writeSink} wrote: the large object's OID and the number of bytes written.
 *
 * @category models
 * @since 0.1.0
 */
export interface WriteResult {
  readonly oid: number
  readonly bytes: number
}

/**
 * Options of {@link writeSink}.
 *
 * @category models
 * @since 0.1.0
 */
export interface WriteSinkOptions {
  /** Bytes per `lowrite` (default 256 KiB, at most 64 MiB): the sink's memory bound. */
  readonly chunkSize?: number | undefined
  /**
   * Append to an existing object instead of replacing its contents (default false: the object
   * is truncated to 0 bytes first).
   */
  readonly append?: boolean | undefined
}

/**
 * A Sink writing the stream's bytes into a large object: an existing one (its contents are
 * replaced, or appended to with `append`) or, with `"new"`, one it creates. Succeeds with the
 * OID and the number of bytes written.
 *
 * **Details**
 * - Input chunks of any size are gathered into `lowrite`s of `chunkSize` bytes through one
 *   reused buffer (larger chunks are written in `chunkSize` slices without copying): memory stays
 *   at one chunk whatever the stream's length.
 * - In the current transaction when there is one (then a failure leaves what was written in
 *   that transaction: fail it, or wrap the run in a nested `sql.withTransaction` for a
 *   savepoint); otherwise in a transaction of its own, committed when the stream ends and rolled
 *   back — the new object included — if the stream or a write fails or the sink is interrupted.
 *
 * **Example** (Upload)
 *
 * ```ts
 * const { oid, bytes } = yield* Stream.run(upload, PgLargeObject.writeSink(sql, "new"))
 * ```
 *
 * @category streams
 * @since 0.1.0
 */
export const writeSink = (
  sql: PgClient.Service,
  target: number | "new",
  options?: WriteSinkOptions
): Sink.Sink<WriteResult, Uint8Array, never, PgError.PgError> =>
  Sink.fromTransform((upstream) =>
    Effect.scoped(Effect.gen(function*() {
      const chunkSize = yield* chunkSizeOf(options?.chunkSize, "PgLargeObject.writeSink")
      if (target !== "new") yield* check(oidProblem(target, false), "PgLargeObject.writeSink")
      const session = yield* anySession(sql, "BEGIN")
      const oid = target === "new" ? (yield* value(session, "select lo_create(0)", [], [])) as number : target
      const lo = yield* openDescriptor(session, oid, "write")
      if (options?.append === true) yield* lo.seek(0, "end")
      else yield* lo.truncate(0)

      const buffer = new Uint8Array(chunkSize)
      let filled = 0
      let total = 0
      const flush = Effect.suspend(() => {
        if (filled === 0) return Effect.void
        const n = filled
        filled = 0
        return lo.write(buffer.subarray(0, n), chunkSize)
      })
      const writeChunk = (chunk: Uint8Array): Effect.Effect<void, PgError.PgError> =>
        Effect.suspend(() => {
          if (!(chunk instanceof Uint8Array)) return Effect.fail(argumentError("PgLargeObject.writeSink: expected Uint8Array chunks"))
          total += chunk.length
          let at = 0
          // Whole chunks straight from the input (no copy) while the buffer is empty.
          let direct = 0
          if (filled === 0) {
            direct = chunk.length - (chunk.length % chunkSize)
            at = direct
          }
          const head = direct > 0 ? lo.write(chunk.subarray(0, direct), chunkSize) : Effect.void
          return Effect.andThen(head, Effect.suspend(() => fill(chunk, at)))
        })
      const fill = (chunk: Uint8Array, from: number): Effect.Effect<void, PgError.PgError> =>
        Effect.suspend(() => {
          let at = from
          while (at < chunk.length) {
            const n = Math.min(chunkSize - filled, chunk.length - at)
            buffer.set(chunk.subarray(at, at + n), filled)
            filled += n
            at += n
            if (filled === chunkSize) {
              const rest = at
              return Effect.andThen(flush, fill(chunk, rest))
            }
          }
          return Effect.void
        })
      const writeItems = (items: ReadonlyArray<Uint8Array>): Effect.Effect<void, PgError.PgError> =>
        Effect.suspend(() => {
          if (items.length === 1) return writeChunk(items[0]!)
          return Effect.forEach(items, writeChunk, { discard: true })
        })
      yield* Pull.catchDone(
        Effect.forever(Effect.flatMap(upstream, writeItems), { disableYield: true }),
        () => Effect.void
      )
      yield* flush
      // A transaction of its own closes the descriptor when it commits.
      if (!session.own) yield* lo.close
      yield* session.commit
      return [{ oid, bytes: total }] as const
    }))
  )
