import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as PgCopyBinary from "@pgfx/protocol/PgCopyBinary"
import { Oid } from "@pgfx/protocol/PgOid"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { PgWriter } from "@pgfx/protocol/PgWriter"
import { findFailingColumn, makeTupleBuilder, makeValuesBuilder } from "../src/internal/copyRows.ts"
import { TextDecodeFailure, TextEncodeFailure, TextRowDecoder, TextRowEncoder } from "../src/internal/copyText.ts"

const codecs = (...oids: ReadonlyArray<number>) => oids.map((oid) => PgTypes.getOrText(PgTypes.builtins, oid))
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const bytes = (s: string) => new TextEncoder().encode(s)

const throwsWith = (f: () => unknown, check: (e: unknown) => boolean): void => {
  try {
    f()
  } catch (e) {
    assert.isTrue(check(e), String(e))
    return
  }
  assert.fail("expected an exception")
}

/** Decodes text-format data pushed in the given pieces. */
const decodeText = (pieces: ReadonlyArray<Uint8Array>, cs = codecs(Oid.int4, Oid.text)) => {
  const decoder = new TextRowDecoder(cs, makeValuesBuilder([], "array"))
  const out: Array<unknown> = []
  for (const p of pieces) decoder.push(p, out)
  decoder.end()
  return out
}

describe("COPY text format", () => {
  it("encodes NULL as \\N and escapes backslash, newline, carriage return and tab", () => {
    const w = new PgWriter(8)
    const encoder = new TextRowEncoder(codecs(Oid.int4, Oid.text, Oid.text))
    encoder.write([1, "a\\b\nc\rd\te", null], undefined, w)
    encoder.write({ id: 2, s: "plain", t: undefined }, ["id", "s", "t"], w)
    assert.strictEqual(text(w.take()), "1\ta\\\\b\\nc\\rd\\te\t\\N\n2\tplain\t\\N\n")
  })

  it("a value its codec rejects is reported with its column; the writer is rolled back", () => {
    const w = new PgWriter(8)
    const encoder = new TextRowEncoder(codecs(Oid.int4, Oid.int2))
    encoder.write([1, 2], undefined, w)
    const before = w.length
    try {
      encoder.write([3, 99999], undefined, w)
      assert.fail("expected a failure")
    } catch (e) {
      assert.instanceOf(e, TextEncodeFailure)
      assert.strictEqual((e as TextEncodeFailure).column, 1)
    }
    assert.strictEqual(w.length, before)
  })

  it("decodes the server's escapes (\\b \\f \\n \\r \\t \\v, octal, hex) and \\N", () => {
    // as `copy (select E'…') to stdout` prints them, plus octal/hex forms COPY FROM accepts
    const rows = decodeText([bytes("1\ta\\tb\\nc\\\\d\\re\\bf\\fg\\vh\n2\t\\N\n3\t\\101\\x42\\x4\\7\n4\t\\\\N\n")])
    assert.deepStrictEqual(rows, [[1, "a\tb\nc\\d\re\bf\fg\vh"], [2, null], [3, "AB\x04\x07"], [4, "\\N"]])
  })

  it("any chunking gives the same rows; a partial last line or a wrong field count is an error", () => {
    const data = bytes("1\tünï\\tcode\n2\t\\N\n3\t\n")
    const whole = decodeText([data])
    assert.deepStrictEqual(whole, [[1, "ünï\tcode"], [2, null], [3, ""]])
    for (let i = 0; i <= data.length; i++) {
      for (let j = i; j <= data.length; j++) {
        assert.deepStrictEqual(decodeText([data.subarray(0, i), data.subarray(i, j), data.subarray(j)]), whole)
      }
    }
    throwsWith(() => decodeText([bytes("1\tx\n2\ty")]), (e: unknown) => e instanceof TextDecodeFailure && e.row === 1)
    throwsWith(() => decodeText([bytes("1\tx\tz\n")]), (e: unknown) => e instanceof TextDecodeFailure)
    throwsWith(() => decodeText([bytes("1\n")]), (e: unknown) => e instanceof TextDecodeFailure)
    throwsWith(
      () => decodeText([bytes("x\ty\n")]),
      (e: unknown) => e instanceof TextDecodeFailure && e.column === 0 && !e.message.includes("\"x\"")
    )
  })

  it("rows without columns are empty lines", () => {
    const w = new PgWriter(8)
    new TextRowEncoder([]).write([], undefined, w)
    assert.strictEqual(text(w.view()), "\n")
    assert.deepStrictEqual(decodeText([w.take()], []), [[]])
  })

  it("encode then decode is the identity for any strings (property)", () => {
    const encoder = new TextRowEncoder(codecs(Oid.int4, Oid.text, Oid.text))
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.option(fc.string({ unit: "grapheme", maxLength: 30 })), fc.option(fc.string({ unit: "binary", maxLength: 30 }).map((s) => s.replace(/[\uD800-\uDFFF]/g, "")))), { maxLength: 20 }),
        fc.integer({ min: 1, max: 50 }),
        (rows, piece) => {
          const w = new PgWriter(16)
          for (const row of rows) encoder.write(row, undefined, w)
          const all = w.take()
          const pieces: Array<Uint8Array> = []
          for (let i = 0; i < all.length; i += piece) pieces.push(all.subarray(i, i + piece))
          assert.deepStrictEqual(decodeText(pieces, codecs(Oid.int4, Oid.text, Oid.text)), rows.map((r) => [...r]))
        }
      ),
      { numRuns: 100 }
    )
  })
})

describe("COPY row builders", () => {
  const cs = codecs(Oid.int4, Oid.text, Oid.float8)
  const encoded = PgCopyBinary.encodeAll(cs, [[1, "a", 1.5], [null, null, null]])
  const tuples = (): Array<[Uint8Array, number]> => {
    const out: Array<[Uint8Array, number]> = []
    const decoder = PgCopyBinary.makeDecoder()
    if (encoded._tag !== "Success") throw new Error("encode failed")
    decoder.push(encoded.success, (b, start) => out.push([b, start]))
    return out
  }

  it("objects keyed by column name (last duplicate wins, __proto__ is an own key) and arrays", () => {
    const decoders = PgCopyBinary.fieldDecoders(cs)
    const asObject = makeTupleBuilder(["id", "na me", "id"], decoders, "object")
    const asArray = makeTupleBuilder(["id", "name", "f"], decoders, "array")
    const [[b1, s1], [b2, s2]] = tuples() as [[Uint8Array, number], [Uint8Array, number]]
    assert.deepStrictEqual(asObject(b1, s1), { id: 1.5, "na me": "a" })
    assert.deepStrictEqual(asArray(b1, s1), [1, "a", 1.5])
    assert.deepStrictEqual(asArray(b2, s2), [null, null, null])
    const proto = makeTupleBuilder(["__proto__", "b", "c"], decoders, "object")(b1, s1) as Record<string, unknown>
    assert.isTrue(Object.hasOwn(proto, "__proto__"))
    assert.strictEqual(Object.getPrototypeOf(proto), Object.prototype)
    assert.deepStrictEqual(makeValuesBuilder(["x", "y"], "object")([1, 2]), { x: 1, y: 2 })
  })

  it("finds the failing column", () => {
    const [[b1, s1]] = tuples() as [[Uint8Array, number]]
    const decoders = PgCopyBinary.fieldDecoders(cs)
    const failing = [decoders[0]!, () => {
      throw new Error("nope")
    }, decoders[2]!]
    assert.throws(() => makeTupleBuilder(["a", "b", "c"], failing, "array")(b1, s1))
    const found = findFailingColumn(b1, s1, failing)
    assert.strictEqual(found.index, 1)
    assert.strictEqual((found.cause as Error).message, "nope")
  })
})
