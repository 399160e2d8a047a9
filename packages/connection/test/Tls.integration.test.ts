/**
 * TLS against the real server and its per-run certificates: every `sslmode`, CA and host-name
 * verification, the TLS-only `ssl` role, the client-certificate `cert` role, direct TLS
 * negotiation (`sslnegotiation=direct`, PostgreSQL 17+), and `encrypted` checked against the
 * server's own view (`pg_stat_ssl`).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgConnection from "../src/PgConnection.ts"
import type * as PgError from "../src/PgError.ts"

const server = pgServer()
const tls = server.tls
const noTls = tls === undefined ? `no TLS files known for ${server.description}` : undefined
const superuser = server.requireRole("superuser")

/** key=value conninfo for the superuser over TCP, plus `extra`. */
const kv = (extra: string, host = server.host) =>
  `host=${host} port=${server.port} user=${superuser.user} dbname=${server.database} ${extra}`

/** What the server says about this session's encryption. */
const serverSideSsl = (c: PgConnection.PgConnection) =>
  Effect.map(
    c.execute<{ ssl: boolean; version: string | null }>("select ssl, version from pg_stat_ssl where pid = pg_backend_pid()"),
    (r) => r.rows[0]!
  )

const tlsReason = (error: PgError.PgError) => error.reason._tag

describe.skipIf(noTls)("sslmode", () => {
  it.live("disable: no TLS", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(kv("sslmode=disable"))
      assert.isFalse(c.encrypted)
      assert.isFalse((yield* serverSideSsl(c)).ssl)
    }))

  it.live("allow: no TLS (the server accepts plaintext)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(kv("sslmode=allow"))
      assert.isFalse(c.encrypted)
      assert.isFalse((yield* serverSideSsl(c)).ssl)
    }))

  it.live("prefer (the default): TLS", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(kv("sslmode=prefer"))
      assert.isTrue(c.encrypted)
      const s = yield* serverSideSsl(c)
      assert.isTrue(s.ssl)
      assert.match(s.version ?? "", /^TLSv1\.[23]$/)
      const d = yield* PgConnection.make(kv(""))
      assert.isTrue(d.encrypted)
    }))

  it.live("require: the test CA is not trusted, but require does not verify", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(kv("sslmode=require"))
      assert.isTrue(c.encrypted)
      assert.isTrue((yield* serverSideSsl(c)).ssl)
    }))

  it.live("verify-ca with sslrootcert succeeds; without it fails", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(kv(`sslmode=verify-ca sslrootcert=${tls!.caCert}`))
      assert.isTrue(c.encrypted)
      assert.isTrue((yield* serverSideSsl(c)).ssl)
      const missing = yield* Effect.flip(PgConnection.make(kv("sslmode=verify-ca sslrootcert=/nonexistent/root.crt")))
      assert.strictEqual(tlsReason(missing), "TlsError")
      // A CA that did not sign the server certificate: the server's own certificate is a leaf.
      const wrongCa = yield* Effect.flip(PgConnection.make(kv(`sslmode=verify-ca sslrootcert=${tls!.clientCert}`)))
      assert.strictEqual(tlsReason(wrongCa), "TlsError")
    }))

  it.live("verify-full with host=localhost succeeds; a wrong host name fails", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(kv(`sslmode=verify-full sslrootcert=${tls!.caCert}`, "localhost"))
      assert.isTrue(c.encrypted)
      const ip = yield* PgConnection.make(kv(`sslmode=verify-full sslrootcert=${tls!.caCert}`, "127.0.0.1"))
      assert.isTrue(ip.encrypted)
      const wrong = yield* Effect.flip(
        PgConnection.make(kv(`sslmode=verify-full sslrootcert=${tls!.caCert} hostaddr=127.0.0.1`, "wrong.example"))
      )
      assert.strictEqual(tlsReason(wrong), "TlsError")
      assert.match(wrong.message, /wrong\.example/)
      // verify-ca does not check the name.
      const ca = yield* PgConnection.make(kv(`sslmode=verify-ca sslrootcert=${tls!.caCert} hostaddr=127.0.0.1`, "wrong.example"))
      assert.isTrue(ca.encrypted)
    }))

  it.live("sslnegotiation=direct (PostgreSQL 17+) with sslmode=require", () =>
    Effect.gen(function*() {
      if ((server.version?.major ?? 0) < 17) return
      const c = yield* PgConnection.make(kv("sslmode=require sslnegotiation=direct"))
      assert.isTrue(c.encrypted)
      assert.isTrue((yield* serverSideSsl(c)).ssl)
      const full = yield* PgConnection.make(kv(`sslmode=verify-full sslrootcert=${tls!.caCert} sslnegotiation=direct`, "localhost"))
      assert.isTrue(full.encrypted)
    }))

  it.live("sslnegotiation=direct requires sslmode require or stronger", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(kv("sslmode=prefer sslnegotiation=direct")))
      assert.include(["ConfigError", "TlsError"], error.reason._tag)
    }))

  it.live("ssl_min_protocol_version / ssl_max_protocol_version", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(kv("sslmode=require ssl_min_protocol_version=TLSv1.3"))
      assert.strictEqual((yield* serverSideSsl(c)).version, "TLSv1.3")
      const d = yield* PgConnection.make(kv("sslmode=require ssl_max_protocol_version=TLSv1.2"))
      assert.strictEqual((yield* serverSideSsl(d)).version, "TLSv1.2")
    }))

  it.live.skipIf(server.socketDir === undefined)("the unix socket never uses TLS (even under require)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(`${server.connectionString("superuser", { via: "socket" })}?sslmode=require`)
      assert.isFalse(c.encrypted)
    }))
})

describe.skipIf(noTls)("TLS-only roles", () => {
  it.live.skipIf(server.skipReason("ssl"))("the ssl role refuses plaintext and works over TLS", () =>
    Effect.gen(function*() {
      const plain = yield* Effect.flip(PgConnection.make(server.connectionString("ssl", { sslmode: "disable" })))
      assert.strictEqual(plain.reason._tag, "AuthenticationError")
      assert.strictEqual((plain.reason as PgError.AuthenticationError).code, "28000")
      const c = yield* PgConnection.make(server.connectionString("ssl"))
      assert.isTrue(c.encrypted)
      const r = yield* c.execute<{ u: string }>("select current_user as u")
      assert.strictEqual(r.rows[0]!.u, server.requireRole("ssl").user)
      // prefer falls back correctly in the other direction too: TLS first, accepted.
      const p = yield* PgConnection.make(server.connectionString("ssl", { sslmode: "prefer" }))
      assert.isTrue(p.encrypted)
      // allow: plaintext first (refused by pg_hba), then TLS (libpq's second attempt).
      const a = yield* PgConnection.make(server.connectionString("ssl", { sslmode: "allow" }))
      assert.isTrue(a.encrypted)
    }))

  it.live.skipIf(server.skipReason("cert"))("the cert role works with a client certificate and fails without", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(server.connectionString("cert"))
      assert.isTrue(c.encrypted)
      const r = yield* c.execute<{ u: string; dn: string | null }>(
        "select current_user as u, client_dn as dn from pg_stat_ssl where pid = pg_backend_pid()"
      )
      assert.strictEqual(r.rows[0]!.u, "pgfx_cert")
      assert.match(r.rows[0]!.dn ?? "", /CN=pgfx_cert/)
      const user = server.requireRole("cert").user
      const without = yield* Effect.flip(
        PgConnection.make(
          `host=localhost port=${server.port} user=${user} dbname=${server.database} sslmode=verify-full sslrootcert=${tls!.caCert}`
        )
      )
      assert.strictEqual(without.reason._tag, "AuthenticationError")
      // sslcertmode=disable never sends the certificate, even when one is configured.
      const disabled = yield* Effect.flip(PgConnection.make(`${server.connectionString("cert")}&sslcertmode=disable`))
      assert.strictEqual(disabled.reason._tag, "AuthenticationError")
      // sslcertmode=require cannot be checked with Node's TLS API: refused up front (documented).
      const insisted = yield* Effect.flip(PgConnection.make(`${server.connectionString("cert")}&sslcertmode=require`))
      assert.strictEqual(insisted.reason._tag, "Unsupported")
    }))
})
