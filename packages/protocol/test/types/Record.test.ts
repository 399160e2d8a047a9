import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as PgCodec from "../../src/PgCodec.ts"
import { readInt64 } from "../../src/internal/bytes.ts"
import { arrayCodec } from "../../src/internal/types/array.ts"
import { compositeCodec, recordCodec } from "../../src/internal/types/record.ts"
import { decodeHex, encodeHex, fromHex, int4, text, textLike, throwsCodecError } from "./helpers.ts"

// Local field codecs (int4, text and textLike come from ./helpers.ts).
const int8: PgCodec.Codec<bigint> = PgCodec.make({
  oid: 20,
  name: "int8",
  decodeBinary: (b, o, l) => (l === 8 ? readInt64(b, o) : PgCodec.fail("int8 must be 8 bytes", 20, "int8")),
  encodeBinary: (v, w) => {
    w.i64(v)
  },
  decodeText: (t) => BigInt(t.trim()),
  encodeText: (v) => String(v)
})
const unknown = textLike(705, "unknown")
const int8Array = arrayCodec(int8, 1016, "_int8")

const lookup = (codecs: ReadonlyArray<PgCodec.Codec>) => (oid: number) => codecs.find((c) => c.oid === oid)
const record = recordCodec(lookup([int4, text, unknown]))

// create type g_comp as (a int4, b text, c int8[])
const gComp = compositeCodec(16446, "g_comp", [
  { name: "a", type: int4 },
  { name: "b", type: text },
  { name: "c", type: int8Array }
])

// select encode(record_send(row(1,'a',null)),'hex')   ('a' and null are of type unknown, OID 705)
const rowGolden = "00000003000000170000000400000001000002c10000000161000002c1ffffffff"
// select encode(record_send(row(7,'hi','{1,2}')::g_comp),'hex')
const compGolden =
  "0000000300000017000000040000000700000019000000026869000003f80000002c0000000100000000000000140000000200000001000000080000000000000001000000080000000000000002"

describe("anonymous record", () => {
  it("decodes record_send output by field OIDs", () => {
    assert.deepStrictEqual(decodeHex(record, rowGolden), [1, "a", null])
  })

  it("returns a copy of the bytes of fields with no binary decoder", () => {
    const bare = recordCodec(lookup([int4]))
    const inner = fromHex(rowGolden)
    const out = bare.decodeBinary!(inner, 0, inner.length)
    assert.deepStrictEqual(out, [1, new Uint8Array([0x61]), null])
    const bytes = out[1] as Uint8Array
    assert.notStrictEqual(bytes.buffer, inner.buffer)
  })

  it("decodes the text form into strings", () => {
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<string | null>]> = [
      // select row(1,'a b',null)::text
      ["(1,\"a b\",)", ["1", "a b", null]],
      // select row('',null)::text
      ["(\"\",)", ["", null]],
      // select row(null,null)::text
      ["(,)", [null, null]],
      // select row('a"b','c\d','(x)', 'e,f')::text
      ["(\"a\"\"b\",\"c\\\\d\",\"(x)\",\"e,f\")", ["a\"b", "c\\d", "(x)", "e,f"]],
      // select row(null)::text
      ["()", [null]]
    ]
    for (const [printed, fields] of cases) {
      assert.deepStrictEqual(record.decodeText(printed), fields, printed)
      assert.strictEqual(record.encodeText(fields), printed === "()" ? "()" : printed)
    }
    // record_in: white space is kept, quoted and unquoted runs mix, backslash escapes
    assert.deepStrictEqual(record.decodeText(" ( 1 , \"a\" ,) "), [" 1 ", " a ", null])
    assert.deepStrictEqual(record.decodeText("(a\"b,c\"d,\\,)"), ["ab,cd", ","])
  })

  it("encodes text from primitives and refuses binary", () => {
    assert.strictEqual(record.encodeText([1, 2n, true, "x y", null, undefined]), "(1,2,true,\"x y\",,)")
    throwsCodecError(() => record.encodeText([{}]))
    throwsCodecError(() => encodeHex(record, [1]))
  })

  it("rejects malformed input", () => {
    for (const bad of ["", "1,2", "(1,2", "(1,2)x", "(\"a)", "(a\\", "(", "x(1)"]) {
      throwsCodecError(() => record.decodeText(bad))
    }
    for (
      const bad of [
        "000000",
        "ffffffff",
        "00000002000000170000000400000001",
        "000000010000001700000004000000",
        "0000000100000017fffffffe",
        "000000010000001700000008000000010000",
        "00000000ff",
        "00000001000000170000000200000001"
      ]
    ) {
      throwsCodecError(() => decodeHex(record, bad))
    }
  })
})

describe("composite", () => {
  const value = { a: 7, b: "hi", c: [1n, 2n] }

  it("decodes and encodes the binary golden", () => {
    assert.deepStrictEqual(decodeHex(gComp, compGolden), value)
    assert.strictEqual(encodeHex(gComp, value), compGolden)
  })

  it("decodes and encodes the text form", () => {
    // select row(7,'hi','{1,2}')::g_comp::text
    assert.deepStrictEqual(gComp.decodeText("(7,hi,\"{1,2}\")"), value)
    assert.strictEqual(gComp.encodeText(value), "(7,hi,\"{1,2}\")")
    // select row(null,'',null)::g_comp::text
    assert.deepStrictEqual(gComp.decodeText("(,\"\",)"), { a: null, b: "", c: null })
    assert.strictEqual(gComp.encodeText({ a: null, b: "" }), "(,\"\",)")
    // select ' ( 1 , "a" ,) '::g_comp::text → (1," a ",)
    assert.deepStrictEqual(gComp.decodeText(" ( 1 , \"a\" ,) "), { a: 1, b: " a ", c: null })
  })

  it("encodes missing fields as NULL in binary", () => {
    assert.deepStrictEqual(decodeHex(gComp, encodeHex(gComp, { b: "x" })), { a: null, b: "x", c: null })
  })

  it("works as an array element", () => {
    // select encode(array_send(array[row(1,'x',null)::g_comp, null]),'hex')
    const golden =
      "00000001000000010000403e00000002000000010000002100000003000000170000000400000001000000190000000178000003f8ffffffffffffffff"
    const arr = arrayCodec(gComp, 16445, "_g_comp")
    assert.deepStrictEqual(decodeHex(arr, golden), [{ a: 1, b: "x", c: null }, null])
    assert.strictEqual(encodeHex(arr, [{ a: 1, b: "x", c: null }, null]), golden)
    // select array[row(1,'x y',null)::g_comp, null]::text
    assert.deepStrictEqual(arr.decodeText("{\"(1,\\\"x y\\\",)\",NULL}"), [{ a: 1, b: "x y", c: null }, null])
    assert.strictEqual(arr.encodeText([{ a: 1, b: "x y", c: null }, null]), "{\"(1,\\\"x y\\\",)\",NULL}")
  })

  it("has binary only when every field has it", () => {
    const textOnly = PgCodec.make<string>({ oid: 1033, name: "aclitem", decodeText: (t) => t, encodeText: (v) => v })
    const c = compositeCodec(1, "c", [{ name: "x", type: int4 }, { name: "y", type: textOnly }])
    assert.isUndefined(c.decodeBinary)
    assert.isUndefined(c.encodeBinary)
    assert.deepStrictEqual(c.decodeText("(1,\"a=r/b\")"), { x: 1, y: "a=r/b" })
  })

  it("handles a zero-column type", () => {
    const none = compositeCodec(2, "none", [])
    assert.deepStrictEqual(none.decodeText("()"), {})
    assert.strictEqual(none.encodeText({}), "()")
    assert.deepStrictEqual(decodeHex(none, "00000000"), {})
  })

  it("rejects wrong field counts and types", () => {
    // two fields where three are declared
    throwsCodecError(() => decodeHex(gComp, "00000002000000170000000400000007000000190000000268690000"))
    // field a sent as text (OID 25)
    throwsCodecError(() => decodeHex(gComp, compGolden.replace("0000000300000017", "0000000300000019")))
    throwsCodecError(() => decodeHex(gComp, compGolden + "00"))
    throwsCodecError(() => decodeHex(gComp, compGolden.slice(0, -4)))
    throwsCodecError(() => gComp.decodeText("(1,2)"))
    throwsCodecError(() => gComp.decodeText("(1,2,3,4)"))
    throwsCodecError(() => gComp.decodeText("(x,2,)"))
    throwsCodecError(() => gComp.encodeText(null as any))
    throwsCodecError(() => encodeHex(gComp, 3 as any))
  })
})

describe("record properties", () => {
  const field = fc.oneof(
    fc.string({ unit: "grapheme" }),
    fc.constantFrom("", " ", "\"", "\\", ",", "(", ")", "a b", "\"\"", "\t", "NULL")
  )

  it("anonymous record text round-trips strings and NULLs", () => {
    fc.assert(
      fc.property(fc.array(fc.option(field, { nil: null }), { minLength: 2, maxLength: 6 }), (fields) => {
        assert.deepStrictEqual(record.decodeText(record.encodeText(fields)), fields)
      })
    )
  })

  it("composites round-trip binary and text", () => {
    const arb = fc.record({
      a: fc.option(fc.integer({ min: -2147483648, max: 2147483647 }), { nil: null }),
      b: fc.option(field, { nil: null }),
      c: fc.option(fc.array(fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }), { maxLength: 4 }), {
        nil: null
      })
    })
    fc.assert(
      fc.property(arb, (v) => {
        assert.deepStrictEqual(decodeHex(gComp, encodeHex(gComp, v)), v)
        assert.deepStrictEqual(gComp.decodeText(gComp.encodeText(v)), v)
      })
    )
  })
})
