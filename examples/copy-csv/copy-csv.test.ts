import { assert, describe, it } from "@effect/vitest"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { PgClient } from "@pgfx/client"
import { pgServer } from "@pgfx/test/PgTestServer"
import { capture } from "../shared/capture.ts"
import { main } from "./main.ts"

const url = () => pgServer().connectionString()

describe("copy-csv", () => {
  it("generates a CSV and loads every row, quoting intact", async () => {
    const rows = 12_345
    const { out, value } = await capture(() => main(url(), ["--rows", String(rows)]))
    assert.strictEqual(value.copied, rows)
    assert.strictEqual(value.rows, BigInt(rows))
    assert.strictEqual(value.quoted, BigInt(Math.floor(rows / 10)))
    let cents = 0
    for (let i = 1; i <= rows; i++) cents += i % 100_000
    assert.strictEqual(value.total, (cents / 100).toFixed(2))
    assert.match(out[0]!, /^generated 12,345 rows into .*items\.csv$/)
    assert.match(out[1]!, /^loaded 12,345 rows \([\d.]+ MB\) in [\d.]+ s: [\d,]+ rows\/s, [\d.]+ MB\/s$/)
  })

  it("loads a given file; a bad row fails the whole COPY and loads nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pgfx-copy-csv-test-"))
    try {
      const good = join(dir, "good.csv")
      await writeFile(good, "id,name,email,amount,created\n1,\"a, b\",a@x,1.50,2024-01-01T00:00:00Z\n2,c,c@x,2,2024-01-02 10:00+02\n")
      const { value } = await capture(() => main(url(), ["--path", good]))
      assert.deepStrictEqual(value, { copied: 2, rows: 2n, quoted: 0n, total: "3.50", bytes: value.bytes })

      const bad = join(dir, "bad.csv")
      await writeFile(bad, "id,name,email,amount,created\n1,a,a@x,1,2024-01-01Z\n2,b,b@x,not a number,2024-01-01Z\n")
      const error = await capture(() => main(url(), ["--path", bad])).then(
        () => assert.fail("expected the COPY to fail"),
        (e: unknown) => e
      )
      assert.match(String(error), /invalid input syntax for type numeric: "not a number"/)
      // the good first row was not committed either: the table is empty
      const count = await Effect.runPromise(
        PgClient.use((sql) => sql<{ n: number }>`select count(*)::int4 as n from copy_csv_items`.single).pipe(
          Effect.provide(PgClient.layer(url()))
        )
      )
      assert.strictEqual(count.n, 0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
