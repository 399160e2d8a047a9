/**
 * Interruption storms against the real server: every kind of request is interrupted at random
 * points (same tick, after a few microtasks, 0–5 ms, 5–50 ms), then the connection must be either
 * closed cleanly (later requests fail fast with ConnectionClosed) or in step with the server (a
 * sentinel `select $1::int` answers its own value, the transaction status is idle, the backend is
 * idle in `pg_stat_activity`), pipelined neighbours must all succeed, and no row may be lost or
 * duplicated (rows of reported successes exist exactly once, rows of interrupted autocommit
 * statements at most once, interrupted COPY FROM and transactions are all-or-nothing).
 *
 * Every storm is driven by a seeded PRNG: a failure message names the seed and trial, and
 * `PGFX_STORM_SEED=<seed>` reproduces the run. `PGFX_STORM_SCALE` multiplies the trial counts
 * (default 1; e.g. 5 for a long soak). Each storm prints a one-line summary (outcomes, closes,
 * interruption latency, stray cancels).
 *
 * @since 0.1.0
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { pgServer } from "@pgfx/test/PgTestServer"
import * as PgConnection from "../src/PgConnection.ts"
import type * as PgError from "../src/PgError.ts"

const server = pgServer()
const url = server.connectionString()
const withApp = (name: string): string => `${url}${url.includes("?") ? "&" : "?"}application_name=${name}`

const SEED = Number(process.env.PGFX_STORM_SEED ?? 20261121)
const SCALE = Number(process.env.PGFX_STORM_SCALE ?? 1)
const trials = (n: number): number => Math.max(1, Math.round(n * SCALE))
/** cancelTimeout of the storm connections, and the slack allowed on top of it (loaded 2-core VMs). */
const CANCEL_TIMEOUT_MS = 2000
const LATENCY_MARGIN_MS = 1500

// --- seeded randomness --------------------------------------------------------------------------

interface Rng {
  (): number
  readonly seed: number
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number
  pick<A>(xs: ReadonlyArray<A>): A
  chance(p: number): boolean
}

/** mulberry32. */
const makeRng = (seed: number): Rng => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const rng = next as Rng
  Object.assign(rng, {
    seed,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <A>(xs: ReadonlyArray<A>) => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p
  })
  return rng
}

/** One PRNG per storm, so each storm reproduces on its own. */
const seedFor = (kind: string): number => {
  let h = SEED >>> 0
  for (let i = 0; i < kind.length; i++) h = Math.imul(h ^ kind.charCodeAt(i), 0x01000193) >>> 0
  return h
}

// --- interrupting at a random point ------------------------------------------------------------

type Delay =
  | { readonly kind: "sync" }
  | { readonly kind: "microtask"; readonly hops: number }
  | { readonly kind: "ms"; readonly ms: number }

const drawDelay = (rng: Rng): Delay => {
  const r = rng()
  if (r < 0.2) return { kind: "sync" }
  if (r < 0.4) return { kind: "microtask", hops: rng.int(1, 6) }
  if (r < 0.7) return { kind: "ms", ms: rng() * 5 }
  return { kind: "ms", ms: 5 + rng() * 45 }
}

const showDelay = (d: Delay): string =>
  d.kind === "sync" ? "sync" : d.kind === "microtask" ? `${d.hops} microtask(s)` : `${d.ms.toFixed(2)} ms`

/** The life of one interrupted (or not) fiber. */
interface Watch<A, E> {
  readonly fiber: Fiber.Fiber<A, E>
  /** When the interruption was issued (undefined: the fiber ended first, or none was planned). */
  issuedAt: number | undefined
  exitedAt: number | undefined
}

/**
 * Interrupts `fiber` after `delay` (from raw timers / microtasks, outside any fiber, so the
 * interruption lands wherever the victim happens to be suspended). `undefined`: never.
 */
const watch = <A, E>(fiber: Fiber.Fiber<A, E>, delay: Delay | undefined): Watch<A, E> => {
  const w: Watch<A, E> = { fiber, issuedAt: undefined, exitedAt: undefined }
  let timer: ReturnType<typeof setTimeout> | undefined = undefined
  fiber.addObserver(() => {
    w.exitedAt = performance.now()
    if (timer !== undefined) clearTimeout(timer)
  })
  const fire = () => {
    if (w.exitedAt !== undefined) return
    w.issuedAt = performance.now()
    fiber.interruptUnsafe()
  }
  if (delay === undefined) return w
  if (delay.kind === "sync") fire()
  else if (delay.kind === "microtask") {
    let hops = delay.hops
    const hop = () => (--hops === 0 ? fire() : queueMicrotask(hop))
    queueMicrotask(hop)
  } else timer = setTimeout(fire, delay.ms)
  return w
}

type Outcome = "success" | "interrupted" | "failed"

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Outcome =>
  Exit.isSuccess(exit) ? "success" : Cause.hasFails(exit.cause) || Cause.hasDies(exit.cause) ? "failed" : "interrupted"

const reasonOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const e = Cause.squash(exit.cause) as { reason?: { _tag?: string; message?: string }; message?: string }
  return e?.reason?._tag !== undefined ? `${e.reason._tag}: ${e.reason.message ?? ""}` : String(e?.message ?? e)
}

const isQueryCanceled = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && Cause.hasFails(exit.cause) &&
  (Cause.squash(exit.cause) as { reason?: { _tag?: string } })?.reason?._tag === "QueryCanceled"

const isConnectionClosed = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && Cause.hasFails(exit.cause) &&
  (Cause.squash(exit.cause) as { reason?: { _tag?: string } })?.reason?._tag === "ConnectionClosed"

// --- bookkeeping --------------------------------------------------------------------------------

class Stats {
  readonly kind: string
  readonly seed: number
  trials = 0
  readonly outcomes: Record<Outcome, number> = { success: 0, interrupted: 0, failed: 0 }
  readonly failures = new Map<string, number>()
  closed = 0
  readonly closedContexts: Array<string> = []
  readonly latencies: Array<number> = []
  neighbours = 0
  strayCancels = 0
  readonly strayContexts: Array<string> = []
  /** Interrupted statements whose rows were committed anyway (allowed, at most once). */
  committedAnyway = 0
  readonly started = performance.now()

  constructor(kind: string, seed: number) {
    this.kind = kind
    this.seed = seed
  }

  record(outcome: Outcome, exit: Exit.Exit<unknown, unknown>): void {
    this.outcomes[outcome]++
    if (outcome === "failed") {
      const r = reasonOf(exit).slice(0, 120)
      this.failures.set(r, (this.failures.get(r) ?? 0) + 1)
    }
  }

  latency<A, E>(w: Watch<A, E>): number | undefined {
    if (w.issuedAt === undefined || w.exitedAt === undefined) return undefined
    const ms = w.exitedAt - w.issuedAt
    this.latencies.push(ms)
    return ms
  }

  summary(): string {
    const l = this.latencies.toSorted((a, b) => a - b)
    const q = (p: number) => (l.length === 0 ? 0 : l[Math.min(l.length - 1, Math.floor(p * l.length))]!)
    const failures = [...this.failures].map(([k, n]) => `${n}× ${k}`).join("; ")
    return `[storm] ${this.kind} seed=${this.seed} trials=${this.trials} ` +
      `success=${this.outcomes.success} interrupted=${this.outcomes.interrupted} failed=${this.outcomes.failed}` +
      (failures === "" ? "" : ` (${failures})`) +
      ` closed=${this.closed} committedAnyway=${this.committedAnyway}` +
      ` interrupt-latency ms p50=${q(0.5).toFixed(1)} p99=${q(0.99).toFixed(1)} max=${q(1).toFixed(1)}` +
      ` neighbours=${this.neighbours} strayCancels=${this.strayCancels}` +
      ` time=${((performance.now() - this.started) / 1000).toFixed(1)}s`
  }
}

/** What one operation wrote, and what the row check may expect of it. */
interface OpRecord {
  readonly label: string
  readonly keys: ReadonlyArray<number>
  outcome: Outcome
  /** All keys commit together or not at all (a COPY, a transaction, a multi-statement query). */
  readonly atomic: boolean
  /** Interrupted before its commit could be requested: nothing may be committed. */
  mustBeEmpty: boolean
}

interface Harness {
  readonly kind: string
  readonly rng: Rng
  readonly admin: PgConnection.PgConnection
  c: PgConnection.PgConnection
  readonly options: PgConnection.ConnectionOptions
  /** Connection string of the victim connections. */
  readonly target: string
  readonly stats: Stats
  readonly table: string
  readonly records: Array<OpRecord>
  nextKey: number
  /** Whether interruptions are expected to close connections (a tiny cancelTimeout). */
  readonly expectCloses: boolean
}

const NEIGHBOUR_SQL = "select $1::int as v from pg_sleep($2::float8)"

const connectVictim = (target: string, options: PgConnection.ConnectionOptions) =>
  Effect.gen(function*() {
    const c = yield* PgConnection.make(target, {
      cancelTimeout: Duration.millis(CANCEL_TIMEOUT_MS),
      ...options
    })
    // Warm the neighbours' statement so neighbours are a single Bind/Execute each.
    yield* c.prepare(NEIGHBOUR_SQL)
    return c
  })

/**
 * A table without a unique constraint (so a duplicate would be visible), with an AFTER trigger
 * that sleeps for rows whose `op` is `slow` (the row is in the heap, the statement still running).
 */
const makeTable = (admin: PgConnection.PgConnection, table: string) =>
  admin.simple(`
    create or replace function pgfx_storm_slow() returns trigger language plpgsql as $$
    begin
      if new.op = 'slow' then perform pg_sleep(0.004); end if;
      return null;
    end $$;
    drop table if exists ${table};
    create unlogged table ${table} (k bigint not null, op text not null);
    create index on ${table} (k);
    create trigger slow after insert on ${table} for each row execute function pgfx_storm_slow();
  `)

const makeHarness = (kind: string, options: PgConnection.ConnectionOptions = {}, target = withApp("pgfx_storm")) =>
  Effect.gen(function*() {
    const seed = seedFor(kind)
    const admin = yield* PgConnection.make(withApp("pgfx_storm_admin"))
    const table = `storm_${kind.replace(/[^a-z0-9]/g, "_")}`
    yield* makeTable(admin, table)
    const h: Harness = {
      kind,
      rng: makeRng(seed),
      admin,
      c: yield* connectVictim(target, options),
      options,
      target,
      stats: new Stats(kind, seed),
      table,
      records: [],
      nextKey: 1,
      expectCloses: options.cancelTimeout !== undefined && Duration.toMillis(Duration.fromInputUnsafe(options.cancelTimeout)) < 10
    }
    return h
  })

const keys = (h: Harness, n: number): Array<number> => {
  const out: Array<number> = []
  for (let i = 0; i < n; i++) out.push(h.nextKey++)
  return out
}

/** pg_sleep argument: mostly 0 or a few ms, sometimes long enough to be cancelled mid-way. */
const drawSleep = (rng: Rng): number => {
  const r = rng()
  if (r < 0.35) return 0
  if (r < 0.65) return rng() * 0.005
  if (r < 0.93) return 0.005 + rng() * 0.03
  return 0.04 + rng() * 0.04
}

/** Fails the test with context when `effect` fails. */
const expectOk = <A>(effect: Effect.Effect<A, PgError.PgError>, ctx: string): Effect.Effect<A> =>
  Effect.flatMap(Effect.exit(effect), (exit) =>
    Exit.isSuccess(exit) ? Effect.succeed(exit.value) : Effect.die(new Error(`${ctx}: ${reasonOf(exit)}`)))

const activity = (admin: PgConnection.PgConnection, pid: number) =>
  Effect.map(
    admin.execute<{ state: string | null; query: string }>("select state, query from pg_stat_activity where pid = $1", [pid]),
    (r) => r.rows[0]
  )

// --- neighbours ---------------------------------------------------------------------------------

interface Neighbour {
  readonly v: number
  readonly fiber: Fiber.Fiber<PgConnection.QueryResult<{ v: number }>, PgError.PgError>
}

const spawnNeighbours = (h: Harness, n: number, slow: boolean) =>
  Effect.gen(function*() {
    const out: Array<Neighbour> = []
    for (let i = 0; i < n; i++) {
      const v = h.rng.int(-1_000_000, 1_000_000)
      const sleep = slow && h.rng.chance(0.5) ? h.rng() * 0.003 : 0
      const fiber = yield* Effect.forkChild(h.c.execute<{ v: number }>(NEIGHBOUR_SQL, [v, sleep]), {
        startImmediately: true
      })
      out.push({ v, fiber })
    }
    return out
  })

/**
 * Every neighbour must answer its own value. A QueryCanceled neighbour was hit by a stray
 * CancelRequest (counted, see the stray-cancel test); anything else fails the storm.
 */
const checkNeighbours = (h: Harness, neighbours: ReadonlyArray<Neighbour>, ctx: string) =>
  Effect.gen(function*() {
    for (const n of neighbours) {
      const exit = yield* Fiber.await(n.fiber)
      h.stats.neighbours++
      if (Exit.isSuccess(exit)) {
        assert.deepStrictEqual(exit.value.rows, [{ v: n.v }], `${ctx}: neighbour answered another value`)
      } else if (isQueryCanceled(exit)) {
        h.stats.strayCancels++
        if (h.stats.strayContexts.length < 5) h.stats.strayContexts.push(ctx)
      } else if (isConnectionClosed(exit) && !h.c.isOpen) {
        // The connection was closed (cancelTimeout): counted by `settle`.
      } else {
        assert.fail(`${ctx}: neighbour failed: ${reasonOf(exit)}`)
      }
    }
  })

// --- per-trial checks ---------------------------------------------------------------------------

/**
 * Invariants 2 and 5: closed cleanly, or in step (sentinel, idle status — interrupted exclusive
 * sections roll back their transaction —, idle backend).
 */
const settle = (h: Harness, ctx: string) =>
  Effect.gen(function*() {
    const c = h.c
    if (!c.isOpen) {
      h.stats.closed++
      if (h.stats.closedContexts.length < 5) h.stats.closedContexts.push(`${ctx} (${reasonOf(Exit.fail(yield* c.closed))})`)
      const t0 = performance.now()
      const next = yield* Effect.exit(c.execute("select 1"))
      assert.isTrue(isConnectionClosed(next), `${ctx}: after close: ${reasonOf(next)}`)
      assert.isBelow(performance.now() - t0, 200, `${ctx}: a request on a closed connection must fail fast`)
      h.c = yield* connectVictim(h.target, h.options)
      // The closed session's backend goes away (it was cancelled or finishes its statement).
      const deadline = performance.now() + 2000
      while ((yield* expectOk(activity(h.admin, c.processId), `${ctx}: pg_stat_activity`)) !== undefined) {
        if (performance.now() > deadline) assert.fail(`${ctx}: backend ${c.processId} still there 2 s after the close`)
        yield* Effect.sleep(Duration.millis(5))
      }
      return
    }
    assert.strictEqual(c.transactionStatus, "idle", `${ctx}: left the session in transaction status ${c.transactionStatus}`)
    const v = h.rng.int(-2147483648, 2147483647)
    const r = yield* expectOk(c.execute<{ v: number }>("select $1::int as v", [v]), `${ctx}: sentinel`)
    assert.deepStrictEqual(r.rows, [{ v }], `${ctx}: sentinel answered another value (desynchronised)`)
    assert.strictEqual(c.transactionStatus, "idle", `${ctx}: transaction status after the sentinel`)
    assert.strictEqual(c.inFlight, 0, `${ctx}: requests still in flight`)
    const act = yield* expectOk(activity(h.admin, c.processId), `${ctx}: pg_stat_activity`)
    assert.strictEqual(act?.state, "idle", `${ctx}: backend not idle: ${JSON.stringify(act)}`)
  })

/** Invariant 1: the interruption completed in bounded time. */
const checkLatency = <A, E>(h: Harness, w: Watch<A, E>, ctx: string): void => {
  const ms = h.stats.latency(w)
  if (ms !== undefined) {
    assert.isBelow(ms, CANCEL_TIMEOUT_MS + LATENCY_MARGIN_MS, `${ctx}: the interruption took ${ms.toFixed(0)} ms`)
  }
}

/** Invariant 3: no row lost or duplicated. */
const checkRows = (h: Harness) =>
  Effect.gen(function*() {
    const r = yield* h.admin.execute<{ k: string; n: number }>(
      `select k::text as k, count(*)::int as n from ${h.table} group by k`
    )
    const counts = new Map<number, number>()
    for (const row of r.rows) counts.set(Number(row.k), row.n)
    const owned = new Set<number>()
    for (const rec of h.records) {
      const ctx = `${h.kind} seed=${h.stats.seed} ${rec.label} (${rec.outcome})`
      const ns = rec.keys.map((k) => counts.get(k) ?? 0)
      for (const k of rec.keys) owned.add(k)
      for (const [i, n] of ns.entries()) {
        assert.isAtMost(n, 1, `${ctx}: key ${rec.keys[i]} committed ${n} times`)
        if (rec.outcome === "success") assert.strictEqual(n, 1, `${ctx}: key ${rec.keys[i]} lost`)
      }
      const committed = ns.filter((n) => n === 1).length
      if (rec.atomic) {
        assert.include([0, rec.keys.length], committed, `${ctx}: ${committed} of ${rec.keys.length} keys committed`)
      }
      if (rec.mustBeEmpty) assert.strictEqual(committed, 0, `${ctx}: interrupted before its commit, yet committed`)
      if (rec.outcome !== "success" && committed > 0) h.stats.committedAnyway++
    }
    for (const k of counts.keys()) assert.isTrue(owned.has(k), `${h.kind}: key ${k} written by no operation`)
  })

const finish = (h: Harness) =>
  Effect.gen(function*() {
    yield* checkRows(h)
    console.log(h.stats.summary())
    if (h.stats.strayContexts.length > 0) console.log(`[storm] ${h.kind} stray cancels at: ${h.stats.strayContexts.join(" | ")}`)
    if (h.stats.closedContexts.length > 0 && !h.expectCloses) console.log(`[storm] ${h.kind} closed at: ${h.stats.closedContexts.join(" | ")}`)
    // The server is local and healthy: every interrupted request can drain well within cancelTimeout.
    if (!h.expectCloses) assert.strictEqual(h.stats.closed, 0, `${h.kind}: connections closed by interruptions: ${h.stats.closedContexts.join(" | ")}`)
  })

/** An operation ready to run: its effect and what to check once it ended. */
interface Planned {
  readonly label: string
  readonly effect: Effect.Effect<unknown, PgError.PgError>
  /** The keys it inserts (for the row check). */
  readonly record?: Omit<OpRecord, "outcome" | "mustBeEmpty" | "label"> | undefined
  /** Whether nothing may be committed given how far it got (asked once it ended, not successfully). */
  readonly mustBeEmpty?: (() => boolean) | undefined
  /** Extra context, known once the operation ended. */
  readonly describe?: (() => string) | undefined
  /** Checks of a successful result. */
  readonly onSuccess?: ((value: unknown, ctx: string) => void) | undefined
  /** Whether pipelined neighbours may run beside it. */
  readonly neighbours?: boolean | undefined
}

const recordOutcome = (h: Harness, plan: Planned, outcome: Outcome, label: string): void => {
  if (plan.record === undefined) return
  h.records.push({
    ...plan.record,
    label,
    outcome,
    mustBeEmpty: outcome !== "success" && (plan.mustBeEmpty?.() ?? false)
  })
}

/** Awaits a fiber; a fiber still running after 10 s is a hang (reported with `what`). */
const awaitBounded = <A, E>(fiber: Fiber.Fiber<A, E>, what: () => string) =>
  Effect.flatMap(Effect.timeoutOption(Fiber.await(fiber), Duration.seconds(10)), (o) =>
    o._tag === "Some" ? Effect.succeed(o.value) : Effect.die(new Error(`hang: ${what()}`)))

/**
 * One trial: start the operation (with pipelined neighbours ahead of and behind it, sometimes),
 * interrupt it after a random delay, check the invariants.
 */
const trial = (h: Harness, i: number, build: (h: Harness, i: number) => Planned) =>
  Effect.gen(function*() {
    const plan = build(h, i)
    const delay = drawDelay(h.rng)
    let ctx = `${h.kind} seed=${h.stats.seed} trial=${i} ${plan.label} delay=${showDelay(delay)}`
    h.stats.trials++
    const withNeighbours = plan.neighbours !== false && h.rng.chance(0.3)
    const ahead = withNeighbours ? yield* spawnNeighbours(h, 10, false) : []
    const fiber = yield* Effect.forkChild(plan.effect, { startImmediately: true })
    const behind = withNeighbours ? yield* spawnNeighbours(h, 10, true) : []
    const w = watch(fiber, delay)
    const exit = yield* awaitBounded(fiber, () => `${ctx} ${plan.describe?.() ?? ""} hangs (inFlight=${h.c.inFlight})`)
    if (plan.describe !== undefined) ctx = `${ctx} ${plan.describe()}`
    const outcome = outcomeOf(exit)
    if (outcome === "interrupted") assert.isDefined(w.issuedAt, `${ctx}: interrupted without being interrupted`)
    h.stats.record(outcome, exit)
    checkLatency(h, w, ctx)
    if (outcome === "failed") {
      // A victim fails only because its connection was closed (cancelTimeout exceeded).
      assert.isTrue(isConnectionClosed(exit) && !h.c.isOpen, `${ctx}: failed: ${reasonOf(exit)}`)
    }
    if (Exit.isSuccess(exit)) plan.onSuccess?.(exit.value, ctx)
    recordOutcome(h, plan, outcome, `trial=${i} ${plan.label} delay=${showDelay(delay)}`)
    yield* checkNeighbours(h, [...ahead, ...behind], ctx)
    yield* settle(h, ctx)
  })

// --- the operations ------------------------------------------------------------------------------

const simpleOp = (h: Harness): Planned => {
  const rng = h.rng
  if (rng.chance(0.3)) {
    // Several statements in one Query: one implicit transaction, all or nothing.
    const [k1, k2] = keys(h, 2)
    const sql = `insert into ${h.table} (k, op) values (${k1}, 'm'); select pg_sleep(${drawSleep(rng)}); ` +
      `insert into ${h.table} (k, op) values (${k2}, '${rng.chance(0.3) ? "slow" : "m"}')`
    return { label: "simple multi", effect: h.c.simple(sql), record: { keys: [k1!, k2!], atomic: true } }
  }
  const [k] = keys(h, 1)
  const sql = `insert into ${h.table} (k, op) select ${k}, '${rng.chance(0.3) ? "slow" : "s"}' from pg_sleep(${drawSleep(rng)})`
  return { label: "simple insert", effect: h.c.simple(sql), record: { keys: [k!], atomic: true } }
}

const insertSql = (table: string, tag: string) =>
  `insert into ${table} (k, op) select $1::bigint, $2::text from pg_sleep($3::float8) /* ${tag} */`

const executeOp = (mode: "first" | "cached" | "unnamed") => (h: Harness, i: number): Planned => {
  const [k] = keys(h, 1)
  const op = h.rng.chance(0.3) ? "slow" : "e"
  const sql = insertSql(h.table, mode === "first" ? `t${i}` : "cached")
  return {
    label: `execute ${mode}`,
    effect: h.c.execute(sql, [k, op, drawSleep(h.rng)], mode === "unnamed" ? { mode: "unnamed" } : {}),
    record: { keys: [k!], atomic: true }
  }
}

/** A value query: the answer must be its own value. */
const selectOp = (h: Harness): Planned => {
  const v = h.rng.int(-1_000_000, 1_000_000)
  return {
    label: "select",
    effect: h.c.execute<{ v: number }>(NEIGHBOUR_SQL, [v, drawSleep(h.rng) / 4]),
    onSuccess: (r, ctx) => assert.deepStrictEqual((r as PgConnection.QueryResult).rows, [{ v }], `${ctx}: answered another value`)
  }
}

const prepareSql = (i: number) => `select $1::int + ${i} as v /* prepare ${i} */`

const prepareOp = (h: Harness, i: number): Planned => ({ label: "prepare", effect: h.c.prepare(prepareSql(i)) })

const streamOp = (h: Harness): Planned => {
  const rng = h.rng
  const total = rng.pick([0, 1, 5, 100, 1000, 3000])
  const batchSize = rng.pick([1, 2, 7, 64, 1000])
  const stopAfter = rng.chance(0.3) ? rng.int(1, Math.max(1, total)) : undefined
  // Sometimes slow on the server (every `every`-th row sleeps), so a fetch is running when interrupted.
  const every = rng.chance(0.4) ? rng.int(50, 500) : 1_000_000_000
  const sql = "select g::int as g from generate_series(1, $1::int) g where g % $2::int <> 0 or pg_sleep(0.002)::text = ''"
  let seen = 0
  const base = h.c.stream<{ g: number }>(sql, [total, every], { batchSize })
  const stream = stopAfter !== undefined ? Stream.take(base, stopAfter) : base
  const slowConsumer = rng.chance(0.3)
  return {
    label: `stream total=${total} batch=${batchSize} stop=${stopAfter ?? "-"} every=${every}`,
    effect: Stream.runForEach(stream, (row) => {
      seen++
      if (row.g !== seen) return Effect.die(new Error(`row ${seen} is ${row.g}: lost or duplicated rows`))
      return slowConsumer && seen % 97 === 0 ? Effect.sleep(Duration.millis(1)) : Effect.void
    }),
    describe: () => `seen=${seen}`,
    onSuccess: (_, ctx) => assert.strictEqual(seen, Math.min(total, stopAfter ?? total), `${ctx}: rows seen`)
  }
}

const copyInOp = (h: Harness, _i = 0, canHold = true): Planned => {
  const rng = h.rng
  const n = rng.pick([1, 10, 200, 2000])
  const ks = keys(h, n)
  const lastSlow = rng.chance(0.4)
  const bytes = new TextEncoder().encode(ks.map((k, j) => `${k}\t${lastSlow && j === n - 1 ? "slow" : "c"}\n`).join(""))
  const hold = canHold && rng.chance(0.2) // never calls end: the interruption must abort the COPY
  let phase: "open" | "writing" | "holding" | "ending" | "done" = "open"
  const effect = Effect.scoped(
    Effect.gen(function*() {
      const w = yield* h.c.copyIn(`copy ${h.table} (k, op) from stdin`)
      phase = "writing"
      let at = 0
      while (at < bytes.length) {
        // Random splits, across row boundaries.
        const size = Math.min(bytes.length - at, rng.int(1, 4096))
        yield* w.write(bytes.subarray(at, at + size))
        at += size
        if (rng.chance(0.1)) yield* Effect.yieldNow
        else if (rng.chance(0.02)) yield* Effect.sleep(Duration.millis(1))
      }
      if (hold) {
        phase = "holding"
        return yield* Effect.never
      }
      phase = "ending"
      const result = yield* w.end
      phase = "done"
      if (result.rows !== n) return yield* Effect.die(new Error(`COPY reported ${result.rows} rows, wrote ${n}`))
    })
  )
  return {
    label: `copyIn rows=${n} hold=${hold}`,
    effect,
    record: { keys: ks, atomic: true },
    // Before CopyDone was sent nothing may be committed; during `end` it may (all or nothing).
    mustBeEmpty: () => phase !== "ending" && phase !== "done",
    describe: () => `phase=${phase}`
  }
}

const copyOutOp = (h: Harness): Planned => {
  const rng = h.rng
  const total = rng.pick([0, 1, 100, 5000, 20000])
  const highWaterMark = rng.pick([undefined, 16, 1024, 65536])
  const stopAfter = rng.chance(0.3) ? rng.int(1, Math.max(1, total)) : undefined
  const every = rng.chance(0.4) ? rng.int(100, 2000) : 1_000_000_000
  const slowConsumer = rng.chance(0.3)
  const sql = `copy (select g from generate_series(1, ${total}) g where g % ${every} <> 0 or pg_sleep(0.002)::text = '') to stdout`
  const decoder = new TextDecoder()
  let seen = 0
  let partial = ""
  let chunks = 0
  const base = h.c.copyOut(sql, { highWaterMark })
  const stream = stopAfter !== undefined ? Stream.take(base, stopAfter) : base
  return {
    label: `copyOut total=${total} hwm=${highWaterMark ?? "-"} stop=${stopAfter ?? "-"} every=${every}`,
    effect: Stream.runForEach(stream, (chunk) => {
      chunks++
      const lines = (partial + decoder.decode(chunk)).split("\n")
      partial = lines.pop()!
      for (const line of lines) {
        seen++
        if (line !== String(seen)) return Effect.die(new Error(`line ${seen} is ${line}: lost or duplicated data`))
      }
      return slowConsumer && chunks % 113 === 0 ? Effect.sleep(Duration.millis(1)) : Effect.void
    }),
    describe: () => `seen=${seen}`,
    onSuccess: (_, ctx) => {
      assert.strictEqual(partial, "", `${ctx}: partial line at the end`)
      assert.strictEqual(seen, Math.min(total, stopAfter ?? total), `${ctx}: lines seen`)
    }
  }
}

/** A transaction in an exclusive section that rolls back on any exit but success. */
const exclusiveGuardedOp = (h: Harness): Planned => {
  const ks = keys(h, h.rng.int(1, 3))
  const sleeps = ks.map(() => drawSleep(h.rng) / 2)
  const effect = h.c.exclusive((x) =>
    Effect.acquireUseRelease(
      x.simple("begin"),
      () =>
        Effect.gen(function*() {
          for (const [j, k] of ks.entries()) yield* x.execute(insertSql(h.table, "tx"), [k, "x", sleeps[j]])
          yield* x.simple("commit")
        }),
      () => Effect.suspend(() => x.isOpen && x.transactionStatus !== "idle" ? Effect.ignore(x.simple("rollback")) : Effect.void)
    )
  )
  return { label: `exclusive guarded ${ks.length} inserts`, effect, record: { keys: ks, atomic: true } }
}

/** BEGIN … COMMIT with no cleanup: the section's end must roll back what the interruption left open. */
const exclusiveRawOp = (h: Harness): Planned => {
  const ks = keys(h, h.rng.int(1, 3))
  const sleep = drawSleep(h.rng)
  const effect = h.c.exclusive((x) =>
    Effect.gen(function*() {
      yield* x.simple("begin")
      for (const k of ks) yield* x.simple(`insert into ${h.table} (k, op) values (${k}, 'r')`)
      yield* x.simple(`select pg_sleep(${sleep})`)
      yield* x.simple("commit")
    })
  )
  return {
    label: `exclusive raw ${ks.length} inserts`,
    effect,
    record: { keys: ks, atomic: true }
  }
}

/** Statements on the server must stay within the cache (interrupted prepares must not leak). */
const checkPreparedOnServer = (h: Harness, cacheSize: number) =>
  Effect.gen(function*() {
    const r = yield* h.c.execute<{ n: number }>("select count(*)::int as n from pg_prepared_statements")
    assert.isAtMost(r.rows[0]!.n, cacheSize, `${h.kind}: ${r.rows[0]!.n} prepared statements on the server, cache size ${cacheSize}`)
  })

const storm = (
  kind: string,
  n: number,
  build: (h: Harness, i: number) => Planned,
  options: PgConnection.ConnectionOptions = {},
  after?: (h: Harness, i: number) => Effect.Effect<void, PgError.PgError>,
  target?: string
) =>
  Effect.gen(function*() {
    const h = yield* makeHarness(kind, options, target)
    for (let i = 0; i < trials(n); i++) {
      yield* trial(h, i, build)
      if (after !== undefined) yield* after(h, i)
    }
    yield* finish(h)
    return h
  })

// --- many fibers at once -------------------------------------------------------------------------

const mixedOps: ReadonlyArray<readonly [number, (h: Harness, i: number) => Planned]> = [
  [3, simpleOp],
  [3, executeOp("cached")],
  [2, executeOp("unnamed")],
  [4, selectOp],
  [1, streamOp],
  [1, (h, i) => copyInOp(h, i, false)],
  [1, copyOutOp],
  [1, exclusiveGuardedOp]
]

const pickMixed = (rng: Rng): (h: Harness, i: number) => Planned => {
  const total = mixedOps.reduce((a, [w]) => a + w, 0)
  let r = rng() * total
  for (const [w, op] of mixedOps) {
    if ((r -= w) < 0) return op
  }
  return mixedOps[0]![1]
}

/**
 * Rounds of 5–30 concurrent fibers of every kind on one connection, each interrupted (or not)
 * at its own random point. Fibers not interrupted must succeed (a QueryCanceled one was hit by a
 * stray CancelRequest: counted); then the connection must be in step.
 */
const pipelinedRound = (h: Harness, round: number) =>
  Effect.gen(function*() {
    const k = h.rng.int(5, 30)
    const running: Array<{ plan: Planned; w: Watch<unknown, PgError.PgError>; delay: Delay | undefined }> = []
    for (let j = 0; j < k; j++) {
      const plan = pickMixed(h.rng)(h, round * 100 + j)
      const delay = h.rng.chance(0.4) ? drawDelay(h.rng) : undefined
      const fiber = yield* Effect.forkChild(plan.effect, { startImmediately: h.rng.chance(0.8) })
      running.push({ plan, w: watch(fiber, delay), delay })
      if (h.rng.chance(0.1)) yield* Effect.sleep(Duration.millis(h.rng() * 3))
    }
    const roundCtx = `${h.kind} seed=${h.stats.seed} round=${round}`
    for (const [j, { plan, w, delay }] of running.entries()) {
      const ctx0 = `${roundCtx} fiber=${j} ${plan.label} delay=${delay === undefined ? "none" : showDelay(delay)}`
      const exit = yield* awaitBounded(w.fiber, () => `${ctx0} ${plan.describe?.() ?? ""} hangs (inFlight=${h.c.inFlight})`)
      h.stats.trials++
      const ctx = `${ctx0}${plan.describe !== undefined ? ` ${plan.describe()}` : ""}`
      const outcome = outcomeOf(exit)
      h.stats.record(outcome, exit)
      checkLatency(h, w, ctx)
      if (outcome === "failed") {
        if (isQueryCanceled(exit)) {
          h.stats.strayCancels++
          if (h.stats.strayContexts.length < 5) h.stats.strayContexts.push(ctx)
        } else {
          assert.isTrue(isConnectionClosed(exit) && !h.c.isOpen, `${ctx}: failed: ${reasonOf(exit)}`)
        }
      }
      if (outcome === "interrupted") assert.isDefined(w.issuedAt, `${ctx}: interrupted without being interrupted`)
      if (Exit.isSuccess(exit)) plan.onSuccess?.(exit.value, ctx)
      recordOutcome(h, plan, outcome, `round=${round} fiber=${j} ${plan.label}`)
    }
    yield* settle(h, roundCtx)
  })

/**
 * Several fibers execute the same never-seen statement at once (they share one preparation);
 * some are interrupted, including the one whose preparation the others wait on.
 */
const sharedPrepareRound = (h: Harness, round: number) =>
  Effect.gen(function*() {
    const sql = `select $1::int + ${round} as v from pg_sleep($2::float8) /* shared ${round} */`
    const running: Array<{ v: number; w: Watch<PgConnection.QueryResult<{ v: number }>, PgError.PgError>; delay: Delay | undefined }> = []
    for (let j = 0; j < h.rng.int(2, 8); j++) {
      const v = h.rng.int(0, 1_000_000)
      const delay = h.rng.chance(0.4) ? drawDelay(h.rng) : undefined
      const fiber = yield* Effect.forkChild(h.c.execute<{ v: number }>(sql, [v, drawSleep(h.rng) / 4]), { startImmediately: true })
      running.push({ v, w: watch(fiber, delay), delay })
    }
    const roundCtx = `${h.kind} seed=${h.stats.seed} round=${round}`
    for (const [j, { v, w, delay }] of running.entries()) {
      const ctx = `${roundCtx} fiber=${j} delay=${delay === undefined ? "none" : showDelay(delay)}`
      const exit = yield* awaitBounded(w.fiber, () => `${ctx} hangs`)
      h.stats.trials++
      const outcome = outcomeOf(exit)
      h.stats.record(outcome, exit)
      checkLatency(h, w, ctx)
      if (outcome === "interrupted") assert.isDefined(w.issuedAt, `${ctx}: interrupted without being interrupted`)
      if (Exit.isSuccess(exit)) assert.deepStrictEqual(exit.value.rows, [{ v: v + round }], `${ctx}: answered another value`)
      else if (outcome === "failed") {
        if (isQueryCanceled(exit)) h.stats.strayCancels++
        else assert.isTrue(isConnectionClosed(exit) && !h.c.isOpen, `${ctx}: failed: ${reasonOf(exit)}`)
      }
    }
    yield* settle(h, roundCtx)
  })

// --- connecting ---------------------------------------------------------------------------------

/** Sockets of this process (TCP, unix, TLS), from Node's active resources. */
const openSockets = (): number =>
  process.getActiveResourcesInfo().filter((r) => /TCP|Pipe|TLS|Connect/.test(r)).length

const backendsOf = (admin: PgConnection.PgConnection, app: string) =>
  Effect.map(
    admin.execute<{ n: number }>("select count(*)::int as n from pg_stat_activity where application_name = $1", [app]),
    (r) => r.rows[0]!.n
  )

/** Polls until no backend of `app` is left and the process has `sockets` sockets again. */
const waitNoLeak = (admin: PgConnection.PgConnection, app: string, sockets: number, ctx: string) =>
  Effect.gen(function*() {
    const deadline = performance.now() + 2000
    while (true) {
      const backends = yield* backendsOf(admin, app)
      const open = openSockets()
      if (backends === 0 && open <= sockets) return
      if (performance.now() > deadline) {
        return assert.fail(`${ctx}: leak: ${backends} backend(s) of ${app} and ${open} sockets (baseline ${sockets}) after 2 s`)
      }
      yield* Effect.sleep(Duration.millis(20))
    }
  })

/** Connection strings to storm: plain TCP, TLS, unix socket, SCRAM over TLS. */
const connectTargets = (app: string): ReadonlyArray<readonly [string, string]> => {
  const add = (u: string) => `${u}${u.includes("?") ? "&" : "?"}application_name=${app}`
  const targets: Array<readonly [string, string]> = [["tcp", add(url)]]
  if (server.tls !== undefined) targets.push(["tls", add(server.connectionString("superuser", { sslmode: "require" }))])
  if (server.socketDir !== undefined) targets.push(["socket", add(server.connectionString("superuser", { via: "socket" }))])
  if (server.skipReason("scram") === undefined && server.tls !== undefined) {
    targets.push(["scram+tls", add(server.connectionString("scram", { sslmode: "require" }))])
  }
  return targets
}

// --- the storms ------------------------------------------------------------------------------------

describe("interruption storms", () => {
  it.live("simple queries (single and multi-statement inserts)", () => storm("simple", 200, simpleOp), 60_000)

  it.live("execute: prepared, first time (unique SQL, small cache: evictions)", () =>
    Effect.gen(function*() {
      const h = yield* storm("execute-first", 150, executeOp("first"), { preparedCacheSize: 8 })
      yield* checkPreparedOnServer(h, 8)
    }), 60_000)

  it.live("execute: prepared, cached", () => storm("execute-cached", 200, executeOp("cached")), 60_000)

  it.live("execute: unnamed", () => storm("execute-unnamed", 200, executeOp("unnamed")), 60_000)

  it.live("prepare (then the statement is usable; no statement leaks on the server)", () =>
    Effect.gen(function*() {
      const h = yield* storm("prepare", 150, prepareOp, { preparedCacheSize: 8 }, (h, i) =>
        Effect.gen(function*() {
          if (!h.c.isOpen) return
          const r = yield* h.c.execute<{ v: number }>(prepareSql(i), [1])
          assert.deepStrictEqual(r.rows, [{ v: 1 + i }], `${h.kind} trial=${i}: execute after prepare`)
        }))
      yield* checkPreparedOnServer(h, 8)
    }), 60_000)

  it.live("stream through a portal (batch sizes, early stop, slow server and consumer)", () =>
    storm("stream", 150, streamOp), 60_000)

  it.live("copyIn (while writing, before end, during end)", () => storm("copy-in", 150, copyInOp), 60_000)

  it.live("copyOut (mid-stream, paused socket, early stop)", () => storm("copy-out", 120, copyOutOp), 60_000)

  it.live("exclusive: guarded transaction (rollback on interruption), with neighbours", () =>
    storm("exclusive-guarded", 150, exclusiveGuardedOp), 60_000)

  it.live("exclusive: raw BEGIN … COMMIT, rolled back by the section's end, with neighbours", () => storm("exclusive-raw", 150, exclusiveRawOp), 60_000)

  it.live("execute (cached and unnamed) on protocol 3.2 (long cancel keys)", () =>
    storm("execute-3.2", 100, (h, i) => executeOp(h.rng.chance(0.5) ? "cached" : "unnamed")(h, i), {}, undefined,
      `${withApp("pgfx_storm")}&max_protocol_version=3.2`), 60_000)

  it.live.skipIf(server.tls === undefined)("simple queries over TLS (the CancelRequest goes over TLS too)", () =>
    storm("simple-tls", 100, simpleOp, {}, undefined,
      `${server.connectionString("superuser", { sslmode: "require" })}&application_name=pgfx_storm`), 60_000)

  it.live("many pipelined fibers of every kind, interrupted at random", () =>
    Effect.gen(function*() {
      const h = yield* makeHarness("pipelined")
      for (let round = 0; round < trials(40); round++) yield* pipelinedRound(h, round)
      yield* finish(h)
    }), 60_000)

  it.live("execute: concurrent first executions sharing one preparation", () =>
    Effect.gen(function*() {
      const h = yield* makeHarness("execute-shared", { preparedCacheSize: 8 })
      for (let round = 0; round < trials(80); round++) yield* sharedPrepareRound(h, round)
      yield* finish(h)
      yield* checkPreparedOnServer(h, 8)
    }), 60_000)

  it.live("cancelTimeout of 1 ms: interrupted requests close the connection cleanly", () =>
    Effect.gen(function*() {
      const ops = [simpleOp, executeOp("cached"), executeOp("unnamed"), copyInOp, streamOp, exclusiveGuardedOp]
      const h = yield* storm("close-on-timeout", 80, (h, i) => h.rng.pick(ops)(h, i), { cancelTimeout: Duration.millis(1) })
      assert.isAbove(h.stats.closed, 0, "no interruption closed the connection")
    }), 60_000)

  it.live("connect: PgConnection.make interrupted at 0–20 ms leaks no socket and no backend", () =>
    Effect.gen(function*() {
      const rng = makeRng(seedFor("connect"))
      const app = "pgfx_storm_connect"
      const admin = yield* PgConnection.make(withApp("pgfx_storm_admin"))
      const targets = connectTargets(app)
      const sockets = openSockets()
      const outcomes: Record<string, number> = {}
      let maxLatency = 0
      let established = 0
      const started = performance.now()
      const n = trials(120)
      for (let i = 0; i < n; i++) {
        const [name, target] = targets[i % targets.length]!
        const delay: Delay = rng.chance(0.1)
          ? { kind: "sync" }
          : rng.chance(0.1)
          ? { kind: "microtask", hops: rng.int(1, 6) }
          : { kind: "ms", ms: rng() * 20 }
        const ctx = `connect seed=${rng.seed} trial=${i} ${name} delay=${showDelay(delay)}`
        // Connected or not, the interruption ends the Scope: the connection must go away.
        const fiber = yield* Effect.forkChild(
          Effect.scoped(
            Effect.flatMap(PgConnection.make(target, { cancelTimeout: Duration.millis(CANCEL_TIMEOUT_MS) }), () => {
              established++
              return Effect.never
            })
          ),
          { startImmediately: true }
        )
        const w = watch(fiber, delay)
        const exit = yield* Fiber.await(fiber)
        const outcome = outcomeOf(exit)
        assert.strictEqual(outcome, "interrupted", `${ctx}: ${reasonOf(exit)}`)
        outcomes[name] = (outcomes[name] ?? 0) + 1
        const ms = w.exitedAt! - w.issuedAt!
        maxLatency = Math.max(maxLatency, ms)
        assert.isBelow(ms, 1000, `${ctx}: the interruption took ${ms.toFixed(0)} ms`)
        if (i % 10 === 9 || i === n - 1) yield* waitNoLeak(admin, app, sockets, ctx)
      }
      console.log(
        `[storm] connect seed=${rng.seed} trials=${n} per target ${JSON.stringify(outcomes)} ` +
          `established before the interruption: ${established} ` +
          `max interrupt latency ${maxLatency.toFixed(1)} ms time=${((performance.now() - started) / 1000).toFixed(1)}s`
      )
    }), 60_000)
})

// --- stray cancels and reproductions ------------------------------------------------------------

const afterMicrotasks = (n: number) =>
  Effect.promise(() =>
    new Promise<void>((resolve) => {
      const hop = () => (--n <= 0 ? resolve() : queueMicrotask(hop))
      queueMicrotask(hop)
    })
  )

type StrayScenario = "head" | "behind" | "after"

/**
 * One stray-cancel probe: a victim running for `victimMs`, interrupted at a random point of its
 * execution, and a 30 ms neighbour —
 * - `head`: pipelined right behind the victim (written in the same write);
 * - `behind`: the victim waits behind a fast request, the neighbour behind the victim;
 * - `after`: sent only once the interruption completed (the session holds it back while the
 *   CancelRequest is in flight).
 * Returns whether the neighbour was cancelled (QueryCanceled).
 */
const strayProbe = (c: PgConnection.PgConnection, rng: Rng, scenario: StrayScenario, victimMs: number) =>
  Effect.gen(function*() {
    const fork = <A>(e: Effect.Effect<A, PgError.PgError>) => Effect.forkChild(e, { startImmediately: true })
    const ahead = scenario === "behind" ? yield* fork(c.execute(NEIGHBOUR_SQL, [0, 0])) : undefined
    const victim = yield* fork(c.execute(NEIGHBOUR_SQL, [1, victimMs / 1000]))
    let neighbour = scenario === "after" ? undefined : yield* fork(c.execute<{ v: number }>(NEIGHBOUR_SQL, [2, 0.03]))
    // Interrupt once the requests are written (the flush runs in a microtask), at a random point
    // of the victim's execution.
    yield* afterMicrotasks(rng.int(2, 4))
    if (rng.chance(0.7)) yield* Effect.sleep(Duration.millis(rng() * Math.min(victimMs, 5)))
    yield* Fiber.interrupt(victim)
    if (neighbour === undefined) neighbour = yield* fork(c.execute<{ v: number }>(NEIGHBOUR_SQL, [2, 0.03]))
    const exit = yield* Fiber.await(neighbour)
    if (ahead !== undefined) yield* Fiber.await(ahead)
    if (isQueryCanceled(exit)) return true
    assert.deepStrictEqual(Exit.isSuccess(exit) ? exit.value.rows : reasonOf(exit), [{ v: 2 }])
    return false
  })

/** Victim lengths, in buckets (ms), for the stray-cancel measurement. */
const victimBuckets: ReadonlyArray<readonly [number, number]> = [[0, 2], [2, 40], [40, 70], [70, 100]]

/** Stray-cancel hits per victim-length bucket; logs a line per bucket. */
const strayRates = (scenario: StrayScenario, perBucket: number) =>
  Effect.gen(function*() {
    const rng = makeRng(seedFor(`stray-${scenario}`))
    const c = yield* connectVictim(withApp("pgfx_storm"), {})
    let total = 0
    const parts: Array<string> = []
    for (const [lo, hi] of victimBuckets) {
      let hits = 0
      for (let i = 0; i < perBucket; i++) {
        if (yield* strayProbe(c, rng, scenario, lo + rng() * (hi - lo))) hits++
      }
      total += hits
      parts.push(`${lo}–${hi} ms: ${hits}/${perBucket}`)
    }
    const v = yield* c.execute<{ v: number }>("select $1::int as v", [9])
    assert.deepStrictEqual(v.rows, [{ v: 9 }])
    console.log(`[storm] stray cancels, neighbour ${scenario} the victim (victim length ${parts.join(", ")}) seed=${rng.seed}`)
    return total
  })

describe("stray CancelRequests", () => {
  it.live("a request sent after the interruption is never hit (held back while the cancel is in flight)", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* strayRates("after", trials(10)), 0)
    }), 60_000)

  // A CancelRequest aimed at an interrupted request can still reach the backend after the victim
  // finished by itself, while it runs the statement pipelined behind it. The session marks such a
  // query_canceled as collateral, and PgConnection re-runs that statement (it was rolled back).
  it.live("pipelined neighbours are never hit by a stray cancel (victim at the head / behind another)", () =>
    Effect.gen(function*() {
      const head = yield* strayRates("head", trials(25))
      const behind = yield* strayRates("behind", trials(25))
      assert.strictEqual(head + behind, 0)
    }), 60_000)
})

describe("storm reproductions", () => {
  it.live("copyIn interrupted before its Query was written: dropped at once, the connection stays", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url, { cancelTimeout: Duration.millis(CANCEL_TIMEOUT_MS) })
      yield* c.simple("create temp table ci (i int)")
      for (let i = 0; i < 20; i++) {
        const fiber = yield* Effect.forkChild(
          Effect.scoped(Effect.flatMap(c.copyIn("copy ci from stdin"), (w) => Effect.andThen(w.write("1\n"), w.end))),
          { startImmediately: true }
        )
        const w = watch(fiber, i % 2 === 0 ? { kind: "sync" } : { kind: "microtask", hops: 1 })
        yield* Fiber.await(fiber)
        assert.isTrue(c.isOpen, `trial ${i}`)
        assert.isBelow(w.exitedAt! - w.issuedAt!, 100, `trial ${i}`)
      }
      const r = yield* c.execute<{ n: number }>("select count(*)::int as n from ci")
      assert.deepStrictEqual(r.rows, [{ n: 0 }])
    }))

  it.live("interrupted prepares leave no statement behind on the server", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url, { preparedCacheSize: 4 })
      for (let i = 0; i < 40; i++) {
        const f = yield* Effect.forkChild(c.prepare(`select ${i} as v /* leak ${i} */`), { startImmediately: true })
        // Written (the flush runs in a microtask), not yet answered.
        yield* afterMicrotasks(1 + (i % 3))
        yield* Fiber.interrupt(f)
      }
      yield* c.execute("select 1")
      const r = yield* c.execute<{ n: number }>("select count(*)::int as n from pg_prepared_statements")
      assert.isAtMost(r.rows[0]!.n, 4)
    }))

  // Was a desynchronisation: the portal's Sync outlived the dropped portal request, and its
  // ReadyForQuery completed the next request ("the statement takes 0 parameter(s)").
  it.live("a stream interrupted while a CancelRequest is in flight leaves the session in step", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.prepare("select 1 as x")
      const victim = yield* Effect.forkChild(c.simple("select pg_sleep(1)"), { startImmediately: true })
      yield* Effect.sleep("30 millis")
      victim.interruptUnsafe() // a CancelRequest is in flight now: new requests are held back
      const streamer = yield* Effect.forkChild(Stream.runDrain(c.stream("select 1 as x")), { startImmediately: true })
      yield* afterMicrotasks(2)
      streamer.interruptUnsafe()
      yield* Fiber.await(victim)
      yield* Fiber.await(streamer)
      const r = yield* Effect.exit(c.execute<{ v: number }>("select $1::int as v", [42]))
      assert.deepStrictEqual(Exit.isSuccess(r) ? r.value.rows : reasonOf(r), [{ v: 42 }])
      assert.isTrue(c.isOpen)
      yield* Effect.sleep("50 millis")
      assert.isTrue(c.isOpen)
    }))
})

describe("writes that belong to a held-back request", () => {
  // Regression: while requests are held back behind a CancelRequest in flight, bytes written for
  // a request (a portal's Sync) must travel with THAT request (`Session.writeNow(bytes, owner)`),
  // not with whichever request is pending last — else a lone Sync's ReadyForQuery completes the
  // wrong request and the session falls out of step.
  it.live("a stream and an execute pending in one exclusive section, the stream interrupted", () =>
    Effect.gen(function*() {
      const c = yield* PgConnection.make(url)
      yield* c.prepare("select 1 as x")
      yield* c.prepare("select $1::int as v")
      const victim = yield* Effect.forkChild(c.simple("select pg_sleep(1)"), { startImmediately: true })
      yield* Effect.sleep("30 millis")
      victim.interruptUnsafe() // a CancelRequest is in flight now: new requests are held back
      const result = yield* c.exclusive((x) =>
        Effect.gen(function*() {
          const streamer = yield* Effect.forkChild(Stream.runDrain(x.stream("select 1 as x")), { startImmediately: true })
          const other = yield* Effect.forkChild(x.execute<{ v: number }>("select $1::int as v", [7]), { startImmediately: true })
          streamer.interruptUnsafe()
          yield* Fiber.await(streamer)
          return yield* Fiber.await(other)
        })
      )
      yield* Fiber.await(victim)
      // The execute was sent while the stream occupied the section: it is refused (ConnectionBusy)
      // rather than interleaved — or it ran after the stream's messages. Either way, never desync.
      if (Exit.isSuccess(result)) assert.deepStrictEqual(result.value.rows, [{ v: 7 }])
      else assert.match(reasonOf(result), /^ConnectionBusy:/)
      const r = yield* Effect.exit(c.execute<{ v: number }>("select $1::int as v", [42]))
      assert.deepStrictEqual(Exit.isSuccess(r) ? r.value.rows : reasonOf(r), [{ v: 42 }])
      yield* Effect.sleep("50 millis")
      assert.isTrue(c.isOpen, "the connection closed: a reply arrived for no request")
    }))
})

describe("exclusive sections left inside a transaction", () => {
  // Was a bug: the gate was released with the transaction still open, and the waiting fibers'
  // requests ran inside it (41 of 60 probes) or failed with InFailedTransaction.
  it.live("other fibers never run inside the transaction an interrupted section left open", () =>
    Effect.gen(function*() {
      const h = yield* makeHarness("exclusive-leftover")
      let inFailed = 0
      let inTransaction = 0
      const n = trials(60)
      for (let i = 0; i < n; i++) {
        const effect = h.c.exclusive((x) =>
          Effect.gen(function*() {
            yield* x.simple("begin")
            yield* x.simple(`select pg_sleep(${h.rng() * 0.01})`)
            yield* x.simple("commit")
          })
        )
        const fiber = yield* Effect.forkChild(effect, { startImmediately: true })
        const waiter = yield* Effect.forkChild(h.c.simple("select now() = statement_timestamp() as autocommit"), {
          startImmediately: true
        })
        watch(fiber, { kind: "ms", ms: h.rng() * 8 })
        yield* Fiber.await(fiber)
        const exit = yield* Fiber.await(waiter)
        if (Exit.isFailure(exit)) inFailed++
        else if ((exit.value[0]!.rows[0] as { autocommit: boolean }).autocommit === false) inTransaction++
        if (h.c.transactionStatus !== "idle") yield* h.c.simple("rollback")
      }
      console.log(`[storm] exclusive leftovers: ${inFailed}/${n} waiters failed in an aborted transaction, ${inTransaction}/${n} ran inside it`)
      assert.strictEqual(inFailed + inTransaction, 0)
    }), 60_000)
})
