/**
 * `effect/sql`'s `SqlClient` on pgfx: code written against `SqlClient`, `SqlSchema`,
 * `SqlResolver`, `SqlModel` and `Migrator` runs on the pgfx PostgreSQL client by swapping one
 * Layer.
 *
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { SqlClient } from "effect/sql"
 * import { PgSqlClient } from "@pgfx/sql"
 *
 * const program = Effect.gen(function*() {
 *   const sql = yield* SqlClient.SqlClient
 *   yield* sql.withTransaction(sql`insert into users ${sql.insert({ name: "Ada" })}`)
 *   return yield* sql<{ id: number; name: string }>`select id, name from users where id = ${1}`
 * })
 *
 * program.pipe(Effect.provide(PgSqlClient.layer({ url: Redacted.make(process.env.DATABASE_URL!) })))
 * ```
 *
 * **Where statements run.** {@link layer} opens a pgfx pool (`PgPool`): ordinary statements
 * share its connections and pipeline; streams, `sql.reserve` and transactions take a
 * connection for themselves. {@link layerFromClient} and {@link layerFromSource} run over a
 * pgfx client or connection source you already have.
 *
 * **Statements.** `sql\`…\`` compiles to `$n` placeholders with bound parameters and runs as a
 * named prepared statement (cached per connection, binary results) — or as the unnamed
 * statement when the pgfx client's mode is `unnamed` (PgBouncer). `.unprepared` uses the simple
 * protocol when there are no parameters (a script of several statements runs; its last
 * statement's rows are returned), else the unnamed statement. `.values` gives rows as arrays,
 * `.raw` pgfx's whole `QueryResult` (`command`, `rowCount`, `rows`, `fields`), `.stream` a
 * Stream fetched `streamBatchSize` rows (default 1000) per round trip through a portal.
 *
 * **Transactions** are `effect/sql`'s own (`sql.withTransaction`, savepoints when nested,
 * `SqlClient.BeginTransaction` for an isolation level, `afterCommit`) on a reserved pgfx
 * connection. A `COMMIT` that the server answers with `ROLLBACK` (a statement failed inside and
 * its error was caught) fails with an `UnknownError` whose cause is a pgfx `InFailedTransaction`.
 *
 * **Values.** See {@link Options.dates} and {@link Options.parameters}: by default timestamps
 * decode to `Date`, dates to `"YYYY-MM-DD"`, times and intervals to their text, `int8` to
 * `bigint`, `numeric` to an exact string, `json`/`jsonb` to parsed JSON; parameters take the
 * values other drivers take (strings for dates and numbers, numbers for text).
 *
 * **Errors** are `SqlError`s classified by SQLSTATE (see {@link toSqlError}); the pgfx
 * `PgError` is the reason's `cause`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Reactivity from "effect/reactivity/Reactivity"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import type { Borrower, Connection } from "effect/sql/SqlConnection"
import type { SqlError } from "effect/sql/SqlError"
import * as Statement from "effect/sql/Statement"
import type { CodecEntry, ConnectOptions as ClientConnectOptions } from "@pgfx/client/PgClient"
import { PgClient } from "@pgfx/client/PgClient"
import * as PgPool from "@pgfx/client/PgPool"
import type { PgSource } from "@pgfx/client/PgSource"
import type { PgConfig, PgConfigInput } from "@pgfx/connection/PgConfig"
import type { ConnectionOptions, PgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import type { Codec } from "@pgfx/protocol/PgCodec"
import { codecsFor, type DatesMode, type ParametersMode } from "./internal/codecs.ts"
import { json as jsonFragment, makeCompiler as makeCompilerImpl } from "./internal/compiler.ts"
import { makeSettings, PgSqlConnection, rollbackIfOpen } from "./internal/connection.ts"
import { toSqlError as toSqlErrorImpl } from "./internal/sqlError.ts"

export type { DatesMode, ParametersMode } from "./internal/codecs.ts"
export type { PgSqlJson } from "./internal/compiler.ts"

/**
 * @category type ids
 * @since 0.1.0
 */
export const TypeId = "~@pgfx/sql/PgSqlClient" as const

/**
 * The adapter's client: an `effect/sql` `SqlClient` plus the pgfx client it runs on.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgSqlClient extends SqlClient.SqlClient {
  readonly [TypeId]: typeof TypeId
  /**
   * The pgfx client underneath, for what `effect/sql` has no words for (COPY, LISTEN, cursors,
   * pgfx statements). Its own transactions are separate from `withTransaction`'s.
   */
  readonly client: PgClient.Service
  /** A parameter bound as `jsonb` (`$n::jsonb`); with `transformJson`, its keys are renamed too. */
  readonly json: (value: unknown) => Statement.Fragment
}

/**
 * The adapter's service; {@link layer} provides it together with `SqlClient.SqlClient`.
 *
 * @category services
 * @since 0.1.0
 */
export const PgSqlClient: Context.Service<PgSqlClient, PgSqlClient> = Context.Service<PgSqlClient>("@pgfx/sql/PgSqlClient")

/**
 * Options of an adapter over a pgfx client you already have.
 *
 * @category models
 * @since 0.1.0
 */
export interface AdapterOptions {
  /** Renames identifiers written with `sql("name")`, `sql.insert`, … (e.g. camelCase → snake_case). */
  readonly transformQueryNames?: ((name: string) => string) | undefined
  /** Renames the keys of result rows (e.g. snake_case → camelCase). */
  readonly transformResultNames?: ((name: string) => string) | undefined
  /** Whether the transforms also apply inside JSON values (default true). */
  readonly transformJson?: boolean | undefined
  /** Attributes added to every statement's span (beside `db.system.name` and friends). */
  readonly spanAttributes?: Readonly<Record<string, unknown>> | undefined
  /** Rows per round trip of `.stream` (default 1000): the stream's memory bound. */
  readonly streamBatchSize?: number | undefined
}

/**
 * Options of an adapter that builds its pgfx client: the adapter's, plus how values map.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options extends AdapterOptions {
  /**
   * How date/time columns decode (default `"date"`):
   *
   * | type | `"date"` | `"pgfx"` |
   * |---|---|---|
   * | `timestamptz`, `timestamp` | `Date` (rounded down to the millisecond; `timestamp`'s wall clock read as UTC; ±infinity → Invalid Date) | `PgTimestamp` (µs-exact, ±infinity) |
   * | `date` | `"2024-01-02"` (ISO 8601; `"infinity"`, `"-infinity"`) | `PgDate` |
   * | `time`, `timetz` | `"03:04:05.123456"`, `"03:04:05+02"` | `PgTime`, `PgTimeTz` |
   * | `interval` | `"1 year 2 mons 3 days 04:05:06"` | `PgInterval` |
   *
   * Arrays of these and the built-in ranges over them (`tsrange`, `tstzrange`, `daterange` and
   * their multiranges) follow. Every other type decodes as pgfx decodes it: `int8` → `bigint`,
   * `numeric` → string, `json`/`jsonb` → parsed value, `bytea` → `Uint8Array`, `uuid` → string.
   */
  readonly dates?: DatesMode | undefined
  /**
   * How parameters are checked against the types the server assigns them (default
   * `"lenient"`): `"lenient"` also takes a string for date/time, `bool`, `int2`, `int4`,
   * `float4` and `float8` parameters (parsed as PostgreSQL reads it), a number (epoch
   * milliseconds) or `DateTime` for timestamps, and a number, bigint, boolean or `Date` (ISO
   * 8601) for text parameters; `"strict"` takes exactly what pgfx's codecs take.
   */
  readonly parameters?: ParametersMode | undefined
}

/**
 * Pool settings of {@link layer} (see `PgPool.PoolOptions`).
 *
 * @category models
 * @since 0.1.0
 */
export type PoolSettings = Omit<PgPool.PoolOptions, keyof ConnectionOptions | "connect">

/**
 * Everything {@link layer} needs: connection settings (libpq keywords or `url`), pgfx client and
 * connection options, pool settings and the adapter's options.
 *
 * @category models
 * @since 0.1.0
 */
export interface Config extends PgConfigInput, Omit<ClientConnectOptions, "spanAttributes">, Options {
  /** A connection string (`postgres://…` or `key=value …`), plain or `Redacted`. */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** The pool's settings (default: `PgPool`'s, up to 10 connections). */
  readonly pool?: PoolSettings | undefined
}

/**
 * The codecs behind {@link Options.dates} and {@link Options.parameters}, for a pgfx client
 * you build yourself and hand to {@link layerFromClient}:
 * `PgClient.layer(url, { codecs: PgSqlClient.codecs() })`.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs = (options?: Pick<Options, "dates" | "parameters">): ReadonlyArray<Codec> =>
  codecsFor(options?.dates ?? "date", options?.parameters ?? "lenient")

/**
 * The PostgreSQL statement compiler (`$n` placeholders, `"`-quoted identifiers).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeCompiler = (
  transformQueryNames?: ((name: string) => string) | undefined,
  transformJson?: boolean | undefined
): Statement.Compiler => makeCompilerImpl(transformQueryNames, transformJson ?? true)

/**
 * A pgfx `PgError` as a `SqlError`. The reason follows the SQLSTATE of a server error: `08…` →
 * `ConnectionError`, `28…` → `AuthenticationError`, `42501` → `AuthorizationError`, `42…` →
 * `SqlSyntaxError`, `23505` → `UniqueViolation` (with the constraint's name), `23…` →
 * `ConstraintError`, `40P01` → `DeadlockError`, `40001` → `SerializationError`, `55P03` →
 * `LockTimeoutError`, `57014` → `StatementTimeoutError`, `57P01`–`57P03` and `53300` →
 * `ConnectionError`, anything else → `UnknownError`. Failures to connect or to keep a
 * connection (socket errors, timeouts, closed connections, pool timeouts, TLS, protocol
 * errors) are `ConnectionError`s, authentication failures `AuthenticationError`s, and what the
 * client rejected itself (encoding, decoding, configuration) `UnknownError`s. The `PgError` is
 * the reason's `cause`.
 *
 * @category errors
 * @since 0.1.0
 */
export const toSqlError = (error: PgError.PgError, operation: string): SqlError => toSqlErrorImpl(error, operation)

// -------------------------------------------------------------------------------------------------
// constructors

const defaultBatchSize = 1000

const attribute = (attributes: Array<readonly [string, unknown]>, key: string, value: unknown): void => {
  if (value !== undefined && value !== "") attributes.push([key, value])
}

/** OpenTelemetry attributes naming the database and server, where the config says them plainly. */
const configAttributes = (config: PgSource["config"]): Array<readonly [string, unknown]> => {
  const attributes: Array<readonly [string, unknown]> = []
  if (typeof config === "string") return attributes
  if ("targets" in config) {
    const target = (config as PgConfig).targets[0]
    attribute(attributes, "db.namespace", (config as PgConfig).database)
    if (target !== undefined && !target.isUnixSocket) {
      attribute(attributes, "server.address", target.host)
      attribute(attributes, "server.port", target.port)
    }
    return attributes
  }
  const input = config as PgConfigInput
  attribute(attributes, "db.namespace", input.database)
  if (typeof input.host === "string" && !input.host.startsWith("/")) attribute(attributes, "server.address", input.host)
  if (typeof input.port === "number" || typeof input.port === "string") attribute(attributes, "server.port", Number(input.port))
  return attributes
}

const transactionInsidePgClient = PgError.make(
  new PgError.ConfigError({
    message: "an effect/sql transaction cannot start inside a pgfx PgClient.withTransaction (it would run BEGIN on " +
      "that transaction's connection); use one API's transactions for both"
  })
)

const commitRolledBack = PgError.make(
  new PgError.InFailedTransaction({
    message: "COMMIT rolled the transaction back: a statement in it had failed (its error was caught and not " +
      "re-raised), so nothing was committed",
    severity: "ERROR",
    code: "25P02",
    condition: "in_failed_sql_transaction",
    className: "Invalid Transaction State"
  })
)

/** `COMMIT`, failing when the server reports that it rolled back instead. */
const commit = (conn: Connection): Effect.Effect<void, SqlError> => {
  if (!(conn instanceof PgSqlConnection)) return Effect.asVoid(conn.executeUnprepared("COMMIT", [], undefined))
  return Effect.flatMap(
    Effect.mapError(conn.connection.simple("COMMIT"), (error) => toSqlErrorImpl(error, "commit")),
    (results) => results[0]?.command === "ROLLBACK" ? Effect.fail(toSqlErrorImpl(commitRolledBack, "commit")) : Effect.void
  )
}

/**
 * The adapter over a pgfx client, used as it is: its source, mode and type registry (so values
 * decode as the client decodes them — build it with {@link codecs} for the adapter's mapping).
 */
const fromClient = (client: PgClient.Service, options: AdapterOptions = {}): Effect.Effect<PgSqlClient, never, Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const settings = makeSettings(
      client.mode === "unnamed" ? "unnamed" : "prepared",
      Math.max(1, Math.floor(options.streamBatchSize ?? defaultBatchSize))
    )
    const adopt = (connection: PgConnection): PgSqlConnection => {
      // A reserved connection may predate types the client discovered since: use the client's registry.
      if (connection.registry !== client.registry) connection.registry = client.registry
      return new PgSqlConnection(connection, settings)
    }
    const acquirer: Effect.Effect<Connection, SqlError, Scope.Scope> = Effect.map(
      Effect.mapError(client.reserve, (error) => toSqlErrorImpl(error, "acquire")),
      adopt
    )
    const transactionAcquirer: Effect.Effect<Connection, SqlError, Scope.Scope> = Effect.flatMap(
      client.transactionStatus,
      (status) => status === "idle" ? acquirer : Effect.fail(toSqlErrorImpl(transactionInsidePgClient, "acquire"))
    )
    const borrower: Borrower = <A, E, R>(f: (connection: Connection) => Effect.Effect<A, E, R>) =>
      Effect.mapError(
        client.withConnection((connection) => f(new PgSqlConnection(connection, settings))),
        (error) => error instanceof PgError.PgError ? toSqlErrorImpl(error, "acquire") : error
      ) as Effect.Effect<A, E | SqlError, R>

    const compiler = makeCompilerImpl(options.transformQueryNames, options.transformJson ?? true)
    const transformRows = options.transformResultNames === undefined
      ? undefined
      : Statement.defaultTransforms(options.transformResultNames, options.transformJson ?? true).array

    const sql = yield* SqlClient.make({
      acquirer,
      borrower,
      transactionAcquirer,
      compiler,
      driver: "pgfx",
      spanAttributes: [
        ...Object.entries(options.spanAttributes ?? {}),
        ["db.system.name", "postgresql"],
        ...configAttributes(client.config)
      ],
      commit,
      onCommitFailure: (conn) => conn instanceof PgSqlConnection ? rollbackIfOpen(conn.connection) : Effect.void,
      isTransaction: (conn) =>
        conn instanceof PgSqlConnection ? conn.connection.isOpen && conn.connection.transactionStatus !== "idle" : true,
      releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
      ...(transformRows === undefined ? {} : { transformRows })
    })

    return Object.assign(sql, {
      [TypeId]: TypeId,
      client,
      json: (value: unknown) => jsonFragment(value)
    }) as PgSqlClient
  })

/** A pgfx client over a source, with the adapter's codecs. */
const clientOver = (source: PgSource, options: Options): Effect.Effect<PgClient.Service> =>
  PgClient.make(source, { codecs: codecsFor(options.dates ?? "date", options.parameters ?? "lenient") })

const isClient = (u: PgClient.Service | PgSource): u is PgClient.Service => typeof u === "function"

/**
 * The adapter over a pgfx client or a connection source.
 *
 * **Details**
 * - Over a client: the client's source, mode and type registry are used as they are, so
 *   values decode as that client decodes them. Build the client with
 *   `codecs: PgSqlClient.codecs()` for the adapter's mapping (see {@link Options.dates}).
 * - Over a source (`PgSource.single`, a `PgPool`): a pgfx client is made over it with the
 *   adapter's codecs (`options.dates`, `options.parameters`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: {
  (client: PgClient.Service, options?: AdapterOptions): Effect.Effect<PgSqlClient, never, Reactivity.Reactivity>
  (source: PgSource, options?: Options): Effect.Effect<PgSqlClient, never, Reactivity.Reactivity>
} = (input: PgClient.Service | PgSource, options: Options = {}): Effect.Effect<PgSqlClient, never, Reactivity.Reactivity> =>
  isClient(input) ? fromClient(input, options) : Effect.flatMap(clientOver(input, options), (client) => fromClient(client, options))

/**
 * The adapter over a new pool of connections made from `config` (closed with the Scope).
 *
 * @category constructors
 * @since 0.1.0
 */
export const connect = (
  config: Config | string | Redacted.Redacted<string>
): Effect.Effect<PgSqlClient, SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.suspend(() => {
    const normalized: Config = typeof config === "string" || Redacted.isRedacted(config) ? { url: config } : config
    const {
      url,
      pool,
      mode,
      registry,
      codecs: userCodecs,
      discoverTypes,
      preparedCacheSize,
      cancelTimeout,
      onNotice,
      maxMessageSize,
      dates,
      parameters,
      transformQueryNames,
      transformResultNames,
      transformJson,
      spanAttributes,
      streamBatchSize,
      ...input
    } = normalized
    const connection: PgConfigInput = url === undefined ? input : { ...input, connectionString: url }
    const entries: Array<CodecEntry> = [...codecsFor(dates ?? "date", parameters ?? "lenient"), ...(userCodecs ?? [])]
    const connectionOptions = PgClient.connectionOptions({
      mode,
      registry,
      codecs: entries,
      discoverTypes,
      preparedCacheSize,
      cancelTimeout,
      onNotice,
      maxMessageSize
    })
    return PgPool.make(connection, { ...connectionOptions, ...pool }).pipe(
      Effect.flatMap((source) => PgClient.make(source, { mode, discoverTypes })),
      Effect.mapError((error) => toSqlErrorImpl(error, "connect")),
      Effect.flatMap((client) =>
        fromClient(client, { transformQueryNames, transformResultNames, transformJson, spanAttributes, streamBatchSize })
      )
    )
  })

// -------------------------------------------------------------------------------------------------
// layers

/**
 * Provides {@link PgSqlClient} and `SqlClient.SqlClient` from an Effect building the adapter
 * (with a fresh `Reactivity` service).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerFrom = <E, R>(
  acquire: Effect.Effect<PgSqlClient, E, R>
): Layer.Layer<PgSqlClient | SqlClient.SqlClient, E, Exclude<R, Scope.Scope | Reactivity.Reactivity>> =>
  Layer.effectContext(
    Effect.map(acquire, (client) => Context.make(PgSqlClient, client).pipe(Context.add(SqlClient.SqlClient, client)))
  ).pipe(Layer.provide(Reactivity.layer)) as Layer.Layer<PgSqlClient | SqlClient.SqlClient, E, Exclude<R, Scope.Scope | Reactivity.Reactivity>>

/**
 * The adapter over a new pool of connections (see {@link Config}).
 *
 * **Example** (From an environment variable)
 *
 * ```ts
 * PgSqlClient.layer({ url: Redacted.make(process.env.DATABASE_URL!), pool: { max: 20 } })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (config: Config | string | Redacted.Redacted<string>): Layer.Layer<PgSqlClient | SqlClient.SqlClient, SqlError> =>
  layerFrom(connect(config))

/**
 * The adapter over a pgfx client (or an Effect building one, scoped to the layer), used as it
 * is: values decode as that client decodes them.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerFromClient = <E = never, R = never>(
  client: PgClient.Service | Effect.Effect<PgClient.Service, E, R>,
  options?: AdapterOptions
): Layer.Layer<PgSqlClient | SqlClient.SqlClient, E, Exclude<R, Scope.Scope | Reactivity.Reactivity>> =>
  layerFrom(Effect.isEffect(client) ? Effect.flatMap(client, (c) => fromClient(c, options)) : fromClient(client, options))

/**
 * The adapter over a connection source (or an Effect building one, scoped to the layer), with
 * the adapter's codecs.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerFromSource = <E = never, R = never>(
  source: PgSource | Effect.Effect<PgSource, E, R>,
  options: Options = {}
): Layer.Layer<PgSqlClient | SqlClient.SqlClient, E, Exclude<R, Scope.Scope | Reactivity.Reactivity>> =>
  layerFrom(Effect.flatMap(Effect.isEffect(source) ? source : Effect.succeed(source), (s) => make(s, options)))
