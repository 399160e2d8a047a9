import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { PgWriter } from "../../src/PgWriter.ts"
import { canonicalNumeric, codecs, numeric } from "../../src/internal/types/numeric.ts"
import { decodeHex, encodeHex, throwsCodecError } from "./helpers.ts"

// select x::text, encode(numeric_send(x),'hex') from unnest(array[…]::numeric[]) x   -- PostgreSQL 18.4
const goldens: ReadonlyArray<readonly [string, string]> = [
  ["0", "0000000000000000"],
  ["0.00", "0000000000000002"],
  ["1.50", "000200000000000200011388"],
  ["-0.001", "0001ffff40000003000a"],
  ["123.45", "0002000000000002007b1194"],
  ["1000", "000100000000000003e8"],
  ["0.0015", "0001ffff00000004000f"],
  ["15.0", "0001000000000001000f"],
  ["10000", "00010001000000000001"],
  ["9999", "0001000000000000270f"],
  ["99999999.99990000", "0003000100000008270f270f270f"],
  ["-123456789012345678901234567890.123456789", "000b000740000009000c0d801ed204d2162e23340d801ed204d2162e2328"],
  ["0.000", "0000000000000003"],
  ["0.00000000000000000001", "0001fffb000000140001"],
  ["12345678.9", "000300010000000104d2162e2328"],
  ["-1", "00010000400000000001"],
  ["3.14159265358979323846264338327950288", "000a0000000000230003058724310e051efc0f060a530ef81f0e0b40"],
  ["100000000", "00010002000000000001"],
  ["0.0001", "0001ffff000000040001"],
  ["-0.00010", "0001ffff400000050001"],
  ["100000000000000000000", "00010005000000000001"],
  ["1.000000000000000000001", "000700000000001500010000000000000000000003e8"],
  ["NaN", "00000000c0000000"]
]

// The server sends ±Infinity with dscale bits 0x0020; any dscale is ignored for special values.
// select encode(numeric_send('Infinity'::numeric),'hex'), encode(numeric_send('-Infinity'::numeric),'hex')
const infinities: ReadonlyArray<readonly [string, string]> = [
  ["Infinity", "00000000d0000020"],
  ["-Infinity", "00000000f0000020"]
]

// select input::numeric::text  -- PostgreSQL 18.4: what numeric_in + numeric_out make of each input
const serverCanonical: ReadonlyArray<readonly [string, string]> = [
  ["-0.00", "0.00"],
  ["1e3", "1000"],
  ["1.5e-3", "0.0015"],
  ["1.50e1", "15.0"],
  ["+5", "5"],
  [".5", "0.5"],
  ["5.", "5"],
  ["1_000.5", "1000.5"],
  ["0x1F", "31"],
  ["0X1f", "31"],
  ["0x_1F", "31"],
  ["-0b101", "-5"],
  ["0o17", "15"],
  ["0x1e2", "482"],
  ["  1.5  ", "1.5"],
  ["\t5\n", "5"],
  ["inf", "Infinity"],
  ["+inf", "Infinity"],
  ["+Infinity", "Infinity"],
  ["-Inf", "-Infinity"],
  ["-infinity", "-Infinity"],
  ["nan", "NaN"],
  [" nan ", "NaN"],
  ["NAN", "NaN"],
  ["007.10", "7.10"],
  ["1_000_000", "1000000"],
  ["1.5_5", "1.55"],
  ["-.5", "-0.5"],
  ["1e+2", "100"],
  ["1E-0_1", "0.1"],
  ["1e01", "10"],
  ["00", "0"],
  ["-0", "0"],
  ["0.5e1", "5"],
  ["1.e2", "100"],
  ["1.5e-0", "1.5"],
  ["0e1073741823", "0"],
  ["0.e-2", "0.00"],
  ["0e99999999", "0"],
  ["1e-5", "0.00001"]
]

// select input::numeric  -- each fails with "invalid input syntax for type numeric"
const serverInvalid: ReadonlyArray<string> = [
  "-nan",
  "infinityx",
  "0x",
  "0x1.5",
  "1__0",
  "_1",
  "1_",
  "._5",
  "5_.5",
  "5._5",
  ".",
  "1e",
  "1 e2",
  " - 1",
  "- 1",
  "1e2.5",
  "+.e2",
  "١",
  "1e_1",
  "1e1_",
  "1e-_1",
  "1e+",
  "1e--1",
  "1e1__0",
  "0x1F_",
  "0b",
  "0b2",
  "",
  "   ",
  "abc",
  "1,5"
]

// select input::numeric  -- each fails with "value overflows numeric format"
const serverOverflow: ReadonlyArray<string> = [
  "1e131072",
  "1e-16384",
  "1.5e-16383",
  "1e999999999999",
  "1e-99999999999999",
  "0.0e-16384",
  "1e2147483647",
  "0e1073741824"
]

// An oracle independent of the codec: BigInt arithmetic on the mantissa.
const oracle = (sign: string, int: string, frac: string, exp: number): string => {
  const m = BigInt((int + frac) || "0")
  const scale = frac.length - exp
  let out: string
  if (scale <= 0) {
    out = (m * 10n ** BigInt(-scale)).toString()
  } else {
    const p = 10n ** BigInt(scale)
    out = (m / p).toString() + "." + (m % p).toString().padStart(scale, "0")
  }
  return sign === "-" && m !== 0n ? "-" + out : out
}

const digits = (max: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { maxLength: max }).map((a) => a.join(""))

describe("numeric", () => {
  it("is listed in codecs", () => {
    assert.deepStrictEqual(codecs, [numeric])
    assert.strictEqual(numeric.oid, 1700)
  })

  it("decodes and encodes the server's binary goldens", () => {
    for (const [text, hex] of goldens) {
      assert.strictEqual(decodeHex(numeric, hex), text, `decode ${hex}`)
      assert.strictEqual(encodeHex(numeric, text), hex, `encode ${text}`)
      assert.strictEqual(numeric.decodeText(text), text)
      assert.strictEqual(numeric.encodeText(text), text)
    }
    for (const [text, hex] of infinities) {
      assert.strictEqual(decodeHex(numeric, hex), text)
      assert.strictEqual(encodeHex(numeric, text), hex)
    }
  })

  it("keeps huge scales and weights", () => {
    // select length(x::text), encode(numeric_send(x),'hex') from (select ('0.' || repeat('0',999) || '1')::numeric x) s
    const tiny = "0." + "0".repeat(999) + "1"
    assert.strictEqual(decodeHex(numeric, "0001ff06000003e80001"), tiny)
    assert.strictEqual(encodeHex(numeric, tiny), "0001ff06000003e80001")
    // select encode(numeric_send(('0.' || repeat('0',1000))::numeric),'hex')
    assert.strictEqual(decodeHex(numeric, "00000000000003e8"), "0." + "0".repeat(1000))
    // select encode(numeric_send(('1.' || repeat('1234',250))::numeric),'hex')
    const long = "1." + "1234".repeat(250)
    const longHex = "00fb0000000003e80001" + "04d2".repeat(250)
    assert.strictEqual(decodeHex(numeric, longHex), long)
    assert.strictEqual(encodeHex(numeric, long), longHex)
    // select encode(numeric_send('1e1000'::numeric),'hex')
    assert.strictEqual(decodeHex(numeric, "000100fa000000000001"), "1" + "0".repeat(1000))
    assert.strictEqual(encodeHex(numeric, "1e1000"), "000100fa000000000001")
    // select length('1e131071'::numeric::text) -- 131072 digits, weight 0x7fff
    const max = decodeHex(numeric, "00017fff0000000003e8")
    assert.strictEqual(max.length, 131072)
    assert.strictEqual(canonicalNumeric("1e131071"), max)
    // select length('1e-16383'::numeric::text) -- dscale 0x3fff
    assert.strictEqual(decodeHex(numeric, "0001f00000003fff000a"), "0." + "0".repeat(16382) + "1")
    assert.strictEqual(encodeHex(numeric, "1e-16383"), "0001f00000003fff000a")
  })

  it("reads every input syntax numeric_in reads, as the server prints it", () => {
    for (const [input, canonical] of serverCanonical) {
      assert.strictEqual(numeric.decodeText(input), canonical, JSON.stringify(input))
      assert.strictEqual(numeric.encodeText(input), canonical, JSON.stringify(input))
      assert.strictEqual(decodeHex(numeric, encodeHex(numeric, input)), canonical, JSON.stringify(input))
    }
  })

  it("rejects what numeric_in rejects, without echoing the input", () => {
    for (const input of [...serverInvalid, ...serverOverflow]) {
      throwsCodecError(() => numeric.decodeText(input), "numeric")
      throwsCodecError(() => encodeHex(numeric, input), "numeric")
    }
    assert.notInclude(throwsCodecError(() => numeric.encodeText("secret-42x"), "numeric").message, "secret-42x")
    throwsCodecError(() => encodeHex(numeric, null as unknown as string), "numeric")
    throwsCodecError(() => encodeHex(numeric, {} as unknown as string), "numeric")
  })

  it("encodes numbers as their shortest round-trip decimal", () => {
    const cases: ReadonlyArray<readonly [number, string]> = [
      [0, "0"],
      [-0, "0"],
      [0.1, "0.1"],
      [-1.5, "-1.5"],
      [1e21, "1000000000000000000000"],
      [1.5e-7, "0.00000015"],
      [123456789.125, "123456789.125"],
      [Number.MAX_SAFE_INTEGER, "9007199254740991"],
      [5e-324, "0." + "0".repeat(323) + "5"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
      [Number.NEGATIVE_INFINITY, "-Infinity"]
    ]
    for (const [n, s] of cases) {
      assert.strictEqual(numeric.encodeText(n), s)
      assert.strictEqual(decodeHex(numeric, encodeHex(numeric, n)), s)
    }
    // select encode(numeric_send('NaN'::numeric),'hex')
    assert.strictEqual(encodeHex(numeric, Number.NaN), "00000000c0000000")
  })

  it("encodes bigints exactly", () => {
    const big = -(2n ** 200n) + 7n
    assert.strictEqual(numeric.encodeText(big), big.toString())
    assert.strictEqual(decodeHex(numeric, encodeHex(numeric, big)), big.toString())
    // select encode(numeric_send(-1::numeric),'hex')
    assert.strictEqual(encodeHex(numeric, -1n), "00010000400000000001")
  })

  it("decodes non-normalised binary input as numeric_recv + numeric_out would", () => {
    // leading zero digits are skipped: [0, 0, 12] weight 2 = 12
    assert.strictEqual(decodeHex(numeric, "000300020000000000000000000c"), "12")
    // digits hidden by dscale are truncated (numeric_recv applies trunc_var): 1.23456 at dscale 2
    assert.strictEqual(decodeHex(numeric, "0003000000000002000109291770"), "1.23")
    assert.strictEqual(decodeHex(numeric, "00020000000000020001270f"), "1.99")
    // a negative value whose shown digits are all zero prints without a sign
    assert.strictEqual(decodeHex(numeric, "0001ffff400000020001"), "0.00")
    assert.strictEqual(decodeHex(numeric, "00010000400000000000"), "0")
    // weight beyond the digits pads with zero groups
    assert.strictEqual(decodeHex(numeric, "0001000340000001002a"), "-42000000000000.0")
    // the fraction's first group lies several groups below the point
    assert.strictEqual(decodeHex(numeric, "0001fffd000000090005"), "0.000000000")
    assert.strictEqual(decodeHex(numeric, "0001fffd0000000d0005"), "0.0000000000050")
  })

  it("rejects malformed binary values", () => {
    const bad = [
      "", // no header
      "00000000000000", // 7 bytes
      "0001000000000000", // ndigits 1 but no digit
      "00000000000000000001", // trailing bytes
      "00010000123400000001", // bad sign word
      "00010000000000002710", // digit 10000
      "0001000000000000ffff", // digit -1
      "000200000000000000012710", // digit ≥ 10000 hidden by dscale 0
      "000000000000c000", // dscale beyond 0x3fff
      "00020000000000000001" // ndigits 2, one digit
    ]
    for (const h of bad) throwsCodecError(() => decodeHex(numeric, h), "numeric")
  })

  it("agrees with a BigInt oracle on random decimal strings, text and binary alike", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("", "-", "+"),
        digits(40),
        digits(40),
        fc.boolean(),
        fc.integer({ min: -40, max: 40 }),
        (sign, int, frac, withPoint, exp) => {
          const f = withPoint ? frac : ""
          fc.pre(int.length + f.length > 0)
          const input = `${sign}${int}${withPoint ? "." : ""}${f}${exp !== 0 ? `e${exp}` : ""}`
          const expected = oracle(sign, int, f, exp)
          assert.strictEqual(numeric.decodeText(input), expected, input)
          assert.strictEqual(numeric.encodeText(input), expected, input)
          assert.strictEqual(decodeHex(numeric, encodeHex(numeric, input)), expected, input)
          // the canonical form is a fixed point of both paths
          assert.strictEqual(numeric.decodeText(expected), expected)
          assert.strictEqual(decodeHex(numeric, encodeHex(numeric, expected)), expected)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("decodes random binary values like a BigInt oracle", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9999 }), { maxLength: 12 }),
        fc.integer({ min: -8, max: 8 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 40 }),
        (ds, weight, neg, dscale) => {
          const w = new PgWriter(1)
          w.i16(ds.length).i16(weight).u16(neg ? 0x4000 : 0).u16(dscale)
          for (const d of ds) w.i16(d)
          const b = w.take()
          // |value| × 10^dscale, truncated: Σ d × 10^(4(weight - i) + dscale)
          let num = 0n
          let den = 1n
          ds.forEach((d, i) => {
            const e = 4 * (weight - i) + dscale
            if (e >= 0) num += BigInt(d) * 10n ** BigInt(e) * den
            else {
              const need = 10n ** BigInt(-e)
              if (need > den) {
                num *= need / den
                den = need
              }
              num += BigInt(d) * (den / need)
            }
          })
          const scaled = (num / den).toString().padStart(dscale + 1, "0")
          const body = dscale === 0 ? scaled : scaled.slice(0, -dscale) + "." + scaled.slice(-dscale)
          const expected = neg && num / den !== 0n ? "-" + body : body
          const decoded = numeric.decodeBinary!(b, 0, b.length)
          assert.strictEqual(decoded, expected)
          assert.strictEqual(numeric.decodeText(decoded), decoded)
          // re-encoding gives the normalised form, which decodes to the same string
          assert.strictEqual(decodeHex(numeric, encodeHex(numeric, decoded)), decoded)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("round-trips finite doubles through their decimal string", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const s = decodeHex(numeric, encodeHex(numeric, n))
        assert.strictEqual(Number(s), n === 0 ? 0 : n)
        assert.strictEqual(numeric.encodeText(n), s)
      }),
      { numRuns: 1000 }
    )
  })
})

describe("numeric BigDecimal-like input", () => {
  it("encodes { value, scale } exactly, keeping the scale", () => {
    const cases: ReadonlyArray<readonly [bigint, number, string]> = [
      [150n, 2, "1.50"],
      [-5n, 3, "-0.005"],
      [12n, -3, "12000"],
      [0n, 2, "0.00"],
      [123456789012345678901234567890n, 10, "12345678901234567890.1234567890"]
    ]
    for (const [value, scale, text] of cases) {
      assert.strictEqual(numeric.encodeText({ value, scale }), text)
      assert.strictEqual(decodeHex(numeric, encodeHex(numeric, { value, scale })), text)
    }
  })
})
