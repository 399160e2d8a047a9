/**
 * An intrusive FIFO of waiters: O(1) push, shift and removal of any node.
 *
 * The pool keeps its waiting acquirers here. A node carries its own links, so a waiter that is
 * interrupted or times out leaves the queue without a search (an `Array` with `shift`/`splice`
 * goes quadratic with thousands of waiters).
 *
 * @since 0.1.0
 */

/** The links a queued node carries. */
export interface QueueNode<N> {
  prev: N | undefined
  next: N | undefined
  queued: boolean
}

/** A doubly linked FIFO over nodes that carry their own links. */
export class LinkedQueue<N extends QueueNode<N>> {
  head: N | undefined = undefined
  tail: N | undefined = undefined
  length = 0

  /** Appends a node (which must not be queued). */
  push(node: N): void {
    node.prev = this.tail
    node.next = undefined
    node.queued = true
    if (this.tail === undefined) this.head = node
    else this.tail.next = node
    this.tail = node
    this.length++
  }

  /** Removes and returns the first node. */
  shift(): N | undefined {
    const node = this.head
    if (node !== undefined) this.remove(node)
    return node
  }

  /** Removes a node; returns false when it was not queued. */
  remove(node: N): boolean {
    if (!node.queued) return false
    const { next, prev } = node
    if (prev === undefined) this.head = next
    else prev.next = next
    if (next === undefined) this.tail = prev
    else next.prev = prev
    node.prev = undefined
    node.next = undefined
    node.queued = false
    this.length--
    return true
  }
}
