/**
 * {@link ParseError}, the one error of the backend decoder, and how its messages name the
 * offending message type (`DataRow ('D'): …`). `PgBackend` re-exports `ParseError`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import { BackendType } from "./backendMessages.ts"

/**
 * The bytes from the server are not a valid message stream. Returned (never thrown) by
 * {@link Parser.push} and the other decoders; a parser that returned one is terminal.
 *
 * @category errors
 * @since 0.1.0
 */
export class ParseError extends Data.TaggedError("PgParseError")<{
  /** What is wrong, with the message name and type character. */
  readonly message: string
  /** The type byte of the offending message, when there is one. */
  readonly messageType: number | undefined
}> {}

const messageNames: Record<number, string> = {}
for (const [name, type] of Object.entries(BackendType)) messageNames[type] = name

/** The message's name and type character (`"DataRow ('D')"`), or `"unknown message type …"`. */
export const describeType = (type: number): string => {
  const name = messageNames[type]
  const char = type >= 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, "0")}`
  return name === undefined ? `unknown message type ${char}` : `${name} (${char})`
}

/** A ParseError about a message of type `type` (or about the stream when `undefined`). */
export const parseError = (type: number | undefined, message: string): ParseError =>
  new ParseError({ message: type === undefined ? message : `${describeType(type)}: ${message}`, messageType: type })
