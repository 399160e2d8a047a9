/**
 * `effect/sql`'s Migrator for the pgfx adapter.
 *
 * The migrator itself is `effect/sql`'s: with the adapter's PostgreSQL dialect it creates the
 * migrations table when `to_regclass` does not find it (tolerating a concurrent creator), then,
 * in one transaction, takes `LOCK TABLE … IN ACCESS EXCLUSIVE MODE` (so concurrent migrators
 * queue, and the later ones find nothing left to do), records the pending migrations and runs
 * them in id order. A failed migration rolls the whole run back.
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { SqlClient } from "effect/sql"
 * import { PgSqlClient, PgSqlMigrator } from "@pgfx/sql"
 *
 * const Migrations = PgSqlMigrator.layer({
 *   loader: PgSqlMigrator.fromRecord({
 *     "0001_create_users": Effect.flatMap(SqlClient.SqlClient, (sql) => sql`create table users (id serial primary key, name text not null)`)
 *   })
 * })
 *
 * const SqlLive = Migrations.pipe(Layer.provideMerge(PgSqlClient.layer("postgres://localhost/app")))
 * ```
 *
 * **Gotchas**
 * `schemaDirectory` is ignored: no schema dump is written (that needs `pg_dump`).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Migrator from "effect/sql/Migrator"
import type { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

export {
  /**
   * A loader from `import.meta.glob`-style records (`<id>_<name>.ts` keys).
   *
   * @category loaders
   * @since 0.1.0
   */
  fromGlob,
  /**
   * A loader from a record of migration effects keyed `<id>_<name>`.
   *
   * @category loaders
   * @since 0.1.0
   */
  fromRecord,
  /**
   * Raised when migrations cannot be loaded, are duplicated, or fail.
   *
   * @category errors
   * @since 0.1.0
   */
  MigrationError
} from "effect/sql/Migrator"

export type {
  /**
   * A loader of migrations.
   *
   * @category models
   * @since 0.1.0
   */
  Loader,
  /**
   * The options of {@link run}: `loader`, and `table` (default `effect_sql_migrations`).
   *
   * @category models
   * @since 0.1.0
   */
  MigratorOptions,
  /**
   * One loaded migration: id, name and the Effect that loads it.
   *
   * @category models
   * @since 0.1.0
   */
  ResolvedMigration
} from "effect/sql/Migrator"

/**
 * Runs the pending migrations and returns the ones it ran (`[id, name]`, in order); an empty
 * array when the database is up to date or another migrator got there first.
 *
 * @category running
 * @since 0.1.0
 */
export const run: <R = never>(
  options: Migrator.MigratorOptions<R>
) => Effect.Effect<ReadonlyArray<readonly [id: number, name: string]>, Migrator.MigrationError | SqlError, SqlClient | R> =
  Migrator.make({})

/**
 * A layer that runs the pending migrations when it is built.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = <R = never>(
  options: Migrator.MigratorOptions<R>
): Layer.Layer<never, Migrator.MigrationError | SqlError, SqlClient | R> => Layer.effectDiscard(run(options))
