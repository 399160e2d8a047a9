/**
 * Connection options with libpq's semantics: the same connection strings (URIs and
 * `keyword=value`), the same keywords, the same `PG*` environment variables, service file and
 * password file, the same defaults, and the same error messages.
 *
 * **Precedence** (libpq's): keywords in the connection string (or a {@link PgConfigInput}) >
 * the service file section named by `service`/`PGSERVICE` > `PG*` environment variables >
 * compiled-in defaults > `user` = OS user, `dbname` = user. The service file fills only what the
 * string left out, and it wins over the environment because libpq reads it first.
 *
 * **Hosts**: `host`, `hostaddr` and `port` may be comma-separated lists; {@link PgConfig.targets}
 * has one entry per server in order (the connection layer shuffles them when
 * `loadBalanceHosts` is `random`). A host starting with `/` (or `@`, Linux abstract namespace) is
 * a Unix-socket directory. An empty host means the default socket directories — pgfx tries
 * `/tmp` (stock libpq's `DEFAULT_PGSOCKET_DIR`) and then `/var/run/postgresql` (Debian/Ubuntu's),
 * see `ParseOptions.defaultSocketDirs`.
 *
 * **Secrets**: `password`, `sslpassword`, `scram_*_key` and `oauth_client_secret` are kept as
 * `Redacted` values and never appear in error messages, `String(config)` or
 * `JSON.stringify(config)`.
 *
 * Differences from libpq, all on purpose: values libpq checks only while connecting (ports,
 * `hostaddr`, `connect_timeout`, `keepalives*`, `tcp_user_timeout`, `replication`) are checked
 * here, up front; GSSAPI is not supported, so `gssencmode=require` fails as in a libpq built
 * without GSSAPI; percent-decoded URI parts must be valid UTF-8; where libpq would quote a
 * secret in a message, pgfx writes `<redacted>`; an empty host tries two socket directories.
 * Reference: libpq 18 (keyword table, `connect_timeout` without libpq ≤ 17's 2-second minimum,
 * `min_protocol_version`/`max_protocol_version`, `sslnegotiation`, `require_auth`).
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { addDefaults } from "./internal/conninfoDefaults.ts"
import {
  authMethods,
  channelBindings,
  gssEncModes,
  loadBalanceHostsValues,
  sslCertModes,
  sslModes,
  sslNegotiations,
  targetSessionAttrsValues
} from "./internal/conninfoEnums.ts"
import { ConfigError } from "./internal/conninfoError.ts"
import { inputKeywords, reveal } from "./internal/conninfoInput.ts"
import { isSecretKeyword, keywordTable } from "./internal/conninfoKeywords.ts"
import { parseConninfo } from "./internal/conninfoParse.ts"
import { resolve } from "./internal/conninfoResolve.ts"
import { type ParseOptions as SystemParseOptions, resolveSystem } from "./internal/conninfoSystem.ts"

export {
  /**
   * Raised when connection options cannot be parsed, merged or validated; `message` uses
   * libpq's wording, without secrets.
   *
   * @category errors
   * @since 0.1.0
   */
  ConfigError
}

// -----------------------------------------------------------------------------
// Value types
// -----------------------------------------------------------------------------

export {
  /**
   * The accepted `sslmode` values, weakest first.
   *
   * @category constants
   * @since 0.1.0
   */
  sslModes
}

/**
 * `sslmode`: whether and how strictly TLS is used.
 *
 * @category models
 * @since 0.1.0
 */
export type SslMode = (typeof sslModes)[number]

export {
  /**
   * The accepted `sslnegotiation` values.
   *
   * @category constants
   * @since 0.1.0
   */
  sslNegotiations
}

/**
 * `sslnegotiation`: `postgres` sends SSLRequest first; `direct` starts TLS (ALPN `postgresql`)
 * right away and requires `sslmode` ≥ `require`.
 *
 * @category models
 * @since 0.1.0
 */
export type SslNegotiation = (typeof sslNegotiations)[number]

export {
  /**
   * The accepted `sslcertmode` values.
   *
   * @category constants
   * @since 0.1.0
   */
  sslCertModes
}

/**
 * `sslcertmode`: whether a client certificate is sent (`allow`: when the server asks).
 *
 * @category models
 * @since 0.1.0
 */
export type SslCertMode = (typeof sslCertModes)[number]

export {
  /**
   * The accepted `gssencmode` values.
   *
   * @category constants
   * @since 0.1.0
   */
  gssEncModes
}

/**
 * `gssencmode`. pgfx has no GSSAPI support: `prefer` behaves as `disable`, `require` is refused.
 *
 * @category models
 * @since 0.1.0
 */
export type GssEncMode = (typeof gssEncModes)[number]

export {
  /**
   * The accepted `channel_binding` values.
   *
   * @category constants
   * @since 0.1.0
   */
  channelBindings
}

/**
 * `channel_binding`: SCRAM-SHA-256-PLUS use.
 *
 * @category models
 * @since 0.1.0
 */
export type ChannelBinding = (typeof channelBindings)[number]

export {
  /**
   * The accepted `target_session_attrs` values.
   *
   * @category constants
   * @since 0.1.0
   */
  targetSessionAttrsValues
}

/**
 * `target_session_attrs`: which kind of server among the targets is acceptable.
 *
 * @category models
 * @since 0.1.0
 */
export type TargetSessionAttrs = (typeof targetSessionAttrsValues)[number]

export {
  /**
   * The accepted `load_balance_hosts` values.
   *
   * @category constants
   * @since 0.1.0
   */
  loadBalanceHostsValues
}

/**
 * `load_balance_hosts`: `random` tries the targets (and their addresses) in random order.
 *
 * @category models
 * @since 0.1.0
 */
export type LoadBalanceHosts = (typeof loadBalanceHostsValues)[number]

export {
  /**
   * The authentication methods `require_auth` names.
   *
   * @category constants
   * @since 0.1.0
   */
  authMethods
}

/**
 * An authentication method `require_auth` can name.
 *
 * @category models
 * @since 0.1.0
 */
export type AuthMethod = (typeof authMethods)[number]

/**
 * A parsed `require_auth`: the methods the server may use (`negated: false`), or the methods it
 * may not use (`negated: true`, written `!method`). `none` stands for "no authentication".
 *
 * @category models
 * @since 0.1.0
 */
export interface RequireAuth {
  readonly negated: boolean
  readonly methods: ReadonlyArray<AuthMethod>
}

/**
 * A frontend/backend protocol version (`latest` resolves to `3.2`).
 *
 * @category models
 * @since 0.1.0
 */
export type ProtocolVersion = "3.0" | "3.2"

/**
 * A TLS protocol version bound.
 *
 * @category models
 * @since 0.1.0
 */
export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3"

/**
 * `replication`: `true` for a physical replication connection, `"database"` for logical.
 *
 * @category models
 * @since 0.1.0
 */
export type Replication = "database" | boolean
// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * One server to try, in the order libpq would try them.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgTarget {
  /**
   * Host name, IP literal, or — for a Unix socket — the socket directory. `""` when the entry
   * has only a `hostaddr`. Used for TLS host-name verification and SNI.
   */
  readonly host: string
  /** Numeric address to connect to instead of resolving `host`. */
  readonly hostaddr: string | undefined
  readonly port: number
  readonly isUnixSocket: boolean
  /**
   * For Unix sockets, the socket file: `<dir>/.s.PGSQL.<port>`; a directory written `@name`
   * (Linux abstract namespace) becomes `\0name/.s.PGSQL.<port>`, ready for `net.connect`.
   */
  readonly socketPath: string | undefined
  /** The password for this server: the configured one, else the password file's match. */
  readonly password: Redacted.Redacted<string> | undefined
  /** Whether {@link PgTarget.password} came from the password file. */
  readonly passwordFromFile: boolean
}

/**
 * Validated, typed connection options. Immutable.
 *
 * Durations: `connectTimeout` (libpq: whole seconds, `0`/negative = none), `keepalivesIdle`,
 * `keepalivesInterval` (seconds) and `tcpUserTimeout` (milliseconds); `undefined` means "none"
 * or "system default".
 *
 * @category models
 * @since 0.1.0
 */
export interface PgConfig {
  /** Servers to try, in order (never empty). */
  readonly targets: ReadonlyArray<PgTarget>
  readonly user: string
  readonly database: string
  /** The configured password (string, service file or `PGPASSWORD`); see also `targets[i].password`. */
  readonly password: Redacted.Redacted<string> | undefined
  /** The password file consulted (`passfile`, `PGPASSFILE` or `~/.pgpass`). */
  readonly passfile: string | undefined
  readonly service: string | undefined
  readonly channelBinding: ChannelBinding
  readonly connectTimeout: Duration.Duration | undefined
  readonly clientEncoding: string | undefined
  /** Command-line options sent to the server (`-c name=value …`). */
  readonly options: string | undefined
  readonly applicationName: string | undefined
  readonly fallbackApplicationName: string | undefined
  readonly keepalives: boolean
  readonly keepalivesIdle: Duration.Duration | undefined
  readonly keepalivesInterval: Duration.Duration | undefined
  readonly keepalivesCount: number | undefined
  readonly tcpUserTimeout: Duration.Duration | undefined
  readonly sslMode: SslMode
  readonly sslNegotiation: SslNegotiation
  readonly sslCompression: boolean
  /** Client certificate file (libpq's default `~/.postgresql/postgresql.crt` is the transport's job). */
  readonly sslCert: string | undefined
  readonly sslKey: string | undefined
  readonly sslCertMode: SslCertMode
  readonly sslPassword: Redacted.Redacted<string> | undefined
  /** CA file, or `"system"` for the system trust store (then `sslMode` must be `verify-full`). */
  readonly sslRootCert: string | undefined
  readonly sslCrl: string | undefined
  readonly sslCrlDir: string | undefined
  readonly sslSni: boolean
  readonly sslKeyLogFile: string | undefined
  readonly sslMinProtocolVersion: TlsVersion | undefined
  readonly sslMaxProtocolVersion: TlsVersion | undefined
  readonly requirePeer: string | undefined
  readonly requireAuth: RequireAuth | undefined
  readonly minProtocolVersion: ProtocolVersion
  readonly maxProtocolVersion: ProtocolVersion
  readonly gssEncMode: GssEncMode
  readonly krbSrvName: string
  readonly gssLib: string | undefined
  readonly gssDelegation: boolean
  readonly replication: Replication | undefined
  readonly targetSessionAttrs: TargetSessionAttrs
  readonly loadBalanceHosts: LoadBalanceHosts
  readonly scramClientKey: Redacted.Redacted<string> | undefined
  readonly scramServerKey: Redacted.Redacted<string> | undefined
  readonly oauthIssuer: string | undefined
  readonly oauthClientId: string | undefined
  readonly oauthClientSecret: Redacted.Redacted<string> | undefined
  readonly oauthScope: string | undefined
  /**
   * Every keyword's final value (after service file, environment and defaults) in libpq's
   * keyword order, secrets as `Redacted`.
   */
  readonly keywords: Readonly<Record<string, string | Redacted.Redacted<string>>>
  /** Warnings met while resolving (e.g. an ignored password file). */
  readonly warnings: ReadonlyArray<string>
}

/**
 * Connection options as a plain typed object, for {@link make}. Every field is optional and
 * means the same as the keyword of the same name; `connectionString` is parsed first and the
 * other fields override it. Lists (`host`, `hostaddr`, `port`) may be arrays. Durations may be
 * given as numbers: seconds for `connectTimeout`, `keepalivesIdle`, `keepalivesInterval`,
 * milliseconds for `tcpUserTimeout`.
 *
 * @category models
 * @since 0.1.0
 */
export interface PgConfigInput {
  readonly connectionString?: string | Redacted.Redacted<string> | undefined
  readonly service?: string | undefined
  readonly host?: string | ReadonlyArray<string> | undefined
  readonly hostaddr?: string | ReadonlyArray<string> | undefined
  readonly port?: number | string | ReadonlyArray<number | string> | undefined
  readonly database?: string | undefined
  readonly user?: string | undefined
  readonly password?: string | Redacted.Redacted<string> | undefined
  readonly passfile?: string | undefined
  readonly channelBinding?: ChannelBinding | undefined
  readonly connectTimeout?: Duration.Duration | number | undefined
  readonly clientEncoding?: string | undefined
  readonly options?: string | undefined
  readonly applicationName?: string | undefined
  readonly fallbackApplicationName?: string | undefined
  readonly keepalives?: boolean | undefined
  readonly keepalivesIdle?: Duration.Duration | number | undefined
  readonly keepalivesInterval?: Duration.Duration | number | undefined
  readonly keepalivesCount?: number | undefined
  readonly tcpUserTimeout?: Duration.Duration | number | undefined
  readonly sslMode?: SslMode | undefined
  readonly sslNegotiation?: SslNegotiation | undefined
  readonly sslCompression?: boolean | undefined
  readonly sslCert?: string | undefined
  readonly sslKey?: string | undefined
  readonly sslCertMode?: SslCertMode | undefined
  readonly sslPassword?: string | Redacted.Redacted<string> | undefined
  readonly sslRootCert?: string | undefined
  readonly sslCrl?: string | undefined
  readonly sslCrlDir?: string | undefined
  readonly sslSni?: boolean | undefined
  readonly sslKeyLogFile?: string | undefined
  readonly sslMinProtocolVersion?: TlsVersion | undefined
  readonly sslMaxProtocolVersion?: TlsVersion | undefined
  readonly requirePeer?: string | undefined
  readonly requireAuth?: string | RequireAuth | undefined
  readonly minProtocolVersion?: ProtocolVersion | "latest" | undefined
  readonly maxProtocolVersion?: ProtocolVersion | "latest" | undefined
  readonly gssEncMode?: GssEncMode | undefined
  readonly krbSrvName?: string | undefined
  readonly gssLib?: string | undefined
  readonly gssDelegation?: boolean | undefined
  readonly replication?: Replication | undefined
  readonly targetSessionAttrs?: TargetSessionAttrs | undefined
  readonly loadBalanceHosts?: LoadBalanceHosts | undefined
  readonly scramClientKey?: string | Redacted.Redacted<string> | undefined
  readonly scramServerKey?: string | Redacted.Redacted<string> | undefined
  readonly oauthIssuer?: string | undefined
  readonly oauthClientId?: string | undefined
  readonly oauthClientSecret?: string | Redacted.Redacted<string> | undefined
  readonly oauthScope?: string | undefined
}

/**
 * Where environment variables, files, the home directory and the OS user come from (all
 * injectable for tests), plus pgfx-specific defaults (`defaultSocketDirs`, `sysconfDir`).
 *
 * @category models
 * @since 0.1.0
 */
export type ParseOptions = SystemParseOptions

/**
 * Raw keyword values (keyword → value) as libpq's `PQconninfoParse` / `PQconndefaults` return
 * them: no validation, secrets in clear.
 *
 * @category models
 * @since 0.1.0
 */
export type RawOptions = ReadonlyMap<string, string>

// -----------------------------------------------------------------------------
// libpq-level functions (raw keyword maps)
// -----------------------------------------------------------------------------

/**
 * Every keyword, in libpq's `PQconninfoOptions` order.
 *
 * @category constants
 * @since 0.1.0
 */
export const keywords: ReadonlyArray<string> = keywordTable.map((info) => info.keyword)

/**
 * Parses a connection string into raw keyword values, without defaults — libpq's
 * `PQconninfoParse`. The result holds secrets in clear: do not log it.
 *
 * @category parsing
 * @since 0.1.0
 */
export const parseConnectionString = (connectionString: string): Result.Result<RawOptions, ConfigError> =>
  parseConninfo(connectionString)

/**
 * The default value of every keyword given the environment and service file — libpq's
 * `PQconndefaults` (a broken or missing service is ignored).
 *
 * @category parsing
 * @since 0.1.0
 */
export const conndefaults = (options?: ParseOptions): RawOptions => {
  const merged = addDefaults(new Map(), resolveSystem(options), false)
  return Result.isSuccess(merged) ? merged.success : new Map()
}

/**
 * The line libpq's `libpq_uri_regress` prints for a connection string: `keyword='value'` for
 * every parsed keyword whose value differs from its default ({@link conndefaults}), in libpq's
 * keyword order, then `(local)` or `(inet)` (`inet` when a `hostaddr` or a host not starting
 * with `/` is given). The password is printed in clear, as libpq does.
 *
 * @category parsing
 * @since 0.1.0
 */
export const conninfoLine = (connectionString: string, options?: ParseOptions): Result.Result<string, ConfigError> => {
  const parsed = parseConninfo(connectionString)
  if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
  const defaults = conndefaults(options)
  let line = ""
  let local = true
  for (const { keyword } of keywordTable) {
    const value = parsed.success.get(keyword)
    if (value === undefined) continue
    if (defaults.get(keyword) !== value) line += `${keyword}='${value}' `
    if (value !== "" && (keyword === "hostaddr" || (keyword === "host" && value[0] !== "/"))) local = false
  }
  return Result.succeed(line + (local ? "(local)" : "(inet)"))
}

// -----------------------------------------------------------------------------
// Typed configuration
// -----------------------------------------------------------------------------

/**
 * Parses a connection string (URI or `keyword=value`; may be `Redacted`) and resolves it with
 * the service file, environment, defaults and password file into a typed {@link PgConfig}.
 * The empty string means "everything from the environment".
 *
 * @example
 * ```ts
 * import { PgConfig } from "@pgfx/connection"
 * import * as Result from "effect/Result"
 *
 * const config = PgConfig.parse("postgresql://app@db1,db2:6432/shop?target_session_attrs=read-write", {
 *   env: {}
 * })
 * if (Result.isSuccess(config)) {
 *   console.log(config.success.targets.map((t) => `${t.host}:${t.port}`)) // ["db1:5432", "db2:6432"]
 * }
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const parse = (
  connectionString: string | Redacted.Redacted<string>,
  options?: ParseOptions
): Result.Result<PgConfig, ConfigError> => {
  const parsed = parseConninfo(reveal(connectionString))
  if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
  return resolve(parsed.success, resolveSystem(options))
}

/**
 * Builds the configuration from the environment alone (`PG*` variables, service and password
 * files, defaults) — what libpq does for an empty connection string.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromEnv = (options?: ParseOptions): Result.Result<PgConfig, ConfigError> => parse("", options)

/**
 * Builds the configuration from a plain typed object (libpq's `PQconnectdbParams`): the
 * `connectionString` is parsed first, the other fields override it, then the service file,
 * environment, defaults and password file apply as for {@link parse}.
 *
 * @example
 * ```ts
 * import { PgConfig } from "@pgfx/connection"
 *
 * const config = PgConfig.make({ host: ["db1", "db2"], port: 6432, user: "app", sslMode: "verify-full" })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (input: PgConfigInput, options?: ParseOptions): Result.Result<PgConfig, ConfigError> => {
  const explicit = inputKeywords(input)
  if (Result.isFailure(explicit)) return Result.fail(explicit.failure)
  return resolve(explicit.success, resolveSystem(options))
}

/**
 * {@link parse} (for a string) or {@link make} (for an object) as an Effect; the environment
 * and files are read when the Effect runs.
 *
 * @category constructors
 * @since 0.1.0
 */
export const load = (
  input: string | Redacted.Redacted<string> | PgConfigInput,
  options?: ParseOptions
): Effect.Effect<PgConfig, ConfigError> =>
  Effect.suspend(() =>
    Effect.fromResult(
      typeof input === "string" || Redacted.isRedacted(input)
        ? parse(input as string | Redacted.Redacted<string>, options)
        : make(input as PgConfigInput, options)
    )
  )

/**
 * Whether a keyword's value is a secret (`password`, `sslpassword`, `scram_client_key`, …).
 *
 * @category parsing
 * @since 0.1.0
 */
export const isSecret = (keyword: string): boolean => isSecretKeyword(keyword)
