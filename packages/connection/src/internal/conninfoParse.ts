/**
 * Entry point of connection-string parsing: a string starting with `postgresql://` or
 * `postgres://` (case-sensitive, as libpq) is a URI, anything else is `keyword=value` pairs.
 * The result is the raw keyword values, without defaults, like libpq's `PQconninfoParse`.
 *
 * @since 0.1.0
 */
import type * as Result from "effect/Result"
import type { ConfigError } from "./conninfoError.ts"
import { parseKeyValue } from "./conninfoKeyValue.ts"
import { parseUri } from "./conninfoUri.ts"

/**
 * The length of the URI scheme prefix, or 0 when the string is not a URI.
 *
 * @category internal
 * @since 0.1.0
 */
export const uriPrefixLength = (input: string): number =>
  input.startsWith("postgresql://") ? 13 : input.startsWith("postgres://") ? 11 : 0

/**
 * Parses either form into raw keyword values.
 *
 * @category internal
 * @since 0.1.0
 */
export const parseConninfo = (input: string): Result.Result<Map<string, string>, ConfigError> => {
  const prefix = uriPrefixLength(input)
  return prefix > 0 ? parseUri(input, prefix) : parseKeyValue(input)
}
