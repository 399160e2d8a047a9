/**
 * Codecs for the geometric types: `point`, `line`, `lseg`, `box`, `path`, `polygon`, `circle`.
 *
 * Binary forms (`point_send` … `circle_send`): big-endian float8 coordinates.
 * - point: x, y
 * - line: a, b, c
 * - lseg: x1, y1, x2, y2
 * - box: upper-right x, y, then lower-left x, y
 * - path: uint8 closed flag, int32 point count, then the points
 * - polygon: int32 point count, then the points (the bounding box is not sent)
 * - circle: centre x, y, radius
 *
 * Text forms as the server prints them: `(1,2)`, `{1,2,3}`, `[(1,2),(3,4)]`, `(3,4),(1,2)`,
 * `[(1,2),(3,4)]` (open path) / `((1,2),(3,4))` (closed path, polygon), `<(1,2),3>`. Numbers are
 * printed like `float8` with the default `extra_float_digits = 1`: the shortest string that reads
 * back exactly, fixed notation for decimal exponents -4 … 14 and `1e+15` / `1e-05` otherwise,
 * `NaN`, `Infinity`, `-Infinity`, `-0`.
 *
 * Values: the readonly objects of `PgGeometry`.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import type { Box, Circle, Line, LineSegment, Path, Point, Polygon } from "../../PgGeometry.ts"
import { normalizeBox } from "../../PgGeometry.ts"
import { Oid } from "../../PgOid.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { readFloat64, readInt32 } from "../bytes.ts"

// -------------------------------------------------------------------------------------------------
// float8 text, as the server prints and reads it
// -------------------------------------------------------------------------------------------------

const TWO_53 = 9007199254740992

/**
 * Formats a number exactly as PostgreSQL's `float8out` does with `extra_float_digits = 1` (the
 * default since PostgreSQL 12): shortest round-trip digits, fixed notation when the decimal
 * exponent is in -4 … 14, otherwise `d.ddde±XX` with at least two exponent digits.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatFloat8 = (v: number): string => {
  if (v === 0) return 1 / v < 0 ? "-0" : "0"
  const a = v < 0 ? -v : v
  // JavaScript prints the same shortest digits, in fixed notation for 1e-7 <= |v| < 1e21.
  if (a >= 1e-4 && a < 1e15) return "" + v
  if (v !== v) return "NaN"
  if (a === Infinity) return v < 0 ? "-Infinity" : "Infinity"
  let e = v.toExponential()
  if (a >= TWO_53) e = excludeBounds(v, a, e)
  const k = e.indexOf("e")
  const exp = +e.slice(k + 2)
  return e.slice(0, k + 2) + (exp < 10 ? "0" + exp : "" + exp)
}

/** Whether the decimal `s` (a `toExponential` string) lies exactly halfway to a neighbour of `a`. */
const onBound = (a: number, s: string): boolean => {
  const k = s.indexOf("e")
  let mantissa = s.slice(s.charCodeAt(0) === 45 ? 1 : 0, k)
  const dot = mantissa.indexOf(".")
  let fraction = 0
  if (dot !== -1) {
    fraction = mantissa.length - dot - 1
    mantissa = mantissa.slice(0, dot) + mantissa.slice(dot + 1)
  }
  const scale = +s.slice(k + 1) - fraction
  // At or above 2^53 every bound is an integer; a decimal with a fraction cannot be one.
  if (scale < 0) return false
  const decimal = BigInt(mantissa) * 10n ** BigInt(scale)
  const exact = BigInt(a)
  // The gap to the next double up; the gap down is half as big at a power of two.
  const top = exact.toString(2).length - 1
  const up = 1n << BigInt(top - 52)
  const down = exact === 1n << BigInt(top) ? up / 2n : up
  const d = decimal - exact
  return d * 2n === up || -d * 2n === down
}

/**
 * PostgreSQL's shortest-digits algorithm (Ryu) excludes the two halfway points from the
 * interval that reads back as `v`, while JavaScript accepts them when the significand is even
 * (1e23 prints as `1e+23` in JavaScript, `9.999999999999999e+22` in PostgreSQL). Those points are
 * integers, so this only matters from 2^53 up: take more digits until the decimal is inside.
 */
const excludeBounds = (v: number, a: number, e: string): string => {
  if (!onBound(a, e)) return e
  const digits = e.indexOf("e") - (v < 0 ? 1 : 0) - (e.indexOf(".") === -1 ? 0 : 1)
  for (let p = digits + 1; p <= 17; p++) {
    let s = v.toExponential(p - 1)
    if (+s !== v || onBound(a, s)) continue
    // Drop trailing zeros of the significand, as the shortest form has none.
    const k = s.indexOf("e")
    let end = k
    while (s.charCodeAt(end - 1) === 48) end--
    if (s.charCodeAt(end - 1) === 46) end--
    s = s.slice(0, end) + s.slice(k)
    return s
  }
  return e
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

/**
 * Reads a float8 token as `float8in` does for the forms the server prints and the usual spellings
 * (`nan`, `inf`, `infinity`, any case, optional sign). Returns `undefined` on a syntax error.
 */
const parseFloat8 = (t: string): number | undefined => {
  if (t.length === 0) return undefined
  const v = Number(t)
  if (v === v) {
    // `Number` also reads 0x…, 0o…, 0b… integer literals, which float8in does not.
    let i = 0
    const c0 = t.charCodeAt(0)
    if (c0 === 43 || c0 === 45) i = 1
    if (t.charCodeAt(i) === 48 && i + 1 < t.length) {
      const c1 = t.charCodeAt(i + 1) | 0x20
      if (c1 === 120 || c1 === 111 || c1 === 98) return undefined
    }
    return v
  }
  const w = t.toLowerCase()
  if (w === "nan") return Number.NaN
  if (w === "inf" || w === "infinity" || w === "+inf" || w === "+infinity") return Number.POSITIVE_INFINITY
  if (w === "-inf" || w === "-infinity") return Number.NEGATIVE_INFINITY
  return undefined
}

// -------------------------------------------------------------------------------------------------
// A tiny cursor over a geometric value's text
// -------------------------------------------------------------------------------------------------

interface Cursor {
  readonly s: string
  i: number
  readonly name: string
  readonly oid: number
}

const syntaxError = (c: Cursor): never => fail(`${c.name}: invalid input syntax`, c.oid, c.name)

const skipSpace = (c: Cursor): void => {
  while (c.i < c.s.length && isSpace(c.s.charCodeAt(c.i))) c.i++
}

/** Skips whitespace and consumes `ch` if it is next; returns whether it did. */
const accept = (c: Cursor, ch: number): boolean => {
  skipSpace(c)
  if (c.s.charCodeAt(c.i) === ch) {
    c.i++
    return true
  }
  return false
}

const expect = (c: Cursor, ch: number): void => {
  if (!accept(c, ch)) syntaxError(c)
}

const CH_LPAREN = 40
const CH_RPAREN = 41
const CH_COMMA = 44
const CH_LT = 60
const CH_GT = 62
const CH_LBRACKET = 91
const CH_RBRACKET = 93
const CH_LBRACE = 123
const CH_RBRACE = 125

const isNumberEnd = (ch: number): boolean =>
  ch === CH_COMMA || ch === CH_RPAREN || ch === CH_RBRACKET || ch === CH_RBRACE || ch === CH_GT ||
  ch === CH_LPAREN || isSpace(ch)

const readNumber = (c: Cursor): number => {
  skipSpace(c)
  const start = c.i
  const s = c.s
  while (c.i < s.length && !isNumberEnd(s.charCodeAt(c.i))) c.i++
  const v = parseFloat8(s.slice(start, c.i))
  return v === undefined ? syntaxError(c) : v
}

/** `(x,y)`, or `x,y` without parentheses. */
const readPoint = (c: Cursor): Point => {
  if (accept(c, CH_LPAREN)) {
    const x = readNumber(c)
    expect(c, CH_COMMA)
    const y = readNumber(c)
    expect(c, CH_RPAREN)
    return { x, y }
  }
  const x = readNumber(c)
  expect(c, CH_COMMA)
  return { x, y: readNumber(c) }
}

/** Reads points separated by commas until the cursor is not followed by a comma. */
const readPointList = (c: Cursor): Array<Point> => {
  const points: Array<Point> = [readPoint(c)]
  while (accept(c, CH_COMMA)) points.push(readPoint(c))
  return points
}

const expectEnd = (c: Cursor): void => {
  skipSpace(c)
  if (c.i !== c.s.length) syntaxError(c)
}

const cursor = (s: string, oid: number, name: string): Cursor => {
  if (typeof s !== "string") fail(`${name}: expected a string`, oid, name)
  return { s, i: 0, name, oid }
}

/**
 * Whether the text at the cursor opens with a delimiter around the whole list (`[…]`, or `(…)`
 * followed by another `(`), as opposed to starting directly with the first point.
 */
const outerDelimiter = (c: Cursor): number => {
  skipSpace(c)
  const ch = c.s.charCodeAt(c.i)
  if (ch === CH_LBRACKET) return ch
  if (ch === CH_LPAREN) {
    let j = c.i + 1
    while (j < c.s.length && isSpace(c.s.charCodeAt(j))) j++
    if (c.s.charCodeAt(j) === CH_LPAREN) return ch
  }
  return 0
}

/**
 * Reads `read`'s value optionally wrapped in `[…]` or `(…)` (see {@link outerDelimiter}), then
 * the end of the text; returns the value and the opening delimiter (0 when there was none).
 */
const readWrapped = <A>(c: Cursor, read: (c: Cursor) => A): { readonly open: number; readonly value: A } => {
  const open = outerDelimiter(c)
  if (open !== 0) c.i++
  const value = read(c)
  if (open !== 0) expect(c, open === CH_LBRACKET ? CH_RBRACKET : CH_RPAREN)
  expectEnd(c)
  return { open, value }
}

// -------------------------------------------------------------------------------------------------
// Encoding helpers
// -------------------------------------------------------------------------------------------------

const checkNumber = (v: unknown, oid: number, name: string): number =>
  typeof v === "number" ? v : fail(`${name}: expected a number, got ${typeof v}`, oid, name)

const checkPoint = (p: Point, oid: number, name: string): Point => {
  if (typeof p !== "object" || p === null || typeof p.x !== "number" || typeof p.y !== "number") {
    fail(`${name}: expected a point { x, y } of numbers`, oid, name)
  }
  return p
}

const writePoint = (w: PgWriter, p: Point): void => {
  w.f64(p.x)
  w.f64(p.y)
}

const pointText = (p: Point): string => "(" + formatFloat8(p.x) + "," + formatFloat8(p.y) + ")"

const pointsText = (points: ReadonlyArray<Point>, oid: number, name: string): string => {
  let s = ""
  for (let i = 0; i < points.length; i++) {
    if (i > 0) s += ","
    s += pointText(checkPoint(points[i]!, oid, name))
  }
  return s
}

const checkPoints = (points: ReadonlyArray<Point>, oid: number, name: string): ReadonlyArray<Point> => {
  if (!Array.isArray(points)) fail(`${name}: expected an array of points`, oid, name)
  if (points.length === 0) fail(`${name}: at least one point is required`, oid, name)
  if (points.length > 0x7fffffff / 16) fail(`${name}: too many points`, oid, name)
  return points
}

const checkObject = (v: unknown, oid: number, name: string): void => {
  if (typeof v !== "object" || v === null) fail(`${name}: expected an object`, oid, name)
}

const readPointAt = (b: Uint8Array, o: number): Point => ({ x: readFloat64(b, o), y: readFloat64(b, o + 8) })

const expectLength = (len: number, want: number, oid: number, name: string): void => {
  if (len !== want) fail(`${name}: expected ${want} bytes, got ${len}`, oid, name)
}

/** Writes the point count and the points, checking each. */
const writePoints = (w: PgWriter, points: ReadonlyArray<Point>, oid: number, name: string): void => {
  w.i32(points.length)
  for (let i = 0; i < points.length; i++) writePoint(w, checkPoint(points[i]!, oid, name))
}

/** Reads `n` points at `o`, after checking that exactly `n` points fill the rest of the field. */
const readPoints = (b: Uint8Array, o: number, n: number, end: number, oid: number, name: string): Array<Point> => {
  if (n < 0 || n * 16 !== end - o) fail(`${name}: point count does not match the field length`, oid, name)
  if (n === 0) fail(`${name}: no points`, oid, name)
  const points = new Array<Point>(n)
  for (let i = 0; i < n; i++, o += 16) points[i] = readPointAt(b, o)
  return points
}

// -------------------------------------------------------------------------------------------------
// Codecs
// -------------------------------------------------------------------------------------------------

/**
 * `point` ⇄ {@link Point}.
 *
 * @category codecs
 * @since 0.1.0
 */
export const point: Codec<Point> = make<Point>({
  oid: Oid.point,
  name: "point",
  decodeBinary: (b, o, len) => {
    expectLength(len, 16, Oid.point, "point")
    return readPointAt(b, o)
  },
  encodeBinary: (v, w) => writePoint(w, checkPoint(v, Oid.point, "point")),
  decodeText: (t) => {
    const c = cursor(t, Oid.point, "point")
    const p = readPoint(c)
    expectEnd(c)
    return p
  },
  encodeText: (v) => pointText(checkPoint(v, Oid.point, "point"))
})

const checkLine = (v: Line): Line => {
  checkObject(v, Oid.line, "line")
  checkNumber(v.a, Oid.line, "line")
  checkNumber(v.b, Oid.line, "line")
  checkNumber(v.c, Oid.line, "line")
  if (v.a === 0 && v.b === 0) fail("line: a and b cannot both be zero", Oid.line, "line")
  return v
}

/**
 * `line` ⇄ {@link Line} (`{a,b,c}`).
 *
 * **Gotchas**
 * Encoding a line whose `a` and `b` are both zero throws a CodecError (the server rejects it).
 *
 * @category codecs
 * @since 0.1.0
 */
export const line: Codec<Line> = make<Line>({
  oid: Oid.line,
  name: "line",
  decodeBinary: (b, o, len) => {
    expectLength(len, 24, Oid.line, "line")
    return { a: readFloat64(b, o), b: readFloat64(b, o + 8), c: readFloat64(b, o + 16) }
  },
  encodeBinary: (v, w) => {
    checkLine(v)
    w.f64(v.a)
    w.f64(v.b)
    w.f64(v.c)
  },
  decodeText: (t) => {
    const c = cursor(t, Oid.line, "line")
    expect(c, CH_LBRACE)
    const a = readNumber(c)
    expect(c, CH_COMMA)
    const bb = readNumber(c)
    expect(c, CH_COMMA)
    const cc = readNumber(c)
    expect(c, CH_RBRACE)
    expectEnd(c)
    return { a, b: bb, c: cc }
  },
  encodeText: (v) => {
    checkLine(v)
    return "{" + formatFloat8(v.a) + "," + formatFloat8(v.b) + "," + formatFloat8(v.c) + "}"
  }
})

const readPointPair = (c: Cursor): [Point, Point] => {
  const p1 = readPoint(c)
  expect(c, CH_COMMA)
  return [p1, readPoint(c)]
}

/** Reads two points, optionally wrapped in `[…]` or `(…)`, as lseg and box text allow. */
const readTwoPoints = (c: Cursor): [Point, Point] => readWrapped(c, readPointPair).value

const checkLseg = (v: LineSegment): LineSegment => {
  checkObject(v, Oid.lseg, "lseg")
  checkPoint(v.start, Oid.lseg, "lseg")
  checkPoint(v.end, Oid.lseg, "lseg")
  return v
}

/**
 * `lseg` ⇄ {@link LineSegment} (`[(x1,y1),(x2,y2)]`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const lseg: Codec<LineSegment> = make<LineSegment>({
  oid: Oid.lseg,
  name: "lseg",
  decodeBinary: (b, o, len) => {
    expectLength(len, 32, Oid.lseg, "lseg")
    return { start: readPointAt(b, o), end: readPointAt(b, o + 16) }
  },
  encodeBinary: (v, w) => {
    checkLseg(v)
    writePoint(w, v.start)
    writePoint(w, v.end)
  },
  decodeText: (t) => {
    const [start, end] = readTwoPoints(cursor(t, Oid.lseg, "lseg"))
    return { start, end }
  },
  encodeText: (v) => {
    checkLseg(v)
    return "[" + pointText(v.start) + "," + pointText(v.end) + "]"
  }
})

const checkBox = (v: Box): Box => {
  checkObject(v, Oid.box, "box")
  return normalizeBox(checkPoint(v.upperRight, Oid.box, "box"), checkPoint(v.lowerLeft, Oid.box, "box"))
}

/**
 * `box` ⇄ {@link Box} (`(x1,y1),(x2,y2)`, upper-right corner first).
 *
 * **Details**
 * Encoding orders the corners as the server would (upper-right first), so the bytes sent are
 * those `box_send` prints for the same box. Arrays of boxes use `;` as their text delimiter.
 *
 * @category codecs
 * @since 0.1.0
 */
export const box: Codec<Box> = make<Box>({
  oid: Oid.box,
  name: "box",
  decodeBinary: (b, o, len) => {
    expectLength(len, 32, Oid.box, "box")
    return { upperRight: readPointAt(b, o), lowerLeft: readPointAt(b, o + 16) }
  },
  encodeBinary: (v, w) => {
    const n = checkBox(v)
    writePoint(w, n.upperRight)
    writePoint(w, n.lowerLeft)
  },
  decodeText: (t) => {
    const [p1, p2] = readTwoPoints(cursor(t, Oid.box, "box"))
    return normalizeBox(p1, p2)
  },
  encodeText: (v) => {
    const n = checkBox(v)
    return pointText(n.upperRight) + "," + pointText(n.lowerLeft)
  }
})

const checkPath = (v: Path): Path => {
  checkObject(v, Oid.path, "path")
  if (typeof v.closed !== "boolean") fail("path: expected a boolean `closed`", Oid.path, "path")
  checkPoints(v.points, Oid.path, "path")
  return v
}

/**
 * `path` ⇄ {@link Path} (open `[(x1,y1),…]`, closed `((x1,y1),…)`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const path: Codec<Path> = make<Path>({
  oid: Oid.path,
  name: "path",
  decodeBinary: (b, o, len) => {
    if (len < 5) fail(`path: expected at least 5 bytes, got ${len}`, Oid.path, "path")
    const closed = b[o] !== 0
    const points = readPoints(b, o + 5, readInt32(b, o + 1), o + len, Oid.path, "path")
    return { closed, points }
  },
  encodeBinary: (v, w) => {
    checkPath(v)
    w.u8(v.closed ? 1 : 0)
    writePoints(w, v.points, Oid.path, "path")
  },
  decodeText: (t) => {
    const { open, value: points } = readWrapped(cursor(t, Oid.path, "path"), readPointList)
    // Like path_in, a path without `[…]` is closed.
    return { closed: open !== CH_LBRACKET, points }
  },
  encodeText: (v) => {
    checkPath(v)
    const body = pointsText(v.points, Oid.path, "path")
    return v.closed ? "(" + body + ")" : "[" + body + "]"
  }
})

const checkPolygon = (v: Polygon): Polygon => {
  checkObject(v, Oid.polygon, "polygon")
  checkPoints(v.points, Oid.polygon, "polygon")
  return v
}

/**
 * `polygon` ⇄ {@link Polygon} (`((x1,y1),…)`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const polygon: Codec<Polygon> = make<Polygon>({
  oid: Oid.polygon,
  name: "polygon",
  decodeBinary: (b, o, len) => {
    if (len < 4) fail(`polygon: expected at least 4 bytes, got ${len}`, Oid.polygon, "polygon")
    return { points: readPoints(b, o + 4, readInt32(b, o), o + len, Oid.polygon, "polygon") }
  },
  encodeBinary: (v, w) => writePoints(w, checkPolygon(v).points, Oid.polygon, "polygon"),
  decodeText: (t) => ({ points: readWrapped(cursor(t, Oid.polygon, "polygon"), readPointList).value }),
  encodeText: (v) => "(" + pointsText(checkPolygon(v).points, Oid.polygon, "polygon") + ")"
})

const checkCircle = (v: Circle): Circle => {
  checkObject(v, Oid.circle, "circle")
  checkPoint(v.center, Oid.circle, "circle")
  checkNumber(v.radius, Oid.circle, "circle")
  if (v.radius < 0) fail("circle: the radius cannot be negative", Oid.circle, "circle")
  return v
}

/**
 * `circle` ⇄ {@link Circle} (`<(x,y),r>`).
 *
 * **Gotchas**
 * Encoding a negative radius throws a CodecError (the server rejects it).
 *
 * @category codecs
 * @since 0.1.0
 */
export const circle: Codec<Circle> = make<Circle>({
  oid: Oid.circle,
  name: "circle",
  decodeBinary: (b, o, len) => {
    expectLength(len, 24, Oid.circle, "circle")
    return { center: readPointAt(b, o), radius: readFloat64(b, o + 16) }
  },
  encodeBinary: (v, w) => {
    checkCircle(v)
    writePoint(w, v.center)
    w.f64(v.radius)
  },
  decodeText: (t) => {
    const c = cursor(t, Oid.circle, "circle")
    // `<(x,y),r>`, also `((x,y),r)` and `(x,y),r` as circle_in accepts.
    let close = 0
    if (accept(c, CH_LT)) close = CH_GT
    else if (outerDelimiter(c) === CH_LPAREN) {
      c.i++
      close = CH_RPAREN
    }
    const center = readPoint(c)
    expect(c, CH_COMMA)
    const radius = readNumber(c)
    if (close !== 0) expect(c, close)
    expectEnd(c)
    if (radius < 0) fail("circle: the radius cannot be negative", Oid.circle, "circle")
    return { center, radius }
  },
  encodeText: (v) => {
    checkCircle(v)
    return "<" + pointText(v.center) + "," + formatFloat8(v.radius) + ">"
  }
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [point, line, lseg, box, path, polygon, circle]
