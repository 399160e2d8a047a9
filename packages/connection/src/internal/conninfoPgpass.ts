/**
 * The password file (`~/.pgpass` or `PGPASSFILE`): lines of
 * `hostname:port:database:username:password`.
 *
 * Rules (libpq's): a trailing `\r` is dropped; empty lines and lines starting with `#` are
 * skipped; each of the first four fields is `*` (any value) or must equal the connection's
 * value, with `\:` and `\\` escaping; the password is the rest of the line up to an unescaped
 * `:`, de-escaped; the first matching line wins (an empty password there means "none"). Lines
 * with fewer fields never match. The file is ignored, with a warning, when it is not a plain
 * file or (outside Windows) when group or others have any access (`mode & 0o077`).
 *
 * @since 0.1.0
 */

const BACKSLASH = 92
const COLON = 58

/**
 * Matches one field starting at `pos`; returns the index after its `:` separator, or -1.
 */
const matchField = (line: string, pos: number, token: string): number => {
  if (line.charCodeAt(pos) === 42 /* * */ && line.charCodeAt(pos + 1) === COLON) return pos + 2
  let i = pos
  let t = 0
  while (i < line.length) {
    let escaped = false
    if (line.charCodeAt(i) === BACKSLASH) {
      i++
      escaped = true
    }
    const code = i < line.length ? line.charCodeAt(i) : -1
    if (code === COLON && t === token.length && !escaped) return i + 1
    if (t === token.length || code !== token.charCodeAt(t)) return -1
    i++
    t++
  }
  return -1
}

/** The de-escaped password starting at `pos`, up to an unescaped `:` or the end. */
const readPassword = (line: string, pos: number): string => {
  let password = ""
  for (let i = pos; i < line.length; i++) {
    let code = line.charCodeAt(i)
    if (code === COLON) break
    if (code === BACKSLASH && i + 1 < line.length) {
      i++
      code = line.charCodeAt(i)
    }
    password += line[i]
  }
  return password
}

/**
 * What a password-file lookup is for: host (`localhost` for the default socket directory),
 * port text, database and user name.
 *
 * @category internal
 * @since 0.1.0
 */
export interface PassfileKey {
  readonly host: string
  readonly port: string
  readonly database: string
  readonly user: string
}

/**
 * The password of the first line matching `key`: a string, `""` when that line's password is
 * empty, or `undefined` when no line matches.
 *
 * @category internal
 * @since 0.1.0
 */
export const findPassword = (text: string, key: PassfileKey): string | undefined => {
  for (const rawLine of text.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine
    if (line === "" || line[0] === "#") continue
    let pos = matchField(line, 0, key.host)
    if (pos < 0) continue
    pos = matchField(line, pos, key.port)
    if (pos < 0) continue
    pos = matchField(line, pos, key.database)
    if (pos < 0) continue
    pos = matchField(line, pos, key.user)
    if (pos < 0) continue
    return readPassword(line, pos)
  }
  return undefined
}

/**
 * What `stat` says about a file, as far as the password-file checks care.
 *
 * @category internal
 * @since 0.1.0
 */
export interface FileStat {
  readonly isFile: boolean
  /** Permission bits (`st_mode & 0o7777`). */
  readonly mode: number
}

/**
 * Why a password file must be ignored (libpq's warning text), or `undefined` when it may be read.
 *
 * @category internal
 * @since 0.1.0
 */
export const passfileProblem = (path: string, stat: FileStat, platform: string): string | undefined => {
  if (!stat.isFile) return `password file "${path}" is not a plain file`
  if (platform !== "win32" && (stat.mode & 0o077) !== 0) {
    return `password file "${path}" has group or world access; permissions should be u=rw (0600) or less`
  }
  return undefined
}
