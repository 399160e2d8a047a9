import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { createHash, X509Certificate } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { generate } from "../../../test/node_modules/selfsigned/index.js"
import type * as PgError from "../src/PgError.ts"
import {
  checkTlsSettings,
  effectiveSslMode,
  matchHostName,
  resolveTls,
  splitAltNames,
  type TlsConfig,
  tlsServerEndPointData,
  type TlsSettings
} from "../src/internal/tls.ts"

// -----------------------------------------------------------------------------
// Throwaway certificates
// -----------------------------------------------------------------------------

let dir: string
let caFile: string
let certFile: string
let keyFile: string
let encKeyFile: string
let serverCertPem: string
let ecCertPem: string
const PASSWORD = "correct horse battery staple"

const write = (name: string, text: string, mode = 0o600): string => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, text, { mode })
  fs.chmodSync(file, mode)
  return file
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgfx-tls-"))
  const ca = await generate([{ name: "commonName", value: "pgfx test CA" }], {
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
    ]
  })
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }]
  })
  const client = await generate([{ name: "commonName", value: "pgfx-client" }], {
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert }
  })
  const encrypted = await generate([{ name: "commonName", value: "pgfx-client" }], {
    algorithm: "sha256",
    ca: { key: ca.private, cert: ca.cert },
    passphrase: PASSWORD
  })
  const ec = await generate([{ name: "commonName", value: "ec.example" }], {
    keyType: "ec",
    curve: "P-384",
    algorithm: "sha384"
  })
  serverCertPem = server.cert
  ecCertPem = ec.cert
  caFile = write("ca.crt", ca.cert, 0o644)
  certFile = write("client.crt", client.cert, 0o644)
  keyFile = write("client.key", client.private)
  write("enc.crt", encrypted.cert, 0o644)
  encKeyFile = write("enc.key", encrypted.private)
})

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const none = "/nonexistent-pgfx-dir"

const failureOf = <A>(exit: Exit.Exit<A, PgError.PgError>): PgError.PgError => {
  if (Exit.isSuccess(exit)) assert.fail("expected a failure")
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (error === undefined || error._tag !== "Fail") assert.fail(`expected a typed failure, got ${String(exit.cause)}`)
  return error.error
}

const resolve = (settings: TlsSettings, host: string | undefined = "localhost") =>
  Effect.exit(resolveTls(settings, host))

const resolved = (exit: Exit.Exit<TlsConfig, PgError.PgError>): TlsConfig => {
  if (Exit.isFailure(exit)) assert.fail(`expected success, got ${String(exit.cause)}`)
  return exit.value
}

// -----------------------------------------------------------------------------
// Settings
// -----------------------------------------------------------------------------

describe("sslmode rules", () => {
  it("defaults to prefer, and to verify-full with sslrootcert=system", () => {
    assert.strictEqual(effectiveSslMode({}), "prefer")
    assert.strictEqual(effectiveSslMode({ sslrootcert: "system" }), "verify-full")
    assert.strictEqual(effectiveSslMode({ sslrootcert: "system", sslmode: "require" }), "require")
  })

  it("sslrootcert=system with a weaker sslmode is a configuration error", () => {
    for (const sslmode of ["disable", "allow", "prefer", "require", "verify-ca"] as const) {
      const result = checkTlsSettings({ sslrootcert: "system", sslmode })
      assert.isTrue(Result.isFailure(result), sslmode)
      if (Result.isFailure(result)) {
        assert.strictEqual(result.failure.reason._tag, "TlsError")
        assert.include(result.failure.message, "sslrootcert=system")
      }
    }
    assert.deepStrictEqual(checkTlsSettings({ sslrootcert: "system" }), Result.succeed("verify-full"))
  })

  it("sslnegotiation=direct needs sslmode require or stronger", () => {
    for (const sslmode of ["disable", "allow", "prefer"] as const) {
      assert.isTrue(Result.isFailure(checkTlsSettings({ sslnegotiation: "direct", sslmode })), sslmode)
    }
    assert.isTrue(Result.isFailure(checkTlsSettings({ sslnegotiation: "direct" })))
    assert.isTrue(Result.isSuccess(checkTlsSettings({ sslnegotiation: "direct", sslmode: "require" })))
  })

  it("rejects an inverted protocol range and sslcertmode=require", () => {
    const range = checkTlsSettings({ sslMinProtocolVersion: "TLSv1.3", sslMaxProtocolVersion: "TLSv1.2" })
    assert.isTrue(Result.isFailure(range))
    const certmode = checkTlsSettings({ sslcertmode: "require" })
    assert.isTrue(Result.isFailure(certmode))
    if (Result.isFailure(certmode)) assert.strictEqual(certmode.failure.reason._tag, "Unsupported")
  })
})

// -----------------------------------------------------------------------------
// Host names
// -----------------------------------------------------------------------------

const san = (subjectaltname: string, CN?: string) => ({ subjectaltname, subject: CN === undefined ? {} : { CN } })

describe("matchHostName (libpq verify-full rules)", () => {
  it("matches dNSName SANs exactly, case-insensitively", () => {
    assert.isUndefined(matchHostName("db.example.com", san("DNS:db.example.com")))
    assert.isUndefined(matchHostName("DB.Example.COM", san("DNS:other.test, DNS:db.example.com")))
    assert.strictEqual(
      matchHostName("db.example.org", san("DNS:db.example.com")),
      "server certificate for \"db.example.com\" does not match host name \"db.example.org\""
    )
  })

  it("a leading *. covers exactly one label", () => {
    const cert = san("DNS:*.example.com")
    assert.isUndefined(matchHostName("db.example.com", cert))
    assert.isDefined(matchHostName("example.com", cert))
    assert.isDefined(matchHostName("a.db.example.com", cert))
    assert.isDefined(matchHostName("db.example.com", san("DNS:d*.example.com")))
  })

  it("the Common Name counts only without a SAN of the host's type", () => {
    assert.isUndefined(matchHostName("db.example.com", san("", "db.example.com")))
    assert.isUndefined(matchHostName("db.example.com", { subject: { CN: "db.example.com" } }))
    assert.strictEqual(
      matchHostName("db.example.com", san("DNS:other.example.com", "db.example.com")),
      "server certificate for \"other.example.com\" does not match host name \"db.example.com\""
    )
    // An IP SAN does not hide the CN from a DNS host name.
    assert.isUndefined(matchHostName("db.example.com", san("IP Address:10.0.0.1", "db.example.com")))
  })

  it("IP hosts match iPAddress SANs as addresses, dNSName SANs as text, the CN without IP SANs", () => {
    assert.isUndefined(matchHostName("127.0.0.1", san("DNS:localhost, IP Address:127.0.0.1")))
    assert.isUndefined(matchHostName("::1", san("IP Address:0:0:0:0:0:0:0:1")))
    assert.isUndefined(matchHostName("0:0::1", san("IP Address:::1")))
    assert.isDefined(matchHostName("127.0.0.2", san("IP Address:127.0.0.1")))
    assert.isUndefined(matchHostName("10.1.2.3", san("DNS:10.1.2.3")))
    assert.isUndefined(matchHostName("10.1.2.3", san("DNS:db.example.com", "10.1.2.3")))
    assert.isDefined(matchHostName("10.1.2.3", san("IP Address:10.9.9.9", "10.1.2.3")))
  })

  it("names every examined name in the error, and needs a host", () => {
    assert.strictEqual(
      matchHostName("x.test", san("DNS:a.test, DNS:b.test, IP Address:10.0.0.1")),
      "server certificate for \"a.test\" (and 2 other names) does not match host name \"x.test\""
    )
    assert.strictEqual(
      matchHostName("x.test", san("DNS:a.test, IP Address:10.0.0.1")),
      "server certificate for \"a.test\" (and 1 other name) does not match host name \"x.test\""
    )
    assert.strictEqual(matchHostName("x.test", {}), "could not get server's host name from server certificate")
    assert.strictEqual(matchHostName("", san("DNS:a.test")), "host name must be specified for a verified SSL connection")
  })

  it("splits Node's SAN rendering, including JSON-quoted values", () => {
    assert.deepStrictEqual(splitAltNames("DNS:a, IP Address:1.2.3.4"), ["DNS:a", "IP Address:1.2.3.4"])
    assert.deepStrictEqual(splitAltNames("DNS:\"a, b\", DNS:c"), ["DNS:a, b", "DNS:c"])
    assert.deepStrictEqual(splitAltNames("URI:\"x\\\"y\""), ["URI:x\"y"])
    assert.isUndefined(splitAltNames("DNS:\"unterminated"))
    // A quoted comma must not split the name into something that matches.
    assert.isDefined(matchHostName("b", san("DNS:\"a, DNS:b\"")))
  })

  it("reads a real certificate's names", () => {
    const x = new X509Certificate(serverCertPem)
    const cert = { subjectaltname: x.subjectAltName, subject: { CN: "localhost" } }
    assert.isUndefined(matchHostName("localhost", cert))
    assert.isUndefined(matchHostName("127.0.0.1", cert))
    assert.isDefined(matchHostName("example.com", cert))
  })
})

// -----------------------------------------------------------------------------
// Resolution
// -----------------------------------------------------------------------------

describe("resolveTls", () => {
  it.effect("require without a root file does not verify", () =>
    Effect.gen(function*() {
      const config = resolved(yield* resolve({ sslmode: "require", defaultsDir: none }))
      assert.isFalse(config.verifyChain)
      assert.isFalse(config.verifyHostName)
      assert.isUndefined(config.rootCert)
      assert.isUndefined(config.clientCert)
      assert.strictEqual(config.servername, "localhost")
    }))

  it.effect("a root file present makes require (and prefer) verify the chain", () =>
    Effect.gen(function*() {
      const defaults = fs.mkdtempSync(path.join(dir, "defaults-"))
      fs.copyFileSync(caFile, path.join(defaults, "root.crt"))
      for (const sslmode of ["allow", "prefer", "require", "verify-ca"] as const) {
        const config = resolved(yield* resolve({ sslmode, defaultsDir: defaults }))
        assert.isTrue(config.verifyChain, sslmode)
        assert.isFalse(config.verifyHostName, sslmode)
        assert.strictEqual(config.rootCert, path.join(defaults, "root.crt"))
      }
      const explicit = resolved(yield* resolve({ sslmode: "require", sslrootcert: caFile, defaultsDir: none }))
      assert.isTrue(explicit.verifyChain)
      // An explicitly named root file that does not exist: no verification under require.
      const missing = resolved(yield* resolve({ sslmode: "require", sslrootcert: path.join(dir, "nope.crt") }))
      assert.isFalse(missing.verifyChain)
    }))

  it.effect("verify-ca and verify-full need a root file", () =>
    Effect.gen(function*() {
      for (const sslmode of ["verify-ca", "verify-full"] as const) {
        const error = failureOf(yield* resolve({ sslmode, defaultsDir: none }))
        assert.strictEqual(error.reason._tag, "TlsError")
        assert.include(error.message, `root certificate file "${path.join(none, "root.crt")}" does not exist`)
      }
      const full = resolved(yield* resolve({ sslmode: "verify-full", sslrootcert: caFile }))
      assert.isTrue(full.verifyChain)
      assert.isTrue(full.verifyHostName)
    }))

  it.effect("verify-full needs a host name", () =>
    Effect.gen(function*() {
      const error = failureOf(yield* resolve({ sslmode: "verify-full", sslrootcert: caFile }, ""))
      assert.include(error.message, "host name must be specified")
    }))

  it.effect("sslrootcert=system uses the system store and verify-full", () =>
    Effect.gen(function*() {
      const config = resolved(yield* resolve({ sslrootcert: "system" }))
      assert.strictEqual(config.sslmode, "verify-full")
      assert.strictEqual(config.rootCert, "system")
      assert.isTrue(config.verifyChain && config.verifyHostName)
      const error = failureOf(yield* resolve({ sslrootcert: "system", sslmode: "require" }))
      assert.include(error.message, "weak sslmode \"require\" may not be used with sslrootcert=system")
    }))

  it.effect("SNI is the host name, never an IP literal, and can be turned off", () =>
    Effect.gen(function*() {
      assert.strictEqual(resolved(yield* resolve({ sslmode: "require" }, "db.example.com")).servername, "db.example.com")
      assert.isUndefined(resolved(yield* resolve({ sslmode: "require" }, "127.0.0.1")).servername)
      assert.isUndefined(resolved(yield* resolve({ sslmode: "require" }, "::1")).servername)
      assert.isUndefined(resolved(yield* resolve({ sslmode: "require", sslsni: false }, "db.example.com")).servername)
    }))

  it.effect("a client certificate is used when its file exists", () =>
    Effect.gen(function*() {
      const config = resolved(yield* resolve({ sslmode: "require", sslcert: certFile, sslkey: keyFile }))
      assert.strictEqual(config.clientCert, certFile)
      // libpq: a named certificate file that does not exist means no client certificate.
      const missing = resolved(yield* resolve({ sslmode: "require", sslcert: path.join(dir, "nope.crt") }))
      assert.isUndefined(missing.clientCert)
      const disabled = resolved(
        yield* resolve({ sslmode: "require", sslcert: certFile, sslkey: keyFile, sslcertmode: "disable" })
      )
      assert.isUndefined(disabled.clientCert)
    }))

  it.effect("libpq's default client files are found in the defaults directory", () =>
    Effect.gen(function*() {
      const defaults = fs.mkdtempSync(path.join(dir, "defaults-"))
      fs.copyFileSync(certFile, path.join(defaults, "postgresql.crt"))
      const noKey = failureOf(yield* resolve({ sslmode: "require", defaultsDir: defaults }))
      assert.include(noKey.message, "certificate present, but not private key file")
      fs.copyFileSync(keyFile, path.join(defaults, "postgresql.key"))
      fs.chmodSync(path.join(defaults, "postgresql.key"), 0o600)
      const config = resolved(yield* resolve({ sslmode: "require", defaultsDir: defaults }))
      assert.strictEqual(config.clientCert, path.join(defaults, "postgresql.crt"))
    }))

  it.effect("refuses a key file with group or world access", () =>
    Effect.gen(function*() {
      const open = path.join(dir, "open.key")
      fs.copyFileSync(keyFile, open)
      fs.chmodSync(open, 0o644)
      const error = failureOf(yield* resolve({ sslmode: "require", sslcert: certFile, sslkey: open }))
      assert.include(error.message, "has group or world access")
      if (process.getuid?.() === 0) {
        // Owned by root: 0640 is allowed.
        fs.chmodSync(open, 0o640)
        resolved(yield* resolve({ sslmode: "require", sslcert: certFile, sslkey: open }))
      }
    }))

  it.effect("an encrypted key opens with sslpassword, and the password never shows in errors", () =>
    Effect.gen(function*() {
      const encCert = path.join(dir, "enc.crt")
      const ok = resolved(
        yield* resolve({ sslmode: "require", sslcert: encCert, sslkey: encKeyFile, sslpassword: Redacted.make(PASSWORD) })
      )
      assert.strictEqual(ok.clientCert, encCert)
      const wrong = failureOf(
        yield* resolve({ sslmode: "require", sslcert: encCert, sslkey: encKeyFile, sslpassword: Redacted.make("wrong-pass") })
      )
      assert.strictEqual(wrong.reason._tag, "TlsError")
      assert.include(wrong.message, `could not load private key file "${encKeyFile}"`)
      assert.notInclude(String(wrong) + JSON.stringify(wrong), "wrong-pass")
      const missing = failureOf(yield* resolve({ sslmode: "require", sslcert: encCert, sslkey: encKeyFile }))
      assert.include(missing.message, "could not load private key file")
    }))

  it.effect("engine keys are unsupported", () =>
    Effect.gen(function*() {
      const error = failureOf(yield* resolve({ sslmode: "require", sslcert: certFile, sslkey: "engine:pkcs11:id" }))
      assert.strictEqual(error.reason._tag, "Unsupported")
    }))
})

// -----------------------------------------------------------------------------
// Channel binding
// -----------------------------------------------------------------------------

describe("tlsServerEndPointData", () => {
  it("is sha256(DER) for an RSA-SHA256 certificate", () => {
    const der = new Uint8Array(new X509Certificate(serverCertPem).raw)
    const data = tlsServerEndPointData(der)
    assert.isTrue(Result.isSuccess(data))
    if (Result.isSuccess(data)) {
      assert.deepStrictEqual(data.success, new Uint8Array(createHash("sha256").update(der).digest()))
    }
  })

  it("follows the signature hash (ECDSA-SHA384 → sha384)", () => {
    const der = new Uint8Array(new X509Certificate(ecCertPem).raw)
    const data = tlsServerEndPointData(der)
    assert.isTrue(Result.isSuccess(data))
    if (Result.isSuccess(data)) {
      assert.deepStrictEqual(data.success, new Uint8Array(createHash("sha384").update(der).digest()))
    }
  })

  it("fails for bytes that are not a certificate", () => {
    assert.isTrue(Result.isFailure(tlsServerEndPointData(new Uint8Array([1, 2, 3]))))
  })
})
