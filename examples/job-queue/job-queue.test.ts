import { assert, describe, it } from "@effect/vitest"
import { pgServer } from "@pgfx/test/PgTestServer"
import { capture } from "../shared/capture.ts"
import { main } from "./main.ts"

describe("job-queue", () => {
  it("every job is processed exactly once by competing workers", async () => {
    const { out, value } = await capture(() => main(pgServer().connectionString(), ["--jobs", "300", "--workers", "5", "--work", "1"]))
    assert.strictEqual(value.done, 300)
    assert.strictEqual(value.runs, 300)
    assert.strictEqual(value.distinctJobs, 300)
    assert.strictEqual(value.processed.length, 5)
    assert.strictEqual(value.processed.reduce((a, b) => a + b, 0), 300)
    assert.strictEqual(value.rescans, 0)
    assert.include(out, "check: 300 done, 300 runs of 300 distinct jobs")
  })

  it("a lost listener connection is a Reconnected gap: workers rescan and nothing is lost or repeated", async () => {
    const { out, value } = await capture(() =>
      main(pgServer().connectionString(), ["--jobs", "400", "--workers", "3", "--work", "0", "--disrupt", "1"])
    )
    assert.strictEqual(value.done, 400)
    assert.strictEqual(value.runs, 400)
    assert.strictEqual(value.distinctJobs, 400)
    assert.strictEqual(value.processed.reduce((a, b) => a + b, 0), 400)
    assert.strictEqual(value.rescans, 3) // one Reconnected per worker stream
    assert.isTrue(out.some((l) => l.startsWith("killing the listener connection")))
    assert.isTrue(out.some((l) => /^worker \d: listener reconnected, rescanning the queue$/.test(l)))
  })
})
