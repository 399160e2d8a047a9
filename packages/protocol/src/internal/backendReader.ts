/**
 * A bounds-checked cursor over one protocol message body, shared by the backend decoders
 * (`backendDecode.ts`) and the server-side frontend parser (`PgServerCodec`).
 */
import { indexOfNul, readInt16, readInt32, readUint16, readUint32, utf8Slice } from "./bytes.ts"

/**
 * A bounds-checked cursor over one message body; one per parser, reset per message, so reading
 * allocates nothing. Every read checks against the end of the *message*, not of the chunk.
 */
export class Reader {
  b: Uint8Array = new Uint8Array(0)
  p = 0
  end = 0
  type = 0
  /**
   * Decoded values of small messages that repeat on a session (CommandComplete tags such as
   * `SELECT 1`), keyed by their text; the owner bounds its size. Per parser, never shared.
   */
  readonly memo = new Map<string, unknown>()
  private readonly makeError: (type: number, message: string) => Error

  constructor(makeError: (type: number, message: string) => Error) {
    this.makeError = makeError
  }

  reset(b: Uint8Array, p: number, end: number, type: number): void {
    this.b = b
    this.p = p
    this.end = end
    this.type = type
  }

  fail(message: string): never {
    throw this.makeError(this.type, message)
  }

  need(n: number, what: string): void {
    if (this.end - this.p < n) this.fail(`truncated ${what}`)
  }

  u8(what: string): number {
    this.need(1, what)
    return this.b[this.p++]!
  }

  i16(what: string): number {
    this.need(2, what)
    const v = readInt16(this.b, this.p)
    this.p += 2
    return v
  }

  u16(what: string): number {
    this.need(2, what)
    const v = readUint16(this.b, this.p)
    this.p += 2
    return v
  }

  i32(what: string): number {
    this.need(4, what)
    const v = readInt32(this.b, this.p)
    this.p += 4
    return v
  }

  u32(what: string): number {
    this.need(4, what)
    const v = readUint32(this.b, this.p)
    this.p += 4
    return v
  }

  cstring(what: string): string {
    const nul = indexOfNul(this.b, this.p, this.end)
    if (nul < 0) this.fail(`${what} has no NUL terminator`)
    const s = utf8Slice(this.b, this.p, nul)
    this.p = nul + 1
    return s
  }

  /** An owned copy of `n` bytes. */
  copy(n: number, what: string): Uint8Array {
    this.need(n, what)
    const out = this.b.slice(this.p, this.p + n)
    this.p += n
    return out
  }

  /** An owned copy of the rest of the message. */
  restCopy(): Uint8Array {
    const out = this.b.slice(this.p, this.end)
    this.p = this.end
    return out
  }

  format(what: string): 0 | 1 {
    const f = this.i16(what)
    if (f !== 0 && f !== 1) this.fail(`${what} is ${f}, not 0 or 1`)
    return f as 0 | 1
  }

  done<A>(message: A): A {
    if (this.p !== this.end) this.fail(`${this.end - this.p} bytes left over: contents disagree with the length`)
    return message
  }
}

