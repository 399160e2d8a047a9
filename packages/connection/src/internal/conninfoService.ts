/**
 * The connection service file (`pg_service.conf`): INI-style sections named after services, each
 * holding `keyword=value` lines.
 *
 * Rules (libpq's): leading and trailing whitespace of a line is ignored; empty lines and lines
 * starting with `#` are skipped; a section starts with `[name]` and the first section with the
 * wanted name is the only one read (a later section ends it); inside it, a line without `=`, an
 * unknown keyword, or `service=` is an error; the value is everything after the first `=`, taken
 * literally (no quoting); an earlier line wins over a later one for the same keyword.
 *
 * Lookup order: the user file (`PGSERVICEFILE`, else `~/.pg_service.conf`), then, only when the
 * service is not there, the system file `pg_service.conf` in `PGSYSCONFDIR` (else the configured
 * system directory). A `PGSERVICEFILE` that does not exist is an error; missing default files are
 * skipped; a service found nowhere is an error.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import { type ConfigError, fail } from "./conninfoError.ts"
import { keywordInfo } from "./conninfoKeywords.ts"

const isSpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13)

const trimLine = (line: string): string => {
  let start = 0
  let end = line.length
  while (start < end && isSpace(line.charCodeAt(start))) start++
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--
  return line.slice(start, end)
}

/**
 * Reads the section of `service` from the text of one service file: `undefined` when the file
 * has no such section, else its `[keyword, value]` entries in file order.
 *
 * @category internal
 * @since 0.1.0
 */
export const findService = (
  text: string,
  fileName: string,
  service: string
): Result.Result<ReadonlyArray<readonly [string, string]> | undefined, ConfigError> => {
  const lines = text.split("\n")
  const header = `[${service}]`
  const entries: Array<readonly [string, string]> = []
  let inGroup = false
  for (let index = 0; index < lines.length; index++) {
    const line = trimLine(lines[index])
    if (line === "" || line[0] === "#") continue
    if (line[0] === "[") {
      if (inGroup) break
      inGroup = line.startsWith(header)
      continue
    }
    if (!inGroup) continue
    const lineNumber = index + 1
    const eq = line.indexOf("=")
    if (eq < 0) return fail(`syntax error in service file "${fileName}", line ${lineNumber}`)
    const key = line.slice(0, eq)
    const value = line.slice(eq + 1)
    if (key === "service") {
      return fail(`nested service specifications not supported in service file "${fileName}", line ${lineNumber}`)
    }
    // Only table keywords: unlike a connection string, `requiressl` is a syntax error here.
    if (keywordInfo(key) === undefined) {
      return fail(`syntax error in service file "${fileName}", line ${lineNumber}`)
    }
    entries.push([key, value])
  }
  return Result.succeed(inGroup ? entries : undefined)
}

/**
 * Where to look for service files and how to read them.
 *
 * @category internal
 * @since 0.1.0
 */
export interface ServiceFiles {
  /** `PGSERVICEFILE`, when set (even empty). */
  readonly serviceFile: string | undefined
  /** The default user file (`~/.pg_service.conf`), when a home directory is known. */
  readonly userFile: string | undefined
  /** The system file (`<PGSYSCONFDIR or sysconfdir>/pg_service.conf`). */
  readonly systemFile: string
  /** Reads a file as UTF-8 text; `undefined` when it does not exist or cannot be read. */
  readonly readFile: (path: string) => string | undefined
}

/**
 * Finds the entries of `service` in the user file, then the system file.
 *
 * @category internal
 * @since 0.1.0
 */
export const lookupService = (
  service: string,
  files: ServiceFiles
): Result.Result<ReadonlyArray<readonly [string, string]>, ConfigError> => {
  const userPath = files.serviceFile ?? files.userFile
  if (userPath !== undefined) {
    const text = files.readFile(userPath)
    if (text === undefined && files.serviceFile !== undefined) {
      return fail(`service file "${userPath}" not found`)
    }
    if (text !== undefined) {
      const found = findService(text, userPath, service)
      if (Result.isFailure(found) || found.success !== undefined) {
        return found as Result.Result<ReadonlyArray<readonly [string, string]>, ConfigError>
      }
    }
  }
  const systemText = files.readFile(files.systemFile)
  if (systemText !== undefined) {
    const found = findService(systemText, files.systemFile, service)
    if (Result.isFailure(found) || found.success !== undefined) {
      return found as Result.Result<ReadonlyArray<readonly [string, string]>, ConfigError>
    }
  }
  return fail(`definition of service "${service}" not found`)
}
