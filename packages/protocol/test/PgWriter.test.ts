import { assert, describe, it } from "@effect/vitest"
import { PgWriter } from "../src/PgWriter.ts"

describe("PgWriter", () => {
  it("frames a message with an inclusive length", () => {
    const w = new PgWriter(2)
    const at = w.beginMessage(0x51)
    w.cstring("select 1")
    w.endMessage(at)
    assert.deepStrictEqual(Array.from(w.take()), [0x51, 0, 0, 0, 13, ...Array.from(new TextEncoder().encode("select 1")), 0])
    assert.strictEqual(w.length, 0)
  })

  it("writes non-ASCII strings as UTF-8 and grows as needed", () => {
    const w = new PgWriter(1)
    w.string("aé€😀")
    assert.deepStrictEqual(w.take(), new TextEncoder().encode("aé€😀"))
  })

  it("patches exclusive lengths for parameters", () => {
    const w = new PgWriter()
    const at = w.beginLength()
    w.i32(7).i64(-2n).f64(1.5).i16(-1).u16(65535).u32(4294967295).f32(0.5)
    w.endLength(at, false)
    const out = w.take()
    const view = new DataView(out.buffer)
    assert.strictEqual(view.getInt32(0), out.length - 4)
    assert.strictEqual(view.getInt32(4), 7)
    assert.strictEqual(view.getBigInt64(8), -2n)
    assert.strictEqual(view.getFloat64(16), 1.5)
    assert.strictEqual(view.getInt16(24), -1)
    assert.strictEqual(view.getUint16(26), 65535)
    assert.strictEqual(view.getUint32(28), 4294967295)
    assert.strictEqual(view.getFloat32(32), 0.5)
  })
})
