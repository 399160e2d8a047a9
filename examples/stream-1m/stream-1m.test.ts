import { assert, describe, it } from "@effect/vitest"
import { pgServer } from "@pgfx/test/PgTestServer"
import { capture } from "../shared/capture.ts"
import { main } from "./main.ts"

describe("stream-1m", () => {
  it("streams every row once, in bounded memory", async () => {
    const rows = 200_000
    const { out, value } = await capture(() => main(pgServer().connectionString(), ["--rows", String(rows), "--batch", "500"]))
    assert.strictEqual(value.rows, rows)
    // sum of ids plus three tags per row: a lost, repeated or reordered-away row changes it
    assert.strictEqual(value.checksum, (rows * (rows + 1)) / 2 + 3 * rows)
    assert.isAbove(value.rowsPerSecond, 0)
    // Materialising 200k such rows keeps ~60 MB alive; a stream keeps one batch.
    assert.isBelow(value.liveHeapGrowthMB, 32, `live heap grew by ${value.liveHeapGrowthMB} MB`)
    assert.isBelow(value.peakRssGrowthMB, 256, `RSS grew by ${value.peakRssGrowthMB} MB`)
    assert.match(out[0]!, /^streamed 200,000 rows in [\d.]+ s \([\d,]+ rows\/s, batches of 500\)$/)
    assert.match(out[1]!, /^memory: peak RSS \+[\d.]+ MB, live heap \+[\d.]+ MB$/)
  })
})
