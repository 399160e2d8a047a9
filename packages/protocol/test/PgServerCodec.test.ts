import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as Result from "effect/Result"
import type { BackendMessage } from "../src/PgBackend.ts"
import * as PgBackend from "../src/PgBackend.ts"
import type { FrontendMessage } from "../src/PgFrontend.ts"
import * as PgFrontend from "../src/PgFrontend.ts"
import * as PgServerCodec from "../src/PgServerCodec.ts"
import { backendGoldens } from "./fixtures/backendGoldens.ts"
import { frontendGoldens } from "./fixtures/frontendGoldens.ts"
import { capturedStreams, concat, fromHex, normalize, prng, randomChunks, tagOf, toHex } from "./fixtures/helpers.ts"

const authKindOf = (m: FrontendMessage): PgServerCodec.AuthResponseKind | undefined => {
  const tag = tagOf(m)
  return tag === "PasswordMessage" || tag === "SASLInitialResponse" || tag === "SASLResponse" || tag === "GSSResponse"
    ? tag
    : undefined
}

const isUntagged = (m: FrontendMessage): boolean =>
  ["StartupMessage", "SSLRequest", "GSSENCRequest", "CancelRequest"].includes(tagOf(m))

/** Decodes client bytes, pushed in the given chunks. */
const serverDecode = (
  chunks: ReadonlyArray<Uint8Array>,
  options: { readonly startup: boolean; readonly auth?: PgServerCodec.AuthResponseKind | undefined }
) => {
  const parser = PgServerCodec.makeServerParser({ skipStartup: !options.startup })
  if (options.auth !== undefined) parser.expectAuthResponse(options.auth)
  const messages: Array<FrontendMessage> = []
  let error: PgBackend.ParseError | undefined
  for (const chunk of chunks) {
    error = parser.push(chunk, (m) => {
      messages.push(m)
    })
    if (error !== undefined) break
  }
  return { messages, error, parser }
}

const serverFails = (bytes: Uint8Array, startup = false): PgBackend.ParseError => {
  const { error, parser } = serverDecode([bytes], { startup })
  assert.instanceOf(error, PgBackend.ParseError)
  assert.strictEqual(parser.push(new Uint8Array([0x53, 0, 0, 0, 4]), () => assert.fail("terminal")), error)
  return error!
}

const decodeBackend = (bytes: Uint8Array): Array<BackendMessage> => Result.getOrThrow(PgBackend.decodeAll(bytes))

// ---------------------------------------------------------------------------------------------
// arbitraries
// ---------------------------------------------------------------------------------------------

const safeString = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !s.includes("\0"))
const nonEmptySafe = safeString.filter((s) => s.length > 0)
const bytes = fc.uint8Array({ maxLength: 24 })
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff })
const i16 = fc.integer({ min: -0x8000, max: 0x7fff })
const format = fc.constantFrom<0 | 1>(0, 1)
const kind = fc.constantFrom<"S" | "P">("S", "P")
const secretKey = fc.uint8Array({ minLength: 4, maxLength: 256 })

const valuesWithFormats = fc.array(fc.option(bytes, { nil: null }), { maxLength: 6 }).chain((values) =>
  fc.tuple(
    fc.constant(values),
    fc.oneof(
      fc.constant([] as Array<0 | 1>),
      format.map((f) => [f]),
      fc.array(format, { minLength: values.length, maxLength: values.length })
    )
  )
)

const frontendMessage: fc.Arbitrary<FrontendMessage> = fc.oneof(
  fc.record({
    _tag: fc.constant("StartupMessage" as const),
    protocolVersion: fc.oneof(fc.constantFrom(196608, 196610), fc.integer({ min: 0, max: 0xffff }).map((m) => (3 << 16) | m)),
    parameters: fc.array(fc.tuple(nonEmptySafe, safeString), { maxLength: 5 })
  }),
  fc.constant({ _tag: "SSLRequest" as const }),
  fc.constant({ _tag: "GSSENCRequest" as const }),
  fc.record({ _tag: fc.constant("CancelRequest" as const), processId: i32, secretKey }),
  fc.record({ _tag: fc.constant("PasswordMessage" as const), password: safeString }),
  fc.record({
    _tag: fc.constant("SASLInitialResponse" as const),
    mechanism: safeString,
    data: fc.option(bytes, { nil: null })
  }),
  fc.record({ _tag: fc.constant("SASLResponse" as const), data: bytes }),
  fc.record({ _tag: fc.constant("GSSResponse" as const), data: bytes }),
  fc.record({ _tag: fc.constant("Query" as const), sql: safeString }),
  fc.record({
    _tag: fc.constant("Parse" as const),
    name: safeString,
    sql: safeString,
    paramTypes: fc.array(u32, { maxLength: 5 })
  }),
  fc.tuple(safeString, safeString, valuesWithFormats, fc.array(format, { maxLength: 4 })).map((
    [portal, statement, [params, paramFormats], resultFormats]
  ) => ({ _tag: "Bind" as const, portal, statement, paramFormats, params, resultFormats })),
  fc.record({ _tag: fc.constant("Describe" as const), kind, name: safeString }),
  fc.record({ _tag: fc.constant("Execute" as const), portal: safeString, maxRows: fc.integer({ min: 0, max: 0x7fffffff }) }),
  fc.record({ _tag: fc.constant("Close" as const), kind, name: safeString }),
  fc.constant({ _tag: "Sync" as const }),
  fc.constant({ _tag: "Flush" as const }),
  fc.record({ _tag: fc.constant("CopyData" as const), data: bytes }),
  fc.constant({ _tag: "CopyDone" as const }),
  fc.record({ _tag: fc.constant("CopyFail" as const), message: safeString }),
  fc.tuple(u32, valuesWithFormats, format).map(([functionOid, [args, argFormats], resultFormat]) => ({
    _tag: "FunctionCall" as const,
    functionOid,
    argFormats,
    args,
    resultFormat
  })),
  fc.constant({ _tag: "Terminate" as const })
)

const noticeFields = fc.record(
  {
    severity: safeString,
    severityNonLocalized: safeString,
    code: safeString,
    message: safeString,
    detail: safeString,
    hint: safeString,
    position: safeString,
    internalPosition: safeString,
    internalQuery: safeString,
    where: safeString,
    schema: safeString,
    table: safeString,
    column: safeString,
    dataType: safeString,
    constraint: safeString,
    file: safeString,
    line: safeString,
    routine: safeString,
    unknown: fc.array(fc.tuple(fc.constantFrom("X", "Y", "a", "b", "e", "z", "1"), safeString), { minLength: 1, maxLength: 3 })
  },
  { requiredKeys: ["severity", "code", "message"] }
)

const fieldDescription = fc.record({
  name: safeString,
  tableOid: u32,
  columnAttribute: i16,
  typeOid: u32,
  typeSize: i16,
  typeModifier: i32,
  format
})

const copyResponse = <T extends "CopyInResponse" | "CopyOutResponse" | "CopyBothResponse">(tag: T) =>
  fc.record({ _tag: fc.constant(tag), format, columnFormats: fc.array(format, { maxLength: 5 }) })

const backendMessage: fc.Arbitrary<BackendMessage> = fc.oneof(
  fc.constantFrom<BackendMessage>(
    { _tag: "AuthenticationOk" },
    { _tag: "AuthenticationKerberosV5" },
    { _tag: "AuthenticationCleartextPassword" },
    { _tag: "AuthenticationGSS" },
    { _tag: "AuthenticationSSPI" },
    { _tag: "BindComplete" },
    { _tag: "CloseComplete" },
    { _tag: "CopyDone" },
    { _tag: "EmptyQueryResponse" },
    { _tag: "NoData" },
    { _tag: "ParseComplete" },
    { _tag: "PortalSuspended" }
  ),
  fc.record({ _tag: fc.constant("AuthenticationMD5Password" as const), salt: fc.uint8Array({ minLength: 4, maxLength: 4 }) }),
  fc.record({ _tag: fc.constant("AuthenticationGSSContinue" as const), data: bytes }),
  fc.record({ _tag: fc.constant("AuthenticationSASL" as const), mechanisms: fc.array(nonEmptySafe, { maxLength: 3 }) }),
  fc.record({ _tag: fc.constant("AuthenticationSASLContinue" as const), data: bytes }),
  fc.record({ _tag: fc.constant("AuthenticationSASLFinal" as const), data: bytes }),
  fc.record({ _tag: fc.constant("BackendKeyData" as const), processId: i32, secretKey }),
  safeString.map(PgServerCodec.commandComplete),
  copyResponse("CopyInResponse"),
  copyResponse("CopyOutResponse"),
  copyResponse("CopyBothResponse"),
  fc.record({ _tag: fc.constant("CopyData" as const), data: bytes }),
  fc.array(fc.oneof(fc.constant(null), bytes, safeString), { maxLength: 8 }).map(PgServerCodec.dataRow),
  noticeFields.map((f) => ({ ...f, _tag: "ErrorResponse" as const })),
  noticeFields.map((f) => ({ ...f, _tag: "NoticeResponse" as const })),
  fc.record({ _tag: fc.constant("FunctionCallResponse" as const), result: fc.option(bytes, { nil: null }) }),
  fc.record({
    _tag: fc.constant("NegotiateProtocolVersion" as const),
    newestVersion: i32,
    unrecognizedOptions: fc.array(safeString, { maxLength: 4 })
  }),
  fc.record({ _tag: fc.constant("NotificationResponse" as const), processId: i32, channel: safeString, payload: safeString }),
  fc.record({ _tag: fc.constant("ParameterDescription" as const), typeOids: fc.array(u32, { maxLength: 6 }) }),
  fc.record({ _tag: fc.constant("ParameterStatus" as const), name: safeString, value: safeString }),
  fc.record({ _tag: fc.constant("ReadyForQuery" as const), status: fc.constantFrom<"I" | "T" | "E">("I", "T", "E") }),
  fc.record({ _tag: fc.constant("RowDescription" as const), fields: fc.array(fieldDescription, { maxLength: 4 }) })
)

// ---------------------------------------------------------------------------------------------

describe("PgServerCodec", () => {
  describe("decoding frontend messages", () => {
    for (const golden of frontendGoldens) {
      it(`golden: ${golden.name}`, () => {
        const { messages, error } = serverDecode([fromHex(golden.hex)], {
          startup: golden.untagged === true,
          auth: authKindOf(golden.message)
        })
        assert.isUndefined(error)
        assert.deepStrictEqual(messages, [golden.message])
      })
    }

    it("the start-up phase: SSLRequest, then StartupMessage, then tagged messages, any chunking", () => {
      const enc = PgFrontend.makeEncoder()
      const stream = enc.sslRequest().startup({ user: "u" }).query("select 1").sync().terminate().take()
      const expected: Array<FrontendMessage> = [
        { _tag: "SSLRequest" },
        { _tag: "StartupMessage", protocolVersion: 196608, parameters: [["user", "u"]] },
        { _tag: "Query", sql: "select 1" },
        { _tag: "Sync" },
        { _tag: "Terminate" }
      ]
      for (let split = 0; split <= stream.length; split++) {
        const { messages, error, parser } = serverDecode([stream.subarray(0, split), stream.subarray(split)], { startup: true })
        assert.isUndefined(error)
        assert.deepStrictEqual(messages, expected)
        assert.isFalse(parser.inStartup)
        assert.strictEqual(parser.pending, 0)
      }
    })

    it("stays in the start-up phase after SSLRequest, GSSENCRequest and CancelRequest", () => {
      const stream = PgFrontend.makeEncoder().gssEncRequest().cancelRequest(7, new Uint8Array(32)).take()
      const { messages, parser } = serverDecode([stream], { startup: true })
      assert.deepStrictEqual(messages.map(tagOf), ["GSSENCRequest", "CancelRequest"])
      assert.isTrue(parser.inStartup)
    })

    it("reads 'p' messages as the server expects", () => {
      const parser = PgServerCodec.makeServerParser({ skipStartup: true })
      const got: Array<FrontendMessage> = []
      const push = (b: Uint8Array) => assert.isUndefined(parser.push(b, (m) => got.push(m)))
      parser.expectAuthResponse("SASLInitialResponse")
      push(PgFrontend.makeEncoder().saslInitialResponse("SCRAM-SHA-256", new Uint8Array([1])).take())
      parser.expectAuthResponse("SASLResponse")
      push(PgFrontend.makeEncoder().saslResponse(new Uint8Array([2])).take())
      parser.expectAuthResponse("PasswordMessage")
      push(PgFrontend.makeEncoder().password("pw").take())
      parser.expectAuthResponse("GSSResponse")
      push(PgFrontend.makeEncoder().gssResponse(new Uint8Array([3])).take())
      assert.deepStrictEqual(got, [
        { _tag: "SASLInitialResponse", mechanism: "SCRAM-SHA-256", data: new Uint8Array([1]) },
        { _tag: "SASLResponse", data: new Uint8Array([2]) },
        { _tag: "PasswordMessage", password: "pw" },
        { _tag: "GSSResponse", data: new Uint8Array([3]) }
      ])
    })

    it("property: PgFrontend.encode then decode gives the model back, for any chunking", () => {
      fc.assert(
        fc.property(frontendMessage, fc.integer({ min: 1, max: 1000 }), (message, seed) => {
          const encoded = PgFrontend.encode(message)
          const { int } = prng(seed)
          const { messages, error } = serverDecode(randomChunks(encoded, int, 1 + int(16)), {
            startup: isUntagged(message),
            auth: authKindOf(message)
          })
          assert.isUndefined(error)
          assert.deepStrictEqual(messages, [message])
        }),
        { numRuns: 2000 }
      )
    })

    it("property: the encoder's Bind with value encoders decodes to the written bytes", () => {
      fc.assert(
        fc.property(fc.array(fc.option(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { nil: null }), { maxLength: 20 }), (
          values
        ) => {
          const enc = PgFrontend.makeEncoder(16)
          enc.bind("", "s", 1, values, 1, values.map(() => (v: number, w) => w.i32(v)))
          const { messages } = serverDecode([enc.take()], { startup: false })
          const bind = messages[0] as PgFrontend.Bind
          assert.deepStrictEqual(bind.paramFormats, [1])
          assert.deepStrictEqual(
            bind.params.map((p) => (p === null ? null : new DataView(p.buffer, p.byteOffset).getInt32(0))),
            values
          )
        })
      )
    })

    describe("malformed client bytes", () => {
      it("unknown type, bad lengths", () => {
        assert.include(serverFails(fromHex("78 00000004")).message, "unknown frontend message type 'x'")
        assert.include(serverFails(fromHex("51 00000003")).message, "invalid length 3")
        assert.include(serverFails(fromHex("00000007 00030000"), true).message, "start-up packet: invalid length 7")
        assert.include(serverFails(fromHex("00002711"), true).message, "invalid length 10001")
        const parser = PgServerCodec.makeServerParser({ skipStartup: true, maxMessageSize: 100 })
        assert.include(parser.push(fromHex("51 00000065"), () => {})!.message, "exceeds maxMessageSize")
      })

      it("unsupported protocol versions and malformed start-up packets", () => {
        assert.include(serverFails(fromHex("00000008 00020000"), true).message, "unsupported protocol version 2.0")
        serverFails(fromHex("0000000b 00030000 757300"), true) // no value, no terminator
        serverFails(fromHex("0000000c 00030000 7500 7600"), true) // no terminator
        serverFails(fromHex("0000000d 00030000 00 00000000"), true) // trailing bytes
        serverFails(fromHex("0000000c 04d2162f 00000000"), true) // SSLRequest with a body
        serverFails(fromHex("0000000f 04d2162e 00000001 010203"), true) // 3-byte cancel key
      })

      it("contents that disagree with the counts", () => {
        assert.include(
          serverFails(PgFrontend.encode({
            _tag: "Bind",
            portal: "",
            statement: "",
            paramFormats: [0, 1],
            params: [null, null],
            resultFormats: []
          }).map((b, i) => (i === 14 ? 3 : b))).message,
          "2 format codes for 3 parameters"
        )
        serverFails(fromHex("42 0000000e 00 00 0000 0001 00000005")) // value runs past the end
        serverFails(fromHex("42 0000000e 00 00 0000 0001 fffffffe")) // negative length
        serverFails(fromHex("42 0000000e 00 00 0001 0002 0000 0000")) // bad format code
        serverFails(fromHex("44 00000007 58 7300")) // bad kind
        serverFails(fromHex("45 0000000a 00 ffffffff 00")) // trailing
        serverFails(fromHex("45 00000009 00 ffffffff")) // negative row limit
        serverFails(fromHex("50 0000000c 00 00 0002 00000017")) // missing type
        serverFails(fromHex("53 00000005 00")) // Sync with a body
        serverFails(fromHex("51 00000007 616263")) // no terminator
      })
    })
  })

  describe("encoding backend messages", () => {
    for (const golden of backendGoldens) {
      it(`golden: ${golden.name}`, () => {
        assert.strictEqual(toHex(PgServerCodec.encodeBackend(golden.message)), toHex(fromHex(golden.hex)))
      })
    }

    it("reproduces every captured server stream byte for byte", () => {
      for (const stream of capturedStreams) {
        const reencoded = concat(decodeBackend(stream.bytes).map(PgServerCodec.encodeBackend))
        assert.strictEqual(toHex(reencoded), toHex(stream.bytes), stream.name)
      }
    })

    it("property: encode then PgBackend decode gives the model back", () => {
      fc.assert(
        fc.property(fc.array(backendMessage, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 1000 }), (
          messages,
          seed
        ) => {
          const encoder = PgServerCodec.makeBackendEncoder(8)
          for (const m of messages) encoder.encode(m)
          const bytes = encoder.take()
          const { int } = prng(seed)
          const parser = PgBackend.makeParser()
          const got: Array<unknown> = []
          for (const chunk of randomChunks(bytes, int, 1 + int(32))) {
            assert.isUndefined(parser.push(chunk, (m) => got.push(normalize(m))))
          }
          assert.deepStrictEqual(got, messages.map(normalize))
        }),
        { numRuns: 2000 }
      )
    })

    it("one-byte encryption replies", () => {
      const bytes = PgServerCodec.makeBackendEncoder().encryptionResponse("S").encryptionResponse("N").encryptionResponse("G").take()
      assert.strictEqual(toHex(bytes), "534e47")
    })

    it("builds DataRow and CommandComplete models", () => {
      const row = PgServerCodec.dataRow(["héllo", null, new Uint8Array([1, 2])])
      assert.strictEqual(
        toHex(PgServerCodec.encodeBackend(row)),
        toHex(fromHex("44 0000001a 0003 00000006 68c3a96c6c6f ffffffff 00000002 0102"))
      )
      assert.deepStrictEqual(PgServerCodec.commandComplete("INSERT 0 3"), {
        _tag: "CommandComplete",
        tag: "INSERT 0 3",
        command: "INSERT",
        rows: 3
      })
    })

    it("refuses models it cannot represent and appends nothing", () => {
      const encoder = PgServerCodec.makeBackendEncoder()
      encoder.encode({ _tag: "ParseComplete" })
      const bad: ReadonlyArray<BackendMessage> = [
        PgServerCodec.commandComplete("SELECT\0 1"),
        { _tag: "ReadyForQuery", status: "X" as "I" },
        { _tag: "BackendKeyData", processId: 1, secretKey: new Uint8Array(3) },
        { _tag: "AuthenticationMD5Password", salt: new Uint8Array(5) },
        { _tag: "AuthenticationSASL", mechanisms: [""] },
        { _tag: "ParameterStatus", name: "a", value: "b\0" },
        { _tag: "ErrorResponse", severity: "ERROR", code: "XX000", message: "m", unknown: [["XY", "v"]] },
        { _tag: "RowDescription", fields: [{ name: "a", tableOid: 0, columnAttribute: 0, typeOid: 0, typeSize: 0, typeModifier: 0, format: 2 as 0 }] },
        { _tag: "ParameterDescription", typeOids: new Array(65536).fill(0) },
        { _tag: "Nope" } as unknown as BackendMessage
      ]
      for (const m of bad) {
        assert.throws(() => encoder.encode(m), PgFrontend.EncodeError)
      }
      assert.strictEqual(toHex(encoder.take()), "3100000004")
    })
  })
})
