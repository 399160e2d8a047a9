/**
 * PostgreSQL arrays whose subscripts do not start at 1.
 *
 * A PostgreSQL array is a rectangular block of up to 6 dimensions, each with its own lower bound
 * (`'[0:2]={a,b,c}'::text[]` starts at subscript 0). Array codecs decode the common case (every
 * lower bound is 1) to plain nested JS arrays; when any lower bound differs they return a
 * {@link PgArray}, which keeps the bounds so that nothing is lost on a round trip.
 *
 * @since 0.1.0
 */
import { CodecError } from "./PgCodec.ts"

/**
 * The nested-array form of an array value: one JS array per dimension, `null` for SQL NULL
 * elements. A 1-D `int4[]` is `ReadonlyArray<number | null>`, a 2-D one
 * `ReadonlyArray<ReadonlyArray<number | null>>`, and so on.
 *
 * @category models
 * @since 0.1.0
 */
export type Elements<A> = ReadonlyArray<A | null | Elements<A>>

/**
 * PostgreSQL's limit on the number of array dimensions (`MAXDIM`).
 *
 * @category constants
 * @since 0.1.0
 */
export const MAX_DIMENSIONS = 6

/**
 * An array value together with its shape and lower bounds.
 *
 * **Details**
 * - `elements` is the nested-array form (see {@link Elements}); its nesting depth equals
 *   `dimensions.length`.
 * - `dimensions[i]` is the length of dimension `i`, `lowerBounds[i]` its first subscript.
 * - An empty array has no dimensions (PostgreSQL has no empty array with bounds).
 *
 * Build one with {@link make}; array codecs return one only when a lower bound is not 1.
 *
 * @category models
 * @since 0.1.0
 */
export class PgArray<out A = unknown> {
  /** The elements as nested arrays, `null` for SQL NULL. */
  readonly elements: Elements<A>
  /** Length of each dimension, outermost first. */
  readonly dimensions: ReadonlyArray<number>
  /** First subscript of each dimension, outermost first. */
  readonly lowerBounds: ReadonlyArray<number>

  /**
   * Wraps already-validated parts; prefer {@link make}, which checks the shape.
   */
  constructor(elements: Elements<A>, dimensions: ReadonlyArray<number>, lowerBounds: ReadonlyArray<number>) {
    this.elements = elements
    this.dimensions = dimensions
    this.lowerBounds = lowerBounds
  }
}

/**
 * Whether a value is a {@link PgArray}.
 *
 * @category guards
 * @since 0.1.0
 */
export const isPgArray = (u: unknown): u is PgArray<unknown> => u instanceof PgArray

const invalid = (message: string): never => {
  throw new CodecError({ message: `PgArray: ${message}` })
}

/**
 * Builds a {@link PgArray} from nested elements and the lower bound of each dimension.
 *
 * **Details**
 * The number of lower bounds fixes the number of dimensions, so element values that are JS
 * arrays themselves (json, int2vector, multiranges) are not mistaken for a further dimension.
 * Without `lowerBounds` the depth is found by following the first element down and every bound
 * is 1. Throws a `CodecError` when the elements are ragged, when there are more than 6
 * dimensions, or when a bound would push a subscript past the int32 range. An empty array (any
 * dimension of length 0) becomes the dimensionless empty array.
 *
 * @example
 * ```ts
 * import * as PgArray from "@pgfx/protocol/PgArray"
 *
 * // '[0:2]={a,b,c}'
 * const a = PgArray.make(["a", "b", "c"], [0])
 * a.dimensions // [3]
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <A>(elements: Elements<A>, lowerBounds?: ReadonlyArray<number>): PgArray<A> => {
  const dimensions = lowerBounds === undefined ? inferDimensions(elements) : explicitDimensions(elements, lowerBounds.length)
  checkShape(elements, dimensions)
  if (dimensions.length === 0 || dimensions.includes(0)) return new PgArray<A>([], [], [])
  const bounds = lowerBounds ?? dimensions.map(() => 1)
  for (let i = 0; i < bounds.length; i++) {
    const lb = bounds[i]!
    if (!Number.isInteger(lb) || lb < -2147483648 || lb + dimensions[i]! - 1 > 2147483647) {
      invalid(`lower bound ${lb} out of range`)
    }
  }
  return new PgArray<A>(elements, dimensions, bounds.slice())
}

const inferDimensions = (elements: Elements<unknown>): Array<number> => {
  const dims: Array<number> = []
  let level: unknown = elements
  while (Array.isArray(level)) {
    if (dims.length === MAX_DIMENSIONS) invalid(`more than ${MAX_DIMENSIONS} dimensions`)
    dims.push(level.length)
    level = level[0]
  }
  return dims
}

const explicitDimensions = (elements: Elements<unknown>, ndim: number): Array<number> => {
  if (ndim > MAX_DIMENSIONS) invalid(`more than ${MAX_DIMENSIONS} dimensions`)
  const dims: Array<number> = []
  let level: unknown = elements
  for (let d = 0; d < ndim; d++) {
    if (!Array.isArray(level)) return invalid(`expected ${ndim} levels of nesting`)
    dims.push(level.length)
    level = level[0]
    if (level === undefined) {
      // An empty level: the remaining dimensions are 0.
      while (dims.length < ndim) dims.push(0)
      break
    }
  }
  return dims
}

/** Checks that every level has the length `dims` says (a walk, depth at most 6). */
const checkShape = (elements: unknown, dims: ReadonlyArray<number>): void => {
  const walk = (level: unknown, depth: number): void => {
    if (!Array.isArray(level) || level.length !== dims[depth]) invalid("ragged (non-rectangular) elements")
    const items = level as ReadonlyArray<unknown>
    if (depth + 1 < dims.length) {
      for (let i = 0; i < items.length; i++) walk(items[i], depth + 1)
    }
  }
  if (dims.length > 0) walk(elements, 0)
}

/**
 * The element at PostgreSQL subscripts (one per dimension, honouring the lower bounds), or
 * `null` when the element is NULL or the subscripts are out of range — as in SQL.
 *
 * @category getters
 * @since 0.1.0
 */
export const get = <A>(array: PgArray<A>, subscripts: ReadonlyArray<number>): A | null => {
  if (subscripts.length !== array.dimensions.length || subscripts.length === 0) return null
  let level: unknown = array.elements
  for (let d = 0; d < subscripts.length; d++) {
    const i = subscripts[d]! - array.lowerBounds[d]!
    if (!Number.isInteger(i) || i < 0 || i >= array.dimensions[d]!) return null
    level = (level as ReadonlyArray<unknown>)[i]
  }
  return (level ?? null) as A | null
}

/**
 * The nested elements of an array value, dropping any lower bounds.
 *
 * @category getters
 * @since 0.1.0
 */
export const toArray = <A>(value: Elements<A> | PgArray<A>): Elements<A> =>
  value instanceof PgArray ? value.elements : value
