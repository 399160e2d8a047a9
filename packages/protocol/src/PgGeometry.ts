/**
 * Values of PostgreSQL's geometric types: `point`, `line`, `lseg`, `box`, `path`, `polygon` and
 * `circle`, as plain readonly objects whose coordinates are `float8` numbers (NaN, ±Infinity and
 * -0 are kept).
 *
 * The codecs for these types (in `PgTypes`) decode to these shapes and encode from them; the
 * constructors below are conveniences, any object of the right shape will do.
 *
 * @since 0.1.0
 */

/**
 * A `point`: `(x,y)`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Point {
  readonly x: number
  readonly y: number
}

/**
 * A `line`, the infinite line `a·x + b·y + c = 0`: `{a,b,c}`. `a` and `b` are never both zero.
 *
 * @category models
 * @since 0.1.0
 */
export interface Line {
  readonly a: number
  readonly b: number
  readonly c: number
}

/**
 * An `lseg`, the line segment between two points: `[(x1,y1),(x2,y2)]`.
 *
 * @category models
 * @since 0.1.0
 */
export interface LineSegment {
  readonly start: Point
  readonly end: Point
}

/**
 * A `box`: `(x1,y1),(x2,y2)`.
 *
 * **Details**
 * PostgreSQL stores and prints the upper-right corner first and the lower-left corner second,
 * whatever order the corners were given in; decoded boxes always have
 * `upperRight.x >= lowerLeft.x` and `upperRight.y >= lowerLeft.y` (NaN aside). The codec reorders
 * the corners of a box it encodes the same way, so any two opposite corners may be given.
 *
 * @category models
 * @since 0.1.0
 */
export interface Box {
  readonly upperRight: Point
  readonly lowerLeft: Point
}

/**
 * A `path`: open `[(x1,y1),…]` or closed `((x1,y1),…)`, with at least one point.
 *
 * @category models
 * @since 0.1.0
 */
export interface Path {
  readonly closed: boolean
  readonly points: ReadonlyArray<Point>
}

/**
 * A `polygon`: `((x1,y1),…)`, with at least one point.
 *
 * @category models
 * @since 0.1.0
 */
export interface Polygon {
  readonly points: ReadonlyArray<Point>
}

/**
 * A `circle`: `<(x,y),r>`; the radius is never negative.
 *
 * @category models
 * @since 0.1.0
 */
export interface Circle {
  readonly center: Point
  readonly radius: number
}

/**
 * Builds a {@link Point}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const point = (x: number, y: number): Point => ({ x, y })

/**
 * Builds a {@link Line} from its coefficients (`a·x + b·y + c = 0`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const line = (a: number, b: number, c: number): Line => ({ a, b, c })

/**
 * Builds a {@link LineSegment}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const lineSegment = (start: Point, end: Point): LineSegment => ({ start, end })

/**
 * Builds a {@link Box} from any two opposite corners, ordering them as PostgreSQL does
 * (upper-right first).
 *
 * @category constructors
 * @since 0.1.0
 */
export const box = (corner1: Point, corner2: Point): Box => normalizeBox(corner1, corner2)

/**
 * Builds a {@link Path}; open unless `closed` is true.
 *
 * @category constructors
 * @since 0.1.0
 */
export const path = (points: ReadonlyArray<Point>, closed = false): Path => ({ closed, points })

/**
 * Builds a {@link Polygon}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const polygon = (points: ReadonlyArray<Point>): Polygon => ({ points })

/**
 * Builds a {@link Circle}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const circle = (center: Point, radius: number): Circle => ({ center, radius })

/**
 * Orders two opposite corners as `box_in` / `box_recv` do: a coordinate pair is swapped only when
 * the first is smaller than the second (so NaN coordinates stay where they are).
 *
 * @category constructors
 * @since 0.1.0
 */
export const normalizeBox = (corner1: Point, corner2: Point): Box => {
  const swapX = corner1.x < corner2.x
  const swapY = corner1.y < corner2.y
  if (!swapX && !swapY) return { upperRight: corner1, lowerLeft: corner2 }
  return {
    upperRight: { x: swapX ? corner2.x : corner1.x, y: swapY ? corner2.y : corner1.y },
    lowerLeft: { x: swapX ? corner1.x : corner2.x, y: swapY ? corner1.y : corner2.y }
  }
}
