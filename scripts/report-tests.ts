/**
 * The root `test` script: runs vitest with its default (human) reporter plus a JSON reporter
 * writing `.pgfx/vitest-report.json`, then prints one closing line that CI reads:
 *
 *     tests: 123 passed, 0 failed, 2 skipped
 *
 * and exits with vitest's exit code — or 1 when a test file failed to load, vitest wrote no
 * report, or no test ran at all. Extra arguments go to vitest (`pnpm test --project unit`).
 * `--report-only [file]` skips running and only summarises an existing report.
 * `PGFX_TEST_TIMEOUT_SECONDS` (CI sets 1500) stops vitest after that long and reports the run as
 * failed, so a hung test cannot eat CI's whole time budget without a summary line.
 *
 * @since 0.1.0
 */
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, rmSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The fields of vitest's JSON report that the summary uses.
 *
 * @category models
 * @since 0.1.0
 */
export interface VitestJsonReport {
  readonly numPassedTests: number
  readonly numFailedTests: number
  readonly numPendingTests: number
  readonly numTodoTests: number
  readonly testResults: ReadonlyArray<{
    readonly name: string
    readonly status: string
    readonly message: string
    readonly assertionResults: ReadonlyArray<{ readonly status: string }>
  }>
}

/**
 * The closing line, explanations to print before it, and the exit code.
 *
 * @category models
 * @since 0.1.0
 */
export interface Summary {
  readonly passed: number
  readonly failed: number
  readonly skipped: number
  readonly notes: ReadonlyArray<string>
  readonly exitCode: number
  readonly line: string
}

/**
 * Summarises a report (or its absence) and vitest's exit code. A test file that failed without
 * a failing test (it did not load) counts as one failure; so does a failing exit code with no
 * failure in the report (e.g. an unhandled error), and a missing report.
 *
 * @category summarising
 * @since 0.1.0
 */
export const summarize = (report: VitestJsonReport | undefined, vitestExitCode: number): Summary => {
  const notes: Array<string> = []
  let passed = 0
  let failed = 0
  let skipped = 0
  if (report === undefined) {
    failed = 1
    notes.push(`vitest wrote no JSON report (exit code ${vitestExitCode}); counting the run as one failure`)
  } else {
    passed = report.numPassedTests
    failed = report.numFailedTests
    skipped = report.numPendingTests + report.numTodoTests
    for (const file of report.testResults) {
      if (file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")) {
        failed += 1
        const reason = file.message.split("\n")[0] ?? ""
        notes.push(`test file failed outside any test: ${file.name}${reason === "" ? "" : ` — ${reason}`}`)
      }
    }
    if (vitestExitCode !== 0 && failed === 0) {
      failed = 1
      notes.push(`vitest exited with code ${vitestExitCode} although no test failed (unhandled error?); counting one failure`)
    }
  }
  let exitCode = vitestExitCode !== 0 ? vitestExitCode : failed > 0 ? 1 : 0
  if (passed + failed === 0) {
    notes.push("no test ran")
    exitCode = exitCode === 0 ? 1 : exitCode
  }
  const line = `tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`
  return { passed, failed, skipped, notes, exitCode, line }
}

const readReport = (file: string): VitestJsonReport | undefined => {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as VitestJsonReport
  } catch {
    return undefined
  }
}

const runVitest = (root: string, reportFile: string, args: ReadonlyArray<string>): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        path.join(root, "node_modules", "vitest", "vitest.mjs"),
        "run",
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${reportFile}`,
        ...args
      ],
      { cwd: root, stdio: "inherit" }
    )
    const forward = (signal: NodeJS.Signals) => child.kill(signal)
    process.on("SIGINT", forward)
    process.on("SIGTERM", forward)
    const deadline = Number(process.env.PGFX_TEST_TIMEOUT_SECONDS ?? 0)
    const timer = deadline > 0
      ? setTimeout(() => {
        console.error(`\nreport-tests: vitest still running after ${deadline}s (PGFX_TEST_TIMEOUT_SECONDS); stopping it`)
        child.kill("SIGTERM")
        setTimeout(() => child.kill("SIGKILL"), 15_000).unref()
      }, deadline * 1000)
      : undefined
    child.once("error", (error) => {
      console.error(`could not start vitest: ${error.message}`)
      resolve(1)
    })
    child.once("close", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      process.off("SIGINT", forward)
      process.off("SIGTERM", forward)
      resolve(code ?? 128 + (signal === null ? 1 : (os.constants.signals[signal] ?? 1)))
    })
  })

const main = async (): Promise<void> => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
  const args = process.argv.slice(2)
  let reportFile = path.join(root, ".pgfx", "vitest-report.json")
  let exitCode: number
  if (args[0] === "--report-only") {
    if (args[1] !== undefined) reportFile = path.resolve(args[1])
    exitCode = 0
  } else {
    mkdirSync(path.dirname(reportFile), { recursive: true })
    rmSync(reportFile, { force: true })
    exitCode = await runVitest(root, reportFile, args)
  }
  const summary = summarize(readReport(reportFile), exitCode)
  for (const note of summary.notes) console.log(`note: ${note}`)
  console.log(summary.line)
  process.exitCode = summary.exitCode
}

if (import.meta.main) await main()
