import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as PgConnection from "../src/PgConnection.ts"

describe("PgConnection.make configuration", () => {
  it.effect("a value that is neither a string nor an options object fails at once with ConfigError", () =>
    Effect.gen(function*() {
      for (const bad of [() => "postgres://x", 42, null]) {
        const error = yield* Effect.flip(Effect.scoped(PgConnection.make(bad as never)))
        assert.strictEqual(error.reason._tag, "ConfigError")
        assert.include(error.message, "invalid connection configuration")
      }
    }))

  it.effect("an invalid keyword fails with ConfigError in libpq's words, before connecting", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(PgConnection.make("host=localhost sslmode=sometimes")))
      assert.strictEqual(error.reason._tag, "ConfigError")
      assert.include(error.message, "sslmode")
    }))
})

describe("security settings that cannot be honoured", () => {
  it.effect("requirepeer on a Unix socket fails with Unsupported instead of being ignored", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(PgConnection.make("host=/tmp/pgfx-no-such-dir port=5432 requirepeer=postgres")))
      assert.strictEqual(error.reason._tag, "Unsupported")
      assert.include(error.message, "requirepeer")
    }))
})
