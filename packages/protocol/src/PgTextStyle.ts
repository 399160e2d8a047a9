/**
 * The session settings that shape the text form of date/time values — `DateStyle` and
 * `IntervalStyle` — and text decoders for every one of them.
 *
 * pgfx starts sessions with `DateStyle=ISO` and `IntervalStyle=postgres`, the forms the default
 * codecs read. A session may change them (`SET DateStyle = 'SQL, DMY'`), and results in the
 * text format (every simple-protocol result) then print dates as `17/12/1997` and intervals as
 * `@ 1 year ago`. The server reports each change in a `ParameterStatus` message; a
 * {@link TextStyle} is what those reports say, and {@link textDecoders} / {@link codecs} give
 * decoders that read that style (`PgTypes.withTextStyle` applies them to a whole registry,
 * arrays and ranges included).
 *
 * **Details**
 * - The decoders return exactly what the default (ISO) decoders return for the same value:
 *   `PgDate`, `PgTimestamp`, `PgInterval`, … of module `PgDateTime`.
 * - They recognise each DateStyle and IntervalStyle from the text itself; the style only
 *   supplies the field order of the `SQL` and `Postgres` date forms (`DMY` or not), which the
 *   text cannot tell.
 * - `time` and `timetz` print the same under every style.
 *
 * **Gotchas**
 * - The server sends `ParameterStatus` just before `ReadyForQuery`, so statements that follow a
 *   `SET DateStyle` in the same simple-query string (or `set_config` in the same row) are printed
 *   in the new style before the client hears of it. From a non-ISO style, a change of form
 *   (SQL → German) is still read correctly; from the ISO style (whose registry keeps the plain
 *   ISO decoders, for speed) a non-ISO form fails with a `CodecError`; a change of field order
 *   alone (`SQL, MDY` → `SQL, DMY`) is not visible in `12/01/1997` and is read in the old order.
 *   A `SET` sent as its own statement (even pipelined just before the query) has no such issue.
 * - Outside ISO, a `timestamptz` carries its zone's abbreviation instead of an offset. `UTC`,
 *   `GMT` and numeric abbreviations (`+0545`) decode; others (`PST`, `CET`, `LMT`) do not say
 *   their offset and fail with a `CodecError` recommending binary results or `DateStyle=ISO`.
 *
 * @since 0.1.0
 */
import type { Codec } from "./PgCodec.ts"
import { parseDate, parseInterval, parseTimestamp } from "./internal/dateTimeStyles.ts"
import { date, time, timestamp, timestamptz, timetz } from "./internal/types/datetime.ts"
import { interval } from "./internal/types/interval.ts"

/**
 * The output format of `DateStyle` (its first part).
 *
 * @category models
 * @since 0.1.0
 */
export type DateStyle = "ISO" | "SQL" | "Postgres" | "German"

/**
 * The field order of `DateStyle` (its second part); it matters to the `SQL` and `Postgres`
 * formats, where `YMD` prints like `MDY`.
 *
 * @category models
 * @since 0.1.0
 */
export type DateOrder = "MDY" | "DMY" | "YMD"

/**
 * The value of `IntervalStyle`.
 *
 * @category models
 * @since 0.1.0
 */
export type IntervalStyle = "postgres" | "postgres_verbose" | "sql_standard" | "iso_8601"

/**
 * A session's `DateStyle` (format and field order) and `IntervalStyle`.
 *
 * @category models
 * @since 0.1.0
 */
export interface TextStyle {
  readonly dateStyle: DateStyle
  readonly dateOrder: DateOrder
  readonly intervalStyle: IntervalStyle
}

/**
 * `DateStyle=ISO, MDY`, `IntervalStyle=postgres`: what pgfx sets at start-up and the default
 * codecs read.
 *
 * @category constants
 * @since 0.1.0
 */
export const iso: TextStyle = { dateStyle: "ISO", dateOrder: "MDY", intervalStyle: "postgres" }

const dateStyleWords: ReadonlyMap<string, DateStyle> = new Map([
  ["iso", "ISO"],
  ["sql", "SQL"],
  ["postgres", "Postgres"],
  ["german", "German"]
])

const dateOrderWords: ReadonlyMap<string, DateOrder> = new Map([
  ["ymd", "YMD"],
  ["dmy", "DMY"],
  ["euro", "DMY"],
  ["european", "DMY"],
  ["mdy", "MDY"],
  ["us", "MDY"],
  ["noneuro", "MDY"],
  ["noneuropean", "MDY"]
])

const intervalStyles: ReadonlyArray<IntervalStyle> = ["postgres", "postgres_verbose", "sql_standard", "iso_8601"]

/**
 * The style of the raw `DateStyle` and `IntervalStyle` values, as `ParameterStatus` reports
 * them (`"SQL, DMY"`, `"postgres_verbose"`) or as `SET` accepts them (`"euro, sql"`).
 *
 * **Details**
 * Words are read as the server reads them (case-insensitive, separated by commas or spaces,
 * `euro`/`us` synonyms; `German` alone implies `DMY`). What is missing or not understood keeps
 * the server's default (`ISO`, `MDY`, `postgres`); the server itself only ever reports
 * canonical values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (dateStyle: string | undefined, intervalStyle: string | undefined): TextStyle => {
  let style: DateStyle = "ISO"
  let order: DateOrder | undefined
  if (dateStyle !== undefined) {
    for (const word of dateStyle.toLowerCase().split(/[\s,]+/)) {
      const s = dateStyleWords.get(word)
      if (s !== undefined) style = s
      const o = dateOrderWords.get(word)
      if (o !== undefined) order = o
    }
  }
  const lower = intervalStyle?.trim().toLowerCase()
  return {
    dateStyle: style,
    dateOrder: order ?? (style === "German" ? "DMY" : "MDY"),
    intervalStyle: intervalStyles.find((s) => s === lower) ?? "postgres"
  }
}

/**
 * The style of a session's reported parameters (the `DateStyle` and `IntervalStyle` entries of
 * a map of `ParameterStatus` values).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromParameters = (parameters: ReadonlyMap<string, string>): TextStyle =>
  make(parameters.get("DateStyle"), parameters.get("IntervalStyle"))

/**
 * Whether the default (ISO) codecs read everything this style prints: `DateStyle` `ISO` (any
 * order) with `IntervalStyle` `postgres` or `iso_8601`.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isDefault = (style: TextStyle): boolean =>
  style.dateStyle === "ISO" && (style.intervalStyle === "postgres" || style.intervalStyle === "iso_8601")

/**
 * Whether the `SQL` and `Postgres` date forms of this style are day-first — the one thing the
 * decoders take from the style (everything else is recognised from the text).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isDayFirst = (style: TextStyle): boolean => style.dateOrder === "DMY"

/**
 * Two styles are equal when every setting is.
 *
 * @category predicates
 * @since 0.1.0
 */
export const equals = (a: TextStyle, b: TextStyle): boolean =>
  a.dateStyle === b.dateStyle && a.dateOrder === b.dateOrder && a.intervalStyle === b.intervalStyle

const styledCodecs = (dayFirst: boolean): ReadonlyArray<Codec> => [
  { ...date, decodeText: (text: string) => parseDate(text, dayFirst) },
  time,
  timetz,
  { ...timestamp, decodeText: (text: string) => parseTimestamp(text, false, dayFirst) },
  { ...timestamptz, decodeText: (text: string) => parseTimestamp(text, true, dayFirst) },
  { ...interval, decodeText: parseInterval }
]

const monthFirstCodecs: ReadonlyArray<Codec> = /* @__PURE__ */ styledCodecs(false)
const dayFirstCodecs: ReadonlyArray<Codec> = /* @__PURE__ */ styledCodecs(true)

/**
 * The `date`, `time`, `timetz`, `timestamp`, `timestamptz` and `interval` codecs with text
 * decoders for this style (binary forms and encoders as the defaults).
 *
 * **Details**
 * The decoders read every DateStyle and IntervalStyle (the style gives the field order of the
 * `SQL` and `Postgres` date forms), so the result is one of two shared arrays.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs = (style: TextStyle): ReadonlyArray<Codec> =>
  isDayFirst(style) ? dayFirstCodecs : monthFirstCodecs

const decoderMap = (list: ReadonlyArray<Codec>): ReadonlyMap<number, (text: string) => unknown> =>
  new Map(list.map((c) => [c.oid, c.decodeText]))

const monthFirstDecoders = /* @__PURE__ */ decoderMap(monthFirstCodecs)
const dayFirstDecoders = /* @__PURE__ */ decoderMap(dayFirstCodecs)

/**
 * Text decoders for this style by type OID: `date`, `time`, `timetz`, `timestamp`,
 * `timestamptz`, `interval`. Each returns what the default codec's `decodeText` returns for the
 * same value and throws a `CodecError` on anything else.
 *
 * @example
 * ```ts
 * import * as PgTextStyle from "@pgfx/protocol/PgTextStyle"
 * import { Oid } from "@pgfx/protocol/PgOid"
 *
 * const style = PgTextStyle.make("SQL, DMY", "sql_standard")
 * const decoders = PgTextStyle.textDecoders(style)
 * decoders.get(Oid.date)!("17/12/1997")       // PgDate(1997-12-17)
 * decoders.get(Oid.interval)!("-1-2")         // PgInterval(-1 years -2 mons)
 * ```
 *
 * @category codecs
 * @since 0.1.0
 */
export const textDecoders = (style: TextStyle): ReadonlyMap<number, (text: string) => unknown> =>
  isDayFirst(style) ? dayFirstDecoders : monthFirstDecoders
