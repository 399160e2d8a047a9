/**
 * @pgfx/sql — `effect/sql`'s `SqlClient` on the pgfx PostgreSQL client: `SqlSchema`,
 * `SqlResolver`, `SqlModel` and `Migrator` switch to pgfx with one Layer.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as PgSqlClient from "./PgSqlClient.ts"
/** @since 0.1.0 */
export * as PgSqlMigrator from "./PgSqlMigrator.ts"
