/**
 * The `void` codec: the result type of functions that return nothing (`pg_sleep`,
 * `pg_notify`, `pg_advisory_lock`, …).
 *
 * Binary form: zero bytes. Text form: the empty string.
 *
 * Values: `null`. A `void` value carries no information; `null` (rather than `undefined`) keeps
 * the column present when rows are serialised with `JSON.stringify`. It is not SQL NULL: a NULL
 * `void` is still reported as NULL by the row decoder before any codec runs.
 *
 * @since 0.1.0
 */
import type { Codec } from "../../PgCodec.ts"
import { fail, make } from "../../PgCodec.ts"
import { Oid } from "../../PgOid.ts"

/**
 * `void` ⇄ `null`; encoders accept `null` or `undefined` and send nothing.
 *
 * @category codecs
 * @since 0.1.0
 */
export const voidCodec: Codec<null, null | undefined> = make<null, null | undefined>({
  oid: Oid.void,
  name: "void",
  decodeBinary: (_b, _o, len) => (len === 0 ? null : fail(`void: expected 0 bytes, got ${len}`, Oid.void, "void")),
  encodeBinary: (v) => {
    if (v !== null && v !== undefined) fail(`void: expected null or undefined, got ${typeof v}`, Oid.void, "void")
  },
  // `void_in` accepts any text.
  decodeText: () => null,
  encodeText: (v) =>
    v === null || v === undefined ? "" : fail(`void: expected null or undefined, got ${typeof v}`, Oid.void, "void")
})

/**
 * Every codec of this module.
 *
 * @category codecs
 * @since 0.1.0
 */
export const codecs: ReadonlyArray<Codec> = [voidCodec]
