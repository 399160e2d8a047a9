/**
 * The `interval` codec, decoding to `PgDateTime`'s {@link PgInterval}.
 *
 * Binary form (`interval_send`): int64 microseconds, int32 days, int32 months — in that order.
 * PostgreSQL 17 added `infinity` (all three at their maximum) and `-infinity` (all three at their
 * minimum). Text form: the `postgres` IntervalStyle (`1 year 2 mons -3 days +04:05:06.5`), which
 * `interval_in` reads back under every IntervalStyle (a leading negative field is always followed
 * by an explicit sign, so `sql_standard`'s "leading sign applies to all fields" rule never
 * triggers). The decoder also reads the `iso_8601` style; `PgTextStyle` has decoders for
 * `postgres_verbose` and `sql_standard`.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { PgInterval } from "../../PgDateTime.ts"
import { Oid } from "../../PgOid.ts"
import { readInt32, readInt64, readUint32 } from "../bytes.ts"

const INT32_MIN = -2_147_483_648
const INT32_MAX = 2_147_483_647
const INT64_MIN = -9_223_372_036_854_775_808n
const INT64_MAX = 9_223_372_036_854_775_807n
/** `hi` values whose int64 `hi·2^32 + lo` is a safe integer. */
const SAFE_HI = 2_097_152

const checkInterval = (value: PgInterval): PgInterval => {
  if (!(value instanceof PgInterval)) return fail("interval: expected a PgInterval", Oid.interval, "interval")
  const { days, microseconds, months } = value
  return Number.isInteger(months) && months >= INT32_MIN && months <= INT32_MAX && Number.isInteger(days) &&
      days >= INT32_MIN && days <= INT32_MAX && typeof microseconds === "bigint" && microseconds >= INT64_MIN &&
      microseconds <= INT64_MAX
    ? value
    : fail("interval: value out of range", Oid.interval, "interval")
}

/**
 * `interval` ⇄ {@link PgInterval}, lossless (months, days and microseconds kept apart), with
 * PostgreSQL 17's infinities.
 *
 * @category codecs
 * @since 0.1.0
 */
export const interval: Codec<PgInterval> = make<PgInterval>({
  oid: Oid.interval,
  name: "interval",
  decodeBinary: (bytes, offset, length) => {
    if (length !== 16) return fail(`interval: expected 16 bytes, got ${length}`, Oid.interval, "interval")
    const hi = readInt32(bytes, offset)
    const lo = readUint32(bytes, offset + 4)
    const days = readInt32(bytes, offset + 8)
    const months = readInt32(bytes, offset + 12)
    if (months === INT32_MAX && days === INT32_MAX && hi === INT32_MAX && lo === 0xffff_ffff) {
      return PgInterval.infinity
    }
    if (months === INT32_MIN && days === INT32_MIN && hi === INT32_MIN && lo === 0) return PgInterval.negativeInfinity
    // One bigint instead of four in the common case of a safe-integer microsecond count.
    const micros = hi >= -SAFE_HI && hi < SAFE_HI ? BigInt(hi * 4_294_967_296 + lo) : readInt64(bytes, offset)
    return new PgInterval(months, days, micros)
  },
  encodeBinary: (value, writer) => {
    const v = checkInterval(value)
    writer.i64(v.microseconds)
    writer.i32(v.days)
    writer.i32(v.months)
  },
  decodeText: (text) => PgInterval.parse(text),
  encodeText: (value) => checkInterval(value).toString()
})

/**
 * The interval codec of this family (arrays are built by `PgTypes`).
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [interval]
