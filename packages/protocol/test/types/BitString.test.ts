import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { Oid } from "../../src/PgOid.ts"
import { PgWriter } from "../../src/PgWriter.ts"
import { bit, codecs, varbit } from "../../src/internal/types/bitstring.ts"
import { decodeHex, encodeHex, onlyCodecErrors, stringGoldens, throwsCodecError } from "./helpers.ts"

describe("varbit", () => {
  it("matches server goldens", () => {
    // select encode(varbit_send('<input>'::varbit), 'hex'), varbit_out('<input>'::varbit)
    stringGoldens(varbit, [
      ["", "", "00000000"],
      ["0", "0", "0000000100"],
      ["1", "1", "0000000180"],
      ["10101010", "10101010", "00000008aa"],
      ["101010101", "101010101", "00000009aa80"],
      ["B101", "101", "00000003a0"],
      ["b", "", "00000000"],
      ["X1F", "00011111", "000000081f"],
      ["x0", "0000", "0000000400"],
      ["xf0a", "111100001010", "0000000cf0a0"]
    ])
  })

  it("matches server goldens for long strings", () => {
    // select encode(varbit_send(repeat('1', 1000)::varbit), 'hex')
    stringGoldens(varbit, [["1".repeat(1000), "1".repeat(1000), "000003e8" + "ff".repeat(125)]])
    // select encode(varbit_send((repeat('0', 999) || '1')::varbit), 'hex')
    stringGoldens(varbit, [["0".repeat(999) + "1", "0".repeat(999) + "1", "000003e8" + "00".repeat(124) + "01"]])
    // select encode(varbit_send((repeat('10', 500) || '1')::varbit), 'hex')
    stringGoldens(varbit, [["10".repeat(500) + "1", "10".repeat(500) + "1", "000003e9" + "aa".repeat(125) + "80"]])
  })

  it("ignores the padding bits of the last byte", () => {
    // The server accepts and ignores them too: varbit_recv of 00000003ff prints 111.
    assert.strictEqual(decodeHex(varbit, "00000003ff"), "111")
  })
})

describe("bit", () => {
  it("matches server goldens", () => {
    // select encode(bit_send(B'<input>'::bit(n)), 'hex'), bit_out(B'<input>'::bit(n)) for n = length
    stringGoldens(bit, [
      ["0", "0", "0000000100"],
      ["1", "1", "0000000180"],
      ["10101010", "10101010", "00000008aa"],
      ["101010101", "101010101", "00000009aa80"],
      ["000000000", "000000000", "000000090000"]
    ])
  })
})

describe("bit string properties", () => {
  const bits = fc.array(fc.boolean(), { maxLength: 200 }).map((a) => a.map((b) => (b ? "1" : "0")).join(""))

  it("binary round-trips any bit string, at every length", () => {
    for (const c of codecs) {
      fc.assert(
        fc.property(bits, (s) => {
          const hex = encodeHex(c, s)
          assert.strictEqual(hex.length, 8 + 2 * Math.ceil(s.length / 8))
          assert.strictEqual(decodeHex(c, hex), s)
          assert.strictEqual(encodeHex(c, "B" + s), hex)
        }),
        { numRuns: 500 }
      )
    }
  })

  it("reads hex input four bits per digit", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 40 }), (digits) => {
        const expected = digits.map((d) => d.toString(2).padStart(4, "0")).join("")
        const x = "X" + digits.map((d) => d.toString(16)).join("")
        assert.strictEqual(decodeHex(varbit, encodeHex(varbit, x)), expected)
      })
    )
  })

  it("rejects malformed input", () => {
    for (const bad of [" 101", "101 ", "102", "0x1F", "X1 F", "Xg", "B2"]) {
      throwsCodecError(() => encodeHex(varbit, bad), "varbit")
    }
    throwsCodecError(() => encodeHex(bit, "12"), "bit")
    throwsCodecError(() => encodeHex(bit, 5 as unknown as string), "bit")
    for (const bad of ["", "000000", "0000000900", "00000009000000", "ffffffff00", "0000000100aa"]) {
      throwsCodecError(() => decodeHex(varbit, bad), "varbit")
    }
  })

  it("writes nothing when input is rejected", () => {
    const w = new PgWriter(1)
    try {
      varbit.encodeBinary!("0102", w)
    } catch {
      // expected
    }
    assert.strictEqual(w.length, 0)
  })

  it("decoding random bytes returns a string or throws a CodecError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
        onlyCodecErrors(() => assert.isString(varbit.decodeBinary!(b, 0, b.length)))
      }),
      { numRuns: 2000 }
    )
  })

  it("lists every codec with its OID", () => {
    assert.deepStrictEqual(codecs.map((c) => [c.name, c.oid]), [["bit", Oid.bit], ["varbit", Oid.varbit]])
  })
})
