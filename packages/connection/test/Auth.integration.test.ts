/**
 * Authentication against the real server, one role per method (trust, cleartext password, MD5,
 * SCRAM-SHA-256), wrong passwords, `require_auth` (downgrades refused, negations) and
 * `channel_binding` (SCRAM-SHA-256-PLUS over TLS).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgConnection from "../src/PgConnection.ts"
import type * as PgError from "../src/PgError.ts"

const server = pgServer()

type Role = "trust" | "password" | "md5" | "scram"

/** The role's URL with extra query parameters. */
const urlFor = (role: Role, query = "", options?: { readonly sslmode?: "disable" | "require" }) => {
  const base = server.connectionString(role, options)
  return query === "" ? base : `${base}${base.includes("?") ? "&" : "?"}${query}`
}

/** The role's URL with another password. */
const withPassword = (role: Role, password: string | undefined) => {
  const r = server.requireRole(role)
  const auth = password === undefined ? r.user : `${r.user}:${encodeURIComponent(password)}`
  return `postgresql://${auth}@${server.host}:${server.port}/${server.database}?sslmode=disable`
}

const whoami = (c: PgConnection.PgConnection) =>
  Effect.map(c.execute<{ u: string }>("select current_user as u"), (r) => r.rows[0]!.u)

const assertSecretFree = (error: PgError.PgError, secrets: ReadonlyArray<string | undefined>) => {
  for (const secret of secrets) {
    if (secret === undefined) continue
    for (const text of [String(error), error.message, JSON.stringify(error)]) assert.notInclude(text, secret)
  }
}

describe("authentication methods", () => {
  for (const role of ["trust", "password", "md5", "scram"] as const) {
    it.live.skipIf(server.skipReason(role))(`${role} role logs in (plaintext and TLS)`, () =>
      Effect.gen(function*() {
        const user = server.requireRole(role).user
        const plain = yield* PgConnection.make(urlFor(role, "", { sslmode: "disable" }))
        assert.strictEqual(yield* whoami(plain), user)
        assert.isFalse(plain.encrypted)
        if (server.tls !== undefined) {
          const tls = yield* PgConnection.make(urlFor(role, "", { sslmode: "require" }))
          assert.strictEqual(yield* whoami(tls), user)
          assert.isTrue(tls.encrypted)
        }
      }))
  }

  for (const role of ["password", "md5", "scram"] as const) {
    it.live.skipIf(server.skipReason(role))(`${role}: a wrong password fails with 28P01, never showing a password`, () =>
      Effect.gen(function*() {
        const wrong = "Wr0ng-Passw0rd-xyz"
        const error = yield* Effect.flip(PgConnection.make(withPassword(role, wrong)))
        assert.strictEqual(error.reason._tag, "AuthenticationError")
        const reason = error.reason as PgError.AuthenticationError
        assert.strictEqual(reason.code, "28P01")
        assert.isFalse(error.isRetryable)
        assert.match(error.message, /password authentication failed/)
        assertSecretFree(error, [wrong, server.requireRole(role).password])
      }))

    it.live.skipIf(server.skipReason(role))(`${role}: no password fails with AuthenticationError`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(PgConnection.make(withPassword(role, undefined)))
        assert.strictEqual(error.reason._tag, "AuthenticationError")
        assert.match(error.message, /no password supplied/)
      }))
  }
})

describe("require_auth", () => {
  it.live.skipIf(server.skipReason("md5"))("scram-sha-256 required, server asks for md5: refused", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(urlFor("md5", "require_auth=scram-sha-256", { sslmode: "disable" })))
      assert.strictEqual(error.reason._tag, "AuthenticationError")
      assert.match(error.message, /server requested md5 authentication/)
      assert.strictEqual((error.reason as PgError.AuthenticationError).method, "md5")
    }))

  it.live.skipIf(server.skipReason("password"))("scram-sha-256 required, server asks for a cleartext password: refused", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        PgConnection.make(urlFor("password", "require_auth=scram-sha-256", { sslmode: "disable" }))
      )
      assert.strictEqual(error.reason._tag, "AuthenticationError")
      assert.match(error.message, /server requested password authentication/)
    }))

  it.live.skipIf(server.skipReason("password"))("!password refuses the cleartext role, accepts scram", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(urlFor("password", "require_auth=!password", { sslmode: "disable" })))
      assert.strictEqual(error.reason._tag, "AuthenticationError")
      const ok = yield* PgConnection.make(urlFor("scram", "require_auth=!password", { sslmode: "disable" }))
      assert.strictEqual(yield* whoami(ok), server.requireRole("scram").user)
    }))

  it.live.skipIf(server.skipReason("md5"))("a list (password,md5) accepts md5; !md5,!password accepts scram", () =>
    Effect.gen(function*() {
      const a = yield* PgConnection.make(urlFor("md5", "require_auth=password,md5", { sslmode: "disable" }))
      assert.strictEqual(yield* whoami(a), server.requireRole("md5").user)
      const b = yield* PgConnection.make(urlFor("scram", "require_auth=!md5,!password", { sslmode: "disable" }))
      assert.strictEqual(yield* whoami(b), server.requireRole("scram").user)
      const c = yield* Effect.flip(PgConnection.make(urlFor("md5", "require_auth=!md5,!password", { sslmode: "disable" })))
      assert.strictEqual(c.reason._tag, "AuthenticationError")
    }))

  it.live.skipIf(server.skipReason("trust"))("trust: require_auth=md5 refused (no authentication), none accepted", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(urlFor("trust", "require_auth=md5", { sslmode: "disable" })))
      assert.strictEqual(error.reason._tag, "AuthenticationError")
      assert.match(error.message, /server did not complete authentication/)
      const ok = yield* PgConnection.make(urlFor("trust", "require_auth=none", { sslmode: "disable" }))
      assert.strictEqual(yield* whoami(ok), server.requireRole("trust").user)
      const refused = yield* Effect.flip(PgConnection.make(urlFor("trust", "require_auth=!none", { sslmode: "disable" })))
      assert.strictEqual(refused.reason._tag, "AuthenticationError")
    }))
})

describe("channel_binding", () => {
  const tlsSkip = server.skipReason("scram") ?? (server.tls === undefined ? "no TLS on this server" : undefined)

  it.live.skipIf(tlsSkip)("require over TLS with SCRAM: SCRAM-SHA-256-PLUS succeeds", () =>
    Effect.gen(function*() {
      // Success under `require` means the exchange was channel-bound (checked at AuthenticationOk).
      const c = yield* PgConnection.make(urlFor("scram", "channel_binding=require", { sslmode: "require" }))
      assert.isTrue(c.encrypted)
      assert.strictEqual(yield* whoami(c), server.requireRole("scram").user)
      const ssl = yield* PgConnection.make(`${server.connectionString("ssl")}&channel_binding=require`)
      assert.strictEqual(yield* whoami(ssl), server.requireRole("ssl").user)
    }))

  it.live.skipIf(tlsSkip)("require without TLS fails", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(urlFor("scram", "channel_binding=require", { sslmode: "disable" })))
      assert.strictEqual(error.reason._tag, "AuthenticationError")
      assert.match(error.message, /channel binding/)
    }))

  it.live.skipIf(server.skipReason("md5"))("require with a non-SASL method fails", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(urlFor("md5", "channel_binding=require", { sslmode: "require" })))
      assert.strictEqual(error.reason._tag, "AuthenticationError")
      assert.match(error.message, /channel binding required/)
    }))

  it.live.skipIf(server.skipReason("trust"))("require with trust fails (no authentication at all)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PgConnection.make(urlFor("trust", "channel_binding=require", { sslmode: "require" })))
      assert.strictEqual(error.reason._tag, "AuthenticationError")
    }))

  it.live.skipIf(tlsSkip)("disable over TLS still logs in (plain SCRAM-SHA-256)", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(urlFor("scram", "channel_binding=disable", { sslmode: "require" }))
      assert.strictEqual(yield* whoami(c), server.requireRole("scram").user)
    }))
})
