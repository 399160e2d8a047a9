import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Option } from "effect"
import { PgClient } from "@pgfx/client"
import { pgServer } from "@pgfx/test/PgTestServer"
import { capture } from "../shared/capture.ts"
import { main } from "./main.ts"

const url = () => pgServer().connectionString()

/** Polls pg_stat_activity (on its own connection) until a `pg_sleep(3600)` is active; its pid. */
const waitForSleeper = Effect.gen(function*() {
  const sql = yield* PgClient
  for (let i = 0; i < 200; i++) {
    const row = yield* sql<{ pid: number }>`select pid from pg_stat_activity
      where state = 'active' and query = 'select pg_sleep(3600)' and pid <> pg_backend_pid() limit 1`.maybe
    if (Option.isSome(row)) return row.value.pid
    yield* Effect.sleep(25)
  }
  return -1
})

const activeQueries = (pid: number) =>
  PgClient.use((sql) =>
    sql<{ n: number }>`select count(*)::int4 as n from pg_stat_activity where pid = ${pid} and state = 'active'`.single
  )

describe("cancellation", () => {
  it("a timeout interrupts the query: it is gone from the server and the connection is reused", async () => {
    const layer = PgClient.layer(url())
    const [run, sleeper] = await Promise.all([
      capture(() => main(url(), ["--timeout", "1500"])),
      Effect.runPromise(waitForSleeper.pipe(Effect.provide(layer)))
    ])
    const { out, value } = run
    // it was really running on the server while we waited…
    assert.strictEqual(sleeper, value.pid)
    // …and it is not any more once the interruption has completed
    assert.strictEqual(value.outcome, "timeout")
    assert.isAtLeast(value.elapsed, 1490)
    assert.isBelow(value.elapsed, 4500)
    assert.strictEqual(value.stillRunning, 0)
    assert.strictEqual((await Effect.runPromise(activeQueries(value.pid).pipe(Effect.provide(layer)))).n, 0)
    assert.isTrue(value.samePid)
    assert.strictEqual(value.serverSide, "QueryCanceled (57014, statement timeout)")
    assert.match(out[1]!, /^timeout after \d+ ms; backend \d+ running a query now: no$/)
    assert.match(out[2]!, /^same connection, next query: 1 \+ 1 = 2 \(backend \d+\)$/)
  })

  it("Ctrl-C (SIGINT) interrupts the query in a child process running `pnpm example cancellation`", async () => {
    const runner = join(dirname(fileURLToPath(import.meta.url)), "..", "run.ts")
    const child = spawn(process.execPath, [runner, "cancellation", "--timeout", "60000"], {
      env: { ...process.env, DATABASE_URL: url() },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes("or press Ctrl-C")) resolve()
      })
      child.on("exit", () => reject(new Error(`exited early:\n${stdout}\n${stderr}`)))
    })
    const pid = Number(/backend (\d+)/.exec(stdout)![1])
    assert.strictEqual((await Effect.runPromise(activeQueries(pid).pipe(Effect.provide(PgClient.layer(url()))))).n, 1)
    child.kill("SIGINT")
    assert.strictEqual(await exited, 0, stderr)
    assert.match(stdout, /\nSIGINT after \d+ ms; backend \d+ running a query now: no\n/)
    assert.match(stdout, /same connection, next query: 1 \+ 1 = 2/)
  })
})
