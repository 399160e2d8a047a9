/**
 * The bounded buffer behind one LISTEN subscriber: a ring of at most `capacity` items plus the
 * gaps between them.
 *
 * A gap records what a consumer cannot see: notifications dropped because it fell behind
 * (`dropped`) and a lost listener connection (`reconnected`). A gap is stored with the item that
 * follows it (or as the trailing gap when nothing follows yet), so memory stays bounded by
 * `capacity` whatever happens, and a consumer learns of a gap exactly where it occurred:
 *
 * - `sliding`: a full buffer drops its oldest item; the loss is folded into the gap in front of
 *   the new oldest item.
 * - `dropping`: a full buffer refuses the new item; the loss becomes the trailing gap, reported
 *   before the next item that fits.
 * - `fail`: a full buffer refuses the item and `offer` returns `false` (the caller fails the
 *   subscriber).
 *
 * @since 0.1.0
 */

/**
 * What a consumer missed at one point of the sequence.
 *
 * @since 0.1.0
 */
export interface Gap {
  /** The listener connection was lost and re-established here. */
  readonly reconnected: boolean
  /** Notifications discarded here because the buffer was full. */
  readonly dropped: number
}

/**
 * What a full buffer does with one more item.
 *
 * @since 0.1.0
 */
export type OverflowStrategy = "sliding" | "dropping" | "fail"

const mergeGaps = (a: Gap | undefined, b: Gap | undefined): Gap | undefined => {
  if (a === undefined) return b
  if (b === undefined) return a
  return { reconnected: a.reconnected || b.reconnected, dropped: a.dropped + b.dropped }
}

const droppedOne: Gap = { reconnected: false, dropped: 1 }
const reconnectedGap: Gap = { reconnected: true, dropped: 0 }

/**
 * A ring buffer of items with the gaps between them.
 *
 * @since 0.1.0
 */
export class ListenBuffer<A> {
  readonly capacity: number
  readonly strategy: OverflowStrategy
  private readonly items: Array<A | undefined>
  private readonly gaps: Array<Gap | undefined>
  private head = 0
  private count = 0
  /** The gap after the newest item (or before the next one to arrive). */
  private trailing: Gap | undefined = undefined

  constructor(capacity: number, strategy: OverflowStrategy) {
    this.capacity = Math.max(1, Math.floor(capacity))
    this.strategy = strategy
    this.items = new Array(this.capacity)
    this.gaps = new Array(this.capacity)
  }

  /** Items buffered (gaps not counted). */
  get size(): number {
    return this.count
  }

  /** Whether there is nothing to hand to the consumer: no item and no gap. */
  get isEmpty(): boolean {
    return this.count === 0 && this.trailing === undefined
  }

  /**
   * Adds an item. Returns `false` only under the `fail` strategy when the buffer is full (the
   * item is not added).
   */
  offer(item: A): boolean {
    if (this.count === this.capacity) {
      switch (this.strategy) {
        case "sliding": {
          this.dropOldest()
          break
        }
        case "dropping": {
          this.trailing = mergeGaps(this.trailing, droppedOne)
          return true
        }
        case "fail":
          return false
      }
    }
    const index = (this.head + this.count) % this.capacity
    this.items[index] = item
    this.gaps[index] = this.trailing
    this.trailing = undefined
    this.count++
    return true
  }

  /** Records that the listener connection was lost and re-established at this point. */
  markReconnected(): void {
    this.trailing = mergeGaps(this.trailing, reconnectedGap)
  }

  /**
   * Hands everything over in order: each gap (turned into zero or more events by `gapEvents`)
   * before the item it precedes, the trailing gap last. Leaves the buffer empty.
   */
  drain<G>(gapEvents: (gap: Gap, out: Array<A | G>) => void): Array<A | G> {
    const out: Array<A | G> = []
    const capacity = this.capacity
    for (let i = 0; i < this.count; i++) {
      const index = (this.head + i) % capacity
      const gap = this.gaps[index]
      if (gap !== undefined) gapEvents(gap, out)
      out.push(this.items[index] as A)
      this.items[index] = undefined
      this.gaps[index] = undefined
    }
    if (this.trailing !== undefined) gapEvents(this.trailing, out)
    this.head = 0
    this.count = 0
    this.trailing = undefined
    return out
  }

  /** Forgets every item and gap. */
  clear(): void {
    this.items.fill(undefined)
    this.gaps.fill(undefined)
    this.head = 0
    this.count = 0
    this.trailing = undefined
  }

  private dropOldest(): void {
    const lost = mergeGaps(this.gaps[this.head], droppedOne)
    this.items[this.head] = undefined
    this.gaps[this.head] = undefined
    this.head = (this.head + 1) % this.capacity
    this.count--
    if (this.count > 0) this.gaps[this.head] = mergeGaps(lost, this.gaps[this.head])
    else this.trailing = mergeGaps(lost, this.trailing)
  }
}
