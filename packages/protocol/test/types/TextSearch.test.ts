import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { CodecError } from "../../src/PgCodec.ts"
import { Oid } from "../../src/PgOid.ts"
import { codecs, gtsvector, tsquery, tsvector } from "../../src/internal/types/textsearch.ts"
import { decodeHex, encodeHex, onlyCodecErrors, stringGoldens, throwsCodecError } from "./helpers.ts"

describe("tsvector", () => {
  it("matches server goldens", () => {
    // select encode(tsvectorsend('<input>'::tsvector), 'hex'), tsvectorout('<input>'::tsvector)
    stringGoldens(tsvector, [
      ["", "", "00000000"],
      ["a fat cat sat on a mat and ate a fat rat", "'a' 'and' 'ate' 'cat' 'fat' 'mat' 'on' 'rat' 'sat'", "0000000961000000616e640000006174650000006361740000006661740000006d61740000006f6e000000726174000000736174000000"],
      ["a:1 fat:2,4A cat:3B", "'a':1 'cat':3B 'fat':2,4A", "0000000361000001000163617400000180036661740000020002c004"],
      ["'a b' c", "'a b' 'c'", "0000000261206200000063000000"],
      ["it''s", "'it''''s'", "000000016974272773000000"],
      ["'it''s'", "'it''s'", "0000000169742773000000"],
      ["'it\\'s'", "'it''s'", "0000000169742773000000"],
      ["a\\ b", "'a b'", "00000001612062000000"],
      ["'a\\\\b'", "'a\\\\b'", "00000001615c62000000"],
      ["a\\:b", "'a:b'", "00000001613a62000000"],
      ["a:1,1,1", "'a':1", "00000001610000010001"],
      ["a:1A,1B", "'a':1A", "0000000161000001c001"],
      ["a:16384", "'a':16383", "00000001610000013fff"],
      ["a:99999", "'a':16383", "00000001610000013fff"],
      ["a:1*", "'a':1A", "0000000161000001c001"],
      ["a:1D", "'a':1", "00000001610000010001"],
      ["a:1a,2b,3c", "'a':1A,2B,3C", "0000000161000003c00180024003"],
      ["a :1", "':1' 'a'", "000000023a3100000061000000"],
      ["é e z", "'e' 'z' 'é'", "00000003650000007a000000c3a9000000"],
      ["'a':1 'a':2 a:3", "'a':1,2,3", "0000000161000003000100020003"],
      ["a:3,1,2 b", "'a':1,2,3 'b'", "000000026100000300010002000362000000"],
      ["'a''b':1", "'a''b':1", "000000016127620000010001"],
      ["\"x\"", "'\"x\"'", "00000001227822000000"],
      ["a:1A2", "'a':1A", "0000000161000001c001"],
      ["a:4294967297", "'a':1", "00000001610000010001"],
      ["'a'b", "'a' 'b'", "000000026100000062000000"],
      ["'日本':1 '😀':2B", "'日本':1 '😀':2B", "00000002e697a5e69cac0000010001f09f98800000018002"],
      ["b:1 a:1", "'a':1 'b':1", "00000002610000010001620000010001"],
      ["x\\\\y", "'x\\\\y'", "00000001785c79000000"]
    ])
  })

  it("merges duplicate lexemes and positions as the server does", () => {
    // select encode(tsvectorsend('<input>'::tsvector), 'hex'), tsvectorout('<input>'::tsvector)
    stringGoldens(tsvector, [
      ["cat:16383b,1d,16383*", "'cat':1,16383B", "000000016361740000020001bfff"],
      ["a:16383,16383A", "'a':16383A", "0000000161000001ffff"],
      ["a:1 a:2B,1A", "'a':1A,2B", "0000000161000002c0018002"],
      ["zz:3 z:2 zz:1C,3A", "'z':2 'zz':1C,3A", "000000027a00000100027a7a0000024001c003"]
    ])
    // select tsvectorsend(('a:' || string_agg(i::text, ','))::tsvector) from generate_series(1, 300) i
    const many = "a:" + Array.from({ length: 300 }, (_, i) => i + 1).join(",")
    const kept = Array.from({ length: 256 }, (_, i) => (i + 1).toString(16).padStart(4, "0")).join("")
    // count 1, "a", NUL, 256 positions
    assert.strictEqual(encodeHex(tsvector, many), `0000000161000100${kept}`)
  })

  it("refuses inputs whose stored form depends on the server's sort order", () => {
    // 7+ unsorted positions cut at 16383 with duplicates of different weights.
    assert.include(throwsCodecError(() => encodeHex(tsvector, "a:9,8,7,6,5,16383,99999A,16384B"), "tsvector").message, "ambiguous")
  })

  it("refuses unquoted non-ASCII whitespace, whose meaning depends on the locale", () => {
    for (const ws of ["\u00a0", "\u3000", "\u2003"]) {
      assert.include(throwsCodecError(() => encodeHex(tsvector, `a${ws}b`), "tsvector").message, "locale")
      // Quoted, it is part of the lexeme.
      assert.strictEqual(decodeHex(tsvector, encodeHex(tsvector, `'a${ws}b'`)), `'a${ws}b'`)
    }
  })

  it("rejects what the server rejects", () => {
    for (
      const bad of [
        "''",
        "'' a",
        "a:",
        "a: b",
        "a:1,",
        "a:0",
        "a:1*B",
        "a:1AB",
        "a:+1",
        "a:1:2",
        "a\\",
        "'a\\'",
        "'a",
        "::",
        "a:1,,2",
        "a:1x",
        "a:2147483648",
        "x".repeat(2048),
        "a\u0000"
      ]
    ) throwsCodecError(() => encodeHex(tsvector, bad), "tsvector")
    assert.strictEqual(decodeHex(tsvector, encodeHex(tsvector, "x".repeat(2047))), "'" + "x".repeat(2047) + "'")
  })

  it("rejects malformed bytes", () => {
    for (
      const bad of [
        "",
        "000000",
        "ffffffff",
        "0000000161",
        "000000016100",
        "00000001610000",
        "0000000161000001",
        "00000001610000010001ff",
        "00000002610000"
      ]
    ) throwsCodecError(() => decodeHex(tsvector, bad), "tsvector")
  })
})

describe("tsquery", () => {
  it("matches server goldens", () => {
    // select encode(tsquerysend('<input>'::tsquery), 'hex'), tsqueryout('<input>'::tsquery)
    stringGoldens(tsquery, [
      ["", "", "00000000"],
      ["a", "'a'", "000000010100006100"],
      ["a & b", "'a' & 'b'", "00000003020201000062000100006100"],
      ["a | b", "'a' | 'b'", "00000003020301000062000100006100"],
      ["!a", "!'a'", "0000000202010100006100"],
      ["a <-> b", "'a' <-> 'b'", "000000030204000101000062000100006100"],
      ["a <2> b", "'a' <2> 'b'", "000000030204000201000062000100006100"],
      ["a <0> b", "'a' <0> 'b'", "000000030204000001000062000100006100"],
      ["a <16384> b", "'a' <16384> 'b'", "000000030204400001000062000100006100"],
      ["a & b & c", "'a' & 'b' & 'c'", "0000000502020100006300020201000062000100006100"],
      ["a & (b & c)", "'a' & 'b' & 'c'", "0000000502020202010000630001000062000100006100"],
      ["a | b & c", "'a' | 'b' & 'c'", "0000000502030202010000630001000062000100006100"],
      ["(a | b) & c", "( 'a' | 'b' ) & 'c'", "0000000502020100006300020301000062000100006100"],
      ["a <-> (b <-> c)", "'a' <-> ( 'b' <-> 'c' )", "000000050204000102040001010000630001000062000100006100"],
      ["(a <-> b) <-> c", "'a' <-> 'b' <-> 'c'", "000000050204000101000063000204000101000062000100006100"],
      ["!(a & b)", "!( 'a' & 'b' )", "000000040201020201000062000100006100"],
      ["!!a", "!!'a'", "00000003020102010100006100"],
      ["a:*", "'a':*", "000000010100016100"],
      ["a:A", "'a':A", "000000010108006100"],
      ["a:*AB", "'a':*AB", "00000001010c016100"],
      ["a:BA*", "'a':*AB", "00000001010c016100"],
      ["'a b':*C", "'a b':*C", "0000000101020161206200"],
      ["'it''s' & x\\&y", "'it''s' & 'x&y'", "000000030202010000782679000100006974277300"],
      ["a & !b | c <-> d", "'a' & !'b' | 'c' <-> 'd'", "00000008020302040001010000640001000063000202020101000062000100006100"],
      ["!a <-> b", "!'a' <-> 'b'", "0000000402040001010000620002010100006100"],
      ["a<->b", "'a' <-> 'b'", "000000030204000101000062000100006100"],
      ["!(a <-> b) & (c | d <3> !e:D)", "!( 'a' <-> 'b' ) & ( 'c' | 'd' <3> !'e':D )", "0000000b0202020302040003020101010065000100006400010000630002010204000101000062000100006100"],
      ["'a\\\\b' | '''q'''", "'a\\\\b' | '''q'''", "00000003020301000027712700010000615c6200"],
      ["(((a)))", "'a'", "000000010100006100"],
      ["a:abcd*", "'a':*ABCD", "00000001010f016100"]
    ], "reprints")
  })

  it("rejects what the server rejects", () => {
    for (
      const bad of [
        "''",
        "&",
        "a &",
        "a b",
        "(a",
        "a)",
        "()",
        "a:X",
        "a : b",
        "a <16385> b",
        "a < - > b",
        "a <-1> b",
        "a <- > b",
        "a <->",
        "a <-",
        "!",
        ":a",
        "!".repeat(40) + "a",
        "x".repeat(2048)
      ]
    ) throwsCodecError(() => encodeHex(tsquery, bad), "tsquery")
    // 31 NOTs still fit the server's operator stack.
    assert.strictEqual(decodeHex(tsquery, encodeHex(tsquery, "!".repeat(31) + "a")), "!".repeat(31) + "'a'")
  })

  it("prints a long chain without recursion", () => {
    const terms = Array.from({ length: 20000 }, (_, i) => "w" + i)
    const text = decodeHex(tsquery, encodeHex(tsquery, terms.join(" & ")))
    assert.strictEqual(text, terms.map((t) => `'${t}'`).join(" & "))
  })

  it("rejects malformed bytes", () => {
    for (
      const bad of [
        "",
        "ffffffff",
        "00000001",
        "0000000103",
        "000000010100",
        "0000000101000061",
        "0000000101100061",
        "00000001020201",
        "000000020202010000",
        "0000000202040000",
        "0000000201000061000100006200",
        "00000002010000610001000062",
        "000000010100006100ff",
        "0000000102050100006100"
      ]
    ) throwsCodecError(() => decodeHex(tsquery, bad), "tsquery")
  })
})

const lexeme = fc.oneof(
  fc.constantFrom("a", "b", "ab", "fat", "é", "z", "it's", "x\\y", "a b", "日本", "😀", ":", ",", "*", "'"),
  fc.string({ unit: fc.constantFrom(..."abc'\\: é"), minLength: 1, maxLength: 5 })
)
const quote = (s: string): string => "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "''") + "'"

const tsvectorText = fc.array(
  fc.tuple(
    lexeme,
    fc.array(
      fc.tuple(fc.integer({ min: 1, max: 20000 }), fc.constantFrom("", "A", "B", "C", "D", "a", "*")),
      { maxLength: 8 }
    )
  ),
  { maxLength: 8 }
).map((entries) =>
  entries.map(([l, ps]) => quote(l) + (ps.length > 0 ? ":" + ps.map(([p, w]) => p + w).join(",") : "")).join(" ")
)

const tsqueryText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(lexeme, fc.constantFrom("", ":*", ":A", ":*BC", ":d")).map(([l, m]) => quote(l) + m),
    tie("node").map((q) => "!" + q),
    tie("node").map((q) => "(" + q + ")"),
    fc.tuple(tie("node"), fc.constantFrom("&", "|", "<->", "<0>", "<2>", "<16384>"), tie("node")).map(
      ([l, op, r]) => l + " " + op + " " + r
    )
  )
})).node

describe("text search properties", () => {
  it("tsvector: the server's text form is a fixed point of encode ∘ decode", () => {
    fc.assert(
      fc.property(tsvectorText, (t) => {
        let hex: string
        try {
          hex = encodeHex(tsvector, t)
        } catch (e) {
          // Duplicates of a position where the server cuts the list (16383) are refused.
          assert.instanceOf(e, CodecError)
          assert.include((e as CodecError).message, "ambiguous")
          return
        }
        const text = decodeHex(tsvector, hex)
        assert.strictEqual(encodeHex(tsvector, text), hex)
        assert.strictEqual(decodeHex(tsvector, encodeHex(tsvector, text)), text)
      }),
      { numRuns: 1000 }
    )
  })

  it("tsquery: the server's text form is a fixed point of encode ∘ decode", () => {
    fc.assert(
      fc.property(tsqueryText, (q) => {
        let hex: string
        try {
          hex = encodeHex(tsquery, q)
        } catch (e) {
          // Only the operator stack limit can refuse these generated queries.
          assert.instanceOf(e, CodecError)
          assert.include((e as CodecError).message, "stack")
          return
        }
        const text = decodeHex(tsquery, hex)
        assert.strictEqual(decodeHex(tsquery, encodeHex(tsquery, text)), text)
      }),
      { numRuns: 1000 }
    )
  })

  it("decoding random bytes returns a string or throws a CodecError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        for (const c of [tsvector, tsquery]) {
          onlyCodecErrors(() => assert.isString(c.decodeBinary!(b, 0, b.length)))
        }
      }),
      { numRuns: 3000 }
    )
  })

  it("encoding random text returns bytes or throws a CodecError", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ab'\\:*!&|()<->019 AB,\t"), maxLength: 20 }), (s) => {
        for (const c of [tsvector, tsquery]) {
          onlyCodecErrors(() => encodeHex(c, s))
        }
      }),
      { numRuns: 3000 }
    )
  })

  it("gtsvector is text only", () => {
    assert.isUndefined(gtsvector.decodeBinary)
    assert.isUndefined(gtsvector.encodeBinary)
    assert.strictEqual(gtsvector.decodeText("2016 true bits, 0 false bits"), "2016 true bits, 0 false bits")
  })

  it("lists every codec with its OID", () => {
    assert.deepStrictEqual(codecs.map((c) => [c.name, c.oid]), [
      ["tsvector", Oid.tsvector],
      ["tsquery", Oid.tsquery],
      ["gtsvector", Oid.gtsvector]
    ])
  })
})
