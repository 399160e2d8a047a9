/**
 * Authentication math: the MD5 password hash and the SCRAM-SHA-256 / SCRAM-SHA-256-PLUS client
 * (RFC 5802, RFC 7677, channel binding `tls-server-end-point` of RFC 5929), as pure state
 * machines with the cryptography injected.
 *
 * **Details**
 * Nothing here does I/O, reads a clock or draws random numbers: the client nonce and the crypto
 * primitives ({@link AuthCrypto}) come from the caller (the connection package supplies
 * `node:crypto`). The SCRAM client follows libpq: it sends an empty user name (`n=,`; the server
 * uses the startup user), prepares the password with SASLprep falling back to the raw bytes
 * (PostgreSQL's rule), and verifies everything the server says — the nonce, the salt, the
 * iteration count, the message shape and, last, the server signature. Failures are
 * {@link AuthError} values with a {@link AuthErrorReason}; the password never appears in them.
 *
 * **Gotchas**
 * The connection layer must only accept `AuthenticationOk` after a SCRAM exchange once
 * {@link ScramClient.state} is `"Done"` (otherwise a server could skip proving it knows the
 * password), and with `channel_binding=require` only when {@link ScramClient.channelBound} is
 * true (and never after MD5, cleartext or trust authentication).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import { decodeBase64, encodeBase64 } from "./internal/authBase64.ts"
import { signatureAlgorithmOid } from "./internal/authDer.ts"
import * as Saslprep from "./internal/saslprep.ts"

// -----------------------------------------------------------------------------
// Models
// -----------------------------------------------------------------------------

/**
 * The cryptographic primitives authentication needs, supplied by the caller (the protocol
 * package cannot import `node:crypto`). All are synchronous; their results are not modified.
 *
 * **Example** (node:crypto)
 * ```ts
 * import { createHash, createHmac, pbkdf2Sync } from "node:crypto"
 * const crypto: AuthCrypto = {
 *   sha256: (data) => createHash("sha256").update(data).digest(),
 *   hmacSha256: (key, data) => createHmac("sha256", key).update(data).digest(),
 *   pbkdf2Sha256: (password, salt, iterations, length) => pbkdf2Sync(password, salt, iterations, length, "sha256"),
 *   md5: (data) => createHash("md5").update(data).digest()
 * }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface AuthCrypto {
  /** SHA-256 of `data` (32 bytes). */
  readonly sha256: (data: Uint8Array) => Uint8Array
  /** HMAC-SHA-256 of `data` under `key` (32 bytes). */
  readonly hmacSha256: (key: Uint8Array, data: Uint8Array) => Uint8Array
  /** PBKDF2 with HMAC-SHA-256 (RFC 8018), `length` bytes of output. */
  readonly pbkdf2Sha256: (password: Uint8Array, salt: Uint8Array, iterations: number, length: number) => Uint8Array
  /** MD5 of `data` (16 bytes). */
  readonly md5: (data: Uint8Array) => Uint8Array
}

/**
 * Why authentication failed.
 *
 * - `NoSupportedMechanism`: the server offered no SASL mechanism this client implements.
 * - `ChannelBindingRequired`: `channel_binding=require`, but SCRAM-SHA-256-PLUS is not possible
 *   (not offered, no TLS, or no binding data for the server certificate).
 * - `PlusOfferedWithoutTls`: the server offered SCRAM-SHA-256-PLUS on a connection without TLS,
 *   which a real server never does (a sign of TLS being stripped in between; libpq refuses too).
 * - `InvalidClientNonce`: the caller's client nonce is empty or not printable ASCII without `,`.
 * - `NonceMismatch`: the server nonce does not extend the client nonce.
 * - `InvalidSalt`: the salt is not valid, non-empty base64.
 * - `InvalidIterationCount`: the iteration count is not a number between 1 and the maximum.
 * - `MalformedServerMessage`: a message does not have the SCRAM shape (missing or misordered
 *   attributes, a mandatory extension `m=`, trailing extensions, a bad MD5 salt length…).
 * - `ServerError`: the server sent `e=…`; its text is in `serverError`.
 * - `BadServerSignature`: the server could not prove it knows the password.
 * - `InvalidState`: a step was called out of order, or after a failure.
 * - `UnsupportedCertificate`: no `tls-server-end-point` hash can be chosen for the certificate.
 *
 * @category models
 * @since 0.1.0
 */
export type AuthErrorReason =
  | "NoSupportedMechanism"
  | "ChannelBindingRequired"
  | "PlusOfferedWithoutTls"
  | "InvalidClientNonce"
  | "NonceMismatch"
  | "InvalidSalt"
  | "InvalidIterationCount"
  | "MalformedServerMessage"
  | "ServerError"
  | "BadServerSignature"
  | "InvalidState"
  | "UnsupportedCertificate"

/**
 * An authentication failure. Its message never contains the password.
 *
 * @category errors
 * @since 0.1.0
 */
export class AuthError extends Data.TaggedError("PgAuthError")<{
  /** What kind of failure this is. */
  readonly reason: AuthErrorReason
  /** A human-readable description (no secrets). */
  readonly message: string
  /** For `ServerError`: the server's `e=` value (e.g. `invalid-proof`). */
  readonly serverError?: string | undefined
}> {}

/**
 * The SASL mechanism names this client implements.
 *
 * @category models
 * @since 0.1.0
 */
export type ScramMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-256-PLUS"

/**
 * The `channel_binding` connection setting, with libpq's meaning.
 *
 * - `disable`: never use channel binding.
 * - `prefer`: use it when the server offers SCRAM-SHA-256-PLUS and the TLS binding data is known.
 * - `require`: fail unless SCRAM-SHA-256-PLUS is used.
 *
 * @category models
 * @since 0.1.0
 */
export type ChannelBindingMode = "disable" | "prefer" | "require"

/**
 * What the SCRAM client says about channel binding in its GS2 header.
 *
 * - `Unsupported` (`n,,`): the client does not support channel binding, or it is disabled, or
 *   there is no TLS.
 * - `NotOffered` (`y,,`): the client supports channel binding but the server did not offer
 *   SCRAM-SHA-256-PLUS (lets a server that does support it detect a downgrade).
 * - `TlsServerEndPoint` (`p=tls-server-end-point,,`): SCRAM-SHA-256-PLUS, binding to `data`, the
 *   hash of the server's certificate (RFC 5929 §4.1; see {@link tlsServerEndPointHash}).
 *
 * @category models
 * @since 0.1.0
 */
export type ChannelBinding =
  | { readonly _tag: "Unsupported" }
  | { readonly _tag: "NotOffered" }
  | { readonly _tag: "TlsServerEndPoint"; readonly data: Uint8Array }

/**
 * {@link ChannelBinding} `n,,`: no channel binding.
 *
 * @category constructors
 * @since 0.1.0
 */
export const channelBindingUnsupported: ChannelBinding = { _tag: "Unsupported" }

/**
 * {@link ChannelBinding} `y,,`: supported by the client, not offered by the server.
 *
 * @category constructors
 * @since 0.1.0
 */
export const channelBindingNotOffered: ChannelBinding = { _tag: "NotOffered" }

/**
 * {@link ChannelBinding} `p=tls-server-end-point,,` with the certificate hash `data`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const channelBindingTlsServerEndPoint = (data: Uint8Array): ChannelBinding => ({
  _tag: "TlsServerEndPoint",
  data
})

// -----------------------------------------------------------------------------
// Mechanism selection
// -----------------------------------------------------------------------------

/**
 * The outcome of {@link selectMechanism}: the mechanism to name in SASLInitialResponse and the
 * channel binding to give {@link scramClient}.
 *
 * @category models
 * @since 0.1.0
 */
export interface MechanismChoice {
  readonly mechanism: ScramMechanism
  readonly channelBinding: ChannelBinding
}

/**
 * Chooses the SASL mechanism from the list in AuthenticationSASL, with libpq's rules.
 *
 * **Details**
 * - SCRAM-SHA-256-PLUS offered without TLS fails (`PlusOfferedWithoutTls`), whatever the mode.
 * - With TLS, PLUS offered and `channelBinding` not `disable`, PLUS is chosen when
 *   `tlsServerEndPoint` (the certificate hash) is given. Without it, `prefer` falls back to
 *   SCRAM-SHA-256 with `n,,` (a `y,,` would make such a server reject us as a downgrade), and
 *   `require` fails; libpq fails in both cases, as it always has the certificate hash.
 * - PLUS not offered: SCRAM-SHA-256 with `y,,` over TLS unless `disable`, else `n,,`;
 *   `require` fails with `ChannelBindingRequired`.
 * - Unknown mechanisms are ignored; none known fails with `NoSupportedMechanism`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const selectMechanism = (options: {
  /** The mechanism names the server offered. */
  readonly mechanisms: ReadonlyArray<string>
  /** The `channel_binding` setting. */
  readonly channelBinding: ChannelBindingMode
  /** Whether the connection is TLS-encrypted. */
  readonly tls: boolean
  /** The `tls-server-end-point` binding data, when TLS is used and it could be computed. */
  readonly tlsServerEndPoint?: Uint8Array | undefined
}): Result.Result<MechanismChoice, AuthError> => {
  const plus = options.mechanisms.includes("SCRAM-SHA-256-PLUS")
  const plain = options.mechanisms.includes("SCRAM-SHA-256")
  const mode = options.channelBinding
  if (plus && !options.tls) {
    return fail(
      "PlusOfferedWithoutTls",
      "server offered SCRAM-SHA-256-PLUS authentication over a non-TLS connection"
    )
  }
  if (plus && mode !== "disable" && options.tlsServerEndPoint !== undefined) {
    return Result.succeed({
      mechanism: "SCRAM-SHA-256-PLUS",
      channelBinding: channelBindingTlsServerEndPoint(options.tlsServerEndPoint)
    })
  }
  if (!plus && !plain) {
    return fail("NoSupportedMechanism", "none of the server's SASL authentication mechanisms are supported")
  }
  if (mode === "require") {
    return fail(
      "ChannelBindingRequired",
      plus
        ? "channel binding is required, but the server certificate's binding data is not available"
        : "channel binding is required, but the server did not offer an authentication method that supports channel binding"
    )
  }
  if (!plain) {
    return fail("NoSupportedMechanism", "the server only offered SCRAM-SHA-256-PLUS, and channel binding is not possible")
  }
  return Result.succeed({
    mechanism: "SCRAM-SHA-256",
    channelBinding: options.tls && mode !== "disable" && !plus ? channelBindingNotOffered : channelBindingUnsupported
  })
}

// -----------------------------------------------------------------------------
// SCRAM client
// -----------------------------------------------------------------------------

/**
 * Where a {@link ScramClient} is in the exchange.
 *
 * @category models
 * @since 0.1.0
 */
export type ScramState = "Initial" | "AwaitingServerFirst" | "AwaitingServerFinal" | "Done" | "Failed"

/**
 * A SCRAM-SHA-256(-PLUS) client exchange: one object per authentication attempt.
 *
 * **Details**
 * 1. `clientFirstMessage()` gives the SASLInitialResponse payload and mechanism.
 * 2. `handleServerFirst(AuthenticationSASLContinue data)` gives the SASLResponse payload.
 * 3. `handleServerFinal(AuthenticationSASLFinal data)` verifies the server signature.
 * Any failure moves the client to `"Failed"`; later calls fail with `InvalidState`.
 *
 * @category models
 * @since 0.1.0
 */
export interface ScramClient {
  /** The mechanism this client runs (PLUS when channel binding is used). */
  readonly mechanism: ScramMechanism
  /** The current step. */
  readonly state: ScramState
  /** True once the exchange completed with channel binding (`"Done"` and PLUS). */
  readonly channelBound: boolean
  /** The client-first-message; may be called again, returning the same bytes. */
  clientFirstMessage(): { readonly mechanism: ScramMechanism; readonly bytes: Uint8Array }
  /**
   * Checks the server-first-message and computes the client-final-message (runs PBKDF2, the
   * slow step). `bytes` is read during the call only; a view into a network buffer is fine.
   */
  handleServerFirst(bytes: Uint8Array): Result.Result<Uint8Array, AuthError>
  /** Checks the server-final-message: the server's signature, or its `e=` error. */
  handleServerFinal(bytes: Uint8Array): Result.Result<void, AuthError>
}

/**
 * Options of {@link scramClient}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ScramClientOptions {
  /** The password; a string is UTF-8. SASLprep is applied (see {@link preparePassword}). */
  readonly password: string | Uint8Array
  /**
   * The client nonce: printable ASCII without `,` (see {@link makeClientNonce}). It must be
   * fresh and unpredictable for every exchange.
   */
  readonly nonce: string
  /** The primitives (MD5 is not used here). */
  readonly crypto: Pick<AuthCrypto, "sha256" | "hmacSha256" | "pbkdf2Sha256">
  /** What to put in the GS2 header (from {@link selectMechanism}). */
  readonly channelBinding: ChannelBinding
  /** The SCRAM user name; default empty, as libpq sends (PostgreSQL uses the startup user). */
  readonly username?: string | undefined
  /** The largest iteration count accepted from the server; default {@link defaultMaxIterations}. */
  readonly maxIterations?: number | undefined
}

/**
 * The default upper bound on the server's iteration count: 10,000,000.
 *
 * **Details**
 * PostgreSQL's default `scram_iterations` is 4096, and deployments that raise it go to the
 * hundreds of thousands. PBKDF2 runs synchronously in the caller: 10 million iterations take
 * about a second of CPU on a typical server core, so this bound lets a hostile or misconfigured
 * server stall a client for about a second, not for minutes (the server may send up to 2^31-1).
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultMaxIterations = 10_000_000

/**
 * Creates a SCRAM client exchange.
 *
 * **Gotchas**
 * Throws an {@link AuthError} with reason `InvalidClientNonce` when `options.nonce` is empty or
 * contains a character outside `!`…`~` or a `,`: that is a bug in the caller, not a server fault.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scramClient = (options: ScramClientOptions): ScramClient => new ScramClientImpl(options)

/**
 * Makes a client nonce from random bytes supplied by the caller (base64, as libpq does with 18
 * bytes).
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeClientNonce = (randomBytes: Uint8Array): string => encodeBase64(randomBytes)

const keyLength = 32
const textEncoder = new TextEncoder()
const utf8Decoder = new TextDecoder()
const clientKeyLabel = textEncoder.encode("Client Key")
const serverKeyLabel = textEncoder.encode("Server Key")

class ScramClientImpl implements ScramClient {
  readonly mechanism: ScramMechanism
  #state: ScramState = "Initial"
  #password: string | Uint8Array
  readonly #nonce: string
  readonly #crypto: Pick<AuthCrypto, "sha256" | "hmacSha256" | "pbkdf2Sha256">
  readonly #gs2Header: string
  readonly #cbindData: Uint8Array | undefined
  readonly #clientFirstBare: string
  readonly #clientFirst: Uint8Array
  readonly #maxIterations: number
  #serverSignature: Uint8Array | undefined

  constructor(options: ScramClientOptions) {
    const nonce = options.nonce
    if (nonce.length === 0 || !isPrintable(nonce)) {
      throw new AuthError({
        reason: "InvalidClientNonce",
        message: "the SCRAM client nonce must be non-empty printable ASCII without ','"
      })
    }
    const binding = options.channelBinding
    this.#password = options.password
    this.#nonce = nonce
    this.#crypto = options.crypto
    this.#maxIterations = options.maxIterations ?? defaultMaxIterations
    if (Predicate.isTagged(binding, "TlsServerEndPoint")) {
      this.mechanism = "SCRAM-SHA-256-PLUS"
      this.#gs2Header = "p=tls-server-end-point,,"
      this.#cbindData = binding.data
    } else {
      this.mechanism = "SCRAM-SHA-256"
      this.#gs2Header = Predicate.isTagged(binding, "NotOffered") ? "y,," : "n,,"
      this.#cbindData = undefined
    }
    this.#clientFirstBare = "n=" + escapeSaslName(options.username ?? "") + ",r=" + nonce
    this.#clientFirst = textEncoder.encode(this.#gs2Header + this.#clientFirstBare)
  }

  get state(): ScramState {
    return this.#state
  }

  get channelBound(): boolean {
    return this.#state === "Done" && this.#cbindData !== undefined
  }

  clientFirstMessage(): { readonly mechanism: ScramMechanism; readonly bytes: Uint8Array } {
    if (this.#state === "Initial") this.#state = "AwaitingServerFirst"
    return { mechanism: this.mechanism, bytes: this.#clientFirst.slice() }
  }

  handleServerFirst(bytes: Uint8Array): Result.Result<Uint8Array, AuthError> {
    if (this.#state !== "AwaitingServerFirst") return this.#outOfOrder("handleServerFirst")
    const parsed = parseServerFirst(bytes, this.#nonce, this.#maxIterations)
    if (Result.isFailure(parsed)) {
      this.#state = "Failed"
      return Result.fail(parsed.failure)
    }
    const { iterations, nonce, salt } = parsed.success
    const crypto = this.#crypto

    const header = textEncoder.encode(this.#gs2Header)
    let cbind = header
    if (this.#cbindData !== undefined) {
      cbind = new Uint8Array(header.length + this.#cbindData.length)
      cbind.set(header)
      cbind.set(this.#cbindData, header.length)
    }
    const withoutProof = "c=" + encodeBase64(cbind) + ",r=" + nonce
    const authMessage = concat(
      textEncoder.encode(this.#clientFirstBare + ","),
      bytes,
      textEncoder.encode("," + withoutProof)
    )

    const saltedPassword = crypto.pbkdf2Sha256(Saslprep.preparePassword(this.#password), salt, iterations, keyLength)
    const clientKey = crypto.hmacSha256(saltedPassword, clientKeyLabel)
    const storedKey = crypto.sha256(clientKey)
    const clientSignature = crypto.hmacSha256(storedKey, authMessage)
    const proof = new Uint8Array(clientKey.length)
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!
    const serverKey = crypto.hmacSha256(saltedPassword, serverKeyLabel)
    this.#serverSignature = crypto.hmacSha256(serverKey, authMessage)
    this.#password = ""

    this.#state = "AwaitingServerFinal"
    return Result.succeed(textEncoder.encode(withoutProof + ",p=" + encodeBase64(proof)))
  }

  handleServerFinal(bytes: Uint8Array): Result.Result<void, AuthError> {
    if (this.#state !== "AwaitingServerFinal") return this.#outOfOrder("handleServerFinal")
    const expected = this.#serverSignature!
    this.#serverSignature = undefined
    const checked = checkServerFinal(bytes, expected)
    this.#state = Result.isSuccess(checked) ? "Done" : "Failed"
    return checked
  }

  #outOfOrder(step: string): Result.Result<never, AuthError> {
    const state = this.#state
    this.#state = "Failed"
    return fail("InvalidState", `SCRAM ${step} called in state ${state}`)
  }
}

interface ServerFirst {
  readonly nonce: string
  readonly salt: Uint8Array
  readonly iterations: number
}

const parseServerFirst = (
  bytes: Uint8Array,
  clientNonce: string,
  maxIterations: number
): Result.Result<ServerFirst, AuthError> => {
  const text = latin1(bytes)
  if (text.startsWith("e=")) return serverError(bytes)
  if (text.startsWith("m=")) {
    return fail("MalformedServerMessage", "SCRAM server-first-message has an unsupported mandatory extension (m=)")
  }
  const parts = text.split(",")
  if (parts.length < 3) {
    return fail("MalformedServerMessage", "SCRAM server-first-message is missing attributes (expected r=, s=, i=)")
  }
  if (parts.length > 3) {
    return fail("MalformedServerMessage", "SCRAM server-first-message has unexpected attributes after i=")
  }
  const [r, s, i] = parts as [string, string, string]
  if (!r.startsWith("r=") || !s.startsWith("s=") || !i.startsWith("i=")) {
    return fail("MalformedServerMessage", "SCRAM server-first-message attributes are not r=, s=, i= in that order")
  }

  const nonce = r.slice(2)
  if (!isPrintable(nonce)) {
    return fail("MalformedServerMessage", "SCRAM server nonce contains characters outside printable ASCII")
  }
  if (nonce.length <= clientNonce.length || !nonce.startsWith(clientNonce)) {
    return fail("NonceMismatch", "SCRAM server nonce does not extend the client nonce")
  }

  const salt = decodeBase64(s.slice(2))
  if (salt === undefined || salt.length === 0) {
    return fail("InvalidSalt", "SCRAM salt is not valid non-empty base64")
  }

  const count = i.slice(2)
  const iterations = /^[0-9]{1,10}$/.test(count) ? Number(count) : Number.NaN
  if (!(iterations >= 1 && iterations <= maxIterations)) {
    return fail(
      "InvalidIterationCount",
      `SCRAM iteration count ${JSON.stringify(count.slice(0, 20))} is not between 1 and ${maxIterations}`
    )
  }
  return Result.succeed({ nonce, salt, iterations })
}

const checkServerFinal = (bytes: Uint8Array, expected: Uint8Array): Result.Result<void, AuthError> => {
  const text = latin1(bytes)
  if (text.startsWith("e=")) return serverError(bytes)
  if (!text.startsWith("v=")) {
    return fail("MalformedServerMessage", "SCRAM server-final-message has neither v= nor e=")
  }
  if (text.includes(",")) {
    return fail("MalformedServerMessage", "SCRAM server-final-message has unexpected attributes after v=")
  }
  const signature = decodeBase64(text.slice(2))
  if (signature === undefined || signature.length !== keyLength) {
    return fail("MalformedServerMessage", "SCRAM server signature is not base64 of 32 bytes")
  }
  if (!constantTimeEqual(signature, expected)) {
    return fail("BadServerSignature", "SCRAM server signature is incorrect: the server does not know the password")
  }
  return Result.void
}

const serverError = (bytes: Uint8Array): Result.Result<never, AuthError> => {
  let value = utf8Decoder.decode(bytes.subarray(2))
  const comma = value.indexOf(",")
  if (comma >= 0) value = value.slice(0, comma)
  if (value.length > 256) value = value.slice(0, 256)
  return Result.fail(
    new AuthError({ reason: "ServerError", message: `SCRAM error from server: ${value}`, serverError: value })
  )
}

/** `!`…`~` except `,` (RFC 5802 `printable`). */
const isPrintable = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x21 || c > 0x7E || c === 0x2C) return false
  }
  return true
}

/** RFC 5802 `saslname`: `=` and `,` escaped as `=3D` and `=2C`. */
const escapeSaslName = (name: string): string => name.replaceAll("=", "=3D").replaceAll(",", "=2C")

const latin1 = (bytes: Uint8Array): string => {
  let s = ""
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!)
  return s
}

const concat = (a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length + c.length)
  out.set(a)
  out.set(b, a.length)
  out.set(c, a.length + b.length)
  return out
}

const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

const fail = (reason: AuthErrorReason, message: string): Result.Result<never, AuthError> =>
  Result.fail(new AuthError({ reason, message }))

// -----------------------------------------------------------------------------
// Password preparation, MD5, channel binding data
// -----------------------------------------------------------------------------

/**
 * The bytes SCRAM derives its key from: the SASLprep (RFC 4013) form of the password in UTF-8,
 * or the raw password bytes when SASLprep rejects it or they are not UTF-8 (PostgreSQL's rule,
 * which libpq follows; the server prepared its stored verifier the same way).
 *
 * @category utils
 * @since 0.1.0
 */
export const preparePassword: (password: string | Uint8Array) => Uint8Array = Saslprep.preparePassword

/**
 * The response to AuthenticationMD5Password: `"md5" + hex(md5(hex(md5(password + user)) +
 * salt))`, where `salt` is the 4 bytes the server sent.
 *
 * **Details**
 * The user is the startup user name and both strings are taken as UTF-8 (libpq uses the bytes of
 * the client encoding; pass a `Uint8Array` password for other encodings). No SASLprep applies.
 *
 * @category utils
 * @since 0.1.0
 */
export const md5Password = (
  user: string,
  password: string | Uint8Array,
  salt: Uint8Array,
  crypto: Pick<AuthCrypto, "md5">
): Result.Result<string, AuthError> => {
  if (salt.length !== 4) {
    return fail("MalformedServerMessage", `MD5 salt must be 4 bytes, got ${salt.length}`)
  }
  const passwordBytes = typeof password === "string" ? textEncoder.encode(password) : password
  const userBytes = textEncoder.encode(user)
  const inner = toHex(crypto.md5(concat(passwordBytes, userBytes, new Uint8Array(0))))
  const outer = toHex(crypto.md5(concat(textEncoder.encode(inner), salt, new Uint8Array(0))))
  return Result.succeed("md5" + outer)
}

const toHex = (bytes: Uint8Array): string => {
  let s = ""
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16)
  return s
}

/**
 * A hash algorithm name, as `node:crypto` spells it.
 *
 * @category models
 * @since 0.1.0
 */
export type TlsServerEndPointHash = "sha224" | "sha256" | "sha384" | "sha512"

const signatureHashes: Record<string, TlsServerEndPointHash> = {
  "1.2.840.113549.1.1.4": "sha256", // md5WithRSAEncryption (MD5 → SHA-256, RFC 5929 §4.1)
  "1.2.840.113549.1.1.5": "sha256", // sha1WithRSAEncryption (SHA-1 → SHA-256)
  "1.2.840.113549.1.1.11": "sha256", // sha256WithRSAEncryption
  "1.2.840.113549.1.1.12": "sha384", // sha384WithRSAEncryption
  "1.2.840.113549.1.1.13": "sha512", // sha512WithRSAEncryption
  "1.2.840.113549.1.1.14": "sha224", // sha224WithRSAEncryption
  "1.2.840.10045.4.1": "sha256", // ecdsa-with-SHA1
  "1.2.840.10045.4.3.1": "sha224", // ecdsa-with-SHA224
  "1.2.840.10045.4.3.2": "sha256", // ecdsa-with-SHA256
  "1.2.840.10045.4.3.3": "sha384", // ecdsa-with-SHA384
  "1.2.840.10045.4.3.4": "sha512", // ecdsa-with-SHA512
  "1.2.840.10040.4.3": "sha256", // dsa-with-sha1
  "2.16.840.1.101.3.4.3.1": "sha224", // dsa-with-sha224
  "2.16.840.1.101.3.4.3.2": "sha256" // dsa-with-sha256
}

/**
 * Which hash `tls-server-end-point` channel binding uses for a server certificate (DER): the
 * hash of its signature algorithm, with MD5 and SHA-1 replaced by SHA-256 (RFC 5929 §4.1). The
 * binding data is that hash of the whole DER certificate.
 *
 * **Details**
 * Fails with `UnsupportedCertificate` for signature algorithms without a single hash (RSA-PSS,
 * Ed25519, Ed448) and for bytes that are not a certificate; PostgreSQL cannot bind to such
 * certificates either, so callers should then treat channel binding as unavailable.
 *
 * @category utils
 * @since 0.1.0
 */
export const tlsServerEndPointHash = (certificate: Uint8Array): Result.Result<TlsServerEndPointHash, AuthError> => {
  const oid = signatureAlgorithmOid(certificate)
  if (oid === undefined) return fail("UnsupportedCertificate", "the server certificate is not valid DER")
  const hash = signatureHashes[oid]
  return hash === undefined
    ? fail("UnsupportedCertificate", `no tls-server-end-point hash for signature algorithm ${oid}`)
    : Result.succeed(hash)
}
