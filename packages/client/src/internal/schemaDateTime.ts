/**
 * `PgSchema`'s date and time schemas: identity declarations for the protocol's wire classes
 * (`PgTimestamp`, `PgDate`, `PgTime`, `PgTimeTz`, `PgInterval`), and the conversions of
 * `timestamptz` / `timestamp` to `DateTime.Utc` and `Date` (truncated to the millisecond,
 * ±infinity failing or kept as strings) and of `date` to midnight UTC.
 *
 * Ranges are checked both ways: JavaScript's `Date` covers ±8.64e15 ms around 1970, PostgreSQL
 * from 4714-11-24 BC to year 294276; a value outside the target's range is an issue naming the
 * schema that can hold it. Intervals are in `schemaInterval.ts`.
 *
 * The public documentation of the exports is in `PgSchema.ts`.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import type * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as PgDateTime from "@pgfx/protocol/PgDateTime"
import type { DateTimeOrInfinity } from "../PgSchema.ts"
import { invalid } from "./schemaIssues.ts"

/** The range of JavaScript's `Date` (and so of `DateTime`), in milliseconds either side of 1970. */
const MAX_DATE_MILLIS = 8.64e15
const MILLIS_PER_DAY = 86_400_000

// ---------------------------------------------------------------------------------------------
// Declarations for the wire classes (identity schemas, lossless)
// ---------------------------------------------------------------------------------------------

/** `PgSchema.PgTimestamp`: a `PgTimestamp`, unchanged. */
export const PgTimestamp: Schema.declare<PgDateTime.PgTimestamp> = Schema.declare(
  (u): u is PgDateTime.PgTimestamp => u instanceof PgDateTime.PgTimestamp,
  {
    expected: "PgTimestamp",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgTimestamp(${a.toString()})`
  }
)

/** `PgSchema.PgDate`: a `PgDate`, unchanged. */
export const PgDate: Schema.declare<PgDateTime.PgDate> = Schema.declare(
  (u): u is PgDateTime.PgDate => u instanceof PgDateTime.PgDate,
  {
    expected: "PgDate",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgDate(${a.toString()})`
  }
)

/** `PgSchema.PgTime`: a `PgTime`, unchanged. */
export const PgTime: Schema.declare<PgDateTime.PgTime> = Schema.declare(
  (u): u is PgDateTime.PgTime => u instanceof PgDateTime.PgTime,
  {
    expected: "PgTime",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgTime(${a.toString()})`
  }
)

/** `PgSchema.PgTimeTz`: a `PgTimeTz`, unchanged. */
export const PgTimeTz: Schema.declare<PgDateTime.PgTimeTz> = Schema.declare(
  (u): u is PgDateTime.PgTimeTz => u instanceof PgDateTime.PgTimeTz,
  {
    expected: "PgTimeTz",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgTimeTz(${a.toString()})`
  }
)

/** `PgSchema.PgInterval`: a `PgInterval`, unchanged. */
export const PgInterval: Schema.declare<PgDateTime.PgInterval> = Schema.declare(
  (u): u is PgDateTime.PgInterval => u instanceof PgDateTime.PgInterval,
  {
    expected: "PgInterval",
    toEquivalence: () => (a, b) => a.equals(b),
    toFormatter: () => (a) => `PgInterval(${a.toString()})`
  }
)

/** A `PgTimestamp` of the given kind (`timestamptz` when `withTimeZone`). */
const timestampOfKind = (withTimeZone: boolean): Schema.declare<PgDateTime.PgTimestamp> =>
  PgTimestamp.check(
    Schema.makeFilter<PgDateTime.PgTimestamp>((t) => t.withTimeZone === withTimeZone, {
      message: withTimeZone
        ? "Expected a timestamptz value (PgTimestamp with withTimeZone: true); " +
          "for a timestamp column use PgSchema.Timestamp"
        : "Expected a timestamp value (PgTimestamp with withTimeZone: false); " +
          "for a timestamptz column use PgSchema.Timestamptz"
    })
  )

/** A `PgTimestamp` with a time zone (a `timestamptz` value). */
export const TimestamptzWire = timestampOfKind(true)
/** A `PgTimestamp` without a time zone (a `timestamp` value). */
export const TimestampWire = timestampOfKind(false)

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

const MIN_TIMESTAMP_SECONDS = PgDateTime.PgTimestamp.min.epochSeconds

type TimestampKind = "timestamptz" | "timestamp"

/** The epoch milliseconds of a finite `PgTimestamp` within `Date`'s range, rounded down; or an issue. */
const timestampMillis = (
  t: PgDateTime.PgTimestamp,
  kind: TimestampKind,
  target: string,
  options: SchemaAST.ParseOptions
): Effect.Effect<number, SchemaIssue.Issue> => {
  if (!t.isFinite) {
    return invalid(
      `${kind} ${t.epochSeconds > 0 ? "infinity" : "-infinity"} cannot be represented as a ${target}; ` +
        `decode it with PgSchema.${kind === "timestamptz" ? "TimestamptzOrInfinity" : "PgTimestamp"}`,
      t,
      options
    )
  }
  const ms = t.epochMilliseconds
  if (ms < -MAX_DATE_MILLIS || ms > MAX_DATE_MILLIS) {
    return invalid(
      `${kind} is outside the range of ${target} (years -271821 … 275760); decode it with PgSchema.PgTimestamp`,
      t,
      options
    )
  }
  return Effect.succeed(ms)
}

/** The `PgTimestamp` of epoch milliseconds (its millisecond becomes `microsecond = ms × 1000`). */
const timestampFromMillis = (
  ms: number,
  kind: TimestampKind,
  options: SchemaAST.ParseOptions
): Effect.Effect<PgDateTime.PgTimestamp, SchemaIssue.Issue> => {
  const seconds = Math.floor(ms / 1000)
  if (seconds < MIN_TIMESTAMP_SECONDS) {
    return invalid(`${kind} before 4714-11-24 00:00:00 BC, the first one PostgreSQL accepts`, ms, options)
  }
  return Effect.succeed(new PgDateTime.PgTimestamp(seconds, (ms - seconds * 1000) * 1000, kind === "timestamptz"))
}

const dateTimeFromTimestamp = (kind: TimestampKind) =>
  SchemaTransformation.transformEffect<DateTime.Utc, PgDateTime.PgTimestamp>({
    decode: (t, options) =>
      Effect.mapEager(timestampMillis(t, kind, "DateTime.Utc", options), (ms) => DateTime.makeUnsafe(ms)),
    encode: (dt, options) => timestampFromMillis(dt.epochMilliseconds, kind, options)
  })

const dateFromTimestamp = (kind: TimestampKind) =>
  SchemaTransformation.transformEffect<globalThis.Date, PgDateTime.PgTimestamp>({
    decode: (t, options) => Effect.mapEager(timestampMillis(t, kind, "Date", options), (ms) => new globalThis.Date(ms)),
    encode: (d, options) => timestampFromMillis(d.getTime(), kind, options)
  })

/** `PgSchema.Timestamptz`: `timestamptz` ⇄ `DateTime.Utc`, truncated to the millisecond. */
export const Timestamptz: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgTimestamp>> = TimestamptzWire
  .pipe(Schema.decodeTo(Schema.DateTimeUtc, dateTimeFromTimestamp("timestamptz")))

const Infinities = Schema.Literals(["infinity", "-infinity"])

/** `PgSchema.TimestamptzOrInfinity`: {@link Timestamptz} keeping ±infinity as strings. */
export const TimestamptzOrInfinity: Schema.decodeTo<
  Schema.Union<readonly [Schema.DateTimeUtc, Schema.Literals<readonly ["infinity", "-infinity"]>]>,
  Schema.declare<PgDateTime.PgTimestamp>
> = TimestamptzWire.pipe(
  Schema.decodeTo(
    Schema.Union([Schema.DateTimeUtc, Infinities]),
    SchemaTransformation.transformEffect<DateTimeOrInfinity, PgDateTime.PgTimestamp>({
      decode: (t, options) =>
        t.isFinite
          ? Effect.mapEager(timestampMillis(t, "timestamptz", "DateTime.Utc", options), (ms) => DateTime.makeUnsafe(ms))
          : Effect.succeed(t.epochSeconds > 0 ? "infinity" : "-infinity"),
      encode: (v, options) =>
        v === "infinity"
          ? Effect.succeed(PgDateTime.PgTimestamp.infinity)
          : v === "-infinity"
          ? Effect.succeed(PgDateTime.PgTimestamp.negativeInfinity)
          : timestampFromMillis(v.epochMilliseconds, "timestamptz", options)
    })
  )
)

/** `PgSchema.TimestamptzDate`: `timestamptz` ⇄ `Date`. */
export const TimestamptzDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgTimestamp>> = TimestamptzWire
  .pipe(Schema.decodeTo(Schema.Date, dateFromTimestamp("timestamptz")))

/** `PgSchema.Timestamp`: `timestamp` ⇄ `DateTime.Utc`, the wall clock read as UTC. */
export const Timestamp: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgTimestamp>> = TimestampWire
  .pipe(Schema.decodeTo(Schema.DateTimeUtc, dateTimeFromTimestamp("timestamp")))

/** `PgSchema.TimestampDate`: `timestamp` ⇄ `Date`, the wall clock read as UTC. */
export const TimestampDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgTimestamp>> = TimestampWire.pipe(
  Schema.decodeTo(Schema.Date, dateFromTimestamp("timestamp"))
)

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

const MIN_EPOCH_DAYS = PgDateTime.PgDate.min.epochDays

/** Epoch milliseconds of midnight UTC of a finite `PgDate` within `Date`'s range; or an issue. */
const dateMillis = (d: PgDateTime.PgDate, target: string, options: SchemaAST.ParseOptions) => {
  if (!d.isFinite) {
    return invalid(
      `date ${d.epochDays > 0 ? "infinity" : "-infinity"} cannot be represented as a ${target}; ` +
        "decode it with PgSchema.PgDate",
      d,
      options
    )
  }
  const ms = d.epochDays * MILLIS_PER_DAY
  if (ms < -MAX_DATE_MILLIS || ms > MAX_DATE_MILLIS) {
    return invalid(
      `date is outside the range of ${target} (years -271821 … 275760); decode it with PgSchema.PgDate`,
      d,
      options
    )
  }
  return Effect.succeed(ms)
}

/** The `PgDate` of epoch milliseconds that must be midnight UTC. */
const dateFromMillis = (
  ms: number,
  options: SchemaAST.ParseOptions
): Effect.Effect<PgDateTime.PgDate, SchemaIssue.Issue> => {
  const days = Math.floor(ms / MILLIS_PER_DAY)
  if (days * MILLIS_PER_DAY !== ms) {
    return invalid(
      "a date must be midnight UTC (e.g. new Date(Date.UTC(y, m, d))); this value has a time of day",
      ms,
      options
    )
  }
  if (days < MIN_EPOCH_DAYS) return invalid("date before 4714-11-24 BC, the first one PostgreSQL accepts", ms, options)
  return Effect.succeed(new PgDateTime.PgDate(days))
}

/** `PgSchema.DateFromPgDate`: `date` ⇄ `Date` at midnight UTC. */
export const DateFromPgDate: Schema.decodeTo<Schema.Date, Schema.declare<PgDateTime.PgDate>> = PgDate.pipe(
  Schema.decodeTo(
    Schema.Date,
    SchemaTransformation.transformEffect<globalThis.Date, PgDateTime.PgDate>({
      decode: (d, options) => Effect.mapEager(dateMillis(d, "Date", options), (ms) => new globalThis.Date(ms)),
      encode: (d, options) => dateFromMillis(d.getTime(), options)
    })
  )
)

/** `PgSchema.DateTimeFromPgDate`: `date` ⇄ `DateTime.Utc` at midnight UTC. */
export const DateTimeFromPgDate: Schema.decodeTo<Schema.DateTimeUtc, Schema.declare<PgDateTime.PgDate>> = PgDate.pipe(
  Schema.decodeTo(
    Schema.DateTimeUtc,
    SchemaTransformation.transformEffect<DateTime.Utc, PgDateTime.PgDate>({
      decode: (d, options) => Effect.mapEager(dateMillis(d, "DateTime.Utc", options), (ms) => DateTime.makeUnsafe(ms)),
      encode: (dt, options) => dateFromMillis(dt.epochMilliseconds, options)
    })
  )
)
