/**
 * SQLSTATE facts the session needs. Delegates to the generated table in `@pgfx/protocol`
 * once it lands; the retryable set is small and stable, so it is spelled out here.
 */

/** SQLSTATEs after which running the same work again (usually the whole transaction) may succeed. */
const retryable = new Set(["40001", "40P01", "57P01", "57P02", "57P03", "53300", "55P03"])

/** Whether a SQLSTATE is retryable: serialization/deadlock, shutdown/fail-over, too many connections, class 08. */
export const isRetryableSqlState = (code: string): boolean => retryable.has(code) || code.startsWith("08")
