/**
 * Streaming a result through a portal: Bind once, then `Execute(n)` + Flush per batch, so at most
 * one batch of rows is in memory however large the result. The stream holds the connection's
 * exclusive gate (a Sync from another fiber would end the implicit transaction and close the
 * portal).
 *
 * Wire sequence: Bind, Execute(n), Flush → BindComplete, DataRow×≤n, PortalSuspended |
 * CommandComplete; the next pull sends Execute(n), Flush again. At the end (or on an error, or
 * when the consumer stops early) a Sync is sent and the request completes at ReadyForQuery.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as PgBackend from "@pgfx/protocol/PgBackend"
import * as PgError from "../PgError.ts"
import { BaseRequest, type CodecLookup, ResultBuilder } from "./requests.ts"
import type { RowMode } from "./rows.ts"

/** Events a waiting pull reacts to. */
type Waiter = () => void

/**
 * The portal request: one queue entry for the whole stream.
 */
export class PortalRequest extends BaseRequest<void> {
  private readonly builder: ResultBuilder
  /** The portal's fields (described beforehand): its row shape is taken at BindComplete. */
  private readonly fields: ReadonlyArray<PgBackend.FieldDescription>
  /** Rows of the batch being received. */
  private batch: Array<any> = []
  /** Batches ready for the consumer. */
  private readonly ready: Array<Array<any>> = []
  /** The portal ran to completion (CommandComplete / EmptyQueryResponse). */
  finished = false
  /** Sync has been sent: no more Execute. */
  synced = false
  /** An Execute is outstanding. */
  fetching = true
  failure: PgError.PgError | undefined = undefined
  private waiter: Waiter | undefined = undefined
  private readonly writeSync: () => void

  constructor(
    bytes: Uint8Array,
    query: string,
    lookupOf: () => CodecLookup,
    rowMode: RowMode,
    fields: ReadonlyArray<PgBackend.FieldDescription>,
    writeSync: () => void
  ) {
    super(bytes, () => {}, query)
    this.builder = new ResultBuilder(lookupOf, rowMode, query)
    this.fields = fields
    this.builder.rows = this.batch
    this.writeSync = writeSync
  }

  /** Until its Sync is sent, the portal's Execute/Flush exchange must not be interleaved. */
  readonly occupying = (): boolean => !this.synced

  /** Sends Sync once; the request then completes at ReadyForQuery. */
  sync(): void {
    if (this.synced) return
    this.synced = true
    this.writeSync()
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }

  private deliver(): void {
    if (this.batch.length > 0) this.ready.push(this.batch)
    this.batch = []
    this.builder.rows = this.batch
  }

  handle(message: PgBackend.BackendMessage): boolean {
    switch (message._tag) {
      case "BindComplete":
        this.builder.describe(this.fields)
        return false
      case "DataRow":
        if (!this.abandoned) this.builder.row(message)
        return false
      case "PortalSuspended":
        this.fetching = false
        this.executing = false
        this.deliver()
        if (this.builder.failed !== undefined) this.fail(this.builder.failed)
        this.wake()
        return false
      case "CommandComplete":
      case "EmptyQueryResponse":
        this.fetching = false
        this.executing = false
        this.finished = true
        this.deliver()
        if (this.builder.failed !== undefined) this.fail(this.builder.failed)
        this.sync()
        this.wake()
        return false
      case "ErrorResponse":
        this.fetching = false
        this.serverError(message)
        this.failure = this.error
        this.sync()
        this.wake()
        return false
      case "ReadyForQuery":
        this.wake()
        return true
      default:
        this.failure = PgError.make(new PgError.ProtocolError({ message: `unexpected ${message._tag} while streaming a portal` }))
        this.error = this.failure
        this.sync()
        this.wake()
        return false
    }
  }

  override fail(error: PgError.PgError): void {
    if (this.failure === undefined) this.failure = error
    this.wake()
  }

  /** Next batch: rows, `undefined` at the end; fails with the query's error. */
  takeBatch(): Array<any> | undefined | PgError.PgError {
    if (this.failure !== undefined) return this.failure
    const b = this.ready.shift()
    if (b !== undefined) return b
    if (this.finished || this.settled) return undefined
    return null as never
  }

  /** Registers the wake-up for the next event. */
  onEvent(w: Waiter): void {
    this.waiter = w
  }

  hasEvent(): boolean {
    return this.failure !== undefined || this.ready.length > 0 || this.finished || this.settled
  }
}

/** What the portal stream needs from its connection. */
export interface PortalContext {
  /** Queues the request (the caller holds the exclusive gate). */
  readonly send: (request: PortalRequest) => void
  /** Writes follow-up bytes for the request being answered. */
  readonly writeNow: (bytes: Uint8Array, owner: PortalRequest) => void
  /** Execute(n) + Flush bytes. */
  readonly executeBytes: (batch: number) => Uint8Array
  /** Interruption handling: abandon + wait for drain (or close). */
  readonly abandon: (request: PortalRequest) => Effect.Effect<void>
}

/**
 * A pull that yields batches of rows and ends with `Cause.done()`.
 */
export const makePull = (
  ctx: PortalContext,
  request: PortalRequest,
  batchSize: number
): Effect.Effect<ReadonlyArray<any>, PgError.PgError | Cause.Done> => {
  const next: Effect.Effect<ReadonlyArray<any>, PgError.PgError | Cause.Done> = Effect.suspend(() => {
    const taken = request.takeBatch()
    if (taken === undefined) return Cause.done()
    if (taken instanceof PgError.PgError) return Effect.fail(taken)
    if (taken !== null) return Effect.succeed(taken)
    // Nothing ready: ask for the next batch unless one is on its way.
    if (!request.fetching && !request.finished && !request.synced) {
      request.fetching = true
      request.executing = true
      ctx.writeNow(ctx.executeBytes(batchSize), request)
    }
    return Effect.flatMap(
      Effect.callback<void>((resume) => {
        if (request.hasEvent()) return resume(Effect.void)
        request.onEvent(() => resume(Effect.void))
      }),
      () => next
    )
  })
  return next
}

/**
 * Ends the portal when the stream ends for any reason: Sync (if not sent) and drain to
 * ReadyForQuery; an interrupted fetch is cancelled on the server.
 */
export const closePortal = (ctx: PortalContext, request: PortalRequest): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (request.settled) return Effect.void
    if (!request.finished && request.failure === undefined) {
      // Stopped early: drop the rest. If an Execute is running, cancel it; then Sync.
      request.sync()
      return ctx.abandon(request)
    }
    request.sync()
    return Effect.callback<void>((resume) => {
      if (request.settled) return resume(Effect.void)
      request.onSettled = () => resume(Effect.void)
    })
  })
