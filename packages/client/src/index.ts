/**
 * @pgfx/client — the PostgreSQL client for Effect: `sql` templates, Schema-decoded rows,
 * streams, COPY, LISTEN/NOTIFY, transactions and a pool.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as PgCopy from "./PgCopy.ts"
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
