/**
 * Which OS user runs the embedded server. PostgreSQL refuses to start as root, so when the tests
 * run as root (as CI does) the server runs as the `postgres` OS user when it exists, else as a
 * system user `pgfx` created on first use (`PGFX_SERVER_OS_USER` names another user, created if
 * missing). As a normal user nothing changes.
 *
 * @since 0.1.0
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import type { RunAs } from "./processes.ts"

const lookup = (name: string): RunAs | undefined => {
  let passwd: string
  try {
    passwd = readFileSync("/etc/passwd", "utf8")
  } catch {
    return undefined
  }
  for (const line of passwd.split("\n")) {
    const fields = line.split(":")
    if (fields[0] === name && fields.length >= 7) {
      const uid = Number(fields[2])
      const gid = Number(fields[3])
      if (Number.isInteger(uid) && Number.isInteger(gid) && uid !== 0) {
        return { name, uid, gid, home: fields[5] ?? "/" }
      }
    }
  }
  return undefined
}

const createSystemUser = (name: string): void => {
  try {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name], {
      stdio: ["ignore", "pipe", "pipe"]
    })
  } catch (error) {
    // a concurrent run may have created it in the meantime
    if (lookup(name) !== undefined) return
    const stderr = (error as { stderr?: Buffer }).stderr?.toString("utf8") ?? ""
    throw new Error(
      `running as root: PostgreSQL refuses to run as root, there is no "postgres" OS user, and ` +
        `"useradd --system ${name}" failed: ${stderr.trim() || String(error)}`,
      { cause: error }
    )
  }
}

/**
 * `undefined` when the current process is not root (run the server as ourselves); otherwise the
 * non-root identity to run it as, creating the `pgfx` system user if needed.
 *
 * @category os
 * @since 0.1.0
 */
export const serverRunAs = (): RunAs | undefined => {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined
  const wanted = process.env.PGFX_SERVER_OS_USER
  const existing = wanted === undefined || wanted === "" ? (lookup("postgres") ?? lookup("pgfx")) : lookup(wanted)
  if (existing !== undefined) return existing
  const name = wanted === undefined || wanted === "" ? "pgfx" : wanted
  createSystemUser(name)
  const created = lookup(name)
  if (created === undefined) throw new Error(`created system user "${name}" but cannot find it in /etc/passwd`)
  return created
}
