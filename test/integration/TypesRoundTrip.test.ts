/**
 * The type codecs proved against the real server, across packages (protocol codecs driven through
 * a real `PgConnection`).
 *
 * For every case of `typeCases.ts` (every built-in type with a codec, a few edge values each):
 * 1. two-way (rust-postgres style): the literal decodes to the expected JS value from the binary
 *    result and from the text result (simple protocol); the JS value sent as a binary parameter
 *    of a prepared statement (codec chosen from the server's ParameterDescription) comes back
 *    unchanged, and the server prints it exactly as it prints the literal;
 * 2. byte equality: `encodeBinary(value)` equals the server's `<typsend>(literal)`;
 * 3. text parameters: `encodeText(value)` sent as a text parameter of the type's OID (unnamed
 *    statement) round trips and prints as the literal does;
 * 4. a seeded property sweep (fast-check, 200 runs each) for int4, int8, float8, numeric, text,
 *    bytea, timestamptz, interval, uuid, jsonb, int4[] and text[] (and a dozen more types):
 *    binary parameter → binary result is the identity, and the server's text output of the
 *    parameter is our `encodeText`.
 *
 * Also:
 * - the session settings that change text output (TimeZone with odd offsets, bytea_output,
 *   IntervalStyle, DateStyle): the text decoders and encoders under each;
 * - input-syntax agreement for the string-valued types whose binary encoders parse text (inet,
 *   cidr, macaddr, macaddr8, varbit, tsvector, tsquery, uuid, numeric, pg_lsn): for generated
 *   inputs, valid and not, `encodeBinary` accepts exactly what the server's input function
 *   accepts, means the same value, and writes the bytes the server would send;
 * - the agreement of `PgTypes.builtins` with `PgOid.builtinTypes` (every type the server can
 *   send in binary has a binary codec, except the listed text fallbacks) and a coverage check
 *   (every built-in type with a binary codec has a case here).
 *
 * Text output is taken with `format('%s', …)` (the type's output function), never `::text`.
 *
 * A case whose check fails because of a codec bug carries the diagnosis in `bug` (with a
 * `// BUG:` comment) and that check is skipped, so the suite stays green while the bug is open.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import fc from "fast-check"
import * as PgCodec from "@pgfx/protocol/PgCodec"
import { PgDate, PgInterval, PgTime, PgTimestamp, PgTimeTz } from "@pgfx/protocol/PgDateTime"
import * as G from "@pgfx/protocol/PgGeometry"
import { builtinTypes } from "@pgfx/protocol/PgOid"
import * as PgRange from "@pgfx/protocol/PgRange"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import { PgWriter } from "@pgfx/protocol/PgWriter"
import * as PgConnection from "../../packages/connection/src/PgConnection.ts"
import { pgServer } from "../src/PgTestServer.ts"
import { type Check, checks, cases, ServerText, textFallbacks, type TypeCase } from "./typeCases.ts"

const server = pgServer()
/** The server's major version (18 when unknown, as for the embedded default). */
const major = server.version?.major ?? 18
const tooOld = (c: TypeCase): boolean => c.minVersion !== undefined && major < c.minVersion

/** Types of the property sweep (resolved with the case types). */
const sweepTypes = [
  "int4", "int8", "float8", "numeric", "text", "bytea", "timestamptz", "interval", "uuid", "jsonb", "int4[]", "text[]",
  "int2", "float4", "date", "time", "timetz", "timestamp", "money", "point", "int8range", "tstzrange", "int4multirange",
  "inet", "cidr", "macaddr", "macaddr8", "varbit", "tsvector", "tsquery", "pg_lsn"
]

interface TypeInfo {
  readonly oid: number
  /** `pg_type.typsend` of the type. */
  readonly send: string
  /** The send function's argument type when it is another concrete type (`textsend` of refcursor). */
  readonly sendArg: string | null
}

class Db extends Context.Service<Db, {
  readonly conn: PgConnection.PgConnection
  /** Every type name of the cases and the sweep, resolved by the server. */
  readonly types: ReadonlyMap<string, TypeInfo>
  /** The server's text of each case's `exact ?? sql`, filled on first use. */
  readonly canonical: Map<TypeCase, string>
}>()("TypesRoundTrip/Db") {}

const DbLive = Layer.effect(
  Db,
  Effect.gen(function*() {
    const conn = yield* PgConnection.make(server.connectionString(), { preparedCacheSize: 2048 })
    const names = Array.from(new Set([...cases.map((c) => c.type), ...sweepTypes]))
    const result = yield* conn.execute<{ t: string; oid: number; send: string; arg: string | null }>(
      `select t, p.oid, p.typsend::text as send,
              case when a.typtype <> 'p' and a.oid <> p.oid then format_type(a.oid, null) end as arg
         from unnest($1::text[]) as t
         join pg_type p on p.oid = to_regtype(t)
         join pg_proc f on f.oid = p.typsend
         join pg_type a on a.oid = f.proargtypes[0]`,
      [names]
    )
    const types = new Map<string, TypeInfo>()
    for (const row of result.rows) types.set(row.t, { oid: row.oid, send: row.send, sendArg: row.arg })
    for (const name of names) if (!types.has(name)) throw new Error(`the server does not know the type ${name}`)
    return { conn, types, canonical: new Map() }
  })
)

// -------------------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------------------

/**
 * The server's text output of an expression: its type's output function (`format('%s', …)`),
 * not a `::text` cast, which differs for some types (inet and cidr always print the prefix,
 * bool prints `true`, bpchar drops the padding).
 */
const output = (sql: string): string => `format('%s', ${sql})`
const cast = (c: TypeCase): string => `(${c.sql})::${c.type}`
const exactCast = (c: TypeCase): string => `(${c.exact ?? c.sql})::${c.type}`
const inputOf = (c: TypeCase): unknown => ("input" in c ? c.input : c.value)

const codecOf = (oid: number): PgCodec.Codec => {
  const codec = PgTypes.get(PgTypes.builtins, oid)
  if (codec === undefined) throw new Error(`no codec for OID ${oid}`)
  return codec
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")

const encodeBinary = (codec: PgCodec.Codec, value: unknown): Uint8Array => {
  if (codec.encodeBinary === undefined) throw new Error(`${codec.name} has no binary encoder`)
  const writer = new PgWriter(64)
  codec.encodeBinary(value, writer)
  return writer.take()
}

/** Byte equality with a short message: lengths, then the first differing offset and hex around it. */
const assertSameBytes = (ours: Uint8Array, server: Uint8Array, what: string): void => {
  if (ours.length === server.length && Buffer.from(ours).equals(Buffer.from(server))) return
  if (ours.length + server.length <= 512) {
    assert.strictEqual(toHex(ours), toHex(server), `${what}: ours (left) vs the server's (right)`)
  }
  let i = 0
  while (i < ours.length && i < server.length && ours[i] === server[i]) i++
  const around = (b: Uint8Array) => toHex(b.subarray(Math.max(0, i - 8), i + 24))
  assert.fail(
    `${what}: ${ours.length} bytes (ours) vs ${server.length} (server), first difference at ${i}: ` +
      `ours …${around(ours)}… server …${around(server)}…`
  )
}

/** The value of column `v` of the first row. */
const firstValue = (rows: ReadonlyArray<Record<string, unknown>>): unknown => {
  assert.strictEqual(rows.length, 1)
  return rows[0]!.v
}

const describeValue = (v: unknown): string => {
  if (typeof v === "string") return v.length > 80 ? JSON.stringify(v.slice(0, 80)) + "…" : JSON.stringify(v)
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`
  if (typeof v === "bigint") return `${v}n`
  return String(v)
}

/** Deep equality (NaN equals NaN, -0 differs from 0, bigint, Uint8Array and class instances). */
const assertSameValue = (actual: unknown, expected: unknown, what: string): void => {
  if (actual instanceof Uint8Array && expected instanceof Uint8Array) {
    assertSameBytes(actual, expected, what)
    return
  }
  assert.deepStrictEqual(actual, expected, `${what}: got ${describeValue(actual)}`)
}

/** The server's text of the case's exact value, cached per case. */
const canonicalText = (c: TypeCase) =>
  Effect.gen(function*() {
    const { canonical, conn } = yield* Db
    const cached = canonical.get(c)
    if (cached !== undefined) return cached
    const text = firstValue((yield* conn.execute(`select ${output(exactCast(c))} as v`)).rows) as string
    canonical.set(c, text)
    return text
  })

const expectedValue = (c: TypeCase) =>
  c.value === ServerText ? canonicalText(c) : Effect.succeed(c.value)

// -------------------------------------------------------------------------------------------------
// the checks
// -------------------------------------------------------------------------------------------------

const runCheck: Record<Check, (c: TypeCase) => Effect.Effect<void, unknown, Db>> = {
  binaryResult: (c) =>
    Effect.gen(function*() {
      const { conn } = yield* Db
      const result = yield* conn.execute(`select ${cast(c)} as v`)
      assert.strictEqual(result.fields[0]!.format, 1, "the column must be asked for in binary")
      assertSameValue(firstValue(result.rows), yield* expectedValue(c), `${c.type} from binary`)
    }),

  textResult: (c) =>
    Effect.gen(function*() {
      const { conn } = yield* Db
      const [result] = yield* conn.simple(`select ${cast(c)} as v`)
      assert.strictEqual(result!.fields[0]!.format, 0)
      const expected = "textValue" in c ? c.textValue : yield* expectedValue(c)
      assertSameValue(firstValue(result!.rows), expected, `${c.type} from text`)
    }),

  binaryParam: (c) =>
    Effect.gen(function*() {
      const { conn, types } = yield* Db
      const oid = types.get(c.type)!.oid
      const sql = `select $1::${c.type} as v`
      const statement = yield* conn.prepare(sql)
      assert.deepStrictEqual(statement.paramTypes, [oid], "ParameterDescription")
      assert.isDefined(codecOf(oid).encodeBinary, "the parameter must be sent in binary")
      const result = yield* conn.execute(sql, [inputOf(c)])
      assertSameValue(firstValue(result.rows), yield* expectedValue(c), `${c.type} through a binary parameter`)
    }),

  binaryParamText: (c) =>
    Effect.gen(function*() {
      const { conn } = yield* Db
      const result = yield* conn.execute(`select ${output(`$1::${c.type}`)} as v`, [inputOf(c)])
      assert.strictEqual(firstValue(result.rows), yield* canonicalText(c), `the server's text of our binary ${c.type}`)
    }),

  sendBytes: (c) =>
    Effect.gen(function*() {
      const { conn, types } = yield* Db
      const info = types.get(c.type)!
      const ours = encodeBinary(codecOf(info.oid), inputOf(c))
      const arg = info.sendArg === null ? exactCast(c) : `${exactCast(c)}::${info.sendArg}`
      const theirs = firstValue((yield* conn.execute(`select ${info.send}(${arg}) as v`)).rows)
      assert.instanceOf(theirs, Uint8Array)
      assertSameBytes(ours, theirs as Uint8Array, `encodeBinary vs ${info.send}`)
    }),

  textParam: (c) =>
    Effect.gen(function*() {
      const { conn, types } = yield* Db
      const oid = types.get(c.type)!.oid
      const sent = codecOf(oid).encodeText(inputOf(c))
      assert.isString(sent)
      const result = yield* conn.execute(`select $1 as v, ${output("$1")} as t`, [inputOf(c)], {
        mode: "unnamed",
        paramTypes: [oid]
      })
      const row = result.rows[0]!
      assertSameValue(row.v, yield* expectedValue(c), `${c.type} through the text parameter ${describeValue(sent)}`)
      assert.strictEqual(row.t, yield* canonicalText(c), `the server's text of our text parameter ${describeValue(sent)}`)
    })
}

// -------------------------------------------------------------------------------------------------
// session settings
// -------------------------------------------------------------------------------------------------

/**
 * Settings a user may change that alter the server's text output (the connection starts with
 * DateStyle=ISO, IntervalStyle=postgres; TimeZone is the server's). The text codecs must read
 * what the server prints under each, and the text encoders must mean the same value.
 */
const sessions: ReadonlyArray<{
  readonly set: string
  readonly types: ReadonlyArray<string>
  /** A documented limitation of the text decoders: the test is registered as skipped. */
  readonly limitation?: string | undefined
}> = [
  // +05:45 now; LMT +05:41:16 (an offset with seconds) before 1920, also for BC dates.
  { set: "set timezone = 'Asia/Kathmandu'", types: ["timestamptz", "timestamptz[]", "tstzrange", "tstzmultirange", "timestamp", "date", "timetz"] },
  // A negative offset with minutes (-02:30 in summer, -03:30 in winter).
  { set: "set timezone = 'America/St_Johns'", types: ["timestamptz", "timestamptz[]", "tstzrange", "tstzmultirange"] },
  { set: "set bytea_output = 'escape'", types: ["bytea", "bytea[]"] },
  { set: "set intervalstyle = 'iso_8601'", types: ["interval", "interval[]"] },
  // Input field order: the text encoders write ISO dates (year first), read alike under DMY.
  { set: "set datestyle = 'ISO, DMY'", types: ["date", "timestamp", "timestamptz", "daterange", "tsrange"] },
  // Output styles the text decoders do not read (internal/types/interval.ts and PgDateTime say
  // so); the connection starts every session with IntervalStyle=postgres and DateStyle=ISO.
  {
    set: "set intervalstyle = 'sql_standard'",
    types: ["interval"],
    limitation: "interval text is read in the postgres and iso_8601 styles only (`+1-2 -3 +4:05:06.5` is not)"
  },
  {
    set: "set intervalstyle = 'postgres_verbose'",
    types: ["interval"],
    limitation: "interval text is read in the postgres and iso_8601 styles only (`@ 1 hour ago` is not)"
  },
  {
    set: "set datestyle = 'SQL, DMY'",
    types: ["date", "timestamptz"],
    limitation: "date/time text is read in the ISO DateStyle only (`02/01/2024 03:04:05 UTC` is not)"
  }
]
const sessionChecks: ReadonlyArray<Check> = ["textResult", "binaryParamText", "textParam"]

// -------------------------------------------------------------------------------------------------
// property sweep
// -------------------------------------------------------------------------------------------------

const RUNS = 200
const SEED = 20_261_121

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
/** 4714-11-24 00:00:00 BC and 294276-12-31 23:59:59.999999, in µs since 1970. */
const TS_MIN_MICROS = -210_866_803_200_000_000n
const TS_MAX_MICROS = 9_224_318_015_999_999_999n

/** Strings PostgreSQL can hold (no NUL), any code point, with the characters quoting cares about. */
const pgString = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom("\"", "\\", "{", "}", ",", " ", "\t", "\n", "'", "(", ")", "N", "U", "L", "a") },
      { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((s) => s !== "\0") }
    ),
    maxLength
  })

const digitString = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), minLength, maxLength })

/** Canonical numeric text, as `numeric_out` prints it. */
const numericArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("NaN", "Infinity", "-Infinity", "0", "0.000") },
  {
    weight: 8,
    arbitrary: fc.tuple(fc.boolean(), digitString(0, 40), fc.option(digitString(1, 40), { nil: undefined })).map(
      ([negative, whole, fraction]) => {
        const w = whole.replace(/^0+/, "") || "0"
        const text = fraction === undefined ? w : `${w}.${fraction}`
        return negative && /[1-9]/.test(text) ? "-" + text : text
      }
    )
  },
  {
    weight: 1,
    arbitrary: fc.tuple(digitString(1, 1), digitString(0, 1200), fc.integer({ min: 0, max: 1200 })).map(([d, rest, scale]) =>
      scale === 0 ? `${d === "0" ? "1" : d}${rest}` : `0.${"0".repeat(scale)}${d === "0" ? "1" : d}${rest}`
    )
  }
)

const timestamptzArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(PgTimestamp.infinity, PgTimestamp.negativeInfinity, PgTimestamp.min, PgTimestamp.max) },
  {
    weight: 9,
    arbitrary: fc.bigInt({ min: TS_MIN_MICROS, max: TS_MAX_MICROS }).map((us) => PgTimestamp.fromEpochMicroseconds(us))
  },
  {
    weight: 5,
    arbitrary: fc.bigInt({ min: -3_000_000_000_000_000n, max: 3_000_000_000_000_000n }).map((us) =>
      PgTimestamp.fromEpochMicroseconds(us)
    )
  }
)

const int32 = fc.integer({ min: -2147483648, max: 2147483647 })
const intervalArb = fc.oneof(
  {
    weight: 1,
    // Interval infinities exist from PostgreSQL 17 (before, the sentinels are finite values).
    arbitrary: major >= 17 ? fc.constantFrom(PgInterval.infinity, PgInterval.negativeInfinity, PgInterval.zero) : fc.constant(PgInterval.zero)
  },
  {
    weight: 5,
    arbitrary: fc.tuple(fc.integer({ min: -1200, max: 1200 }), fc.integer({ min: -1000, max: 1000 }), fc.bigInt({ min: -1_000_000_000_000n, max: 1_000_000_000_000n }))
      .map(([m, d, us]) => new PgInterval(m, d, us))
  },
  {
    weight: 4,
    arbitrary: fc.tuple(int32, int32, fc.bigInt({ min: INT64_MIN, max: INT64_MAX }))
      .filter(([m, d, us]) => !(m === 2147483647 && d === 2147483647 && us === INT64_MAX))
      .filter(([m, d, us]) => !(m === -2147483648 && d === -2147483648 && us === INT64_MIN))
      .map(([m, d, us]) => new PgInterval(m, d, us))
  }
)

const uuidArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
  const h = toHex(b)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
})

/** JSON values jsonb keeps exactly: no NUL in strings, no -0 (jsonb prints 0). */
const jsonArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
    fc.integer(),
    pgString(20),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(pgString(8), tie("value"), { maxKeys: 5, noNullPrototype: true })
  )
})).value

const int4Arrays = fc.oneof(
  fc.array(fc.option(int32, { nil: null }), { maxLength: 20 }),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([rows, cols]) =>
    fc.array(fc.array(fc.option(int32, { nil: null }), { minLength: cols, maxLength: cols }), {
      minLength: rows,
      maxLength: rows
    })
  )
)

const textArrays = fc.oneof(
  fc.array(fc.option(pgString(12), { nil: null }), { maxLength: 12 }),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([rows, cols]) =>
    fc.array(fc.array(fc.option(pgString(6), { nil: null }), { minLength: cols, maxLength: cols }), {
      minLength: rows,
      maxLength: rows
    })
  ),
  fc.constant(["NULL", "null", "", " ", "a b", "{x}", "\"", "\\"])
)

/** Canonical (`[)`) int8 ranges: non-empty with lower < upper, unbounded sides, or empty. */
const int8Ranges = fc.oneof(
  { weight: 1, arbitrary: fc.constant(PgRange.empty<bigint>()) },
  {
    weight: 6,
    arbitrary: fc.tuple(fc.bigInt({ min: INT64_MIN, max: INT64_MAX - 1n }), fc.bigInt({ min: 1n, max: INT64_MAX }), fc.boolean(), fc.boolean())
      .map(([lo, span, openLo, openHi]) => {
        const hi = lo + span > INT64_MAX ? INT64_MAX : lo + span
        return PgRange.make(openLo ? null : lo, openHi ? null : hi)
      })
  }
)

/** tstzrange with any inclusivity and lower < upper (or unbounded sides), or empty. */
const tstzRanges = fc.oneof(
  { weight: 1, arbitrary: fc.constant(PgRange.empty<PgTimestamp>()) },
  {
    weight: 6,
    arbitrary: fc.tuple(timestamptzArb, timestamptzArb, fc.constantFrom("[)", "[]", "()", "(]") as fc.Arbitrary<PgRange.Bounds>, fc.boolean(), fc.boolean())
      .filter(([a, b]) => PgTimestamp.compare(a, b) !== 0)
      .map(([a, b, bounds, openLo, openHi]) => {
        const [lo, hi] = PgTimestamp.compare(a, b) < 0 ? [a, b] : [b, a]
        return PgRange.make(openLo ? null : lo, openHi ? null : hi, bounds)
      })
  }
)

/** Canonical int4 multiranges: sorted, disjoint, non-adjacent `[)` ranges. */
const int4Multiranges = fc.uniqueArray(fc.integer({ min: -2147483648, max: 2147483647 }), { maxLength: 10 }).map((points) => {
  const sorted = points.toSorted((a, b) => a - b)
  const ranges: Array<PgRange.PgRange<number>> = []
  for (let i = 0; i + 1 < sorted.length; i += 2) {
    const lo = sorted[i]!
    const hi = sorted[i + 1]!
    const previous = ranges[ranges.length - 1]
    if (previous !== undefined && previous.upper === lo) continue // adjacent ranges merge
    ranges.push(PgRange.make(lo, hi))
  }
  return ranges
})

interface Sweep {
  readonly type: string
  readonly arbitrary: fc.Arbitrary<unknown>
  /** Compares the server's text with ours (default: equal to `encodeText`). */
  readonly text?: ((server: string, value: unknown, codec: PgCodec.Codec) => void) | undefined
  /**
   * The server's text differs from `encodeText` because of a codec bug (with a `// BUG:`
   * comment): the text is then only read back and compared as a value, and a skipped test
   * carries the diagnosis.
   */
  readonly textBug?: string | undefined
}

const sweeps: ReadonlyArray<Sweep> = [
  { type: "int4", arbitrary: int32 },
  { type: "int8", arbitrary: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }) },
  { type: "float8", arbitrary: fc.double() },
  { type: "numeric", arbitrary: numericArb },
  { type: "text", arbitrary: pgString(200) },
  { type: "bytea", arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { type: "timestamptz", arbitrary: timestamptzArb },
  { type: "interval", arbitrary: intervalArb },
  { type: "uuid", arbitrary: uuidArb },
  {
    type: "jsonb",
    // A JS null parameter is SQL NULL, not the JSON null.
    arbitrary: jsonArb.filter((v) => v !== null),
    // jsonb prints its own normalised text (sorted keys, spaces): compare what it means.
    text: (serverText, value) => assert.deepStrictEqual(JSON.parse(serverText), value)
  },
  { type: "int4[]", arbitrary: int4Arrays },
  { type: "text[]", arbitrary: textArrays },
  // Beyond the required set: cheap, and they exercise other encoders and text printers.
  { type: "int2", arbitrary: fc.integer({ min: -32768, max: 32767 }) },
  {
    type: "float4",
    arbitrary: fc.float(),
    // Documented (internal/types/float.ts): the text encoder sends the double's digits and lets
    // the server round once, so only the value read back is compared.
    text: (serverText, value, codec) => assertSameValue(codec.decodeText(serverText), value, "float4 text read back")
  },
  {
    type: "date",
    arbitrary: fc.oneof(
      fc.constantFrom(PgDate.infinity, PgDate.negativeInfinity, PgDate.min, PgDate.max),
      fc.integer({ min: PgDate.min.epochDays, max: PgDate.max.epochDays }).map((d) => PgDate.fromEpochDays(d)),
      fc.integer({ min: -800_000, max: 800_000 }).map((d) => PgDate.fromEpochDays(d))
    )
  },
  { type: "time", arbitrary: fc.integer({ min: 0, max: 86_400_000_000 }).map((us) => PgTime.fromMicrosOfDay(us)) },
  {
    type: "timetz",
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 86_400_000_000 }), fc.integer({ min: -57_599, max: 57_599 })).map(
      ([us, offset]) => PgTimeTz.fromMicrosOfDay(us, offset)
    )
  },
  { type: "timestamp", arbitrary: timestamptzArb.map((t) => t.toTimestamp()) },
  {
    type: "money",
    arbitrary: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
    // Documented (internal/types/money.ts): the text encoder writes a plain decimal, the server
    // prints the locale's currency format; compare the amounts.
    text: (serverText, value, codec) => assert.strictEqual(codec.decodeText(serverText), value)
  },
  { type: "point", arbitrary: fc.tuple(fc.double(), fc.double()).map(([x, y]) => G.point(x, y)) },
  { type: "int8range", arbitrary: int8Ranges },
  { type: "tstzrange", arbitrary: tstzRanges },
  { type: "int4multirange", arbitrary: int4Multiranges }
]

// -------------------------------------------------------------------------------------------------
// input-syntax agreement: the binary encoders of string-valued types parse their input as the
// server's input function does
// -------------------------------------------------------------------------------------------------

const randomCase = (s: string) => fc.boolean().map((upper) => (upper ? s.toUpperCase() : s))
const hexDigits = (n: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: n, maxLength: n })

const ipv4Arb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join("."))
const ipv6Group = fc.oneof(
  { weight: 3, arbitrary: fc.constant("0") },
  { weight: 2, arbitrary: fc.nat(0xffff).chain((g) => randomCase(g.toString(16))) },
  { weight: 1, arbitrary: hexDigits(4) }
)
const ipv6Arb = fc.oneof(
  fc.array(ipv6Group, { minLength: 8, maxLength: 8 }).map((g) => g.join(":")),
  fc.tuple(fc.array(ipv6Group, { minLength: 6, maxLength: 6 }), ipv4Arb).map(([g, v4]) => `${g.join(":")}:${v4}`),
  fc.tuple(fc.array(ipv6Group, { maxLength: 7 }), fc.nat(7)).map(([g, at]) => {
    const k = Math.min(at, g.length)
    return `${g.slice(0, k).join(":")}::${g.slice(k).join(":")}`
  }),
  fc.tuple(fc.constantFrom("::", "::ffff:", "64:ff9b::"), ipv4Arb).map(([p, v4]) => p + v4)
)
const junkAddresses = fc.constantFrom(
  "1.2.3", "1.2", "10", "10/8", "192.168/16", "1.2.3.4.5", "01.02.03.004", "1.2.3.256", "1.2.3.4/", "1.2.3.4/33",
  " 1.2.3.4", "1.2.3.4 ", "::ffff:1.2.3.4/96", ":::", "1::2::3", "::1/129", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9",
  "128.0.0.0/1", "10.0.0.1/8", "0.0.0.0/0", "::/0", "ffff::/16", "2001:db8::1/64", "", "x"
)
const addressArb = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(ipv4Arb, fc.option(fc.nat(33), { nil: undefined })).map(([a, p]) => (p === undefined ? a : `${a}/${p}`)) },
  { weight: 4, arbitrary: fc.tuple(ipv6Arb, fc.option(fc.nat(129), { nil: undefined })).map(([a, p]) => (p === undefined ? a : `${a}/${p}`)) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(255), fc.option(fc.nat(255), { nil: undefined }), fc.nat(32)).map(([a, b, p]) =>
    `${a}${b === undefined ? "" : "." + b}/${p}`) },
  { weight: 2, arbitrary: junkAddresses }
)

const macGroups = (bytes: number) =>
  fc.tuple(
    fc.array(hexDigits(2), { minLength: bytes, maxLength: bytes }),
    fc.constantFrom("colon", "dash", "dot4", "dash4", "half:", "half-", "none", "mixed")
  ).chain(([pairs, style]) => {
    const join = (size: number, sep: string) => {
      const hex = pairs.join("")
      const parts: Array<string> = []
      for (let i = 0; i < hex.length; i += size) parts.push(hex.slice(i, i + size))
      return parts.join(sep)
    }
    switch (style) {
      case "colon":
        return fc.constant(pairs.join(":"))
      case "dash":
        return fc.constant(pairs.join("-"))
      case "dot4":
        return fc.constant(join(4, "."))
      case "dash4":
        return fc.constant(join(4, "-"))
      case "half:":
        return fc.constant(join(bytes, ":"))
      case "half-":
        return fc.constant(join(bytes, "-"))
      case "none":
        return fc.constant(pairs.join(""))
      default:
        return fc.array(fc.constantFrom("", ":", "-", "."), { minLength: bytes - 1, maxLength: bytes - 1 }).map((seps) =>
          pairs.map((p, i) => (i === 0 ? p : seps[i - 1] + p)).join("")
        )
    }
  })
const macaddrArb = fc.oneof(
  { weight: 5, arbitrary: macGroups(6) },
  { weight: 1, arbitrary: fc.constantFrom("08:00:2b:01:02", "08:00:2b:01:02:03:04", "0800.2b01.020", "g8:00:2b:01:02:03", " 08:00:2b:01:02:03", "08:00:2b:01:02:03 ") }
)
const macaddr8Arb = fc.oneof(
  { weight: 3, arbitrary: macGroups(8) },
  { weight: 2, arbitrary: macGroups(6) },
  { weight: 1, arbitrary: fc.constantFrom("08:00:2b:01:02:03:04", "08:00:2b:01:02:03:04:05:06", "0800.2b01.0203.0405.", "08::00:2b:01:02:03:04:05", " 08:00:2b:01:02:03:04:05") }
)

const varbitArb = fc.oneof(
  fc.string({ unit: fc.constantFrom("0", "1"), maxLength: 70 }),
  fc.string({ unit: fc.constantFrom("0", "1"), maxLength: 70 }).map((b) => "B" + b),
  fc.tuple(fc.constantFrom("x", "X", "b"), fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), maxLength: 20 })).map(([p, d]) => p + d),
  fc.constantFrom("2", "B2", "Xg", "x", "B", " 1", "1 ", "0b1")
)

/** tsvector input: lexemes in every quoting form, with positions and weights (some out of range). */
const lexeme = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("a", "b", "c", "z", "é", "日") },
    { weight: 1, arbitrary: fc.constantFrom("'", "\\", ":", ",", " ", "*", "!", "&", "|", "(", ")", "<", ">", "-", "A") }
  ),
  minLength: 1,
  maxLength: 6
})
const quoteLexeme = (l: string) => `'${l.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`
const position = fc.tuple(
  fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 16383 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 16384, 99999) }),
  fc.constantFrom("", "A", "B", "C", "D", "a", "d")
).map(([p, w]) => `${p}${w}`)
const tsvectorArb = fc.array(
  fc.tuple(lexeme, fc.array(position, { maxLength: 4 }), fc.boolean()).map(([l, ps, quoted]) => {
    const word = quoted || !/^[a-zé日]+$/.test(l) ? quoteLexeme(l) : l
    return ps.length === 0 ? word : `${word}:${ps.join(",")}`
  }),
  { maxLength: 8 }
).map((words) => words.join(" "))

/** tsquery input: operand trees with every operator, prefix and weight flags. */
const tsqueryArb: fc.Arbitrary<string> = fc.letrec<{ q: string }>((tie) => ({
  q: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(lexeme, fc.constantFrom("", ":*", ":A", ":*AB", ":BC*", ":d")).map(([l, flags]) => quoteLexeme(l) + flags),
    tie("q").map((q) => `!${q}`),
    fc.tuple(tie("q"), fc.constantFrom("&", "|", "<->", "<0>", "<2>", "<16384>"), tie("q")).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    fc.tuple(tie("q"), fc.constantFrom("&", "|", "<->"), tie("q")).map(([a, op, b]) => `${a} ${op} ${b}`)
  )
})).q

const uuidInputArb = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(hexDigits(32), fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), fc.boolean()).map(([hex, dashes, braces]) => {
    let out = ""
    for (let g = 0; g < 8; g++) out += hex.slice(g * 4, g * 4 + 4) + (g < 7 && dashes[g] ? "-" : "")
    return braces ? `{${out}}` : out
  }) },
  { weight: 1, arbitrary: fc.constantFrom("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc999c0b4ef8bb6d6bb9bd380a11a", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99--9c0b4ef8bb6d6bb9bd380a11", "-a0eebc999c0b4ef8bb6d6bb9bd380a11", " a0eebc999c0b4ef8bb6d6bb9bd380a11", "g0eebc999c0b4ef8bb6d6bb9bd380a11") }
)

/** numeric input in numeric_in's grammar and around it. */
const numericInputArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(
    fc.constantFrom("", "", " ", "  "),
    fc.constantFrom("", "", "+", "-"),
    fc.oneof(digitString(0, 25), fc.constantFrom("1_000", "1__0", "_1", "1_", "0_0")),
    fc.option(fc.oneof(digitString(0, 25), fc.constantFrom("5_5", "_5")), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.oneof(digitString(1, 3), fc.constantFrom("16383", "16384", "131072", "1_0"))), { nil: undefined }),
    fc.constantFrom("", "", " ")
  ).map(([pre, sign, whole, fraction, exponent, post]) =>
    pre + sign + whole + (fraction === undefined ? "" : "." + fraction) + (exponent === undefined ? "" : exponent.join("")) + post
  ) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("0x", "0X", "0o", "0b", "-0x", "+0b"), fc.string({ unit: fc.constantFrom(..."0123456789abcdefg_"), maxLength: 12 })).map(([p, d]) => p + d) },
  { weight: 1, arbitrary: fc.constantFrom("NaN", "nan", " NaN ", "-NaN", "Infinity", "-Infinity", "+inf", "-INF", "infinity ", "Inf", "1e", ".", "-", "", "1.2.3", "1e-16384", "1e131071") }
)

const pgLsnArb = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: 1, maxLength: 8 }), fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: 1, maxLength: 8 })).map(([a, b]) => `${a}/${b}`) },
  { weight: 1, arbitrary: fc.constantFrom("123456789/0", "0/123456789", "/1", "1/", "1/2/3", " 1/2", "1/2 ", "g/1", "0x1/2") }
)

interface Agreement {
  readonly type: string
  readonly arbitrary: fc.Arbitrary<string>
  /** Values whose bytes differ from the server's because of a known bug (with a `// BUG:` comment). */
  readonly bytesBug?: ((serverText: string) => boolean) | undefined
}

const agreements: ReadonlyArray<Agreement> = [
  { type: "inet", arbitrary: addressArb },
  { type: "cidr", arbitrary: addressArb },
  { type: "macaddr", arbitrary: macaddrArb },
  { type: "macaddr8", arbitrary: macaddr8Arb },
  { type: "varbit", arbitrary: varbitArb },
  { type: "tsvector", arbitrary: tsvectorArb },
  { type: "tsquery", arbitrary: tsqueryArb },
  { type: "uuid", arbitrary: uuidInputArb },
  {
    type: "numeric",
    arbitrary: numericInputArb
  },
  { type: "pg_lsn", arbitrary: pgLsnArb }
]

// -------------------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------------------

describe("PgTypes.builtins agrees with PgOid.builtinTypes", () => {
  it("every built-in type the server sends in binary has a binary codec, except the listed text fallbacks", () => {
    const fallbacks: Array<string> = []
    for (const t of builtinTypes) {
      if (!t.binary) continue
      const codec = PgTypes.get(PgTypes.builtins, t.oid)
      const binary = codec !== undefined && PgCodec.hasBinary(codec)
      if (!binary) fallbacks.push(t.name)
      if (textFallbacks.has(t.name)) {
        assert.isFalse(binary, `${t.name} is listed as a text fallback but has a binary codec: update the list`)
      } else {
        assert.isTrue(binary, `${t.name} (OID ${t.oid}) has binary I/O on the server but no binary codec`)
      }
    }
    assert.sameMembers(fallbacks, Array.from(textFallbacks.keys()))
    // Every element type's array codec is found by arrayOf and is the codec of the array OID.
    for (const t of builtinTypes) {
      if (t.arrayOid === 0) continue
      const array = PgTypes.arrayOf(PgTypes.builtins, t.oid)
      assert.isDefined(array, `arrayOf(${t.name})`)
      assert.strictEqual(array!.oid, t.arrayOid, `arrayOf(${t.name}).oid`)
      assert.strictEqual(PgTypes.get(PgTypes.builtins, t.arrayOid), array, `get(${t.arrayOid}) is arrayOf(${t.name})`)
    }
    // Falling back is what getOrText does for the ones without any codec.
    for (const name of ["pg_ddl_command", "anyarray"]) {
      const oid = builtinTypes.find((t) => t.name === name)!.oid
      const codec = PgTypes.getOrText(PgTypes.builtins, oid)
      assert.isUndefined(codec.decodeBinary)
      assert.strictEqual(codec.decodeText("{1,2}"), "{1,2}")
    }
  })
})

layer(DbLive, { excludeTestServices: true, timeout: "60 seconds" })("types against the server", (it) => {
  it.effect("every built-in type with a binary codec has a case", () =>
    Effect.gen(function*() {
      const { types } = yield* Db
      const covered = new Set(cases.map((c) => types.get(c.type)!.oid))
      const missing: Array<string> = []
      for (const t of builtinTypes) {
        const codec = PgTypes.get(PgTypes.builtins, t.oid)
        if (codec === undefined || !PgCodec.hasBinary(codec)) continue
        // Arrays: a representative set is in the table (the array codec is one generic codec).
        if (t.category === "A" && t.name !== "int2vector" && t.name !== "oidvector") continue
        if (!covered.has(t.oid)) missing.push(t.name)
      }
      assert.deepStrictEqual(missing, [], "types without a case")
    }))

  const byType = new Map<string, Array<TypeCase>>()
  for (const c of cases) {
    const list = byType.get(c.type) ?? []
    list.push(c)
    byType.set(c.type, list)
  }
  for (const [type, list] of byType) {
    describe(type, () => {
      for (const c of list) {
        if (tooOld(c)) {
          it.skip(`${c.label} (needs PostgreSQL ${c.minVersion})`, () => {})
          continue
        }
        for (const check of checks) {
          if (c.na?.[check] !== undefined) continue
          const bug = c.bug?.[check]
          const name = `${c.label} · ${check}`
          if (bug !== undefined) it.effect.skip(`${name} (BUG: ${bug})`, () => runCheck[check](c))
          else it.effect(name, () => runCheck[check](c))
        }
      }
    })
  }

  describe("session settings that change the text forms", () => {
    for (const session of sessions) {
      const selected = cases.filter((c) => session.types.includes(c.type) && !tooOld(c))
      const name = `${session.set}: ${selected.length} cases decode from text and take text parameters`
      if (session.limitation !== undefined) {
        it.skip(`${name} (documented limitation: ${session.limitation})`, () => {})
        continue
      }
      it.effect(name, () =>
        Effect.gen(function*() {
          const db = yield* Db
          const conn = yield* PgConnection.make(server.connectionString())
          yield* conn.simple(session.set)
          const local = Db.of({ conn, types: db.types, canonical: new Map() })
          for (const c of selected) {
            for (const check of sessionChecks) {
              if (c.na?.[check] !== undefined || c.bug?.[check] !== undefined) continue
              yield* Effect.provideService(runCheck[check](c), Db, local).pipe(
                // Name the case in the failure (assertion defects and query errors alike).
                Effect.catchCause((cause) =>
                  Effect.die(new Error(`${c.type} ${c.label} · ${check}: ${String(Cause.squash(cause))}`, { cause }))
                )
              )
            }
          }
        }))
    }
  })

  describe("input syntax: encodeBinary(text) agrees with the server's input function", () => {
    for (const agreement of agreements) {
      it.effect(`${agreement.type}: ${RUNS} generated inputs`, () =>
        Effect.gen(function*() {
          const { conn, types } = yield* Db
          const info = types.get(agreement.type)!
          const codec = codecOf(info.oid)
          const T = agreement.type
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(agreement.arbitrary, async (input) => {
                const server = await Effect.runPromise(
                  Effect.result(conn.execute(`select ${output(`$1::text::${T}`)} as t`, [input]))
                )
                let ours: Uint8Array | undefined = undefined
                let error: unknown = undefined
                try {
                  ours = encodeBinary(codec, input)
                } catch (e) {
                  error = e
                }
                if (Result.isFailure(server)) {
                  assert.instanceOf(
                    error,
                    PgCodec.CodecError,
                    `the server rejects ${JSON.stringify(input)} (${server.failure.message}) but encodeBinary accepts it`
                  )
                  return
                }
                const serverText = server.success.rows[0]!.t as string
                if (ours === undefined) {
                  assert.fail(`the server reads ${JSON.stringify(input)} as ${JSON.stringify(serverText)}, encodeBinary throws: ${String(error)}`)
                }
                const r = await Effect.runPromise(
                  conn.execute(`select $1::${T} as v, ${output(`$1::${T}`)} as t, ${info.send}($1::${T}) as b`, [input])
                )
                const row = r.rows[0]!
                assert.strictEqual(row.t, serverText, `our binary ${T} for ${JSON.stringify(input)} means another value`)
                if (agreement.bytesBug?.(serverText) !== true) {
                  assertSameBytes(ours, row.b as Uint8Array, `encodeBinary(${JSON.stringify(input)}) vs ${info.send}`)
                }
                assert.strictEqual(row.v, serverText, "binary decode vs the server's text")
                assert.strictEqual(codec.decodeText(serverText), serverText)
              }),
              { seed: SEED, numRuns: RUNS }
            )
          )
        }))
    }
  })

  describe("property sweep", () => {
    for (const sweep of sweeps) {
      if (sweep.textBug !== undefined) {
        it.skip(`${sweep.type}: the server's text equals encodeText (BUG: ${sweep.textBug})`, () => {})
      }
      it.effect(`${sweep.type}: ${RUNS} generated values, binary parameter → binary result and → text output`, () =>
        Effect.gen(function*() {
          const { conn, types } = yield* Db
          const oid = types.get(sweep.type)!.oid
          const codec = codecOf(oid)
          const sql = `select $1::${sweep.type} as v, ${output(`$1::${sweep.type}`)} as t`
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(sweep.arbitrary, async (value) => {
                const result = await Effect.runPromise(conn.execute(sql, [value]))
                const row = result.rows[0]!
                assertSameValue(row.v, value, `${sweep.type} round trip`)
                if (sweep.text !== undefined) sweep.text(row.t as string, value, codec)
                else if (sweep.textBug !== undefined) {
                  assertSameValue(codec.decodeText(row.t as string), value, "the server's text read back")
                } else assert.strictEqual(row.t, codec.encodeText(value), "the server's text vs encodeText")
              }),
              { seed: SEED, numRuns: RUNS }
            )
          )
        }))
    }
  })
})
