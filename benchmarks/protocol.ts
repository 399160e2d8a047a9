/**
 * Protocol micro-benchmark: decoding a large result set and encoding Bind messages, pgfx against
 * `pg-protocol` (the protocol layer of `pg`), interleaved in one process.
 *
 *   /work/main/node_modules/.bin/node benchmarks/protocol.ts [rounds]
 *
 * What is measured (see README.md for results and caveats):
 * - decode: a stream of RowDescription + 1,000,000 DataRow (5 columns: int4, ~32-char text,
 *   8-byte int8/timestamptz-sized value, float8, numeric-like text) + CommandComplete +
 *   ReadyForQuery, pre-split into 64 KiB Buffers, pushed through a fresh parser per run.
 *   - `pgfx walk`: our parser; the consumer walks every field's offset and length.
 *   - `pgfx walk+int4/float8`: the same, also decoding the int4 and float8 fields.
 *   - `pgfx walk+text`: the same, decoding every field as UTF-8 text (what pg-protocol does).
 *   - `pgfx full row`: int4, int8 (as number) and float8 decoded binary, the two text columns as
 *     strings: what a client builds a row from.
 *   - `pg-protocol`: its `Parser`; the consumer touches every field of `fields` (strings).
 * - encode: Bind for 5 parameters (int4, text, int8, float8, numeric text) + Execute + Sync,
 *   100 per socket write.
 *   - `pgfx`: `Encoder.bind` with per-parameter encoders writing binary in place.
 *   - `pg-protocol`: `serialize.bind` (values pre-converted to strings, as `pg` does) + execute +
 *     sync, concatenated as `pg` does for one query.
 *
 * @since 0.1.0
 */
import { Parser } from "pg-protocol/dist/parser.js"
import { serialize } from "pg-protocol"
import type { BackendMessage } from "../packages/protocol/src/PgBackend.ts"
import * as PgBackend from "../packages/protocol/src/PgBackend.ts"
import * as PgFrontend from "../packages/protocol/src/PgFrontend.ts"
import { PgWriter } from "../packages/protocol/src/PgWriter.ts"
import { readFloat64, readInt32, readInt64Number, utf8Slice } from "../packages/protocol/src/internal/bytes.ts"

const ROWS = 1_000_000
const CHUNK = 64 * 1024
const ROUNDS = Number(process.argv[2] ?? 7)
const WARMUP = 2

// ---------------------------------------------------------------------------------------------
// the byte stream
// ---------------------------------------------------------------------------------------------

const buildStream = (): Array<Buffer> => {
  const w = new PgWriter(ROWS * 100)
  const columns: ReadonlyArray<readonly [string, number, number, 0 | 1]> = [
    ["id", 23, 4, 1],
    ["name", 25, -1, 0],
    ["created", 1184, 8, 1],
    ["score", 701, 8, 1],
    ["amount", 1700, -1, 0]
  ]
  let at = w.beginMessage(0x54)
  w.i16(columns.length)
  for (const [name, oid, size, format] of columns) {
    w.cstring(name).u32(16384).i16(1).u32(oid).i16(size).i32(-1).i16(format)
  }
  w.endMessage(at)
  for (let i = 0; i < ROWS; i++) {
    at = w.beginMessage(0x44)
    w.i16(5)
    w.i32(4).i32(i)
    const name = `user-${String(i).padStart(8, "0")}@example.com.pgfx`
    w.i32(name.length).string(name)
    w.i32(8).i64(BigInt(800_000_000_000_000 + i))
    w.i32(8).f64(i * 1.25)
    const amount = `${i}.${String(i % 100).padStart(2, "0")}`
    w.i32(amount.length).string(amount)
    w.endMessage(at)
  }
  at = w.beginMessage(0x43)
  w.cstring(`SELECT ${ROWS}`)
  w.endMessage(at)
  w.u8(0x5a).i32(5).u8(0x49)
  const all = Buffer.from(w.buffer.buffer, 0, w.length)
  const chunks: Array<Buffer> = []
  for (let i = 0; i < all.length; i += CHUNK) chunks.push(all.subarray(i, Math.min(all.length, i + CHUNK)))
  return chunks
}

// ---------------------------------------------------------------------------------------------
// decode variants: each returns the number of messages; `sink` defeats dead-code elimination
// ---------------------------------------------------------------------------------------------

let sink = 0
let count = 0

const walkOnly = (m: BackendMessage): void => {
  count++
  if (m["_tag"] !== "DataRow") return
  const b = m.bytes
  let pos = m.start
  for (let i = 0; i < m.fieldCount; i++) {
    const length = PgBackend.readFieldLength(b, pos)
    pos += 4
    if (length > 0) {
      sink += pos + length
      pos += length
    }
  }
}

const walkDecode = (m: BackendMessage): void => {
  count++
  if (m["_tag"] !== "DataRow") return
  const b = m.bytes
  let pos = m.start
  for (let i = 0; i < m.fieldCount; i++) {
    const length = PgBackend.readFieldLength(b, pos)
    pos += 4
    if (length > 0) {
      if (i === 0) sink += readInt32(b, pos)
      else if (i === 3) sink += readFloat64(b, pos)
      else sink += length
      pos += length
    }
  }
}

const walkText = (m: BackendMessage): void => {
  count++
  if (m["_tag"] !== "DataRow") return
  const b = m.bytes
  let pos = m.start
  for (let i = 0; i < m.fieldCount; i++) {
    const length = PgBackend.readFieldLength(b, pos)
    pos += 4
    if (length >= 0) {
      sink += utf8Slice(b, pos, pos + length).length
      pos += length
    }
  }
}

const walkRow = (m: BackendMessage): void => {
  count++
  if (m["_tag"] !== "DataRow") return
  const b = m.bytes
  let pos = m.start
  for (let i = 0; i < m.fieldCount; i++) {
    const length = PgBackend.readFieldLength(b, pos)
    pos += 4
    if (length >= 0) {
      switch (i) {
        case 0:
          sink += readInt32(b, pos)
          break
        case 2:
          sink += readInt64Number(b, pos)
          break
        case 3:
          sink += readFloat64(b, pos)
          break
        default:
          sink += utf8Slice(b, pos, pos + length).length
      }
      pos += length
    }
  }
}

const ours = (onMessage: (m: BackendMessage) => void) => (chunks: ReadonlyArray<Buffer>): number => {
  count = 0
  const parser = PgBackend.makeParser()
  for (const chunk of chunks) {
    const error = parser.push(chunk, onMessage)
    if (error !== undefined) throw error
  }
  return count
}

const pgProtocol = (chunks: ReadonlyArray<Buffer>): number => {
  count = 0
  const parser = new Parser()
  const onMessage = (m: any): void => {
    count++
    if (m.name !== "dataRow") return
    const fields = m.fields as Array<string | null>
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]
      if (f !== null) sink += f.length
    }
  }
  for (const chunk of chunks) parser.parse(chunk, onMessage)
  return count
}

// ---------------------------------------------------------------------------------------------
// encode variants: Bind + Execute + Sync, 100 per write
// ---------------------------------------------------------------------------------------------

const BINDS = 200_000
const PER_WRITE = 100

const int4: PgFrontend.ParamEncoder<number> = (v, w) => {
  w.i32(v)
}
const text: PgFrontend.ParamEncoder<string> = (v, w) => {
  w.string(v)
}
const int8: PgFrontend.ParamEncoder<bigint> = (v, w) => {
  w.i64(v)
}
const float8: PgFrontend.ParamEncoder<number> = (v, w) => {
  w.f64(v)
}
const encoders = [int4, text, int8, float8, text]
const formats: ReadonlyArray<0 | 1> = [1, 0, 1, 1, 0]

const encodeOurs = (): number => {
  const enc = PgFrontend.makeEncoder(64 * 1024)
  for (let i = 0; i < BINDS; i++) {
    const params = [i, "user-00001234@example.com.pgfx", 800_000_000_000_000n + BigInt(i & 1023), i * 1.25, "1234.56"]
    enc.bind("", "stmt_1", formats, params, 1, encoders).execute("", 0).sync()
    if ((i + 1) % PER_WRITE === 0) sink += enc.take().length
  }
  return BINDS
}

const encodePgProtocol = (): number => {
  const parts: Array<Buffer> = []
  for (let i = 0; i < BINDS; i++) {
    // pg turns every value into a string (prepareValue) before serializing.
    const values = [String(i), "user-00001234@example.com.pgfx", String(800_000_000_000_000n + BigInt(i & 1023)), String(i * 1.25), "1234.56"]
    parts.push(serialize.bind({ statement: "stmt_1", values, binary: true }))
    parts.push(serialize.execute({ portal: "", rows: 0 }))
    parts.push(serialize.sync())
    if ((i + 1) % PER_WRITE === 0) {
      sink += Buffer.concat(parts).length
      parts.length = 0
    }
  }
  return BINDS
}

// ---------------------------------------------------------------------------------------------
// interleaved runs
// ---------------------------------------------------------------------------------------------

interface Variant {
  readonly name: string
  readonly run: () => number
  readonly rates: Array<number>
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = xs.toSorted((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const fmt = (n: number): string => `${(n / 1e6).toFixed(2)}M/s`

const runAll = (title: string, variants: ReadonlyArray<Variant>, baseline: string): void => {
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const v of variants) {
      const start = performance.now()
      const n = v.run()
      const seconds = (performance.now() - start) / 1000
      if (round >= WARMUP) v.rates.push(n / seconds)
    }
  }
  const base = median(variants.find((v) => v.name === baseline)!.rates)
  console.log(`\n${title} (${ROUNDS} interleaved rounds after ${WARMUP} warm-up; messages per second)`)
  console.log("| variant | median | min | max | × pg-protocol |")
  console.log("|---|---:|---:|---:|---:|")
  for (const v of variants) {
    const m = median(v.rates)
    console.log(
      `| ${v.name} | ${fmt(m)} | ${fmt(Math.min(...v.rates))} | ${fmt(Math.max(...v.rates))} | ${(m / base).toFixed(2)} |`
    )
  }
}

const main = (): void => {
  const chunks = buildStream()
  const bytes = chunks.reduce((n, c) => n + c.length, 0)
  console.log(`Node ${process.version}; stream: ${ROWS + 3} messages, ${(bytes / 1048576).toFixed(1)} MiB in ${chunks.length} chunks of 64 KiB`)
  const expected = ROWS + 3
  const decode = (name: string, run: (c: ReadonlyArray<Buffer>) => number): Variant => ({
    name,
    rates: [],
    run: () => {
      const n = run(chunks)
      if (n !== expected) throw new Error(`${name}: ${n} messages, expected ${expected}`)
      return n
    }
  })
  runAll(
    "Decode",
    [
      decode("pgfx walk", ours(walkOnly)),
      decode("pg-protocol", pgProtocol),
      decode("pgfx walk+int4/float8", ours(walkDecode)),
      decode("pgfx walk+text (every field as UTF-8)", ours(walkText)),
      decode("pgfx full row (binary + text columns)", ours(walkRow))
    ],
    "pg-protocol"
  )
  runAll(
    "Encode Bind(5 params) + Execute + Sync",
    [
      { name: "pgfx", run: encodeOurs, rates: [] },
      { name: "pg-protocol", run: encodePgProtocol, rates: [] }
    ],
    "pg-protocol"
  )
  if (sink === 42) console.log("")
}

main()
