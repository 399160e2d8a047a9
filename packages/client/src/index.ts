/**
 * @pgfx/client — the PostgreSQL client for Effect: `sql` templates, Schema-decoded rows,
 * streams, COPY, LISTEN/NOTIFY, transactions and a pool.
 *
 * @since 0.1.0
 */

/**
 * The client service (a `Context.Service` class): `yield* PgClient` gives the `sql` template;
 * `PgClient.layer(config)` provides it.
 *
 * @since 0.1.0
 */
export { PgClient } from "./PgClient.ts"
/** @since 0.1.0 */
export * as PgCopy from "./PgCopy.ts"
/**
 * The error type of every operation (re-exported from `@pgfx/connection`): `PgError.PgError`,
 * its reasons (`PgError.UniqueViolation`, …) and guards.
 *
 * @since 0.1.0
 */
export * as PgError from "@pgfx/connection/PgError"
/** @since 0.1.0 */
export * as PgLargeObject from "./PgLargeObject.ts"
/** @since 0.1.0 */
export * as PgListen from "./PgListen.ts"
/** @since 0.1.0 */
export * as PgPool from "./PgPool.ts"
/** @since 0.1.0 */
export * as PgSchema from "./PgSchema.ts"
/** @since 0.1.0 */
export * as PgSource from "./PgSource.ts"
/** @since 0.1.0 */
export * as PgSql from "./PgSql.ts"
/** @since 0.1.0 */
export * as PgTwoPhase from "./PgTwoPhase.ts"
