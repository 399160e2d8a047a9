/**
 * The codecs the adapter installs over pgfx's built-ins, so values look the way `effect/sql`
 * users expect and parameters take the JS values they pass to other drivers.
 *
 * Decoding (`dates: "date"`): `timestamp` / `timestamptz` → `Date` (rounded down to the
 * millisecond; ±infinity and instants beyond `Date`'s range → an Invalid Date), `date` →
 * `"YYYY-MM-DD"` (ISO 8601, `"infinity"` / `"-infinity"`), `time` / `timetz` / `interval` → the
 * server's text form. Arrays of them follow (the registry rebuilds arrays over their elements),
 * and so do the built-in ranges over them (`tstzrange` → `PgRange<Date>`).
 *
 * Encoding (`parameters: "lenient"`): the date/time types also take strings (the server's text
 * form or ISO 8601), `number` epoch milliseconds and `DateTime` values for timestamps; `bool`,
 * `int2`, `int4`, `float4` and `float8` take strings in their text form; the text types take
 * numbers, bigints, booleans and Dates (as ISO 8601). Everything else is pgfx's own codec.
 *
 * The timestamp decoders read the 8 bytes directly (no intermediate `PgTimestamp`): the value
 * is microseconds since 2000-01-01 as a signed 64-bit integer, split as `hi · 2³² + lo`, and
 * `hi · 2³² = 1000 · (hi · 4294967) + hi · 296`, so the millisecond count is exact integer
 * arithmetic in doubles wherever a `Date` can hold it.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import { type Codec, fail } from "@pgfx/protocol/PgCodec"
import { PgDate, type PgInterval, type PgTime, PgTimestamp, type PgTimeTz } from "@pgfx/protocol/PgDateTime"
import { builtinRanges, builtinTypes, Oid } from "@pgfx/protocol/PgOid"
import * as PgTypes from "@pgfx/protocol/PgTypes"

/**
 * How date/time columns decode.
 *
 * @category models
 * @since 0.1.0
 */
export type DatesMode = "date" | "pgfx"

/**
 * How strictly parameters are checked against their types.
 *
 * @category models
 * @since 0.1.0
 */
export type ParametersMode = "lenient" | "strict"

const builtin = (oid: number): Codec => PgTypes.get(PgTypes.builtins, oid)!

/** Milliseconds between 1970-01-01 and 2000-01-01. */
const PG_EPOCH_MILLIS = 946_684_800_000
/** PostgreSQL's first timestamp (4714-11-24 00:00:00 BC) in epoch milliseconds. */
const MIN_TIMESTAMP_MILLIS = -210_866_803_200_000
/** The largest |epoch milliseconds| a `Date` holds. */
const MAX_DATE_MILLIS = 8.64e15

/** A binary timestamp (µs since 2000-01-01, int64) as epoch milliseconds, rounded down; NaN beyond `Date`. */
export const timestampMillis = (bytes: Uint8Array, offset: number): number => {
  const hi = (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!
  const lo = ((bytes[offset + 4]! << 24) >>> 0) + (bytes[offset + 5]! << 16) + (bytes[offset + 6]! << 8) + bytes[offset + 7]!
  const ms = hi * 4_294_967 + Math.floor((hi * 296 + lo) / 1000) + PG_EPOCH_MILLIS
  return ms >= -MAX_DATE_MILLIS && ms <= MAX_DATE_MILLIS ? ms : NaN
}

const timestampToDate = (oid: number, name: string) => {
  const validate = builtin(oid).decodeBinary!
  return (bytes: Uint8Array, offset: number, length: number): Date => {
    if (length !== 8) return fail(`${name}: expected 8 bytes, got ${length}`, oid, name)
    const ms = timestampMillis(bytes, offset)
    // Before 4714-11-24 BC or beyond `Date`'s range: ±infinity, a far year, or garbage. pgfx's
    // decoder tells them apart (it throws for values outside PostgreSQL's range).
    if (!(ms >= MIN_TIMESTAMP_MILLIS)) validate(bytes, offset, length)
    return new Date(ms)
  }
}

// -------------------------------------------------------------------------------------------------
// parameters: what the lenient encoders accept besides pgfx's own inputs

const isDateTime = (u: unknown): u is DateTime.DateTime => DateTime.isDateTime(u)

/** Timestamps: strings (parsed as the type), epoch-millisecond numbers, `DateTime`s. */
const timestampInput = (parse: (text: string) => PgTimestamp) => (value: unknown): unknown => {
  if (typeof value === "string") return parse(value)
  if (typeof value === "number") return new Date(value)
  if (isDateTime(value)) return DateTime.toDateUtc(value)
  return value
}

/** Any other type: strings parsed with the codec's text decoder. */
const textInput = (parse: (text: string) => unknown) => (value: unknown): unknown => typeof value === "string" ? parse(value) : value

/** Text types: numbers, bigints, booleans and Dates by their usual text. */
const stringInput = (value: unknown): unknown => {
  switch (typeof value) {
    case "number":
    case "bigint":
      return String(value)
    case "boolean":
      return value ? "true" : "false"
    case "object":
      return value instanceof Date ? value.toISOString() : value
  }
  return value
}

const withInput = (base: Codec, input: (value: unknown) => unknown): Pick<Codec, "encodeBinary" | "encodeText"> => {
  const encodeBinary = base.encodeBinary
  const encodeText = base.encodeText
  return {
    encodeBinary: encodeBinary === undefined ? undefined : (value, writer) => encodeBinary(input(value), writer),
    encodeText: (value) => encodeText(input(value))
  }
}

// -------------------------------------------------------------------------------------------------
// the codec sets

interface DateTimeType {
  readonly oid: number
  /** Decoding for `dates: "date"`. */
  readonly decodeBinary: (base: Codec) => Codec["decodeBinary"]
  readonly decodeText: (base: Codec) => Codec["decodeText"]
  /** What the lenient encoder accepts. */
  readonly input: (base: Codec) => (value: unknown) => unknown
}

const timestampType = (oid: number, name: string, withTimeZone: boolean): DateTimeType => ({
  oid,
  decodeBinary: () => timestampToDate(oid, name),
  decodeText: (base) => (text) => (base.decodeText(text) as PgTimestamp).toDate(),
  input: () => timestampInput((text) => PgTimestamp.parse(text, { withTimeZone }))
})

const dateTimeTypes: ReadonlyArray<DateTimeType> = [
  timestampType(Oid.timestamptz, "timestamptz", true),
  timestampType(Oid.timestamp, "timestamp", false),
  {
    oid: Oid.date,
    decodeBinary: (base) => {
      const decode = base.decodeBinary!
      return (bytes, offset, length) => (decode(bytes, offset, length) as PgDate).toJSON()
    },
    decodeText: (base) => (text) => (base.decodeText(text) as PgDate).toJSON(),
    input: () => (value) => typeof value === "string" ? PgDate.parse(value) : isDateTime(value) ? DateTime.toDateUtc(value) : value
  },
  ...[Oid.time, Oid.timetz, Oid.interval].map((oid): DateTimeType => ({
    oid,
    decodeBinary: (base) => {
      const decode = base.decodeBinary!
      return (bytes, offset, length) => String(decode(bytes, offset, length) as PgTime | PgTimeTz | PgInterval)
    },
    decodeText: (base) => (text) => String(base.decodeText(text) as PgTime | PgTimeTz | PgInterval),
    input: (base) => textInput(base.decodeText)
  }))
]

const lenientOids: ReadonlyArray<number> = [Oid.bool, Oid.int2, Oid.int4, Oid.float4, Oid.float8]
const stringOids: ReadonlyArray<number> = [Oid.text, Oid.varchar, Oid.bpchar, Oid.name]

const typeNames: ReadonlyMap<number, string> = new Map(builtinTypes.map((t) => [t.oid, t.name]))

const build = (dates: DatesMode, parameters: ParametersMode): ReadonlyArray<Codec> => {
  const codecs: Array<Codec> = []
  const lenient = parameters === "lenient"
  if (dates === "date" || lenient) {
    for (const t of dateTimeTypes) {
      const base = builtin(t.oid)
      codecs.push({
        oid: base.oid,
        name: base.name,
        decodeBinary: dates === "date" ? t.decodeBinary(base) : base.decodeBinary,
        decodeText: dates === "date" ? t.decodeText(base) : base.decodeText,
        ...(lenient ? withInput(base, t.input(base)) : { encodeBinary: base.encodeBinary, encodeText: base.encodeText })
      })
    }
  }
  if (lenient) {
    for (const oid of lenientOids) {
      const base = builtin(oid)
      codecs.push({ ...base, ...withInput(base, textInput(base.decodeText)) })
    }
    for (const oid of stringOids) {
      const base = builtin(oid)
      codecs.push({ ...base, ...withInput(base, stringInput) })
    }
  }
  if (dates === "date") {
    // The built-in ranges hold their subtype's codec: rebuild those over the new timestamps/dates.
    const byOid = new Map(codecs.map((c) => [c.oid, c]))
    for (const r of builtinRanges) {
      const subtype = byOid.get(r.subtype)
      if (subtype === undefined) continue
      codecs.push(PgTypes.rangeCodec(subtype, r.range, typeNames.get(r.range) ?? `oid_${r.range}`))
      codecs.push(PgTypes.multirangeCodec(subtype, r.multirange, typeNames.get(r.multirange) ?? `oid_${r.multirange}`))
    }
  }
  return codecs
}

const cache = new Map<string, ReadonlyArray<Codec>>()

/**
 * The codecs for a mode (the same array for the same modes, so a registry can be checked for
 * them by identity).
 */
export const codecsFor = (dates: DatesMode, parameters: ParametersMode): ReadonlyArray<Codec> => {
  const key = `${dates}/${parameters}`
  let codecs = cache.get(key)
  if (codecs === undefined) {
    codecs = build(dates, parameters)
    cache.set(key, codecs)
  }
  return codecs
}
