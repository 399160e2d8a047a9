import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { PgError } from "@pgfx/connection/PgError"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgClient from "../src/PgClient.ts"
import * as PgLargeObject from "../src/PgLargeObject.ts"

const server = pgServer()
const url = server.connectionString()

class Broke extends Data.TaggedError("Broke")<{}> {}

const failure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.die(new Error("expected a failure"))
    const error = Cause.findErrorOption(exit.cause)
    return Option.isSome(error) ? Effect.succeed(error.value) : Effect.die(Cause.pretty(exit.cause))
  })

/** The SQLSTATE (or reason tag) of a PgError. */
const codeOf = (e: unknown): string => {
  assert.instanceOf(e, PgError)
  const reason = (e as PgError).reason as { readonly _tag: string; readonly code?: string }
  return reason.code ?? reason._tag
}

const client = PgClient.connect(url)

const text = (s: string) => new TextEncoder().encode(s)
const str = (b: Uint8Array) => new TextDecoder().decode(b)

/** Large objects created by a test, unlinked at the end whatever happens. */
const tracked = (sql: PgClient.PgClient.Service) =>
  Effect.gen(function*() {
    const oids: Array<number> = []
    yield* Effect.addFinalizer(() =>
      Effect.ignore(Effect.forEach(oids, (oid) => sql`select lo_unlink(oid) from pg_largeobject_metadata where oid = ${oid}`))
    )
    return (oid: number) => {
      oids.push(oid)
      return oid
    }
  })

/** Deterministic pseudo-random bytes (xorshift32), in chunks of varying sizes. */
const generated = (total: number, sizes: ReadonlyArray<number>, onChunk: (chunk: Uint8Array) => void) => {
  let state = 0x9e3779b9
  let produced = 0
  let i = 0
  return Stream.fromIterable({
    *[Symbol.iterator]() {
      while (produced < total) {
        const size = Math.min(sizes[i++ % sizes.length]!, total - produced)
        const words = new Uint32Array(Math.ceil(size / 4))
        for (let w = 0; w < words.length; w++) {
          state ^= state << 13
          state ^= state >>> 17
          state ^= state << 5
          words[w] = state >>> 0
        }
        const chunk = new Uint8Array(words.buffer, 0, size)
        produced += size
        onChunk(chunk)
        yield chunk
      }
    }
  }, { chunkSize: 1 }) // one chunk per pull: the input itself never holds more than a chunk
}

const mb = (n: number) => Math.round(n / 1024 / 1024 * 10) / 10

/**
 * A full garbage collection. Without one, V8 lets dead array buffers pile up to about 64 MB of
 * external memory before collecting them (measured: the same 64 KiB-chunk write peaks at +60 MB
 * for 50 MB and for 200 MB, and at +4 MB with a collection every 20 chunks), which would measure
 * the collector's laziness rather than what the code keeps alive.
 */
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

/**
 * Peak growth of RSS and of live JS memory (heap + array buffers) over a baseline, sampled
 * after a collection every `every` samples.
 */
const memoryProbe = (every = 16) => {
  gc()
  const base = process.memoryUsage()
  let rss = 0
  let live = 0
  let n = 0
  return {
    sample: () => {
      if (++n % every === 0) gc()
      const m = process.memoryUsage()
      rss = Math.max(rss, m.rss - base.rss)
      live = Math.max(live, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers)
    },
    result: () => ({ rssGrowthMB: mb(rss), liveGrowthMB: mb(live) })
  }
}

describe("PgLargeObject", () => {
  it.live("a 50 MB object: written from a generated stream by the Sink, read back by the Stream, flat memory", () =>
    Effect.gen(function*() {
      const sql = yield* client
      const track = yield* tracked(sql)
      const total = 50 * 1024 * 1024
      const written = createHash("sha256")
      const writeProbe = memoryProbe()
      const started = Date.now()
      // Chunk sizes straddle the 256 KiB write size: small ones are gathered, large ones sliced.
      const input = generated(total, [65_536, 1_000, 700_000, 7, 262_144, 300_001], (chunk) => {
        written.update(chunk)
        writeProbe.sample()
      })
      const result = yield* Stream.run(input, PgLargeObject.writeSink(sql, "new"))
      const writeMs = Date.now() - started
      track(result.oid)
      assert.strictEqual(result.bytes, total)
      assert.isTrue(yield* PgLargeObject.exists(sql, result.oid))

      const read = createHash("sha256")
      const readProbe = memoryProbe()
      let readBytes = 0
      let chunks = 0
      const readStarted = Date.now()
      yield* PgLargeObject.readStream(sql, result.oid).pipe(
        Stream.runForEach((chunk) =>
          Effect.sync(() => {
            read.update(chunk)
            readBytes += chunk.length
            chunks++
            readProbe.sample()
          })
        )
      )
      const readMs = Date.now() - readStarted
      assert.strictEqual(readBytes, total)
      assert.strictEqual(chunks, total / (256 * 1024))
      assert.strictEqual(read.digest("hex"), written.digest("hex"))

      const w = writeProbe.result()
      const r = readProbe.result()
      console.log(
        `50 MB large object: write ${writeMs} ms (RSS +${w.rssGrowthMB} MB, heap+buffers +${w.liveGrowthMB} MB), ` +
          `read ${readMs} ms (RSS +${r.rssGrowthMB} MB, heap+buffers +${r.liveGrowthMB} MB)`
      )
      assert.isBelow(w.rssGrowthMB, 64)
      assert.isBelow(w.liveGrowthMB, 64)
      assert.isBelow(r.rssGrowthMB, 64)
      assert.isBelow(r.liveGrowthMB, 64)

      // The size, seen through a handle.
      const size = yield* sql.withTransaction(Effect.scoped(Effect.flatMap(PgLargeObject.open(sql, result.oid, "read"), (lo) => lo.seek(0, "end"))))
      assert.strictEqual(size, total)
      yield* PgLargeObject.unlink(sql, result.oid)
      assert.isFalse(yield* PgLargeObject.exists(sql, result.oid))
    }).pipe(Effect.scoped), 120_000)

  it.live("read, write, seek, tell and truncate follow the server's semantics", () =>
    Effect.gen(function*() {
      const sql = yield* client
      const track = yield* tracked(sql)
      const oid = track(yield* PgLargeObject.create(sql))
      yield* sql.withTransaction(Effect.scoped(Effect.gen(function*() {
        const lo = yield* PgLargeObject.open(sql, oid, "readwrite")
        assert.strictEqual(lo.oid, oid)
        assert.strictEqual(yield* lo.write(text("hello world")), 11)
        assert.strictEqual(yield* lo.tell, 11)
        assert.strictEqual(yield* lo.seek(0), 0)
        assert.strictEqual(str(yield* lo.read(5)), "hello")
        assert.strictEqual(yield* lo.tell, 5)
        assert.strictEqual(yield* lo.seek(-5, "end"), 6)
        assert.strictEqual(str(yield* lo.read(100)), "world")
        assert.strictEqual((yield* lo.read(10)).length, 0)
        assert.strictEqual(yield* lo.seek(2, "current"), 13)
        // Writing past the end leaves a zero-filled gap.
        yield* lo.write(text("!"))
        assert.strictEqual(yield* lo.seek(0, "end"), 14)
        yield* lo.seek(0)
        assert.deepStrictEqual(Array.from(yield* lo.read(14)), Array.from(text("hello world\0\0!")))
        // Truncate cuts without moving the position; extending fills with zeros.
        yield* lo.seek(3)
        yield* lo.truncate(5)
        assert.strictEqual(yield* lo.tell, 3)
        assert.strictEqual(yield* lo.seek(0, "end"), 5)
        yield* lo.truncate(8)
        assert.strictEqual(yield* lo.seek(0, "end"), 8)
        // Overwrite in the middle.
        yield* lo.seek(1)
        yield* lo.write(text("EL"))
        // A write larger than one statement (1 MiB) goes in pieces.
        const big = new Uint8Array(2_500_000).map((_, i) => i % 251)
        yield* lo.seek(8)
        assert.strictEqual(yield* lo.write(big), big.length)
        assert.strictEqual(yield* lo.tell, 8 + big.length)
        yield* lo.seek(8)
        const back = yield* lo.read(big.length)
        assert.isTrue(back.length === big.length && back.every((b, i) => b === big[i]))
        yield* lo.truncate(8)
      })))
      assert.deepStrictEqual(Array.from(yield* PgLargeObject.toBytes(sql, oid)), Array.from(text("hELlo\0\0\0")))
      assert.strictEqual(str(yield* PgLargeObject.toBytes(sql, oid, { offset: 1, length: 3 })), "ELl")

      // Seeking before the start is the server's error; it fails that transaction only.
      const before = yield* failure(sql.withTransaction(Effect.scoped(
        Effect.flatMap(PgLargeObject.open(sql, oid, "read"), (lo) => lo.seek(-1, "current"))
      )))
      assert.instanceOf(before, PgError)
      assert.match((before as PgError).message, /invalid large object seek target/)
      // A read-only descriptor refuses writes (server error 55000 in this case).
      const readOnly = yield* failure(sql.withTransaction(Effect.scoped(
        Effect.flatMap(PgLargeObject.open(sql, oid, "read"), (lo) => lo.write(text("x")))
      )))
      assert.match((readOnly as PgError).message, /not opened for writing/)
      assert.strictEqual(yield* sql.transactionStatus, "idle")
    }).pipe(Effect.scoped))

  it.live("create, fromBytes, toBytes, exists and unlink run anywhere; unlink of a missing object fails", () =>
    Effect.gen(function*() {
      const sql = yield* client
      const track = yield* tracked(sql)
      const oid = track(yield* PgLargeObject.fromBytes(sql, text("small")))
      assert.strictEqual(str(yield* PgLargeObject.toBytes(sql, oid)), "small")
      // An explicit OID.
      const chosen = 1_000_000 + (process.pid % 1_000_000)
      yield* Effect.ignore(PgLargeObject.unlink(sql, chosen))
      assert.strictEqual(track(yield* PgLargeObject.create(sql, chosen)), chosen)
      assert.strictEqual(codeOf(yield* failure(PgLargeObject.create(sql, chosen))), "23505")
      // In a transaction that rolls back, nothing is created.
      let inside = 0
      yield* Effect.ignore(sql.withTransaction(Effect.gen(function*() {
        inside = yield* PgLargeObject.fromBytes(sql, text("gone"))
        assert.isTrue(yield* PgLargeObject.exists(sql, inside))
        return yield* new Broke()
      })))
      assert.isFalse(yield* PgLargeObject.exists(sql, inside))
      yield* PgLargeObject.unlink(sql, oid)
      assert.isFalse(yield* PgLargeObject.exists(sql, oid))
      assert.strictEqual(codeOf(yield* failure(PgLargeObject.unlink(sql, oid))), "42704")
      // Arguments are checked before anything is sent.
      assert.strictEqual(codeOf(yield* failure(PgLargeObject.unlink(sql, -1))), "EncodeError")
      assert.strictEqual(codeOf(yield* failure(PgLargeObject.toBytes(sql, 1.5))), "EncodeError")
      assert.strictEqual(codeOf(yield* failure(Stream.runDrain(PgLargeObject.readStream(sql, oid, { chunkSize: 0 })))), "EncodeError")
    }).pipe(Effect.scoped))

  it.live("open outside a transaction fails with 25P01 before anything is sent", () =>
    Effect.gen(function*() {
      const sql = yield* client
      const track = yield* tracked(sql)
      const oid = track(yield* PgLargeObject.create(sql))
      const error = yield* failure(Effect.scoped(PgLargeObject.open(sql, oid, "read")))
      assert.strictEqual(codeOf(error), "25P01")
      assert.match((error as PgError).message, /inside a transaction/)
      assert.strictEqual((error as PgError).reason._tag, "ServerError")
    }).pipe(Effect.scoped))

  it.live("a handle kept past its transaction never touches another transaction's descriptor", () =>
    Effect.gen(function*() {
      const sql = yield* client
      const track = yield* tracked(sql)
      const a = track(yield* PgLargeObject.fromBytes(sql, text("AAAAAAAA")))
      const b = track(yield* PgLargeObject.fromBytes(sql, text("BBBBBBBB")))
      // The Scope outlives the transaction: the handle leaks out of it.
      const stale = yield* sql.withTransaction(PgLargeObject.open(sql, a, "read"))
      // Outside any transaction.
      assert.strictEqual(codeOf(yield* failure(stale.read(4))), "25000")
      // In a later transaction on the same connection, where descriptor 0 now names `b`.
      yield* sql.withTransaction(Effect.scoped(Effect.gen(function*() {
        const fresh = yield* PgLargeObject.open(sql, b, "read")
        const error = yield* failure(stale.read(4))
        assert.strictEqual(codeOf(error), "25000")
        assert.match((error as PgError).message, /transaction that has ended|not in the transaction that opened/)
        assert.strictEqual(codeOf(yield* failure(stale.seek(0))), "25000")
        assert.strictEqual(str(yield* fresh.read(4)), "BBBB")
        // The stale calls failed without failing this transaction.
        assert.strictEqual(yield* sql.transactionStatus, "transaction")
      })))
      // A closed handle.
      const closed = yield* sql.withTransaction(Effect.scoped(Effect.gen(function*() {
        const lo = yield* PgLargeObject.open(sql, a, "read")
        yield* lo.close
        yield* lo.close
        return yield* failure(lo.read(1))
      })))
      assert.strictEqual(codeOf(closed), "42704")
    }).pipe(Effect.scoped))

  it.live("readStream: ranges, own snapshot outside a transaction, the caller's transaction inside", () =>
    Effect.gen(function*() {
      const sql = yield* client
      const track = yield* tracked(sql)
      const bytes = new Uint8Array(1000).map((_, i) => i % 256)
      const oid = track(yield* PgLargeObject.fromBytes(sql, bytes))
      const collect = (s: Stream.Stream<Uint8Array, PgError>) =>
        Effect.map(Stream.runCollect(s), (chunks) => ({ sizes: chunks.map((c) => c.length), bytes: chunks.flatMap((c) => Array.from(c)) }))
      const all = yield* collect(PgLargeObject.readStream(sql, oid, { chunkSize: 300 }))
      assert.deepStrictEqual(all.sizes, [300, 300, 300, 100])
      assert.deepStrictEqual(all.bytes, Array.from(bytes))
      const range = yield* collect(PgLargeObject.readStream(sql, oid, { chunkSize: 300, offset: 100, length: 650 }))
      assert.deepStrictEqual(range.sizes, [300, 300, 50])
      assert.deepStrictEqual(range.bytes, Array.from(bytes.subarray(100, 750)))
      const exact = yield* collect(PgLargeObject.readStream(sql, oid, { chunkSize: 500 }))
      assert.deepStrictEqual(exact.sizes, [500, 500])
      const past = yield* collect(PgLargeObject.readStream(sql, oid, { offset: 5000 }))
      assert.deepStrictEqual(past.sizes, [])
      // Inside a transaction, the stream sees the transaction's own uncommitted writes.
      const inside = yield* sql.withTransaction(Effect.gen(function*() {
        yield* Effect.scoped(Effect.flatMap(PgLargeObject.open(sql, oid, "write"), (lo) => lo.write(text("xyz"))))
        return yield* collect(PgLargeObject.readStream(sql, oid, { length: 5 }))
      }))
      assert.deepStrictEqual(inside.bytes, [...Array.from(text("xyz")), 3, 4])
      // A missing object fails the stream with the server's error.
      yield* PgLargeObject.unlink(sql, oid)
      assert.strictEqual(codeOf(yield* failure(Stream.runDrain(PgLargeObject.readStream(sql, oid)))), "42704")
      assert.strictEqual(yield* sql.transactionStatus, "idle")
      assert.deepStrictEqual(yield* sql`select 1 as one`, [{ one: 1 }])
    }).pipe(Effect.scoped))

  it.live("interrupting a read stream mid-way leaves the connection usable (own transaction and caller's)", () =>
    Effect.gen(function*() {
      const sql = yield* client
      const track = yield* tracked(sql)
      const size = 8 * 1024 * 1024
      const oid = track(yield* Stream.run(
        generated(size, [1 << 20], () => {}),
        PgLargeObject.writeSink(sql, "new")
      ).pipe(Effect.map((r) => r.oid)))
      const pid = (yield* sql<{ pid: number }>`select pg_backend_pid() as pid`.single).pid
      // Early end by the consumer.
      const taken = yield* Stream.runCollect(Stream.take(PgLargeObject.readStream(sql, oid, { chunkSize: 4096 }), 3))
      assert.strictEqual(taken.length, 3)
      // Interruptions at arbitrary points, mostly while a read is in flight.
      let interrupted = 0
      for (let i = 0; i < 25; i++) {
        const result = yield* PgLargeObject.readStream(sql, oid, { chunkSize: 64 * 1024 }).pipe(
          Stream.runDrain,
          Effect.timeoutOption(`${1 + (i * 7) % 23} millis`)
        )
        if (Option.isNone(result)) interrupted++
        assert.strictEqual(yield* sql.transactionStatus, "idle")
        assert.deepStrictEqual(yield* sql`select ${i}::int4 as i`, [{ i }])
      }
      assert.isAbove(interrupted, 10)
      // Same backend all along: the connection survived every interruption.
      assert.strictEqual((yield* sql<{ pid: number }>`select pg_backend_pid() as pid`.single).pid, pid)
      // Inside a transaction: ending the stream early closes its descriptor, the transaction goes on.
      const after = yield* sql.withTransaction(Effect.gen(function*() {
        const first = yield* Stream.runCollect(Stream.take(PgLargeObject.readStream(sql, oid, { chunkSize: 1024 }), 2))
        assert.strictEqual(first.length, 2)
        // The transaction still works, and can open the object again.
        const again = yield* Stream.runCollect(Stream.take(PgLargeObject.readStream(sql, oid, { chunkSize: 1024 }), 1))
        assert.deepStrictEqual(Array.from(again[0]!), Array.from(first[0]!))
        return { status: yield* sql.transactionStatus }
      }))
      assert.strictEqual(after.status, "transaction")
      assert.strictEqual(yield* sql.transactionStatus, "idle")
    }).pipe(Effect.scoped), 60_000)

  it.live("writeSink: atomic in its own transaction, replace or append, and in the caller's transaction", () =>
    Effect.gen(function*() {
      const sql = yield* client
      const track = yield* tracked(sql)
      const count = sql<{ n: number }>`select count(*)::int4 as n from pg_largeobject_metadata`.single
      const before = (yield* count).n
      // A failing input stream: the new object is rolled back with everything written.
      const broken = Stream.concat(generated(600_000, [100_000], () => {}), Stream.fail(new Broke()))
      const error = yield* failure(Stream.run(broken, PgLargeObject.writeSink(sql, "new", { chunkSize: 64 * 1024 })))
      assert.instanceOf(error, Broke)
      assert.strictEqual((yield* count).n, before)
      assert.strictEqual(yield* sql.transactionStatus, "idle")

      // Replace (default) and append.
      const oid = track(yield* PgLargeObject.fromBytes(sql, text("0123456789")))
      const r1 = yield* Stream.run(Stream.make(text("ab"), text("cd")), PgLargeObject.writeSink(sql, oid))
      assert.deepStrictEqual(r1, { oid, bytes: 4 })
      assert.strictEqual(str(yield* PgLargeObject.toBytes(sql, oid)), "abcd")
      yield* Stream.run(Stream.make(text("ef")), PgLargeObject.writeSink(sql, oid, { append: true, chunkSize: 1 }))
      assert.strictEqual(str(yield* PgLargeObject.toBytes(sql, oid)), "abcdef")
      // A failing replace leaves the old contents.
      yield* Effect.ignore(Stream.run(Stream.concat(Stream.make(text("zzzz")), Stream.fail(new Broke())), PgLargeObject.writeSink(sql, oid)))
      assert.strictEqual(str(yield* PgLargeObject.toBytes(sql, oid)), "abcdef")
      // An empty stream empties the object.
      const empty = yield* Stream.run(Stream.empty, PgLargeObject.writeSink(sql, oid))
      assert.strictEqual(empty.bytes, 0)
      assert.strictEqual((yield* PgLargeObject.toBytes(sql, oid)).length, 0)

      // Interrupted mid-way: rolled back, connection usable.
      const slow = Stream.fromIterable([1, 2, 3, 4, 5]).pipe(Stream.mapEffect((i) => Effect.as(Effect.sleep("20 millis"), text(`chunk${i}`))))
      const interrupted = yield* Stream.run(slow, PgLargeObject.writeSink(sql, oid)).pipe(Effect.timeoutOption("50 millis"))
      assert.isTrue(Option.isNone(interrupted))
      assert.strictEqual((yield* PgLargeObject.toBytes(sql, oid)).length, 0)
      assert.strictEqual(yield* sql.transactionStatus, "idle")

      // In the caller's transaction: the writes belong to it (rolled back with it here).
      let created = 0
      yield* Effect.ignore(sql.withTransaction(Effect.gen(function*() {
        const r = yield* Stream.run(Stream.make(text("inside")), PgLargeObject.writeSink(sql, "new"))
        created = r.oid
        assert.strictEqual(str(yield* PgLargeObject.toBytes(sql, created)), "inside")
        return yield* new Broke()
      })))
      assert.isFalse(yield* PgLargeObject.exists(sql, created))
      const kept = yield* sql.withTransaction(Stream.run(Stream.make(text("kept")), PgLargeObject.writeSink(sql, "new")))
      track(kept.oid)
      assert.strictEqual(str(yield* PgLargeObject.toBytes(sql, kept.oid)), "kept")
    }).pipe(Effect.scoped), 30_000)
})
