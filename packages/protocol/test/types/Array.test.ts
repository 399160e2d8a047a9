import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as PgArray from "../../src/PgArray.ts"
import * as PgCodec from "../../src/PgCodec.ts"
import { utf8Slice } from "../../src/internal/bytes.ts"
import { arrayCodec } from "../../src/internal/types/array.ts"
import { decodeHex, encodeHex, int4, text, throwsCodecError } from "./helpers.ts"

// Local element codecs (int4 and text come from ./helpers.ts).
// Text only, like box: its text form holds commas, its array delimiter is ";".
const box: PgCodec.Codec<string> = PgCodec.make({ oid: 603, name: "box", decodeText: (t) => t, encodeText: (v) => v })
// Values that are JS arrays themselves.
const json: PgCodec.Codec<unknown> = PgCodec.make({
  oid: 114,
  name: "json",
  decodeBinary: (b, o, l) => JSON.parse(utf8Slice(b, o, o + l)),
  encodeBinary: (v, w) => {
    w.string(JSON.stringify(v))
  },
  decodeText: (t) => JSON.parse(t),
  encodeText: (v) => JSON.stringify(v)
})

const int4Array = arrayCodec(int4, 1007, "_int4")
const textArray = arrayCodec(text, 1009, "_text")
const boxArray = arrayCodec(box, 1020, "_box", ";")
const jsonArray = arrayCodec(json, 199, "_json", ",", { elementIsArray: true })

describe("array binary goldens", () => {
  const goldens: ReadonlyArray<readonly [string, string, PgCodec.Codec<any, any>, unknown]> = [
    // select encode(array_send('{1,NULL,3}'::int4[]),'hex')
    ["{1,NULL,3}", "00000001000000010000001700000003000000010000000400000001ffffffff0000000400000003", int4Array, [1, null, 3]],
    // select encode(array_send('{1,2}'::int4[]),'hex')
    ["{1,2}", "000000010000000000000017000000020000000100000004000000010000000400000002", int4Array, [1, 2]],
    // select encode(array_send('{}'::int4[]),'hex')
    ["{}", "000000000000000000000017", int4Array, []],
    // select encode(array_send('{{1,2},{3,4}}'::int4[]),'hex')
    [
      "{{1,2},{3,4}}",
      "000000020000000000000017000000020000000100000002000000010000000400000001000000040000000200000004000000030000000400000004",
      int4Array,
      [[1, 2], [3, 4]]
    ],
    // select encode(array_send('[-2:-1][3:4]={{1,2},{3,4}}'::int4[]),'hex')
    [
      "[-2:-1][3:4]={{1,2},{3,4}}",
      "00000002000000000000001700000002fffffffe00000002000000030000000400000001000000040000000200000004000000030000000400000004",
      int4Array,
      new PgArray.PgArray([[1, 2], [3, 4]], [2, 2], [-2, 3])
    ],
    // select encode(array_send('[0:1]={a,b}'::text[]),'hex')
    ["[0:1]={a,b}", "000000010000000000000019000000020000000000000001610000000162", textArray, new PgArray.PgArray(["a", "b"], [2], [0])],
    // select encode(array_send(array['a b','','NULL',null,'a,b','{','"','\','x y ','é€😀','null']::text[]),'hex')
    [
      "text edge cases",
      "0000000100000001000000190000000b000000010000000361206200000000000000044e554c4cffffffff00000003612c62000000017b0000000122000000015c000000047820792000000009c3a9e282acf09f9880000000046e756c6c",
      textArray,
      ["a b", "", "NULL", null, "a,b", "{", "\"", "\\", "x y ", "é€😀", "null"]
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

  it("decodes a PgArray with dimensions, bounds and get()", () => {
    const a = decodeHex(
      int4Array,
      "00000002000000000000001700000002fffffffe00000002000000030000000400000001000000040000000200000004000000030000000400000004"
    )
    assert.isTrue(PgArray.isPgArray(a))
    const p = a as PgArray.PgArray<number>
    assert.deepStrictEqual(p.dimensions, [2, 2])
    assert.deepStrictEqual(p.lowerBounds, [-2, 3])
    assert.strictEqual(PgArray.get(p, [-2, 3]), 1)
    assert.strictEqual(PgArray.get(p, [-1, 4]), 4)
    assert.strictEqual(PgArray.get(p, [0, 4]), null)
    assert.deepStrictEqual(PgArray.toArray(p), [[1, 2], [3, 4]])
  })

  it("encodes nested empty arrays as the empty array", () => {
    assert.strictEqual(encodeHex(int4Array, [[], []]), "000000000000000000000017")
    assert.strictEqual(int4Array.encodeText([[], []]), "{}")
  })

  it("encodes undefined elements as NULL", () => {
    assert.strictEqual(
      encodeHex(int4Array, [1, undefined as any, 3]),
      "00000001000000010000001700000003000000010000000400000001ffffffff0000000400000003"
    )
  })

  it("has no binary form when the element has none", () => {
    assert.isUndefined(boxArray.decodeBinary)
    assert.isUndefined(boxArray.encodeBinary)
  })

  it("treats JS-array element values as elements when elementIsArray", () => {
    const value = [[1, 2], { a: [3] }, null]
    const bytes = encodeHex(jsonArray, value)
    assert.deepStrictEqual(decodeHex(jsonArray, bytes), value)
    assert.strictEqual(jsonArray.encodeText(value), "{\"[1,2]\",\"{\\\"a\\\":[3]}\",NULL}")
    assert.deepStrictEqual(jsonArray.decodeText(jsonArray.encodeText(value)), value)
    // A PgArray gives such arrays more than one dimension.
    const twoD = PgArray.make([[[1], [2]], [[3], [4]]], [1, 1])
    assert.deepStrictEqual(twoD.dimensions, [2, 2])
    const back = decodeHex(jsonArray, encodeHex(jsonArray, twoD))
    assert.deepStrictEqual(back, new PgArray.PgArray([[[1], [2]], [[3], [4]]], [2, 2], [1, 1]))
    assert.strictEqual(jsonArray.encodeText(back), "{{[1],[2]},{[3],[4]}}")
    assert.deepStrictEqual(jsonArray.decodeText(jsonArray.encodeText(back)), back)
    assert.strictEqual(encodeHex(jsonArray, back), encodeHex(jsonArray, twoD))
  })
})

describe("array text", () => {
  it("decodes what array_out prints", () => {
    // select array['a b','','NULL',null,'a,b','{','"','\','x y ','é€😀','null','}',E'\t','a;b']::text[]::text
    const printed = "{\"a b\",\"\",\"NULL\",NULL,\"a,b\",\"{\",\"\\\"\",\"\\\\\",\"x y \",é€😀,\"null\",\"}\",\"\t\",a;b}"
    const value = ["a b", "", "NULL", null, "a,b", "{", "\"", "\\", "x y ", "é€😀", "null", "}", "\t", "a;b"]
    assert.deepStrictEqual(textArray.decodeText(printed), value)
    assert.strictEqual(textArray.encodeText(value), printed)
  })

  it("round-trips dimension decorations", () => {
    // select '[-2:-1][3:4]={{1,2},{3,4}}'::int4[]::text
    const printed = "[-2:-1][3:4]={{1,2},{3,4}}"
    const value = int4Array.decodeText(printed)
    assert.deepStrictEqual(value, new PgArray.PgArray([[1, 2], [3, 4]], [2, 2], [-2, 3]))
    assert.strictEqual(int4Array.encodeText(value), printed)
    // select '[0:0]={NULL}'::int[]
    assert.deepStrictEqual(int4Array.decodeText("[0:0]={NULL}"), new PgArray.PgArray<number>([null], [1], [0]))
    // Decorations with all bounds 1 decode to plain arrays; `[2]` means `[1:2]`.
    assert.deepStrictEqual(int4Array.decodeText("[1:2][1:1]={{1},{2}}"), [[1], [2]])
    assert.deepStrictEqual(int4Array.decodeText(" [2] = {1,2}"), [1, 2])
  })

  it("uses the box delimiter", () => {
    // select array[box '(1,1),(0,0)', box '(2,2),(1,1)']::text
    const printed = "{(1,1),(0,0);(2,2),(1,1)}"
    assert.deepStrictEqual(boxArray.decodeText(printed), ["(1,1),(0,0)", "(2,2),(1,1)"])
    assert.strictEqual(boxArray.encodeText(["(1,1),(0,0)", "(2,2),(1,1)"]), printed)
    assert.strictEqual(boxArray.encodeText(["a;b", "c"]), "{\"a;b\";c}")
  })

  it("accepts what array_in accepts", () => {
    // select '{ a  b , "c" ,  d\ , NuLL}'::text[]::text  →  {"a  b",c,"d ",NULL}
    assert.deepStrictEqual(textArray.decodeText("{ a  b , \"c\" ,  d\\ , NuLL}"), ["a  b", "c", "d ", null])
    assert.deepStrictEqual(textArray.decodeText("{\\NULL,\"NULL\",null}"), ["NULL", "NULL", null])
    assert.deepStrictEqual(textArray.decodeText("{a\\,b,\\\\}"), ["a,b", "\\"])
    assert.deepStrictEqual(textArray.decodeText("  {  }  "), [])
    // select '{{}}'::int4[]::text and '{{},{}}' → {}
    assert.deepStrictEqual(int4Array.decodeText("{{}}"), [])
    assert.deepStrictEqual(int4Array.decodeText("{{},{}}"), [])
    assert.deepStrictEqual(int4Array.decodeText("{{{1,2}},{{3,4}}}"), [[[1, 2]], [[3, 4]]])
    // select '{{{{{{1}}}}}}'::int[] (six dimensions)
    assert.deepStrictEqual(int4Array.decodeText("{{{{{{1}}}}}}"), [[[[[[1]]]]]])
  })

  it("quotes elements that need it", () => {
    assert.strictEqual(textArray.encodeText(["", "NuLl", "a\nb", "x}", "plain", "ü"]), "{\"\",\"NuLl\",\"a\nb\",\"x}\",plain,ü}")
    assert.strictEqual(textArray.encodeText([["a", null], ["b", "c d"]]), "{{a,NULL},{b,\"c d\"}}")
  })

  it("rejects malformed literals", () => {
    for (
      const bad of [
        "",
        "1,2",
        "{1,2",
        "{1,,2}",
        "{,1}",
        "{1,}",
        "{{1},{2,3}}",
        "{{1},2}",
        "{1,{2}}",
        "{{1,2},{}}",
        "{{1},{{2}}}",
        "{\"a\"b}",
        "{ab\"c\"}",
        "{\"abc}",
        "{abc\\",
        "{1} x",
        "{{{{{{{1}}}}}}}",
        "[0:1]={1,2,3}",
        "[1:2]={}",
        "[1:0]={}",
        "[ 0 : 1 ]={1,2}",
        "[0:1]{1,2}",
        "{1 2}x",
        "{{1}{2}}",
        "{{},2}",
        "{2,{}}"
      ]
    ) {
      throwsCodecError(() => textArray.decodeText(bad))
    }
    throwsCodecError(() => int4Array.decodeText("{1,x}"))
  })
})

describe("array binary malformed", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["truncated header", "0000000100000000000000"],
    ["ndim > 6", "000000070000000000000017" + "0000000100000001".repeat(7) + "0000000400000001"],
    ["negative ndim", "ffffffff0000000000000017"],
    ["bad flags", "000000010000000200000017000000010000000100000004"],
    ["wrong element OID", "00000001000000000000001900000001000000010000000400000001"],
    ["negative dimension", "000000010000000000000017ffffffff00000001"],
    ["negative dimension (2-D)", "0000000200000000000000170000000100000001ffffffff00000001"],
    ["dimensions truncated", "00000001000000000000001700000001"],
    ["element length past end", "0000000100000000000000170000000100000001000000080000000100000002"],
    ["element count past end", "00000001000000000000001700000002000000010000000400000001"],
    ["huge element count", "0000000100000000000000177fffffff00000001"],
    ["negative element length", "000000010000000000000017000000010000000100000001fffffffe"],
    ["trailing bytes", "000000010000000000000017000000010000000100000004000000010000"],
    ["trailing bytes after empty", "00000000000000000000001700"],
    ["element of wrong size", "0000000100000000000000170000000100000001000000020001"]
  ]
  for (const [label, bytes] of cases) {
    it(`rejects ${label}`, () => {
      throwsCodecError(() => decodeHex(int4Array, bytes))
    })
  }
  it("rejects a bound whose upper subscript overflows int32", () => {
    throwsCodecError(() => decodeHex(int4Array, `000000010000000000000017000000027fffffff${"0000000400000001".repeat(2)}`))
  })
})

describe("array encode errors", () => {
  it("rejects ragged, too deep and mixed input", () => {
    for (const bad of [[[1, 2], [3]], [1, [2]], [[1], 2], [[[[[[[1]]]]]]], [[1], [[2]]]] as Array<any>) {
      throwsCodecError(() => encodeHex(int4Array, bad))
      throwsCodecError(() => int4Array.encodeText(bad))
    }
    throwsCodecError(() => encodeHex(int4Array, "nope" as any))
    throwsCodecError(() => encodeHex(int4Array, [1.5]))
  })

  it("PgArray.make validates shape and bounds", () => {
    throwsCodecError(() => PgArray.make([[1, 2], [3]]))
    throwsCodecError(() => PgArray.make([1, 2], [0, 0]))
    throwsCodecError(() => PgArray.make([1], [1, 1, 1, 1, 1, 1, 1]))
    throwsCodecError(() => PgArray.make([1, 2], [2147483647]))
    assert.deepStrictEqual(PgArray.make([[], []]), new PgArray.PgArray([], [], []))
    const a = PgArray.make(["a", "b", "c"], [0])
    assert.deepStrictEqual(a.dimensions, [3])
    assert.strictEqual(textArray.encodeText(a), "[0:2]={a,b,c}")
  })
})

// --- property tests -------------------------------------------------------------------------------

const reshape = <A>(flat: ReadonlyArray<A>, dims: ReadonlyArray<number>): unknown => {
  let level: Array<unknown> = flat.slice()
  for (let d = dims.length - 1; d > 0; d--) {
    const next: Array<unknown> = []
    for (let i = 0; i < level.length; i += dims[d]!) next.push(level.slice(i, i + dims[d]!))
    level = next
  }
  return level
}

const nested = <A>(element: fc.Arbitrary<A>): fc.Arbitrary<unknown> =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((dims) => {
    const total = dims.reduce((a, b) => a * b, 1)
    return fc.array(fc.option(element, { nil: null }), { minLength: total, maxLength: total }).map((flat) =>
      reshape(flat, dims)
    )
  })

const textElement = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", "NULL", "null", " ", "\\", "\"", "{", "}", ",", ";", "a b", "\t", "\\\"", " x ")
)

describe("array properties", () => {
  it("int4 arrays round-trip binary and text", () => {
    fc.assert(
      fc.property(nested(fc.integer({ min: -2147483648, max: 2147483647 })), (value) => {
        assert.deepStrictEqual(decodeHex(int4Array, encodeHex(int4Array, value as any)), value)
        assert.deepStrictEqual(int4Array.decodeText(int4Array.encodeText(value as any)), value)
      })
    )
  })

  it("text arrays round-trip binary and text", () => {
    fc.assert(
      fc.property(nested(textElement), (value) => {
        assert.deepStrictEqual(decodeHex(textArray, encodeHex(textArray, value as any)), value)
        assert.deepStrictEqual(textArray.decodeText(textArray.encodeText(value as any)), value)
      })
    )
  })

  it("arrays with lower bounds round-trip binary and text", () => {
    fc.assert(
      fc.property(
        nested(textElement),
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 6, maxLength: 6 }),
        (value, bounds) => {
          const depth = PgArray.make(value as any).dimensions.length
          const a = PgArray.make<string>(value as any, bounds.slice(0, depth))
          const expected = a.lowerBounds.every((lb) => lb === 1) ? a.elements : a
          assert.deepStrictEqual(decodeHex(textArray, encodeHex(textArray, a)), expected)
          assert.deepStrictEqual(textArray.decodeText(textArray.encodeText(a)), expected)
        }
      )
    )
  })
})
