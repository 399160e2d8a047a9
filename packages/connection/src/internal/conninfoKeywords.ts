/**
 * The table of connection keywords, in libpq's order (`PQconninfoOptions`, PostgreSQL 18).
 *
 * Each row names the keyword, the environment variable that supplies its fallback, the
 * compiled-in default and whether the value is a secret. The order matters: libpq's conformance
 * printer (`libpq_uri_regress`) walks options in this order, and so does `pnpm conninfo`.
 *
 * `requiressl` is not in the table: like libpq, the parsers rewrite it to `sslmode`.
 *
 * @since 0.1.0
 */

/**
 * One connection keyword.
 *
 * @category internal
 * @since 0.1.0
 */
export interface KeywordInfo {
  readonly keyword: string
  /** The `PG*` variable read when the keyword is not given. */
  readonly envVar: string | undefined
  /** libpq's compiled-in default (for a build with TLS and without GSSAPI, like pgfx). */
  readonly compiled: string | undefined
  /** Whether the value is a credential and must stay redacted. */
  readonly secret: boolean
}

const row = (
  keyword: string,
  envVar: string | undefined,
  compiled: string | undefined,
  secret = false
): KeywordInfo => ({ keyword, envVar, compiled, secret })

/**
 * Every keyword, in libpq's `PQconninfoOptions` order.
 *
 * Defaults follow a libpq built with TLS and without GSSAPI (pgfx speaks TLS, not GSSAPI):
 * `sslmode=prefer`, `channel_binding=prefer`, `gssencmode=disable`.
 *
 * @category internal
 * @since 0.1.0
 */
export const keywordTable: ReadonlyArray<KeywordInfo> = [
  row("service", "PGSERVICE", undefined),
  row("user", "PGUSER", undefined),
  row("password", "PGPASSWORD", undefined, true),
  row("passfile", "PGPASSFILE", undefined),
  row("channel_binding", "PGCHANNELBINDING", "prefer"),
  row("connect_timeout", "PGCONNECT_TIMEOUT", undefined),
  row("dbname", "PGDATABASE", undefined),
  row("host", "PGHOST", undefined),
  row("hostaddr", "PGHOSTADDR", undefined),
  row("port", "PGPORT", "5432"),
  row("client_encoding", "PGCLIENTENCODING", undefined),
  row("options", "PGOPTIONS", ""),
  row("application_name", "PGAPPNAME", undefined),
  row("fallback_application_name", undefined, undefined),
  row("keepalives", undefined, undefined),
  row("keepalives_idle", undefined, undefined),
  row("keepalives_interval", undefined, undefined),
  row("keepalives_count", undefined, undefined),
  row("tcp_user_timeout", undefined, undefined),
  row("sslmode", "PGSSLMODE", "prefer"),
  row("sslnegotiation", "PGSSLNEGOTIATION", "postgres"),
  row("sslcompression", "PGSSLCOMPRESSION", "0"),
  row("sslcert", "PGSSLCERT", undefined),
  row("sslkey", "PGSSLKEY", undefined),
  row("sslcertmode", "PGSSLCERTMODE", undefined),
  row("sslpassword", undefined, undefined, true),
  row("sslrootcert", "PGSSLROOTCERT", undefined),
  row("sslcrl", "PGSSLCRL", undefined),
  row("sslcrldir", "PGSSLCRLDIR", undefined),
  row("sslsni", "PGSSLSNI", "1"),
  row("requirepeer", "PGREQUIREPEER", undefined),
  row("require_auth", "PGREQUIREAUTH", undefined),
  row("min_protocol_version", "PGMINPROTOCOLVERSION", undefined),
  row("max_protocol_version", "PGMAXPROTOCOLVERSION", undefined),
  row("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION", "TLSv1.2"),
  row("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION", undefined),
  row("gssencmode", "PGGSSENCMODE", "disable"),
  row("krbsrvname", "PGKRBSRVNAME", "postgres"),
  row("gsslib", "PGGSSLIB", undefined),
  row("gssdelegation", "PGGSSDELEGATION", "0"),
  row("replication", undefined, undefined),
  row("target_session_attrs", "PGTARGETSESSIONATTRS", "any"),
  row("load_balance_hosts", "PGLOADBALANCEHOSTS", "disable"),
  row("scram_client_key", undefined, undefined, true),
  row("scram_server_key", undefined, undefined, true),
  row("oauth_issuer", undefined, undefined),
  row("oauth_client_id", undefined, undefined),
  row("oauth_client_secret", undefined, undefined, true),
  row("oauth_scope", undefined, undefined),
  row("sslkeylogfile", undefined, undefined)
]

const byKeyword: ReadonlyMap<string, KeywordInfo> = new Map(keywordTable.map((info) => [info.keyword, info]))

/**
 * Looks a keyword up (exact, case-sensitive match, as libpq's `strcmp`).
 *
 * @category internal
 * @since 0.1.0
 */
export const keywordInfo = (keyword: string): KeywordInfo | undefined => byKeyword.get(keyword)

/**
 * Whether a keyword's value is a credential.
 *
 * @category internal
 * @since 0.1.0
 */
export const isSecretKeyword = (keyword: string): boolean => byKeyword.get(keyword)?.secret === true

/**
 * Raw keyword values as a parser or merge step produced them: keyword → value, insertion order
 * irrelevant (print in {@link keywordTable} order).
 *
 * @category internal
 * @since 0.1.0
 */
export type RawOptions = ReadonlyMap<string, string>

/**
 * Stores one keyword value the way libpq's `conninfo_storeval` does: `requiressl` becomes
 * `sslmode` (`require` when the value starts with `1`, else `prefer`), a later value replaces an
 * earlier one, and an unknown keyword is refused (returns `false`).
 *
 * @category internal
 * @since 0.1.0
 */
export const storeValue = (options: Map<string, string>, keyword: string, value: string): boolean => {
  if (keyword === "requiressl") {
    options.set("sslmode", value.charCodeAt(0) === 49 /* 1 */ ? "require" : "prefer")
    return true
  }
  if (!byKeyword.has(keyword)) return false
  options.set(keyword, value)
  return true
}
