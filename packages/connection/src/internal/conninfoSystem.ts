/**
 * Everything conninfo needs from the machine — environment, files, home directory, OS user —
 * behind one small record, so tests inject all of it and the parsers stay pure.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import type { FileStat } from "./conninfoPgpass.ts"

/**
 * Where conninfo gets its environment, files and defaults from. Every field is optional; the
 * defaults read the real process and file system.
 *
 * @category internal
 * @since 0.1.0
 */
export interface ParseOptions {
  /** Environment variables (`PG*`, `HOME`). Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** Reads a UTF-8 text file, `undefined` when missing/unreadable. Default: `fs.readFileSync`. */
  readonly readFile?: ((path: string) => string | undefined) | undefined
  /** `stat` of a file, `undefined` when missing. Default: `fs.statSync`. */
  readonly statFile?: ((path: string) => FileStat | undefined) | undefined
  /** Home directory for `~/.pgpass` and `~/.pg_service.conf`. Default: `HOME`, else `os.homedir()`. */
  readonly homeDir?: string | undefined
  /** OS user name, the default `user`. Default: `os.userInfo().username`. */
  readonly osUser?: string | undefined
  /**
   * Directory of the system-wide `pg_service.conf` when `PGSYSCONFDIR` is unset.
   * Default: `/etc/postgresql-common` (where Debian/Ubuntu's libpq looks).
   */
  readonly sysconfDir?: string | undefined
  /**
   * Unix-socket directories tried, in order, for a host left empty. Default:
   * `["/tmp", "/var/run/postgresql"]` (stock libpq's directory, then Debian/Ubuntu's); on
   * Windows `[]`, meaning TCP to `localhost`.
   */
  readonly defaultSocketDirs?: ReadonlyArray<string> | undefined
  /** Platform name, for the password-file permission rule. Default: `process.platform`. */
  readonly platform?: string | undefined
  /** Called with each warning (e.g. an ignored password file), besides `config.warnings`. */
  readonly onWarning?: ((message: string) => void) | undefined
}

/**
 * {@link ParseOptions} with every default filled in.
 *
 * @category internal
 * @since 0.1.0
 */
export interface System {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly readFile: (path: string) => string | undefined
  readonly statFile: (path: string) => FileStat | undefined
  readonly homeDir: string | undefined
  readonly osUser: string | undefined
  readonly sysconfDir: string
  readonly defaultSocketDirs: ReadonlyArray<string>
  readonly platform: string
  readonly onWarning: (message: string) => void
}

const readFileDefault = (path: string): string | undefined => {
  try {
    return Fs.readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

const statFileDefault = (path: string): FileStat | undefined => {
  try {
    const stat = Fs.statSync(path)
    return { isFile: stat.isFile(), mode: stat.mode & 0o7777 }
  } catch {
    return undefined
  }
}

const osUserDefault = (): string | undefined => {
  try {
    return Os.userInfo().username
  } catch {
    return undefined
  }
}

const homeDirDefault = (env: Readonly<Record<string, string | undefined>>): string | undefined => {
  const home = env.HOME
  if (home !== undefined && home !== "") return home
  try {
    return Os.homedir()
  } catch {
    return undefined
  }
}

/**
 * Fills the defaults of {@link ParseOptions} (reading the process only for what is not given).
 *
 * @category internal
 * @since 0.1.0
 */
export const resolveSystem = (options: ParseOptions | undefined): System => {
  const env = options?.env ?? process.env
  const platform = options?.platform ?? process.platform
  return {
    env,
    readFile: options?.readFile ?? readFileDefault,
    statFile: options?.statFile ?? statFileDefault,
    homeDir: options !== undefined && "homeDir" in options ? options.homeDir : homeDirDefault(env),
    osUser: options !== undefined && "osUser" in options ? options.osUser : osUserDefault(),
    sysconfDir: options?.sysconfDir ?? "/etc/postgresql-common",
    defaultSocketDirs: options?.defaultSocketDirs ??
      (platform === "win32" ? [] : ["/tmp", "/var/run/postgresql"]),
    platform,
    onWarning: options?.onWarning ?? (() => {})
  }
}

