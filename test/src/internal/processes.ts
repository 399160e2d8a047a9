/**
 * Child-process helpers for the embedded server harness: run a program (optionally as another OS
 * user, via `spawn`'s `uid`/`gid`), capture its output, feed it stdin, and report failures with the
 * tail of the output. Also a sleep that works in synchronous exit handlers.
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"

/**
 * An OS identity to run server programs as (PostgreSQL refuses to run as root).
 *
 * @category models
 * @since 0.1.0
 */
export interface RunAs {
  readonly name: string
  readonly uid: number
  readonly gid: number
  readonly home: string
}

/**
 * The outcome of one program run.
 *
 * @category models
 * @since 0.1.0
 */
export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}

/**
 * Options for {@link run}.
 *
 * @category models
 * @since 0.1.0
 */
export interface RunOptions {
  readonly runAs?: RunAs | undefined
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  readonly stdin?: string | undefined
  readonly timeoutMs?: number | undefined
}

/**
 * Runs `command args…`, collecting stdout and stderr interleaved. Never rejects for a non-zero exit:
 * the caller decides what a failure means (and which log tail to show).
 *
 * @category running
 * @since 0.1.0
 */
export const run = (command: string, args: ReadonlyArray<string>, options: RunOptions): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args as Array<string>, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.runAs === undefined ? {} : { uid: options.runAs.uid, gid: options.runAs.gid })
    })
    const chunks: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk))
    const timer = options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
    child.once("error", (error) => {
      if (timer !== undefined) clearTimeout(timer)
      reject(error)
    })
    child.once("close", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      resolve({ code, signal, output: Buffer.concat(chunks).toString("utf8") })
    })
    child.stdin.on("error", () => {
      // the program may exit before reading all of stdin; its exit status tells what happened
    })
    child.stdin.end(options.stdin ?? "")
  })

/**
 * The last `lines` non-empty lines of `text`, for error messages.
 *
 * @category formatting
 * @since 0.1.0
 */
export const tail = (text: string, lines = 30): string =>
  text.split("\n").filter((line) => line.trim() !== "").slice(-lines).join("\n")

const sleepCell = new Int32Array(new SharedArrayBuffer(4))

/**
 * Blocks the thread for `ms` milliseconds. Only for `process.on("exit")` handlers, where nothing
 * asynchronous runs any more.
 *
 * @category running
 * @since 0.1.0
 */
export const sleepSync = (ms: number): void => {
  Atomics.wait(sleepCell, 0, 0, ms)
}

/**
 * Whether a process with this pid exists (signal 0 probe; EPERM means it exists).
 *
 * @category running
 * @since 0.1.0
 */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}
