/**
 * TLS for PostgreSQL sessions with libpq's semantics: which `sslmode` verifies what, where the
 * default certificate files live, how the server's host name is matched against its certificate,
 * and the `tls-server-end-point` channel-binding data for SCRAM-SHA-256-PLUS.
 *
 * The rules implemented (libpq 17/18):
 *
 * - **Modes.** `disable` never uses TLS; `allow`, `prefer` and `require` encrypt without
 *   verifying; `verify-ca` verifies the chain; `verify-full` verifies the chain and the host
 *   name. An unset `sslmode` means `prefer`, or `verify-full` when `sslrootcert=system`.
 * - **Root file present ⇒ chain verified.** When the root CA file exists (`sslrootcert`, else
 *   `~/.postgresql/root.crt`), every mode that uses TLS verifies the chain against it, as libpq
 *   does "for backwards compatibility" — `require` then behaves like `verify-ca`, and so do
 *   `allow`/`prefer`. `verify-ca`/`verify-full` without the file are an error.
 * - **`sslrootcert=system`** trusts the system store (`tls.getCACertificates("system")` on Node ≥
 *   22.15; on older Node, Node's default store — Mozilla's bundle plus `NODE_EXTRA_CA_CERTS`) and
 *   demands `verify-full`: any other explicit `sslmode` is an error.
 * - **CRLs** (`sslcrl`, `sslcrldir`, default `~/.postgresql/root.crl`) are used when the chain is
 *   verified, with the whole chain checked (OpenSSL `CRL_CHECK | CRL_CHECK_ALL`, as libpq). A
 *   missing CRL file is ignored, as in libpq. `sslcrldir` is read as an OpenSSL hashed directory:
 *   every `<hash>.r<n>` file in it is loaded (Node has no lazy directory lookup).
 * - **Client certificate**: `sslcert` (default `~/.postgresql/postgresql.crt`) is used when the
 *   file exists — a missing file means "no client certificate", even when named explicitly, as in
 *   libpq. Its key `sslkey` (default `~/.postgresql/postgresql.key`) must then exist, be a regular
 *   file and not be group/world accessible (0600, or 0640 when owned by root); an encrypted key
 *   is opened with `sslpassword`. `sslcertmode=disable` never sends one; `sslcertmode=require`
 *   cannot be checked with Node's TLS API and is refused as `Unsupported`.
 * - **Host name** (verify-full): dNSName SANs match case-insensitively or by a `*.` wildcard that
 *   covers exactly one leftmost label; iPAddress SANs match an IP-literal host byte for byte; the
 *   Common Name is consulted only when the certificate has no SAN of the host's type (DNS or IP).
 *   The name checked is the target's `host`, also when connecting through `hostaddr`; an empty
 *   host cannot be verified.
 * - **SNI** (`sslsni`, default on): the host name is sent unless it is an IP literal.
 * - **Versions**: `ssl_min_protocol_version` defaults to TLSv1.2; `ssl_max_protocol_version` to
 *   the newest Node supports.
 * - **ALPN**: `postgresql` is always offered; with `sslnegotiation=direct` the server must select
 *   it, otherwise a selected protocol other than `postgresql` is an error.
 *
 * Secrets: `sslpassword` stays `Redacted` until it is handed to OpenSSL; errors name files, never
 * their contents.
 *
 * @since 0.1.0
 */
import * as PgAuth from "@pgfx/protocol/PgAuth"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { createHash, createPrivateKey } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as tls from "node:tls"
import * as PgError from "../PgError.ts"

// -----------------------------------------------------------------------------
// Settings
// -----------------------------------------------------------------------------

/**
 * libpq's `sslmode`, weakest first.
 *
 * @category models
 * @since 0.1.0
 */
export type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full"

/**
 * libpq's `sslnegotiation`: `postgres` (SSLRequest first) or `direct` (TLS right away, ALPN
 * `postgresql`, PostgreSQL 17+).
 *
 * @category models
 * @since 0.1.0
 */
export type SslNegotiation = "postgres" | "direct"

/**
 * libpq's `sslcertmode`.
 *
 * @category models
 * @since 0.1.0
 */
export type SslCertMode = "disable" | "allow" | "require"

/**
 * A TLS protocol version as libpq (`ssl_min_protocol_version`) and Node (`minVersion`) spell it.
 *
 * @category models
 * @since 0.1.0
 */
export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3"

/**
 * The TLS options of one connection, with libpq's names and meanings. Every field is optional;
 * `undefined` means libpq's default.
 *
 * @category models
 * @since 0.1.0
 */
export interface TlsSettings {
  /** Default: `prefer`, or `verify-full` when `sslrootcert` is `system`. */
  readonly sslmode?: SslMode | undefined
  /** Default: `postgres`. `direct` requires `sslmode` ≥ `require`. */
  readonly sslnegotiation?: SslNegotiation | undefined
  /** CA file, or `"system"`. Default: `~/.postgresql/root.crt` when it exists. */
  readonly sslrootcert?: string | undefined
  /** Client certificate (chain) file. Default: `~/.postgresql/postgresql.crt` when it exists. */
  readonly sslcert?: string | undefined
  /** Client key file. Default: `~/.postgresql/postgresql.key`. `engine:` keys are unsupported. */
  readonly sslkey?: string | undefined
  /** Passphrase of an encrypted `sslkey`. */
  readonly sslpassword?: Redacted.Redacted<string> | undefined
  /** Default: `allow` (send the certificate when the server asks for one). */
  readonly sslcertmode?: SslCertMode | undefined
  /** CRL file. Default: `~/.postgresql/root.crl` when neither `sslcrl` nor `sslcrldir` is set. */
  readonly sslcrl?: string | undefined
  /** Directory of hashed CRL files (`<hash>.r<n>`, as `openssl rehash` names them). */
  readonly sslcrldir?: string | undefined
  /** Send the host name as SNI (default `true`; never for IP literals). */
  readonly sslsni?: boolean | undefined
  /** Default: `TLSv1.2`. */
  readonly sslMinProtocolVersion?: TlsVersion | undefined
  /** Default: the newest version Node supports. */
  readonly sslMaxProtocolVersion?: TlsVersion | undefined
  /** Append the TLS key log (NSS format) to this file, for debugging with Wireshark. */
  readonly sslkeylogfile?: string | undefined
  /**
   * Where libpq's default files live. Default: `~/.postgresql` (`%APPDATA%\postgresql` on
   * Windows).
   */
  readonly defaultsDir?: string | undefined
}

const failTls = (message: string, code?: string, cause?: unknown): PgError.PgError =>
  PgError.make(new PgError.TlsError({ message, code, cause }))

const modeRank: Record<SslMode, number> = {
  disable: 0,
  allow: 1,
  prefer: 2,
  require: 3,
  "verify-ca": 4,
  "verify-full": 5
}

/**
 * Whether `sslmode` `a` is at least as strict as `b`.
 *
 * @category utils
 * @since 0.1.0
 */
export const sslModeAtLeast = (a: SslMode, b: SslMode): boolean => modeRank[a] >= modeRank[b]

/**
 * The `sslmode` in force: the configured one, else `verify-full` with `sslrootcert=system`, else
 * `prefer`.
 *
 * @category utils
 * @since 0.1.0
 */
export const effectiveSslMode = (settings: TlsSettings): SslMode =>
  settings.sslmode ?? (settings.sslrootcert === "system" ? "verify-full" : "prefer")

/**
 * Checks the option combinations libpq refuses before connecting, and returns the `sslmode` in
 * force. Reads no file.
 *
 * - `sslrootcert=system` with an `sslmode` other than `verify-full`;
 * - `sslnegotiation=direct` with an `sslmode` weaker than `require`;
 * - `ssl_min_protocol_version` above `ssl_max_protocol_version`;
 * - `sslcertmode=require` (cannot be checked with Node's TLS API: `Unsupported`).
 *
 * @category validation
 * @since 0.1.0
 */
export const checkTlsSettings = (settings: TlsSettings): Result.Result<SslMode, PgError.PgError> => {
  const mode = effectiveSslMode(settings)
  if (settings.sslrootcert === "system" && mode !== "verify-full") {
    return Result.fail(
      failTls(`weak sslmode "${mode}" may not be used with sslrootcert=system (use "verify-full")`)
    )
  }
  if (settings.sslnegotiation === "direct" && !sslModeAtLeast(mode, "require")) {
    return Result.fail(
      failTls(
        `weak sslmode "${mode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`
      )
    )
  }
  const min = settings.sslMinProtocolVersion ?? "TLSv1.2"
  const max = settings.sslMaxProtocolVersion
  if (max !== undefined && versionRank[min] > versionRank[max]) {
    return Result.fail(failTls(`invalid SSL protocol version range: ${min} > ${max}`))
  }
  if (settings.sslcertmode === "require" && mode !== "disable") {
    return Result.fail(
      PgError.make(
        new PgError.Unsupported({
          feature: "sslcertmode=require",
          message: "sslcertmode=require is not supported: Node's TLS API does not tell whether the server asked for a certificate"
        })
      )
    )
  }
  return Result.succeed(mode)
}

const versionRank: Record<TlsVersion, number> = { TLSv1: 0, "TLSv1.1": 1, "TLSv1.2": 2, "TLSv1.3": 3 }

// -----------------------------------------------------------------------------
// Resolution: files → secure context
// -----------------------------------------------------------------------------

/**
 * A TLS configuration ready for a handshake: the settings checked, the files read, the secure
 * context built. Resolve once per connection attempt (and reuse it for the cancel connection).
 *
 * @category models
 * @since 0.1.0
 */
export interface TlsConfig {
  /** The `sslmode` in force. */
  readonly sslmode: SslMode
  readonly sslnegotiation: SslNegotiation
  /** The host name verified (verify-full) and sent as SNI; `undefined` when there is none. */
  readonly host: string | undefined
  /** Whether the certificate chain is verified (verify-ca, verify-full, or a root file present). */
  readonly verifyChain: boolean
  /** Whether the host name is verified (verify-full). */
  readonly verifyHostName: boolean
  /** Where the trusted roots came from: a file path, `"system"`, or `undefined` (no verification). */
  readonly rootCert: string | undefined
  /** The client certificate file in use, when one is sent. */
  readonly clientCert: string | undefined
  /** The SNI server name, when one is sent. */
  readonly servername: string | undefined
  readonly keyLogFile: string | undefined
  /** The OpenSSL context (CA, client certificate and key, CRLs, protocol versions). */
  readonly secureContext: tls.SecureContext
}

/**
 * libpq's directory of default files: `~/.postgresql`, `%APPDATA%\postgresql` on Windows.
 *
 * @category utils
 * @since 0.1.0
 */
export const defaultTlsDir = (): string =>
  process.platform === "win32"
    ? path.join(process.env.APPDATA ?? os.homedir(), "postgresql")
    : path.join(os.homedir(), ".postgresql")

const statOrUndefined = (file: string): fs.Stats | undefined => {
  try {
    return fs.statSync(file)
  } catch {
    return undefined
  }
}

const isMissing = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === "ENOENT" || code === "ENOTDIR"
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === "string" ? code : undefined
}

const readText = (file: string, what: string): Result.Result<string, PgError.PgError> => {
  try {
    return Result.succeed(fs.readFileSync(file, "utf8"))
  } catch (error) {
    return Result.fail(failTls(`could not read ${what} "${file}": ${errorText(error)}`, errorCode(error)))
  }
}

const systemRoots = (): ReadonlyArray<string> | undefined => {
  const get = (tls as { getCACertificates?: (type: "system") => Array<string> }).getCACertificates
  return typeof get === "function" ? get("system") : undefined
}

const hashedCrlName = /^[0-9a-f]{8}\.r[0-9]+$/

const readCrls = (settings: TlsSettings, dir: string): Result.Result<Array<string>, PgError.PgError> => {
  const crls: Array<string> = []
  const file = settings.sslcrl !== undefined && settings.sslcrl !== ""
    ? settings.sslcrl
    : settings.sslcrldir === undefined || settings.sslcrldir === ""
    ? path.join(dir, "root.crl")
    : undefined
  if (file !== undefined && statOrUndefined(file)?.isFile() === true) {
    const text = readText(file, "SSL certificate revocation list file")
    if (Result.isFailure(text)) return Result.fail(text.failure)
    crls.push(text.success)
  }
  const crlDir = settings.sslcrldir
  if (crlDir !== undefined && crlDir !== "" && statOrUndefined(crlDir)?.isDirectory() === true) {
    let names: Array<string>
    try {
      names = fs.readdirSync(crlDir)
    } catch (error) {
      return Result.fail(
        failTls(`could not read SSL certificate revocation list directory "${crlDir}": ${errorText(error)}`)
      )
    }
    for (const name of names.toSorted()) {
      if (!hashedCrlName.test(name)) continue
      const text = readText(path.join(crlDir, name), "SSL certificate revocation list file")
      if (Result.isFailure(text)) return Result.fail(text.failure)
      crls.push(text.success)
    }
  }
  return Result.succeed(crls)
}

interface ClientIdentity {
  readonly certFile: string
  readonly cert: string
  readonly key: string
}

const readClientIdentity = (
  settings: TlsSettings,
  dir: string
): Result.Result<ClientIdentity | undefined, PgError.PgError> => {
  if (settings.sslcertmode === "disable") return Result.succeed(undefined)
  const certFile = settings.sslcert !== undefined && settings.sslcert !== ""
    ? settings.sslcert
    : path.join(dir, "postgresql.crt")
  let cert: string
  try {
    cert = fs.readFileSync(certFile, "utf8")
  } catch (error) {
    // libpq: a certificate file that does not exist means "no client certificate".
    if (isMissing(error)) return Result.succeed(undefined)
    return Result.fail(failTls(`could not open certificate file "${certFile}": ${errorText(error)}`, errorCode(error)))
  }
  const keyFile = settings.sslkey !== undefined && settings.sslkey !== ""
    ? settings.sslkey
    : path.join(dir, "postgresql.key")
  if (keyFile.startsWith("engine:")) {
    return Result.fail(
      PgError.make(
        new PgError.Unsupported({ feature: "sslkey engine", message: "OpenSSL engine keys (sslkey=engine:…) are not supported" })
      )
    )
  }
  let stat: fs.Stats
  try {
    stat = fs.statSync(keyFile)
  } catch (error) {
    if (isMissing(error)) return Result.fail(failTls(`certificate present, but not private key file "${keyFile}"`))
    return Result.fail(
      failTls(`could not stat private key file "${keyFile}": ${errorText(error)}`, errorCode(error))
    )
  }
  if (!stat.isFile()) return Result.fail(failTls(`private key file "${keyFile}" is not a regular file`))
  if (process.platform !== "win32") {
    // libpq: 0600 or less when owned by the user, 0640 or less when owned by root.
    const tooOpen = stat.uid === 0 ? (stat.mode & 0o037) !== 0 : (stat.mode & 0o077) !== 0
    if (tooOpen) {
      return Result.fail(
        failTls(
          `private key file "${keyFile}" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root`
        )
      )
    }
  }
  const key = readText(keyFile, "private key file")
  if (Result.isFailure(key)) return Result.fail(key.failure)
  try {
    // Fails early, with a clear message, for a wrong or missing passphrase.
    createPrivateKey({ key: key.success, format: "pem", passphrase: passphraseOf(settings) })
  } catch (error) {
    return Result.fail(failTls(`could not load private key file "${keyFile}": ${errorText(error)}`, errorCode(error)))
  }
  return Result.succeed({ certFile, cert, key: key.success })
}

// libpq hands OpenSSL an empty passphrase when none is configured (no terminal prompt).
const passphraseOf = (settings: TlsSettings): string =>
  settings.sslpassword === undefined ? "" : Redacted.value(settings.sslpassword)

const isIpLiteral = (host: string): boolean => net.isIP(host) !== 0 || /^[0-9.]+$/.test(host) || host.includes(":")

/**
 * Reads the files `settings` name (or libpq's defaults), checks them, and builds the TLS
 * configuration for a handshake with `host` (the name verified and sent as SNI; the target's
 * `host`, not its `hostaddr`).
 *
 * Fails with `TlsError` for configuration problems (unreadable files, a missing root file under
 * `verify-ca`/`verify-full`, a bad key or passphrase, `verify-full` without a host name) and with
 * `Unsupported` for `sslcertmode=require` and engine keys.
 *
 * @category constructors
 * @since 0.1.0
 */
export const resolveTls = Effect.fnUntraced(function*(
  settings: TlsSettings,
  host: string | undefined
): Effect.fn.Return<TlsConfig, PgError.PgError> {
  const checked = checkTlsSettings(settings)
  if (Result.isFailure(checked)) return yield* Effect.fail(checked.failure)
  return yield* Effect.suspend(() => {
    const result = buildConfig(settings, checked.success, host)
    return Result.isSuccess(result) ? Effect.succeed(result.success) : Effect.fail(result.failure)
  })
})

const buildConfig = (
  settings: TlsSettings,
  sslmode: SslMode,
  host: string | undefined
): Result.Result<TlsConfig, PgError.PgError> => {
  const dir = settings.defaultsDir ?? defaultTlsDir()
  const verifying = sslmode === "verify-ca" || sslmode === "verify-full"
  const hostName = host === undefined || host === "" ? undefined : host

  // Trusted roots.
  let ca: ReadonlyArray<string> | string | undefined
  let rootCert: string | undefined
  if (settings.sslrootcert === "system") {
    ca = systemRoots()
    rootCert = "system"
  } else {
    const file = settings.sslrootcert !== undefined && settings.sslrootcert !== ""
      ? settings.sslrootcert
      : path.join(dir, "root.crt")
    if (statOrUndefined(file) !== undefined) {
      const text = readText(file, "root certificate file")
      if (Result.isFailure(text)) return Result.fail(text.failure)
      ca = text.success
      rootCert = file
    } else if (verifying) {
      return Result.fail(
        failTls(
          `root certificate file "${file}" does not exist\nEither provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.`
        )
      )
    }
  }
  const verifyChain = rootCert !== undefined
  const verifyHostName = sslmode === "verify-full"
  if (verifyHostName && hostName === undefined) {
    return Result.fail(failTls("host name must be specified for a verified SSL connection"))
  }

  const crls = verifyChain ? readCrls(settings, dir) : Result.succeed<Array<string>>([])
  if (Result.isFailure(crls)) return Result.fail(crls.failure)

  const identity = readClientIdentity(settings, dir)
  if (Result.isFailure(identity)) return Result.fail(identity.failure)
  const client = identity.success

  let secureContext: tls.SecureContext
  try {
    secureContext = tls.createSecureContext({
      ...(ca === undefined ? {} : { ca: typeof ca === "string" ? ca : [...ca] }),
      ...(crls.success.length === 0 ? {} : { crl: crls.success }),
      ...(client === undefined
        ? {}
        : { cert: client.cert, key: client.key, passphrase: passphraseOf(settings) }),
      minVersion: settings.sslMinProtocolVersion ?? "TLSv1.2",
      ...(settings.sslMaxProtocolVersion === undefined ? {} : { maxVersion: settings.sslMaxProtocolVersion })
    })
  } catch (error) {
    return Result.fail(failTls(`could not set up the TLS context: ${errorText(error)}`, errorCode(error)))
  }

  const servername = settings.sslsni !== false && hostName !== undefined && !isIpLiteral(hostName)
    ? hostName
    : undefined
  return Result.succeed({
    sslmode,
    sslnegotiation: settings.sslnegotiation ?? "postgres",
    host: hostName,
    verifyChain,
    verifyHostName,
    rootCert,
    clientCert: client?.certFile,
    servername,
    keyLogFile: settings.sslkeylogfile === "" ? undefined : settings.sslkeylogfile,
    secureContext
  })
}

// -----------------------------------------------------------------------------
// Handshake
// -----------------------------------------------------------------------------

/**
 * The ALPN protocol PostgreSQL 17+ servers select.
 *
 * @category constants
 * @since 0.1.0
 */
export const ALPN_PROTOCOL = "postgresql"

/** Marks the error our host-name check returns, so the handshake failure keeps its message. */
class HostNameMismatch extends Error {
  readonly code = "ERR_TLS_CERT_ALTNAME_INVALID"
}

/**
 * `tls.connect` options for a handshake over `socket` (a connected plain socket) with `config`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const tlsConnectOptions = (config: TlsConfig, socket: net.Socket): tls.ConnectionOptions => ({
  socket,
  secureContext: config.secureContext,
  ALPNProtocols: [ALPN_PROTOCOL],
  ...(config.servername === undefined ? {} : { servername: config.servername }),
  rejectUnauthorized: config.verifyChain,
  checkServerIdentity: (_name, cert) => {
    if (!config.verifyHostName) return undefined
    const message = matchHostName(config.host ?? "", cert)
    return message === undefined ? undefined : new HostNameMismatch(message)
  }
})

/**
 * Checks the negotiated ALPN protocol after a handshake: `direct` requires `postgresql`; any other
 * selected protocol is always an error.
 *
 * @category validation
 * @since 0.1.0
 */
export const checkAlpn = (config: TlsConfig, alpnProtocol: string | false | null | undefined): PgError.PgError | undefined => {
  if (typeof alpnProtocol === "string" && alpnProtocol !== ALPN_PROTOCOL) {
    return failTls(`server selected unexpected ALPN protocol "${alpnProtocol}"`)
  }
  if (config.sslnegotiation === "direct" && alpnProtocol !== ALPN_PROTOCOL) {
    return failTls("direct SSL connection was established without ALPN protocol negotiation extension")
  }
  return undefined
}

/** OpenSSL certificate-verification failures, as Node reports them in `error.code`. */
const verifyCodes = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_CRL",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CRL_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CRL_NOT_YET_VALID",
  "CRL_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD",
  "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH"
])

/**
 * Maps a failed handshake to a `PgError`: certificate problems and TLS alerts to `TlsError`, a
 * socket failure during the handshake (reset, broken pipe) to `ConnectionError`.
 *
 * @category errors
 * @since 0.1.0
 */
export const handshakeError = (
  error: unknown,
  where: { readonly host?: string | undefined; readonly port?: number | undefined }
): PgError.PgError => {
  if (error instanceof HostNameMismatch) return failTls(error.message, error.code)
  const code = errorCode(error)
  const text = errorText(error)
  if (code !== undefined && verifyCodes.has(code)) {
    return failTls(`SSL error: certificate verify failed: ${text}`, code, error)
  }
  if (code !== undefined && /^E[A-Z]+$/.test(code)) {
    return PgError.make(
      new PgError.ConnectionError({
        message: `SSL SYSCALL error during the TLS handshake: ${text}`,
        code,
        host: where.host,
        port: where.port,
        cause: error
      })
    )
  }
  return failTls(`SSL error: ${text}`, code, error)
}

// -----------------------------------------------------------------------------
// Host-name verification (libpq rules)
// -----------------------------------------------------------------------------

/**
 * The parts of a peer certificate the host-name check reads (Node's `PeerCertificate` has them).
 *
 * @category models
 * @since 0.1.0
 */
export interface CertificateNames {
  readonly subject?: { readonly CN?: string | ReadonlyArray<string> | undefined } | undefined
  /** Node's rendering of the SAN extension: `DNS:a, IP Address:127.0.0.1, …` (values may be JSON-quoted). */
  readonly subjectaltname?: string | undefined
}

/**
 * Splits Node's `subjectaltname` string into entries (`DNS:x`, `IP Address:y`, …), undoing the
 * JSON quoting Node applies to values with special characters. Returns `undefined` for a string
 * that cannot be parsed.
 *
 * @category utils
 * @since 0.1.0
 */
export const splitAltNames = (text: string): Array<string> | undefined => {
  const out: Array<string> = []
  let i = 0
  while (i < text.length) {
    let entry = ""
    while (i < text.length) {
      const c = text[i]!
      if (c === "\"") {
        let j = i + 1
        while (j < text.length && text[j] !== "\"") j += text[j] === "\\" ? 2 : 1
        if (j >= text.length) return undefined
        try {
          entry += JSON.parse(text.slice(i, j + 1)) as string
        } catch {
          return undefined
        }
        i = j + 1
      } else if (c === "," && text[i + 1] === " ") {
        i += 2
        break
      } else {
        entry += c
        i++
      }
    }
    out.push(entry)
  }
  return out
}

const normalizeIp = (text: string): string | undefined => {
  const family = net.isIP(text)
  if (family === 0) return undefined
  try {
    return new net.SocketAddress({ address: text, family: family === 4 ? "ipv4" : "ipv6" }).address
  } catch {
    return undefined
  }
}

/**
 * libpq's wildcard rule: the pattern is `*.` + suffix, the suffix matches the end of the host
 * case-insensitively, and the `*` covers exactly one non-empty label.
 */
const wildcardMatch = (pattern: string, host: string): boolean => {
  if (pattern.length < 3 || pattern[0] !== "*" || pattern[1] !== ".") return false
  if (pattern.length > host.length) return false
  const suffix = pattern.slice(1).toLowerCase()
  const start = host.length - suffix.length
  if (host.slice(start).toLowerCase() !== suffix) return false
  const firstDot = host.indexOf(".")
  return firstDot >= start
}

const nameMatches = (name: string, host: string): boolean =>
  !name.includes("\0") && (name.toLowerCase() === host.toLowerCase() || wildcardMatch(name, host))

/**
 * libpq's verify-full host-name check. Returns `undefined` when the certificate matches `host`,
 * otherwise the error message.
 *
 * dNSName SANs are compared with the host (also when the host is an IP literal: libpq compares
 * the text); iPAddress SANs with an IP-literal host, as addresses; the Common Name only when the
 * certificate has no SAN of the host's own type.
 *
 * @category validation
 * @since 0.1.0
 */
export const matchHostName = (host: string, cert: CertificateNames): string | undefined => {
  if (host === "") return "host name must be specified for a verified SSL connection"
  const hostIp = normalizeIp(host)
  const examined: Array<string> = []
  let checkCn = true
  const alt = cert.subjectaltname
  if (alt !== undefined && alt !== "") {
    const entries = splitAltNames(alt)
    if (entries === undefined) return "could not parse the server certificate's subject alternative names"
    for (const entry of entries) {
      if (entry.startsWith("DNS:")) {
        const name = entry.slice(4)
        examined.push(name)
        if (hostIp === undefined) checkCn = false
        if (nameMatches(name, host)) return undefined
      } else if (entry.startsWith("IP Address:")) {
        const name = entry.slice(11)
        examined.push(name)
        if (hostIp !== undefined) {
          checkCn = false
          if (normalizeIp(name) === hostIp) return undefined
        }
      }
    }
  }
  if (checkCn) {
    const cn = cert.subject?.CN
    const first = typeof cn === "string" ? cn : cn?.[0]
    if (first !== undefined) {
      examined.push(first)
      if (nameMatches(first, host)) return undefined
    }
  }
  if (examined.length === 0) return "could not get server's host name from server certificate"
  const others = examined.length - 1
  return others === 0
    ? `server certificate for "${examined[0]}" does not match host name "${host}"`
    : `server certificate for "${examined[0]}" (and ${others} other name${others === 1 ? "" : "s"}) does not match host name "${host}"`
}

// -----------------------------------------------------------------------------
// Channel binding
// -----------------------------------------------------------------------------

/**
 * The `tls-server-end-point` channel-binding data (RFC 5929 §4.1) for SCRAM-SHA-256-PLUS: the
 * server certificate's DER hashed with the hash of its signature algorithm (MD5 and SHA-1 become
 * SHA-256).
 *
 * **Gotchas**
 * Fails with `AuthError` (`UnsupportedCertificate`) for certificates without a single signature
 * hash (RSA-PSS, Ed25519, Ed448) or bytes that are not a certificate: channel binding is then
 * unavailable on this connection.
 *
 * @category utils
 * @since 0.1.0
 */
export const tlsServerEndPointData = (
  peerCertificateDer: Uint8Array
): Result.Result<Uint8Array, PgAuth.AuthError> =>
  Result.map(
    PgAuth.tlsServerEndPointHash(peerCertificateDer),
    (hash) => new Uint8Array(createHash(hash).update(peerCertificateDer).digest())
  )
