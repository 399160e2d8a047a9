/**
 * Validates merged keyword values and builds the typed {@link PgConfig} (libpq's
 * `connectOptions2`): defaults, hosts, enumerated and numeric keywords, the cross-keyword
 * checks (`sslnegotiation` vs `sslmode`, `sslrootcert=system`, version ranges) and the targets
 * with their passwords.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type { PgConfig, RawOptions } from "../PgConfig.ts"
import { addDefaults } from "./conninfoDefaults.ts"
import {
  authMethods,
  channelBindings,
  gssEncModes,
  loadBalanceHostsValues,
  sslCertModes,
  sslModes,
  sslNegotiations,
  targetSessionAttrsValues
} from "./conninfoEnums.ts"
import { type ConfigError, fail } from "./conninfoError.ts"
import { expandHosts } from "./conninfoHosts.ts"
import { keywordTable } from "./conninfoKeywords.ts"
import type { System } from "./conninfoSystem.ts"
import { buildTargets, passfilePasswords, secret } from "./conninfoTargets.ts"
import {
  parseEnum,
  parseFlag,
  parseInt32,
  parseProtocolVersion,
  parseReplication,
  parseRequireAuth,
  parseTlsVersion,
  tlsVersionRank
} from "./conninfoValues.ts"

const nonEmpty = (value: string | undefined): string | undefined => value === "" ? undefined : value

const positiveDuration = (
  keyword: string,
  value: string | undefined,
  unit: "seconds" | "millis"
): Result.Result<Duration.Duration | undefined, ConfigError> => {
  if (value === undefined) return Result.succeed(undefined)
  const n = parseInt32(keyword, value)
  if (Result.isFailure(n)) return Result.fail(n.failure)
  if (n.success <= 0) return Result.succeed(undefined)
  return Result.succeed(unit === "seconds" ? Duration.seconds(n.success) : Duration.millis(n.success))
}

const keywordRecord = (options: RawOptions): Record<string, string | Redacted.Redacted<string>> => {
  const record: Record<string, string | Redacted.Redacted<string>> = {}
  for (const { keyword, secret: isSecret } of keywordTable) {
    const value = options.get(keyword)
    if (value !== undefined) record[keyword] = isSecret ? Redacted.make(value) : value
  }
  return Object.freeze(record)
}

/** Validates merged keyword values and builds the typed config (libpq's `connectOptions2`). */
export const resolve = (explicit: RawOptions, system: System): Result.Result<PgConfig, ConfigError> =>
  Result.gen(function*() {
    const options = yield* addDefaults(explicit, system, true)
    const get = (keyword: string): string | undefined => options.get(keyword)
    const warnings: Array<string> = []

    const specs = yield* expandHosts(get("host"), get("hostaddr"), get("port"))
    const user = nonEmpty(get("user")) ?? system.osUser
    if (user === undefined) return yield* fail("could not look up local user name", "user")
    const database = nonEmpty(get("dbname")) ?? user

    const channelBinding = yield* parseEnum("channel_binding", get("channel_binding") ?? "prefer", channelBindings)
    const requireAuth = yield* parseRequireAuth(get("require_auth") ?? "", authMethods)
    const sslMode = yield* parseEnum("sslmode", get("sslmode") ?? "prefer", sslModes)
    const sslNegotiation = yield* parseEnum("sslnegotiation", get("sslnegotiation") ?? "postgres", sslNegotiations)
    if (sslNegotiation === "direct" && (sslMode === "disable" || sslMode === "allow" || sslMode === "prefer")) {
      return yield* fail(
        `weak sslmode "${sslMode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`,
        "sslnegotiation"
      )
    }
    const sslRootCert = nonEmpty(get("sslrootcert"))
    if (sslRootCert === "system" && sslMode !== "verify-full") {
      return yield* fail(
        `weak sslmode "${sslMode}" may not be used with sslrootcert=system (use "verify-full")`,
        "sslmode"
      )
    }
    const sslMinProtocolVersion = yield* parseTlsVersion("ssl_min_protocol_version", get("ssl_min_protocol_version") ?? "")
    const sslMaxProtocolVersion = yield* parseTlsVersion("ssl_max_protocol_version", get("ssl_max_protocol_version") ?? "")
    if (
      sslMinProtocolVersion !== undefined && sslMaxProtocolVersion !== undefined &&
      tlsVersionRank(sslMinProtocolVersion) > tlsVersionRank(sslMaxProtocolVersion)
    ) {
      return yield* fail("invalid SSL protocol version range", "ssl_max_protocol_version")
    }
    const sslCertMode = yield* parseEnum("sslcertmode", get("sslcertmode") ?? "allow", sslCertModes)
    const gssEncMode = yield* parseEnum("gssencmode", get("gssencmode") ?? "disable", gssEncModes)
    if (gssEncMode === "require") {
      return yield* fail(`gssencmode value "require" invalid when GSSAPI support is not compiled in`, "gssencmode")
    }
    const targetSessionAttrs = yield* parseEnum(
      "target_session_attrs",
      get("target_session_attrs") ?? "any",
      targetSessionAttrsValues
    )
    const loadBalanceHosts = yield* parseEnum(
      "load_balance_hosts",
      get("load_balance_hosts") ?? "disable",
      loadBalanceHostsValues
    )
    const minText = get("min_protocol_version")
    const minProtocolVersion = minText === undefined
      ? "3.0"
      : yield* parseProtocolVersion("min_protocol_version", minText)
    const maxText = get("max_protocol_version")
    const maxProtocolVersion = maxText === undefined
      ? minProtocolVersion
      : yield* parseProtocolVersion("max_protocol_version", maxText)
    if (minProtocolVersion > maxProtocolVersion) {
      return yield* fail(`"min_protocol_version" is greater than "max_protocol_version"`, "min_protocol_version")
    }

    const connectTimeout = yield* positiveDuration("connect_timeout", get("connect_timeout"), "seconds")
    const keepalivesText = get("keepalives")
    const keepalives = keepalivesText === undefined ? true : (yield* parseInt32("keepalives", keepalivesText)) !== 0
    const keepalivesIdle = yield* positiveDuration("keepalives_idle", get("keepalives_idle"), "seconds")
    const keepalivesInterval = yield* positiveDuration("keepalives_interval", get("keepalives_interval"), "seconds")
    const countText = get("keepalives_count")
    const count = countText === undefined ? 0 : yield* parseInt32("keepalives_count", countText)
    const tcpUserTimeout = yield* positiveDuration("tcp_user_timeout", get("tcp_user_timeout"), "millis")
    const replicationText = get("replication")
    const replication = replicationText === undefined ? undefined : yield* parseReplication(replicationText)

    const password = secret(get("password"))
    const passfile = nonEmpty(get("passfile")) ??
      (system.homeDir === undefined ? undefined : `${system.homeDir}/.pgpass`)
    const passwords = password === undefined
      ? passfilePasswords(system, passfile, user, database, warnings)
      : { lookup: () => undefined }
    const targets = buildTargets(specs, system, password, passwords)

    const config: PgConfig = {
      targets: Object.freeze(targets),
      user,
      database,
      password,
      passfile,
      service: get("service"),
      channelBinding,
      connectTimeout,
      clientEncoding: nonEmpty(get("client_encoding")),
      options: nonEmpty(get("options")),
      applicationName: nonEmpty(get("application_name")),
      fallbackApplicationName: nonEmpty(get("fallback_application_name")),
      keepalives,
      keepalivesIdle,
      keepalivesInterval,
      keepalivesCount: count > 0 ? count : undefined,
      tcpUserTimeout,
      sslMode,
      sslNegotiation,
      sslCompression: parseFlag(get("sslcompression"), false),
      sslCert: nonEmpty(get("sslcert")),
      sslKey: nonEmpty(get("sslkey")),
      sslCertMode,
      sslPassword: secret(get("sslpassword")),
      sslRootCert,
      sslCrl: nonEmpty(get("sslcrl")),
      sslCrlDir: nonEmpty(get("sslcrldir")),
      sslSni: parseFlag(get("sslsni"), true),
      sslKeyLogFile: nonEmpty(get("sslkeylogfile")),
      sslMinProtocolVersion,
      sslMaxProtocolVersion,
      requirePeer: nonEmpty(get("requirepeer")),
      requireAuth,
      minProtocolVersion,
      maxProtocolVersion,
      gssEncMode,
      krbSrvName: get("krbsrvname") ?? "postgres",
      gssLib: nonEmpty(get("gsslib")),
      gssDelegation: parseFlag(get("gssdelegation"), false),
      replication,
      targetSessionAttrs,
      loadBalanceHosts,
      scramClientKey: secret(get("scram_client_key")),
      scramServerKey: secret(get("scram_server_key")),
      oauthIssuer: nonEmpty(get("oauth_issuer")),
      oauthClientId: nonEmpty(get("oauth_client_id")),
      oauthClientSecret: secret(get("oauth_client_secret")),
      oauthScope: nonEmpty(get("oauth_scope")),
      keywords: keywordRecord(options),
      warnings: Object.freeze(warnings)
    }
    return Object.freeze(config)
  })
