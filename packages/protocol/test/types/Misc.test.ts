import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { Oid } from "../../src/PgOid.ts"
import type { Snapshot, SnapshotInput, Tid } from "../../src/internal/types/misc.ts"
import { decodeHex, encodeHex, onlyCodecErrors, throwsCodecError, toHex, valueGoldens } from "./helpers.ts"
import {
  aclitem,
  codecs,
  int2vector,
  oidvector,
  parseLsn,
  pgLsn,
  pgNdistinct,
  pgNodeTree,
  pgSnapshot,
  tid,
  txidSnapshot
} from "../../src/internal/types/misc.ts"

describe("pg_lsn", () => {
  it("matches server goldens", () => {
    // select encode(pg_lsn_send('<text>'::pg_lsn), 'hex'), pg_lsn_out('<text>'::pg_lsn)
    valueGoldens(pgLsn, [
      ["16/B374D848", "16/B374D848", "00000016b374d848"],
      ["0/0", "0/0", "0000000000000000"],
      ["0/1", "0/1", "0000000000000001"],
      ["1/0", "1/0", "0000000100000000"],
      ["FFFFFFFF/FFFFFFFF", "FFFFFFFF/FFFFFFFF", "ffffffffffffffff"]
    ])
    // The server reads lower case and leading zeros: pg_lsn_send('00000016/b374d848')
    assert.strictEqual(encodeHex(pgLsn, "00000016/b374d848"), "00000016b374d848")
  })

  it("round-trips any 64-bit position", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (b) => {
        const hex = toHex(b)
        const text = decodeHex(pgLsn, hex)
        assert.match(text, /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/)
        assert.strictEqual(encodeHex(pgLsn, text), hex)
      })
    )
  })

  it("rejects what the server rejects", () => {
    for (const bad of [" 1/1", "1/1 ", "1/", "/1", "100000000/0", "1/100000000", "+1/1", "1/-1", "0x1/1", ""]) {
      throwsCodecError(() => encodeHex(pgLsn, bad), "pg_lsn")
    }
    throwsCodecError(() => decodeHex(pgLsn, "00000016b374d8"), "pg_lsn")
    assert.deepStrictEqual(parseLsn("16/B374D848"), [0x16, 0xb374d848])
  })
})

describe("tid", () => {
  it("matches server goldens", () => {
    // select encode(tidsend('<text>'::tid), 'hex'), tidout('<text>'::tid)
    valueGoldens<Tid, Tid>(tid, [
      [{ block: 0, offset: 1 }, "(0,1)", "000000000001"],
      [{ block: 4294967295, offset: 65535 }, "(4294967295,65535)", "ffffffffffff"],
      [{ block: 42, offset: 0 }, "(42,0)", "0000002a0000"]
    ])
  })

  it("round-trips and rejects out-of-range values", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffff }), (block, offset) => {
        const v = { block, offset }
        assert.deepStrictEqual(decodeHex(tid, encodeHex(tid, v)), v)
        assert.deepStrictEqual(tid.decodeText(tid.encodeText(v)), v)
      })
    )
    for (const bad of [{ block: -1, offset: 0 }, { block: 2 ** 32, offset: 0 }, { block: 0, offset: 65536 }, {
      block: 1.5,
      offset: 0
    }]) throwsCodecError(() => encodeHex(tid, bad), "tid")
    for (const bad of ["", "(1,2", "1,2", "(1;2)", "(1,2)x", "(4294967296,1)", "(1,65536)"]) {
      throwsCodecError(() => tid.decodeText(bad), "tid")
    }
    throwsCodecError(() => decodeHex(tid, "0000000001"), "tid")
  })
})

describe("int2vector / oidvector", () => {
  it("matches server goldens", () => {
    // select encode(int2vectorsend('<text>'::int2vector), 'hex'), int2vectorout('<text>'::int2vector)
    valueGoldens<ReadonlyArray<number>, ReadonlyArray<number>>(int2vector, [
      [[1, 2, -3], "1 2 -3", "000000010000000000000015000000030000000000000002000100000002000200000002fffd"],
      [[32767, -32768], "32767 -32768", "0000000100000000000000150000000200000000000000027fff000000028000"],
      [[7], "7", "0000000100000000000000150000000100000000000000020007"]
    ])
    // select encode(oidvectorsend('<text>'::oidvector), 'hex'), oidvectorout('<text>'::oidvector)
    valueGoldens<ReadonlyArray<number>, ReadonlyArray<number>>(oidvector, [
      [
        [1, 4294967295, 0],
        "1 4294967295 0",
        "00000001000000000000001a0000000300000000000000040000000100000004ffffffff0000000400000000"
      ],
      [
        [23, 25, 4294967295],
        "23 25 4294967295",
        "00000001000000000000001a00000003000000000000000400000017000000040000001900000004ffffffff"
      ]
    ])
  })

  it("decodes the server's empty vectors", () => {
    // select encode(int2vectorsend(''::int2vector), 'hex'), encode(oidvectorsend(''::oidvector), 'hex')
    assert.deepStrictEqual(decodeHex(int2vector, "0000000100000000000000150000000000000000"), [])
    assert.deepStrictEqual(decodeHex(oidvector, "00000001000000000000001a0000000000000000"), [])
    assert.deepStrictEqual(decodeHex(int2vector, "000000000000000000000015"), [])
    assert.deepStrictEqual(int2vector.decodeText(""), [])
    assert.strictEqual(int2vector.encodeText([]), "")
    // int2vectorrecv rejects both shapes of an empty vector ("invalid int2vector data").
    throwsCodecError(() => encodeHex(int2vector, []), "int2vector")
    throwsCodecError(() => encodeHex(oidvector, []), "oidvector")
  })

  it("round-trips and rejects malformed values", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 20 }), (v) => {
        assert.deepStrictEqual(decodeHex(int2vector, encodeHex(int2vector, v)), v)
        assert.deepStrictEqual(int2vector.decodeText(int2vector.encodeText(v)), v)
      })
    )
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 20 }), (v) => {
        assert.deepStrictEqual(decodeHex(oidvector, encodeHex(oidvector, v)), v)
        assert.deepStrictEqual(oidvector.decodeText(oidvector.encodeText(v)), v)
      })
    )
    throwsCodecError(() => encodeHex(int2vector, [32768]), "int2vector")
    throwsCodecError(() => encodeHex(oidvector, [-1]), "oidvector")
    throwsCodecError(() => int2vector.decodeText("1,2"), "int2vector")
    throwsCodecError(() => int2vector.decodeText("40000"), "int2vector")
    for (
      const bad of [
        "",
        "00000001000000000000001500000001000000000000000200",
        "0000000100000001000000150000000100000000ffffffff",
        "0000000100000000000000170000000100000000000000020001",
        "0000000200000000000000150000000100000000000000020001",
        "0000000100000000000000150000000100000000000000040001",
        "000000010000000000000015000000020000000000000002000100"
      ]
    ) throwsCodecError(() => decodeHex(int2vector, bad), "int2vector")
  })
})

const snap = (xmin: bigint, xmax: bigint, ...xip: Array<bigint>): Snapshot => ({ xmin, xmax, xip })

describe("pg_snapshot / txid_snapshot", () => {
  it("matches server goldens", () => {
    // select encode(pg_snapshot_send('<text>'::pg_snapshot), 'hex'), pg_snapshot_out('<text>'::pg_snapshot)
    valueGoldens<Snapshot, SnapshotInput>(pgSnapshot, [
      [
        snap(10n, 20n, 10n, 14n, 15n),
        "10:20:10,14,15",
        "00000003000000000000000a0000000000000014000000000000000a000000000000000e000000000000000f"
      ],
      [snap(10n, 20n), "10:20:", "00000000000000000000000a0000000000000014"],
      [snap(1n, 1n), "1:1:", "0000000000000000000000010000000000000001"],
      [
        snap(18446744073709551615n, 18446744073709551615n),
        "18446744073709551615:18446744073709551615:",
        "00000000ffffffffffffffffffffffffffffffff"
      ]
    ])
    // select encode(txid_snapshot_send('<text>'::txid_snapshot), 'hex')
    valueGoldens<Snapshot, SnapshotInput>(txidSnapshot, [
      [
        snap(10n, 20n, 10n, 14n, 15n),
        "10:20:10,14,15",
        "00000003000000000000000a0000000000000014000000000000000a000000000000000e000000000000000f"
      ],
      [snap(3n, 3n), "3:3:", "0000000000000000000000030000000000000003"]
    ])
  })

  it("accepts numbers and checks what the server checks", () => {
    assert.strictEqual(
      encodeHex(pgSnapshot, { xmin: 10, xmax: 20, xip: [14] }),
      "00000001000000000000000a0000000000000014000000000000000e"
    )
    // pg_snapshot_recv rejects xmin 0, xmax < xmin and descending or out-of-range ids.
    for (
      const bad of [
        { xmin: 0, xmax: 1, xip: [] },
        { xmin: 5, xmax: 4, xip: [] },
        { xmin: 10, xmax: 20, xip: [12, 11] },
        { xmin: 10, xmax: 20, xip: [9] },
        { xmin: 10, xmax: 20, xip: [21] },
        { xmin: -1n, xmax: 20, xip: [] },
        { xmin: 2n ** 64n, xmax: 2n ** 64n, xip: [] },
        { xmin: 1.5, xmax: 2, xip: [] }
      ]
    ) throwsCodecError(() => encodeHex(pgSnapshot, bad as SnapshotInput), "pg_snapshot")
    for (const bad of ["10:20", "a:20:", "10:20:x", "10:20:1,,2", "184467440737095516150:1:"]) {
      throwsCodecError(() => pgSnapshot.decodeText(bad), "pg_snapshot")
    }
    for (const bad of ["", "00000001000000000000000a0000000000000014", "ffffffff000000000000000a0000000000000014"]) {
      throwsCodecError(() => decodeHex(pgSnapshot, bad), "pg_snapshot")
    }
  })

  it("round-trips snapshots", () => {
    const u64 = fc.bigInt({ min: 1n, max: 2n ** 64n - 1n })
    fc.assert(
      fc.property(u64, u64, fc.array(u64, { maxLength: 10 }), (a, b, ids) => {
        const [xmin, xmax] = a <= b ? [a, b] : [b, a]
        const xip = ids.map((x) => xmin + (x % (xmax - xmin + 1n))).toSorted((p, q) => (p < q ? -1 : p > q ? 1 : 0))
        const v = snap(xmin, xmax, ...xip)
        assert.deepStrictEqual(decodeHex(pgSnapshot, encodeHex(pgSnapshot, v)), v)
        assert.deepStrictEqual(pgSnapshot.decodeText(pgSnapshot.encodeText(v)), v)
      })
    )
  })
})

describe("text-only catalog types", () => {
  it("pass text through and have no binary encoder", () => {
    for (const c of [aclitem, pgNdistinct]) {
      assert.isUndefined(c.decodeBinary)
      assert.isUndefined(c.encodeBinary)
      assert.strictEqual(c.decodeText("x=r/y"), "x=r/y")
      assert.strictEqual(c.encodeText("x=r/y"), "x=r/y")
    }
    // pg_node_tree_send is textsend: its binary form is the UTF-8 text.
    const tree = "{CONST :consttype 23 :constvalue 4 [ 1 0 0 0 0 0 0 0 ] é}"
    const bytes = new TextEncoder().encode(tree)
    assert.strictEqual(pgNodeTree.decodeBinary!(bytes, 0, bytes.length), tree)
    assert.isUndefined(pgNodeTree.encodeBinary)
  })
})

describe("misc codecs", () => {
  it("lists every codec with its OID", () => {
    assert.deepStrictEqual(codecs.map((c) => [c.name, c.oid]), [
      ["pg_lsn", Oid.pg_lsn],
      ["tid", Oid.tid],
      ["int2vector", Oid.int2vector],
      ["oidvector", Oid.oidvector],
      ["txid_snapshot", Oid.txid_snapshot],
      ["pg_snapshot", Oid.pg_snapshot],
      ["aclitem", Oid.aclitem],
      ["pg_node_tree", Oid.pg_node_tree],
      ["pg_ndistinct", Oid.pg_ndistinct],
      ["pg_dependencies", Oid.pg_dependencies],
      ["pg_mcv_list", Oid.pg_mcv_list],
      ["pg_brin_bloom_summary", Oid.pg_brin_bloom_summary],
      ["pg_brin_minmax_multi_summary", Oid.pg_brin_minmax_multi_summary]
    ])
  })

  it("decoding random bytes returns a value or throws a CodecError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (b) => {
        for (const c of codecs) {
          const decode = c.decodeBinary
          if (decode !== undefined) onlyCodecErrors(() => decode(b, 0, b.length))
        }
      }),
      { numRuns: 2000 }
    )
  })
})
