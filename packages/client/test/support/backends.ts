/**
 * Helpers the client's integration tests share: unique names, connection strings tagged with an
 * `application_name` (to count a test's backends in `pg_stat_activity`), and polling a condition
 * with a deadline instead of sleeping.
 */
import type * as PgConnection from "@pgfx/connection/PgConnection"
import * as Effect from "effect/Effect"

let counter = 0

/** A name no other test (or test process) uses: `prefix_<pid>_<time>_<n>`. */
export const unique = (prefix: string): string => `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`

/** `url` with `application_name` set, so the backends it opens can be found. */
export const withApp = (url: string, applicationName: string): string =>
  `${url}${url.includes("?") ? "&" : "?"}application_name=${encodeURIComponent(applicationName)}`

/** Re-runs `check` every 25 ms until it returns true; dies after `seconds`. */
export const eventually = (
  what: string,
  check: Effect.Effect<boolean, unknown>,
  seconds = 10
): Effect.Effect<void, unknown> =>
  Effect.gen(function*() {
    const deadline = Date.now() + seconds * 1000
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for: ${what}`))
      yield* Effect.sleep("25 millis")
    }
  })

/** The pids of the backends with this `application_name`, ascending. */
export const backendPids = (
  admin: PgConnection.PgConnection,
  applicationName: string
): Effect.Effect<Array<number>, unknown> =>
  Effect.map(
    admin.execute<{ pid: number }>("select pid from pg_stat_activity where application_name = $1 order by pid", [
      applicationName
    ]),
    (r) => r.rows.map((row) => row.pid)
  )
