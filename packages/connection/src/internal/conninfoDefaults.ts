/**
 * Fills the keywords a connection string left out, in libpq's order of precedence:
 *
 * 1. the service file section named by `service` (or `PGSERVICE`) — it fills only keywords the
 *    string did not give, and it wins over the environment (libpq's `conninfo_add_defaults`
 *    reads the service first);
 * 2. the keyword's `PG*` environment variable (a variable set to the empty string counts as set);
 *    the legacy `PGREQUIRESSL=1` means `sslmode=require` when neither `sslmode` nor `PGSSLMODE`
 *    is given;
 * 3. the compiled-in default (`port=5432`, `sslmode=prefer`, …), with `sslmode=verify-full`
 *    instead when `sslrootcert=system` and `sslmode` came from nowhere else;
 * 4. `user` = the OS user name.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import type { ConfigError } from "./conninfoError.ts"
import { keywordTable, type RawOptions } from "./conninfoKeywords.ts"
import { lookupService } from "./conninfoService.ts"
import type { System } from "./conninfoSystem.ts"

/**
 * Returns a copy of `explicit` with service, environment and compiled defaults added.
 *
 * **Details**
 * With `strict: false` (what libpq's `PQconndefaults` does) a missing or broken service is
 * ignored instead of failing.
 *
 * @category internal
 * @since 0.1.0
 */
export const addDefaults = (
  explicit: RawOptions,
  system: System,
  strict: boolean
): Result.Result<Map<string, string>, ConfigError> => {
  const options = new Map(explicit)
  const env = system.env

  const service = options.get("service") ?? env.PGSERVICE
  if (service !== undefined) {
    const entries = lookupService(service, {
      serviceFile: env.PGSERVICEFILE,
      userFile: system.homeDir === undefined ? undefined : `${system.homeDir}/.pg_service.conf`,
      systemFile: `${env.PGSYSCONFDIR ?? system.sysconfDir}/pg_service.conf`,
      readFile: system.readFile
    })
    if (Result.isFailure(entries)) {
      if (strict) return Result.fail(entries.failure)
    } else {
      for (const [keyword, value] of entries.success) {
        if (!options.has(keyword)) options.set(keyword, value)
      }
    }
  }

  let sslmodeFromCompiled = false
  for (const info of keywordTable) {
    if (options.has(info.keyword)) continue
    if (info.envVar !== undefined) {
      const value = env[info.envVar]
      if (value !== undefined) {
        options.set(info.keyword, value)
        continue
      }
    }
    if (info.keyword === "sslmode") {
      if (env.PGREQUIRESSL?.charCodeAt(0) === 49 /* 1 */) {
        options.set("sslmode", "require")
        continue
      }
      sslmodeFromCompiled = true
    }
    if (info.compiled !== undefined) {
      options.set(info.keyword, info.compiled)
      continue
    }
    if (info.keyword === "user" && system.osUser !== undefined) {
      options.set("user", system.osUser)
    }
  }
  if (sslmodeFromCompiled && options.get("sslrootcert") === "system") {
    options.set("sslmode", "verify-full")
  }
  return Result.succeed(options)
}
