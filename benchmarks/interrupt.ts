/**
 * Interrupt-to-usable latency: how long after a fiber running `select pg_sleep(10)` is
 * interrupted the same connection has answered `select 1`.
 *
 *   /work/main/node_modules/.bin/node benchmarks/interrupt.ts [trials]   # default 200 per variant
 *
 * One trial: start `select pg_sleep(10)` on the connection, wait 5–20 ms (random, so the
 * interruption lands while the server sleeps), then time `Fiber.interrupt` (which sends a
 * CancelRequest on a side connection and drains the cancelled statement's replies) followed by
 * `select 1` on the same connection. Variants, interleaved trial by trial: TCP with protocol 3.0,
 * TCP with protocol 3.2 (long cancel key), TLS (the CancelRequest connection negotiates TLS too)
 * and the unix socket. Bounded: `trials` per variant or 60 s in all, whichever comes first.
 *
 * Uses the embedded test server (or the one named by `DATABASE_URL`/`PGHOST`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as PgConnection from "../packages/connection/src/PgConnection.ts"
import { serverFromEnvOrEmbedded } from "../test/src/index.ts"

const TRIALS = Number(process.argv[2] ?? 200)
const BUDGET_MS = 60_000

interface Variant {
  readonly name: string
  readonly url: string
  readonly samples: Array<number>
  /** Interrupt alone (cancel + drain), without the following `select 1`. */
  readonly interruptOnly: Array<number>
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!

const fmt = (ms: number): string => ms.toFixed(2)

const trial = (c: PgConnection.PgConnection, variant: Variant) =>
  Effect.gen(function*() {
    const sleeping = yield* Effect.forkChild(c.simple("select pg_sleep(10)"), { startImmediately: true })
    yield* Effect.sleep(5 + Math.random() * 15)
    const t0 = performance.now()
    yield* Fiber.interrupt(sleeping)
    const t1 = performance.now()
    const r = yield* c.execute<{ x: number }>("select 1 as x")
    const t2 = performance.now()
    const exit = yield* Fiber.await(sleeping)
    if (!Exit.hasInterrupts(exit)) throw new Error(`${variant.name}: pg_sleep was not interrupted: ${String(exit)}`)
    if (r.rows[0]?.x !== 1) throw new Error(`${variant.name}: select 1 returned ${JSON.stringify(r.rows)}`)
    variant.samples.push(t2 - t0)
    variant.interruptOnly.push(t1 - t0)
  })

const main = async (): Promise<void> => {
  const server = await serverFromEnvOrEmbedded({ log: (line) => console.error(line) })
  try {
    const base = server.connectionString()
    const sep = base.includes("?") ? "&" : "?"
    const variants: Array<Variant> = [
      { name: "TCP, protocol 3.0", url: `${base}${sep}sslmode=disable`, samples: [], interruptOnly: [] },
      { name: "TCP, protocol 3.2", url: `${base}${sep}sslmode=disable&max_protocol_version=3.2`, samples: [], interruptOnly: [] }
    ]
    if (server.info.tls !== undefined) {
      variants.push({ name: "TLS, protocol 3.0", url: `${base}${sep}sslmode=require`, samples: [], interruptOnly: [] })
    }
    if (server.info.socketDir !== undefined) {
      variants.push({
        name: "unix socket, protocol 3.0",
        url: server.connectionString("superuser", { via: "socket" }),
        samples: [],
        interruptOnly: []
      })
    }
    const started = performance.now()
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function*() {
          const connections: Array<PgConnection.PgConnection> = []
          for (const v of variants) connections.push(yield* PgConnection.make(v.url))
          // Warm-up: a few trials per variant, not recorded.
          for (let w = 0; w < 5; w++) {
            for (let i = 0; i < variants.length; i++) {
              const scratch: Variant = { ...variants[i]!, samples: [], interruptOnly: [] }
              yield* trial(connections[i]!, scratch)
            }
          }
          for (let t = 0; t < TRIALS && performance.now() - started < BUDGET_MS; t++) {
            for (let i = 0; i < variants.length; i++) yield* trial(connections[i]!, variants[i]!)
          }
        })
      )
    )
    const seconds = (performance.now() - started) / 1000
    console.log(`${server.info.description}; Node ${process.version}; ${seconds.toFixed(1)} s`)
    console.log("")
    console.log("| variant | trials | median | p99 | min | max | interrupt alone (median) |")
    console.log("|---|---:|---:|---:|---:|---:|---:|")
    for (const v of variants) {
      const s = v.samples.toSorted((a, b) => a - b)
      const i = v.interruptOnly.toSorted((a, b) => a - b)
      console.log(
        `| ${v.name} | ${s.length} | ${fmt(percentile(s, 50))} ms | ${fmt(percentile(s, 99))} ms | ${fmt(s[0]!)} ms | ${
          fmt(s[s.length - 1]!)
        } ms | ${fmt(percentile(i, 50))} ms |`
      )
    }
  } finally {
    await server.stop()
  }
}

await main()
