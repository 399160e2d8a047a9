/**
 * Helpers shared by the type codec tests: binary encode/decode through hex, the CodecError
 * check, the server-golden loops, and small local codecs for the generic containers (array,
 * range, record) so their tests do not depend on the scalar families.
 */
import { assert } from "@effect/vitest"
import type { Codec } from "../../src/PgCodec.ts"
import { CodecError, fail, make } from "../../src/PgCodec.ts"
import { PgWriter } from "../../src/PgWriter.ts"
import { readInt32, utf8Slice } from "../../src/internal/bytes.ts"
import { fromHex, toHex } from "../fixtures/bytes.ts"

export { fromHex, toHex } from "../fixtures/bytes.ts"

// -------------------------------------------------------------------------------------------------
// binary forms as hex

/** Encodes `value` with the codec's binary encoder (into a writer that has to grow); hex out. */
export const encodeHex = <I>(codec: Codec<any, I>, value: I): string => {
  const w = new PgWriter(1)
  codec.encodeBinary!(value, w)
  return toHex(w.take())
}

/**
 * Decodes the binary form `hex` from the middle of a larger buffer (bytes around it set to
 * 0xee), as fields arrive from the network: offsets and lengths must be honoured.
 */
export const decodeHex = <A>(codec: Codec<A, any>, hex: string): A => {
  const field = fromHex(hex)
  const buffer = new Uint8Array(field.length + 6).fill(0xee)
  buffer.set(field, 3)
  return codec.decodeBinary!(buffer, 3, field.length)
}

/** A big-endian int32 as hex. */
export const int32Hex = (n: number): string => {
  const v = new DataView(new ArrayBuffer(4))
  v.setInt32(0, n)
  return toHex(new Uint8Array(v.buffer))
}

/** A big-endian int64 as hex. */
export const int64Hex = (n: bigint): string => {
  const v = new DataView(new ArrayBuffer(8))
  v.setBigInt64(0, n)
  return toHex(new Uint8Array(v.buffer))
}

// -------------------------------------------------------------------------------------------------
// errors

/**
 * Asserts that `f` throws a `CodecError` (and nothing else), of the codec named `type` when
 * given; returns the error for further checks.
 */
export const throwsCodecError = (f: () => unknown, type?: string): CodecError => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, CodecError)
    const error = e as CodecError
    assert.strictEqual(error._tag, "PgCodecError")
    if (type !== undefined) assert.strictEqual(error.type, type)
    return error
  }
  return assert.fail(type === undefined ? "expected a CodecError" : `expected a CodecError for ${type}`)
}

/** Runs `f`, which may return or throw a `CodecError` but must not throw anything else. */
export const onlyCodecErrors = (f: () => unknown): void => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, CodecError)
  }
}

// -------------------------------------------------------------------------------------------------
// server goldens

/**
 * Server goldens `[input, text, hex]` of a codec whose values are the server's text: `hex` is
 * `encode(<send>('<input>'::<type>), 'hex')` and `text` the type's output for the same value.
 * Decoding the bytes must give the server's text; encoding the input must give the server's
 * bytes, and so must encoding the server's own text — or, with `reprints`, the bytes of the
 * server's text must decode to that text again (for types whose text does not show the whole
 * value: tsquery prints `a & (b & c)` as `'a' & 'b' & 'c'`, and re-reading it may build another
 * tree that prints the same).
 */
export const stringGoldens = (
  c: Codec<string>,
  rows: ReadonlyArray<readonly [string, string, string]>,
  text: "encodes" | "reprints" = "encodes"
): void => {
  for (const [input, out, hex] of rows) {
    assert.strictEqual(decodeHex(c, hex), out, `${c.name} decode ${hex}`)
    assert.strictEqual(encodeHex(c, input), hex, `${c.name} encode ${JSON.stringify(input)}`)
    if (text === "encodes") assert.strictEqual(encodeHex(c, out), hex, `${c.name} encode ${JSON.stringify(out)}`)
    else assert.strictEqual(decodeHex(c, encodeHex(c, out)), out, `${c.name} re-encode ${JSON.stringify(out)}`)
    assert.strictEqual(c.decodeText(out), out)
    assert.strictEqual(c.encodeText(input), input)
  }
}

/**
 * Server goldens `[value, text, hex]`: `hex` is `encode(<send>('<text>'::<type>), 'hex')`. The
 * bytes decode to the value, the value encodes to the bytes, the text decodes to the value, and
 * the value prints as the server's text — or, with `roundTrips`, as a text that reads back as the
 * value (for codecs that may print another spelling than the server's).
 */
export const valueGoldens = <A, I>(
  c: Codec<A, I>,
  rows: ReadonlyArray<readonly [A & I, string, string]>,
  print: "exact" | "roundTrips" = "exact"
): void => {
  for (const [value, text, hex] of rows) {
    assert.deepStrictEqual(decodeHex(c, hex), value, `${c.name} decode ${hex}`)
    assert.strictEqual(encodeHex(c, value), hex, `${c.name} encode ${text}`)
    assert.deepStrictEqual(c.decodeText(text), value, `${c.name} decodeText ${text}`)
    if (print === "exact") assert.strictEqual(c.encodeText(value), text, `${c.name} encodeText ${text}`)
    else assert.deepStrictEqual(c.decodeText(c.encodeText(value)), value, `${c.name} text round trip ${text}`)
  }
}

// -------------------------------------------------------------------------------------------------
// local element codecs for the container tests

/** `int4` as a number; encoding rejects non-integers. */
export const int4: Codec<number> = make({
  oid: 23,
  name: "int4",
  decodeBinary: (b, o, l) => (l === 4 ? readInt32(b, o) : fail("int4 must be 4 bytes", 23, "int4")),
  encodeBinary: (v, w) => {
    if (!Number.isInteger(v)) fail("not an integer", 23, "int4")
    w.i32(v)
  },
  decodeText: (t) => (/^\s*[+-]?\d+\s*$/.test(t) ? Number(t) : fail(`bad int4 ${t}`, 23, "int4")),
  encodeText: (v) => String(v)
})

/** A text-like type: UTF-8 bytes, text unchanged. */
export const textLike = (oid: number, name: string): Codec<string> =>
  make({
    oid,
    name,
    decodeBinary: (b, o, l) => utf8Slice(b, o, o + l),
    encodeBinary: (v, w) => {
      w.string(v)
    },
    decodeText: (t) => t,
    encodeText: (v) => v
  })

/** `text`. */
export const text: Codec<string> = textLike(25, "text")
