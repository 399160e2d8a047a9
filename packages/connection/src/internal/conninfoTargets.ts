/**
 * The servers to try, one {@link PgTarget} per host entry (or per default socket directory), each
 * with its password: the configured one, else the password file's match for that server.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import type { PgTarget } from "../PgConfig.ts"
import type { HostSpec } from "./conninfoHosts.ts"
import { findPassword, passfileProblem } from "./conninfoPgpass.ts"
import type { System } from "./conninfoSystem.ts"

/** A Unix-socket directory (`/…`) or Linux abstract namespace (`@…`) rather than a host name. */
export const isUnixSocketPath = (host: string): boolean => host[0] === "/" || host[0] === "@"

/** `<dir>/.s.PGSQL.<port>`; a directory `@name` becomes `\0name` (Linux abstract namespace). */
const socketPath = (dir: string, port: number): string =>
  `${dir[0] === "@" ? "\0" + dir.slice(1) : dir}/.s.PGSQL.${port}`

/** A non-empty value as a `Redacted` secret. */
export const secret = (value: string | undefined): Redacted.Redacted<string> | undefined =>
  value === undefined || value === "" ? undefined : Redacted.make(value)

/** Looks up the password file entry for one host entry. */
export interface Passwords {
  readonly lookup: (spec: HostSpec) => string | undefined
}

/**
 * Reads the password file once (when it exists and its permissions are safe; otherwise records a
 * warning) and matches it per host entry as libpq does.
 */
export const passfilePasswords = (
  system: System,
  passfile: string | undefined,
  user: string,
  database: string,
  warnings: Array<string>
): Passwords => {
  if (passfile === undefined) return { lookup: () => undefined }
  const stat = system.statFile(passfile)
  if (stat === undefined) return { lookup: () => undefined }
  const problem = passfileProblem(passfile, stat, system.platform)
  if (problem !== undefined) {
    warnings.push(problem)
    system.onWarning(problem)
    return { lookup: () => undefined }
  }
  const text = system.readFile(passfile)
  if (text === undefined) return { lookup: () => undefined }
  return {
    lookup: (spec) => {
      const name = spec.host !== "" ? spec.host : spec.hostaddr
      const host = name === "" || (isUnixSocketPath(name) && system.defaultSocketDirs.includes(name))
        ? "localhost"
        : name
      return findPassword(text, { host, port: spec.portText, database, user })
    }
  }
}

/** One target per host entry; an empty host expands to the default socket directories. */
export const buildTargets = (
  specs: ReadonlyArray<HostSpec>,
  system: System,
  configured: Redacted.Redacted<string> | undefined,
  passwords: Passwords
): Array<PgTarget> => {
  const targets: Array<PgTarget> = []
  for (const spec of specs) {
    const fromFile = configured === undefined ? secret(passwords.lookup(spec)) : undefined
    const password = configured ?? fromFile
    const passwordFromFile = fromFile !== undefined
    const tcp = (host: string, hostaddr: string | undefined): PgTarget =>
      Object.freeze({
        host,
        hostaddr,
        port: spec.port,
        isUnixSocket: false,
        socketPath: undefined,
        password,
        passwordFromFile
      })
    const unix = (dir: string): PgTarget =>
      Object.freeze({
        host: dir,
        hostaddr: undefined,
        port: spec.port,
        isUnixSocket: true,
        socketPath: socketPath(dir, spec.port),
        password,
        passwordFromFile
      })
    if (spec.hostaddr !== "") targets.push(tcp(spec.host, spec.hostaddr))
    else if (spec.host !== "") targets.push(isUnixSocketPath(spec.host) ? unix(spec.host) : tcp(spec.host, undefined))
    else if (system.defaultSocketDirs.length > 0) for (const dir of system.defaultSocketDirs) targets.push(unix(dir))
    else targets.push(tcp("localhost", undefined))
  }
  return targets
}
