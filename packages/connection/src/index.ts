/**
 * @pgfx/connection — one live PostgreSQL session where every wait is an Effect.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as PgConfig from "./PgConfig.ts"
/** @since 0.1.0 */
export * as PgConnection from "./PgConnection.ts"
/** @since 0.1.0 */
export * as PgError from "./PgError.ts"
