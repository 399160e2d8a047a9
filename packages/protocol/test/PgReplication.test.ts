import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as Result from "effect/Result"
import * as PgBackend from "../src/PgBackend.ts"
import * as PgFrontend from "../src/PgFrontend.ts"
import * as PgReplication from "../src/PgReplication.ts"
import { captured, fromHex, toHex } from "./fixtures/helpers.ts"
import { serverStreams } from "./fixtures/serverStreams.ts"

const copyDataPayloads = (name: string): Array<Uint8Array> =>
  Result.getOrThrow(PgBackend.decodeAll(captured(name)))
    .filter((m): m is PgBackend.CopyData => m["_tag"] === "CopyData")
    .map((m) => m.data)

const decoded = (payload: Uint8Array): PgReplication.ReplicationMessage => Result.getOrThrow(PgReplication.decode(payload))

const startLsn = (): bigint => {
  const request = serverStreams.find((s) => s.name === "start-replication")!.request
  return PgReplication.parseLsn(request.slice(request.lastIndexOf("(") + 1, -1))!
}

const lsn = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const time = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
const xid = fc.integer({ min: 0, max: 0xffffffff })

const message: fc.Arbitrary<PgReplication.ReplicationMessage> = fc.oneof(
  fc.record({
    _tag: fc.constant("XLogData" as const),
    walStart: lsn,
    walEnd: lsn,
    serverTime: time,
    data: fc.uint8Array({ maxLength: 32 })
  }),
  fc.record({ _tag: fc.constant("PrimaryKeepalive" as const), walEnd: lsn, serverTime: time, replyRequested: fc.boolean() }),
  fc.record({
    _tag: fc.constant("StandbyStatusUpdate" as const),
    written: lsn,
    flushed: lsn,
    applied: lsn,
    clientTime: time,
    replyRequested: fc.boolean()
  }),
  fc.record({
    _tag: fc.constant("HotStandbyFeedback" as const),
    clientTime: time,
    xmin: xid,
    xminEpoch: xid,
    catalogXmin: xid,
    catalogXminEpoch: xid
  })
)

const fails = (hex: string, text: string) => {
  const result = PgReplication.decode(fromHex(hex))
  assert.isTrue(Result.isFailure(result), hex)
  if (Result.isFailure(result)) {
    assert.instanceOf(result.failure, PgBackend.ParseError)
    assert.include(result.failure.message, text)
  }
}

describe("PgReplication", () => {
  describe("real server payloads", () => {
    it("XLogData starts at the requested LSN and round-trips byte for byte", () => {
      const payload = copyDataPayloads("xlogdata").find((p) => p[0] === PgReplication.ReplicationType.XLogData)
      const x = decoded(payload!)
      assert.strictEqual(x["_tag"], "XLogData")
      if (x["_tag"] !== "XLogData") return
      assert.strictEqual(x.walStart, startLsn())
      assert.isTrue(x.walEnd >= x.walStart)
      assert.strictEqual(x.data.length, payload!.length - 25)
      assert.strictEqual(x.data.buffer, payload!.buffer) // a view
      // captured in 2026: the server clock is between 2020 and 2100
      const millis = PgReplication.toUnixMillis(x.serverTime)
      assert.isTrue(millis > Date.UTC(2020, 0, 1) && millis < Date.UTC(2100, 0, 1))
      assert.strictEqual(toHex(PgReplication.encode(x)), toHex(payload!))
    })

    it("every replication payload captured decodes and re-encodes byte for byte", () => {
      const payloads = ["start-replication", "xlogdata", "keepalive", "end-replication"].flatMap(copyDataPayloads)
      assert.isAbove(payloads.length, 1)
      for (const payload of payloads) assert.strictEqual(toHex(PgReplication.encode(decoded(payload))), toHex(payload))
    })

    it("PrimaryKeepalive answers a StandbyStatusUpdate with replyRequested", () => {
      const payload = copyDataPayloads("keepalive").find((p) => p[0] === PgReplication.ReplicationType.PrimaryKeepalive)
      const k = decoded(payload!)
      assert.strictEqual(k["_tag"], "PrimaryKeepalive")
      if (k["_tag"] !== "PrimaryKeepalive") return
      assert.isTrue(k.walEnd >= startLsn())
      assert.isFalse(k.replyRequested)
      assert.strictEqual(toHex(PgReplication.encode(k)), toHex(payload!))
    })
  })

  describe("client payloads", () => {
    it("StandbyStatusUpdate golden", () => {
      const bytes = PgReplication.encode({
        _tag: "StandbyStatusUpdate",
        written: 0x16b374d848n,
        flushed: 0x16b374d800n,
        applied: 0n,
        clientTime: 1n,
        replyRequested: true
      })
      // 'r' | written | flushed | applied | clientTime | reply
      assert.strictEqual(
        toHex(bytes),
        toHex(fromHex("72 00000016b374d848 00000016b374d800 0000000000000000 0000000000000001 01"))
      )
      // sent inside CopyData
      const framed = PgFrontend.makeEncoder().copyData(bytes).take()
      assert.strictEqual(toHex(framed.subarray(0, 5)), "6400000026")
    })

    it("HotStandbyFeedback golden", () => {
      const bytes = PgReplication.encode({
        _tag: "HotStandbyFeedback",
        clientTime: -1n,
        xmin: 0xffffffff,
        xminEpoch: 1,
        catalogXmin: 2,
        catalogXminEpoch: 3
      })
      assert.strictEqual(toHex(bytes), toHex(fromHex("68 ffffffffffffffff ffffffff 00000001 00000002 00000003")))
    })

    it("property: encode then decode is the identity", () => {
      fc.assert(
        fc.property(message, (m) => {
          assert.deepStrictEqual(decoded(PgReplication.encode(m)), m)
        }),
        { numRuns: 2000 }
      )
    })

    it("refuses out-of-range values", () => {
      const bad: ReadonlyArray<PgReplication.ReplicationMessage> = [
        { _tag: "StandbyStatusUpdate", written: -1n, flushed: 0n, applied: 0n, clientTime: 0n, replyRequested: false },
        { _tag: "StandbyStatusUpdate", written: 1n << 64n, flushed: 0n, applied: 0n, clientTime: 0n, replyRequested: false },
        { _tag: "PrimaryKeepalive", walEnd: 0n, serverTime: 1n << 63n, replyRequested: false },
        { _tag: "HotStandbyFeedback", clientTime: 0n, xmin: -1, xminEpoch: 0, catalogXmin: 0, catalogXminEpoch: 0 },
        { _tag: "HotStandbyFeedback", clientTime: 0n, xmin: 0, xminEpoch: 2 ** 32, catalogXmin: 0, catalogXminEpoch: 0 },
        { _tag: "Nope" } as unknown as PgReplication.ReplicationMessage
      ]
      for (const m of bad) assert.throws(() => PgReplication.encode(m), PgFrontend.EncodeError)
    })
  })

  describe("malformed payloads", () => {
    it("wrong sizes, flags, types", () => {
      fails("", "empty payload")
      fails("77" + "00".repeat(23), "XLogData is 24 bytes")
      fails("6b" + "00".repeat(16), "PrimaryKeepalive is 17 bytes")
      fails("6b" + "00".repeat(18), "PrimaryKeepalive is 19 bytes")
      fails("6b" + "00".repeat(16) + "02", "reply flag")
      fails("72" + "00".repeat(32) + "07", "reply flag")
      fails("72" + "00".repeat(32), "StandbyStatusUpdate is 33 bytes")
      fails("68" + "00".repeat(23), "HotStandbyFeedback is 24 bytes")
      fails("64", "unknown type 0x64")
      assert.strictEqual(decoded(fromHex("77" + "00".repeat(24)))["_tag"], "XLogData")
    })
  })

  describe("helpers", () => {
    it("formats and parses LSNs", () => {
      assert.strictEqual(PgReplication.formatLsn(0x16b374d848n), "16/B374D848")
      assert.strictEqual(PgReplication.formatLsn(0n), "0/0")
      assert.strictEqual(PgReplication.parseLsn("16/B374D848"), 0x16b374d848n)
      assert.strictEqual(PgReplication.parseLsn("ffffffff/ffffffff"), (1n << 64n) - 1n)
      for (const bad of ["", "16", "/1", "1/", "g/1", "1/2/3", "123456789/0", "0/123456789", "1 /2"]) {
        assert.isUndefined(PgReplication.parseLsn(bad), bad)
      }
      fc.assert(fc.property(lsn, (l) => PgReplication.parseLsn(PgReplication.formatLsn(l)) === l))
    })

    it("converts between Unix milliseconds and PostgreSQL microseconds", () => {
      assert.strictEqual(PgReplication.fromUnixMillis(Date.UTC(2000, 0, 1)), 0n)
      assert.strictEqual(PgReplication.fromUnixMillis(Date.UTC(2000, 0, 1, 0, 0, 1)), 1_000_000n)
      assert.strictEqual(PgReplication.toUnixMillis(1_999n), Date.UTC(2000, 0, 1) + 1)
      assert.strictEqual(PgReplication.toUnixMillis(-1n), Date.UTC(2000, 0, 1) - 1)
      assert.strictEqual(PgReplication.fromUnixMillis(0), -946684800000000n)
    })
  })
})
