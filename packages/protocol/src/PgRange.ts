/**
 * Range values (`int4range`, `tstzrange`, user-defined ranges, and the elements of multiranges).
 *
 * A range is either empty or has a lower and an upper bound, each finite (with a value and an
 * inclusive flag) or unbounded. The bound values are whatever the subtype codec produces
 * (`number` for int4range, `bigint` for int8range, `string` for numrange, `PgTimestamp`, …).
 *
 * @since 0.1.0
 */

/**
 * The bracket pair of a range's text form: `[` / `]` include the bound, `(` / `)` exclude it.
 *
 * @category models
 * @since 0.1.0
 */
export type Bounds = "[)" | "[]" | "()" | "(]"

/**
 * A range value.
 *
 * **Details**
 * - `lower` / `upper` are `null` when that side is unbounded (PostgreSQL has no NULL bounds).
 * - An unbounded side is never inclusive, as PostgreSQL normalises it.
 * - An empty range has `empty: true`, both bounds `null` and both flags `false`.
 * - Discrete ranges come back from the server in canonical form (`[1,5]` is sent as `[1,6)`);
 *   this module does not canonicalise.
 *
 * @category models
 * @since 0.1.0
 */
export class PgRange<A> {
  /** The lower bound, `null` when unbounded (or empty). */
  readonly lower: A | null
  /** The upper bound, `null` when unbounded (or empty). */
  readonly upper: A | null
  /** Whether the lower bound is included. */
  readonly lowerInclusive: boolean
  /** Whether the upper bound is included. */
  readonly upperInclusive: boolean
  /** Whether this is the empty range. */
  readonly empty: boolean

  /** Stores the parts as given; prefer {@link make} / {@link empty}, which normalise. */
  constructor(lower: A | null, upper: A | null, lowerInclusive: boolean, upperInclusive: boolean, empty: boolean) {
    this.lower = lower
    this.upper = upper
    this.lowerInclusive = lowerInclusive
    this.upperInclusive = upperInclusive
    this.empty = empty
  }
}

/**
 * Builds a non-empty range; `null` (or `undefined`) on a side means unbounded.
 *
 * @example
 * ```ts
 * import * as PgRange from "@pgfx/protocol/PgRange"
 *
 * PgRange.make(1, 5)          // [1,5)
 * PgRange.make(1, 5, "[]")    // [1,5]
 * PgRange.make(null, 10, "(]") // (,10]
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <A>(lower: A | null | undefined, upper: A | null | undefined, bounds: Bounds = "[)"): PgRange<A> => {
  const lo = lower ?? null
  const hi = upper ?? null
  return new PgRange<A>(lo, hi, lo !== null && bounds[0] === "[", hi !== null && bounds[1] === "]", false)
}

/**
 * Builds a range from explicit parts (the shape the codecs decode to), normalising unbounded
 * sides to exclusive.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromParts = <A>(parts: {
  readonly lower: A | null
  readonly upper: A | null
  readonly lowerInclusive: boolean
  readonly upperInclusive: boolean
}): PgRange<A> =>
  new PgRange<A>(
    parts.lower,
    parts.upper,
    parts.lower !== null && parts.lowerInclusive,
    parts.upper !== null && parts.upperInclusive,
    false
  )

const emptyRange = new PgRange<never>(null, null, false, false, true)

/**
 * The empty range (`'empty'`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty = <A = never>(): PgRange<A> => emptyRange

/**
 * The range unbounded on both sides (`(,)`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const unbounded = <A = never>(): PgRange<A> => new PgRange<A>(null, null, false, false, false)

/**
 * Whether a value is a {@link PgRange}.
 *
 * @category guards
 * @since 0.1.0
 */
export const isPgRange = (u: unknown): u is PgRange<unknown> => u instanceof PgRange

/**
 * The bracket pair of a non-empty range (`"[)"` etc.); unbounded sides show as exclusive.
 *
 * @category getters
 * @since 0.1.0
 */
export const bounds = (range: PgRange<unknown>): Bounds =>
  `${range.lowerInclusive ? "[" : "("}${range.upperInclusive ? "]" : ")"}` as Bounds
