import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import fc from "fast-check"
import type { Codec } from "../src/PgCodec.ts"
import * as PgCopyBinary from "../src/PgCopyBinary.ts"
import { Oid } from "../src/PgOid.ts"
import * as PgTypes from "../src/PgTypes.ts"
import { PgWriter } from "../src/PgWriter.ts"
import { concat, fromHex, prng, randomChunks, toHex } from "./fixtures/helpers.ts"

const codecsOf = (...oids: ReadonlyArray<number>): Array<Codec> => oids.map((oid) => PgTypes.getOrText(PgTypes.builtins, oid))

// ---------------------------------------------------------------------------------------------
// Goldens captured from PostgreSQL 18.4 with `psql -c "copy (…) to stdout (format binary)" | xxd -p`

/**
 * copy (select i::int4 as id, ('row ' || i)::text as name,
 *   case when i % 2 = 0 then null else i * 1.5 end::float8 as f,
 *   timestamptz '2024-01-02 03:04:05.678+00' + i * interval '1 day' as ts,
 *   (i * 10000000000)::int8 as big, (i % 3 = 0) as flag
 * from generate_series(1, 3) i) to stdout (format binary)
 */
const mixedHex = "5047434f50590aff0d0a0000000000000000000006000000040000000100000005726f772031000000083ff8000000000000000000080002b100a2f7abb00000000800000002540be40000000001000006000000040000000200000005726f772032ffffffff000000080002b114c0cf0bb00000000800000004a817c80000000001000006000000040000000300000005726f772033000000084012000000000000000000080002b128dea66bb00000000800000006fc23ac000000000101ffff"
const mixedCodecs = codecsOf(Oid.int4, Oid.text, Oid.float8, Oid.timestamptz, Oid.int8, Oid.bool)
/** The same rows in text format (PGTZ=UTC), `\N` for NULL. */
const mixedText = [
  "1\trow 1\t1.5\t2024-01-03 03:04:05.678+00\t10000000000\tf",
  "2\trow 2\t\\N\t2024-01-04 03:04:05.678+00\t20000000000\tf",
  "3\trow 3\t4.5\t2024-01-05 03:04:05.678+00\t30000000000\tt"
]

/** copy (select 1 where false) to stdout (format binary) */
const emptyHex = "5047434f50590aff0d0a000000000000000000ffff"

/** copy (select from generate_series(1, 2)) to stdout (format binary) — tuples without fields */
const zeroColumnsHex = "5047434f50590aff0d0a00000000000000000000000000ffff"

/**
 * copy (select '12345.678'::numeric as n, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u,
 *   '{1,NULL,3}'::int4[] as a, '{"k": [1, true]}'::jsonb as j, '\xdeadbeef'::bytea as b,
 *   date '2000-02-29' as d, interval '1 year 2 days 03:04:05' as iv, 'héllo ✓'::varchar as v,
 *   null::text as nul) to stdout (format binary)
 */
const variousHex = "5047434f50590aff0d0a00000000000000000000090000000e0003000100000003000109291a7c00000010a0eebc999c0b4ef8bb6d6bb9bd380a110000002800000001000000010000001700000003000000010000000400000001ffffffff000000040000000300000011017b226b223a205b312c20747275655d7d00000004deadbeef000000040000003b000000100000000292555340000000020000000c0000000a68c3a96c6c6f20e29c93ffffffffffff"
const variousCodecs = codecsOf(Oid.numeric, Oid.uuid, Oid._int4, Oid.jsonb, Oid.bytea, Oid.date, Oid.interval, Oid.varchar, Oid.text)
const variousText = ["12345.678", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{1,NULL,3}", "{\"k\": [1, true]}", "\\xdeadbeef", "2000-02-29", "1 year 2 days 03:04:05", "héllo ✓", null]

/**
 * Hand-made (servers since PostgreSQL 12 cannot write OIDs): flags with bit 16 (OIDs) and bit 0
 * (non-critical, ignored), a 3-byte header extension, then two tuples (OIDs 16385 and NULL) of one
 * int4 field, and the trailer.
 */
const oidsHex = "5047434f50590aff0d0a00 00010001 00000003 aabbcc 0001 00000004 00004001 00000004 0000002a 0001 ffffffff ffffffff ffff"

// ---------------------------------------------------------------------------------------------
// helpers

interface Tuple {
  readonly oid: number | null
  readonly fields: ReadonlyArray<string | null>
}

interface Outcome {
  readonly tuples: Array<Tuple>
  readonly error: PgCopyBinary.CopyBinaryError | undefined
}

/** Feeds chunks to a fresh decoder; collects each tuple's fields as hex (views copied at once). */
const walk = (chunks: ReadonlyArray<Uint8Array>, options?: PgCopyBinary.DecoderOptions): Outcome => {
  const decoder = PgCopyBinary.makeDecoder(options)
  const tuples: Array<Tuple> = []
  const onTuple = (bytes: Uint8Array, start: number, fieldCount: number) => {
    const fields: Array<string | null> = []
    let p = start
    for (let i = 0; i < fieldCount; i++) {
      const len = new DataView(bytes.buffer, bytes.byteOffset).getInt32(p)
      p += 4
      if (len < 0) fields.push(null)
      else {
        fields.push(toHex(bytes.subarray(p, p + len)))
        p += len
      }
    }
    tuples.push({ oid: decoder.oid, fields })
  }
  for (const chunk of chunks) {
    const error = decoder.push(chunk, onTuple)
    if (error !== undefined) return { tuples, error }
  }
  return { tuples, error: decoder.end() }
}

const rowsOf = (chunks: ReadonlyArray<Uint8Array>, codecs: ReadonlyArray<Codec>) => {
  const decoder = PgCopyBinary.makeRowDecoder(codecs)
  const rows: Array<Array<unknown>> = []
  for (const chunk of chunks) {
    const error = decoder.push(chunk, (row) => rows.push(row))
    if (error !== undefined) return { rows, error }
  }
  return { rows, error: decoder.end() }
}

/** Every split into two chunks, byte by byte, and seeded random chunkings. */
const chunkings = (bytes: Uint8Array): Array<Array<Uint8Array>> => {
  const out: Array<Array<Uint8Array>> = [[bytes]]
  for (let split = 0; split <= bytes.length; split++) out.push([bytes.subarray(0, split), bytes.subarray(split)])
  out.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))
  const { int } = prng(bytes.length)
  for (let round = 0; round < 40; round++) out.push(randomChunks(bytes, int, 1 + int(40)))
  return out
}

const expectError = (
  outcome: { readonly error: PgCopyBinary.CopyBinaryError | undefined },
  reason: PgCopyBinary.CopyBinaryErrorReason
): PgCopyBinary.CopyBinaryError => {
  assert.isDefined(outcome.error, `expected ${reason}`)
  assert.instanceOf(outcome.error, PgCopyBinary.CopyBinaryError)
  assert.strictEqual(outcome.error!._tag, "PgCopyBinaryError")
  assert.strictEqual(outcome.error!.reason, reason, outcome.error!.message)
  return outcome.error!
}

// ---------------------------------------------------------------------------------------------

describe("PgCopyBinary constants", () => {
  it("header and trailer", () => {
    assert.strictEqual(toHex(PgCopyBinary.signature), "5047434f50590aff0d0a00")
    assert.strictEqual(toHex(PgCopyBinary.header), "5047434f50590aff0d0a000000000000000000")
    assert.strictEqual(toHex(PgCopyBinary.trailer), "ffff")
    assert.strictEqual(PgCopyBinary.flagOids, 1 << 16)
  })
})

describe("PgCopyBinary decoding server goldens", () => {
  it("mixed types with NULLs: tuple views, decoded values, every chunking", () => {
    const bytes = fromHex(mixedHex)
    const whole = walk([bytes])
    assert.isUndefined(whole.error)
    assert.deepStrictEqual(whole.tuples[1], {
      oid: null,
      fields: ["00000002", "726f772032", null, "0002b114c0cf0bb0", "00000004a817c800", "00"]
    })
    assert.strictEqual(whole.tuples.length, 3)
    for (const chunks of chunkings(bytes)) assert.deepStrictEqual(walk(chunks), whole)

    const expected = mixedText.map((line) =>
      line.split("\t").map((t, i) => (t === "\\N" ? null : mixedCodecs[i]!.decodeText(t)))
    )
    const { rows, error } = rowsOf([bytes], mixedCodecs)
    assert.isUndefined(error)
    assert.deepStrictEqual(rows, expected)
    assert.strictEqual(rows[0]![0], 1)
    assert.strictEqual(rows[0]![4], 10000000000n)
    assert.deepStrictEqual(Result.getOrThrow(PgCopyBinary.decodeAll(bytes, mixedCodecs)), expected)
    for (const chunks of chunkings(bytes).slice(0, 60)) assert.deepStrictEqual(rowsOf(chunks, mixedCodecs).rows, expected)
  })

  it("various types (numeric, uuid, array, jsonb, bytea, date, interval, varchar, NULL text)", () => {
    const bytes = fromHex(variousHex)
    const expected = [variousText.map((t, i) => (t === null ? null : variousCodecs[i]!.decodeText(t)))]
    expected[0]![4] = Uint8Array.of(0xde, 0xad, 0xbe, 0xef) // the COPY text form escapes the backslash
    for (const chunks of chunkings(bytes)) {
      const { rows, error } = rowsOf(chunks, variousCodecs)
      assert.isUndefined(error)
      assert.deepStrictEqual(rows, expected)
    }
  })

  it("an empty result is header + trailer", () => {
    for (const chunks of chunkings(fromHex(emptyHex))) assert.deepStrictEqual(walk(chunks), { tuples: [], error: undefined })
  })

  it("tuples without fields", () => {
    for (const chunks of chunkings(fromHex(zeroColumnsHex))) {
      assert.deepStrictEqual(walk(chunks), { tuples: [{ oid: null, fields: [] }, { oid: null, fields: [] }], error: undefined })
      assert.deepStrictEqual(rowsOf(chunks, []).rows, [[], []])
    }
  })

  it("OIDs (flag bit 16), a non-critical flag and a header extension", () => {
    const bytes = fromHex(oidsHex)
    for (const chunks of chunkings(bytes)) {
      assert.deepStrictEqual(walk(chunks), {
        tuples: [{ oid: 16385, fields: ["0000002a"] }, { oid: null, fields: [null] }],
        error: undefined
      })
    }
    const decoder = PgCopyBinary.makeDecoder()
    assert.isUndefined(decoder.push(bytes, () => {}))
    assert.isTrue(decoder.hasOids)
    assert.isTrue(decoder.done)
    assert.strictEqual(decoder.tuples, 2)
    assert.deepStrictEqual(rowsOf([bytes], codecsOf(Oid.int4)).rows, [[42], [null]])
  })

  it("tuple views are zero-copy when the tuple lies in one chunk", () => {
    const bytes = fromHex(mixedHex)
    const seen: Array<Uint8Array> = []
    const decoder = PgCopyBinary.makeDecoder()
    decoder.push(bytes, (b) => seen.push(b))
    assert.strictEqual(seen.length, 3)
    for (const b of seen) assert.strictEqual(b, bytes)
  })
})

describe("PgCopyBinary encoding", () => {
  it("reproduces the server's bytes", () => {
    const mixed = rowsOf([fromHex(mixedHex)], mixedCodecs).rows
    assert.strictEqual(toHex(Result.getOrThrow(PgCopyBinary.encodeAll(mixedCodecs, mixed))), mixedHex)
    assert.strictEqual(toHex(Result.getOrThrow(PgCopyBinary.encodeAll(mixedCodecs, []))), emptyHex)
    assert.strictEqual(toHex(Result.getOrThrow(PgCopyBinary.encodeAll([], [[], []]))), zeroColumnsHex)
    // jsonb is re-serialised by JSON.stringify (no space after ':'), so compare the other columns.
    const various = rowsOf([fromHex(variousHex)], variousCodecs).rows
    const reencoded = Result.getOrThrow(PgCopyBinary.encodeAll(variousCodecs, various))
    assert.deepStrictEqual(rowsOf([reencoded], variousCodecs).rows, various)
  })

  it("records by keys, undefined as NULL, a shared writer taken between rows", () => {
    const writer = new PgWriter(16)
    const encoder = PgCopyBinary.makeEncoder(codecsOf(Oid.int4, Oid.text), { writer, keys: ["id", "name"] })
    const parts: Array<Uint8Array> = []
    assert.isUndefined(encoder.record({ id: 1, name: "a" }))
    parts.push(writer.take())
    assert.isUndefined(encoder.record({ id: 2 }))
    assert.isUndefined(encoder.row([3, null]))
    parts.push(writer.take())
    encoder.trailer()
    parts.push(writer.take())
    assert.strictEqual(encoder.rows, 3)
    assert.deepStrictEqual(rowsOf(parts, codecsOf(Oid.int4, Oid.text)).rows, [[1, "a"], [2, null], [3, null]])
  })

  it("a column without a binary encoder takes the binary form as bytes", () => {
    const unknown = PgTypes.getOrText(PgTypes.builtins, 999_999)
    const encoder = PgCopyBinary.makeEncoder([unknown])
    assert.isUndefined(encoder.row([Uint8Array.of(1, 2)]))
    const e = encoder.row(["text"])!
    assert.strictEqual(e.reason, "EncodeFailed")
    assert.strictEqual(e.column, 0)
    encoder.trailer()
    assert.deepStrictEqual(rowsOf([encoder.writer.take()], [unknown]).rows, [[Uint8Array.of(1, 2)]])
  })

  it("a failing row is rolled back and reported; later rows are fine", () => {
    const encoder = PgCopyBinary.makeEncoder(codecsOf(Oid.int4, Oid.int2))
    assert.isUndefined(encoder.row([1, 2]))
    const before = encoder.writer.length
    const e = encoder.row([3, 70000])!
    assert.strictEqual(e.reason, "EncodeFailed")
    assert.strictEqual(e.tuple, 1)
    assert.strictEqual(e.column, 1)
    assert.include(e.message, "int2")
    assert.notInclude(e.message, "70000")
    assert.strictEqual(encoder.writer.length, before)
    const wrong = encoder.row([1])!
    assert.strictEqual(wrong.reason, "FieldCountMismatch")
    assert.strictEqual(encoder.writer.length, before)
    assert.strictEqual(encoder.record({ a: 1 })!.reason, "FieldCountMismatch") // no keys
    assert.isUndefined(encoder.row([4, 5]))
    encoder.trailer()
    assert.deepStrictEqual(rowsOf([encoder.writer.take()], codecsOf(Oid.int4, Oid.int2)).rows, [[1, 2], [4, 5]])
  })
})

describe("PgCopyBinary round trips (property)", () => {
  const codecs = codecsOf(Oid.int4, Oid.text, Oid.float8, Oid.int8, Oid.bool, Oid.bytea)
  const row = fc.tuple(
    fc.option(fc.integer({ min: -2147483648, max: 2147483647 })),
    fc.option(fc.string({ unit: "grapheme", maxLength: 40 })),
    fc.option(fc.double()),
    fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
    fc.option(fc.boolean()),
    fc.option(fc.uint8Array({ maxLength: 300 }))
  )

  it("encode then decode in any chunking is the identity", () => {
    fc.assert(fc.property(fc.array(row, { maxLength: 30 }), fc.integer({ min: 1, max: 500 }), fc.integer(), (rows, maxChunk, seed) => {
    const bytes = Result.getOrThrow(PgCopyBinary.encodeAll(codecs, rows))
    const { int } = prng(seed)
    const chunks = randomChunks(bytes, int, maxChunk)
    const { rows: decoded, error } = rowsOf(chunks, codecs)
    assert.isUndefined(error)
    assert.deepStrictEqual(decoded, rows.map((r) => [...r]))
    // The tuple walk agrees with the whole-buffer walk.
    assert.deepStrictEqual(walk(chunks), walk([bytes]))
    }), { numRuns: 300 })
  })

  it("any chunking of random bytes after a valid header gives the same outcome as one chunk", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer(), (tail, seed) => {
    const bytes = concat([PgCopyBinary.header, tail])
    const whole = walk([bytes])
    const { int } = prng(seed)
    const chunked = walk(randomChunks(bytes, int, 7))
    assert.deepStrictEqual(chunked.tuples, whole.tuples)
    assert.strictEqual(chunked.error?.reason, whole.error?.reason)
    }), { numRuns: 500 })
  })
})

describe("PgCopyBinary malformed input", () => {
  it("text or CSV data: BadSignature as soon as a byte differs", () => {
    expectError(walk([new TextEncoder().encode("1\tone\n")]), "BadSignature")
    const sig = fromHex(mixedHex)
    for (let i = 0; i < 11; i++) {
      const bad = sig.slice()
      bad[i] ^= 0x20
      const decoder = PgCopyBinary.makeDecoder()
      const e = decoder.push(bad.subarray(0, i + 1), () => {})
      assert.strictEqual(e?.reason, "BadSignature", `byte ${i}`)
    }
  })

  it("unknown critical flags (bits 17–31) are refused; bits 0–15 ignored", () => {
    for (const flags of ["00020000", "80000000", "01000000"]) {
      expectError(walk([fromHex("5047434f50590aff0d0a00" + flags + "00000000ffff")]), "UnsupportedFlags")
    }
    assert.isUndefined(walk([fromHex("5047434f50590aff0d0a00 0000ffff 00000000ffff")]).error)
  })

  it("negative header extension length", () => {
    expectError(walk([fromHex("5047434f50590aff0d0a00 00000000 ffffffff")]), "BadHeader")
  })

  it("invalid field count and field length", () => {
    const h = toHex(PgCopyBinary.header)
    const count = expectError(walk([fromHex(h + "fffe")]), "BadFieldCount")
    assert.strictEqual(count.tuple, 0)
    for (const chunks of chunkings(fromHex(h + "0002 00000001 aa fffffffe ffff"))) {
      const e = expectError(walk(chunks), "BadFieldLength")
      assert.strictEqual(e.tuple, 0)
      assert.strictEqual(e.column, 1)
    }
  })

  it("field count mismatch: against the first tuple, and against the expected count", () => {
    const bytes = fromHex(toHex(PgCopyBinary.header) + "0001ffffffff 0002ffffffffffffffff ffff")
    for (const chunks of chunkings(bytes)) {
      const outcome = walk(chunks)
      const e = expectError(outcome, "FieldCountMismatch")
      assert.strictEqual(e.tuple, 1)
      assert.strictEqual(outcome.tuples.length, 1)
    }
    const e = expectError(walk([fromHex(mixedHex)], { fieldCount: 5 }), "FieldCountMismatch")
    assert.strictEqual(e.tuple, 0)
    expectError(rowsOf([fromHex(mixedHex)], codecsOf(Oid.int4)), "FieldCountMismatch")
  })

  it("truncated anywhere: Truncated inside the header or a tuple (a length past the end), MissingTrailer between tuples", () => {
    const bytes = fromHex(mixedHex)
    const boundaries = new Set<number>()
    let p = 19
    boundaries.add(p)
    for (let t = 0; t < 3; t++) {
      const n = (bytes[p]! << 8) | bytes[p + 1]!
      p += 2
      for (let i = 0; i < n; i++) {
        const len = new DataView(bytes.buffer).getInt32(p)
        p += 4 + Math.max(0, len)
      }
      boundaries.add(p)
    }
    for (let cut = 0; cut < bytes.length; cut++) {
      const reason = boundaries.has(cut) ? "MissingTrailer" : "Truncated"
      const e = expectError(walk([bytes.subarray(0, cut)]), reason)
      if (reason === "Truncated" && cut > 19) assert.isNumber(e.tuple)
      expectError(walk([bytes.subarray(0, cut / 2), bytes.subarray(cut / 2, cut)]), reason)
    }
  })

  it("data after the trailer", () => {
    for (const chunks of chunkings(fromHex(emptyHex + "00"))) expectError(walk(chunks), "DataAfterTrailer")
    const decoder = PgCopyBinary.makeDecoder()
    assert.isUndefined(decoder.push(fromHex(emptyHex), () => {}))
    assert.strictEqual(decoder.push(Uint8Array.of(0), () => {})?.reason, "DataAfterTrailer")
  })

  it("a tuple spanning chunks larger than maxTupleSize", () => {
    const bytes = Result.getOrThrow(PgCopyBinary.encodeAll(codecsOf(Oid.bytea), [[new Uint8Array(1000)]]))
    const chunks = [bytes.subarray(0, 100), bytes.subarray(100)]
    expectError(walk(chunks, { maxTupleSize: 500 }), "TupleTooLarge")
    assert.isUndefined(walk(chunks, { maxTupleSize: 2000 }).error)
  })

  it("a field its codec rejects: DecodeFailed naming tuple and column, without the value", () => {
    // int4 with 3 bytes in tuple 1, column 1
    const bytes = fromHex(toHex(PgCopyBinary.header) + "0002000000040000000100000004000000020002000000040000000300000003aabbccffff")
    for (const chunks of chunkings(bytes)) {
      const outcome = rowsOf(chunks, codecsOf(Oid.int4, Oid.int4))
      const e = expectError(outcome, "DecodeFailed")
      assert.strictEqual(e.tuple, 1)
      assert.strictEqual(e.column, 1)
      assert.include(e.message, "int4")
      assert.deepStrictEqual(outcome.rows, [[1, 2]])
    }
  })

  it("errors are terminal", () => {
    const decoder = PgCopyBinary.makeDecoder()
    const e = decoder.push(Uint8Array.of(0x00), () => {})
    assert.strictEqual(e?.reason, "BadSignature")
    assert.strictEqual(decoder.push(fromHex(emptyHex), () => {}), e)
    assert.strictEqual(decoder.end(), e)
    assert.strictEqual(decoder.failure, e)
  })

  it("a throwing tuple handler propagates and leaves the decoder terminal", () => {
    const decoder = PgCopyBinary.makeDecoder()
    assert.throws(() =>
      decoder.push(fromHex(mixedHex), () => {
        throw new Error("boom")
      })
    )
    assert.isDefined(decoder.failure)
    assert.isDefined(decoder.push(fromHex(emptyHex), () => {}))
  })
})
