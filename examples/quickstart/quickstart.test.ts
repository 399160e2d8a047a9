import { assert, describe, it } from "@effect/vitest"
import { pgServer } from "@pgfx/test/PgTestServer"
import { capture } from "../shared/capture.ts"
import { main } from "./main.ts"

describe("quickstart", () => {
  it("inserts, decodes, rolls back a failed transaction and streams", async () => {
    const { out, value } = await capture(() => main(pgServer().connectionString(), ["--rows", "25000"]))
    assert.deepStrictEqual(value, { users: 3, afterRollback: 3n, streamed: 25_000, sum: (25_000 * 25_001) / 2 })
    assert.match(out[0]!, /^connected to PostgreSQL \d+/)
    assert.match(out[1]!, /#1 Ada +ada@example\.com +joined \d{4}-\d\d-\d\dT/)
    assert.isTrue(out.some((l) => /transaction rolled back: Key \(email\)=\(grace@example\.com\) already exists/.test(l)))
    assert.include(out, "still 3 users")
    assert.match(out.at(-1)!, /^streamed 25,000 rows in [\d.]+ s \([\d,]+ rows\/s\), sum 312512500$/)
  })
})
