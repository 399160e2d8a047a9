/**
 * Parser for libpq's connection URIs:
 * `postgres[ql]://[user[:password]@][host][:port][,...][/dbname][?keyword=value&...]`.
 *
 * Rules (libpq's, including its quirks, so `pnpm conninfo` prints what libpq prints):
 * - the user info ends at the first `@` met before any `/`; user and password split at the first
 *   `:`; empty parts are not stored;
 * - hosts are separated by `,`, each optionally `:port`; an IPv6 literal is written `[...]`;
 *   the host and port lists are kept as libpq keeps them (`a,b:5` → host `a,b`, port `,5`);
 * - the path (up to `?`) is the database name;
 * - query parameters are keywords (`ssl=true` means `sslmode=require`); spaces around a
 *   keyword or value are trimmed, inner spaces are an error;
 * - every part is percent-decoded; `%00` and malformed escapes are errors; the decoded bytes
 *   must be UTF-8.
 *
 * Error messages quote the URI or the offending part like libpq, with secrets replaced by
 * `<redacted>`.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import { type ConfigError, fail } from "./conninfoError.ts"
import { isSecretKeyword, storeValue } from "./conninfoKeywords.ts"

const REDACTED = "<redacted>"

const hexValue = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder("utf-8", { fatal: true })

/**
 * Decodes one URI component as libpq (17+) does: spaces (U+0020 only) around it are dropped,
 * spaces inside it are an error (they must be written `%20`), then `%XX` escapes are decoded.
 * `secret` hides the text in errors.
 *
 * @category internal
 * @since 0.1.0
 */
export const percentDecode = (raw: string, secret: boolean): Result.Result<string, ConfigError> => {
  const shown = secret ? REDACTED : raw
  let start = 0
  while (start < raw.length && raw.charCodeAt(start) === 32) start++
  // Fast path: nothing to decode, no spaces.
  if (start === 0 && !raw.includes("%") && !raw.includes(" ")) return Result.succeed(raw)
  const bytes: Array<number> = []
  let literalStart = start
  const flushLiteral = (until: number) => {
    if (until > literalStart) {
      for (const byte of utf8Encoder.encode(raw.slice(literalStart, until))) bytes.push(byte)
    }
  }
  let end = raw.length
  // Sequential, like libpq: an escape error before a space wins over the space error.
  for (let i = start; i < raw.length; i++) {
    const code = raw.charCodeAt(i)
    if (code === 32) {
      let j = i
      while (j < raw.length && raw.charCodeAt(j) === 32) j++
      if (j < raw.length) {
        return fail(`unexpected spaces found in "${shown}", use percent-encoded spaces (%20) instead`)
      }
      end = i
      break
    }
    if (code !== 37 /* % */) continue
    flushLiteral(i)
    const hi = i + 1 < raw.length ? hexValue(raw.charCodeAt(i + 1)) : -1
    const lo = i + 2 < raw.length ? hexValue(raw.charCodeAt(i + 2)) : -1
    if (hi < 0 || lo < 0) return fail(`invalid percent-encoded token: "${shown}"`)
    const byte = hi * 16 + lo
    if (byte === 0) return fail(`forbidden value %00 in percent-encoded value: "${shown}"`)
    bytes.push(byte)
    i += 2
    literalStart = i + 1
  }
  flushLiteral(end)
  try {
    return Result.succeed(utf8Decoder.decode(new Uint8Array(bytes)))
  } catch {
    return fail(`percent-encoded value is not valid UTF-8: "${shown}"`)
  }
}

/** Decodes a component without failing, for deciding whether a query keyword is a secret. */
const lenientDecode = (raw: string): string => {
  const decoded = percentDecode(raw, false)
  return Result.isSuccess(decoded) ? decoded.success : raw
}

/**
 * The URI as error messages may show it: the user-info password and the values of secret query
 * parameters become `<redacted>`.
 */
const redactUri = (uri: string, prefixLength: number): string => {
  let shown = uri
  let at = prefixLength
  while (at < shown.length && shown[at] !== "@" && shown[at] !== "/") at++
  if (shown[at] === "@") {
    const colon = shown.indexOf(":", prefixLength)
    if (colon >= 0 && colon < at && colon + 1 < at) {
      shown = shown.slice(0, colon + 1) + REDACTED + shown.slice(at)
    }
  }
  const query = shown.indexOf("?")
  if (query < 0) return shown
  const params = shown.slice(query + 1).split("&").map((param) => {
    const eq = param.indexOf("=")
    if (eq < 0) return param
    return isSecretKeyword(lenientDecode(param.slice(0, eq))) ? param.slice(0, eq + 1) + REDACTED : param
  })
  return shown.slice(0, query + 1) + params.join("&")
}

const parseQuery = (params: string, options: Map<string, string>): Result.Result<void, ConfigError> =>
  Result.gen(function*() {
    let i = 0
    while (i < params.length) {
      const start = i
      let eq = -1
      while (i < params.length && params[i] !== "&") {
        if (params[i] === "=") {
          if (eq >= 0) {
            return yield* fail(`extra key/value separator "=" in URI query parameter: "${params.slice(start, eq)}"`)
          }
          eq = i
        }
        i++
      }
      if (eq < 0) {
        return yield* fail(`missing key/value separator "=" in URI query parameter: "${params.slice(start, i)}"`)
      }
      const rawKeyword = params.slice(start, eq)
      const rawValue = params.slice(eq + 1, i)
      if (i < params.length) i++ // the '&'

      const keyword = yield* percentDecode(rawKeyword, false)
      const secret = isSecretKeyword(keyword)
      const value = yield* percentDecode(rawValue, secret)

      // JDBC compatibility, as libpq: ssl=true means sslmode=require (any other ssl=… is unknown).
      const stored = keyword === "ssl" && value === "true"
        ? storeValue(options, "sslmode", "require")
        : storeValue(options, keyword, value)
      if (!stored) return yield* fail(`invalid URI query parameter: "${keyword}"`)
    }
  })

const store = (
  options: Map<string, string>,
  keyword: string,
  raw: string,
  secret = false
): Result.Result<void, ConfigError> => Result.map(percentDecode(raw, secret), (decoded) => {
  storeValue(options, keyword, decoded)
})

/**
 * Parses a connection URI whose scheme prefix (`postgresql://` or `postgres://`) is
 * `prefixLength` characters long.
 *
 * @category internal
 * @since 0.1.0
 */
export const parseUri = (uri: string, prefixLength: number): Result.Result<Map<string, string>, ConfigError> =>
  Result.gen(function*() {
    const options = new Map<string, string>()
    const length = uri.length
    const shownUri = () => redactUri(uri, prefixLength)
    let p = prefixLength

    // user[:password]@ — the '@' must come before any '/'
    let at = p
    while (at < length && uri[at] !== "@" && uri[at] !== "/") at++
    if (uri[at] === "@") {
      const info = uri.slice(p, at)
      const colon = info.indexOf(":")
      const user = colon < 0 ? info : info.slice(0, colon)
      const password = colon < 0 ? "" : info.slice(colon + 1)
      if (user !== "") {
        yield* store(options, "user", user)
      }
      if (password !== "") {
        yield* store(options, "password", password, true)
      }
      p = at + 1
    }

    // host[:port][,host[:port]...]
    let hosts = ""
    let ports = ""
    let terminator = ""
    for (;;) {
      if (uri[p] === "[") {
        const close = uri.indexOf("]", p + 1)
        if (close < 0) {
          return yield* fail(`end of string reached when looking for matching "]" in IPv6 host address in URI: "${shownUri()}"`)
        }
        if (close === p + 1) return yield* fail(`IPv6 host address may not be empty in URI: "${shownUri()}"`)
        hosts += uri.slice(p + 1, close)
        p = close + 1
        if (p < length && !":/?,".includes(uri[p])) {
          return yield* fail(`unexpected character "${uri[p]}" at position ${p + 1} in URI (expected ":" or "/"): "${shownUri()}"`)
        }
      } else {
        const start = p
        while (p < length && !":/?,".includes(uri[p])) p++
        hosts += uri.slice(start, p)
      }
      terminator = p < length ? uri[p] : ""
      if (terminator === ":") {
        const start = ++p
        while (p < length && !"/?,".includes(uri[p])) p++
        ports += uri.slice(start, p)
        terminator = p < length ? uri[p] : ""
      }
      if (terminator !== ",") break
      p++
      hosts += ","
      ports += ","
    }
    if (hosts !== "") {
      yield* store(options, "host", hosts)
    }
    if (ports !== "") {
      yield* store(options, "port", ports)
    }

    // /dbname
    if (terminator === "/") {
      const start = ++p
      while (p < length && uri[p] !== "?") p++
      const dbname = uri.slice(start, p)
      if (dbname !== "") {
        yield* store(options, "dbname", dbname)
      }
      terminator = p < length ? "?" : ""
    }

    // ?keyword=value&...
    if (terminator === "?") {
      yield* parseQuery(uri.slice(p + 1), options)
    }
    return options
  })
