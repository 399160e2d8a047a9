/**
 * Bind + Execute + Sync of a cached named statement, written with the constant parts prebuilt.
 *
 * `PgFrontend.Encoder.bind` validates every argument on every call (the portal and statement
 * names are scanned for NUL, every format list is checked) and writes the format lists code by
 * code. For a statement the server has described, all of that is fixed: the portal (unnamed),
 * the statement name, the parameter formats and count, the result formats. They are laid out
 * once per statement here, so executing it only frames the message and encodes the values — the
 * bytes on the wire are exactly those `bind("", name, formats, params, resultFormats, encoders)`
 * followed by `execute("", 0)` and `sync()` would write (see `BindTemplate.test.ts`).
 *
 * @since 0.1.0
 */
import type { FormatCode, ParamEncoder } from "@pgfx/protocol/PgFrontend"
import { PgWriter } from "@pgfx/protocol/PgWriter"

/**
 * The constant parts of one statement's Bind.
 *
 * @category models
 * @since 0.1.0
 */
export interface BindTemplate {
  /** Portal name (unnamed), statement name, parameter format codes and the parameter count. */
  readonly head: Uint8Array
  /** The result format codes: the end of the Bind message. */
  readonly tail: Uint8Array
  /** One encoder per parameter. */
  readonly encoders: ReadonlyArray<ParamEncoder>
}

/** Bind's message type byte ('B'). */
const BIND = 0x42

/** Execute of the unnamed portal with no row limit, then Sync: the same for every statement. */
const EXECUTE_SYNC = new Uint8Array([
  0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, // Execute: length 9, portal "", max rows 0
  0x53, 0, 0, 0, 4 // Sync
])

const writeFormatList = (w: PgWriter, formats: ReadonlyArray<FormatCode>): void => {
  w.i16(formats.length)
  for (let i = 0; i < formats.length; i++) w.i16(formats[i]!)
}

/**
 * Lays out the constant parts of a statement's Bind. The statement name is one the connection
 * generated (`pgfx_<n>`, or empty for the unnamed statement) and the formats are 0/1 lists it
 * built, so nothing here needs the encoder's validation.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeBindTemplate = (
  statementName: string,
  paramFormats: ReadonlyArray<FormatCode>,
  resultFormats: ReadonlyArray<FormatCode>,
  encoders: ReadonlyArray<ParamEncoder>
): BindTemplate => {
  const w = new PgWriter(64)
  w.u8(0) // the unnamed portal
  w.cstring(statementName)
  writeFormatList(w, paramFormats)
  w.i16(encoders.length)
  const head = w.take()
  writeFormatList(w, resultFormats)
  return { head, tail: w.take(), encoders }
}

/**
 * Appends Bind (with `params` encoded by the template's encoders), Execute and Sync to `w`.
 * Throws whatever an encoder throws, leaving a partial message behind: the caller rolls the
 * writer back (and re-encodes with `PgFrontend.Encoder.bind` for the detailed error).
 *
 * @category encoding
 * @since 0.1.0
 */
export const writeBindExecuteSync = (w: PgWriter, template: BindTemplate, params: ReadonlyArray<unknown>): void => {
  const at = w.beginMessage(BIND)
  w.bytes(template.head)
  const encoders = template.encoders
  for (let i = 0; i < params.length; i++) {
    const value = params[i]
    if (value === null || value === undefined) {
      w.i32(-1)
    } else {
      const lengthAt = w.beginLength()
      encoders[i]!(value, w)
      w.endLength(lengthAt, false)
    }
  }
  w.bytes(template.tail)
  w.endMessage(at)
  w.bytes(EXECUTE_SYNC)
}
