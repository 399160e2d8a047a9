/**
 * The PostgreSQL client service: `sql` tagged templates that run as Effects, with bound
 * parameters, Schema-decoded rows, streams, cursors, transactions and type discovery.
 *
 * `PgClient` is a `Context.Service` whose value is itself the tagged template:
 *
 * ```ts
 * import { Effect, Redacted, Schema } from "effect"
 * import { PgClient } from "@pgfx/client"
 *
 * const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
 *
 * const program = Effect.gen(function*() {
 *   const sql = yield* PgClient.PgClient
 *   const users = yield* sql`select id, name from users where id = ${42}`.withSchema(User)
 *   yield* sql.withTransaction(sql`insert into users ${sql.insert({ name: "Ada" })}`, { isolation: "serializable" })
 * })
 *
 * program.pipe(Effect.provide(PgClient.layer({ url: Redacted.make(process.env.DATABASE_URL!) })))
 * ```
 *
 * **Statements.** `sql\`…\`` returns a {@link Statement}: running it yields the rows (objects
 * keyed by column name); `.raw` gives the whole result, `.values` rows as arrays, `.single` /
 * `.maybe` one row, `.stream()` a bounded-memory Stream, `.withSchema(schema)` decoded rows,
 * `.prepared` / `.unnamed` / `.simple` the execution mode. Every interpolated value is a bound
 * parameter; fragments (other statements, `PgSql` helpers) compose.
 *
 * **Where statements run.** On the client's source (`PgSource`: one connection, or a pool),
 * pipelined with other fibers' statements — or, inside {@link PgClient.Service.withTransaction},
 * on the transaction's connection: the transaction is carried by a `Context.Reference`, so
 * code inside the transaction needs no connection argument.
 *
 * **Types.** Built-in types map as the protocol package's README says. Enums, composites,
 * domains, ranges, multiranges and arrays of them are discovered from the catalogs the first
 * time a statement uses them, and cached for all the client's connections. Codecs can be
 * replaced or added with the `registry` and `codecs` options.
 *
 * **Errors and tracing.** Every failure is a `PgError` (its `query` holds the SQL text, never
 * parameter values), or a `Schema.SchemaError` for rows that do not match a schema. With a
 * tracer installed, each statement runs in a `pgfx.query` client span with `db.system` and
 * `db.statement` attributes.
 *
 * **LISTEN/NOTIFY.** `sql.listen(channel)` is a Stream of the channel's notifications (with
 * gaps marked), `sql.notify(channel, payload)` sends one — inside `withTransaction` it is
 * delivered when the transaction commits, and not at all if it rolls back. Every stream of a
 * client shares one listener connection (see `PgListen`), opened by the first `listen` and
 * closed with the client's Scope or layer:
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const sql = yield* PgClient.PgClient
 *   yield* sql.notifications("jobs").pipe(
 *     Stream.runForEach((n) => Console.log(`job ${n.payload}`)),
 *     Effect.forkScoped
 *   )
 *   yield* sql.withTransaction(Effect.andThen(
 *     sql`insert into jobs ${sql.insert({ id: 1 })}`,
 *     sql.notify("jobs", "1") // delivered at COMMIT
 *   ))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Duration from "effect/Duration"
import type { PgConfig, PgConfigInput } from "@pgfx/connection/PgConfig"
import type { ConnectionOptions, Notice, PgConnection, QueryResult, RowMode } from "@pgfx/connection/PgConnection"
import { type PgError, PgError as PgErrorClass } from "@pgfx/connection/PgError"
import type * as PgCodec from "@pgfx/protocol/PgCodec"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import * as PgListen from "./PgListen.ts"
import * as PgPool from "./PgPool.ts"
import * as PgSource from "./PgSource.ts"
import * as PgSql from "./PgSql.ts"
import { type ClientCore, type Mode, runCompiled, compile, type TransactionState, withConnection as coreWithConnection } from "./internal/clientCore.ts"
import { cursor as makeCursor, type CursorOptions } from "./internal/clientCursor.ts"
import {
  fromFragment,
  isStatement,
  type Statement,
  type Statement as StatementModel,
  statementState
} from "./internal/clientStatement.ts"
import { type TransactionOptions, transactionStatus, withTransaction } from "./internal/clientTransaction.ts"
import { makeListenerCell } from "./internal/clientListener.ts"
import { listenProblem, notifyWith } from "./internal/listenNotify.ts"
import { cacheOfHook, hookFor, makeTypeCache, type TypeCache } from "./internal/typeDiscovery.ts"

export type { CursorOptions } from "./internal/clientCursor.ts"
export type { Statement, StreamOptions } from "./internal/clientStatement.ts"
export type { IsolationLevel, TransactionOptions } from "./internal/clientTransaction.ts"
export type { QueryResult, RowMode } from "@pgfx/connection/PgConnection"

// -------------------------------------------------------------------------------------------------
// models

/**
 * How statements are executed (per client with `options.mode`, per statement with
 * `.prepared` / `.unnamed` / `.simple`):
 *
 * - `prepared` (default): named statements cached per connection (LRU); the server describes
 *   each once, parameters and results then travel in binary; re-prepared transparently after
 *   `DISCARD ALL`.
 * - `unnamed`: the unnamed statement in one round trip, no server-side state — for PgBouncer in
 *   transaction mode.
 * - `simple`: the simple query protocol — no parameters, several statements allowed.
 *
 * @category models
 * @since 0.1.0
 */
export type ExecutionMode = Mode

/**
 * A codec to add to the client's registry, optionally with its array type.
 *
 * @category models
 * @since 0.1.0
 */
export type CodecEntry = PgCodec.Codec | {
  readonly codec: PgCodec.Codec
  /** The array type's OID (`pg_type.typarray`), to register `codec[]` too. */
  readonly arrayOid?: number | undefined
  readonly arrayName?: string | undefined
  readonly delimiter?: string | undefined
}

/**
 * Options of a client.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The default execution mode (default `prepared`). */
  readonly mode?: ExecutionMode | undefined
  /** The codecs to start from (default: every built-in type, `PgTypes.builtins`). */
  readonly registry?: PgTypes.Registry | undefined
  /** Codecs added to (or replacing in) the registry. */
  readonly codecs?: ReadonlyArray<CodecEntry> | undefined
  /**
   * Discover user-defined types (enums, composites, domains, ranges, arrays) from `pg_type` on
   * first use (default true). Off, unknown types are exchanged as text.
   */
  readonly discoverTypes?: boolean | undefined
  /** Extra attributes for every `pgfx.query` span (e.g. `db.name`). */
  readonly spanAttributes?: Readonly<Record<string, unknown>> | undefined
  /**
   * Options of the client's listener (see {@link PgClient.Service.listen}): `idleTimeout` (how
   * long its connection stays open with no stream, default 30 s) and `reconnectSchedule`.
   */
  readonly listen?: ListenerOptions | undefined
}

/**
 * Options of a client's listener: `PgListen.ListenerOptions` without `connectionOptions` (the
 * listener connects with the client's source's configuration and options).
 *
 * @category models
 * @since 0.1.0
 */
export type ListenerOptions = Omit<PgListen.ListenerOptions, "connectionOptions">

/**
 * Options of a client that opens its own connection: the client's, plus connection settings.
 *
 * @category models
 * @since 0.1.0
 */
export interface ConnectOptions extends Options {
  /** Named statements kept per connection (default 256); 0 disables the cache. */
  readonly preparedCacheSize?: number | undefined
  /** How long an interrupted statement may take to drain before the connection is closed (default 5 s). */
  readonly cancelTimeout?: Duration.Input | undefined
  /** Called for every NoticeResponse (default: logged at debug level). */
  readonly onNotice?: ((notice: Notice) => void) | undefined
  /** Largest accepted server message in bytes (default 1 GiB). */
  readonly maxMessageSize?: number | undefined
}

/**
 * Connection settings and client options in one object: libpq keywords (`host`, `database`,
 * `sslMode`, …), or a connection string as `url` (plain or `Redacted`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Config extends PgConfigInput, ConnectOptions {
  /** A connection string (`postgres://…` or `key=value …`); same as `connectionString`. */
  readonly url?: string | Redacted.Redacted<string> | undefined
}

/**
 * Options of {@link PgClient.Service.execute}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ExecuteOptions {
  /** Parameter type OIDs (0 = inferred by the server). */
  readonly paramTypes?: ReadonlyArray<number> | undefined
  /** Rows as objects (default) or arrays. */
  readonly rowMode?: RowMode | undefined
  /** Overrides the client's mode. */
  readonly mode?: ExecutionMode | undefined
}

/**
 * The client service.
 *
 * @category services
 * @since 0.1.0
 */
export declare namespace PgClient {
  /**
   * See {@link Statement}.
   *
   * @category models
   * @since 0.1.0
   */
  export type Statement<A = Record<string, unknown>, E = PgError, R = never> = StatementModel<A, E, R>
  /**
   * See {@link Options}.
   *
   * @category models
   * @since 0.1.0
   */
  export type ClientOptions = Options
  /**
   * See {@link TransactionOptions}.
   *
   * @category models
   * @since 0.1.0
   */
  export type Transaction = TransactionOptions
  /**
   * The value of the `PgClient` service: the `sql` tagged template and the client's operations.
   *
   * @category models
   * @since 0.1.0
   */
  export interface Service {
    /** A statement: interpolated values are bound parameters; fragments are inlined. */
    <A = Record<string, unknown>>(strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Statement<A>
    /** A statement running a fragment (e.g. one built with `PgSql.sql`). */
    <A = Record<string, unknown>>(fragment: PgSql.Fragment): Statement<A>
    /**
     * A statement from raw text — never from user input. The text's own `$1…$n` refer to
     * `params` (bound, never spliced). See `PgSql.unsafe`.
     */
    readonly unsafe: <A = Record<string, unknown>>(text: string, params?: ReadonlyArray<unknown>) => Statement<A>
    /** Runs text with parameters directly (no template), returning the whole result. */
    readonly execute: <A = Record<string, unknown>>(
      text: string,
      params?: ReadonlyArray<unknown>,
      options?: ExecuteOptions
    ) => Effect.Effect<QueryResult<A>, PgError>
    /**
     * Runs a script with the simple query protocol (several statements separated by `;`, no
     * parameters) and returns every result set, in order.
     */
    readonly simple: (
      text: string,
      options?: { readonly rowMode?: RowMode | undefined }
    ) => Effect.Effect<ReadonlyArray<QueryResult>, PgError>
    /**
     * Streams a statement's rows through a server-side cursor (`DECLARE … CURSOR`, `FETCH n`,
     * `CLOSE`) on a connection of its own — in a transaction the stream opens (or the current
     * one), or `WITH HOLD` with `hold: true`. Decodes with the statement's schema, if any.
     */
    readonly cursor: <A, E, R>(
      statement: Statement<A, E, R> | PgSql.Fragment,
      options?: CursorOptions
    ) => Stream.Stream<A, E | PgError, R>
    /**
     * Runs `effect` in a transaction: `BEGIN` (with `options`) on a reserved connection, `COMMIT`
     * on success, `ROLLBACK` on failure, defect or interruption. Statements of this client
     * inside run on that connection. Nested calls use savepoints. A `COMMIT` that the server
     * turns into a rollback (a statement failed and its error was caught) fails with reason
     * `InFailedTransaction`.
     */
    readonly withTransaction: <A, E, R>(
      effect: Effect.Effect<A, E, R>,
      options?: TransactionOptions
    ) => Effect.Effect<A, E | PgError, R>
    /** `idle` outside a transaction; inside, `transaction` or `failed` (after an error). */
    readonly transactionStatus: Effect.Effect<"idle" | "transaction" | "failed">
    /**
     * Runs `f` on a connection: the current transaction's, else one of the source (possibly
     * shared with other fibers: requests pipeline). For helpers built on the client (COPY, …).
     */
    readonly withConnection: <A, E, R>(f: (connection: PgConnection) => Effect.Effect<A, E, R>) => Effect.Effect<A, E | PgError, R>
    /**
     * A connection for the current fiber until the Scope closes: the current transaction's, or
     * a reserved one of the source.
     */
    readonly reserve: Effect.Effect<PgConnection, PgError, Scope.Scope>
    /** Discards a connection whose session state is unknown (see `PgSource.invalidate`). */
    readonly invalidate: (connection: PgConnection) => Effect.Effect<void>
    /** The configuration of the client's source. */
    readonly config: PgSource.PgSource["config"]
    /** The connection options of the client's source. */
    readonly options: ConnectionOptions
    /**
     * Where the client's connections come from. (The service itself is also a `PgSource` —
     * `withConnection`, `reserve`, `invalidate`, `config`, `options` — one that follows the
     * current transaction: pass `sql` to helpers taking a source, such as COPY, and inside
     * `withTransaction` they run in the transaction.)
     */
    readonly source: PgSource.PgSource
    /** The client's default execution mode. */
    readonly mode: ExecutionMode
    /** The client's current type registry (built-ins, user codecs and discovered types). */
    readonly registry: PgTypes.Registry
    /**
     * Every notification on `channel` from the time the stream starts, with a gap
     * (`Reconnected`, `Overflow`) wherever some may have been missed — see `PgListen`.
     *
     * **Details**
     * All streams of the client share one listener connection, opened with the source's
     * configuration by the first stream (a client that never listens opens none) and
     * reconnected when it drops. Channels are reference counted (`LISTEN` for the first stream
     * of a channel, `UNLISTEN` after the last). Each stream buffers at most `capacity`
     * notifications (default 1024); a full buffer slides (default), drops, or fails the stream
     * with `ListenOverflowError` (`strategy: "fail"`).
     *
     * **Gotchas**
     * The channel name is used exactly (quoted: case and spaces kept); an empty name, a NUL or
     * more than 63 bytes fail with a `PgError` (reason `EncodeError`). LISTEN needs a direct
     * connection to the server (not a transaction-mode pooler). When the client's Scope or
     * layer closes, running streams end (they do not fail) and later ones fail with reason
     * `ConnectionClosed`.
     *
     * **Example** (Following a channel)
     *
     * ```ts
     * yield* sql.listen("orders").pipe(
     *   Stream.runForEach((event) => event._tag === "Notification" ? handle(event.payload) : resync),
     *   Effect.forkScoped
     * )
     * ```
     */
    readonly listen: PgListen.PgListener["listen"]
    /** {@link PgClient.Service.listen} without the gaps: only the notifications. */
    readonly notifications: PgListen.PgListener["notifications"]
    /**
     * Starts listening and completes once `LISTEN` has taken effect on the server: any NOTIFY
     * committed afterwards is in the returned stream (no race between subscribing and, say,
     * reading a table). The subscription lasts until the Scope closes; run the stream once.
     *
     * **Example** (Subscribe, then scan)
     *
     * ```ts
     * const wakeups = yield* sql.subscribe("jobs") // listening from here on
     * yield* drainQueue // jobs queued before now
     * yield* Stream.runForEach(wakeups, () => drainQueue)
     * ```
     */
    readonly subscribe: PgListen.PgListener["subscribe"]
    /**
     * Sends a notification (`select pg_notify($1, $2)`, both bound) on a connection of the
     * client: inside {@link PgClient.Service.withTransaction} on the transaction's, so it is
     * delivered at COMMIT and dropped by ROLLBACK. Fails with a `PgError` (reason
     * `EncodeError`) before sending anything when the channel name is invalid or the payload
     * is 8000 bytes or longer. Does not open the listener.
     */
    readonly notify: PgListen.PgListener["notify"]
    /**
     * The client's shared listener, created on first use (`processId` of its connection, the
     * `channels` it listens to).
     */
    readonly listener: Effect.Effect<PgListen.PgListener>
    /** See `PgSql.identifier`. */
    readonly identifier: typeof PgSql.identifier
    /** See `PgSql.list`. */
    readonly list: typeof PgSql.list
    /** See `PgSql.array`. */
    readonly array: typeof PgSql.array
    /** See `PgSql.param`. */
    readonly param: typeof PgSql.param
    /** See `PgSql.insert`. */
    readonly insert: typeof PgSql.insert
    /** See `PgSql.update`. */
    readonly update: typeof PgSql.update
    /** See `PgSql.values`. */
    readonly values: typeof PgSql.values
    /** See `PgSql.join`. */
    readonly join: typeof PgSql.join
    /** See `PgSql.and`. */
    readonly and: typeof PgSql.and
    /** See `PgSql.or`. */
    readonly or: typeof PgSql.or
    /** See `PgSql.empty`. */
    readonly empty: PgSql.Fragment
  }
}

// -------------------------------------------------------------------------------------------------
// constructors

let clientCounter = 0

const initialRegistry = (base: PgTypes.Registry, options: Options | undefined): PgTypes.Registry => {
  let registry = options?.registry ?? base
  for (const entry of options?.codecs ?? []) {
    registry = "codec" in entry
      ? PgTypes.add(registry, entry.codec, {
        arrayOid: entry.arrayOid,
        arrayName: entry.arrayName,
        delimiter: entry.delimiter
      })
      : PgTypes.add(registry, entry)
  }
  return registry
}

/**
 * Connection options that install the client's type registry and discovery (for building a
 * source yourself, e.g. a pool): a client made over a source built with them shares its
 * discovered types with every connection of the source.
 *
 * @category constructors
 * @since 0.1.0
 */
export const connectionOptions = (options: ConnectOptions = {}): ConnectionOptions => {
  const cache = makeTypeCache(initialRegistry(PgTypes.builtins, options))
  return {
    registry: cache.registry,
    onUnknownTypes: options.discoverTypes === false ? undefined : hookFor(cache),
    mode: options.mode === "unnamed" ? "unnamed" : undefined,
    preparedCacheSize: options.preparedCacheSize,
    cancelTimeout: options.cancelTimeout,
    onNotice: options.onNotice,
    maxMessageSize: options.maxMessageSize
  }
}

/**
 * A client over a connection source (`PgSource.single`, a pool, …).
 *
 * **Details**
 * Type discovery needs the source's connections to call the client's hook: build the source
 * with {@link connectionOptions} (the constructors that take a config do it for you). Over
 * another source the client still uses its own registry, and unknown types stay text.
 *
 * **Gotchas**
 * This client has no Scope. If it ever listens, its listener connection stays open while it
 * has streams and closes `listen.idleTimeout` (default 30 s) after the last one ends; nothing
 * closes it earlier. To tie the listener to a Scope, use {@link layerFromSource} (or
 * {@link connect} / {@link connectPool}), which close it with their Scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (source: PgSource.PgSource, options: Options = {}): Effect.Effect<PgClient.Service> =>
  Effect.map(Effect.context<never>(), (context) => build(source, options, context).service)

/** A client whose listener closes with the Scope (before the source, which was acquired first). */
const makeScoped = (source: PgSource.PgSource, options: Options = {}): Effect.Effect<PgClient.Service, never, Scope.Scope> =>
  Effect.flatMap(Effect.context<never>(), (context) => {
    const built = build(source, options, context)
    return Effect.as(Effect.addFinalizer(() => built.closeListener), built.service)
  })

interface Built {
  readonly service: PgClient.Service
  /** Closes the listener (and its connection), if it was ever created. */
  readonly closeListener: Effect.Effect<void>
}


const build = (source: PgSource.PgSource, options: Options, context: Context.Context<never>): Built => {
  let types: TypeCache
  const shared = cacheOfHook(source.options.onUnknownTypes)
  if (shared !== undefined && options.registry === undefined && options.codecs === undefined) {
    types = shared
  } else if (shared !== undefined) {
    // Codecs of this client only: start from what the source's cache knows, never change that
    // cache (other clients over the same source keep their value types).
    types = makeTypeCache(initialRegistry(shared.registry, options))
  } else {
    types = makeTypeCache(initialRegistry(source.options.registry ?? PgTypes.builtins, options))
  }
  const core: ClientCore = {
    source,
    mode: options.mode ?? "prepared",
    transaction: Context.Reference<TransactionState | undefined>(`@pgfx/client/PgClient/Transaction/${++clientCounter}`, {
      defaultValue: () => undefined
    }),
    types,
    discoverTypes: options.discoverTypes !== false,
    spanAttributes: options.spanAttributes ?? {}
  }

  const sql = function(first: TemplateStringsArray | PgSql.Fragment, ...values: ReadonlyArray<unknown>) {
    return fromFragment(core, PgSql.isFragment(first) ? first : PgSql.sql(first, ...values))
  }

  const withConnection = <A, E, R>(f: (connection: PgConnection) => Effect.Effect<A, E, R>) =>
    Effect.withFiber<A, E | PgError, R>((fiber) => coreWithConnection(core, fiber, f))

  const listener = makeListenerCell(() => sql as unknown as PgClient.Service, options.listen, context)
  const subscribe = (channel: string, opts?: PgListen.ListenOptions) =>
    Effect.suspend(() => {
      const problem = listenProblem(channel)
      if (problem !== undefined) return Effect.fail(problem)
      // (`opts` may be undefined: the listener defaults it; the overloads only type the result.)
      return Effect.flatMap(listener.get, (l) => l.subscribe(channel, opts as PgListen.ListenOptions))
    })
  const listen = (channel: string, opts?: PgListen.ListenOptions) => Stream.unwrap(subscribe(channel, opts))

  const service: Omit<PgClient.Service, "registry"> = {
    unsafe: (text, params) => fromFragment(core, PgSql.unsafe(text, params)),
    execute: <A>(text: string, params: ReadonlyArray<unknown> = [], opts: ExecuteOptions = {}) =>
      withConnection((connection) =>
        runCompiled(
          connection,
          opts.paramTypes === undefined ? { text, params } : { text, params, paramTypes: opts.paramTypes },
          opts.mode ?? core.mode,
          opts.rowMode ?? "object"
        )
      ) as Effect.Effect<QueryResult<A>, PgError>,
    simple: (text, opts) => withConnection((connection) => connection.simple(text, opts)),
    cursor: (statement, opts) => {
      const state = statementState(statement)
      return makeCursor(core, state?.fragment ?? statement, state?.rowMode ?? "object", state?.schema, opts) as Stream.Stream<any, any, any>
    },
    withTransaction: withTransaction(core),
    transactionStatus: transactionStatus(core),
    withConnection,
    reserve: Effect.withFiber((fiber) => {
      const tx = fiber.getRef(core.transaction)
      return tx !== undefined ? Effect.succeed(tx.connection) : source.reserve
    }),
    invalidate: (connection) => source.invalidate(connection),
    config: source.config,
    options: source.options,
    source,
    mode: core.mode,
    identifier: PgSql.identifier,
    list: PgSql.list,
    array: PgSql.array,
    param: PgSql.param,
    insert: PgSql.insert,
    update: PgSql.update,
    values: PgSql.values,
    join: PgSql.join,
    and: PgSql.and,
    or: PgSql.or,
    empty: PgSql.empty,
    listen: listen as PgClient.Service["listen"],
    notifications: ((channel: string, opts?: PgListen.ListenOptions) =>
      Stream.filter(listen(channel, opts), PgListen.isNotification)) as PgClient.Service["notifications"],
    subscribe: subscribe as PgClient.Service["subscribe"],
    notify: (channel, payload = "") => notifyWith(withConnection, channel, payload),
    listener: listener.get
  }
  Object.assign(sql, service)
  Object.defineProperty(sql, "registry", { get: () => core.types.registry, enumerable: true })
  return { service: sql as unknown as PgClient.Service, closeListener: listener.close }
}

/**
 * A client over one new connection (closed with the Scope), with type discovery. Its listener
 * connection, if it listened, closes with the Scope too (before the connection).
 *
 * @category constructors
 * @since 0.1.0
 */
export const connect = (
  config: Config | PgConfig | string | Redacted.Redacted<string>,
  options?: ConnectOptions
): Effect.Effect<PgClient.Service, PgError, Scope.Scope> =>
  Effect.suspend(() => {
    const { connection, client } = splitConfig(config, options)
    return Effect.flatMap(PgSource.single(connection, connectionOptions(client)), (source) => makeScoped(source, clientOnly(client)))
  })

/**
 * Options of a client over its own pool: the client's and connection options, plus `pool`.
 *
 * @category models
 * @since 0.1.0
 */
export interface PoolClientOptions extends ConnectOptions {
  /** Pool settings (`min`, `max`, `acquireTimeout`, `idleTimeout`, `maxLifetime`, …). */
  readonly pool?: Omit<PgPool.PoolOptions, keyof ConnectionOptions> | undefined
}

/**
 * A client over a new {@link PgPool} (closed with the Scope): ordinary statements spread over
 * the pool's connections by load and pipeline within each; transactions, cursors and COPY
 * reserve a connection. `pool` sets the pool (`min`, `max`, `acquireTimeout`, `idleTimeout`,
 * `maxLifetime`, …); discovered types are shared by all its connections. The listener
 * connection (not one of the pool's), if the client listened, closes with the Scope.
 *
 * @category constructors
 * @since 0.1.0
 */
export const connectPool = (
  config: Config | PgConfig | string | Redacted.Redacted<string>,
  options?: PoolClientOptions
): Effect.Effect<PgClient.Service, PgError, Scope.Scope> =>
  Effect.suspend(() => {
    const { connection, client } = splitConfig(config, options)
    const { pool, ...clientOptions } = client as PoolClientOptions
    return Effect.flatMap(
      PgPool.make(connection, { ...pool, ...connectionOptions(clientOptions) }),
      (source) => makeScoped(source, clientOnly(clientOptions))
    )
  })

/**
 * A layer providing a client over a new pool (see {@link connectPool}).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerPool = (
  config: Config | PgConfig | string | Redacted.Redacted<string>,
  options?: PoolClientOptions
): Layer.Layer<PgClient, PgError> => Layer.effect(PgClient, connectPool(config, options))

const optionKeys: ReadonlyArray<keyof ConnectOptions | "url" | "pool"> = [
  "pool",
  "mode",
  "registry",
  "codecs",
  "discoverTypes",
  "spanAttributes",
  "listen",
  "preparedCacheSize",
  "cancelTimeout",
  "onNotice",
  "maxMessageSize",
  "url"
]

const isParsedConfig = (u: object): u is PgConfig => "keywords" in u && "targets" in u

const splitConfig = (
  config: Config | PgConfig | string | Redacted.Redacted<string>,
  options: ConnectOptions | undefined
): { readonly connection: PgConfig | PgConfigInput | string; readonly client: ConnectOptions } => {
  if (typeof config === "string") return { connection: config, client: options ?? {} }
  if (Redacted.isRedacted(config)) return { connection: { connectionString: config }, client: options ?? {} }
  if (isParsedConfig(config)) return { connection: config, client: options ?? {} }
  const input: Record<string, unknown> = {}
  const client: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(config)) {
    if ((optionKeys as ReadonlyArray<string>).includes(key)) client[key] = value
    else input[key] = value
  }
  if (config.url !== undefined) input.connectionString = config.url
  return { connection: input as PgConfigInput, client: { ...(client as ConnectOptions), ...options } }
}

const clientOnly = (options: ConnectOptions): Options => ({
  mode: options.mode,
  discoverTypes: options.discoverTypes,
  spanAttributes: options.spanAttributes,
  listen: options.listen
})

// -------------------------------------------------------------------------------------------------
// the service

/**
 * The client service. Its value is the `sql` tagged template (see {@link PgClient.Service}).
 *
 * @category services
 * @since 0.1.0
 */
export class PgClient extends Context.Service<PgClient, PgClient.Service>()("@pgfx/client/PgClient") {
  /** See {@link layer}. */
  static readonly layer = (
    config: Config | PgConfig | string | Redacted.Redacted<string>,
    options?: ConnectOptions
  ): Layer.Layer<PgClient, PgError> => layer(config, options)
  /** See {@link layerFromSource}. */
  static readonly layerFromSource = <E, R>(
    source: PgSource.PgSource | Effect.Effect<PgSource.PgSource, E, R>,
    options?: Options
  ): Layer.Layer<PgClient, E, Exclude<R, Scope.Scope>> => layerFromSource(source, options)
  /** See {@link make}. */
  static readonly make = (source: PgSource.PgSource, options?: Options): Effect.Effect<PgClient.Service> =>
    make(source, options)
  /** See {@link connectionOptions}. */
  static readonly connectionOptions = (options?: ConnectOptions): ConnectionOptions => connectionOptions(options)
  /** See {@link connect}. */
  static readonly connect = (
    config: Config | PgConfig | string | Redacted.Redacted<string>,
    options?: ConnectOptions
  ): Effect.Effect<PgClient.Service, PgError, Scope.Scope> => connect(config, options)
  /** See {@link layerPool}. */
  static readonly layerPool = (
    config: Config | PgConfig | string | Redacted.Redacted<string>,
    options?: PoolClientOptions
  ): Layer.Layer<PgClient, PgError> => layerPool(config, options)
  /** See {@link connectPool}. */
  static readonly connectPool = (
    config: Config | PgConfig | string | Redacted.Redacted<string>,
    options?: PoolClientOptions
  ): Effect.Effect<PgClient.Service, PgError, Scope.Scope> => connectPool(config, options)
}

/**
 * A layer providing a client over one connection opened from `config` (a `Config` object —
 * libpq keywords or `url` plus client options — a connection string, a `Redacted` one, or a
 * parsed `PgConfig`).
 *
 * **Example** (From an environment variable)
 *
 * ```ts
 * PgClient.layer({ url: Redacted.make(process.env.DATABASE_URL!), mode: "unnamed" })
 * ```
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (
  config: Config | PgConfig | string | Redacted.Redacted<string>,
  options?: ConnectOptions
): Layer.Layer<PgClient, PgError> => Layer.effect(PgClient, connect(config, options))

/**
 * A layer providing a client over a source (or an Effect building one, scoped to the layer).
 * The client's listener connection, if it listened, closes with the layer (before the source
 * built by the layer, if any).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerFromSource = <E = never, R = never>(
  source: PgSource.PgSource | Effect.Effect<PgSource.PgSource, E, R>,
  options?: Options
): Layer.Layer<PgClient, E, Exclude<R, Scope.Scope>> =>
  Layer.effect(
    PgClient,
    Effect.isEffect(source) ? Effect.flatMap(source, (s) => makeScoped(s, options)) : makeScoped(source, options)
  ) as Layer.Layer<PgClient, E, Exclude<R, Scope.Scope>>

const isPgError = (u: unknown): u is PgError => u instanceof PgErrorClass

/**
 * Whether a value is a statement of some client.
 *
 * @category guards
 * @since 0.1.0
 */
export const isPgStatement: (u: unknown) => u is Statement<unknown, unknown, unknown> = isStatement

/**
 * Compiles a statement or fragment to its SQL text and parameters, without running it (for
 * logging or tests).
 *
 * @category utils
 * @since 0.1.0
 */
export const compileStatement = (statement: PgSql.Fragment): Effect.Effect<PgSql.Compiled, PgError> =>
  Effect.suspend(() => {
    const state = statementState(statement)
    const compiled = compile(state?.fragment ?? statement)
    return isPgError(compiled) ? Effect.fail(compiled) : Effect.succeed(compiled)
  })
