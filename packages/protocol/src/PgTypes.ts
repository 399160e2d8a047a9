/**
 * The immutable registry of type codecs: which codec decodes and encodes each type OID.
 *
 * {@link builtins} holds a codec for every built-in type pgfx knows, arrays of all of them,
 * the built-in ranges and multiranges (and their arrays), and `record` / `record[]`. A registry
 * is a value: {@link add} and {@link addAll} return a new registry and leave the old one as it
 * was, so a connection can extend the built-ins with the enums, composites, domains and ranges
 * it discovers in `pg_type` without affecting any other connection.
 *
 * @example
 * ```ts
 * import * as PgTypes from "@pgfx/protocol/PgTypes"
 *
 * const mood = PgTypes.enumCodec(16385, "mood")
 * const registry = PgTypes.add(PgTypes.builtins, mood, { arrayOid: 16384 })
 * PgTypes.get(registry, 16384)?.decodeText("{sad,happy}") // ["sad", "happy"]
 * ```
 *
 * @since 0.1.0
 */
import type { Codec } from "./PgCodec.ts"
import { CodecError, withOid } from "./PgCodec.ts"
import { builtinRanges, builtinTypes, Oid } from "./PgOid.ts"
import type { PgRange } from "./PgRange.ts"
import type { TextStyle } from "./PgTextStyle.ts"
import * as PgTextStyle from "./PgTextStyle.ts"
import type { ArrayValue } from "./internal/types/array.ts"
import { arrayCodec } from "./internal/types/array.ts"
import { multirangeCodec, rangeCodec } from "./internal/types/range.ts"
import { compositeCodec, recordCodec } from "./internal/types/record.ts"
import { utf8Slice } from "./internal/bytes.ts"
// --- Scalar families -------------------------------------------------------------------------------
// Every family module exports `codecs: ReadonlyArray<Codec>`.
import { codecs as bitstringCodecs } from "./internal/types/bitstring.ts"
import { codecs as boolCodecs } from "./internal/types/bool.ts"
import { codecs as byteaCodecs } from "./internal/types/bytea.ts"
import { codecs as datetimeCodecs, date, timestamp, timestamptz } from "./internal/types/datetime.ts"
import { codecs as floatCodecs } from "./internal/types/float.ts"
import { codecs as geometricCodecs } from "./internal/types/geometric.ts"
import { codecs as intCodecs } from "./internal/types/int.ts"
import { codecs as intervalCodecs, interval } from "./internal/types/interval.ts"
import { codecs as jsonCodecs } from "./internal/types/json.ts"
import { codecs as miscCodecs } from "./internal/types/misc.ts"
import { codecs as moneyCodecs } from "./internal/types/money.ts"
import { codecs as networkCodecs } from "./internal/types/network.ts"
import { codecs as numericCodecs } from "./internal/types/numeric.ts"
import { codecs as textCodecs, textFallback } from "./internal/types/text.ts"
import { codecs as textsearchCodecs } from "./internal/types/textsearch.ts"
import { codecs as uuidCodecs } from "./internal/types/uuid.ts"
import { codecs as voidCodecs } from "./internal/types/void.ts"

const families: ReadonlyArray<ReadonlyArray<Codec>> = [
  bitstringCodecs,
  boolCodecs,
  byteaCodecs,
  datetimeCodecs,
  floatCodecs,
  geometricCodecs,
  intCodecs,
  intervalCodecs,
  jsonCodecs,
  miscCodecs,
  moneyCodecs,
  networkCodecs,
  numericCodecs,
  textCodecs,
  textsearchCodecs,
  uuidCodecs,
  voidCodecs
]
// ---------------------------------------------------------------------------------------------------

export {
  /**
   * Builds the codec of an array type over an element codec (see `PgArray` for the values).
   *
   * @category constructors
   * @since 0.1.0
   */
  arrayCodec,
  /**
   * Builds the codec of a named composite type from its fields' codecs.
   *
   * @category constructors
   * @since 0.1.0
   */
  compositeCodec,
  /**
   * Builds the codec of a multirange type over its subtype codec.
   *
   * @category constructors
   * @since 0.1.0
   */
  multirangeCodec,
  /**
   * Builds the codec of a range type over its subtype codec.
   *
   * @category constructors
   * @since 0.1.0
   */
  rangeCodec,
  /**
   * Builds the codec of the anonymous `record` type over an OID lookup.
   *
   * @category constructors
   * @since 0.1.0
   */
  recordCodec
}
export type { ArrayOptions, ArrayValue } from "./internal/types/array.ts"
export type { CompositeField } from "./internal/types/record.ts"

/**
 * The brand of a {@link Registry}.
 *
 * @category symbols
 * @since 0.1.0
 */
export const TypeId = "~@pgfx/protocol/PgTypes/Registry" as const

/**
 * The type of {@link TypeId}.
 *
 * @category symbols
 * @since 0.1.0
 */
export type TypeId = typeof TypeId

/**
 * How the registry builds the array type of an element type.
 *
 * @category models
 * @since 0.1.0
 */
export interface ArrayInfo {
  /** The array type's OID (`pg_type.typarray` of the element). */
  readonly arrayOid: number
  /** The array type's name (`_int4`). */
  readonly name: string
  /** The element type's array delimiter (`pg_type.typdelim`: `,`, or `;` for box). */
  readonly delimiter: string
  /** Whether the element type's values are JS arrays themselves (see `ArrayOptions`). */
  readonly elementIsArray: boolean
}

/**
 * An immutable map from type OID to codec.
 *
 * **Details**
 * - `codecs` holds every registered codec by OID, array codecs included.
 * - `arrays` maps an element type's OID to its array type; when a codec for that element is
 *   added, the array codec is rebuilt over it, so overriding `int8` also changes `int8[]`.
 * - The `record` codec decodes its fields through the registry it belongs to.
 *
 * @category models
 * @since 0.1.0
 */
export interface Registry {
  readonly [TypeId]: TypeId
  /** Codecs by type OID. */
  readonly codecs: ReadonlyMap<number, Codec>
  /** Array types by element type OID. */
  readonly arrays: ReadonlyMap<number, ArrayInfo>
}

class RegistryImpl implements Registry {
  readonly [TypeId] = TypeId
  readonly codecs: ReadonlyMap<number, Codec>
  readonly arrays: ReadonlyMap<number, ArrayInfo>
  /** Memo of text-fallback codecs handed out by {@link getOrText}; never observable. */
  readonly fallbacks = new Map<number, Codec>()
  /** Memo of {@link withTextStyle}: the month-first and day-first registries; never observable. */
  styled: [Registry | undefined, Registry | undefined] | undefined = undefined
  constructor(codecs: ReadonlyMap<number, Codec>, arrays: ReadonlyMap<number, ArrayInfo>) {
    this.codecs = codecs
    this.arrays = arrays
  }
}

/**
 * Whether a value is a {@link Registry}.
 *
 * @category guards
 * @since 0.1.0
 */
export const isRegistry = (u: unknown): u is Registry =>
  typeof u === "object" && u !== null && (u as { [TypeId]?: unknown })[TypeId] === TypeId

// -------------------------------------------------------------------------------------------------
// building

/** Marks the `record` / `record[]` codecs the registry binds to itself (not user supplied). */
const BoundRecord = Symbol.for("@pgfx/protocol/PgTypes/BoundRecord")

const isBoundRecord = (codec: Codec | undefined): boolean =>
  codec === undefined || (codec as { [BoundRecord]?: boolean })[BoundRecord] === true

const buildArray = (element: Codec, info: ArrayInfo): Codec =>
  arrayCodec(element, info.arrayOid, info.name, info.delimiter, { elementIsArray: info.elementIsArray })

/**
 * How to build a codec again over another registry: set on the codecs this module builds from
 * other codecs (ranges, multiranges, composites, domains), so {@link withTextStyle} can rebuild
 * them over replaced element codecs. Applies only under `oid` (a copy under another OID, as
 * `withOid` makes, is left alone).
 */
interface Recipe {
  readonly oid: number
  readonly deps: ReadonlyArray<number>
  readonly build: (registry: Registry) => Codec
}

const RecipeId = Symbol.for("@pgfx/protocol/PgTypes/Recipe")

const withRecipe = <C extends Codec>(
  codec: C,
  deps: ReadonlyArray<number>,
  build: (registry: Registry) => Codec
): C => {
  ;(codec as { [RecipeId]?: Recipe })[RecipeId] = { oid: codec.oid, deps, build }
  return codec
}

const recipeOf = (codec: Codec): Recipe | undefined => {
  const recipe = (codec as { [RecipeId]?: Recipe })[RecipeId]
  return recipe !== undefined && recipe.oid === codec.oid ? recipe : undefined
}

/**
 * Makes a registry from maps it takes ownership of: rebuilds the arrays of `touched` element
 * OIDs and binds `record` / `record[]` to the new registry unless the user supplied their own.
 */
const finish = (codecs: Map<number, Codec>, arrays: Map<number, ArrayInfo>, touched: Iterable<number>): Registry => {
  const registry = new RegistryImpl(codecs, arrays)
  for (const elementOid of touched) {
    const info = arrays.get(elementOid)
    const element = codecs.get(elementOid)
    if (info !== undefined && element !== undefined) codecs.set(info.arrayOid, buildArray(element, info))
  }
  if (isBoundRecord(codecs.get(Oid.record))) {
    const record: Codec = { ...recordCodec((oid) => codecs.get(oid)), [BoundRecord]: true } as Codec
    codecs.set(Oid.record, record)
    const info = arrays.get(Oid.record)
    if (info !== undefined && isBoundRecord(codecs.get(info.arrayOid))) {
      codecs.set(info.arrayOid, { ...buildArray(record, info), [BoundRecord]: true } as Codec)
    }
  }
  return registry
}

/** OIDs of built-in types whose decoded values are JS arrays. */
const arrayValuedOids: ReadonlySet<number> = new Set([
  Oid.int2vector,
  Oid.oidvector,
  Oid.json,
  Oid.jsonb,
  Oid.record
])

const buildBuiltins = (): Registry => {
  const codecs = new Map<number, Codec>()
  for (const family of families) {
    for (const codec of family) codecs.set(codec.oid, codec)
  }
  const names = new Map<number, string>()
  for (const t of builtinTypes) {
    names.set(t.oid, t.name)
  }
  const nameOf = (oid: number): string => names.get(oid) ?? `oid_${oid}`
  for (const r of builtinRanges) {
    const subtype = codecs.get(r.subtype)
    if (subtype === undefined) continue
    const range = r.range
    const multirange = r.multirange
    const subtypeOid = r.subtype
    if (!codecs.has(range)) {
      const name = nameOf(range)
      codecs.set(
        range,
        withRecipe(rangeCodec(subtype, range, name), [subtypeOid], (reg) => rangeOf(reg, range, name, subtypeOid))
      )
    }
    if (!codecs.has(multirange)) {
      const name = nameOf(multirange)
      codecs.set(
        multirange,
        withRecipe(
          multirangeCodec(subtype, multirange, name),
          [subtypeOid],
          (reg) => multirangeOf(reg, multirange, name, subtypeOid)
        )
      )
    }
  }
  const arrays = new Map<number, ArrayInfo>()
  const touched: Array<number> = []
  for (const t of builtinTypes) {
    if (t.arrayOid === 0) continue
    arrays.set(t.oid, {
      arrayOid: t.arrayOid,
      name: nameOf(t.arrayOid),
      delimiter: t.delimiter,
      elementIsArray: arrayValuedOids.has(t.oid) || t.kind === "m"
    })
    if (t.oid === Oid.record) continue // bound to the registry in `finish`
    if (!codecs.has(t.oid)) {
      // No codec for the element: arrays of it still split into text elements (text format only,
      // since the element's binary form is unknown).
      codecs.set(t.arrayOid, buildArray(textFallback(t.oid, t.name, { textOnly: true }), arrays.get(t.oid)!))
      continue
    }
    touched.push(t.oid)
  }
  return finish(codecs, arrays, touched)
}

/**
 * The registry of every built-in codec: the scalar families, arrays of every built-in element
 * type (elements without a codec are text), the six built-in ranges and their multiranges (and
 * arrays of those), and `record` / `record[]`.
 *
 * @category registries
 * @since 0.1.0
 */
export const builtins: Registry = /* @__PURE__ */ buildBuiltins()

/**
 * The registry with no codecs (except the self-bound `record`).
 *
 * @category registries
 * @since 0.1.0
 */
export const empty: Registry = /* @__PURE__ */ finish(new Map(), new Map(), [])

// -------------------------------------------------------------------------------------------------
// lookups

/**
 * The codec registered for an OID, if any.
 *
 * @category lookups
 * @since 0.1.0
 */
export const get = (registry: Registry, oid: number): Codec | undefined => registry.codecs.get(oid)

/**
 * The codec registered for an OID, or a text codec (values are the server's text output) when
 * none is. The fallback is text only, so the client asks the server for text for that column.
 *
 * @category lookups
 * @since 0.1.0
 */
export const getOrText = (registry: Registry, oid: number): Codec => {
  const codec = registry.codecs.get(oid)
  if (codec !== undefined) return codec
  const cache = registry instanceof RegistryImpl ? registry.fallbacks : undefined
  let fallback = cache?.get(oid)
  if (fallback === undefined) {
    fallback = textFallback(oid, `unknown type ${oid}`, { textOnly: true })
    cache?.set(oid, fallback)
  }
  return fallback
}

/**
 * The array codec registered for an element type, if any.
 *
 * @category lookups
 * @since 0.1.0
 */
export const arrayOf = (registry: Registry, elementOid: number): Codec<ArrayValue<unknown>> | undefined => {
  const info = registry.arrays.get(elementOid)
  return info === undefined ? undefined : registry.codecs.get(info.arrayOid)
}

// -------------------------------------------------------------------------------------------------
// adding

/**
 * Options of {@link add}: also register the codec's array type.
 *
 * @category models
 * @since 0.1.0
 */
export interface AddOptions {
  /** The OID of the array type over this codec's type (`pg_type.typarray`). */
  readonly arrayOid?: number | undefined
  /** The array type's name; defaults to `_` + the codec's name. */
  readonly arrayName?: string | undefined
  /** The element delimiter in the array's text form (`pg_type.typdelim`); default `,`. */
  readonly delimiter?: string | undefined
  /** The codec's values are JS arrays themselves (see `ArrayOptions`). */
  readonly elementIsArray?: boolean | undefined
}

const addImpl = (registry: Registry, codec: Codec, options?: AddOptions): Registry => {
  const codecs = new Map(registry.codecs)
  const arrays = new Map(registry.arrays)
  codecs.set(codec.oid, codec)
  if (options?.arrayOid !== undefined) {
    arrays.set(codec.oid, {
      arrayOid: options.arrayOid,
      name: options.arrayName ?? `_${codec.name}`,
      delimiter: options.delimiter ?? ",",
      elementIsArray: options.elementIsArray === true
    })
  }
  return finish(codecs, arrays, [codec.oid])
}

/**
 * Adds (or replaces) a codec, and its array type when `options.arrayOid` is given.
 *
 * **Details**
 * Returns a new registry. When the registry already knows the array type of `codec.oid`, that
 * array codec is rebuilt over the new element codec.
 *
 * @example
 * ```ts
 * import * as PgTypes from "@pgfx/protocol/PgTypes"
 *
 * const mood = PgTypes.enumCodec(16385, "mood")
 * const a = PgTypes.add(PgTypes.builtins, mood, { arrayOid: 16384 })
 * const b = PgTypes.add(mood, { arrayOid: 16384 })(PgTypes.builtins) // data-last
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const add: {
  (codec: Codec, options?: AddOptions): (registry: Registry) => Registry
  (registry: Registry, codec: Codec, options?: AddOptions): Registry
} = function(...args: Array<unknown>): any {
  if (isRegistry(args[0])) return addImpl(args[0], args[1] as Codec, args[2] as AddOptions | undefined)
  const codec = args[0] as Codec
  const options = args[1] as AddOptions | undefined
  return (registry: Registry) => addImpl(registry, codec, options)
} as any

const addAllImpl = (registry: Registry, codecs: Iterable<Codec>): Registry => {
  const next = new Map(registry.codecs)
  const touched: Array<number> = []
  for (const codec of codecs) {
    next.set(codec.oid, codec)
    touched.push(codec.oid)
  }
  return finish(next, new Map(registry.arrays), touched)
}

/**
 * Adds (or replaces) several codecs at once; arrays the registry knows are rebuilt over them.
 *
 * @category combinators
 * @since 0.1.0
 */
export const addAll: {
  (codecs: Iterable<Codec>): (registry: Registry) => Registry
  (registry: Registry, codecs: Iterable<Codec>): Registry
} = function(...args: Array<unknown>): any {
  if (isRegistry(args[0])) return addAllImpl(args[0], args[1] as Iterable<Codec>)
  const codecs = args[0] as Iterable<Codec>
  return (registry: Registry) => addAllImpl(registry, codecs)
} as any

/**
 * A registry holding exactly the given codecs (plus the self-bound `record`), no built-ins.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromCodecs = (codecs: Iterable<Codec>): Registry => addAllImpl(empty, codecs)

// -------------------------------------------------------------------------------------------------
// codecs for discovered types

/**
 * The codec of a domain: its base type's codec under the domain's OID and name (the server
 * sends a domain's values in its base type's forms).
 *
 * @category constructors
 * @since 0.1.0
 */
export const domain = (registry: Registry, domainOid: number, name: string, baseOid: number): Codec =>
  withRecipe(
    withOid(getOrText(registry, baseOid), domainOid, name),
    [baseOid],
    (r) => domain(r, domainOid, name, baseOid)
  )

/**
 * The codec of an enum type: values are the labels; the binary form is the label's UTF-8 text.
 *
 * @category constructors
 * @since 0.1.0
 */
export const enumCodec = (oid: number, name: string): Codec<string> => ({
  oid,
  name,
  decodeBinary: (bytes, offset, length) => utf8Slice(bytes, offset, offset + length),
  encodeBinary: (value, writer) => {
    if (typeof value !== "string") throw new CodecError({ message: "expected a string enum label", oid, type: name })
    writer.string(value)
  },
  decodeText: (text) => text,
  encodeText: (value) => {
    if (typeof value !== "string") throw new CodecError({ message: "expected a string enum label", oid, type: name })
    return value
  }
})

/**
 * The codec of a range type over the registry's codec for its subtype (text when unknown).
 *
 * @category constructors
 * @since 0.1.0
 */
export const rangeOf = (registry: Registry, rangeOid: number, name: string, subtypeOid: number): Codec<PgRange<unknown>> =>
  withRecipe(
    rangeCodec(getOrText(registry, subtypeOid), rangeOid, name),
    [subtypeOid],
    (r) => rangeOf(r, rangeOid, name, subtypeOid)
  )

/**
 * The codec of a multirange type over the registry's codec for its subtype (text when unknown).
 *
 * @category constructors
 * @since 0.1.0
 */
export const multirangeOf = (
  registry: Registry,
  multirangeOid: number,
  name: string,
  subtypeOid: number
): Codec<ReadonlyArray<PgRange<unknown>>> =>
  withRecipe(
    multirangeCodec(getOrText(registry, subtypeOid), multirangeOid, name),
    [subtypeOid],
    (r) => multirangeOf(r, multirangeOid, name, subtypeOid)
  )

/**
 * The codec of a composite type whose fields' codecs come from the registry (text when unknown;
 * the composite then has no binary form).
 *
 * @category constructors
 * @since 0.1.0
 */
export const compositeOf = (
  registry: Registry,
  oid: number,
  name: string,
  fields: ReadonlyArray<{ readonly name: string; readonly oid: number }>
): Codec<{ readonly [field: string]: unknown }> =>
  withRecipe(
    compositeCodec(oid, name, fields.map((f) => ({ name: f.name, type: getOrText(registry, f.oid) }))),
    fields.map((f) => f.oid),
    (r) => compositeOf(r, oid, name, fields)
  )

// -------------------------------------------------------------------------------------------------
// text styles

/**
 * The text decoders the style's ones replace, by the function itself: the defaults and the other
 * field order's (so deriving from a derived registry works too).
 */
const styledDecoders = (style: TextStyle): ReadonlyMap<(text: string) => unknown, (text: string) => unknown> => {
  const target = PgTextStyle.textDecoders(style)
  const other = PgTextStyle.textDecoders({ ...style, dateOrder: PgTextStyle.isDayFirst(style) ? "MDY" : "DMY" })
  const out = new Map<(text: string) => unknown, (text: string) => unknown>()
  for (const c of [date, timestamp, timestamptz, interval]) {
    const decode = target.get(c.oid)!
    out.set(c.decodeText, decode)
    out.set(other.get(c.oid)!, decode)
  }
  return out
}

const withTextStyleImpl = (registry: Registry, style: TextStyle): Registry => {
  if (PgTextStyle.isDefault(style)) return registry
  const slot = PgTextStyle.isDayFirst(style) ? 1 : 0
  const memo = registry instanceof RegistryImpl ? registry : undefined
  const cached = memo?.styled?.[slot]
  if (cached !== undefined) return cached
  const replacements = styledDecoders(style)
  const codecs = new Map(registry.codecs)
  const arrays = new Map(registry.arrays)
  const elementOf = new Map<number, number>()
  for (const [element, info] of arrays) elementOf.set(info.arrayOid, element)
  const view = new RegistryImpl(codecs, arrays)
  /** Whether the codec of an OID was replaced; `false` while visiting (no cycles in catalogs). */
  const changed = new Map<number, boolean>()
  const visit = (oid: number): boolean => {
    const known = changed.get(oid)
    if (known !== undefined) return known
    changed.set(oid, false)
    const codec = codecs.get(oid)
    if (codec === undefined) return false
    let next: Codec | undefined
    const decodeText = replacements.get(codec.decodeText)
    const element = elementOf.get(oid)
    const recipe = recipeOf(codec)
    if (decodeText !== undefined) {
      next = { ...codec, decodeText }
    } else if (element !== undefined && !isBoundRecord(codec)) {
      if (visit(element)) next = buildArray(codecs.get(element)!, arrays.get(element)!)
    } else if (recipe !== undefined) {
      let dirty = false
      for (const dep of recipe.deps) if (visit(dep)) dirty = true
      if (dirty) next = recipe.build(view)
    }
    if (next === undefined) return false
    codecs.set(oid, next)
    changed.set(oid, true)
    return true
  }
  for (const oid of registry.codecs.keys()) visit(oid)
  const result = finish(codecs, arrays, [])
  if (memo !== undefined) {
    memo.styled ??= [undefined, undefined]
    memo.styled[slot] = result
  }
  return result
}

/**
 * The registry whose text decoders read the date/time output of a session's `DateStyle` and
 * `IntervalStyle` (module `PgTextStyle`), for results in the text format.
 *
 * **Details**
 * - `date`, `timestamp`, `timestamptz` and `interval` decode text with the style-aware decoders;
 *   so do everything built on them: their arrays, the built-in ranges and multiranges, and the
 *   domains, ranges, multiranges and composites made by this module's constructors, at any
 *   depth. Binary decoding and all encoders are unchanged.
 * - For a style the default codecs read (`DateStyle` ISO, `IntervalStyle` `postgres` or
 *   `iso_8601`) it returns `registry` itself. Otherwise the derived registry is built once per
 *   registry and field order and remembered, so calling this per query is cheap.
 * - Add codecs to the original registry and derive again; a codec added under a date/time OID
 *   replaces the style-aware one.
 *
 * **Gotchas**
 * Codecs made elsewhere that wrap a default date/time `decodeText` keep reading ISO only; under
 * another style they fail with a `CodecError` (never a wrong value).
 *
 * @example
 * ```ts
 * import * as PgTextStyle from "@pgfx/protocol/PgTextStyle"
 * import * as PgTypes from "@pgfx/protocol/PgTypes"
 * import { Oid } from "@pgfx/protocol/PgOid"
 *
 * const registry = PgTypes.withTextStyle(PgTypes.builtins, PgTextStyle.make("German", "postgres"))
 * PgTypes.get(registry, Oid._date)?.decodeText("{17.12.1997,infinity}")
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const withTextStyle: {
  (style: TextStyle): (registry: Registry) => Registry
  (registry: Registry, style: TextStyle): Registry
} = function(...args: Array<unknown>): any {
  if (isRegistry(args[0])) return withTextStyleImpl(args[0], args[1] as TextStyle)
  const style = args[0] as TextStyle
  return (registry: Registry) => withTextStyleImpl(registry, style)
} as any
