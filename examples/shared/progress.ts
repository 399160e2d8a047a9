/**
 * A one-line text progress bar for the examples, on stderr: bar and percentage (when the total
 * is known), bytes and bytes/s (when counted), rows and rows/s. It redraws at most every 100 ms
 * and only on a terminal: when stderr is not a TTY (a pipe, a CI log, a test) it prints nothing.
 *
 * @since 0.1.0
 */

/**
 * @category models
 * @since 0.1.0
 */
export interface ProgressOptions {
  /** Shown first on the line. */
  readonly label: string
  /** The amount that is 100%, in `unit`s: the bar and percentage need it. */
  readonly total?: number | undefined
  /** What `total` counts (default `rows`). */
  readonly unit?: "rows" | "bytes" | undefined
  /** Where to draw (default `process.stderr`). */
  readonly output?: { readonly isTTY?: boolean | undefined; write(chunk: string): unknown } | undefined
  /** Milliseconds between redraws (default 100). */
  readonly interval?: number | undefined
}

/**
 * @category models
 * @since 0.1.0
 */
export interface Progress {
  /** Whether anything is drawn. */
  readonly enabled: boolean
  /** Adds to the counts; redraws when the interval has passed. Cheap enough to call per row. */
  readonly add: (rows: number, bytes?: number) => void
  /** Draws the final state and ends the line. */
  readonly finish: () => void
}

const width = 30

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`

const count = (n: number): string => Math.round(n).toLocaleString("en-US")

/**
 * A progress line (see the module documentation).
 *
 * @category constructors
 * @since 0.1.0
 */
export const progress = (options: ProgressOptions): Progress => {
  const output = options.output ?? process.stderr
  const enabled = output.isTTY === true
  const interval = options.interval ?? 100
  const started = performance.now()
  let rows = 0
  let bytes = 0
  let last = 0
  const draw = (now: number): void => {
    const seconds = Math.max((now - started) / 1000, 1e-3)
    const parts: Array<string> = [options.label]
    const total = options.total
    if (total !== undefined && total > 0) {
      const done = Math.min(1, (options.unit === "bytes" ? bytes : rows) / total)
      const filled = Math.round(done * width)
      parts.push(`[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}%`)
    }
    if (bytes > 0) parts.push(`${mb(bytes)} at ${mb(bytes / seconds)}/s`)
    parts.push(`${count(rows)} rows at ${count(rows / seconds)} rows/s`)
    output.write(`\r${parts.join("  ")}\u001b[K`)
  }
  return {
    enabled,
    add: (r, b = 0) => {
      rows += r
      bytes += b
      if (!enabled) return
      const now = performance.now()
      if (now - last >= interval) {
        last = now
        draw(now)
      }
    },
    finish: () => {
      if (!enabled) return
      draw(performance.now())
      output.write("\n")
    }
  }
}
