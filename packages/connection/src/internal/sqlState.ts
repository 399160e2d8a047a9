/**
 * SQLSTATE facts the session needs, from the generated table in `@pgfx/protocol`.
 */
import * as PgSqlState from "@pgfx/protocol/PgSqlState"

/** Whether a SQLSTATE is retryable (serialization/deadlock, shutdown/fail-over, connection exceptions). */
export const isRetryableSqlState = (code: string): boolean => PgSqlState.isRetryable(code)

/** The condition name of a SQLSTATE (`unique_violation`), or "" when unknown. */
export const conditionOf = (code: string): string => PgSqlState.conditionName(code) ?? ""

/** The class name of a SQLSTATE (`Integrity Constraint Violation`), or "" when unknown. */
export const classOf = (code: string): string => PgSqlState.className(code) ?? ""
