/**
 * The contract every type codec fulfils, and the error codecs raise.
 *
 * A codec converts between one PostgreSQL type's wire forms (text and, where the type has one,
 * binary) and a JavaScript value. Codecs are plain values collected in an immutable registry
 * (see `PgTypes`): there is no global mutable table.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type { PgWriter } from "./PgWriter.ts"

/**
 * Raised by a codec when bytes or text cannot be decoded, or a value cannot be encoded.
 *
 * **Details**
 * Codec functions throw this error (they sit on the hot path, where allocating a `Result` per
 * field would cost too much); the layer that drives them catches it and turns it into a typed
 * failure of the query, never of the connection.
 *
 * @category errors
 * @since 0.1.0
 */
export class CodecError extends Data.TaggedError("PgCodecError")<{
  /** What went wrong, without the value itself (it may be a secret). */
  readonly message: string
  /** The OID of the type being decoded or encoded, when known. */
  readonly oid?: number | undefined
  /** The type name, when known. */
  readonly type?: string | undefined
}> {}

/**
 * A codec for one PostgreSQL type.
 *
 * **Details**
 * - `decodeBinary(bytes, offset, length)` reads the field at `bytes[offset, offset + length)`.
 *   `bytes` may be a view into a larger network buffer: a codec that keeps bytes (bytea) must copy.
 * - `encodeBinary(value, writer)` appends the binary form (without the 4-byte length, which the
 *   caller writes).
 * - `decodeText` / `encodeText` use the server's text form (`typoutput` / `typinput`).
 * - A type without binary I/O leaves the binary functions `undefined`; callers then use text.
 * - Functions throw {@link CodecError} on malformed input.
 * - `A` is what decoding produces; `I` is what encoding accepts, usually wider than `A` (a
 *   timestamp codec decodes to `PgTimestamp` but also encodes a JS `Date`; int8 decodes to
 *   `bigint` but also encodes a safe-integer `number` or a decimal string).
 *
 * @category models
 * @since 0.1.0
 */
export interface Codec<A = any, I = A> {
  /** The type's OID. */
  readonly oid: number
  /** The type's name (`pg_type.typname`). */
  readonly name: string
  /** Decodes the binary form. */
  readonly decodeBinary: ((bytes: Uint8Array, offset: number, length: number) => A) | undefined
  /** Encodes the binary form. */
  readonly encodeBinary: ((value: I, writer: PgWriter) => void) | undefined
  /** Decodes the text form. */
  readonly decodeText: (text: string) => A
  /** Encodes the text form. */
  readonly encodeText: (value: I) => string
}

/**
 * Builds a {@link Codec}; omitted binary functions mean "text only".
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <A, I = A>(options: {
  readonly oid: number
  readonly name: string
  readonly decodeBinary?: ((bytes: Uint8Array, offset: number, length: number) => A) | undefined
  readonly encodeBinary?: ((value: I, writer: PgWriter) => void) | undefined
  readonly decodeText: (text: string) => A
  readonly encodeText: (value: I) => string
}): Codec<A, I> => ({
  oid: options.oid,
  name: options.name,
  decodeBinary: options.decodeBinary,
  encodeBinary: options.encodeBinary,
  decodeText: options.decodeText,
  encodeText: options.encodeText
})

/**
 * Whether the codec has a binary form in both directions.
 *
 * @category predicates
 * @since 0.1.0
 */
export const hasBinary = (codec: Codec): boolean =>
  codec.decodeBinary !== undefined && codec.encodeBinary !== undefined

/**
 * Re-labels a codec for another OID with the same wire forms (domains, `varchar` over `text`,
 * the `reg*` types over `oid`, …).
 *
 * @category combinators
 * @since 0.1.0
 */
export const withOid = <A, I>(codec: Codec<A, I>, oid: number, name: string): Codec<A, I> => ({ ...codec, oid, name })

/**
 * Throws a {@link CodecError}; a helper for codec implementations.
 *
 * @category errors
 * @since 0.1.0
 */
export const fail = (message: string, oid?: number, type?: string): never => {
  throw new CodecError({ message, oid, type })
}
