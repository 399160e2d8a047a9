/**
 * The machine a run happened on: CPU model (`/proc/cpuinfo`), vCPUs, memory, Node version, load.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import * as os from "node:os"

/**
 * @category machine
 * @since 0.1.0
 */
export const cpuModel = (): string => {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"))
    if (line !== undefined) return line.slice(line.indexOf(":") + 1).trim()
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? "unknown CPU"
}

/**
 * @category machine
 * @since 0.1.0
 */
export const machineFacts = () => ({
  cpu: cpuModel(),
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 1073741824),
  node: process.versions.node,
  loadAverage: os.loadavg()
})
