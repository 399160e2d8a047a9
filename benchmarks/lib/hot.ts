/**
 * "Hot" mode: two lowest-priority busy loops (`nice -n 19`) that keep the vCPUs from idling, so
 * round trips are not dominated by vCPU wake-up latency. They are killed by pid when the run ends
 * (also on exit and on SIGINT/SIGTERM).
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"

/**
 * Starts `count` spinners; returns the function that stops them.
 *
 * @category hot mode
 * @since 0.1.0
 */
export const startSpinners = (count: number): (() => void) => {
  const spinners: Array<ChildProcess> = []
  for (let i = 0; i < count; i++) {
    const child = spawn("nice", ["-n", "19", "sh", "-c", "while :; do :; done"], { stdio: "ignore" })
    child.on("error", () => {})
    spinners.push(child)
  }
  const stop = (): void => {
    for (const child of spinners) {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(child.pid, "SIGKILL")
        } catch {
          // already gone
        }
      }
    }
    spinners.length = 0
  }
  process.once("exit", stop)
  return stop
}
