/**
 * Array codecs, generic over the element codec.
 *
 * Binary form (`array_send` / `array_recv`): int32 ndim, int32 has-null flag, uint32 element OID,
 * then per dimension int32 length and int32 lower bound, then every element in row-major order
 * as an int32 length (-1 = NULL) followed by its bytes. An empty array has ndim 0.
 *
 * Text form (`array_out` / `array_in`): `{1,2,NULL}`, `{{1,2},{3,4}}`, elements quoted with `"`
 * and backslash escapes when needed, `[0:2]={…}` dimension decoration when a lower bound is not
 * 1, and the element type's delimiter (`;` for box).
 *
 * Values: nested JS arrays (`null` for NULL); a `PgArray` when a lower bound is not 1.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import type { Elements } from "../../PgArray.ts"
import { MAX_DIMENSIONS, PgArray } from "../../PgArray.ts"
import type { PgWriter } from "../../PgWriter.ts"
import { readInt32, readUint32 } from "../bytes.ts"
import type { Specials } from "./literal.ts"
import { failer, isSpace, quoteLiteral, skipSpace, specials } from "./literal.ts"

/**
 * Options of {@link arrayCodec}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ArrayOptions {
  /**
   * The element type's values are themselves JS arrays (json/jsonb, int2vector, oidvector,
   * record, multiranges). Encoding then reads a plain JS array as one dimension; pass a
   * `PgArray` to encode more dimensions. Decoding returns a `PgArray` for more than one
   * dimension, so the value re-encodes with its shape.
   */
  readonly elementIsArray?: boolean | undefined
}

/**
 * The decoded form of an array: nested arrays, or a `PgArray` when a lower bound is not 1.
 *
 * @category models
 * @since 0.1.0
 */
export type ArrayValue<A> = Elements<A> | PgArray<A>

const CH_QUOTE = 34
const CH_BACKSLASH = 92
const CH_LBRACE = 123
const CH_RBRACE = 125
const CH_LBRACKET = 91
const CH_RBRACKET = 93
const CH_COLON = 58
const CH_EQUALS = 61

/**
 * Builds the codec of an array type over an element codec.
 *
 * **Details**
 * The binary functions exist only when the element codec has them. Decoding checks the element
 * OID in the binary header against `element.oid`. Encoding accepts nested arrays or a `PgArray`
 * and throws a `CodecError` for ragged input, more than 6 dimensions, or a level that mixes
 * sub-arrays and elements.
 *
 * @category constructors
 * @since 0.1.0
 */
export const arrayCodec = <A, I = A>(
  element: Codec<A, I>,
  arrayOid: number,
  name: string,
  delimiter = ",",
  options?: ArrayOptions
): Codec<ArrayValue<A>, ArrayValue<I>> => {
  const elementIsArray = options?.elementIsArray === true
  const elementOid = element.oid
  const delimCode = delimiter.charCodeAt(0)
  const elementSpecials = specials("{}" + delimiter)
  const fail = failer(arrayOid, name)

  // ---------------------------------------------------------------------------------------------
  // binary decode

  const elemDecode = element.decodeBinary
  const decodeBinary = elemDecode === undefined ? undefined : (bytes: Uint8Array, offset: number, length: number): ArrayValue<A> => {
    const end = offset + length
    if (length < 12) fail("array header truncated")
    const ndim = readInt32(bytes, offset)
    const flags = readInt32(bytes, offset + 4)
    if (ndim < 0 || ndim > MAX_DIMENSIONS) fail(`invalid number of dimensions: ${ndim}`)
    if (flags !== 0 && flags !== 1) fail(`invalid array flags: ${flags}`)
    const oid = readUint32(bytes, offset + 8)
    if (oid !== elementOid) fail(`array element type ${oid} is not the expected ${elementOid}`)
    let pos = offset + 12
    if (ndim === 0) {
      if (pos !== end) fail("trailing bytes after empty array")
      return []
    }
    if (pos + ndim * 8 > end) fail("array dimensions truncated")
    if (ndim === 1) {
      // Hot path: one dimension, one loop.
      const n = readInt32(bytes, pos)
      const lb = readInt32(bytes, pos + 4)
      pos += 8
      if (n < 0) fail(`invalid array length: ${n}`)
      if (n === 0) {
        if (pos !== end) fail("trailing bytes after empty array")
        return []
      }
      if (n > (end - pos) >> 2) fail("array has more elements than bytes")
      if (lb + n - 1 > 2147483647) fail("array upper bound too large")
      const out = new Array<A | null>(n)
      for (let i = 0; i < n; i++) {
        if (pos + 4 > end) fail("array element length truncated")
        const len = readInt32(bytes, pos)
        pos += 4
        if (len === -1) {
          out[i] = null
        } else {
          if (len < 0 || len > end - pos) fail(`invalid array element length: ${len}`)
          out[i] = elemDecode(bytes, pos, len)
          pos += len
        }
      }
      if (pos !== end) fail("trailing bytes after array elements")
      return lb === 1 ? out : new PgArray<A>(out, [n], [lb])
    }
    const dims = new Array<number>(ndim)
    const lbs = new Array<number>(ndim)
    let total = 1
    let allOne = true
    for (let d = 0; d < ndim; d++) {
      const n = readInt32(bytes, pos)
      const lb = readInt32(bytes, pos + 4)
      pos += 8
      if (n < 0) fail(`invalid array dimension: ${n}`)
      if (lb + n - 1 > 2147483647) fail("array upper bound too large")
      dims[d] = n
      lbs[d] = lb
      if (lb !== 1) allOne = false
      total *= n
    }
    if (total === 0) {
      if (pos !== end) fail("trailing bytes after empty array")
      return []
    }
    if (total > (end - pos) / 4) fail("array has more elements than bytes")
    const flat = new Array<A | null>(total)
    for (let i = 0; i < total; i++) {
      if (pos + 4 > end) fail("array element length truncated")
      const len = readInt32(bytes, pos)
      pos += 4
      if (len === -1) {
        flat[i] = null
      } else {
        if (len < 0 || len > end - pos) fail(`invalid array element length: ${len}`)
        flat[i] = elemDecode(bytes, pos, len)
        pos += len
      }
    }
    if (pos !== end) fail("trailing bytes after array elements")
    const nested = reshape(flat, dims) as Elements<A>
    // Array-valued elements: keep the dimensions, or re-encoding would see one dimension.
    return allOne && !elementIsArray ? nested : new PgArray<A>(nested, dims, lbs)
  }

  // ---------------------------------------------------------------------------------------------
  // shape of an input value

  /** Dimensions and lower bounds of an input; validates the shape. */
  const shapeOf = (value: ArrayValue<I>): { dims: ReadonlyArray<number>; lbs: ReadonlyArray<number> | undefined } => {
    if (value instanceof PgArray) {
      const dims = value.dimensions
      if (dims.length > MAX_DIMENSIONS) fail(`more than ${MAX_DIMENSIONS} dimensions`)
      if (value.lowerBounds.length !== dims.length) fail("PgArray has mismatched dimensions and lower bounds")
      return { dims, lbs: value.lowerBounds }
    }
    if (!Array.isArray(value)) return fail("expected an array")
    const dims: Array<number> = []
    let level: unknown = value
    while (Array.isArray(level)) {
      if (dims.length === MAX_DIMENSIONS) fail(`more than ${MAX_DIMENSIONS} dimensions`)
      dims.push(level.length)
      if (elementIsArray) break
      level = level[0]
    }
    return { dims, lbs: undefined }
  }

  /**
   * Visits the leaves of `elements` in row-major order, checking that every level has the
   * length in `dims` and that levels do not mix sub-arrays and elements.
   */
  const forEachLeaf = (elements: unknown, dims: ReadonlyArray<number>, f: (leaf: I | null) => void): void => {
    const last = dims.length - 1
    const walk = (level: unknown, depth: number): void => {
      if (!Array.isArray(level)) return fail("ragged array: a sub-array is missing")
      const items = level as ReadonlyArray<unknown>
      if (items.length !== dims[depth]) fail("ragged array: sub-arrays of different lengths")
      if (depth === last) {
        for (let i = 0; i < items.length; i++) {
          const item = items[i]
          if (!elementIsArray && Array.isArray(item)) fail("array mixes sub-arrays and elements")
          f(item === undefined ? null : item as I | null)
        }
      } else {
        for (let i = 0; i < items.length; i++) walk(items[i], depth + 1)
      }
    }
    walk(elements, 0)
  }

  // ---------------------------------------------------------------------------------------------
  // binary encode

  const elemEncode = element.encodeBinary
  const encodeBinary = elemEncode === undefined ? undefined : (value: ArrayValue<I>, writer: PgWriter): void => {
    const { dims, lbs } = shapeOf(value)
    const elements = value instanceof PgArray ? value.elements : value
    let total = dims.length === 0 ? 0 : 1
    for (let d = 0; d < dims.length; d++) total *= dims[d]!
    if (total === 0) {
      if (dims.length > 0) forEachLeaf(elements, dims, noop)
      writer.i32(0).i32(0).u32(elementOid)
      return
    }
    writer.i32(dims.length)
    const flagsAt = writer.length
    writer.i32(0).u32(elementOid)
    for (let d = 0; d < dims.length; d++) writer.i32(dims[d]!).i32(lbs === undefined ? 1 : lbs[d]!)
    let hasNull = false
    if (dims.length === 1) {
      // Hot path: one dimension, one loop.
      const items = elements as ReadonlyArray<I | null | undefined>
      for (let i = 0; i < items.length; i++) {
        const item = items[i]
        if (item === null || item === undefined) {
          hasNull = true
          writer.i32(-1)
        } else {
          if (!elementIsArray && Array.isArray(item)) fail("array mixes sub-arrays and elements")
          const at = writer.beginLength()
          elemEncode(item, writer)
          writer.endLength(at, false)
        }
      }
    } else {
      forEachLeaf(elements, dims, (item) => {
        if (item === null) {
          hasNull = true
          writer.i32(-1)
        } else {
          const at = writer.beginLength()
          elemEncode(item, writer)
          writer.endLength(at, false)
        }
      })
    }
    if (hasNull) writer.dataView.setInt32(flagsAt, 1)
  }

  // ---------------------------------------------------------------------------------------------
  // text encode

  const elemEncodeText = element.encodeText
  const encodeText = (value: ArrayValue<I>): string => {
    const { dims, lbs } = shapeOf(value)
    const elements = value instanceof PgArray ? value.elements : value
    if (dims.length === 0 || dims.includes(0)) {
      if (dims.length > 0) forEachLeaf(elements, dims, noop)
      return "{}"
    }
    let out = ""
    if (lbs !== undefined && lbs.some((lb) => lb !== 1)) {
      for (let d = 0; d < dims.length; d++) out += `[${lbs[d]}:${lbs[d]! + dims[d]! - 1}]`
      out += "="
    }
    const last = dims.length - 1
    const walk = (level: unknown, depth: number): void => {
      if (!Array.isArray(level)) return fail("ragged array: a sub-array is missing")
      const items = level as ReadonlyArray<unknown>
      if (items.length !== dims[depth]) fail("ragged array: sub-arrays of different lengths")
      out += "{"
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out += delimiter
        const item = items[i]
        if (depth < last) {
          walk(item, depth + 1)
        } else if (item === null || item === undefined) {
          out += "NULL"
        } else {
          if (!elementIsArray && Array.isArray(item)) fail("array mixes sub-arrays and elements")
          out += quoteArrayElement(elemEncodeText(item as I), elementSpecials)
        }
      }
      out += "}"
    }
    walk(elements, 0)
    return out
  }

  // ---------------------------------------------------------------------------------------------
  // text decode

  const elemDecodeText = element.decodeText
  const decodeText = (text: string): ArrayValue<A> => {
    const n = text.length
    let i = skipSpace(text, 0)

    // Optional dimension decoration: [lb:ub][lb:ub]=
    let declaredDims: Array<number> | undefined
    let declaredLbs: Array<number> | undefined
    if (text.charCodeAt(i) === CH_LBRACKET) {
      declaredDims = []
      declaredLbs = []
      while (text.charCodeAt(i) === CH_LBRACKET) {
        if (declaredDims.length === MAX_DIMENSIONS) fail(`more than ${MAX_DIMENSIONS} dimensions`)
        i++
        const first = readInteger(text, i)
        if (first === undefined) return fail("malformed array dimensions")
        i = first.end
        let lb = 1
        let ub = first.value
        if (text.charCodeAt(i) === CH_COLON) {
          const second = readInteger(text, i + 1)
          if (second === undefined) return fail("malformed array dimensions")
          lb = first.value
          ub = second.value
          i = second.end
        }
        if (text.charCodeAt(i) !== CH_RBRACKET) fail("malformed array dimensions")
        i++
        if (ub < lb) fail("array upper bound is less than lower bound")
        if (ub > 2147483647 || lb < -2147483648) fail("array bound out of range")
        declaredDims.push(ub - lb + 1)
        declaredLbs.push(lb)
      }
      i = skipSpace(text, i)
      if (text.charCodeAt(i) !== CH_EQUALS) fail("missing \"=\" after array dimensions")
      i = skipSpace(text, i + 1)
    }

    if (text.charCodeAt(i) !== CH_LBRACE) fail("array literal must start with \"{\"")
    i++
    const root: Array<unknown> = []
    const stack: Array<Array<unknown>> = [root]
    // What each open level holds: 0 nothing yet, 1 sub-arrays, 2 elements (element values may
    // be JS arrays themselves, so the values cannot tell).
    const kinds: Array<number> = [0]
    // Length of each level (set when its first sub-array closes); -1 = not seen yet.
    const dims: Array<number> = [-1]
    // Depth at which elements live (1-based), 0 until the first element or empty level.
    let leafDepth = 0
    let emptySeen = false
    // 0: after "{"; 1: after a delimiter; 2: after an element or "}"
    let state = 0
    let current = root
    for (;;) {
      i = skipSpace(text, i)
      if (i >= n) fail("unterminated array literal")
      const c = text.charCodeAt(i)
      const depth = stack.length
      if (c === CH_LBRACE) {
        if (state === 2) fail("missing delimiter in array literal")
        if (depth === MAX_DIMENSIONS) fail(`more than ${MAX_DIMENSIONS} dimensions`)
        if (kinds[depth - 1] === 2 || (leafDepth !== 0 && depth >= leafDepth)) fail("array mixes sub-arrays and elements")
        kinds[depth - 1] = 1
        const sub: Array<unknown> = []
        current.push(sub)
        stack.push(sub)
        kinds.push(0)
        if (dims.length === depth) dims.push(-1)
        current = sub
        state = 0
        i++
      } else if (c === CH_RBRACE) {
        if (state === 1) fail("unexpected \"}\" after delimiter")
        const level = depth - 1
        const kind = kinds.pop()
        if (kind === 0) {
          emptySeen = true
        } else if (kind === 2) {
          if (leafDepth === 0) leafDepth = depth
          else if (leafDepth !== depth) fail("array sub-arrays have different depths")
        }
        if (dims[level] === -1) dims[level] = current.length
        else if (dims[level] !== current.length) fail("array sub-arrays have different lengths")
        stack.pop()
        i++
        if (stack.length === 0) break
        current = stack[stack.length - 1]!
        state = 2
      } else if (c === delimCode) {
        if (state !== 2) fail("unexpected delimiter in array literal")
        state = 1
        i++
      } else {
        if (state === 2) fail("missing delimiter in array literal")
        if (kinds[depth - 1] === 1) fail("array mixes sub-arrays and elements")
        kinds[depth - 1] = 2
        if (leafDepth !== 0 && leafDepth !== depth) fail("array sub-arrays have different depths")
        leafDepth = depth
        if (c === CH_QUOTE) {
          // Quoted element: backslash escapes the next character.
          i++
          let s = ""
          let start = i
          for (;;) {
            if (i >= n) fail("unterminated quoted array element")
            const q = text.charCodeAt(i)
            if (q === CH_QUOTE) break
            if (q === CH_BACKSLASH) {
              s += text.slice(start, i)
              i++
              if (i >= n) fail("unterminated quoted array element")
              start = i
            }
            i++
          }
          s += text.slice(start, i)
          i++
          current.push(elemDecodeText(s))
          // Only whitespace may follow before the delimiter or "}".
          i = skipSpace(text, i)
          const after = text.charCodeAt(i)
          if (after !== delimCode && after !== CH_RBRACE) fail("incorrectly quoted array element")
        } else {
          // Unquoted element: runs to the delimiter or "}", trailing unescaped space trimmed.
          let s = ""
          let chunk = i
          let keepLen = 0 // length of the value up to its last non-space or escaped character
          let escaped = false
          for (;;) {
            if (i >= n) fail("unterminated array literal")
            const u = text.charCodeAt(i)
            if (u === delimCode || u === CH_RBRACE) break
            if (u === CH_LBRACE || u === CH_QUOTE) fail("unexpected character in array element")
            if (u === CH_BACKSLASH) {
              s += text.slice(chunk, i)
              i++
              if (i >= n) fail("unterminated array literal")
              s += text[i]
              i++
              chunk = i
              keepLen = s.length
              escaped = true
            } else {
              i++
              if (!isSpace(u)) keepLen = s.length + i - chunk
            }
          }
          const value = escaped ? (s + text.slice(chunk, i)).slice(0, keepLen) : text.slice(chunk, chunk + keepLen)
          if (!escaped && value.length === 0) fail("empty unquoted array element")
          if (!escaped && value.length === 4 && value.toUpperCase() === "NULL") current.push(null)
          else current.push(elemDecodeText(value))
        }
        state = 2
      }
    }
    if (skipSpace(text, i) !== n) fail("junk after closing \"}\" of array literal")

    const ndim = dims.length
    if (emptySeen) {
      // Every level must be empty or hold only empty sub-arrays (`{}`, `{{},{}}`).
      if (leafDepth !== 0) fail("array sub-arrays have different lengths")
      if (declaredDims !== undefined) fail("array dimensions do not match its contents")
      return []
    }
    if (leafDepth !== ndim) fail("array sub-arrays have different depths")
    if (declaredDims !== undefined) {
      if (declaredDims.length !== ndim) fail("array dimensions do not match its contents")
      for (let d = 0; d < ndim; d++) {
        if (declaredDims[d] !== dims[d]) fail("array dimensions do not match its contents")
      }
      if (declaredLbs!.some((lb) => lb !== 1)) return new PgArray<A>(root as Elements<A>, dims, declaredLbs!)
    }
    // Array-valued elements: keep the dimensions, or re-encoding would see one dimension.
    if (elementIsArray && ndim > 1) return new PgArray<A>(root as Elements<A>, dims, dims.map(() => 1))
    return root as Elements<A>
  }

  return {
    oid: arrayOid,
    name,
    decodeBinary,
    encodeBinary,
    decodeText,
    encodeText
  }
}

const noop = (): void => {}

/** Groups a flat row-major list into nested arrays of the given dimensions (loops, no recursion). */
const reshape = <A>(flat: Array<A>, dims: ReadonlyArray<number>): Array<unknown> => {
  let level: Array<unknown> = flat
  for (let d = dims.length - 1; d > 0; d--) {
    const size = dims[d]!
    const groups = new Array<unknown>(level.length / size)
    for (let g = 0, k = 0; g < groups.length; g++, k += size) groups[g] = level.slice(k, k + size)
    level = groups
  }
  return level
}

/** Reads an optionally signed decimal integer at `i` (no spaces, as `array_in` requires). */
const readInteger = (text: string, i: number): { value: number; end: number } | undefined => {
  let j = i
  if (text.charCodeAt(j) === 45 || text.charCodeAt(j) === 43) j++
  const digits = j
  while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++
  if (j === digits || j - digits > 10) return undefined
  return { value: Number(text.slice(i, j)), end: j }
}

/**
 * Quotes an element's text form as `array_out` does: when it is empty, is `NULL` in any case,
 * or contains a quote, backslash, brace, the delimiter or white space (`specials` of
 * `"{}" + delimiter`).
 *
 * @category internal
 * @since 0.1.0
 */
export const quoteArrayElement = (s: string, elementSpecials: Specials): string => {
  const quoted = quoteLiteral(s, elementSpecials, "backslash")
  return quoted === s && s.length === 4 && s.toUpperCase() === "NULL" ? `"${s}"` : quoted
}
