/**
 * two-phase-commit: a money transfer between two participants that must both commit or both
 * roll back, with `PgTwoPhase`. A coordinator prepares the debit on one participant and the
 * credit on the other (`PREPARE TRANSACTION`), records its decision, then commits both
 * (`COMMIT PREPARED`) — or rolls back whatever was prepared when one side refuses. A third
 * transfer "crashes" the coordinator between the two phases; recovery finds the pending
 * transactions with `listPrepared` and finishes them from the decision log.
 *
 * The two participants are two sessions on two schemas of one database, so the example runs
 * anywhere; in real life they are different databases or servers (one client each), which is the
 * point of two-phase commit. The server needs `max_prepared_transactions > 0` (the embedded
 * server has 10).
 *
 * Run: `pnpm example two-phase-commit`. Uses DATABASE_URL when set, otherwise an embedded
 * PostgreSQL.
 *
 * @since 0.1.0
 */
import { Console, Effect, Result } from "effect"
import { PgClient } from "@pgfx/client"
import type { PgError } from "@pgfx/connection/PgError"
import * as PgTwoPhase from "@pgfx/client/PgTwoPhase"

type Client = PgClient.Service

/** One side of a transfer: a client and the schema holding its accounts. */
interface Participant {
  readonly name: string
  readonly sql: Client
  readonly schema: string
}

/** Every gid of this run starts with it (recovery and cleanup look for exactly these). */
const runPrefix = `pgfx-example-${Date.now().toString(36)}-`

const accounts = (p: Participant) => p.sql.identifier(p.schema, "accounts")

const setup = (p: Participant, owner: string, balance: number) =>
  Effect.gen(function*() {
    yield* p.sql`drop schema if exists ${p.sql.identifier(p.schema)} cascade`
    yield* p.sql`create schema ${p.sql.identifier(p.schema)}`
    yield* p.sql`create table ${accounts(p)} (owner text primary key, balance int4 not null check (balance >= 0))`
    yield* p.sql`insert into ${accounts(p)} values (${owner}, ${balance})`
  })

const balance = (p: Participant, owner: string) =>
  Effect.map(p.sql<{ balance: number }>`select balance from ${accounts(p)} where owner = ${owner}`.single, (r) => r.balance)

/** The coordinator's durable decision log: a transfer is committed once its row says so. */
const decisions = (sql: Client) => sql.identifier("pgfx_2pc_coordinator", "decisions")

interface Transfer {
  readonly id: number
  readonly from: Participant
  readonly fromOwner: string
  readonly to: Participant
  readonly toOwner: string
  readonly amount: number
}

const gidOf = (t: Transfer, p: Participant) => `${runPrefix}transfer-${t.id}-${p.name}`

/**
 * Phase 1 on both participants at once; then the decision; then phase 2. With `crash`, the
 * coordinator stops after logging its decision, before phase 2.
 */
const transfer = (coordinator: Client, t: Transfer, options: { readonly crash?: boolean } = {}) =>
  Effect.gen(function*() {
    const label = `transfer ${t.id}: ${t.fromOwner}@${t.from.name} → ${t.toOwner}@${t.to.name}, ${t.amount}`
    const debit = PgTwoPhase.prepare(
      t.from.sql,
      gidOf(t, t.from),
      t.from.sql`update ${accounts(t.from)} set balance = balance - ${t.amount} where owner = ${t.fromOwner}`
    )
    const credit = PgTwoPhase.prepare(
      t.to.sql,
      gidOf(t, t.to),
      t.to.sql`update ${accounts(t.to)} set balance = balance + ${t.amount} where owner = ${t.toOwner}`
    )
    // Phase 1: each participant does its work and promises to be able to commit it.
    const [debited, credited] = yield* Effect.all([Effect.result(debit), Effect.result(credit)], { concurrency: 2 })
    const votes: ReadonlyArray<readonly [Participant, Result.Result<unknown, PgError>]> = [[t.from, debited], [t.to, credited]]
    const refused = votes.filter(([, r]) => Result.isFailure(r))
    if (refused.length > 0) {
      // Someone voted no: roll back those that prepared. Nothing happened anywhere.
      const undone: Array<string> = []
      for (const [p, r] of votes) {
        if (Result.isFailure(r)) continue
        yield* PgTwoPhase.rollbackPrepared(p.sql, gidOf(t, p))
        undone.push(p.name)
      }
      const reasons = refused.map(([p, r]) => `${p.name} refused (${Result.isFailure(r) ? r.failure.message : ""})`)
      yield* Console.log(`${label}: ${reasons.join("; ")} → rolled back the prepared ${undone.join(", ") || "nothing"}`)
      return "rolled back" as const
    }
    // The decision is durable before phase 2: from here on, the transfer will commit.
    yield* coordinator`insert into ${decisions(coordinator)} values (${t.id}, 'commit')`
    if (options.crash === true) {
      yield* Console.log(`${label}: prepared on both, decision logged, and the coordinator crashes before phase 2`)
      return "in doubt" as const
    }
    // Phase 2, from any session of each participant's database.
    for (const [p] of votes) yield* PgTwoPhase.commitPrepared(p.sql, gidOf(t, p))
    yield* Console.log(`${label}: prepared on both → committed`)
    return "committed" as const
  })

/** What a restarted coordinator does: finish every pending transaction of ours by the log. */
const recover = (coordinator: Client, participants: ReadonlyArray<Participant>) =>
  Effect.gen(function*() {
    let finished = 0
    for (const p of participants) {
      // Each participant lists its own (here they share a database, so keep to this one's gids).
      const mine = (yield* PgTwoPhase.listPrepared(p.sql, { prefix: runPrefix })).filter((x) => x.gid.endsWith(`-${p.name}`))
      for (const pending of mine) {
        const id = Number(/transfer-(\d+)-/.exec(pending.gid)?.[1])
        const decided = yield* coordinator<{ id: number }>`select id from ${decisions(coordinator)} where id = ${id}`
        if (decided.length > 0) yield* PgTwoPhase.commitPrepared(p.sql, pending.gid)
        else yield* PgTwoPhase.rollbackPrepared(p.sql, pending.gid)
        finished++
        yield* Console.log(`  recovery: ${decided.length > 0 ? "committed" : "rolled back"} ${pending.gid} (prepared by ${pending.owner})`)
      }
    }
    return finished
  })

const program = (url: string) =>
  Effect.gen(function*() {
    // Three sessions: the two participants and the coordinator.
    const east: Participant = { name: "east", sql: yield* PgClient.connect(url), schema: "pgfx_2pc_east" }
    const west: Participant = { name: "west", sql: yield* PgClient.connect(url), schema: "pgfx_2pc_west" }
    const coordinator = yield* PgClient.connect(url)

    // Whatever happens, leave no prepared transaction behind: they keep their locks forever.
    yield* Effect.addFinalizer(() =>
      Effect.ignore(Effect.gen(function*() {
        for (const p of yield* PgTwoPhase.listPrepared(coordinator, { prefix: runPrefix })) {
          yield* PgTwoPhase.rollbackPrepared(coordinator, p.gid)
        }
        yield* coordinator.simple("drop schema if exists pgfx_2pc_east, pgfx_2pc_west, pgfx_2pc_coordinator cascade")
      }))
    )
    const { setting } = yield* coordinator<{ setting: string }>`select current_setting('max_prepared_transactions') as setting`.single
    yield* Console.log(`max_prepared_transactions = ${setting}`)

    yield* setup(east, "alice", 100)
    yield* setup(west, "bob", 0)
    yield* coordinator`drop schema if exists pgfx_2pc_coordinator cascade`
    yield* coordinator`create schema pgfx_2pc_coordinator`
    yield* coordinator`create table ${decisions(coordinator)} (id int4 primary key, decision text not null)`

    const show = Effect.gen(function*() {
      const alice = yield* balance(east, "alice")
      const bob = yield* balance(west, "bob")
      yield* Console.log(`  balances: alice@east ${alice}, bob@west ${bob}`)
      return { alice, bob }
    })
    yield* show

    const base = { from: east, fromOwner: "alice", to: west, toOwner: "bob" }
    const first = yield* transfer(coordinator, { ...base, id: 1, amount: 30 })
    yield* show
    // Alice cannot go below zero: east votes no (a check violation), west's prepared credit is rolled back.
    const second = yield* transfer(coordinator, { ...base, id: 2, amount: 500 })
    yield* show
    const third = yield* transfer(coordinator, { ...base, id: 3, amount: 20 }, { crash: true })
    const pending = (yield* PgTwoPhase.listPrepared(coordinator, { prefix: runPrefix })).map((p) => p.gid)
    yield* Console.log(`  pending: ${pending.join(", ")}`)
    // Prepared but not committed: nobody sees the transfer yet.
    yield* show
    const recovered = yield* recover(coordinator, [east, west])
    const final = yield* show
    return { outcomes: [first, second, third], pending: pending.length, recovered, balances: final }
  }).pipe(Effect.scoped)

/**
 * Runs the example against `url`.
 *
 * @since 0.1.0
 */
export const main = (url: string) => Effect.runPromise(program(url))
