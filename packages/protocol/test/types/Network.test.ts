import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { Oid } from "../../src/PgOid.ts"
import { cidr, codecs, inet, macaddr, macaddr8, parseAddress } from "../../src/internal/types/network.ts"
import { decodeHex, encodeHex, onlyCodecErrors, stringGoldens, throwsCodecError, toHex } from "./helpers.ts"

describe("inet", () => {
  it("matches server goldens", () => {
    // select encode(inet_send('<input>'::inet), 'hex'), inet_out('<input>'::inet)
    stringGoldens(inet, [
      ["1.2.3.4", "1.2.3.4", "0220000401020304"],
      ["10.1.2.3/8", "10.1.2.3/8", "020800040a010203"],
      ["0.0.0.0/0", "0.0.0.0/0", "0200000400000000"],
      ["255.255.255.255", "255.255.255.255", "02200004ffffffff"],
      ["1.2.3.4/32", "1.2.3.4", "0220000401020304"],
      ["10/8", "10.0.0.0/8", "020800040a000000"],
      ["1.2.3/24", "1.2.3.0/24", "0218000401020300"],
      ["01.002.3.4/024", "1.2.3.4/24", "0218000401020304"],
      ["::", "::", "0380001000000000000000000000000000000000"],
      ["::1", "::1", "0380001000000000000000000000000000000001"],
      ["::ffff:1.2.3.4", "::ffff:1.2.3.4", "0380001000000000000000000000ffff01020304"],
      ["::1.2.3.4", "::1.2.3.4", "0380001000000000000000000000000001020304"],
      ["::0.1.0.2", "::0.1.0.2", "0380001000000000000000000000000000010002"],
      ["::2", "::2", "0380001000000000000000000000000000000002"],
      ["1::", "1::", "0380001000010000000000000000000000000000"],
      ["1:0:0:1:0:0:0:1", "1:0:0:1::1", "0380001000010000000000010000000000000001"],
      ["1::1:0:0:1:1", "1::1:0:0:1:1", "0380001000010000000000010000000000010001"],
      ["0:0:0:0:0:1:0:0", "::1:0:0", "0380001000000000000000000000000100000000"],
      ["fe80::1/64", "fe80::1/64", "03400010fe800000000000000000000000000001"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "0380001020010db8000000000001000000000001"],
      ["2001:DB8::/32", "2001:db8::/32", "0320001020010db8000000000000000000000000"],
      ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", "0380001000010002000300040005000600070008"],
      ["ffff::ffff:0:1.2.3.4", "ffff::ffff:0:102:304", "03800010ffff000000000000ffff000001020304"],
      ["::ffff:0:1.2.3.4", "::ffff:0:102:304", "038000100000000000000000ffff000001020304"],
      ["::fffe:1.2.3.4", "::fffe:102:304", "0380001000000000000000000000fffe01020304"],
      ["0:0:0:0:0:ffff:0:0", "::ffff:0.0.0.0", "0380001000000000000000000000ffff00000000"],
      ["::/0", "::/0", "0300001000000000000000000000000000000000"]
    ])
  })

  it("accepts the server's odd but valid spellings", () => {
    // select inet_out('<input>'::inet)
    assert.strictEqual(decodeHex(inet, encodeHex(inet, "1.2.3.4.")), "1.2.3.4")
    assert.strictEqual(decodeHex(inet, encodeHex(inet, "::1..2")), "::1.0.2.0")
    assert.strictEqual(decodeHex(inet, encodeHex(inet, "::1.2.3")), "::1.2.3.0")
    assert.strictEqual(decodeHex(inet, encodeHex(inet, "10./8")), "10.0.0.0/8")
  })

  it("rejects what the server rejects", () => {
    for (
      const bad of [
        "",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3",
        "1.2.3.4/33",
        "256.1.1.1",
        "1.2.3.4/",
        "10/16",
        "1.2.3.4.5",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        "1:2:3:4:5:6:7::8",
        "00001::",
        "::1.2.3.4/",
        "::/00",
        "::/129",
        ":1",
        "fe80::1%eth0",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::01.2.3.4",
        "0x0a",
        "1.2.3.4\u0000"
      ]
    ) throwsCodecError(() => encodeHex(inet, bad), "inet")
  })

  it("rejects malformed bytes", () => {
    for (
      const bad of [
        "",
        "022000",
        "02200004010203",
        "022000040102030405",
        "0221000401020304",
        "0220001001020304",
        "0381001000000000000000000000000000000000",
        "04200004010203"
      ]
    ) throwsCodecError(() => decodeHex(inet, bad), "inet")
  })
})

describe("cidr", () => {
  it("matches server goldens", () => {
    // select encode(cidr_send('<input>'::cidr), 'hex'), cidr_out('<input>'::cidr)
    stringGoldens(cidr, [
      ["10", "10.0.0.0/8", "020801040a000000"],
      ["128", "128.0.0.0/16", "0210010480000000"],
      ["192.168.1", "192.168.1.0/24", "02180104c0a80100"],
      ["224", "224.0.0.0/4", "02040104e0000000"],
      ["240", "240.0.0.0/32", "02200104f0000000"],
      ["10.1.2.0/24", "10.1.2.0/24", "021801040a010200"],
      ["0x0a01", "10.1.0.0/16", "021001040a010000"],
      ["0.0.0.0/0", "0.0.0.0/0", "0200010400000000"],
      ["1.2.3.4/32", "1.2.3.4/32", "0220010401020304"],
      ["::/0", "::/0", "0300011000000000000000000000000000000000"],
      ["2001:db8::/32", "2001:db8::/32", "0320011020010db8000000000000000000000000"],
      ["::ffff:0.0.0.0/96", "::ffff:0.0.0.0/96", "0360011000000000000000000000ffff00000000"],
      ["fe80::/10", "fe80::/10", "030a0110fe800000000000000000000000000000"],
      ["1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:8/128", "0380011000010002000300040005000600070008"]
    ])
  })

  it("rejects bits set right of the mask and bad syntax", () => {
    for (const bad of ["10.1.2.3/8", "1.2.3.4/0", "::ffff:1.2.3.4/96", "10./8", "0x", "0x0a0b0c0d0e", "1..2", "10/"]) {
      throwsCodecError(() => encodeHex(cidr, bad), "cidr")
    }
  })

  it("prints the prefix even when it is full", () => {
    assert.strictEqual(decodeHex(cidr, "0220010401020304"), "1.2.3.4/32")
    assert.strictEqual(decodeHex(inet, "0220010401020304"), "1.2.3.4")
  })
})

/** Any address, as bytes `inet_send` could produce; cidr values have no bits beyond the mask. */
const addressBytes = (isCidr: boolean) =>
  fc.oneof(
    fc.tuple(fc.constant(4), fc.integer({ min: 0, max: 32 }), fc.uint8Array({ minLength: 4, maxLength: 4 })),
    fc.tuple(
      fc.constant(16),
      fc.integer({ min: 0, max: 128 }),
      // Mostly zero groups, so every compression case comes up.
      fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff })), {
        minLength: 8,
        maxLength: 8
      }).map((g) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff])))
    )
  ).map(([n, bits, addr]) => {
    if (isCidr) {
      for (let i = 0; i < n; i++) {
        const keep = Math.max(0, Math.min(8, bits - i * 8))
        addr[i] = addr[i]! & ((0xff00 >> keep) & 0xff)
      }
    }
    return toHex(Uint8Array.of(n === 4 ? 2 : 3, bits, isCidr ? 1 : 0, n)) + toHex(addr)
  })

describe("inet/cidr properties", () => {
  it("binary → text → binary is the identity", () => {
    for (const [codec, isCidr] of [[inet, false], [cidr, true]] as const) {
      fc.assert(
        fc.property(addressBytes(isCidr), (hex) => {
          const text = decodeHex(codec, hex)
          assert.strictEqual(encodeHex(codec, text), hex, text)
        }),
        { numRuns: 2000 }
      )
    }
  })

  it("parseAddress exposes family, prefix and bytes", () => {
    const a = parseAddress("::ffff:1.2.3.4/120", false)
    assert.strictEqual(a.family, 3)
    assert.strictEqual(a.bits, 120)
    assert.strictEqual(toHex(a.addr), "00000000000000000000ffff01020304")
  })
})

describe("macaddr", () => {
  it("matches server goldens", () => {
    // select encode(macaddr_send('<input>'::macaddr), 'hex'), macaddr_out('<input>'::macaddr)
    stringGoldens(macaddr, [
      ["08:00:2b:01:02:03", "08:00:2b:01:02:03", "08002b010203"],
      ["08-00-2B-01-02-03", "08:00:2b:01:02:03", "08002b010203"],
      ["08002b:010203", "08:00:2b:01:02:03", "08002b010203"],
      ["08002b-010203", "08:00:2b:01:02:03", "08002b010203"],
      ["0800.2b01.0203", "08:00:2b:01:02:03", "08002b010203"],
      ["0800-2b01-0203", "08:00:2b:01:02:03", "08002b010203"],
      ["08002b010203", "08:00:2b:01:02:03", "08002b010203"],
      [" 08:00:2b:01:02:03 ", "08:00:2b:01:02:03", "08002b010203"],
      ["8:0:2b:1:2:3", "08:00:2b:01:02:03", "08002b010203"],
      ["00:00:00:00:00:00", "00:00:00:00:00:00", "000000000000"],
      ["ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff", "ffffffffffff"],
      ["08:00:2b:01:02:034", "08:00:2b:01:02:34", "08002b010234"],
      // sscanf's `0x` prefix and the -0 that is 0
      ["7d:65:d8:09:5d:0x", "7d:65:d8:09:5d:00", "7d65d8095d00"],
      ["fba1-7f43-3bd8", "fb:a1:7f:43:3b:d8", "fba17f433bd8"]
    ])
  })

  it("rejects what the server rejects", () => {
    for (
      const bad of [
        "08:00:2b:01:02",
        "08:00:2b:01:02:03:04",
        "08:00-2b:01:02:03",
        "0800:2b01:0203",
        "08002b.010203",
        "08:00:2b:01:02:03x",
        "08.00.2b.01.02.03",
        "08:00:2b:01:02:100",
        "-1:00:2b:01:02:03",
        ""
      ]
    ) throwsCodecError(() => encodeHex(macaddr, bad), "macaddr")
    throwsCodecError(() => decodeHex(macaddr, "0102030405"), "macaddr")
  })

  it("round-trips any 6 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (b) => {
        const hex = toHex(b)
        assert.strictEqual(encodeHex(macaddr, decodeHex(macaddr, hex)), hex)
      })
    )
  })
})

describe("macaddr8", () => {
  it("matches server goldens, widening 6-byte input", () => {
    // select encode(macaddr8_send('<input>'::macaddr8), 'hex'), macaddr8_out('<input>'::macaddr8)
    stringGoldens(macaddr8, [
      ["08:00:2b:01:02:03:04:05", "08:00:2b:01:02:03:04:05", "08002b0102030405"],
      ["08:00:2b:01:02:03", "08:00:2b:ff:fe:01:02:03", "08002bfffe010203"],
      ["08-00-2b-01-02-03-04-05", "08:00:2b:01:02:03:04:05", "08002b0102030405"],
      ["0800.2b01.0203.0405", "08:00:2b:01:02:03:04:05", "08002b0102030405"],
      ["08002b0102030405", "08:00:2b:01:02:03:04:05", "08002b0102030405"],
      ["0800:2b01:0203", "08:00:2b:ff:fe:01:02:03", "08002bfffe010203"],
      ["08:00:2b:01:02:03x", "08:00:2b:ff:fe:01:02:03", "08002bfffe010203"],
      ["08:00:2b:01:02:03:", "08:00:2b:ff:fe:01:02:03", "08002bfffe010203"],
      [" 08:00:2b:01:02:03:04:05  ", "08:00:2b:01:02:03:04:05", "08002b0102030405"],
      ["FF:FF:FF:FF:FF:FF:FF:FF", "ff:ff:ff:ff:ff:ff:ff:ff", "ffffffffffffffff"]
    ])
  })

  it("rejects what the server rejects", () => {
    for (
      const bad of [
        "8:0:2b:1:2:3",
        "08:00:2b:01:02",
        "08:00-2b:01:02:03",
        "08:00:2b:01:02:03:04",
        "08:00:2b:01:02:03 x",
        "08002b01020304",
        "08:00:2b:01:02:03é",
        ""
      ]
    ) throwsCodecError(() => encodeHex(macaddr8, bad), "macaddr8")
    throwsCodecError(() => decodeHex(macaddr8, "010203040506"), "macaddr8")
  })

  it("round-trips any 8 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (b) => {
        const hex = toHex(b)
        assert.strictEqual(encodeHex(macaddr8, decodeHex(macaddr8, hex)), hex)
      })
    )
  })
})

describe("network codecs", () => {
  it("lists every codec with its OID", () => {
    assert.deepStrictEqual(
      codecs.map((c) => [c.name, c.oid]),
      [["inet", Oid.inet], ["cidr", Oid.cidr], ["macaddr", Oid.macaddr], ["macaddr8", Oid.macaddr8]]
    )
  })

  it("decoding random bytes returns a string or throws a CodecError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (b) => {
        for (const c of codecs) {
          onlyCodecErrors(() => assert.isString(c.decodeBinary!(b, 0, b.length)))
        }
      }),
      { numRuns: 2000 }
    )
  })

  it("encoding random text returns bytes or throws a CodecError", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."0123456789abcdefx:./- ") }), (s) => {
        for (const c of codecs) {
          onlyCodecErrors(() => encodeHex(c, s))
        }
      }),
      { numRuns: 2000 }
    )
  })

  it("refuses non-string values", () => {
    for (const c of codecs) throwsCodecError(() => encodeHex(c, 42 as unknown as string), c.name)
  })
})
