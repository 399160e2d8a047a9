import { assert, describe, it } from "@effect/vitest"
import * as Result from "effect/Result"
import type { BackendMessage } from "../src/PgBackend.ts"
import * as PgBackend from "../src/PgBackend.ts"
import { readFloat64, readInt32 } from "../src/internal/bytes.ts"
import { backendGoldens } from "./fixtures/backendGoldens.ts"
import { captured, concat, fromHex, tagOf, toHex } from "./fixtures/helpers.ts"
import { serverStreams } from "./fixtures/serverStreams.ts"

const te = new TextEncoder()

const decode = (bytes: Uint8Array): Array<BackendMessage> => Result.getOrThrow(PgBackend.decodeAll(bytes))

const decodeCaptured = (name: string): Array<BackendMessage> => decode(captured(name))

const only = <T extends BackendMessage["_tag"]>(
  messages: ReadonlyArray<BackendMessage>,
  tag: T
): Extract<BackendMessage, { readonly _tag: T }> => {
  const found = messages.filter((m) => tagOf(m) === tag)
  assert.strictEqual(found.length, 1, `exactly one ${tag}`)
  return found[0] as Extract<BackendMessage, { readonly _tag: T }>
}

const tags = (messages: ReadonlyArray<BackendMessage>): string => messages.map(tagOf).join(" ")

const rows = (messages: ReadonlyArray<BackendMessage>): Array<Array<string | null>> =>
  messages.filter((m): m is PgBackend.DataRow => tagOf(m) === "DataRow").map(PgBackend.dataRowText)

/** Feeds bytes and returns the error (asserting there is one) and the messages before it. */
const failing = (bytes: Uint8Array, options?: PgBackend.ParserOptions) => {
  const parser = PgBackend.makeParser(options)
  const messages: Array<BackendMessage> = []
  const error = parser.push(bytes, (m) => {
    messages.push(m)
  })
  assert.isDefined(error, "expected a ParseError")
  assert.instanceOf(error, PgBackend.ParseError)
  assert.strictEqual(error!["_tag"], "PgParseError")
  assert.strictEqual(parser.failure, error)
  return { error: error!, messages, parser }
}

const frame = (type: string, body: string): Uint8Array => {
  const b = fromHex(body)
  const out = new Uint8Array(5 + b.length)
  out[0] = type.charCodeAt(0)
  new DataView(out.buffer).setInt32(1, 4 + b.length)
  out.set(b, 5)
  return out
}

const commandOf = (name: string) => only(decodeCaptured(name), "CommandComplete")

const row = (hex: string) => decode(frame("D", hex))[0] as PgBackend.DataRow

const ssl = (hex: string) => PgBackend.decodeSslResponse(fromHex(hex))

const reply = (name: string) => fromHex(serverStreams.find((s) => s.name === name)!.hex)

describe("PgBackend", () => {
  describe("start-up (real server bytes)", () => {
    it("protocol 3.0: AuthenticationOk, ParameterStatus, 4-byte BackendKeyData, ReadyForQuery", () => {
      const messages = decodeCaptured("startup-3.0")
      assert.deepStrictEqual(messages[0], { _tag: "AuthenticationOk" })
      const statuses = new Map(
        messages.filter((m): m is PgBackend.ParameterStatus => tagOf(m) === "ParameterStatus").map((m) => [m.name, m.value])
      )
      assert.strictEqual(statuses.get("server_version"), "18.4")
      assert.strictEqual(statuses.get("client_encoding"), "UTF8")
      assert.strictEqual(statuses.get("application_name"), "pgfx-capture")
      const key = only(messages, "BackendKeyData")
      assert.isAbove(key.processId, 0)
      assert.strictEqual(key.secretKey.length, 4)
      assert.deepStrictEqual(messages[messages.length - 1], { _tag: "ReadyForQuery", status: "I" })
    })

    it("protocol 3.2: a 32-byte cancel key", () => {
      assert.strictEqual(only(decodeCaptured("startup-3.2"), "BackendKeyData").secretKey.length, 32)
    })

    it("protocol 3.3 request: NegotiateProtocolVersion names 3.2 and the unknown option", () => {
      const messages = decodeCaptured("startup-3.3-negotiate")
      assert.deepStrictEqual(messages[0], {
        _tag: "NegotiateProtocolVersion",
        newestVersion: 196610,
        unrecognizedOptions: ["_pq_.pgfx_unknown"]
      })
      assert.strictEqual(tagOf(messages[1]!), "AuthenticationOk")
    })

    it("copies the cancel key out of the chunk", () => {
      const bytes = captured("startup-3.2")
      const key = only(decode(bytes), "BackendKeyData").secretKey
      assert.notStrictEqual(key.buffer, bytes.buffer)
    })
  })

  describe("simple query (real server bytes)", () => {
    it("RowDescription, DataRow, CommandComplete", () => {
      const messages = decodeCaptured("query-mixed")
      assert.strictEqual(tags(messages), "RowDescription DataRow CommandComplete ReadyForQuery")
      const description = only(messages, "RowDescription")
      assert.deepStrictEqual(description.fields.map((f) => [f.name, f.typeOid, f.typeSize, f.typeModifier, f.format]), [
        ["a", 23, 4, -1, 0],
        ["b", 25, -1, -1, 0],
        ["c", 20, 8, -1, 0],
        ["d", 701, 8, -1, 0]
      ])
      assert.deepStrictEqual(rows(messages), [["1", "hello", null, "1.5"]])
      assert.deepStrictEqual(only(messages, "CommandComplete"), {
        _tag: "CommandComplete",
        tag: "SELECT 1",
        command: "SELECT",
        rows: 1
      })
    })

    it("reuseDataRow: one object refilled per row, read during the callback, at every split point", () => {
      const bytes = reply("query-rows")
      for (let split = 0; split <= bytes.length; split++) {
        const parser = PgBackend.makeParser({ reuseDataRow: true })
        const seen: Array<PgBackend.DataRow> = []
        const texts: Array<Array<string | null>> = []
        const onMessage = (m: BackendMessage) => {
          if (m._tag !== "DataRow") return
          seen.push(m)
          texts.push(PgBackend.dataRowText(m))
        }
        assert.isUndefined(parser.push(bytes.subarray(0, split), onMessage))
        assert.isUndefined(parser.push(bytes.subarray(split), onMessage))
        assert.deepStrictEqual(texts, [["1"], ["2"], ["3"]], `split at ${split}`)
        assert.strictEqual(new Set(seen).size, 1)
      }
      // the default still gives every row its own object
      const fresh = decodeCaptured("query-rows").filter((m) => m._tag === "DataRow")
      assert.strictEqual(new Set(fresh).size, 3)
    })

    it("several rows, UTF-8, two statements, a large row", () => {
      assert.deepStrictEqual(rows(decodeCaptured("query-rows")), [["1"], ["2"], ["3"]])
      assert.deepStrictEqual(rows(decodeCaptured("query-unicode")), [["héllo wörld ✓ 😀"]])
      const two = decodeCaptured("query-two-statements")
      assert.strictEqual(tags(two), "RowDescription DataRow CommandComplete RowDescription DataRow CommandComplete ReadyForQuery")
      assert.deepStrictEqual(rows(two), [["1"], ["2", "3"]])
      assert.deepStrictEqual(rows(decodeCaptured("large-row")), [["x".repeat(3000), "42"]])
    })

    it("EmptyQueryResponse", () => {
      assert.deepStrictEqual(decodeCaptured("query-empty"), [
        { _tag: "EmptyQueryResponse" },
        { _tag: "ReadyForQuery", status: "I" }
      ])
    })

    it("command tags with and without counts", () => {
      assert.deepStrictEqual(commandOf("insert-5"), { _tag: "CommandComplete", tag: "INSERT 0 5", command: "INSERT", rows: 5 })
      assert.deepStrictEqual(commandOf("update-2"), { _tag: "CommandComplete", tag: "UPDATE 2", command: "UPDATE", rows: 2 })
      assert.deepStrictEqual(commandOf("delete-1"), { _tag: "CommandComplete", tag: "DELETE 1", command: "DELETE", rows: 1 })
      assert.deepStrictEqual(commandOf("create-table"), {
        _tag: "CommandComplete",
        tag: "CREATE TABLE",
        command: "CREATE TABLE",
        rows: null
      })
    })

    it("transaction status in ReadyForQuery", () => {
      assert.deepStrictEqual(decodeCaptured("begin")[1], { _tag: "ReadyForQuery", status: "T" })
      assert.deepStrictEqual(decodeCaptured("error-in-transaction")[1], { _tag: "ReadyForQuery", status: "E" })
      assert.deepStrictEqual(decodeCaptured("rollback")[1], { _tag: "ReadyForQuery", status: "I" })
    })

    it("NotificationResponse after the commands", () => {
      const messages = decodeCaptured("listen-notify")
      assert.strictEqual(tags(messages), "CommandComplete CommandComplete NotificationResponse ReadyForQuery")
      const n = only(messages, "NotificationResponse")
      assert.strictEqual(n.channel, "pgfx")
      assert.strictEqual(n.payload, "the payload")
      assert.isAbove(n.processId, 0)
    })
  })

  describe("ErrorResponse and NoticeResponse (real server bytes)", () => {
    it("division by zero: S V C M F L R", () => {
      const e = only(decodeCaptured("error-division"), "ErrorResponse")
      assert.strictEqual(e.severity, "ERROR")
      assert.strictEqual(e.severityNonLocalized, "ERROR")
      assert.strictEqual(e.code, "22012")
      assert.strictEqual(e.message, "division by zero")
      assert.isString(e.file)
      assert.match(e.line!, /^\d+$/)
      assert.isString(e.routine)
      assert.isUndefined(e.detail)
      assert.notProperty(e, "detail")
      assert.notProperty(e, "unknown")
    })

    it("position", () => {
      const e = only(decodeCaptured("error-position"), "ErrorResponse")
      assert.strictEqual(e.code, "42703")
      assert.strictEqual(e.position, "8")
    })

    it("unique violation: detail, schema, table, constraint", () => {
      const e = only(decodeCaptured("error-unique"), "ErrorResponse")
      assert.strictEqual(e.code, "23505")
      assert.strictEqual(e.detail, "Key (id)=(1) already exists.")
      assert.match(e.schema!, /^pg_temp_/)
      assert.strictEqual(e.table, "t")
      assert.strictEqual(e.constraint, "t_pkey")
    })

    it("not-null violation: column", () => {
      const e = only(decodeCaptured("error-not-null"), "ErrorResponse")
      assert.strictEqual(e.code, "23502")
      assert.strictEqual(e.column, "v")
      assert.strictEqual(e.table, "t")
    })

    it("domain check: data type", () => {
      const messages = decodeCaptured("error-domain")
      const e = only(messages, "ErrorResponse")
      assert.strictEqual(e.code, "23514")
      assert.strictEqual(e.dataType, "posint")
      assert.strictEqual(e.constraint, "posint_check")
    })

    it("internal query and position, context", () => {
      const e = only(decodeCaptured("error-internal-query"), "ErrorResponse")
      assert.strictEqual(e.internalQuery, "select nosuch")
      assert.strictEqual(e.internalPosition, "8")
      assert.include(e.where!, "PL/pgSQL")
    })

    it("notice with detail, hint and context", () => {
      const messages = decodeCaptured("notice")
      assert.strictEqual(tags(messages), "NoticeResponse CommandComplete ReadyForQuery")
      const n = only(messages, "NoticeResponse")
      assert.strictEqual(n.severity, "NOTICE")
      assert.strictEqual(n.code, "00000")
      assert.strictEqual(n.message, "hi")
      assert.strictEqual(n.detail, "d")
      assert.strictEqual(n.hint, "h")
    })

    it("CopyFail error", () => {
      const e = only(decodeCaptured("copy-in-fail"), "ErrorResponse")
      assert.strictEqual(e.code, "57014")
      assert.include(e.message, "client gave up")
    })
  })

  describe("COPY (real server bytes)", () => {
    it("COPY TO STDOUT text", () => {
      const messages = decodeCaptured("copy-out-text")
      assert.strictEqual(tags(messages), "CopyOutResponse CopyData CopyData CopyData CopyDone CommandComplete ReadyForQuery")
      assert.deepStrictEqual(messages[0], { _tag: "CopyOutResponse", format: 0, columnFormats: [0, 0] })
      const data = messages.filter((m): m is PgBackend.CopyData => tagOf(m) === "CopyData").map((m) => new TextDecoder().decode(m.data))
      assert.deepStrictEqual(data, ["1\tx1\n", "2\tx2\n", "3\tx3\n"])
    })

    it("COPY TO STDOUT binary", () => {
      const messages = decodeCaptured("copy-out-binary")
      assert.deepStrictEqual(messages[0], { _tag: "CopyOutResponse", format: 1, columnFormats: [1, 1] })
      const first = (messages[1] as PgBackend.CopyData).data
      assert.strictEqual(toHex(first.subarray(0, 11)), "5047434f50590aff0d0a00") // PGCOPY\n\377\r\n\0
    })

    it("COPY FROM STDIN", () => {
      assert.deepStrictEqual(decodeCaptured("copy-in-start"), [{ _tag: "CopyInResponse", format: 0, columnFormats: [0, 0] }])
      assert.strictEqual(only(decodeCaptured("copy-in-finish"), "CommandComplete").rows, 2)
    })

    it("CopyBothResponse for START_REPLICATION", () => {
      assert.deepStrictEqual(decodeCaptured("start-replication"), [{ _tag: "CopyBothResponse", format: 0, columnFormats: [] }])
    })
  })

  describe("extended query (real server bytes)", () => {
    it("Parse/Describe/Bind/Execute with binary results", () => {
      const messages = decodeCaptured("extended-binary")
      assert.strictEqual(
        tags(messages),
        "ParseComplete ParameterDescription RowDescription BindComplete DataRow CommandComplete ReadyForQuery"
      )
      assert.deepStrictEqual(only(messages, "ParameterDescription").typeOids, [23, 25, 20])
      assert.deepStrictEqual(only(messages, "RowDescription").fields.map((f) => f.format), [0, 0, 0])
      const row = only(messages, "DataRow")
      assert.strictEqual(row.fieldCount, 3)
      const out = new Int32Array(6)
      PgBackend.dataRowFields(row, out)
      assert.strictEqual(out[1], 4)
      assert.strictEqual(readInt32(row.bytes, out[0]!), 42)
      assert.strictEqual(new TextDecoder().decode(row.bytes.subarray(out[2]!, out[2]! + out[3]!)), "hi")
      assert.strictEqual(out[5], -1)
    })

    it("PortalSuspended after a row limit", () => {
      const messages = decodeCaptured("extended-suspended")
      assert.strictEqual(
        tags(messages),
        "ParseComplete BindComplete RowDescription DataRow DataRow PortalSuspended DataRow DataRow DataRow CommandComplete ReadyForQuery"
      )
      assert.strictEqual(only(messages, "RowDescription").fields[0]!.format, 0)
    })

    it("NoData, CloseComplete, errors, Flush", () => {
      assert.strictEqual(
        tags(decodeCaptured("extended-nodata")),
        "ParseComplete ParameterDescription NoData BindComplete CommandComplete ReadyForQuery"
      )
      assert.strictEqual(tags(decodeCaptured("close-statement")), "CloseComplete CloseComplete ReadyForQuery")
      assert.strictEqual(only(decodeCaptured("extended-syntax-error"), "ErrorResponse").code, "42601")
      assert.deepStrictEqual(decodeCaptured("extended-flush"), [{ _tag: "ParseComplete" }])
    })

    it("FunctionCallResponse", () => {
      const value = only(decodeCaptured("function-call"), "FunctionCallResponse").result!
      assert.strictEqual(readInt32(value, 0), 3)
      assert.strictEqual(only(decodeCaptured("function-call-null"), "FunctionCallResponse").result, null)
    })
  })

  describe("hand-written goldens", () => {
    for (const golden of backendGoldens) {
      it(golden.name, () => {
        assert.deepStrictEqual(decode(fromHex(golden.hex)), [golden.message])
      })
    }
  })

  describe("DataRow", () => {
    it("is a view of the chunk, walked without allocation", () => {
      const bytes = concat([frame("D", "0003 00000004 0000002a ffffffff 00000008 3ff8000000000000"), frame("Z", "49")])
      const messages = decode(bytes)
      const r = messages[0] as PgBackend.DataRow
      assert.strictEqual(r.bytes, bytes)
      assert.strictEqual(r.start, 7)
      assert.strictEqual(r.end, 5 + 2 + 8 + 4 + 12)
      let pos = r.start
      const values: Array<number | null> = []
      for (let i = 0; i < r.fieldCount; i++) {
        const length = PgBackend.readFieldLength(r.bytes, pos)
        pos += 4
        if (length < 0) {
          values.push(null)
        } else {
          values.push(length === 4 ? readInt32(r.bytes, pos) : readFloat64(r.bytes, pos))
          pos += length
        }
      }
      assert.deepStrictEqual(values, [42, null, 1.5])
      assert.strictEqual(pos, r.end)
    })

    it("field helpers", () => {
      const r = row("0004 00000000 ffffffff 00000002 6869 00000001 00")
      assert.deepStrictEqual(PgBackend.dataRowText(r), ["", null, "hi", "\0"])
      assert.deepStrictEqual(PgBackend.dataRowValues(r).map((v) => (v === null ? null : toHex(v))), ["", null, "6869", "00"])
      const out: Array<number> = []
      PgBackend.dataRowFields(r, out)
      assert.deepStrictEqual(out, [11, 0, 15, -1, 19, 2, 25, 1])
    })

    it("zero columns", () => {
      assert.strictEqual(row("0000").fieldCount, 0)
    })

    it("a row that spans chunks lives in its own buffer", () => {
      const bytes = frame("D", "0001 00000003 616263")
      const parser = PgBackend.makeParser()
      const got: Array<BackendMessage> = []
      assert.isUndefined(parser.push(bytes.subarray(0, 8), (m) => got.push(m)))
      assert.strictEqual(parser.pending, 8)
      const tail = bytes.slice(8)
      assert.isUndefined(parser.push(tail, (m) => got.push(m)))
      assert.strictEqual(parser.pending, 0)
      const r = got[0] as PgBackend.DataRow
      assert.notStrictEqual(r.bytes.buffer, tail.buffer)
      tail.fill(0)
      assert.deepStrictEqual(PgBackend.dataRowText(r), ["abc"])
    })
  })

  describe("parseCommandTag", () => {
    const cases: ReadonlyArray<readonly [string, string, number | null]> = [
      ["SELECT 0", "SELECT", 0],
      ["INSERT 0 1", "INSERT", 1],
      ["MERGE 12", "MERGE", 12],
      ["COPY 1000000", "COPY", 1000000],
      ["FETCH 5", "FETCH", 5],
      ["MOVE 3", "MOVE", 3],
      ["CREATE TABLE", "CREATE TABLE", null],
      ["BEGIN", "BEGIN", null],
      ["", "", null],
      ["SELECT 9007199254740993", "SELECT", 9007199254740992]
    ]
    for (const [tag, command, count] of cases) {
      it(JSON.stringify(tag), () => {
        assert.deepStrictEqual(PgBackend.parseCommandTag(tag), { command, rows: count })
      })
    }
  })

  describe("decodeSslResponse / decodeGssEncResponse", () => {
    it("accepted, rejected, error", () => {
      assert.deepStrictEqual(ssl("53"), Result.succeed("accepted"))
      assert.deepStrictEqual(ssl("4e"), Result.succeed("rejected"))
      assert.deepStrictEqual(ssl("45 0000000a 53464154414c0000"), Result.succeed("error"))
      assert.deepStrictEqual(PgBackend.decodeGssEncResponse(fromHex("47")), Result.succeed("accepted"))
      assert.deepStrictEqual(PgBackend.decodeGssEncResponse(fromHex("4e")), Result.succeed("rejected"))
    })

    it("the real server's replies", () => {
      assert.deepStrictEqual(PgBackend.decodeSslResponse(reply("ssl-request")), Result.succeed("rejected"))
      assert.deepStrictEqual(PgBackend.decodeGssEncResponse(reply("gssenc-request")), Result.succeed("rejected"))
    })

    it("refuses bytes after the reply, other bytes and nothing", () => {
      for (const bad of ["53 52", "4e 00", "47", "00", ""]) {
        const result = ssl(bad)
        assert.isTrue(Result.isFailure(result), bad)
      }
      assert.isTrue(Result.isFailure(PgBackend.decodeGssEncResponse(fromHex("53"))))
    })

    it("after 'E' the ErrorResponse is read with a parser", () => {
      const bytes = frame("E", "53 464154414c00 43 3038503031 00 4d 6e6f00 00")
      assert.deepStrictEqual(ssl(toHex(bytes)), Result.succeed("error"))
      const e = decode(bytes)[0] as PgBackend.ErrorResponse
      assert.strictEqual(e.severity, "FATAL")
      assert.strictEqual(e.code, "08P01")
    })
  })

  describe("malformed input", () => {
    it("unknown type byte", () => {
      const { error, messages } = failing(concat([frame("Z", "49"), frame("x", "")]))
      assert.strictEqual(messages.length, 1)
      assert.strictEqual(error.messageType, 0x78)
      assert.include(error.message, "unknown message type 'x'")
    })

    it("length below 4", () => {
      const { error } = failing(fromHex("5a 00000003 49"))
      assert.strictEqual(error.messageType, 0x5a)
      assert.include(error.message, "invalid length 3")
      failing(fromHex("5a ffffffff"))
    })

    it("length above maxMessageSize fails as soon as the header is in", () => {
      const { error } = failing(fromHex("44 00010000"), { maxMessageSize: 1024 })
      assert.include(error.message, "exceeds maxMessageSize 1024")
      const parser = PgBackend.makeParser({ maxMessageSize: 1024 })
      assert.isUndefined(parser.push(fromHex("44 0000"), () => {}))
      assert.isDefined(parser.push(fromHex("0401"), () => {}))
      assert.strictEqual(PgBackend.makeParser().maxMessageSize, PgBackend.defaultMaxMessageSize)
      assert.strictEqual(PgBackend.makeParser({ maxMessageSize: 1 }).maxMessageSize, PgBackend.defaultMaxMessageSize)
    })

    it("a field running past its message", () => {
      const { error } = failing(concat([frame("D", "0001 00000005 6869"), frame("Z", "49")]))
      assert.strictEqual(error.messageType, 0x44)
      assert.include(error.message, "runs past the end")
    })

    it("a field count that disagrees with the bytes", () => {
      assert.include(failing(frame("D", "0002 00000001 61")).error.message, "truncated length of field 1")
      assert.include(failing(frame("D", "0001 00000001 61 62")).error.message, "left over")
      assert.include(failing(frame("D", "00")).error.message, "truncated field count")
      assert.include(failing(frame("D", "0001 fffffffe")).error.message, "negative length")
      failing(frame("T", "0002 6100 00000000 0000 00000017 0004 ffffffff 0000"))
      failing(frame("t", "0002 00000017"))
      failing(frame("G", "00 0002 0000"))
      failing(frame("v", "00030000 00000002 6100"))
      failing(frame("v", "00030000 ffffffff"))
    })

    it("a missing NUL terminator", () => {
      const { error } = failing(frame("C", "53454c45435420 31"))
      assert.strictEqual(error.messageType, 0x43)
      assert.include(error.message, "no NUL terminator")
      failing(frame("S", "6100 62"))
      failing(frame("E", "53 4552524f52"))
      failing(frame("E", "53 4552524f5200")) // no final terminator
      failing(frame("T", "0001 61"))
      failing(frame("R", "0000000a 534352414d00")) // SASL list not terminated
    })

    it("trailing bytes after a complete body", () => {
      failing(frame("1", "00"))
      failing(frame("Z", "4900"))
      failing(frame("C", "4f4b00 00"))
      failing(frame("R", "00000000 00"))
      failing(frame("S", "6100 6200 00"))
    })

    it("values outside their domain", () => {
      assert.include(failing(frame("Z", "58")).error.message, "unknown transaction status")
      assert.include(failing(frame("R", "00000006")).error.message, "unknown authentication code 6")
      failing(frame("R", "00000005 010203"))
      failing(frame("K", "00000001 010203"))
      failing(frame("K", "00000001" + "00".repeat(257)))
      failing(frame("T", "0001 6100 00000000 0000 00000017 0004 ffffffff 0002"))
      failing(frame("H", "02 0000"))
      failing(frame("H", "00 0001 0005"))
      failing(frame("V", "fffffffe"))
      failing(frame("V", "00000005 00"))
    })

    it("is terminal after an error", () => {
      const { error, parser } = failing(frame("x", ""))
      let called = false
      assert.strictEqual(parser.push(frame("Z", "49"), () => (called = true)), error)
      assert.isFalse(called)
    })

    it("a throwing callback propagates and makes the parser terminal", () => {
      const parser = PgBackend.makeParser()
      const boom = new Error("consumer bug")
      assert.throws(() => parser.push(frame("Z", "49"), () => {
        throw boom
      }), "consumer bug")
      assert.isDefined(parser.failure)
      assert.include(parser.failure!.message, "callback threw")
      assert.strictEqual(parser.push(frame("Z", "49"), () => {}), parser.failure)
    })

    it("decodeAll reports an incomplete tail", () => {
      const result = PgBackend.decodeAll(fromHex("5a 00000005"))
      assert.isTrue(Result.isFailure(result))
    })
  })

  it("exports the message type table", () => {
    for (const [name, char] of Object.entries({ DataRow: "D", ReadyForQuery: "Z", ParseComplete: "1", NoData: "n" })) {
      assert.strictEqual(PgBackend.BackendType[name as keyof typeof PgBackend.BackendType], char.charCodeAt(0))
    }
    assert.deepStrictEqual(decode(te.encode("n\0\0\0\x04")), [{ _tag: "NoData" }])
  })
})
