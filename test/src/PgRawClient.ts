/**
 * A deliberately tiny PostgreSQL client for the harness itself: startup (optionally after an
 * SSLRequest and TLS), trust/cleartext/MD5/SCRAM-SHA-256 authentication, and simple-protocol
 * queries returning text rows. It records which authentication request the server sent, so the
 * harness tests can prove each role meets the pg_hba method it is meant to exercise, and it lets
 * the harness probe an external server's version.
 *
 * This is test tooling written with `Buffer` and promises, not the product: the real client lives
 * in the pgfx packages.
 *
 * @since 0.1.0
 */
import * as crypto from "node:crypto"
import * as net from "node:net"
import * as tls from "node:tls"
import * as Data from "effect/Data"

/**
 * Where to connect: TCP host/port or a unix socket path.
 *
 * @category models
 * @since 0.1.0
 */
export type RawTarget = { readonly host: string; readonly port: number } | { readonly path: string }

/**
 * TLS options (PEM texts, not paths). Without `ca` the server certificate is not verified.
 *
 * @category models
 * @since 0.1.0
 */
export interface RawTlsOptions {
  readonly ca?: string | undefined
  readonly cert?: string | undefined
  readonly key?: string | undefined
  /** name checked against the certificate; default: the TCP host */
  readonly servername?: string | undefined
}

/**
 * Options for {@link rawConnect}.
 *
 * @category models
 * @since 0.1.0
 */
export interface RawConnectOptions {
  readonly target: RawTarget
  readonly user: string
  readonly database?: string | undefined
  readonly password?: string | undefined
  /** send an SSLRequest and upgrade; fails when the server answers `N` */
  readonly tls?: RawTlsOptions | undefined
  /** extra startup parameters, e.g. `{ replication: "true" }` */
  readonly parameters?: Readonly<Record<string, string>> | undefined
  /** default 10 s */
  readonly timeoutMs?: number | undefined
}

/**
 * A failure: an ErrorResponse from the server (`code` = SQLSTATE, `fields` by field letter) or a
 * local problem (`code` undefined).
 *
 * @category errors
 * @since 0.1.0
 */
export class PgRawError extends Data.TaggedError("PgRawError")<{
  readonly message: string
  readonly code: string | undefined
  readonly fields: Readonly<Record<string, string>>
}> {}

/**
 * The result of one simple query (the last statement's rows when several are sent).
 *
 * @category models
 * @since 0.1.0
 */
export interface RawResult {
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
  readonly command: string
}

/**
 * An authenticated session.
 *
 * @category models
 * @since 0.1.0
 */
export interface RawSession {
  /** authentication request codes in order (0 ok, 3 cleartext, 5 MD5, 10 SASL, 11, 12) */
  readonly authRequests: ReadonlyArray<number>
  /** mechanisms offered in AuthenticationSASL, e.g. `["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]` */
  readonly saslMechanisms: ReadonlyArray<string>
  /** ParameterStatus values from startup (`server_version`, `TimeZone`, …) */
  readonly parameters: Readonly<Record<string, string>>
  /** whether the session runs over TLS */
  readonly encrypted: boolean
  /** the peer certificate when encrypted */
  readonly peerCertificate: tls.PeerCertificate | undefined
  readonly query: (sql: string) => Promise<RawResult>
  readonly close: () => Promise<void>
}

interface Message {
  readonly type: number
  readonly body: Buffer
}

const int32 = (value: number): Buffer => {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value)
  return buffer
}

const cstring = (value: string): Buffer => Buffer.concat([Buffer.from(value, "utf8"), Buffer.from([0])])

const frame = (type: string, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from(type, "latin1"), int32(body.length + 4), body])

/**
 * The 8-byte SSLRequest.
 *
 * @category encoding
 * @since 0.1.0
 */
export const sslRequest = (): Buffer => Buffer.concat([int32(8), int32(80877103)])

/**
 * A protocol 3.0 StartupMessage.
 *
 * @category encoding
 * @since 0.1.0
 */
export const startupMessage = (parameters: Readonly<Record<string, string>>): Buffer => {
  const parts: Array<Buffer> = [int32(196608)]
  for (const [key, value] of Object.entries(parameters)) parts.push(cstring(key), cstring(value))
  parts.push(Buffer.from([0]))
  const body = Buffer.concat(parts)
  return Buffer.concat([int32(body.length + 4), body])
}

const errorFields = (body: Buffer): Record<string, string> => {
  const fields: Record<string, string> = {}
  let offset = 0
  while (offset < body.length && body[offset] !== 0) {
    const code = String.fromCharCode(body[offset]!)
    const end = body.indexOf(0, offset + 1)
    if (end < 0) break
    fields[code] = body.toString("utf8", offset + 1, end)
    offset = end + 1
  }
  return fields
}

const serverError = (body: Buffer): PgRawError => {
  const fields = errorFields(body)
  return new PgRawError({
    message: `${fields.S ?? "ERROR"}: ${fields.M ?? "unknown error"}${fields.C === undefined ? "" : ` (${fields.C})`}`,
    code: fields.C,
    fields
  })
}

const localError = (message: string): PgRawError => new PgRawError({ message, code: undefined, fields: {} })

const openSocket = (target: RawTarget): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = "path" in target ? net.connect({ path: target.path }) : net.connect({ host: target.host, port: target.port })
    socket.once("error", (error) => reject(localError(`connect failed: ${error.message}`)))
    socket.once("connect", () => {
      socket.removeAllListeners("error")
      resolve(socket)
    })
  })

const readOneByte = (socket: net.Socket): Promise<number> =>
  new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      cleanup()
      if (chunk.length !== 1) reject(localError(`expected one byte answering SSLRequest, got ${chunk.length}`))
      else resolve(chunk[0]!)
    }
    const onEnd = () => {
      cleanup()
      reject(localError("connection closed while waiting for the SSLRequest answer"))
    }
    const cleanup = () => {
      socket.off("data", onData)
      socket.off("end", onEnd)
      socket.off("error", onEnd)
      socket.pause()
    }
    socket.on("data", onData)
    socket.once("end", onEnd)
    socket.once("error", onEnd)
  })

const upgrade = (socket: net.Socket, target: RawTarget, options: RawTlsOptions): Promise<tls.TLSSocket> =>
  new Promise((resolve, reject) => {
    const host = "path" in target ? "localhost" : target.host
    const servername = options.servername ?? host
    const secure = tls.connect({
      socket,
      ...(net.isIP(servername) === 0 ? { servername } : {}),
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.ca !== undefined,
      checkServerIdentity: (_hostname, cert) => tls.checkServerIdentity(servername, cert)
    })
    secure.once("error", (error) => reject(localError(`TLS handshake failed: ${error.message}`)))
    secure.once("secureConnect", () => {
      secure.removeAllListeners("error")
      resolve(secure)
    })
  })

/** Frames incoming bytes into messages and hands them out one at a time. */
const makeReader = (socket: net.Socket) => {
  let pending: Buffer = Buffer.alloc(0)
  const queue: Array<Message> = []
  const waiters: Array<{ resolve: (m: Message) => void; reject: (e: PgRawError) => void }> = []
  let failure: PgRawError | undefined
  const flush = () => {
    while (waiters.length > 0 && queue.length > 0) waiters.shift()!.resolve(queue.shift()!)
    if (failure !== undefined) while (waiters.length > 0) waiters.shift()!.reject(failure)
  }
  socket.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    while (pending.length >= 5) {
      const length = pending.readInt32BE(1)
      if (length < 4) {
        failure = localError(`bad message length ${length}`)
        socket.destroy()
        break
      }
      if (pending.length < 1 + length) break
      queue.push({ type: pending[0]!, body: pending.subarray(5, 1 + length) })
      pending = pending.subarray(1 + length)
    }
    flush()
  })
  const fail = (reason: string) => {
    failure ??= localError(reason)
    flush()
  }
  socket.on("error", (error) => fail(`socket error: ${error.message}`))
  socket.on("close", () => fail("connection closed by the server"))
  socket.resume()
  return {
    next: (): Promise<Message> =>
      queue.length > 0
        ? Promise.resolve(queue.shift()!)
        : failure !== undefined
        ? Promise.reject(failure)
        : new Promise((resolve, reject) => waiters.push({ resolve, reject }))
  }
}

const md5Hex = (data: Buffer | string): string => crypto.createHash("md5").update(data).digest("hex")

const hmac = (key: Buffer, data: string): Buffer => crypto.createHmac("sha256", key).update(data).digest()

const requirePassword = (password: string | undefined, method: string): string => {
  if (password === undefined) throw localError(`server requested ${method} authentication but no password was given`)
  return password
}

/**
 * Connects, authenticates and waits for ReadyForQuery. Rejects with {@link PgRawError} (the
 * server's ErrorResponse when it refuses, e.g. SQLSTATE 28000 / 28P01).
 *
 * @category constructors
 * @since 0.1.0
 */
export const rawConnect = async (options: RawConnectOptions): Promise<RawSession> => {
  const timeoutMs = options.timeoutMs ?? 10_000
  let socket: net.Socket = await openSocket(options.target)
  const timer = setTimeout(() => socket.destroy(), timeoutMs)
  try {
    let peerCertificate: tls.PeerCertificate | undefined
    if (options.tls !== undefined) {
      socket.write(sslRequest())
      const answer = await readOneByte(socket)
      if (answer !== 0x53) throw localError(`server refused TLS (answered ${String.fromCharCode(answer)})`)
      const secure = await upgrade(socket, options.target, options.tls)
      peerCertificate = secure.getPeerCertificate()
      socket = secure
    }
    const reader = makeReader(socket)
    socket.write(
      startupMessage({ user: options.user, database: options.database ?? options.user, ...options.parameters })
    )
    const authRequests: Array<number> = []
    const saslMechanisms: Array<string> = []
    const parameters: Record<string, string> = {}
    let scram: { clientFirstBare: string; nonce: string; serverSignature?: Buffer } | undefined
    for (;;) {
      const message = await reader.next()
      const type = String.fromCharCode(message.type)
      if (type === "E") throw serverError(message.body)
      if (type === "S") {
        const nul = message.body.indexOf(0)
        parameters[message.body.toString("utf8", 0, nul)] = message.body.toString("utf8", nul + 1, message.body.length - 1)
      } else if (type === "R") {
        const code = message.body.readInt32BE(0)
        authRequests.push(code)
        if (code === 3) {
          socket.write(frame("p", cstring(requirePassword(options.password, "cleartext password"))))
        } else if (code === 5) {
          const password = requirePassword(options.password, "MD5")
          const inner = md5Hex(password + options.user)
          const outer = md5Hex(Buffer.concat([Buffer.from(inner, "latin1"), message.body.subarray(4, 8)]))
          socket.write(frame("p", cstring(`md5${outer}`)))
        } else if (code === 10) {
          for (const name of message.body.toString("utf8", 4).split("\0")) if (name !== "") saslMechanisms.push(name)
          requirePassword(options.password, "SCRAM-SHA-256")
          if (!saslMechanisms.includes("SCRAM-SHA-256")) throw localError(`no supported SASL mechanism in ${saslMechanisms.join(", ")}`)
          const nonce = crypto.randomBytes(18).toString("base64")
          const clientFirstBare = `n=,r=${nonce}`
          const data = Buffer.from(`n,,${clientFirstBare}`, "utf8")
          socket.write(frame("p", Buffer.concat([cstring("SCRAM-SHA-256"), int32(data.length), data])))
          scram = { clientFirstBare, nonce }
        } else if (code === 11) {
          if (scram === undefined) throw localError("SASLContinue without SASL")
          const serverFirst = message.body.toString("utf8", 4)
          const attributes = new Map(serverFirst.split(",").map((kv) => [kv.slice(0, 1), kv.slice(2)] as const))
          const serverNonce = attributes.get("r") ?? ""
          if (!serverNonce.startsWith(scram.nonce)) throw localError("SCRAM: server nonce does not extend ours")
          const salt = Buffer.from(attributes.get("s") ?? "", "base64")
          const iterations = Number(attributes.get("i"))
          const salted = crypto.pbkdf2Sync(options.password ?? "", salt, iterations, 32, "sha256")
          const clientKey = hmac(salted, "Client Key")
          const storedKey = crypto.createHash("sha256").update(clientKey).digest()
          const withoutProof = `c=biws,r=${serverNonce}`
          const authMessage = `${scram.clientFirstBare},${serverFirst},${withoutProof}`
          const signature = hmac(storedKey, authMessage)
          const proof = Buffer.alloc(clientKey.length)
          for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!
          scram.serverSignature = hmac(hmac(salted, "Server Key"), authMessage)
          socket.write(frame("p", Buffer.from(`${withoutProof},p=${proof.toString("base64")}`, "utf8")))
        } else if (code === 12) {
          const verifier = message.body.toString("utf8", 4)
          const expected = `v=${scram?.serverSignature?.toString("base64") ?? ""}`
          if (verifier !== expected) throw localError("SCRAM: server signature does not verify")
        } else if (code !== 0) {
          throw localError(`unsupported authentication request ${code}`)
        }
      } else if (type === "Z") {
        break
      }
      // K (BackendKeyData), N (notice), v (NegotiateProtocolVersion): nothing to do
    }
    clearTimeout(timer)
    const encrypted = socket instanceof tls.TLSSocket
    const live = socket
    const query = async (sql: string): Promise<RawResult> => {
      live.write(frame("Q", cstring(sql)))
      let columns: Array<string> = []
      let rows: Array<Array<string | null>> = []
      let command = ""
      let error: PgRawError | undefined
      for (;;) {
        const message = await reader.next()
        const type = String.fromCharCode(message.type)
        const body = message.body
        if (type === "T") {
          columns = []
          rows = []
          let offset = 2
          for (let i = 0; i < body.readInt16BE(0); i++) {
            const end = body.indexOf(0, offset)
            columns.push(body.toString("utf8", offset, end))
            offset = end + 1 + 18
          }
        } else if (type === "D") {
          const row: Array<string | null> = []
          let offset = 2
          for (let i = 0; i < body.readInt16BE(0); i++) {
            const length = body.readInt32BE(offset)
            offset += 4
            if (length < 0) row.push(null)
            else {
              row.push(body.toString("utf8", offset, offset + length))
              offset += length
            }
          }
          rows.push(row)
        } else if (type === "C") {
          command = body.toString("utf8", 0, body.length - 1)
        } else if (type === "E") {
          error ??= serverError(body)
        } else if (type === "Z") {
          if (error !== undefined) throw error
          return { columns, rows, command }
        }
      }
    }
    const close = (): Promise<void> =>
      new Promise((resolve) => {
        if (live.destroyed) return resolve()
        live.once("close", () => resolve())
        live.end(frame("X", Buffer.alloc(0)))
        setTimeout(() => live.destroy(), 1000).unref()
      })
    return { authRequests, saslMechanisms, parameters, encrypted, peerCertificate, query, close }
  } catch (error) {
    clearTimeout(timer)
    socket.destroy()
    if (error instanceof PgRawError) throw error
    throw localError(String(error))
  }
}

/**
 * Connects, runs one query, closes.
 *
 * @category combinators
 * @since 0.1.0
 */
export const rawQuery = async (options: RawConnectOptions, sql: string): Promise<RawResult> => {
  const session = await rawConnect(options)
  try {
    return await session.query(sql)
  } finally {
    await session.close()
  }
}
