import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as PgArray from "../src/PgArray.ts"
import * as PgCodec from "../src/PgCodec.ts"
import { builtinRanges, builtinTypes, Oid } from "../src/PgOid.ts"
import * as PgRange from "../src/PgRange.ts"
import * as PgTypes from "../src/PgTypes.ts"
import { readInt64Number } from "../src/internal/bytes.ts"
import { decodeHex, encodeHex, throwsCodecError } from "./types/helpers.ts"

const codec = (oid: number, registry: PgTypes.Registry = PgTypes.builtins): PgCodec.Codec => {
  const c = PgTypes.get(registry, oid)
  assert.isDefined(c, `no codec for OID ${oid}`)
  return c!
}
describe("builtins", () => {
  it("has an array codec for every built-in type with an array type", () => {
    for (const t of builtinTypes) {
      if (t.arrayOid === 0) continue
      const array = codec(t.arrayOid)
      assert.strictEqual(array.oid, t.arrayOid)
      assert.strictEqual(array.name, builtinTypes.find((a) => a.oid === t.arrayOid)!.name)
      assert.strictEqual(PgTypes.arrayOf(PgTypes.builtins, t.oid), array)
      // Binary only when the element codec has it (an element without a codec is text).
      const element = PgTypes.get(PgTypes.builtins, t.oid)
      assert.strictEqual(array.decodeBinary !== undefined, element?.decodeBinary !== undefined, t.name)
    }
  })

  it("has every built-in range and multirange", () => {
    for (const r of builtinRanges) {
      if (PgTypes.get(PgTypes.builtins, r.subtype) === undefined) continue
      assert.strictEqual(codec(r.range).oid, r.range)
      assert.strictEqual(codec(r.multirange).oid, r.multirange)
    }
    assert.strictEqual(codec(Oid.int4range).name, "int4range")
    assert.strictEqual(codec(Oid.int4multirange).name, "int4multirange")
    assert.strictEqual(codec(Oid["_int4multirange"]).name, "_int4multirange")
  })

  it("keeps every scalar family codec under its own OID", () => {
    for (const [oid, c] of PgTypes.builtins.codecs) assert.strictEqual(c.oid, oid)
    for (const oid of [Oid.bool, Oid.int2, Oid.int4, Oid.int8, Oid.text, Oid.numeric, Oid.bytea, Oid.timestamptz]) {
      assert.isDefined(PgTypes.get(PgTypes.builtins, oid))
    }
  })
})

describe("builtins against server goldens", () => {
  // Each row: type OID, hex of <type>_send(value), the server's ::text of the same value.
  const goldens: ReadonlyArray<readonly [string, number, string, string]> = [
    // select encode(array_send('{1,NULL,3}'::int4[]),'hex'), '{1,NULL,3}'::int4[]::text
    ["int4[]", Oid["_int4"], "00000001000000010000001700000003000000010000000400000001ffffffff0000000400000003", "{1,NULL,3}"],
    // select encode(array_send('{{1,2},{3,4}}'::int4[]),'hex')
    [
      "int4[][]",
      Oid["_int4"],
      "000000020000000000000017000000020000000100000002000000010000000400000001000000040000000200000004000000030000000400000004",
      "{{1,2},{3,4}}"
    ],
    // select encode(array_send('[0:1]={a,b}'::text[]),'hex')
    ["text[] [0:1]", Oid["_text"], "000000010000000000000019000000020000000000000001610000000162", "[0:1]={a,b}"],
    // select encode(array_send('{1,NULL,-3}'::int8[]),'hex')
    [
      "int8[]",
      Oid["_int8"],
      "0000000100000001000000140000000300000001000000080000000000000001ffffffff00000008fffffffffffffffd",
      "{1,NULL,-3}"
    ],
    // select encode(array_send('{t,f,NULL}'::bool[]),'hex')
    ["bool[]", Oid["_bool"], "000000010000000100000010000000030000000100000001010000000100ffffffff", "{t,f,NULL}"],
    // select encode(array_send('{1.5,NaN,-0.001}'::numeric[]),'hex')
    [
      "numeric[]",
      Oid["_numeric"],
      "0000000100000000000006a400000003000000010000000c0002000000000001000113880000000800000000c00000000000000a0001ffff40000003000a",
      "{1.5,NaN,-0.001}"
    ],
    // select encode(array_send(array[box '(1,1),(0,0)', box '(2,2),(1,1)']),'hex')
    [
      "box[]",
      Oid["_box"],
      "00000001000000000000025b0000000200000001000000203ff00000000000003ff00000000000000000000000000000000000000000000000000020400000000000000040000000000000003ff00000000000003ff0000000000000",
      "{(1,1),(0,0);(2,2),(1,1)}"
    ],
    // select encode(range_send('[1,5)'::int4range),'hex')
    ["int4range", Oid.int4range, "0200000004000000010000000400000005", "[1,5)"],
    // select encode(range_send('[1.5,2.5]'::numrange),'hex')
    ["numrange", Oid.numrange, "060000000c0002000000000001000113880000000c000200000000000100021388", "[1.5,2.5]"],
    // select encode(range_send('[2020-01-01,2020-02-01)'::daterange),'hex')
    ["daterange", Oid.daterange, "020000000400001c890000000400001ca8", "[2020-01-01,2020-02-01)"],
    // select encode(range_send('[2020-01-01 00:00:00+00,infinity)'::tstzrange),'hex')  (TimeZone UTC)
    [
      "tstzrange",
      Oid.tstzrange,
      "020000000800023e0786c26000000000087fffffffffffffff",
      "[\"2020-01-01 00:00:00+00\",infinity)"
    ],
    // select encode(multirange_send('{[1,3),[5,7)}'::int4multirange),'hex')
    [
      "int4multirange",
      Oid.int4multirange,
      "00000002000000110200000004000000010000000400000003000000110200000004000000050000000400000007",
      "{[1,3),[5,7)}"
    ],
    // select encode(multirange_send('{[1,3),[10,20)}'::int8multirange),'hex')
    [
      "int8multirange",
      Oid.int8multirange,
      "000000020000001902000000080000000000000001000000080000000000000003000000190200000008000000000000000a000000080000000000000014",
      "{[1,3),[10,20)}"
    ],
    // select encode(array_send('{"[1,3)",empty}'::int4range[]),'hex')
    [
      "int4range[]",
      Oid["_int4range"],
      "000000010000000000000f4000000002000000010000001102000000040000000100000004000000030000000101",
      "{\"[1,3)\",empty}"
    ],
    // select encode(array_send(array['{[1,3)}'::int4multirange, '{}']),'hex'), array[…]::text
    [
      "int4multirange[]",
      Oid["_int4multirange"],
      "000000010000000000001163000000020000000100000019000000010000001102000000040000000100000004000000030000000400000000",
      "{\"{[1,3)}\",\"{}\"}"
    ]
  ]
  for (const [label, oid, bytes, printed] of goldens) {
    it(`${label}: binary and text agree with the server`, () => {
      const c = codec(oid)
      const fromBinary = decodeHex(c, bytes)
      const fromText = c.decodeText(printed)
      assert.deepStrictEqual(fromText, fromBinary)
      assert.strictEqual(c.encodeText(fromBinary), printed)
      assert.strictEqual(encodeHex(c, fromText), bytes)
    })
  }

  it("decodes int4range[] and int4multirange[] to ranges", () => {
    assert.deepStrictEqual(codec(Oid["_int4range"]).decodeText("{\"[1,3)\",empty}"), [PgRange.make(1, 3), PgRange.empty()])
    assert.deepStrictEqual(codec(Oid["_int4multirange"]).decodeText("{\"{[1,3)}\",\"{}\"}"), [[PgRange.make(1, 3)], []])
    assert.deepStrictEqual(decodeHex(codec(Oid.int8range), "120000000800000000000000ff"), PgRange.make(255n, null))
  })

  it("decodes json[] whose elements are JS arrays", () => {
    // select encode(array_send(array['[1,2]'::json, '{"a":1}']),'hex') (shortened from the 3-element golden)
    const c = codec(Oid["_json"])
    const value = decodeHex(c, "0000000100000000000000720000000200000001000000055b312c325d000000077b2261223a317d")
    assert.deepStrictEqual(value, [[1, 2], { a: 1 }])
    // select array['[1,2]'::json, '{"a":1}']::text
    assert.strictEqual(c.encodeText(value), "{\"[1,2]\",\"{\\\"a\\\":1}\"}")
    assert.deepStrictEqual(c.decodeText("{\"[1,2]\",\"{\\\"a\\\":1}\"}"), value)
    assert.deepStrictEqual(decodeHex(c, encodeHex(c, value)), value)
  })

  it("decodes record and record[] through the registry", () => {
    // select encode(record_send(row(1,'a',null)),'hex')
    assert.deepStrictEqual(decodeHex(codec(Oid.record), "00000003000000170000000400000001000002c10000000161000002c1ffffffff"), [
      1,
      "a",
      null
    ])
    // select encode(record_send(row(1::int8, '2020-01-01'::date, true)),'hex')
    const row = decodeHex(codec(Oid.record), "00000003000000140000000800000000000000010000043a0000000400001c89000000100000000101") as ReadonlyArray<
      unknown
    >
    assert.strictEqual(row[0], 1n)
    assert.strictEqual(codec(Oid.date).encodeText(row[1]), "2020-01-01")
    assert.strictEqual(row[2], true)
    // select encode(array_send(array[row(1,'a'), row(2,null)]),'hex'), array[…]::text
    const records = codec(Oid["_record"])
    assert.deepStrictEqual(
      decodeHex(
        records,
        "0000000100000000000008c900000002000000010000001900000002000000170000000400000001000002c100000001610000001800000002000000170000000400000002000002c1ffffffff"
      ),
      [[1, "a"], [2, null]]
    )
    assert.deepStrictEqual(records.decodeText("{\"(1,a)\",\"(2,)\"}"), [["1", "a"], ["2", null]])
  })
})

describe("getOrText", () => {
  it("returns the registered codec when there is one", () => {
    assert.strictEqual(PgTypes.getOrText(PgTypes.builtins, Oid.int4), PgTypes.get(PgTypes.builtins, Oid.int4))
  })

  it("returns a cached text-only codec for unknown OIDs", () => {
    const a = PgTypes.getOrText(PgTypes.builtins, 987654)
    assert.strictEqual(a.oid, 987654)
    assert.isUndefined(a.decodeBinary)
    assert.isUndefined(a.encodeBinary)
    assert.strictEqual(a.decodeText("(1,2) whatever"), "(1,2) whatever")
    assert.strictEqual(PgTypes.getOrText(PgTypes.builtins, 987654), a)
    assert.isUndefined(PgTypes.get(PgTypes.builtins, 987654))
  })

  it("gives arrays of types without a codec text elements", () => {
    // select '{=r/postgres}'::aclitem[]::text  (aclitem has no binary form)
    const c = codec(Oid["_aclitem"])
    assert.isUndefined(c.decodeBinary)
    assert.deepStrictEqual(c.decodeText("{=r/postgres,\"a b=r/c\"}"), ["=r/postgres", "a b=r/c"])
    // Every element type the families do not cover still has a text-only array codec.
    for (const t of builtinTypes) {
      if (t.arrayOid === 0 || t.oid === Oid.record || PgTypes.get(PgTypes.builtins, t.oid) !== undefined) continue
      const array = codec(t.arrayOid)
      assert.isUndefined(array.decodeBinary, t.name)
      assert.deepStrictEqual(array.decodeText("{a,\"b c\",NULL}"), ["a", "b c", null], t.name)
    }
  })

  it("reads int2vector[] elements as arrays", () => {
    const c = codec(Oid["_int2vector"])
    // select '{"1 2",3}'::int2vector[]::text, encode(array_send('{"1 2",3}'::int2vector[]),'hex')
    const golden =
      "00000001000000000000001600000002000000010000002000000001000000000000001500000002000000000000000200010000000200020000001a0000000100000000000000150000000100000000000000020003"
    const value = c.decodeText("{\"1 2\",3}")
    assert.deepStrictEqual(value, [[1, 2], [3]])
    assert.deepStrictEqual(decodeHex(c, golden), value)
    assert.strictEqual(encodeHex(c, value), golden)
    assert.strictEqual(c.encodeText(value), "{\"1 2\",3}")
    assert.deepStrictEqual(c.decodeText(c.encodeText(value)), value)
    assert.deepStrictEqual(decodeHex(c, encodeHex(c, value)), value)
  })
})

describe("add", () => {
  const mood = PgTypes.enumCodec(90001, "mood")

  it("is immutable and dual", () => {
    const a = PgTypes.add(PgTypes.builtins, mood, { arrayOid: 90000 })
    const b = PgTypes.add(mood, { arrayOid: 90000 })(PgTypes.builtins)
    assert.isUndefined(PgTypes.get(PgTypes.builtins, 90001))
    assert.isUndefined(PgTypes.get(PgTypes.builtins, 90000))
    for (const r of [a, b]) {
      assert.strictEqual(PgTypes.get(r, 90001), mood)
      const arr = PgTypes.arrayOf(r, 90001)!
      assert.strictEqual(arr.oid, 90000)
      assert.strictEqual(arr.name, "_mood")
      assert.deepStrictEqual(arr.decodeText("{sad,\"very happy\"}"), ["sad", "very happy"])
      assert.strictEqual(PgTypes.get(r, Oid.int4), PgTypes.get(PgTypes.builtins, Oid.int4))
    }
    assert.isTrue(PgTypes.isRegistry(a))
    assert.isFalse(PgTypes.isRegistry({ codecs: new Map() }))
  })

  it("rebuilds the array codec when an element codec is replaced", () => {
    const int8AsNumber = PgCodec.make<number>({
      oid: Oid.int8,
      name: "int8",
      decodeBinary: (b, o) => readInt64Number(b, o),
      encodeBinary: (v, w) => {
        w.i64(BigInt(v))
      },
      decodeText: Number,
      encodeText: String
    })
    const r = PgTypes.add(PgTypes.builtins, int8AsNumber)
    assert.deepStrictEqual(
      decodeHex(
        codec(Oid["_int8"], r),
        "0000000100000001000000140000000300000001000000080000000000000001ffffffff00000008fffffffffffffffd"
      ),
      [1, null, -3]
    )
    assert.deepStrictEqual(codec(Oid["_int8"], PgTypes.builtins).decodeText("{1}"), [1n])
  })

  it("binds record to the registry it belongs to", () => {
    const r = PgTypes.add(PgTypes.builtins, mood)
    // record_send(row('sad'::mood)) with mood's OID 90001 = 0x00015f91
    const bytes = "0000000100015f9100000003736164"
    assert.deepStrictEqual(decodeHex(codec(Oid.record, r), bytes), ["sad"])
    // In the built-ins the field's type is unknown: its bytes come back raw.
    assert.deepStrictEqual(decodeHex(codec(Oid.record), bytes), [new Uint8Array([0x73, 0x61, 0x64])])
  })

  it("keeps a user-supplied record codec", () => {
    const mine = PgCodec.make<string>({ oid: Oid.record, name: "record", decodeText: (t) => t, encodeText: (v) => v })
    const r = PgTypes.add(PgTypes.add(PgTypes.builtins, mine), mood)
    assert.strictEqual(PgTypes.get(r, Oid.record), mine)
  })

  it("addAll and fromCodecs", () => {
    const other = PgTypes.enumCodec(90002, "other")
    const r = PgTypes.addAll(PgTypes.builtins, [mood, other])
    assert.strictEqual(PgTypes.get(r, 90001), mood)
    assert.strictEqual(PgTypes.get(r, 90002), other)
    assert.strictEqual(PgTypes.get(PgTypes.addAll([mood])(PgTypes.builtins), 90001), mood)
    const only = PgTypes.fromCodecs([mood])
    assert.strictEqual(PgTypes.get(only, 90001), mood)
    assert.isUndefined(PgTypes.get(only, Oid.int4))
    assert.isDefined(PgTypes.get(only, Oid.record))
    assert.isUndefined(PgTypes.get(PgTypes.empty, Oid.int4))
  })
})

describe("codecs for discovered types", () => {
  it("enumCodec reads and writes labels in both forms", () => {
    const mood = PgTypes.enumCodec(90001, "mood")
    assert.strictEqual(decodeHex(mood, "736164"), "sad")
    assert.strictEqual(encodeHex(mood, "sad"), "736164")
    assert.strictEqual(mood.decodeText("happy"), "happy")
    throwsCodecError(() => mood.encodeText(3 as any))
    throwsCodecError(() => encodeHex(mood, 3 as any))
  })

  it("domain decodes as its base type under its own OID", () => {
    const d = PgTypes.domain(PgTypes.builtins, 90010, "posint", Oid.int4)
    assert.strictEqual(d.oid, 90010)
    assert.strictEqual(d.name, "posint")
    assert.strictEqual(decodeHex(d, "0000002a"), 42)
    const unknownBase = PgTypes.domain(PgTypes.builtins, 90011, "d2", 123456)
    assert.strictEqual(unknownBase.decodeText("x"), "x")
  })

  it("rangeOf, multirangeOf and compositeOf use the registry's codecs", () => {
    const r = PgTypes.rangeOf(PgTypes.builtins, 90020, "myrange", Oid.int8)
    assert.deepStrictEqual(r.decodeText("[1,2)"), PgRange.make(1n, 2n))
    const m = PgTypes.multirangeOf(PgTypes.builtins, 90021, "mymultirange", Oid.int8)
    assert.deepStrictEqual(m.decodeText("{[1,2)}"), [PgRange.make(1n, 2n)])
    const c = PgTypes.compositeOf(PgTypes.builtins, 90030, "pair", [{ name: "a", oid: Oid.int4 }, { name: "b", oid: Oid.text }])
    // create type pair as (a int4, b text); select encode(record_send(row(7,'hi')::pair),'hex')
    const bytes = "0000000200000017000000040000000700000019000000026869"
    assert.deepStrictEqual(decodeHex(c, bytes), { a: 7, b: "hi" })
    assert.strictEqual(encodeHex(c, { a: 7, b: "hi" }), bytes)
    assert.deepStrictEqual(c.decodeText("(7,hi)"), { a: 7, b: "hi" })
    const unknownField = PgTypes.compositeOf(PgTypes.builtins, 90031, "u", [{ name: "x", oid: 123456 }])
    assert.isUndefined(unknownField.decodeBinary)
    assert.deepStrictEqual(unknownField.decodeText("(\"a b\")"), { x: "a b" })
  })

  it("re-exports the container constructors", () => {
    const a = PgTypes.arrayCodec(PgTypes.enumCodec(1, "e"), 2, "_e")
    assert.deepStrictEqual(a.decodeText("{x,y}"), ["x", "y"])
    const arr = PgArray.make(["x"], [5])
    assert.strictEqual(a.encodeText(arr), "[5:5]={x}")
  })
})

const roundTrips = (oid: number, element: fc.Arbitrary<unknown>): void =>
  fc.assert(
    fc.property(fc.array(fc.option(element, { nil: null }), { maxLength: 8 }), (value) => {
      const c = codec(oid)
      assert.deepStrictEqual(decodeHex(c, encodeHex(c, value)), value)
      assert.deepStrictEqual(c.decodeText(c.encodeText(value)), value)
    }),
    { numRuns: 50 }
  )

describe("builtins properties", () => {
  it("int4[] / int8[] / text[] / float8[] round-trip through the real codecs", () => {
    roundTrips(Oid["_int4"], fc.integer({ min: -2147483648, max: 2147483647 }))
    roundTrips(Oid["_int8"], fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))
    roundTrips(Oid["_text"], fc.string({ unit: "grapheme" }))
    roundTrips(Oid["_float8"], fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0)))
  })
})
