import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { decodeBase64, encodeBase64 } from "../src/internal/authBase64.ts"
import * as Sasl from "../src/internal/saslprep.ts"
import { preparePassword, saslprep } from "../src/internal/saslprep.ts"

const enc = new TextEncoder()

/** C.1.2 and B.1: characters SASLprep maps away, so never in its output. */
const dropped = [0xA0, 0x1680, 0x202F, 0x205F, 0x3000, 0xAD, 0x34F, 0x1806, 0x180B, 0x180C, 0x180D, 0x2060, 0xFEFF]
const isDropped = (code: number) =>
  dropped.includes(code) || (code >= 0x2000 && code <= 0x200D) || (code >= 0xFE00 && code <= 0xFE0F)

describe("SaslPrep", () => {
  describe("RFC 4013 §3 examples", () => {
    it("maps, normalizes and rejects as the RFC shows", () => {
      assert.strictEqual(saslprep("I\u00ADX"), "IX") // SOFT HYPHEN mapped to nothing
      assert.strictEqual(saslprep("user"), "user")
      assert.strictEqual(saslprep("USER"), "USER")
      assert.strictEqual(saslprep("\u00AA"), "a") // NFKC
      assert.strictEqual(saslprep("\u2168"), "IX") // NFKC
      assert.isUndefined(saslprep("\u0007")) // prohibited character
      assert.isUndefined(saslprep("\u0627\u0031")) // bidirectional check
    })
  })

  describe("mapping", () => {
    it("maps non-ASCII spaces to SPACE and B.1 characters to nothing", () => {
      assert.strictEqual(saslprep("a\u00A0b"), "a b")
      assert.strictEqual(saslprep("a\u3000b\u2003c\u1680d"), "a b c d")
      assert.strictEqual(saslprep("a\u200Cb\u200Dc\uFEFFd\uFE0Fe\u034Ff\u1806g"), "abcdefg")
    })

    it("maps U+200B (in both C.1.2 and B.1) to SPACE, as PostgreSQL does", () => {
      assert.strictEqual(saslprep("a\u200Bb"), "a b")
    })

    it("rejects a string that is empty after mapping, but not an empty ASCII string", () => {
      assert.isUndefined(saslprep("\u00AD"))
      assert.isUndefined(saslprep("\uFEFF\u200C"))
      assert.strictEqual(saslprep(""), "")
    })
  })

  describe("prohibited output", () => {
    // The RFC 3454 tables SASLprep prohibits (RFC 4013 §2.3), transcribed one by one, to check
    // the merged table inside the implementation.
    const tables: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = [
      /* C.1.2 */ [[0xA0, 0xA0], [0x1680, 0x1680], [0x2000, 0x200B], [0x202F, 0x202F], [0x205F, 0x205F], [0x3000, 0x3000]],
      /* C.2.1 */ [[0x0, 0x1F], [0x7F, 0x7F]],
      /* C.2.2 */ [
        [0x80, 0x9F], [0x6DD, 0x6DD], [0x70F, 0x70F], [0x180E, 0x180E], [0x200C, 0x200D], [0x2028, 0x2029],
        [0x2060, 0x2063], [0x206A, 0x206F], [0xFEFF, 0xFEFF], [0xFFF9, 0xFFFC], [0x1D173, 0x1D17A]
      ],
      /* C.3 */ [[0xE000, 0xF8FF], [0xF0000, 0xFFFFD], [0x100000, 0x10FFFD]],
      /* C.4 */ [
        [0xFDD0, 0xFDEF],
        ...Array.from({ length: 17 }, (_, plane) => [plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF] as const)
      ],
      /* C.5 */ [[0xD800, 0xDFFF]],
      /* C.6 */ [[0xFFF9, 0xFFFD]],
      /* C.7 */ [[0x2FF0, 0x2FFB]],
      /* C.8 */ [[0x340, 0x341], [0x200E, 0x200F], [0x202A, 0x202E], [0x206A, 0x206F]],
      /* C.9 */ [[0xE0001, 0xE0001], [0xE0020, 0xE007F]]
    ]
    const isProhibited = (code: number) => tables.some((t) => t.some(([a, b]) => code >= a && code <= b))

    it("merges the RFC tables exactly, over every code point", () => {
      for (let code = 0; code <= 0x10FFFF; code++) {
        if (Sasl.tables.isProhibited(code) !== isProhibited(code)) {
          assert.fail(`U+${code.toString(16)}: implementation says ${Sasl.tables.isProhibited(code)}`)
        }
      }
    })

    it("rejects prohibited characters wherever they are", () => {
      for (const code of [0x0, 0x1F, 0x7F, 0x85, 0x6DD, 0x180E, 0x2028, 0x2062, 0x206F, 0x2FF5, 0xE000, 0xF8FF, 0xFDD0, 0xFFFC, 0xFFFD, 0xFFFF, 0x1D173, 0xE0001, 0xE0041, 0xF0000, 0x10FFFD]) {
        const s = String.fromCodePoint(code)
        assert.isUndefined(saslprep("\u00E9" + s), `U+${code.toString(16)}`)
        assert.isUndefined(saslprep(s + "\u00E9"), `U+${code.toString(16)}`)
      }
      assert.isUndefined(saslprep("\u00E9\uD800")) // lone surrogate
    })

    it("accepts typical passwords in many scripts", () => {
      for (const s of ["\u00E9t\u00E9", "\u00DF", "\u043F\u0430\u0440\u043E\u043B\u044C", "\u5BC6\u7801", "\u00FC", "\u05D0\u05D1", "\u0627\u0644\u0633\u0631", "\u{20000}"]) {
        assert.isDefined(saslprep(s), JSON.stringify(s))
      }
    })

    it("rejects code points unassigned in Unicode 3.2 (A.1), even when assigned today", () => {
      assert.isUndefined(saslprep("\u0221")) // assigned in Unicode 4.0
      assert.isUndefined(saslprep("x\u0378"))
      assert.isUndefined(saslprep("\u{1F600}")) // emoji: assigned in Unicode 6.1
      assert.isUndefined(saslprep("\u20AC\u20B9")) // INDIAN RUPEE SIGN, Unicode 6.0
      assert.strictEqual(saslprep("\u0220"), "\u0220") // assigned in 3.2
      assert.strictEqual(saslprep("\u20AC"), "\u20AC")
      assert.strictEqual(saslprep("\u{20000}"), "\u{20000}") // CJK Extension B, 3.1
    })
  })

  describe("Unicode 3.2 tables", () => {
    // Sizes computed from Python's unicodedata.ucd_3_2_0 (A.1: category Cn minus non-characters;
    // D.1: bidi R or AL; D.2: bidi L); a binary search over unsorted or overlapping ranges would
    // miss code points and change these counts.
    it("hold as many code points as the Unicode 3.2 database says", () => {
      let unassigned = 0
      let randAl = 0
      let l = 0
      for (let code = 0; code <= 0x10FFFF; code++) {
        if (Sasl.tables.isUnassigned(code)) unassigned++
        if (Sasl.tables.isRandAlCat(code)) randAl++
        if (Sasl.tables.isLCat(code)) l++
      }
      assert.deepStrictEqual([unassigned, randAl, l], [879309, 1044, 227925])
    })

    it("classify known characters", () => {
      const { isLCat, isRandAlCat, isUnassigned } = Sasl.tables
      for (const code of [0x5BE, 0x5D0, 0x627, 0x6DD, 0x710, 0x7B1, 0x200F, 0xFB1D, 0xFEFC]) assert.isTrue(isRandAlCat(code))
      for (const code of [0x30, 0x660, 0x6F0, 0x41, 0x200E, 0xFEFD]) assert.isFalse(isRandAlCat(code))
      for (const code of [0x41, 0x7A, 0xAA, 0xC0, 0x220, 0x903, 0x200E, 0x10300, 0x20000, 0x10FFFD]) assert.isTrue(isLCat(code))
      for (const code of [0x30, 0x20, 0x221, 0x5D0, 0x2100]) assert.isFalse(isLCat(code))
      for (const code of [0x221, 0x378, 0x10000, 0x1F600, 0xE0000, 0xEFFFD]) assert.isTrue(isUnassigned(code))
      for (const code of [0x220, 0x10300, 0xFFFE, 0xFDD0, 0xD800, 0xE000, 0xE0001]) assert.isFalse(isUnassigned(code))
    })
  })

  describe("bidi (RFC 3454 §6)", () => {
    it("accepts RandALCat strings that start and end with RandALCat and hold no LCat", () => {
      assert.strictEqual(saslprep("\u0627\u0031\u0628"), "\u0627\u0031\u0628")
      assert.strictEqual(saslprep("\u05D0"), "\u05D0")
    })

    it("rejects mixed or badly delimited RandALCat strings", () => {
      assert.isUndefined(saslprep("\u0627a\u0628")) // LCat inside
      assert.isUndefined(saslprep("1\u0627")) // does not start with RandALCat
      assert.isUndefined(saslprep("\u05D0\u00E9\u05D1")) // é is LCat
    })

    it("checks the mapped string before normalization, as PostgreSQL does", () => {
      // U+2100 ACCOUNT OF (bidi ON) normalizes to "a/c" (LCat); PostgreSQL accepts it.
      assert.strictEqual(saslprep("\u0627\u2100\u0627"), "\u0627a/c\u0627")
    })
  })

  describe("preparePassword", () => {
    it("uses the prepared form when SASLprep succeeds", () => {
      assert.deepStrictEqual(preparePassword("a\u00A0b"), enc.encode("a b"))
      assert.deepStrictEqual(preparePassword(enc.encode("\u2168")), enc.encode("IX"))
    })

    it("falls back to the raw bytes when SASLprep fails", () => {
      assert.deepStrictEqual(preparePassword("\u0007"), enc.encode("\u0007"))
      assert.deepStrictEqual(preparePassword("\u0627\u0031"), enc.encode("\u0627\u0031"))
      assert.deepStrictEqual(preparePassword("caf\u00E9\u0007"), enc.encode("caf\u00E9\u0007"))
      const bytes = enc.encode("\u0627\u0031")
      assert.strictEqual(preparePassword(bytes), bytes)
    })

    it("uses bytes that are not UTF-8 unchanged", () => {
      for (const hex of ["ff", "c3", "e9e9", "eda080", "c0af", "f4908080"]) {
        const bytes = new Uint8Array(Buffer.from(hex, "hex"))
        assert.strictEqual(preparePassword(bytes), bytes, hex)
      }
    })

    it("keeps a leading BOM in raw bytes (it is mapped, not stripped by the decoder)", () => {
      assert.deepStrictEqual(preparePassword(enc.encode("\uFEFFab\u00E9")), enc.encode("ab\u00E9"))
      const onlyBom = new Uint8Array([0xEF, 0xBB, 0xBF])
      assert.strictEqual(preparePassword(onlyBom), onlyBom)
    })

    it("encodes a lone surrogate as U+FFFD and then uses those raw bytes", () => {
      assert.deepStrictEqual(preparePassword("a\uD800"), new Uint8Array([0x61, 0xEF, 0xBF, 0xBD]))
    })

    it("leaves printable ASCII passwords unchanged", () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[ -~]*$/), (password) => {
          assert.strictEqual(saslprep(password), password)
          assert.deepStrictEqual(preparePassword(password), enc.encode(password))
        }),
        { numRuns: 500 }
      )
    })

    it("agrees between string and UTF-8 byte input", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 24 }), (password) => {
          const bytes = enc.encode(password)
          assert.deepStrictEqual(preparePassword(bytes), preparePassword(password))
        }),
        { numRuns: 300 }
      )
    })

    it("produces NFKC output without spaces to map or characters to drop", () => {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme-composite" }), (s) => {
          const prepared = saslprep(s)
          if (prepared !== undefined) {
            assert.strictEqual(prepared, prepared.normalize("NFKC"))
            for (const ch of prepared) assert.isFalse(isDropped(ch.codePointAt(0)!), ch)
          }
        }),
        { numRuns: 500 }
      )
    })
  })

  describe("base64", () => {
    it("round-trips and matches Buffer's encoding", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          const text = encodeBase64(bytes)
          assert.strictEqual(text, Buffer.from(bytes).toString("base64"))
          assert.deepStrictEqual(decodeBase64(text), bytes)
        })
      )
    })

    it("rejects what is not padded standard base64", () => {
      for (const bad of ["A", "AB", "ABC", "A===", "AB=C", "=AAA", "AA==AA==", "AB-_", "AB\nC", "AB C", "\u00C0AAA"]) {
        assert.isUndefined(decodeBase64(bad), JSON.stringify(bad))
      }
      assert.deepStrictEqual(decodeBase64(""), new Uint8Array(0))
    })
  })
})
