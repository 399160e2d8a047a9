/**
 * The running session: a FIFO of requests over one socket.
 *
 * The hot path is synchronous: socket data → parser → the request at the head of the queue.
 * Requests are written as soon as they are queued; everything queued in the same microtask is
 * coalesced into one socket write (pipelining). Behind a deep backlog of written requests, new
 * ones are written in batches as the backlog runs low (see `BATCH_LOW_WATER`). Effects only
 * wrap the waits (see `PgConnection`).
 *
 * Invariants:
 * - `queue` holds written requests in send order; the server answers them in that order.
 * - A request is complete when its handler returns `true` (normally on ReadyForQuery).
 * - An abandoned request (its fiber was interrupted) stays in the queue and its replies are
 *   consumed and dropped, so the session never gets out of step with the server.
 * - Any protocol violation or socket failure closes the session and fails every request.
 */
import type * as PgBackend from "@pgfx/protocol/PgBackend"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import * as PgError from "../PgError.ts"
import { afterThisTick } from "./microtask.ts"
import type { PgSocket } from "./socket.ts"
import { classOf, conditionOf } from "./sqlState.ts"

/**
 * A unit of work whose replies the session routes to it.
 */
export interface Request {
  /** Bytes to write when queued; `undefined` for a request whose bytes were written already. */
  bytes: Uint8Array | undefined
  /** Set once the bytes have been handed to the socket. */
  written: boolean
  /** Set by the session when the request completed or failed. */
  settled: boolean
  /** Set when the waiting fiber was interrupted: replies are drained and dropped. */
  abandoned: boolean
  /**
   * Set by the request just before it hands its result to the waiting fiber (which may run
   * synchronously, inside `handle`, before the session has removed the request from the queue).
   */
  readonly completed?: boolean | undefined
  /** Bytes that expect no reply of their own: written in order, never queued for replies. */
  readonly unanswered?: boolean | undefined
  /**
   * True while the server may still be executing the request's statement(s); a request whose
   * result is complete and only awaits ReadyForQuery does not need a CancelRequest.
   */
  executing: boolean
  /**
   * Handles one reply. Returns true when the request is complete (it is then removed from the
   * queue). Must not throw for replies it does not expect: it should record a protocol error
   * with `session.protocolViolation`.
   */
  handle(message: PgBackend.BackendMessage): boolean
  /** Settles the request with a failure (connection lost, protocol error). */
  fail(error: PgError.PgError): void
  /** Called once the request is complete or failed, after `handle`/`fail`. */
  onSettled: (() => void) | undefined
  /**
   * For long-lived requests (portal streams, COPY): true while their message exchange is open, so
   * no other request may be written behind them (see `Session.occupy`).
   */
  readonly occupying?: (() => boolean) | undefined
  /** Whether the request answers a CopyInResponse itself; otherwise the session sends CopyFail. */
  readonly handlesCopyIn?: boolean | undefined
  /**
   * Whether the request may be sent again when a CancelRequest meant for an earlier request hit
   * it instead (one extended-protocol statement: re-running it outside a transaction block is
   * exactly as if the first run never happened, since the cancelled run was rolled back).
   */
  readonly retryOnStrayCancel?: boolean | undefined
  /**
   * Set by the session when this request failed with query_canceled caused by a CancelRequest
   * sent for an earlier request, while no transaction block was open (`retrySafe`).
   */
  strayCancel?: "retrySafe" | "inTransaction" | undefined
}

/**
 * Hooks for messages that belong to no request.
 */
export interface SessionHooks {
  readonly onNotice: (notice: PgBackend.NoticeResponse) => void
  readonly onNotification: (notification: PgBackend.NotificationResponse) => void
  readonly onParameterStatus: (name: string, value: string) => void
  /**
   * A statement run through this session (by hand, in any request) dropped every prepared
   * statement: `DISCARD ALL` or `DEALLOCATE ALL` completed.
   */
  readonly onStatementsDiscarded?: (() => void) | undefined
  /**
   * Sends a CancelRequest for the statement now running (side connection). `done` must be
   * called once the server has taken the request (it closed the side connection), or sending
   * gave up: until then the session holds back new requests (see `Session.cancelsInFlight`).
   */
  readonly sendCancel: (done: () => void) => void
  /**
   * Close messages of statements to forget (their CloseComplete replies are dropped), written
   * just before the next request sent — and even if that request is dropped before being
   * written.
   */
  readonly takeCloses?: (() => Uint8Array | undefined) | undefined
  /** Called once when the session closes, with the error that closed it (undefined = orderly). */
  readonly onClose: (error: PgError.PgError | undefined) => void
}

/**
 * The session state machine.
 */
export class Session {
  readonly socket: PgSocket
  readonly parser: PgBackend.Parser
  readonly hooks: SessionHooks
  /** Written requests awaiting replies; `head` is the index of the oldest. */
  private queue: Array<Request> = []
  private head = 0
  /** Requests queued and not yet written (this microtask's, or held back: see `send`). */
  private pending: Array<Request> = []
  private flushScheduled = false
  /** Transaction status from the last ReadyForQuery: I idle, T in a block, E failed block. */
  transactionStatus: "I" | "T" | "E" = "I"
  /** Why the session closed; undefined while open. */
  closedWith: PgError.PgError | undefined = undefined
  closed = false
  /** The request a CancelRequest was sent for, until it completes. */
  private cancelSentFor: Request | undefined = undefined
  /**
   * CancelRequests sent but not yet taken by the server. A CancelRequest travels on its own
   * connection and the server signals the backend asynchronously: if the cancelled statement
   * finishes on its own first, the signal would hit whatever statement runs next. So while a
   * cancel is in flight no new request is written (they wait in `pending`); the server ignores a
   * cancel signal that reaches an idle backend. Requests already written behind the cancelled
   * one (pipelining) cannot be protected this way.
   */
  private cancelsInFlight = 0
  /**
   * A timer before the next CancelRequest for `cancelSentFor`; new requests stay held back while
   * it runs (bounded by the caller's cancelTimeout, which closes the session):
   * - Retry: a cancel that reaches the backend before it has read the statement (the server was
   *   slow to pick it up) is ignored, and the statement then runs to its end. So when the server
   *   has taken the cancel but the statement still runs, it is cancelled again after a back-off
   *   (50 ms, doubling, at most 1 s).
   * - Grace: when other requests are already written behind the interrupted one, a cancel that
   *   arrives just after it finished by itself would cancel the next one — another fiber's
   *   statement. Short statements (most of them) finish within the grace period and are not
   *   cancelled at all; only one still running after it is.
   */
  private cancelTimer: ReturnType<typeof setTimeout> | undefined = undefined
  /**
   * CancelRequests sent whose signal has not (yet) ended a statement of the request they were
   * sent for. When that request finished on its own, such a signal can still reach the backend
   * while it runs a *later* pipelined statement (another fiber's): the first query_canceled
   * error after that is marked as collateral (`Request.strayCancel`) so PgConnection can re-run
   * the statement transparently. Reset once the server has taken every cancel and is idle (a
   * signal reaching an idle backend is ignored).
   */
  private strayCancels = 0
  /** Whether the current cancel target already failed with query_canceled. */
  private targetCanceled = false
  private cancelAttempts = 0
  private readonly drainWaiters: Array<() => void> = []

  constructor(socket: PgSocket, parser: PgBackend.Parser, hooks: SessionHooks) {
    this.socket = socket
    this.parser = parser
    this.hooks = hooks
    const onMessage = (message: PgBackend.BackendMessage) => this.dispatch(message)
    socket.setHandlers({
      onData: (chunk) => {
        if (this.closed) return
        const error = parser.push(chunk, onMessage)
        if (error !== undefined) {
          this.close(
            PgError.make(new PgError.ProtocolError({ message: `malformed server message: ${error.message}`, cause: error }))
          )
        }
      },
      onClose: (error) => {
        this.close(
          error ??
            PgError.make(
              new PgError.ConnectionClosed({ message: "the server closed the connection", safeToRetry: false })
            )
        )
      },
      onDrain: () => {
        const waiters = this.drainWaiters.splice(0)
        for (const w of waiters) w()
      }
    })
  }

  /** Number of requests queued or in flight. */
  get inFlight(): number {
    let n = this.queue.length - this.head
    for (let i = 0; i < this.pending.length; i++) if (this.pending[i]!.unanswered !== true) n++
    // A fiber resumed from inside `handle` runs before `advance`: do not count its request.
    return this.head < this.queue.length && this.queue[this.head]!.completed === true ? n - 1 : n
  }

  /** The request the server is answering now, if any. */
  get current(): Request | undefined {
    return this.head < this.queue.length ? this.queue[this.head] : undefined
  }

  /**
   * Queues a request; its bytes go out with everything else queued in this microtask.
   */
  /** A portal stream or COPY in progress: other requests are refused while it occupies the wire. */
  private occupant: Request | undefined = undefined

  /** Marks `request` (already sent) as occupying the connection while `request.occupying()`. */
  occupy(request: Request): void {
    this.occupant = request
  }

  send(request: Request): void {
    const occupant = this.occupant
    if (occupant !== undefined && occupant !== request) {
      if (!occupant.settled && occupant.occupying?.() === true) {
        request.settled = true
        request.fail(
          PgError.make(
            new PgError.ConnectionBusy({
              message: "the connection is busy with a stream or COPY in this section: its messages cannot interleave " +
                "with another statement (inside a transaction, stream with a cursor, or use another connection)"
            })
          )
        )
        request.onSettled?.()
        return
      }
      this.occupant = undefined
    }
    if (this.closed) {
      request.settled = true
      // Never written: ConnectionClosed (safe to retry elsewhere), whatever closed the session
      // (its reason is the message and the cause).
      request.fail(closedFor(this.closedWith ?? closedError(true), true))
      request.onSettled?.()
      return
    }
    const closes = this.hooks.takeCloses?.()
    if (closes !== undefined) this.pending.push(unansweredBytes(closes))
    this.pending.push(request)
    // With a deep pipeline the server has plenty of work queued: the new request waits for
    // `advance` to write it (with everything queued meanwhile) once the backlog runs low.
    if (!this.flushScheduled && this.queue.length - this.head < BATCH_LOW_WATER) {
      this.flushScheduled = true
      afterThisTick(this.flush)
    }
  }

  /** Writes every pending request's bytes in one socket write. */
  readonly flush = (): void => {
    this.flushScheduled = false
    const pending = this.pending
    // Held back while a CancelRequest is in flight or may be re-sent; `releaseHeld` flushes them.
    if (pending.length === 0 || this.closed || this.holding) return
    this.pending = []
    let total = 0
    let count = 0
    let only: Request | undefined = undefined
    for (let i = 0; i < pending.length; i++) {
      const r = pending[i]!
      if (r.abandoned) continue
      count++
      only = r
      if (r.bytes !== undefined) total += r.bytes.length
    }
    if (count === 0) return
    let out: Uint8Array
    if (count === 1) {
      out = only!.bytes ?? new Uint8Array(0)
    } else {
      out = new Uint8Array(total)
      let at = 0
      for (let i = 0; i < pending.length; i++) {
        const r = pending[i]!
        if (r.abandoned || r.bytes === undefined) continue
        out.set(r.bytes, at)
        at += r.bytes.length
      }
    }
    for (let i = 0; i < pending.length; i++) {
      const r = pending[i]!
      if (r.abandoned) continue
      r.written = true
      r.bytes = undefined
      if (r.unanswered === true) continue
      r.executing = true
      this.queue.push(r)
    }
    if (out.length > 0) this.socket.write(out)
  }

  /**
   * Writes bytes that belong to `owner` (COPY data, a portal's next Execute or Sync). Pending
   * requests are flushed first so the order on the wire is kept; while requests are held back
   * behind a CancelRequest, bytes of an owner not yet written travel with it.
   * Returns false when the socket's buffer is full (see {@link waitForDrain}).
   */
  writeNow(bytes: Uint8Array, owner?: Request): boolean {
    if (this.closed) return true
    if (this.pending.length > 0) this.flush()
    if (owner !== undefined && !owner.written) {
      // The owner is still waiting to be written (held back behind a CancelRequest in flight):
      // its follow-up bytes (a portal's Sync or next Execute) go out with it — or are dropped
      // with it if it was dropped before being written.
      if (owner.settled || owner.bytes === undefined) return true
      const joined = new Uint8Array(owner.bytes.length + bytes.length)
      joined.set(owner.bytes, 0)
      joined.set(bytes, owner.bytes.length)
      owner.bytes = joined
      return true
    }
    // The owner is on the wire (or there is none): its bytes precede anything still held back.
    return this.socket.write(bytes)
  }

  /** Registers a callback for when the socket's write buffer drains. */
  onceDrained(callback: () => void): void {
    this.drainWaiters.push(callback)
  }

  /**
   * The waiting fiber of `request` was interrupted.
   *
   * - Not yet written: it is dropped; nothing reaches the wire.
   * - Written and still executing: if it is the statement running now, a CancelRequest is sent;
   *   if it waits behind others, the cancel is sent when its turn comes. Its replies are drained.
   *
   * Returns true if the request must still be drained (the caller waits for `onSettled`).
   */
  abandon(request: Request): boolean {
    if (request.settled) return false
    request.abandoned = true
    if (!request.written) {
      // Still pending: dropped (flush would skip it anyway).
      request.settled = true
      const i = this.pending.indexOf(request)
      if (i >= 0) this.pending.splice(i, 1)
      return false
    }
    if (this.current === request) this.cancelCurrent()
    return true
  }

  /** Whether new requests are held back (see `cancelsInFlight` and `cancelTimer`). */
  private get holding(): boolean {
    return this.cancelsInFlight > 0 || this.cancelTimer !== undefined
  }

  /** Sends a CancelRequest for the head request if it is still executing (once per request). */
  private cancelCurrent(): void {
    const current = this.current
    if (current === undefined || !current.executing || this.cancelSentFor === current) return
    this.cancelSentFor = current
    this.cancelAttempts = 0
    if (this.queue.length - this.head > 1) this.cancelLater(current, CANCEL_GRACE_MILLIS)
    else this.sendCancelFor(current)
  }

  /** Cancels `request` after `delay` if it still runs then; holds new requests meanwhile. */
  private cancelLater(request: Request, delay: number): void {
    this.cancelTimer = setTimeout(() => {
      this.cancelTimer = undefined
      if (this.closed) return
      if (this.stillRunning(request) && this.cancelsInFlight === 0) this.sendCancelFor(request)
      else this.releaseHeld()
    }, delay)
  }

  private sendCancelFor(request: Request): void {
    this.strayCancels++
    this.cancelsInFlight++
    this.cancelAttempts++
    let taken = false
    this.hooks.sendCancel(() => {
      if (taken) return
      taken = true
      this.cancelTaken(request)
    })
  }

  /** A CancelRequest was taken by the server (or given up). */
  private cancelTaken(request: Request): void {
    this.cancelsInFlight--
    if (this.closed) return
    if (this.stillRunning(request) && this.cancelTimer === undefined) {
      this.cancelLater(request, Math.min(50 * 2 ** (this.cancelAttempts - 1), 1000))
      return
    }
    this.releaseHeld()
  }

  /** Whether `request` was cancelled and is still the statement the server runs. */
  private stillRunning(request: Request): boolean {
    return this.cancelSentFor === request && this.current === request && request.executing
  }

  /** Writes the requests held back during a cancellation, once nothing holds them. */
  private releaseHeld(): void {
    if (this.holding || this.closed || this.pending.length === 0 || this.flushScheduled) return
    this.flushScheduled = true
    afterThisTick(this.flush)
  }

  /** Routes one server message. */
  private dispatch(message: PgBackend.BackendMessage): void {
    // A settled request may run its fiber synchronously, and that fiber may close the session
    // while the rest of the chunk is still being dispatched.
    if (this.closed) return
    switch (message._tag) {
      case "NoticeResponse":
        guardHook(() => this.hooks.onNotice(message))
        return
      case "NotificationResponse":
        guardHook(() => this.hooks.onNotification(message))
        return
      case "ParameterStatus":
        guardHook(() => this.hooks.onParameterStatus(message.name, message.value))
        return
      case "CloseComplete":
        // Replies to the Close messages of evicted statements, which PgConnection prefixes to
        // the next request of any kind; no request waits for them.
        return
      case "ReadyForQuery":
        this.transactionStatus = message.status
        break
      case "CommandComplete":
        // tags are memoised by the parser: one comparison of interned-length strings at most
        if (message.command === "DISCARD ALL" || message.command === "DEALLOCATE ALL") {
          guardHook(() => this.hooks.onStatementsDiscarded?.())
        }
        break
    }
    if (
      message._tag === "ErrorResponse" && message.code === "57014" && this.strayCancels > 0 &&
      !message.message.includes("statement timeout")
    ) this.noteCanceled()
    if (message._tag === "ErrorResponse" && isFatal(message)) {
      // The server explains why it is about to close the connection (pg_terminate_backend,
      // shutdown, a crash): every pending request fails with that reason, not a bare close.
      this.close(PgError.make(PgError.serverReason(serverErrorInit(message, (this.current as { query?: string } | undefined)?.query))))
      return
    }
    const current = this.current
    if (current === undefined) {
      if (message._tag === "ErrorResponse") {
        // FATAL errors arrive unprompted when the backend is terminated or the server shuts down.
        this.close(PgError.make(PgError.serverReason(serverErrorInit(message, undefined))))
        return
      }
      this.protocolViolation(`unexpected ${message._tag} with no request in flight`)
      return
    }
    if (message._tag === "CopyInResponse" && current.handlesCopyIn !== true) {
      // A COPY FROM STDIN reached an extended-protocol request that has no data to send (execute,
      // prepare): end the COPY at once so the server leaves COPY-in mode; the statement fails.
      this.socket.write(copyFailMisuse)
    }
    let complete: boolean
    try {
      complete = current.handle(message)
    } catch (cause) {
      this.close(
        PgError.make(new PgError.ProtocolError({ message: `failed to handle ${message._tag}`, cause }))
      )
      return
    }
    if (complete && !this.closed) this.advance()
  }

  /** A query_canceled error arrived: whose cancel was it? */
  private noteCanceled(): void {
    const current = this.current
    if (current === undefined) return
    if (current === this.cancelSentFor) {
      // The cancel did its job (later retries of it may still be in flight).
      if (!this.targetCanceled) {
        this.targetCanceled = true
        this.strayCancels--
      }
      return
    }
    // Collateral: a signal meant for an earlier request ended this one.
    this.strayCancels--
    current.strayCancel = this.transactionStatus === "I" ? "retrySafe" : "inTransaction"
  }

  /** Removes the completed head request and moves to the next. */
  private advance(): void {
    const done = this.queue[this.head]!
    this.queue[this.head] = undefined as unknown as Request
    this.head++
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    if (this.cancelSentFor === done) {
      this.cancelSentFor = undefined
      this.targetCanceled = false
      if (this.cancelTimer !== undefined) {
        clearTimeout(this.cancelTimer)
        this.cancelTimer = undefined
      }
      this.releaseHeld()
    }
    // Idle with no cancel in flight: a signal that arrives now is ignored by the server.
    if (this.strayCancels > 0 && this.cancelsInFlight === 0 && this.head >= this.queue.length && this.cancelSentFor === undefined) {
      this.strayCancels = 0
    }
    // Requests left pending by `send` while the backlog was deep: write them while the server
    // still has `BATCH_LOW_WATER - 1` requests to work through.
    if (
      this.pending.length > 0 && !this.flushScheduled && !this.holding &&
      this.queue.length - this.head < BATCH_LOW_WATER
    ) {
      this.flushScheduled = true
      afterThisTick(this.flush)
    }
    done.settled = true
    done.onSettled?.()
    // An abandoned request that reached the head must be cancelled now.
    const next = this.current
    if (next !== undefined && next.abandoned) this.cancelCurrent()
  }

  /** Closes the session because the server broke the protocol. */
  protocolViolation(message: string): void {
    this.close(PgError.make(new PgError.ProtocolError({ message })))
  }

  /**
   * Closes the session: every queued or pending request fails with `error`, the socket is
   * destroyed — or, given `farewell` (Terminate), those bytes are written and the socket ended
   * gracefully. Idempotent.
   */
  close(error: PgError.PgError | undefined, farewell?: Uint8Array): void {
    if (this.closed) return
    this.closed = true
    this.closedWith = error ?? closedError(false)
    if (this.cancelTimer !== undefined) {
      clearTimeout(this.cancelTimer)
      this.cancelTimer = undefined
    }
    if (farewell !== undefined) {
      // An orderly close: the last bytes (Terminate) go out, then a graceful end — requests not
      // written yet are not flushed first; they fail below as safe to retry.
      this.socket.write(farewell)
      this.socket.end()
    } else {
      this.socket.destroy()
    }
    const failing = this.queue.slice(this.head).concat(this.pending)
    this.queue = []
    this.head = 0
    this.pending = []
    for (const r of failing) {
      if (r.settled) continue
      r.settled = true
      const err = r.written ? this.closedWith : closedFor(this.closedWith, true)
      r.fail(err)
      r.onSettled?.()
    }
    const waiters = this.drainWaiters.splice(0)
    for (const w of waiters) w()
    this.hooks.onClose(error)
  }
}

/**
 * Batching of deep pipelines (see `Session.send`). Replies come back in order, and the server
 * flushes its output after every ReadyForQuery. A client that writes each new request as soon
 * as a reply lets its fiber go can settle into tiny writes answered by tiny reads — two or three
 * requests per syscall on both sides, the server waking up for each batch — and the faster the
 * client, the smaller its batches. While at least this many written requests await replies, a
 * new request cannot be answered before they are, so holding it back costs it nothing: it is
 * written, together with every request queued meanwhile, once the backlog drops below this
 * mark, while the server still has work queued. Shallower pipelines (and sequential use) are
 * written every microtask as before.
 */
const BATCH_LOW_WATER = 16

/** See `Session.cancelTimer` (grace). */
const CANCEL_GRACE_MILLIS = 50

/**
 * Runs a user-facing hook (notice handler, notification listener). A hook that throws must not
 * stop the dispatch of the rest of the socket chunk — that would lose replies and stall requests —
 * so its exception is reported asynchronously (as an uncaught error would be) and dispatch goes on.
 */
const guardHook = (hook: () => void): void => {
  try {
    hook()
  } catch (error) {
    queueMicrotask(() => {
      console.error("pgfx: a notice or notification hook threw; the message was skipped:", error)
    })
  }
}

/**
 * CopyFail, then Sync: the request's own Sync arrived while the server was in COPY-in mode, which
 * ignores Sync, and after CopyFail an extended-protocol COPY discards messages until a Sync.
 */
const copyFailMisuse = PgFrontend.makeEncoder(96)
  .copyFail("COPY FROM STDIN must run through copyIn")
  .sync()
  .take()

/** FATAL and PANIC errors end the session. */
const isFatal = (fields: PgBackend.NoticeFields): boolean => {
  const severity = fields.severityNonLocalized ?? fields.severity
  return severity === "FATAL" || severity === "PANIC"
}

/** A pseudo-request carrying bytes that get no reply of their own (see `SessionHooks.takeCloses`). */
const unansweredBytes = (bytes: Uint8Array): Request => ({
  bytes,
  written: false,
  settled: true,
  abandoned: false,
  executing: false,
  unanswered: true,
  handle: () => true,
  fail: () => {},
  onSettled: undefined
})

const closedError = (safeToRetry: boolean): PgError.PgError =>
  PgError.make(new PgError.ConnectionClosed({ message: "the connection is closed", safeToRetry }))

/** For requests never written, say that retrying is safe whatever closed the session. */
export const closedFor = (error: PgError.PgError, safeToRetry: boolean): PgError.PgError =>
  error.reason._tag === "ConnectionClosed" && error.reason.safeToRetry === safeToRetry
    ? error
    : PgError.make(new PgError.ConnectionClosed({ message: error.message, cause: error, safeToRetry }))

/**
 * Builds server-error fields from an ErrorResponse.
 */
export const serverErrorInit = (
  fields: PgBackend.NoticeFields,
  query: string | undefined
): PgError.ServerErrorInit => {
  const init: { -readonly [K in keyof PgError.ServerErrorInit]: PgError.ServerErrorInit[K] } = {
    message: fields.message,
    severity: fields.severityNonLocalized ?? fields.severity,
    code: fields.code,
    condition: conditionOf(fields.code),
    className: classOf(fields.code)
  }
  if (fields.detail !== undefined) init.detail = fields.detail
  if (fields.hint !== undefined) init.hint = fields.hint
  if (fields.position !== undefined) init.position = Number(fields.position)
  if (fields.internalPosition !== undefined) init.internalPosition = Number(fields.internalPosition)
  if (fields.internalQuery !== undefined) init.internalQuery = fields.internalQuery
  if (fields.where !== undefined) init.where = fields.where
  if (fields.schema !== undefined) init.schema = fields.schema
  if (fields.table !== undefined) init.table = fields.table
  if (fields.column !== undefined) init.column = fields.column
  if (fields.dataType !== undefined) init.dataType = fields.dataType
  if (fields.constraint !== undefined) init.constraint = fields.constraint
  if (fields.file !== undefined) init.file = fields.file
  if (fields.line !== undefined) init.line = fields.line
  if (fields.routine !== undefined) init.routine = fields.routine
  if (query !== undefined) init.query = query
  return init
}
