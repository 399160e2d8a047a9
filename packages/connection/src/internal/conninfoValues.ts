/**
 * Parsers for individual option values, with libpq's acceptance rules and error wording:
 * integers (`strtol` with surrounding whitespace, 32-bit range), enumerations (exact,
 * case-sensitive), `require_auth` lists, protocol versions and TLS versions.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import { type ConfigError, fail } from "./conninfoError.ts"

const INTEGER = /^[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*$/

/**
 * Parses an integer option like libpq's `pqParseIntParam`.
 *
 * @category internal
 * @since 0.1.0
 */
export const parseInt32 = (keyword: string, value: string): Result.Result<number, ConfigError> => {
  if (INTEGER.test(value)) {
    const n = Number(value.trim())
    if (n >= -2147483648 && n <= 2147483647) return Result.succeed(n)
  }
  return fail(`invalid integer value "${value}" for connection option "${keyword}"`, keyword)
}

/**
 * Accepts one of `allowed` exactly.
 *
 * @category internal
 * @since 0.1.0
 */
export const parseEnum = <A extends string>(
  keyword: string,
  value: string,
  allowed: ReadonlyArray<A>
): Result.Result<A, ConfigError> =>
  (allowed as ReadonlyArray<string>).includes(value)
    ? Result.succeed(value as A)
    : fail(`invalid ${keyword} value: "${value}"`, keyword)

/**
 * A parsed `require_auth`: either the methods the server may use, or (negated) the ones it may
 * not use.
 *
 * @category internal
 * @since 0.1.0
 */
export interface RequireAuthList<A extends string> {
  readonly negated: boolean
  readonly methods: ReadonlyArray<A>
}

/**
 * Parses `require_auth`: a comma-separated list of methods, all plain or all prefixed with `!`.
 * The empty string means no requirement (`undefined`).
 *
 * @category internal
 * @since 0.1.0
 */
export const parseRequireAuth = <A extends string>(
  value: string,
  allowed: ReadonlyArray<A>
): Result.Result<RequireAuthList<A> | undefined, ConfigError> => {
  if (value === "") return Result.succeed(undefined)
  const parts = value.split(",")
  const negated = parts[0].startsWith("!")
  const methods: Array<A> = []
  const seen = new Set<string>()
  for (const part of parts) {
    const isNegative = part.startsWith("!")
    const method = isNegative ? part.slice(1) : part
    if (isNegative && !negated) {
      return fail(`negative require_auth method "${part}" cannot be mixed with non-negative methods`, "require_auth")
    }
    if (!isNegative && negated) {
      return fail(`require_auth method "${part}" cannot be mixed with negative methods`, "require_auth")
    }
    if (!(allowed as ReadonlyArray<string>).includes(method)) {
      return fail(`invalid require_auth value: "${method}"`, "require_auth")
    }
    if (seen.has(method)) {
      return fail(`require_auth method "${part}" is specified more than once`, "require_auth")
    }
    seen.add(method)
    methods.push(method as A)
  }
  return Result.succeed({ negated, methods })
}

/**
 * Parses `min_protocol_version` / `max_protocol_version`: `3.0`, `3.2` or `latest` (= `3.2`).
 *
 * @category internal
 * @since 0.1.0
 */
export const parseProtocolVersion = (keyword: string, value: string): Result.Result<"3.0" | "3.2", ConfigError> =>
  value === "3.0" || value === "3.2"
    ? Result.succeed(value)
    : value === "latest"
    ? Result.succeed("3.2")
    : fail(`invalid ${keyword} value: "${value}"`, keyword)

const tlsVersions = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const

/**
 * Parses `ssl_min_protocol_version` / `ssl_max_protocol_version` (case-insensitive); the empty
 * string means no bound (`undefined`). Returns the canonical spelling.
 *
 * @category internal
 * @since 0.1.0
 */
export const parseTlsVersion = (
  keyword: string,
  value: string
): Result.Result<(typeof tlsVersions)[number] | undefined, ConfigError> => {
  if (value === "") return Result.succeed(undefined)
  const lower = value.toLowerCase()
  const found = tlsVersions.find((version) => version.toLowerCase() === lower)
  return found === undefined ? fail(`invalid "${keyword}" value: "${value}"`, keyword) : Result.succeed(found)
}

/**
 * Orders TLS versions (for the min ≤ max check).
 *
 * @category internal
 * @since 0.1.0
 */
export const tlsVersionRank = (version: (typeof tlsVersions)[number]): number => tlsVersions.indexOf(version)

/**
 * libpq's flag rule for `sslsni`, `sslcompression`, `gssdelegation`: on when the value starts
 * with `1`.
 *
 * @category internal
 * @since 0.1.0
 */
export const parseFlag = (value: string | undefined, fallback: boolean): boolean =>
  value === undefined ? fallback : value.charCodeAt(0) === 49

const trueWords = ["true", "yes", "on"]
const falseWords = ["false", "no", "off"]

/**
 * Parses `replication` the way the server does: `database`, or a boolean in PostgreSQL's
 * spellings (`true`/`on`/`yes`/`1`, `false`/`off`/`no`/`0`, unambiguous prefixes,
 * case-insensitive). libpq passes the value through; pgfx checks it before connecting, with the
 * server's wording.
 *
 * @category internal
 * @since 0.1.0
 */
export const parseReplication = (value: string): Result.Result<"database" | boolean, ConfigError> => {
  const lower = value.trim().toLowerCase()
  if (lower === "database") return Result.succeed("database")
  if (lower === "1") return Result.succeed(true)
  if (lower === "0") return Result.succeed(false)
  // "o" alone is ambiguous (on/off), so on/off need at least two characters.
  const minimum = lower.startsWith("o") ? 2 : 1
  if (lower.length >= minimum) {
    if (trueWords.some((word) => word.startsWith(lower))) return Result.succeed(true)
    if (falseWords.some((word) => word.startsWith(lower))) return Result.succeed(false)
  }
  return fail(`invalid value for parameter "replication": "${value}"`, "replication")
}
