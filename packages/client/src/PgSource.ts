/**
 * Where a client gets its connections: one connection, or a pool.
 *
 * The client runs ordinary statements with {@link PgSource.withConnection} (a shared connection;
 * statements from many fibers pipeline on it) and takes a connection for itself with
 * {@link PgSource.reserve} for transactions, COPY, cursors and LISTEN sessions.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { ConnectionOptions, PgConnection } from "@pgfx/connection/PgConnection"
import * as PgConnectionModule from "@pgfx/connection/PgConnection"
import type { PgConfig, PgConfigInput } from "@pgfx/connection/PgConfig"
import type { PgError } from "@pgfx/connection/PgError"

/**
 * A source of connections.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgSource {
  /** Runs `f` on a connection that may be shared with other fibers (requests pipeline). */
  readonly withConnection: <A, E, R>(f: (connection: PgConnection) => Effect.Effect<A, E, R>) => Effect.Effect<A, E | PgError, R>
  /**
   * A connection for this fiber alone until the Scope closes (exclusive: nobody else's requests
   * interleave). A pool hands out a whole connection; a single-connection source pins it.
   */
  readonly reserve: Effect.Effect<PgConnection, PgError, Scope.Scope>
  /**
   * Discards a reserved connection whose session state is unknown (the pool replaces it;
   * a single connection is closed).
   */
  readonly invalidate: (connection: PgConnection) => Effect.Effect<void>
  /** The configuration connections are made with (for dedicated sessions such as LISTEN). */
  readonly config: PgConfig | PgConfigInput | string
  /** The options connections are made with. */
  readonly options: ConnectionOptions
}

/**
 * A source over one connection, opened now and closed with the Scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const single = (
  config: PgConfig | PgConfigInput | string,
  options: ConnectionOptions = {}
): Effect.Effect<PgSource, PgError, Scope.Scope> =>
  Effect.map(PgConnectionModule.make(config, options), (connection) => fromConnection(connection, config, options))

/**
 * A source over an existing connection.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromConnection = (
  connection: PgConnection,
  config: PgConfig | PgConfigInput | string,
  options: ConnectionOptions = {}
): PgSource => ({
  withConnection: (f) => f(connection),
  reserve: connection.pin,
  invalidate: () => connection.close,
  config,
  options
})
