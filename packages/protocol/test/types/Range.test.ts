import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as PgCodec from "../../src/PgCodec.ts"
import * as PgRange from "../../src/PgRange.ts"
import { multirangeCodec, rangeCodec } from "../../src/internal/types/range.ts"
import { decodeHex, encodeHex, int4, text, throwsCodecError } from "./helpers.ts"

// Local subtype codecs (int4 and text come from ./helpers.ts).
// Keeps the subtype's binary form as hex (numrange golden without a numeric codec).
const rawHex: PgCodec.Codec<string> = PgCodec.make({
  oid: 1700,
  name: "numeric",
  decodeBinary: (b, o, l) => Buffer.from(b.subarray(o, o + l)).toString("hex"),
  encodeBinary: (v, w) => {
    w.bytes(Uint8Array.from(Buffer.from(v, "hex")))
  },
  decodeText: (t) => t,
  encodeText: (v) => v
})

const int4range = rangeCodec(int4, 3904, "int4range")
const int4multirange = multirangeCodec(int4, 4451, "int4multirange")
const textrange = rangeCodec(text, 90001, "textrange")
const textmultirange = multirangeCodec(text, 90002, "textmultirange")
const numrange = rangeCodec(rawHex, 3906, "numrange")

describe("PgRange", () => {
  it("normalises unbounded sides and exposes bounds", () => {
    assert.deepStrictEqual(PgRange.make(null, 5, "[]"), new PgRange.PgRange(null, 5, false, true, false))
    assert.deepStrictEqual(PgRange.make(1, undefined, "[]"), new PgRange.PgRange(1, null, true, false, false))
    assert.strictEqual(PgRange.bounds(PgRange.make(1, 2, "(]")), "(]")
    assert.isTrue(PgRange.empty().empty)
    assert.isTrue(PgRange.isPgRange(PgRange.unbounded()))
    assert.isFalse(PgRange.isPgRange({ lower: 1 }))
    assert.deepStrictEqual(
      PgRange.fromParts({ lower: null, upper: 3, lowerInclusive: true, upperInclusive: true }),
      PgRange.make(null, 3, "(]")
    )
  })
})

describe("range binary goldens", () => {
  const goldens: ReadonlyArray<readonly [string, string, PgCodec.Codec<any, any>, unknown]> = [
    // select encode(range_send('[1,5)'::int4range),'hex')
    ["[1,5)", "0200000004000000010000000400000005", int4range, PgRange.make(1, 5)],
    // select encode(range_send('[1,5]'::int4range),'hex')  (canonical [1,6))
    ["[1,6)", "0200000004000000010000000400000006", int4range, PgRange.make(1, 6)],
    // select encode(range_send('empty'::int4range),'hex')
    ["empty", "01", int4range, PgRange.empty()],
    // select encode(range_send('(,5]'::int4range),'hex')  (canonical (,6))
    ["(,6)", "080000000400000006", int4range, PgRange.make(null, 6)],
    // select encode(range_send('[3,)'::int4range),'hex')
    ["[3,)", "120000000400000003", int4range, PgRange.make(3, null)],
    // select encode(range_send('(,)'::int4range),'hex')
    ["(,)", "18", int4range, PgRange.unbounded()],
    // select encode(range_send('[1.5,2.5]'::numrange),'hex')
    [
      "[1.5,2.5]",
      "060000000c0002000000000001000113880000000c000200000000000100021388",
      numrange,
      PgRange.make("000200000000000100011388", "000200000000000100021388", "[]")
    ],
    // create type g_textrange as range (subtype = text);
    // select encode(range_send(g_textrange('a', 'é', '[)')),'hex')
    ["[a,é)", "02000000016100000002c3a9", textrange, PgRange.make("a", "é")],
    // select encode(multirange_send('{[1,3),[5,7)}'::int4multirange),'hex')
    [
      "{[1,3),[5,7)}",
      "00000002000000110200000004000000010000000400000003000000110200000004000000050000000400000007",
      int4multirange,
      [PgRange.make(1, 3), PgRange.make(5, 7)]
    ],
    // select encode(multirange_send('{}'::int4multirange),'hex')
    ["{}", "00000000", int4multirange, []],
    // select encode(multirange_send(g_textmultirange(g_textrange('a','b'), g_textrange('c',null))),'hex')
    [
      "{[a,b),[c,)}",
      "000000020000000b020000000161000000016200000006120000000163",
      textmultirange,
      [PgRange.make("a", "b"), PgRange.make("c", null)]
    ]
  ]
  for (const [label, bytes, codec, value] of goldens) {
    it(`decodes ${label}`, () => {
      assert.deepStrictEqual(decodeHex(codec, bytes), value)
    })
    it(`encodes ${label}`, () => {
      assert.strictEqual(encodeHex(codec, value), bytes)
    })
  }

  it("masks flags range_recv ignores and never makes an infinite bound inclusive", () => {
    // 0x80 (contains empty) | 0x40 | 0x20 | lower inclusive + infinite | upper infinite
    assert.deepStrictEqual(decodeHex(int4range, "fa"), PgRange.unbounded())
  })
})

describe("range text", () => {
  it("decodes and encodes what the server prints", () => {
    const cases: ReadonlyArray<readonly [PgCodec.Codec<any, any>, string, unknown]> = [
      [int4range, "[1,5)", PgRange.make(1, 5)],
      [int4range, "empty", PgRange.empty()],
      [int4range, "(,6)", PgRange.make(null, 6)],
      [int4range, "[3,)", PgRange.make(3, null)],
      [int4range, "(,)", PgRange.unbounded()],
      // select '["a b","c\\d")'::g_textrange::text
      [textrange, "[\"a b\",\"c\\\\d\")", PgRange.make("a b", "c\\d")],
      // select g_textrange('', 'x"y', '(]')::text
      [textrange, "(\"\",\"x\"\"y\"]", PgRange.make("", "x\"y", "(]")],
      // select g_textrange('(z)', 'a,b', '[]')::text
      [textrange, "[\"(z)\",\"a,b\"]", PgRange.make("(z)", "a,b", "[]")],
      // select '{[1,3),[5,7)}'::int4multirange::text
      [int4multirange, "{[1,3),[5,7)}", [PgRange.make(1, 3), PgRange.make(5, 7)]],
      [int4multirange, "{}", []],
      // select g_textmultirange(g_textrange('a','b'), g_textrange('c',null), g_textrange(' x',' y'))::text
      [textmultirange, "{[\" x\",\" y\"),[a,b),[c,)}", [PgRange.make(" x", " y"), PgRange.make("a", "b"), PgRange.make("c", null)]]
    ]
    for (const [codec, printed, value] of cases) {
      assert.deepStrictEqual(codec.decodeText(printed), value, printed)
      assert.strictEqual(codec.encodeText(value), printed)
    }
  })

  it("accepts what range_in and multirange_in accept", () => {
    // select ' [ 1 , 5 ) '::int4range::text → [1,5)
    assert.deepStrictEqual(int4range.decodeText(" [ 1 , 5 ) "), PgRange.make(1, 5))
    assert.deepStrictEqual(int4range.decodeText("  EmPtY "), PgRange.empty())
    assert.deepStrictEqual(int4range.decodeText("[,]"), PgRange.unbounded())
    // select '[a\,b,"c"d"""")'::g_textrange → ["a,b","cd"""), upper = cd"
    assert.deepStrictEqual(textrange.decodeText("[a\\,b,\"c\"d\"\"\"\")"), PgRange.make("a,b", "cd\""))
    assert.deepStrictEqual(textrange.decodeText("[a,\"c\"d\"\")"), PgRange.make("a", "cd"))
    // select '  {  [1,3)  ,  [5,7) , empty }  '::int4multirange::text → {[1,3),[5,7)}
    assert.deepStrictEqual(int4multirange.decodeText("  {  [1,3)  ,  [5,7) , empty }  "), [PgRange.make(1, 3), PgRange.make(5, 7)])
    assert.deepStrictEqual(int4multirange.decodeText("{ }"), [])
    assert.strictEqual(int4multirange.encodeText([PgRange.empty(), PgRange.make(1, 2)]), "{empty,[1,2)}")
  })

  it("rejects malformed literals", () => {
    for (const bad of ["", "1,5", "[1,5", "[1,5)x", "[1;5)", "(1,2,3)", "emptyx", "[\"a,5)", "[1\\", "{[1,2)}"]) {
      throwsCodecError(() => int4range.decodeText(bad))
    }
    for (const bad of ["", "[1,2)", "{[1,2)", "{[1,2) [3,4)}", "{[1,2),}", "{,}", "{[1,2)} x", "{emptyx}"]) {
      throwsCodecError(() => int4multirange.decodeText(bad))
    }
    throwsCodecError(() => int4range.encodeText({ lower: 1 } as any))
    throwsCodecError(() => int4multirange.encodeText("x" as any))
  })
})

describe("range binary malformed", () => {
  const ranges: ReadonlyArray<readonly [string, string]> = [
    ["no flags", ""],
    ["empty with trailing bytes", "0100"],
    ["lower bound length truncated", "020000"],
    ["lower bound past end", "02000000040000"],
    ["negative bound length", "02ffffffff"],
    ["upper bound missing", "0200000004000000010000"],
    ["trailing bytes", "18ff"],
    ["bad subtype bytes", "120000000200ff"]
  ]
  for (const [label, bytes] of ranges) {
    it(`rejects range: ${label}`, () => {
      throwsCodecError(() => decodeHex(int4range, bytes))
    })
  }
  const multiranges: ReadonlyArray<readonly [string, string]> = [
    ["truncated count", "000000"],
    ["negative count", "ffffffff"],
    ["count past end", "000000020000000118"],
    ["member length past end", "00000001000000ff18"],
    ["trailing bytes", "000000010000000118ff"],
    ["bad member", "000000010000000201ff"]
  ]
  for (const [label, bytes] of multiranges) {
    it(`rejects multirange: ${label}`, () => {
      throwsCodecError(() => decodeHex(int4multirange, bytes))
    })
  }
})

// --- property tests -------------------------------------------------------------------------------

const rangeOf = <A>(bound: fc.Arbitrary<A>): fc.Arbitrary<PgRange.PgRange<A>> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(PgRange.empty<A>()) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.option(bound, { nil: null }), fc.option(bound, { nil: null }), fc.constantFrom<PgRange.Bounds>("[)", "[]", "()", "(]"))
        .map(([lo, hi, b]) => PgRange.make(lo, hi, b))
    }
  )

const textBound = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", " ", "\"", "\\", ",", "(", ")", "[", "]", "a b", "empty", "\"\"", "\t")
)

describe("range properties", () => {
  it("int4 ranges and multiranges round-trip binary and text", () => {
    fc.assert(
      fc.property(rangeOf(fc.integer({ min: -2147483648, max: 2147483647 })), (r) => {
        assert.deepStrictEqual(decodeHex(int4range, encodeHex(int4range, r)), r)
        assert.deepStrictEqual(int4range.decodeText(int4range.encodeText(r)), r)
      })
    )
    fc.assert(
      fc.property(fc.array(rangeOf(fc.integer()).filter((r) => !r.empty), { maxLength: 5 }), (m) => {
        assert.deepStrictEqual(decodeHex(int4multirange, encodeHex(int4multirange, m)), m)
        assert.deepStrictEqual(int4multirange.decodeText(int4multirange.encodeText(m)), m)
      })
    )
  })

  it("text ranges and multiranges round-trip binary and text", () => {
    fc.assert(
      fc.property(rangeOf(textBound), (r) => {
        assert.deepStrictEqual(decodeHex(textrange, encodeHex(textrange, r)), r)
        assert.deepStrictEqual(textrange.decodeText(textrange.encodeText(r)), r)
      })
    )
    fc.assert(
      fc.property(fc.array(rangeOf(textBound).filter((r) => !r.empty), { maxLength: 5 }), (m) => {
        assert.deepStrictEqual(decodeHex(textmultirange, encodeHex(textmultirange, m)), m)
        assert.deepStrictEqual(textmultirange.decodeText(textmultirange.encodeText(m)), m)
      })
    )
  })
})
