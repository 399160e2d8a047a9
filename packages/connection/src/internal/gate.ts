/**
 * The gate that gives exclusive sections (transactions, COPY, portals, LISTEN sessions) sole use
 * of a connection while letting ordinary requests pipeline freely.
 *
 * Ordinary requests pass straight through when no exclusive section is active or waiting; they
 * never hold the gate (they are enqueued and the gate is free again at once). An exclusive
 * section holds the gate until it ends. Waiters are served in FIFO order, so an exclusive
 * section is not starved by a stream of ordinary requests, and ordinary requests queued behind
 * an exclusive section run after it. Waiting ordinary requests are enqueued *inside* the release
 * step, so none can slip into the next exclusive section.
 */

interface Waiter {
  readonly exclusive: boolean
  /** Runs when the waiter is let through (synchronously, inside `release`). */
  readonly pass: () => void
  cancelled: boolean
}

/** A FIFO gate with shared pass-through and exclusive holds. */
export class Gate {
  private held = false
  private readonly waiters: Array<Waiter> = []
  private waiting = 0

  /** Whether an ordinary request may go now. */
  get open(): boolean {
    return !this.held && this.waiting === 0
  }

  /** Whether an exclusive section holds the gate. */
  get isHeld(): boolean {
    return this.held
  }

  /**
   * Lets an ordinary request through now (returns undefined) or queues it (returns a handle
   * whose `cancel` withdraws it).
   */
  pass(run: () => void): { cancel(): void } | undefined {
    if (this.open) {
      run()
      return undefined
    }
    return this.enqueue(false, run)
  }

  /**
   * Takes the gate exclusively now (returns undefined) or queues (returns a cancel handle; `run`
   * is called once the gate is taken).
   */
  take(run: () => void): { cancel(): void } | undefined {
    if (this.open) {
      this.held = true
      run()
      return undefined
    }
    return this.enqueue(true, run)
  }

  private enqueue(exclusive: boolean, run: () => void): { cancel(): void } {
    const waiter: Waiter = { exclusive, pass: run, cancelled: false }
    this.waiters.push(waiter)
    this.waiting++
    return {
      cancel: () => {
        if (waiter.cancelled) return
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) {
          waiter.cancelled = true
          this.waiters.splice(i, 1)
          this.waiting--
          if (!this.held) this.drain()
        }
      }
    }
  }

  /** Ends an exclusive hold and lets waiters through. */
  release(): void {
    this.held = false
    this.drain()
  }

  private drain(): void {
    while (!this.held && this.waiters.length > 0) {
      const w = this.waiters.shift()!
      this.waiting--
      if (w.exclusive) this.held = true
      w.pass()
    }
  }

  /** Lets every waiter through (the connection closed: their sends fail at once). */
  flushAll(): void {
    this.held = false
    while (this.waiters.length > 0) {
      const w = this.waiters.shift()!
      this.waiting--
      w.pass()
    }
  }
}
