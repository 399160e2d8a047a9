import { assert, describe, it } from "@effect/vitest"
import * as PgBackend from "../src/PgBackend.ts"
import { concat, goldenStreams, parseChunks, prng, randomChunks } from "./fixtures/helpers.ts"

/**
 * Any chunking of a byte stream must produce the same messages as the whole stream in one push:
 * every split point of every golden stream, one byte at a time, and seeded random chunkings.
 */
describe("PgBackend chunking", () => {
  for (const stream of goldenStreams) {
    it(`${stream.name}: every split point, byte by byte, random chunks`, () => {
      const bytes = stream.bytes
      const whole = parseChunks([bytes])
      assert.isUndefined(whole.error)
      assert.strictEqual(whole.pending, 0)
      assert.isAbove(whole.messages.length, 0)

      for (let split = 0; split <= bytes.length; split++) {
        const outcome = parseChunks([bytes.subarray(0, split), bytes.subarray(split)])
        assert.isUndefined(outcome.error, `split at ${split}`)
        assert.deepStrictEqual(outcome.messages, whole.messages, `split at ${split}`)
        assert.strictEqual(outcome.pending, 0)
      }

      const single: Array<Uint8Array> = []
      for (let i = 0; i < bytes.length; i++) single.push(bytes.subarray(i, i + 1))
      assert.deepStrictEqual(parseChunks(single).messages, whole.messages, "one byte at a time")

      const { int } = prng(bytes.length)
      for (let round = 0; round < 50; round++) {
        const chunks = randomChunks(bytes, int, 1 + int(64))
        const outcome = parseChunks(chunks)
        assert.isUndefined(outcome.error)
        assert.deepStrictEqual(outcome.messages, whole.messages, `round ${round}`)
      }
    })
  }

  it("all streams back to back, in random chunks up to 64 KiB", () => {
    const all = concat(goldenStreams.map((s) => s.bytes))
    const whole = parseChunks([all])
    assert.isUndefined(whole.error)
    const { int } = prng(42)
    for (const max of [3, 17, 256, 4096, 65536]) {
      for (let round = 0; round < 10; round++) {
        assert.deepStrictEqual(parseChunks(randomChunks(all, int, max)).messages, whole.messages, `max ${max}`)
      }
    }
  })

  it("a message larger than the initial buffer, in small chunks, grows without losing bytes", () => {
    const size = (1 << 20) + 12345
    const body = new Uint8Array(2 + 4 + size)
    body[1] = 1
    new DataView(body.buffer).setInt32(2, size)
    for (let i = 0; i < size; i++) body[6 + i] = i & 0xff
    const msg = new Uint8Array(5 + body.length)
    msg[0] = 0x44
    new DataView(msg.buffer).setInt32(1, 4 + body.length)
    msg.set(body, 5)
    const { int } = prng(7)
    const chunks = randomChunks(msg, int, 50000)
    const parser = PgBackend.makeParser()
    const rows: Array<PgBackend.BackendMessage> = []
    for (const chunk of chunks) assert.isUndefined(parser.push(chunk, (m) => rows.push(m)))
    assert.strictEqual(rows.length, 1)
    const value = PgBackend.dataRowValues(rows[0] as PgBackend.DataRow)[0]!
    assert.strictEqual(value.length, size)
    for (let i = 0; i < size; i += 4093) assert.strictEqual(value[i], i & 0xff)
  })
})
