import { assert, describe, it } from "@effect/vitest"
import { pgServer } from "@pgfx/test/PgTestServer"
import { capture } from "../shared/capture.ts"
import { main } from "./main.ts"

describe("serializable-retry", () => {
  it("every round loses one serialization race, retries it, and no increment is lost", async () => {
    const { out, value } = await capture(() => main(pgServer().connectionString(), ["--rounds", "4"]))
    assert.deepStrictEqual(value, { rounds: 4, value: 8, expected: 8, retries: 4 })
    const failures = out.filter((l) => /attempt 1 failed: SerializationFailure: could not serialize access/.test(l))
    assert.strictEqual(failures.length, 4)
    assert.strictEqual(out.filter((l) => l.endsWith("committed on attempt 2")).length, 4)
    assert.strictEqual(out.at(-1), "counter = 8 after 4 rounds of 2 increments (4 retries)")
  })
})
