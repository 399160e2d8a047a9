/**
 * {@link PgConfigInput} (the typed object `PgConfig.make` takes) as keyword values: its
 * `connectionString` parsed first, then every set field written in the keyword's text form
 * (lists joined with commas, flags as `1`/`0`, durations in whole seconds or milliseconds,
 * secrets revealed), overriding the string.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type { PgConfigInput, RequireAuth } from "../PgConfig.ts"
import type { ConfigError } from "./conninfoError.ts"
import { parseConninfo } from "./conninfoParse.ts"

/** A possibly `Redacted` string in clear. */
export const reveal = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value

type InputKind = "text" | "list" | "flag" | "seconds" | "millis" | "secret" | "requireAuth" | "replication"

const inputFields: ReadonlyArray<readonly [keyof PgConfigInput, string, InputKind]> = [
  ["service", "service", "text"],
  ["user", "user", "text"],
  ["password", "password", "secret"],
  ["passfile", "passfile", "text"],
  ["channelBinding", "channel_binding", "text"],
  ["connectTimeout", "connect_timeout", "seconds"],
  ["database", "dbname", "text"],
  ["host", "host", "list"],
  ["hostaddr", "hostaddr", "list"],
  ["port", "port", "list"],
  ["clientEncoding", "client_encoding", "text"],
  ["options", "options", "text"],
  ["applicationName", "application_name", "text"],
  ["fallbackApplicationName", "fallback_application_name", "text"],
  ["keepalives", "keepalives", "flag"],
  ["keepalivesIdle", "keepalives_idle", "seconds"],
  ["keepalivesInterval", "keepalives_interval", "seconds"],
  ["keepalivesCount", "keepalives_count", "text"],
  ["tcpUserTimeout", "tcp_user_timeout", "millis"],
  ["sslMode", "sslmode", "text"],
  ["sslNegotiation", "sslnegotiation", "text"],
  ["sslCompression", "sslcompression", "flag"],
  ["sslCert", "sslcert", "text"],
  ["sslKey", "sslkey", "text"],
  ["sslCertMode", "sslcertmode", "text"],
  ["sslPassword", "sslpassword", "secret"],
  ["sslRootCert", "sslrootcert", "text"],
  ["sslCrl", "sslcrl", "text"],
  ["sslCrlDir", "sslcrldir", "text"],
  ["sslSni", "sslsni", "flag"],
  ["requirePeer", "requirepeer", "text"],
  ["requireAuth", "require_auth", "requireAuth"],
  ["minProtocolVersion", "min_protocol_version", "text"],
  ["maxProtocolVersion", "max_protocol_version", "text"],
  ["sslMinProtocolVersion", "ssl_min_protocol_version", "text"],
  ["sslMaxProtocolVersion", "ssl_max_protocol_version", "text"],
  ["gssEncMode", "gssencmode", "text"],
  ["krbSrvName", "krbsrvname", "text"],
  ["gssLib", "gsslib", "text"],
  ["gssDelegation", "gssdelegation", "flag"],
  ["replication", "replication", "replication"],
  ["targetSessionAttrs", "target_session_attrs", "text"],
  ["loadBalanceHosts", "load_balance_hosts", "text"],
  ["scramClientKey", "scram_client_key", "secret"],
  ["scramServerKey", "scram_server_key", "secret"],
  ["oauthIssuer", "oauth_issuer", "text"],
  ["oauthClientId", "oauth_client_id", "text"],
  ["oauthClientSecret", "oauth_client_secret", "secret"],
  ["oauthScope", "oauth_scope", "text"],
  ["sslKeyLogFile", "sslkeylogfile", "text"]
]

const durationText = (value: unknown, unit: "seconds" | "millis"): string => {
  if (!Duration.isDuration(value)) return String(value)
  if (!Duration.isFinite(value)) return "0"
  const amount = unit === "seconds" ? Duration.toSeconds(value) : Duration.toMillis(value)
  return String(Math.ceil(amount))
}

const inputText = (value: unknown, kind: InputKind): string => {
  switch (kind) {
    case "list":
      return Array.isArray(value) ? value.join(",") : String(value)
    case "flag":
      return value === true ? "1" : value === false ? "0" : String(value)
    case "seconds":
    case "millis":
      return durationText(value, kind)
    case "secret":
      return reveal(value as string | Redacted.Redacted<string>)
    case "requireAuth": {
      if (typeof value === "string") return value
      const list = value as RequireAuth
      return list.methods.map((method) => list.negated ? `!${method}` : method).join(",")
    }
    case "replication":
    case "text":
      return String(value)
  }
}

/** The keyword values `input` sets (the connection string's, overridden by the fields). */
export const inputKeywords = (input: PgConfigInput): Result.Result<Map<string, string>, ConfigError> => {
  const explicit = new Map<string, string>()
  if (input.connectionString !== undefined) {
    const parsed = parseConninfo(reveal(input.connectionString))
    if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
    for (const [keyword, value] of parsed.success) explicit.set(keyword, value)
  }
  for (const [field, keyword, kind] of inputFields) {
    const value = input[field]
    if (value !== undefined) explicit.set(keyword, inputText(value, kind))
  }
  return Result.succeed(explicit)
}
