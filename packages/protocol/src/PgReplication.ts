/**
 * The payloads that travel inside CopyData during streaming replication (physical, and logical
 * where the plugin output sits inside XLogData).
 *
 * Server → client: XLogData (`'w'`) and PrimaryKeepalive (`'k'`). Client → server:
 * StandbyStatusUpdate (`'r'`) and HotStandbyFeedback (`'h'`). All four can be encoded and decoded
 * (the client decodes the first two and encodes the last two; a fake server does the reverse).
 *
 * LSNs are unsigned 64-bit `bigint`s; times are `bigint` microseconds since 2000-01-01 00:00:00
 * UTC (the PostgreSQL epoch). The protocol package reads no clock: callers pass times in, with
 * {@link fromUnixMillis} to convert.
 *
 * Decoders return a `Result` with `PgBackend.ParseError`; encoders throw
 * `PgFrontend.EncodeError` for out-of-range values.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import { ParseError } from "./PgBackend.ts"
import { EncodeError } from "./PgFrontend.ts"
import { PgWriter } from "./PgWriter.ts"
import { readInt64, readUint32 } from "./internal/bytes.ts"

/**
 * The first byte of each replication payload.
 *
 * @category constants
 * @since 0.1.0
 */
export const ReplicationType = {
  /** 'w' */
  XLogData: 0x77,
  /** 'k' */
  PrimaryKeepalive: 0x6b,
  /** 'r' */
  StandbyStatusUpdate: 0x72,
  /** 'h' */
  HotStandbyFeedback: 0x68
} as const

/**
 * A run of WAL (physical) or of plugin output (logical).
 *
 * @category models
 * @since 0.1.0
 */
export interface XLogData {
  readonly _tag: "XLogData"
  /** The LSN of the first byte of `data`. */
  readonly walStart: bigint
  /** The current end of WAL on the server. */
  readonly walEnd: bigint
  /** The server's clock when it sent this, µs since 2000-01-01. */
  readonly serverTime: bigint
  /** The WAL bytes: a view into the CopyData payload passed to {@link decode}. */
  readonly data: Uint8Array
}

/**
 * The server's heartbeat.
 *
 * @category models
 * @since 0.1.0
 */
export interface PrimaryKeepalive {
  readonly _tag: "PrimaryKeepalive"
  /** The current end of WAL on the server. */
  readonly walEnd: bigint
  /** µs since 2000-01-01. */
  readonly serverTime: bigint
  /** The server asks for a StandbyStatusUpdate now (or it may time the client out). */
  readonly replyRequested: boolean
}

/**
 * The client's progress report. Each LSN is the last byte position + 1 written, flushed to disk
 * and applied; a client that does not track one sends 0 (or repeats another).
 *
 * @category models
 * @since 0.1.0
 */
export interface StandbyStatusUpdate {
  readonly _tag: "StandbyStatusUpdate"
  readonly written: bigint
  readonly flushed: bigint
  readonly applied: bigint
  /** µs since 2000-01-01. */
  readonly clientTime: bigint
  /** Ask the server to reply with a keepalive at once. */
  readonly replyRequested: boolean
}

/**
 * A hot standby's oldest transaction IDs, so the primary keeps the rows it still needs.
 *
 * @category models
 * @since 0.1.0
 */
export interface HotStandbyFeedback {
  readonly _tag: "HotStandbyFeedback"
  /** µs since 2000-01-01. */
  readonly clientTime: bigint
  readonly xmin: number
  readonly xminEpoch: number
  readonly catalogXmin: number
  readonly catalogXminEpoch: number
}

/**
 * Every replication payload.
 *
 * @category models
 * @since 0.1.0
 */
export type ReplicationMessage = XLogData | PrimaryKeepalive | StandbyStatusUpdate | HotStandbyFeedback

// ---------------------------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------------------------

const readUint64 = (b: Uint8Array, o: number): bigint =>
  (BigInt(readUint32(b, o)) << 32n) | BigInt(readUint32(b, o + 4))

const invalid = (type: number | undefined, message: string): Result.Result<never, ParseError> =>
  Result.fail(new ParseError({ message: `replication message: ${message}`, messageType: type }))

const flag = (b: number): boolean | undefined => (b === 0 ? false : b === 1 ? true : undefined)

/**
 * Decodes the payload of a CopyData message received during replication (or sent, for a fake
 * server). XLogData's `data` is a view into `payload`.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decode = (payload: Uint8Array): Result.Result<ReplicationMessage, ParseError> => {
  if (payload.length === 0) return invalid(undefined, "empty payload")
  const type = payload[0]!
  const n = payload.length
  switch (type) {
    case ReplicationType.XLogData:
      if (n < 25) return invalid(type, `XLogData is ${n} bytes (at least 25)`)
      return Result.succeed({
        _tag: "XLogData",
        walStart: readUint64(payload, 1),
        walEnd: readUint64(payload, 9),
        serverTime: readInt64(payload, 17),
        data: payload.subarray(25)
      })
    case ReplicationType.PrimaryKeepalive: {
      if (n !== 18) return invalid(type, `PrimaryKeepalive is ${n} bytes (must be 18)`)
      const replyRequested = flag(payload[17]!)
      if (replyRequested === undefined) return invalid(type, "reply flag is neither 0 nor 1")
      return Result.succeed({
        _tag: "PrimaryKeepalive",
        walEnd: readUint64(payload, 1),
        serverTime: readInt64(payload, 9),
        replyRequested
      })
    }
    case ReplicationType.StandbyStatusUpdate: {
      if (n !== 34) return invalid(type, `StandbyStatusUpdate is ${n} bytes (must be 34)`)
      const replyRequested = flag(payload[33]!)
      if (replyRequested === undefined) return invalid(type, "reply flag is neither 0 nor 1")
      return Result.succeed({
        _tag: "StandbyStatusUpdate",
        written: readUint64(payload, 1),
        flushed: readUint64(payload, 9),
        applied: readUint64(payload, 17),
        clientTime: readInt64(payload, 25),
        replyRequested
      })
    }
    case ReplicationType.HotStandbyFeedback:
      if (n !== 25) return invalid(type, `HotStandbyFeedback is ${n} bytes (must be 25)`)
      return Result.succeed({
        _tag: "HotStandbyFeedback",
        clientTime: readInt64(payload, 1),
        xmin: readUint32(payload, 9),
        xminEpoch: readUint32(payload, 13),
        catalogXmin: readUint32(payload, 17),
        catalogXminEpoch: readUint32(payload, 21)
      })
  }
  return invalid(type, `unknown type 0x${type.toString(16).padStart(2, "0")}`)
}

// ---------------------------------------------------------------------------------------------
// encoding
// ---------------------------------------------------------------------------------------------

const U64_MAX = (1n << 64n) - 1n
const I64_MIN = -(1n << 63n)
const I64_MAX = (1n << 63n) - 1n

const fail = (tag: string, message: string): never => {
  throw new EncodeError({ message, messageTag: tag })
}

const lsn = (value: bigint, what: string, tag: string): bigint => {
  if (typeof value !== "bigint" || value < 0n || value > U64_MAX) fail(tag, `${what} must be a bigint in [0, 2^64)`)
  return value
}

const time = (value: bigint, what: string, tag: string): bigint => {
  if (typeof value !== "bigint" || value < I64_MIN || value > I64_MAX) fail(tag, `${what} must be a 64-bit bigint`)
  return value
}

const u32 = (value: number, what: string, tag: string): number => {
  if (!Number.isInteger(value) || value < 0 || value > 4294967295) fail(tag, `${what} must be an integer in [0, 2^32)`)
  return value
}

const writeU64 = (w: PgWriter, value: bigint): void => {
  w.u32(Number(value >> 32n))
  w.u32(Number(value & 0xffffffffn))
}

/**
 * Appends a replication payload (without the CopyData framing) to a writer. Throws
 * `PgFrontend.EncodeError` for out-of-range values; nothing is appended then.
 *
 * @category encoding
 * @since 0.1.0
 */
export const write = (writer: PgWriter, message: ReplicationMessage): void => {
  const tag = message["_tag"]
  switch (message["_tag"]) {
    case "XLogData": {
      const walStart = lsn(message.walStart, "walStart", tag)
      const walEnd = lsn(message.walEnd, "walEnd", tag)
      const serverTime = time(message.serverTime, "serverTime", tag)
      writer.u8(ReplicationType.XLogData)
      writeU64(writer, walStart)
      writeU64(writer, walEnd)
      writer.i64(serverTime)
      writer.bytes(message.data)
      return
    }
    case "PrimaryKeepalive": {
      const walEnd = lsn(message.walEnd, "walEnd", tag)
      const serverTime = time(message.serverTime, "serverTime", tag)
      writer.u8(ReplicationType.PrimaryKeepalive)
      writeU64(writer, walEnd)
      writer.i64(serverTime)
      writer.u8(message.replyRequested ? 1 : 0)
      return
    }
    case "StandbyStatusUpdate": {
      const written = lsn(message.written, "written", tag)
      const flushed = lsn(message.flushed, "flushed", tag)
      const applied = lsn(message.applied, "applied", tag)
      const clientTime = time(message.clientTime, "clientTime", tag)
      writer.u8(ReplicationType.StandbyStatusUpdate)
      writeU64(writer, written)
      writeU64(writer, flushed)
      writeU64(writer, applied)
      writer.i64(clientTime)
      writer.u8(message.replyRequested ? 1 : 0)
      return
    }
    case "HotStandbyFeedback": {
      const clientTime = time(message.clientTime, "clientTime", tag)
      const xmin = u32(message.xmin, "xmin", tag)
      const xminEpoch = u32(message.xminEpoch, "xminEpoch", tag)
      const catalogXmin = u32(message.catalogXmin, "catalogXmin", tag)
      const catalogXminEpoch = u32(message.catalogXminEpoch, "catalogXminEpoch", tag)
      writer.u8(ReplicationType.HotStandbyFeedback)
      writer.i64(clientTime)
      writer.u32(xmin)
      writer.u32(xminEpoch)
      writer.u32(catalogXmin)
      writer.u32(catalogXminEpoch)
      return
    }
  }
  fail(String(tag), "unknown replication message")
}

/**
 * Encodes a replication payload into a fresh `Uint8Array`, ready for
 * `PgFrontend.Encoder.copyData` (or a fake server's CopyData).
 *
 * **Example** (Acknowledging WAL)
 * ```ts
 * import { PgReplication } from "@pgfx/protocol"
 *
 * const payload = PgReplication.encode({
 *   _tag: "StandbyStatusUpdate",
 *   written: 0x16B374D848n,
 *   flushed: 0x16B374D848n,
 *   applied: 0x16B374D848n,
 *   clientTime: PgReplication.fromUnixMillis(1_700_000_000_000),
 *   replyRequested: false
 * })
 * ```
 *
 * @category encoding
 * @since 0.1.0
 */
export const encode = (message: ReplicationMessage): Uint8Array => {
  const w = new PgWriter(64)
  write(w, message)
  return w.take()
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/** Milliseconds from 1970-01-01 to 2000-01-01. */
const EPOCH_OFFSET_MS = 946684800000

/**
 * Converts Unix milliseconds (e.g. from `Clock.currentTimeMillis`) to PostgreSQL-epoch
 * microseconds.
 *
 * @category conversions
 * @since 0.1.0
 */
export const fromUnixMillis = (millis: number): bigint => BigInt(Math.round(millis - EPOCH_OFFSET_MS)) * 1000n

/**
 * Converts PostgreSQL-epoch microseconds to Unix milliseconds (sub-millisecond part truncated
 * toward negative infinity).
 *
 * @category conversions
 * @since 0.1.0
 */
export const toUnixMillis = (micros: bigint): number => {
  const q = micros / 1000n
  const floored = micros < 0n && q * 1000n !== micros ? q - 1n : q
  return Number(floored) + EPOCH_OFFSET_MS
}

/**
 * Formats an LSN as PostgreSQL prints it (`"16/B374D848"`).
 *
 * @category conversions
 * @since 0.1.0
 */
export const formatLsn = (value: bigint): string =>
  `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`

/**
 * Parses an LSN in PostgreSQL's text form (`"16/B374D848"`); `undefined` when malformed.
 *
 * @category conversions
 * @since 0.1.0
 */
export const parseLsn = (text: string): bigint | undefined => {
  const slash = text.indexOf("/")
  if (slash < 1 || slash > 8 || text.length - slash - 1 < 1 || text.length - slash - 1 > 8) return undefined
  for (let i = 0; i < text.length; i++) {
    if (i === slash) continue
    const c = text.charCodeAt(i)
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    if (!hex) return undefined
  }
  return (BigInt(`0x${text.slice(0, slash)}`) << 32n) | BigInt(`0x${text.slice(slash + 1)}`)
}
