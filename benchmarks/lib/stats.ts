/**
 * Small statistics and number formatting for the benchmark reports: medians with min/max,
 * percentiles, and compact rates (`12.3k/s`).
 *
 * @since 0.1.0
 */

/**
 * Summary of a set of samples.
 *
 * @category models
 * @since 0.1.0
 */
export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly count: number
}

/**
 * The value at quantile `q` (0..1) of `values`, linear interpolation between neighbours.
 *
 * @category statistics
 * @since 0.1.0
 */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = values.toSorted((a, b) => a - b)
  const at = (sorted.length - 1) * Math.min(1, Math.max(0, q))
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo)
}

/**
 * Median, min and max (NaN for no samples).
 *
 * @category statistics
 * @since 0.1.0
 */
export const summarize = (values: ReadonlyArray<number>): Summary => ({
  median: quantile(values, 0.5),
  min: values.length === 0 ? Number.NaN : Math.min(...values),
  max: values.length === 0 ? Number.NaN : Math.max(...values),
  count: values.length
})

/**
 * A rate with a metric suffix: `987/s`, `12.3k/s`, `1.02M/s`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatRate = (perSecond: number): string => {
  if (!Number.isFinite(perSecond)) return "—"
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(perSecond >= 1e7 ? 1 : 2)}M/s`
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(perSecond >= 1e5 ? 0 : 1)}k/s`
  return `${perSecond.toFixed(perSecond >= 100 ? 0 : 1)}/s`
}

/**
 * Milliseconds with sensible precision: `0.42 ms`, `12.3 ms`, `1,234 ms`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatMs = (ms: number): string => {
  if (!Number.isFinite(ms)) return "—"
  if (ms < 10) return `${ms.toFixed(2)} ms`
  if (ms < 100) return `${ms.toFixed(1)} ms`
  return `${Math.round(ms).toLocaleString("en-US")} ms`
}

/**
 * A ratio as `1.00`, or `—`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatRatio = (ratio: number): string => (Number.isFinite(ratio) ? ratio.toFixed(2) : "—")

/**
 * Mebibytes from bytes, one decimal.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatMiB = (bytes: number | undefined): string =>
  bytes === undefined || !Number.isFinite(bytes) ? "—" : `${(bytes / 1048576).toFixed(1)}`
