/**
 * @pgfx/protocol — the PostgreSQL v3 wire protocol as pure mechanism.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as PgArray from "./PgArray.ts"
/** @since 0.1.0 */
export * as PgAuth from "./PgAuth.ts"
/** @since 0.1.0 */
export * as PgBackend from "./PgBackend.ts"
/** @since 0.1.0 */
export * as PgCodec from "./PgCodec.ts"
/** @since 0.1.0 */
export * as PgCopyBinary from "./PgCopyBinary.ts"
/** @since 0.1.0 */
export * as PgDateTime from "./PgDateTime.ts"
/** @since 0.1.0 */
export * as PgFrontend from "./PgFrontend.ts"
/** @since 0.1.0 */
export * as PgGeometry from "./PgGeometry.ts"
/** @since 0.1.0 */
export * as PgOid from "./PgOid.ts"
/** @since 0.1.0 */
export * as PgRange from "./PgRange.ts"
/** @since 0.1.0 */
export * as PgReplication from "./PgReplication.ts"
/** @since 0.1.0 */
export * as PgServerCodec from "./PgServerCodec.ts"
/** @since 0.1.0 */
export * as PgSqlState from "./PgSqlState.ts"
/** @since 0.1.0 */
export * as PgTextStyle from "./PgTextStyle.ts"
/** @since 0.1.0 */
export * as PgTypes from "./PgTypes.ts"
/** @since 0.1.0 */
export * as PgWriter from "./PgWriter.ts"
