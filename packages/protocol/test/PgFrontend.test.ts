import { assert, describe, it } from "@effect/vitest"
import * as PgFrontend from "../src/PgFrontend.ts"
import type { PgWriter } from "../src/PgWriter.ts"
import { frontendGoldens } from "./fixtures/frontendGoldens.ts"
import { fromHex, toHex } from "./fixtures/helpers.ts"

const te = new TextEncoder()
const hex = (s: string) => toHex(fromHex(s))

const int4: PgFrontend.ParamEncoder<number> = (value, writer) => {
  writer.i32(value)
}
const float8: PgFrontend.ParamEncoder<number> = (value, writer) => {
  writer.f64(value)
}
const text: PgFrontend.ParamEncoder<string> = (value, writer) => {
  writer.string(value)
}

const goldenHex = (name: string) => hex(frontendGoldens.find((g) => g.name === name)!.hex)

const writeNothing: PgFrontend.ParamEncoder<string> = () => {}

/** Runs `f` and returns the EncodeError it throws. */
const encodeError = (f: () => unknown): PgFrontend.EncodeError => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, PgFrontend.EncodeError)
    assert.strictEqual((e as PgFrontend.EncodeError)["_tag"], "PgEncodeError")
    return e as PgFrontend.EncodeError
  }
  return assert.fail("expected an EncodeError")
}

describe("PgFrontend", () => {
  describe("goldens", () => {
    for (const golden of frontendGoldens) {
      it(`encodes ${golden.name}`, () => {
        assert.strictEqual(toHex(PgFrontend.encode(golden.message)), hex(golden.hex))
      })
    }

    it("the dedicated methods produce the same bytes as the models", () => {
      const enc = PgFrontend.makeEncoder(1)
      const bytes = enc
        .startup([["user", "postgres"], ["database", "db"]])
        .startup({ user: "u", "_pq_.x": "1" }, PgFrontend.ProtocolVersion.v3_2)
        .sslRequest()
        .gssEncRequest()
        .cancelRequest(1234, new Uint8Array([1, 2, 3, 4]))
        .password("secret")
        .saslInitialResponse("SCRAM-SHA-256", te.encode("n,,n=,r=abc"))
        .saslInitialResponse("SCRAM-SHA-256")
        .saslResponse(te.encode("c=biws"))
        .gssResponse(new Uint8Array([1, 2, 3]))
        .query("select 1")
        .parse("s1", "select $1", [23])
        .parse("", "select 1")
        .bind("", "s1", 0, ["hi", null], 1)
        .bind("", "", [1, 0], [new Uint8Array([0, 0, 0, 42]), "x"], 0)
        .describe("S", "s1")
        .describe("P", "")
        .execute("")
        .execute("p1", 100)
        .close("S", "s1")
        .close("P", "")
        .sync()
        .flush()
        .terminate()
        .copyData("abc")
        .copyData(te.encode("abc"))
        .copyDone()
        .copyFail("oops")
        .functionCall(177, 1, [new Uint8Array([0, 0, 0, 1]), new Uint8Array([0, 0, 0, 2])], 1)
        .functionCall(177, 0, [null, "2"])
        .take()
      const expected = [
        "StartupMessage 3.0",
        "StartupMessage 3.2 with a protocol option",
        "SSLRequest",
        "GSSENCRequest",
        "CancelRequest 3.0 (4-byte key)",
        "PasswordMessage",
        "SASLInitialResponse",
        "SASLInitialResponse without data",
        "SASLResponse",
        "GSSResponse",
        "Query",
        "Parse with a type",
        "Parse unnamed without types",
        "Bind text values, binary results",
        "Bind per-parameter formats",
        "Describe statement",
        "Describe portal",
        "Execute all rows",
        "Execute with a row limit",
        "Close statement",
        "Close portal",
        "Sync",
        "Flush",
        "Terminate",
        "CopyData",
        "CopyData",
        "CopyDone",
        "CopyFail",
        "FunctionCall binary",
        "FunctionCall text with NULL"
      ].map(goldenHex).join("")
      assert.strictEqual(toHex(bytes), expected)
      assert.strictEqual(enc.length, 0)
    })

    it("exports the protocol constants", () => {
      assert.strictEqual(PgFrontend.ProtocolVersion.v3_0, 3 << 16)
      assert.strictEqual(PgFrontend.ProtocolVersion.v3_2, (3 << 16) | 2)
      assert.strictEqual(PgFrontend.RequestCode.SSLRequest, (1234 << 16) | 5679)
      assert.strictEqual(PgFrontend.RequestCode.GSSENCRequest, (1234 << 16) | 5680)
      assert.strictEqual(PgFrontend.RequestCode.CancelRequest, (1234 << 16) | 5678)
      for (const [name, char] of Object.entries({ Bind: "B", Sync: "S", Password: "p", CopyData: "d", Terminate: "X" })) {
        assert.strictEqual(PgFrontend.FrontendType[name as keyof typeof PgFrontend.FrontendType], char.charCodeAt(0))
      }
    })
  })

  describe("Bind", () => {
    it("sends format 0 as zero codes and format 1 as one code", () => {
      const zero = PgFrontend.makeEncoder().bind("", "", 0, [], 0).take()
      assert.strictEqual(toHex(zero), hex("42 0000000c 00 00 0000 0000 0000"))
      const one = PgFrontend.makeEncoder().bind("", "", 1, [], 1).take()
      assert.strictEqual(toHex(one), hex("42 00000010 00 00 0001 0001 0000 0001 0001"))
    })

    it("writes values through encoders straight into the writer", () => {
      const enc = PgFrontend.makeEncoder(8)
      enc.bind("p", "s", 1, [7, "héllo", null, 1.5, undefined], 1, [int4, text, int4, float8, text])
      assert.strictEqual(
        toHex(enc.take()),
        hex(
          "42 00000038 7000 7300 0001 0001 0005" +
            "00000004 00000007" +
            "00000006 68c3a96c6c6f" +
            "ffffffff" +
            "00000008 3ff8000000000000" +
            "ffffffff" +
            "0001 0001"
        )
      )
    })

    it("does not call an encoder for NULL and accepts plain values where no encoder is given", () => {
      let calls = 0
      const counting: PgFrontend.ParamEncoder<number> = (v, w) => {
        calls++
        w.i32(v)
      }
      const bytes = PgFrontend.makeEncoder()
        .bind("", "", 0, [null, undefined, 5, "t", te.encode("b")], 0, [counting, counting, counting, null])
        .take()
      assert.strictEqual(calls, 1)
      assert.strictEqual(
        toHex(bytes),
        hex("42 00000026 00 00 0000 0005 ffffffff ffffffff 00000004 00000005 00000001 74 00000001 62 0000")
      )
    })

    it("lets an encoder write nothing (an empty value)", () => {
      const bytes = PgFrontend.makeEncoder().bind("", "", 0, ["ignored"], 0, [writeNothing]).take()
      assert.strictEqual(toHex(bytes), hex("42 00000010 00 00 0000 0001 00000000 0000"))
    })

    it("rejects format counts that fit neither none, one nor one per parameter", () => {
      const e = encodeError(() => PgFrontend.makeEncoder().bind("", "", [0, 1], ["a", "b", "c"], 0))
      assert.strictEqual(e.messageTag, "Bind")
      assert.include(e.message, "2 codes for 3 values")
      encodeError(() => PgFrontend.makeEncoder().bind("", "", [2 as 0], ["a"], 0))
      encodeError(() => PgFrontend.makeEncoder().bind("", "", 0, ["a"], [3 as 1]))
      encodeError(() => PgFrontend.makeEncoder().bind("", "", 2 as 0, ["a"], 0))
      // one code for all and one per parameter are both fine
      PgFrontend.makeEncoder().bind("", "", [1], ["a", "b", "c"], [0, 1, 0, 1])
      PgFrontend.makeEncoder().bind("", "", [1, 0, 1], ["a", "b", "c"], 0)
    })

    it("accepts 65535 parameters and rejects 65536", () => {
      const ok = PgFrontend.makeEncoder().bind("", "", 0, new Array(65535).fill(null), 0).take()
      assert.strictEqual(ok.length, 1 + 4 + 1 + 1 + 2 + 2 + 65535 * 4 + 2)
      const e = encodeError(() => PgFrontend.makeEncoder().bind("", "", 0, new Array(65536).fill(null), 0))
      assert.include(e.message, "too many parameters")
    })

    it("rejects values it cannot send without an encoder", () => {
      const e = encodeError(() => PgFrontend.makeEncoder().bind("", "", 0, ["a", 42], 0))
      assert.strictEqual(e.parameterIndex, 1)
    })

    it("wraps a failing encoder and removes the half-written message", () => {
      const enc = PgFrontend.makeEncoder(4)
      enc.parse("", "select $1, $2")
      const before = toHex(enc.view())
      const boom = new Error("not a number")
      const failing: PgFrontend.ParamEncoder<unknown> = (_v, w: PgWriter) => {
        w.string("partial bytes")
        throw boom
      }
      const e = encodeError(() => enc.bind("", "", 1, [1, 2], 1, [int4, failing]))
      assert.strictEqual(e.parameterIndex, 1)
      assert.strictEqual(e.cause, boom)
      assert.include(e.message, "parameter 2: not a number")
      assert.strictEqual(toHex(enc.view()), before)
      // the encoder keeps working
      enc.sync()
      assert.strictEqual(toHex(enc.take()), before + hex("53 00000004"))
    })

    it("rejects NUL in portal and statement names", () => {
      encodeError(() => PgFrontend.makeEncoder().bind("a\0b", "", 0, [], 0))
      encodeError(() => PgFrontend.makeEncoder().bind("", "s\0", 0, [], 0))
    })
  })

  describe("validation", () => {
    it("rejects NUL inside strings sent as C strings", () => {
      const enc = PgFrontend.makeEncoder()
      assert.strictEqual(encodeError(() => enc.query("select 1\0; drop table x")).messageTag, "Query")
      encodeError(() => enc.parse("s\0", "select 1"))
      encodeError(() => enc.parse("", "select\0 1"))
      encodeError(() => enc.password("pa\0ss"))
      encodeError(() => enc.describe("S", "\0"))
      encodeError(() => enc.close("P", "x\0"))
      encodeError(() => enc.execute("\0"))
      encodeError(() => enc.copyFail("\0"))
      encodeError(() => enc.saslInitialResponse("SCRAM\0"))
      encodeError(() => enc.startup({ user: "a\0b" }))
      encodeError(() => enc.startup({ "us\0er": "a" }))
      assert.strictEqual(enc.length, 0)
    })

    it("rejects an empty start-up parameter name (it would end the list)", () => {
      encodeError(() => PgFrontend.makeEncoder().startup([["", "x"]]))
    })

    it("validates cancel keys, row limits, OIDs, kinds", () => {
      const enc = PgFrontend.makeEncoder()
      encodeError(() => enc.cancelRequest(1, new Uint8Array(3)))
      encodeError(() => enc.cancelRequest(1, new Uint8Array(257)))
      enc.cancelRequest(1, new Uint8Array(256))
      assert.strictEqual(enc.take().length, 12 + 256)
      encodeError(() => enc.cancelRequest(1.5, new Uint8Array(4)))
      encodeError(() => enc.execute("", -1))
      encodeError(() => enc.execute("", 2 ** 31))
      encodeError(() => enc.parse("", "", [-1]))
      encodeError(() => enc.parse("", "", [2 ** 32]))
      encodeError(() => enc.parse("", "", new Array(65536).fill(0)))
      encodeError(() => enc.describe("X" as "S", ""))
      encodeError(() => enc.functionCall(177, 0, [], 2 as 0))
      encodeError(() => enc.functionCall(177, [1, 1], ["a"]))
      assert.strictEqual(enc.length, 0)
    })

    it("rejects unknown message models", () => {
      encodeError(() => PgFrontend.encode({ _tag: "Nope" } as unknown as PgFrontend.FrontendMessage))
    })
  })

  describe("encoder", () => {
    it("coalesces messages and hands out owned copies", () => {
      const enc = PgFrontend.makeEncoder(2)
      enc.parse("", "select 1").bind("", "", 0, [], 1).execute("", 0).sync()
      const first = enc.take()
      enc.query("select 2")
      const second = enc.take()
      assert.strictEqual(
        toHex(first),
        hex("50 00000010 00 73656c656374203100 0000") + hex("42 0000000e 00 00 0000 0000 0001 0001") +
          hex("45 00000009 00 00000000") + hex("53 00000004")
      )
      assert.strictEqual(toHex(second), hex("51 0000000d 73656c656374203200"))
      assert.strictEqual(toHex(PgFrontend.makeEncoder().take()), "")
    })

    it("rolls back to a mark", () => {
      const enc = PgFrontend.makeEncoder()
      enc.sync()
      const mark = enc.mark()
      enc.parse("", "select 1").flush()
      enc.rollback(mark)
      assert.strictEqual(toHex(enc.take()), hex("53 00000004"))
      enc.flush()
      enc.reset()
      assert.strictEqual(enc.length, 0)
    })

    it("gives the writer to callers that frame their own payload", () => {
      const enc = PgFrontend.makeEncoder()
      const at = enc.writer.beginMessage(PgFrontend.FrontendType.CopyData)
      enc.writer.string("1\tx\n")
      enc.writer.endMessage(at)
      assert.strictEqual(toHex(enc.take()), hex("64 00000008 310978 0a"))
    })
  })
})
