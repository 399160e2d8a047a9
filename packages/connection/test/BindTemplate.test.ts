import { assert, describe, it } from "@effect/vitest"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import fc from "fast-check"
import { makeBindTemplate, writeBindExecuteSync } from "../src/internal/bindTemplate.ts"
import { typedParams } from "../src/internal/params.ts"

/** What the validating encoder writes for the same statement and values. */
const reference = (
  name: string,
  oids: ReadonlyArray<number>,
  resultFormats: ReadonlyArray<0 | 1>,
  values: ReadonlyArray<unknown>
): Uint8Array => {
  const bound = typedParams(oids.map((oid) => PgTypes.getOrText(PgTypes.builtins, oid)))
  return PgFrontend.makeEncoder(64)
    .bind("", name, bound.formats, values, resultFormats, bound.encoders)
    .execute("", 0)
    .sync()
    .take()
}

const viaTemplate = (
  name: string,
  oids: ReadonlyArray<number>,
  resultFormats: ReadonlyArray<0 | 1>,
  values: ReadonlyArray<unknown>
): Uint8Array => {
  const bound = typedParams(oids.map((oid) => PgTypes.getOrText(PgTypes.builtins, oid)))
  const template = makeBindTemplate(name, bound.formats, resultFormats, bound.encoders)
  const encoder = PgFrontend.makeEncoder(16)
  writeBindExecuteSync(encoder.writer, template, values)
  return encoder.take()
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

describe("bindTemplate", () => {
  it("writes exactly what bind + execute + sync write (fixed cases)", () => {
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<number>, ReadonlyArray<0 | 1>, ReadonlyArray<unknown>]> = [
      ["", [], [], []],
      ["pgfx_1", [], [1], []],
      ["pgfx_2", [Oid.int4], [1], [42]],
      ["pgfx_3", [Oid.int4, Oid.text, Oid.bool], [1, 0, 1], [null, "héllo", true]],
      ["pgfx_4", [Oid.int8, Oid.numeric], [], [undefined, "12.50"]]
    ]
    for (const [name, oids, formats, values] of cases) {
      assert.strictEqual(hex(viaTemplate(name, oids, formats, values)), hex(reference(name, oids, formats, values)))
    }
  })

  it("writes exactly what bind + execute + sync write (random values and formats)", () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: -2147483648, max: 2147483647 }))
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 20 }),
        fc.array(fc.constantFrom<0 | 1>(0, 1), { maxLength: 20 }),
        fc.nat({ max: 100000 }),
        (values, resultFormats, n) => {
          const oids = values.map(() => Oid.int4)
          const name = `pgfx_${n}`
          assert.strictEqual(hex(viaTemplate(name, oids, resultFormats, values)), hex(reference(name, oids, resultFormats, values)))
        }
      )
    )
  })

  it("throws what the value's encoder throws (the caller rolls back)", () => {
    const bound = typedParams([PgTypes.getOrText(PgTypes.builtins, Oid.int4)])
    const template = makeBindTemplate("pgfx_1", bound.formats, [1], bound.encoders)
    const encoder = PgFrontend.makeEncoder(16)
    assert.throws(() => writeBindExecuteSync(encoder.writer, template, ["not a number"]))
  })
})
