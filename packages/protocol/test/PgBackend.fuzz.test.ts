import { assert, describe, it } from "@effect/vitest"
import type { BackendMessage } from "../src/PgBackend.ts"
import * as PgBackend from "../src/PgBackend.ts"
import { BackendType } from "../src/PgBackend.ts"
import { concat, goldenStreams, prng, randomChunks, toHex } from "./fixtures/helpers.ts"

/**
 * Feeds 100,000+ random and mutated byte streams to the parser. For every one: no exception
 * escapes, the parser returns (bounded work), the outcome is messages and at most one
 * ParseError, every DataRow's fields lie inside its message, and the outcome is identical for
 * the whole stream in one push and for a random chunking of it. Seeded: a failure names the
 * seed and case, and `FUZZ_SEED=<seed>` reproduces it.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261121)
const CASES = Number(process.env.FUZZ_CASES ?? 100_000)

const knownTypes = Object.values(BackendType)

/** Message boundaries of a valid stream. */
const boundaries = (bytes: Uint8Array): Array<number> => {
  const out: Array<number> = []
  let at = 0
  while (at + 5 <= bytes.length) {
    out.push(at)
    at += 1 + new DataView(bytes.buffer, bytes.byteOffset).getInt32(at + 1)
  }
  return out
}

const sources = goldenStreams.map((s) => ({ name: s.name, bytes: s.bytes, starts: boundaries(s.bytes) }))
const small = sources.filter((s) => s.bytes.length <= 1024)

const fnv = (b: Uint8Array, start: number, end: number): number => {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193)
  return h >>> 0
}

/** A compact description of one message, for comparing outcomes. */
const describeMessage = (m: BackendMessage): string => {
  if (m["_tag"] === "DataRow") {
    // Walk the fields: every one must lie inside the message.
    let pos = m.start
    for (let i = 0; i < m.fieldCount; i++) {
      if (pos + 4 > m.end) throw new Error("DataRow field header outside the message")
      const length = PgBackend.readFieldLength(m.bytes, pos)
      pos += 4
      if (length >= 0) pos += length
      if (pos > m.end || length < -1) throw new Error("DataRow field outside the message")
    }
    if (pos !== m.end || m.end > m.bytes.length) throw new Error("DataRow end mismatch")
    return `D${m.fieldCount}:${fnv(m.bytes, m.start, m.end)}`
  }
  if (m["_tag"] === "CopyData") return `d:${fnv(m.data, 0, m.data.length)}`
  return JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v))
}

interface Run {
  readonly signature: string
  readonly messages: number
  readonly failed: boolean
}

const run = (chunks: ReadonlyArray<Uint8Array>, total: number): Run => {
  const parser = PgBackend.makeParser({ maxMessageSize: 1 << 20 })
  const parts: Array<string> = []
  let error: PgBackend.ParseError | undefined
  for (const chunk of chunks) {
    error = parser.push(chunk, (m) => {
      parts.push(describeMessage(m))
    })
    if (error !== undefined) break
  }
  if (parts.length > total / 5 + 1) throw new Error("more messages than the bytes allow")
  if (error !== undefined) {
    if (!(error instanceof PgBackend.ParseError) || error["_tag"] !== "PgParseError") throw new Error("not a ParseError")
    if (error.messageType !== undefined && (error.messageType < 0 || error.messageType > 255)) throw new Error("bad type")
    // terminal: the same error again, no callbacks
    let called = false
    if (parser.push(new Uint8Array([0x5a, 0, 0, 0, 5, 0x49]), () => (called = true)) !== error || called) {
      throw new Error("parser not terminal after an error")
    }
    parts.push(`ERROR ${error.message}`)
  } else {
    parts.push(`pending ${parser.pending}`)
  }
  return { signature: parts.join("|"), messages: parts.length - 1, failed: error !== undefined }
}

type Rng = ReturnType<typeof prng>

const setInt32 = (b: Uint8Array, at: number, v: number) => {
  if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setInt32(at, v | 0)
}
const setInt16 = (b: Uint8Array, at: number, v: number) => {
  if (at + 2 <= b.length) new DataView(b.buffer, b.byteOffset).setInt16(at, v)
}

const randomBytes = (r: Rng, n: number): Uint8Array => {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = r.int(256)
  return out
}

const interestingLength = (r: Rng, actual: number): number => {
  switch (r.int(8)) {
    case 0:
      return r.int(8)
    case 1:
      return actual + 1 + r.int(8)
    case 2:
      return actual - 1 - r.int(8)
    case 3:
      return 0x7fffffff
    case 4:
      return -1
    case 5:
      return (1 << 20) + r.int(16)
    case 6:
      return r.int(0x10000)
    default:
      return r.int(2 ** 31) * (r.int(2) === 0 ? 1 : -1)
  }
}

/** A random message with a known type byte, a consistent length and a random body. */
const randomMessage = (r: Rng): Uint8Array => {
  const body = randomBytes(r, r.int(3) === 0 ? r.int(64) : r.int(12))
  // Make some bodies start like real ones: small counts, field lengths, auth codes.
  if (body.length >= 2 && r.int(2) === 0) setInt16(body, 0, r.int(4))
  if (body.length >= 6 && r.int(2) === 0) setInt32(body, 2, r.int(6) - 1)
  const type = knownTypes[r.int(knownTypes.length)]!
  if (type === BackendType.Authentication && body.length >= 4) setInt32(body, 0, r.int(13))
  const out = new Uint8Array(5 + body.length)
  out[0] = type
  setInt32(out, 1, 4 + body.length)
  out.set(body, 5)
  return out
}

const mutate = (r: Rng): Uint8Array => {
  const pool = r.int(4) === 0 ? sources : small
  const picks = 1 + r.int(3)
  const chosen = Array.from({ length: picks }, () => pool[r.int(pool.length)]!)
  const base = concat(chosen.map((s) => s.bytes))
  const starts: Array<number> = []
  let offset = 0
  for (const s of chosen) {
    for (const at of s.starts) starts.push(offset + at)
    offset += s.bytes.length
  }
  let b: Uint8Array = base.slice()
  const mutations = 1 + r.int(3)
  for (let k = 0; k < mutations; k++) {
    const strategy = r.int(9)
    if (b.length === 0) break
    switch (strategy) {
      case 0: {
        // flip random bytes
        const n = 1 + r.int(4)
        for (let i = 0; i < n; i++) b[r.int(b.length)] = r.int(2) === 0 ? r.int(256) : b[r.int(b.length)]! ^ (1 << r.int(8))
        break
      }
      case 1:
        // truncate
        b = b.subarray(0, r.int(b.length))
        break
      case 2: {
        // corrupt a length field
        const at = starts[r.int(starts.length)]!
        if (at + 5 <= b.length) {
          const actual = new DataView(b.buffer, b.byteOffset).getInt32(at + 1)
          setInt32(b, at + 1, interestingLength(r, actual))
        }
        break
      }
      case 3: {
        // corrupt a count / inner length just after a header
        const at = starts[r.int(starts.length)]!
        const inner = at + 5 + 2 * r.int(4)
        if (r.int(2) === 0) setInt16(b, inner, r.int(3) === 0 ? -1 : r.int(70000) - 2000)
        else setInt32(b, inner, interestingLength(r, 4))
        break
      }
      case 4: {
        // change a type byte
        const at = starts[r.int(starts.length)]!
        if (at < b.length) b[at] = r.int(2) === 0 ? knownTypes[r.int(knownTypes.length)]! : r.int(256)
        break
      }
      case 5: {
        // insert random bytes
        const at = r.int(b.length + 1)
        b = concat([b.subarray(0, at), randomBytes(r, 1 + r.int(8)), b.subarray(at)])
        break
      }
      case 6: {
        // delete a range
        const at = r.int(b.length)
        b = concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(16)))])
        break
      }
      case 7: {
        // duplicate a range
        const at = r.int(b.length)
        const end = Math.min(b.length, at + 1 + r.int(64))
        b = concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)])
        break
      }
      default: {
        // splice in a random message at a boundary
        const at = starts[r.int(starts.length)]!
        if (at <= b.length) b = concat([b.subarray(0, at), randomMessage(r), b.subarray(at)])
      }
    }
  }
  return b
}

const makeCase = (r: Rng): Uint8Array => {
  switch (r.int(10)) {
    case 0:
      return randomBytes(r, r.int(200))
    case 1:
    case 2:
      return concat(Array.from({ length: 1 + r.int(6) }, () => randomMessage(r)))
    default:
      return mutate(r)
  }
}

describe("PgBackend fuzz", () => {
  it(`${CASES} random and mutated streams (seed ${SEED})`, () => {
    const r = prng(SEED)
    let errors = 0
    let messages = 0
    const started = Date.now()
    for (let c = 0; c < CASES; c++) {
      const bytes = makeCase(r)
      let whole: Run
      let chunked: Run
      try {
        whole = run([bytes], bytes.length)
        chunked = run(randomChunks(bytes, r.int, 1 + r.int(r.int(2) === 0 ? 8 : 512)), bytes.length)
      } catch (e) {
        return assert.fail(`seed ${SEED} case ${c}: exception escaped: ${String(e)}\nbytes: ${toHex(bytes)}`)
      }
      if (whole.signature !== chunked.signature) {
        assert.fail(`seed ${SEED} case ${c}: chunking changed the outcome\n${whole.signature}\n${chunked.signature}\nbytes: ${toHex(bytes)}`)
      }
      if (whole.failed) errors++
      messages += whole.messages
    }
    const seconds = (Date.now() - started) / 1000
    // Both outcomes occur in quantity: the corpus exercises decoding, not just header checks.
    assert.isAbove(errors, CASES / 10)
    assert.isAbove(messages, CASES)
    assert.isBelow(seconds, 60)
  }, 120_000)
})
