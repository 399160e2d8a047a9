/**
 * COPY on the wire.
 *
 * COPY FROM STDIN: Query → CopyInResponse; the client sends CopyData… then CopyDone (or CopyFail)
 * → CommandComplete (or ErrorResponse) → ReadyForQuery. Writes respect the socket's buffer: a
 * writer waits for `drain` when the kernel buffer is full, so a fast source never fills memory.
 *
 * COPY TO STDOUT: Query → CopyOutResponse → CopyData… → CopyDone → CommandComplete →
 * ReadyForQuery. The socket is paused while the consumer holds more than `highWaterMark` bytes
 * and resumed when it has taken them, so memory stays flat on any size of table. The pause is
 * always undone when the request ends, whatever arrived in the same chunk (the postgres.js hang
 * when CopyDone and the pause coincide cannot happen: resuming does not depend on more data).
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as PgBackend from "@pgfx/protocol/PgBackend"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import * as PgError from "../PgError.ts"
import { afterThisTick } from "./microtask.ts"
import { BaseRequest } from "./requests.ts"

/** The CommandComplete of a COPY. */
export interface CopyResult {
  /** Rows copied (from the command tag). */
  readonly rows: number | null
}

const copyFailAbandoned = PgFrontend.encode({ _tag: "CopyFail", message: "COPY aborted by the client" })

/**
 * COPY FROM STDIN: waits for CopyInResponse, then the caller streams data.
 */
export class CopyInRequest extends BaseRequest<CopyResult> {
  /** CopyInResponse arrived: data may be sent. */
  ready = false
  /** Overall format (0 text/csv, 1 binary) and per-column formats. */
  format: 0 | 1 = 0
  columnFormats: ReadonlyArray<0 | 1> = []
  /** CopyDone or CopyFail has been sent. */
  ended = false
  private rows: number | null = null
  private waiter: (() => void) | undefined = undefined
  failure: PgError.PgError | undefined = undefined
  private readonly resultSettle: (r: { _tag: "Success"; value: CopyResult } | { _tag: "Failure"; error: PgError.PgError }) => void
  private readonly writeNow: (bytes: Uint8Array) => void

  constructor(
    bytes: Uint8Array,
    query: string,
    settle: (r: { _tag: "Success"; value: CopyResult } | { _tag: "Failure"; error: PgError.PgError }) => void,
    writeNow: (bytes: Uint8Array) => void
  ) {
    super(bytes, settle, query)
    this.resultSettle = settle
    this.writeNow = writeNow
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }

  /** Answers CopyInResponse itself (with data, or CopyFail when abandoned). */
  readonly handlesCopyIn = true

  /** Until CopyDone/CopyFail, the server reads only COPY messages. */
  readonly occupying = (): boolean => !this.ended

  /** Waits for CopyInResponse (or the statement's failure). */
  readonly whenReady: Effect.Effect<void, PgError.PgError> = Effect.callback((resume) => {
    const check = (): boolean => {
      if (this.failure !== undefined) {
        resume(Effect.fail(this.failure))
        return true
      }
      if (this.ready) {
        resume(Effect.void)
        return true
      }
      return false
    }
    if (check()) return
    this.waiter = () => {
      check()
    }
  })

  handle(message: PgBackend.BackendMessage): boolean {
    switch (message._tag) {
      case "CopyInResponse":
        if (this.abandoned && !this.ended) {
          // The client gave up before the server was ready: refuse the data phase.
          this.ended = true
          this.writeNow(copyFailAbandoned)
          return false
        }
        this.ready = true
        this.format = message.format
        this.columnFormats = message.columnFormats
        this.wake()
        return false
      case "CommandComplete":
        this.executing = false
        this.rows = message.rows
        return false
      case "ErrorResponse":
        this.serverError(message)
        this.failure = this.error
        this.wake()
        return false
      case "ReadyForQuery":
        if (!this.ready && this.failure === undefined) {
          // The statement ran without ever asking for data: it was not a COPY FROM STDIN.
          this.protocolError("the statement is not a COPY … FROM STDIN (use execute or simple for it)")
          this.failure = this.error
        }
        this.wake()
        return this.finish({ rows: this.rows })
      case "CopyOutResponse":
      case "CopyBothResponse":
        this.protocolError("the statement is not a COPY FROM STDIN")
        this.failure = this.error
        this.wake()
        return false
      default:
        this.executing = false
        return false
    }
  }

  override fail(error: PgError.PgError): void {
    if (this.failure === undefined) this.failure = error
    this.wake()
    this.resultSettle({ _tag: "Failure", error })
  }
}

const SLAB_SIZE = 65536

/**
 * COPY TO STDOUT: chunks of data for a pull-based stream, with socket back-pressure.
 */
export class CopyOutRequest extends BaseRequest<void> {
  private readonly chunks: Array<Uint8Array> = []
  /** CopyOutResponse arrived. */
  private started = false
  private buffered = 0
  private paused = false
  done = false
  failure: PgError.PgError | undefined = undefined
  format: 0 | 1 = 0
  rows: number | null = null
  private waiter: (() => void) | undefined = undefined
  private readonly pause: () => void
  private readonly resume: () => void
  private readonly highWaterMark: number

  constructor(bytes: Uint8Array, query: string, pause: () => void, resume: () => void, highWaterMark: number) {
    super(bytes, () => {}, query)
    this.pause = pause
    this.resume = resume
    this.highWaterMark = highWaterMark
  }

  /** Storage the rows are copied into, handed out as views: one allocation per ~64 KiB, not per row. */
  private slab = new Uint8Array(0)
  private slabAt = 0

  /**
   * An owned copy of `data` (a view into the socket chunk, which must not stay pinned by a slow
   * consumer). Small rows share a slab; a large one gets its own buffer.
   */
  private own(data: Uint8Array): Uint8Array {
    const n = data.length
    if (n > SLAB_SIZE >> 3) return data.slice()
    if (this.slabAt + n > this.slab.length) {
      this.slab = new Uint8Array(SLAB_SIZE)
      this.slabAt = 0
    }
    const at = this.slabAt
    this.slab.set(data, at)
    this.slabAt = at + n
    return this.slab.subarray(at, at + n)
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }

  /**
   * Wakes the consumer once the rest of the socket chunk has been dispatched (a microtask), so
   * it takes every row of the chunk in one pull instead of one pull per CopyData.
   */
  private wakeSoon(): void {
    if (this.waiter === undefined || this.wakeScheduled) return
    this.wakeScheduled = true
    afterThisTick(this.wakeNow)
  }
  private readonly wakeNow = (): void => {
    this.wakeScheduled = false
    this.wake()
  }
  private wakeScheduled = false

  private unpause(): void {
    if (this.paused) {
      this.paused = false
      this.resume()
    }
  }

  handle(message: PgBackend.BackendMessage): boolean {
    switch (message._tag) {
      case "CopyOutResponse":
        this.format = message.format
        this.started = true
        return false
      case "CopyData": {
        if (this.abandoned) return false
        this.chunks.push(this.own(message.data))
        this.buffered += message.data.length
        if (!this.paused && this.buffered >= this.highWaterMark) {
          this.paused = true
          this.pause()
        }
        this.wakeSoon()
        return false
      }
      case "CopyDone":
        this.executing = false
        return false
      case "CommandComplete":
        this.executing = false
        this.rows = message.rows
        return false
      case "ErrorResponse":
        this.serverError(message)
        this.failure = this.error
        this.wake()
        return false
      case "ReadyForQuery":
        if (!this.started && this.failure === undefined) {
          // The statement ran without sending data: it was not a COPY TO STDOUT.
          this.protocolError("the statement is not a COPY … TO STDOUT (use execute or simple for it)")
          this.failure = this.error
        }
        this.done = true
        this.unpause()
        this.wake()
        return true
      case "CopyInResponse":
      case "CopyBothResponse":
      case "RowDescription":
        this.protocolError("the statement is not a COPY TO STDOUT")
        this.failure = this.error
        this.wake()
        return false
      default:
        return false
    }
  }

  override fail(error: PgError.PgError): void {
    if (this.failure === undefined) this.failure = error
    this.unpause()
    this.wake()
  }

  /** Until the COPY ends, replies to later requests would queue behind a possibly paused socket. */
  readonly occupying = (): boolean => !this.done

  /** The pull of the data stream: a batch of chunks, `Cause.done()` at the end. */
  readonly pull: Effect.Effect<ReadonlyArray<Uint8Array>, PgError.PgError | Cause.Done> = Effect.suspend(() => {
    if (this.chunks.length > 0) {
      const out = this.chunks.splice(0)
      this.buffered = 0
      this.unpause()
      return Effect.succeed(out)
    }
    if (this.failure !== undefined) return Effect.fail(this.failure)
    if (this.done) return Cause.done()
    return Effect.flatMap(
      Effect.callback<void>((resume) => {
        if (this.chunks.length > 0 || this.failure !== undefined || this.done) return resume(Effect.void)
        this.waiter = () => resume(Effect.void)
      }),
      () => this.pull
    )
  })

  /** Ends early: stop pausing (the abandoned request drains and drops the rest). */
  stop(): void {
    this.abandoned = true
    this.chunks.length = 0
    this.buffered = 0
    this.unpause()
  }
}
