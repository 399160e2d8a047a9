/**
 * Discovery of user-defined types from the system catalogs.
 *
 * When a described statement names a type the registry has no codec for, the connection calls
 * its `onUnknownTypes` hook before fixing the statement's formats. The hook built here looks the
 * types up in `pg_type` (with `pg_enum`, `pg_attribute` and `pg_range` in the same query), one
 * round trip per level of dependencies (an array needs its element, a composite its fields, a
 * domain its base type, a range its subtype), builds their codecs and installs them in a
 * {@link TypeCache} shared by every connection of a client:
 *
 * - enums: the label text (binary form = text), with the labels kept on the codec;
 * - composites: objects keyed by field name, each field through its own codec;
 * - domains: their base type's codec;
 * - ranges and multiranges: over their subtype's codec;
 * - arrays of all of these (`pg_type.typarray`), with the element's delimiter;
 * - any other type (extensions such as citext or hstore): the server's text form, so arrays
 *   of them still split into elements.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { ConnectionOptions, PgConnection } from "@pgfx/connection/PgConnection"
import type { PgError } from "@pgfx/connection/PgError"
import * as PgCodec from "@pgfx/protocol/PgCodec"
import { builtinTypes } from "@pgfx/protocol/PgOid"
import * as PgTypes from "@pgfx/protocol/PgTypes"

/**
 * The registry shared by the connections of one client. `registry` only grows (discovered
 * types are added, never removed), so any connection may adopt the latest value.
 */
export interface TypeCache {
  registry: PgTypes.Registry
}

/** The hook type of the connection option. */
export type UnknownTypesHook = NonNullable<ConnectionOptions["onUnknownTypes"]>

const CacheOf = Symbol.for("@pgfx/client/typeDiscovery/cache")

/** Makes a cache starting from a registry. */
export const makeTypeCache = (registry: PgTypes.Registry): TypeCache => ({ registry })

/** The cache a hook made by {@link hookFor} feeds, if the hook is one. */
export const cacheOfHook = (hook: ConnectionOptions["onUnknownTypes"]): TypeCache | undefined =>
  hook === undefined ? undefined : (hook as { [CacheOf]?: TypeCache })[CacheOf]

/** The `onUnknownTypes` hook that discovers types into `cache`. */
export const hookFor = (cache: TypeCache): UnknownTypesHook => {
  const hook: UnknownTypesHook = (oids, connection) => discover(cache, oids, connection)
  Object.defineProperty(hook, CacheOf, { value: cache })
  return hook
}

/** Adopts the cache's registry on a connection (a pointer comparison when already adopted). */
export const adopt = (cache: TypeCache, connection: PgConnection): void => {
  if (connection.registry !== cache.registry) connection.registry = cache.registry
}

/** One row of {@link typeQuery}. */
interface TypeRow {
  readonly oid: number
  readonly name: string
  /** `typtype`: b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  readonly kind: string
  /** `typcategory`: A for arrays. */
  readonly category: string
  readonly delimiter: string
  /** `typelem` (arrays). */
  readonly element: number
  /** `typarray` (0 when the type has no array type). */
  readonly array: number
  /** `typbasetype` (domains). */
  readonly base: number
  /** The range subtype (ranges and multiranges). */
  readonly subtype: number
  readonly fieldNames: ReadonlyArray<string> | null
  readonly fieldTypes: ReadonlyArray<number> | null
  readonly labels: ReadonlyArray<string> | null
}

/**
 * Everything about a set of types in one query. Composite fields skip dropped columns; the
 * multirange subtype comes from `pg_range.rngmultitypid` (PostgreSQL 14+).
 */
const typeQuery = `select t.oid::int4 as "oid", t.typname::text as "name", t.typtype::text as "kind",
  t.typcategory::text as "category", t.typdelim::text as "delimiter", t.typelem::int4 as "element",
  t.typarray::int4 as "array", t.typbasetype::int4 as "base",
  coalesce(r.rngsubtype, mr.rngsubtype, 0)::int4 as "subtype",
  case when t.typtype = 'c' then array(
    select a.attname::text from pg_catalog.pg_attribute a
    where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum) end as "fieldNames",
  case when t.typtype = 'c' then array(
    select a.atttypid::int4 from pg_catalog.pg_attribute a
    where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum) end as "fieldTypes",
  case when t.typtype = 'e' then array(
    select e.enumlabel::text from pg_catalog.pg_enum e
    where e.enumtypid = t.oid order by e.enumsortorder) end as "labels"
from pg_catalog.pg_type t
left join pg_catalog.pg_range r on r.rngtypid = t.oid
left join pg_catalog.pg_range mr on mr.rngmultitypid = t.oid
where t.oid = any($1::oid[])`

/** The OIDs a type's codec is built from. */
const dependencies = (row: TypeRow): ReadonlyArray<number> => {
  switch (row.kind) {
    case "c":
      return row.fieldTypes ?? []
    case "d":
      return [row.base]
    case "r":
    case "m":
      return [row.subtype]
    default:
      return row.category === "A" && row.element !== 0 ? [row.element] : []
  }
}

const builtinArrayTypes: ReadonlySet<number> = new Set(
  builtinTypes.filter((t) => t.category === "A").map((t) => t.oid)
)

/**
 * Discovers `oids` (and what they depend on) into the cache, then gives the connection the
 * cache's registry. OIDs the cache already knows (found by another connection) cost nothing.
 */
export const discover = (
  cache: TypeCache,
  oids: ReadonlyArray<number>,
  connection: PgConnection
): Effect.Effect<void, PgError> =>
  Effect.suspend(() => {
    const missing = oids.filter((oid) => PgTypes.get(cache.registry, oid) === undefined)
    if (missing.length === 0) {
      adopt(cache, connection)
      return Effect.void
    }
    const rows = new Map<number, TypeRow>()
    const fetch = (wanted: ReadonlyArray<number>): Effect.Effect<void, PgError> =>
      Effect.flatMap(connection.execute<TypeRow>(typeQuery, [wanted]), (result) => {
        const next = new Set<number>()
        for (const row of result.rows) rows.set(row.oid, row)
        for (const row of result.rows) {
          for (const dep of dependencies(row)) {
            if (dep !== 0 && !rows.has(dep) && PgTypes.get(cache.registry, dep) === undefined) next.add(dep)
          }
          // An array's element row says how to build the array (its delimiter and name).
          if (row.category === "A" && row.element !== 0 && !rows.has(row.element)) next.add(row.element)
        }
        for (const oid of wanted) next.delete(oid)
        return next.size === 0 ? Effect.void : fetch(Array.from(next))
      })
    return Effect.map(fetch(missing), () => {
      // Synchronous from here: build over the latest registry, so concurrent discoveries on
      // other connections are never lost.
      cache.registry = build(cache.registry, rows, missing)
      adopt(cache, connection)
    })
  })

/** Builds and registers codecs for `wanted` and their dependencies. */
const build = (
  start: PgTypes.Registry,
  rows: ReadonlyMap<number, TypeRow>,
  wanted: ReadonlyArray<number>
): PgTypes.Registry => {
  let registry = start
  const visiting = new Set<number>()
  const isArrayValued = (oid: number): boolean =>
    builtinArrayTypes.has(oid) || rows.get(oid)?.category === "A" || registry.arrays.get(oid)?.elementIsArray === true

  const ensure = (oid: number): void => {
    if (oid === 0 || PgTypes.get(registry, oid) !== undefined || visiting.has(oid)) return
    const row = rows.get(oid)
    if (row === undefined) return // not in the catalog (dropped meanwhile): stays text
    visiting.add(oid)
    for (const dep of dependencies(row)) ensure(dep)
    if (row.category === "A" && row.element !== 0) {
      // The array codec comes with its element (registered with `arrayOid`). An element that
      // was already known without its array (rare) gets the array registered here.
      ensure(row.element)
      if (PgTypes.get(registry, oid) === undefined) {
        const element = PgTypes.get(registry, row.element)
        const elementRow = rows.get(row.element)
        if (element !== undefined) {
          registry = PgTypes.add(registry, element, {
            arrayOid: oid,
            arrayName: row.name,
            delimiter: elementRow?.delimiter ?? ",",
            elementIsArray: isArrayValued(row.element)
          })
        }
      }
      return
    }
    let codec: PgCodec.Codec
    let elementIsArray = false
    switch (row.kind) {
      case "e":
        codec = Object.assign(PgTypes.enumCodec(oid, row.name), { labels: row.labels ?? [] })
        break
      case "c": {
        const names = row.fieldNames ?? []
        const types = row.fieldTypes ?? []
        codec = PgTypes.compositeOf(registry, oid, row.name, names.map((name, i) => ({ name, oid: types[i]! })))
        break
      }
      case "d":
        codec = PgTypes.domain(registry, oid, row.name, row.base)
        elementIsArray = isArrayValued(row.base)
        break
      case "r":
        codec = PgTypes.rangeOf(registry, oid, row.name, row.subtype)
        break
      case "m":
        codec = PgTypes.multirangeOf(registry, oid, row.name, row.subtype)
        elementIsArray = true
        break
      default:
        // No codec for this base type: its text form, registered so its arrays split.
        codec = PgCodec.withOid(PgTypes.getOrText(registry, oid), oid, row.name)
    }
    registry = PgTypes.add(
      registry,
      codec,
      row.array !== 0
        ? { arrayOid: row.array, arrayName: `_${row.name}`, delimiter: row.delimiter, elementIsArray }
        : undefined
    )
  }

  for (const oid of wanted) ensure(oid)
  return registry
}
