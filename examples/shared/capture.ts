/**
 * For the examples' tests: runs an async function while recording what it prints with
 * `console.log` / `console.error` (which is where Effect's default `Console` writes), and still
 * lets the lines through to the real console.
 *
 * @since 0.1.0
 */
import { vi } from "vitest"

/**
 * The result of `f` and the lines it printed: `out` (console.log) and `err` (console.error).
 *
 * @category testing
 * @since 0.1.0
 */
export const capture = async <A>(
  f: () => Promise<A>
): Promise<{ readonly value: A; readonly out: ReadonlyArray<string>; readonly err: ReadonlyArray<string> }> => {
  const out: Array<string> = []
  const err: Array<string> = []
  const log = vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
    out.push(args.map(String).join(" "))
  })
  const error = vi.spyOn(console, "error").mockImplementation((...args: Array<unknown>) => {
    err.push(args.map(String).join(" "))
  })
  try {
    return { value: await f(), out, err }
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
}
