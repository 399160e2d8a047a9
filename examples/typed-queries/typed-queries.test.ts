import { assert, describe, it } from "@effect/vitest"
import { pgServer } from "@pgfx/test/PgTestServer"
import { capture } from "../shared/capture.ts"
import { main } from "./main.ts"

describe("typed-queries", () => {
  it("decodes typed rows and turns each failure into its typed error", async () => {
    const { out, value } = await capture(() => main(pgServer().connectionString(), []))
    // int8 ids are bigints; numeric sums exactly
    assert.deepStrictEqual(value.inserted, [1n, 2n, 3n])
    assert.strictEqual(value.total, "3.6")
    assert.strictEqual(out[3], "sum of prices: 3.6 as BigDecimal (as JS numbers: 3.5999999999999996)")
    assert.match(out[0]!, /^inserted #1 \(bigint\) TEA-1 at 0\.1, \d{4}-\d\d-\d\dT[\d:.]+Z$/)
    // the duplicate was caught by reason, with the server's details
    assert.strictEqual(value.duplicate, "refused by typed_products_sku_key: Key (sku)=(TEA-1) already exists.")
    // no row: Option.none vs NoSuchElementError
    assert.isTrue(value.missing)
    assert.strictEqual(value.single, "NoSuchElementError: expected exactly one row, got 0")
    // the schema rejected row 2's column, and said where
    assert.match(value.decoded, /^SchemaError: timestamptz infinity cannot be represented as a DateTime\.Utc/)
    assert.include(value.decoded, `at [2]["discontinued"]`)
    assert.strictEqual(value.lenient, "infinity")
  })
})
