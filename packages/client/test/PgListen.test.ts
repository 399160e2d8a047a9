/**
 * Offline parts of `PgListen`: the per-subscriber buffer (gap accounting under every overflow
 * strategy, checked against a model with fast-check), channel and payload validation, and the
 * failures that happen before anything reaches a server.
 */
import { assert, describe, it } from "@effect/vitest"
import type { PgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import { type Gap, ListenBuffer, type OverflowStrategy } from "../src/internal/listenBuffer.ts"
import { channelProblem, payloadProblem, utf8Length } from "../src/internal/listenChannel.ts"
import * as PgListen from "../src/PgListen.ts"

type Out = number | { readonly reconnected: true } | { readonly dropped: number }

const gapOut = (gap: Gap, out: Array<Out>) => {
  if (gap.reconnected) out.push({ reconnected: true })
  if (gap.dropped > 0) out.push({ dropped: gap.dropped })
}

type Command = { readonly _tag: "offer" } | { readonly _tag: "reconnect" } | { readonly _tag: "drain" }

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ _tag: "offer" } as const) },
  { weight: 1, arbitrary: fc.constant({ _tag: "reconnect" } as const) },
  { weight: 2, arbitrary: fc.constant({ _tag: "drain" } as const) }
)

/** Runs commands; returns everything drained (a final drain included) and the reconnect points. */
const run = (capacity: number, strategy: OverflowStrategy, commands: ReadonlyArray<Command>) => {
  const buffer = new ListenBuffer<number>(capacity, strategy)
  const out: Array<Out> = []
  const reconnectsAfter: Array<number> = []
  let offered = 0
  for (const c of commands) {
    if (c._tag === "offer") {
      const full = buffer.size === buffer.capacity
      const accepted = buffer.offer(++offered)
      assert.strictEqual(accepted, !(strategy === "fail" && full))
      if (!accepted) return undefined
      assert.isAtMost(buffer.size, buffer.capacity)
    } else if (c._tag === "reconnect") {
      buffer.markReconnected()
      reconnectsAfter.push(offered)
    } else {
      out.push(...buffer.drain(gapOut))
      assert.isTrue(buffer.isEmpty)
    }
  }
  out.push(...buffer.drain(gapOut))
  return { out, offered, reconnectsAfter }
}

describe("ListenBuffer", () => {
  for (const strategy of ["sliding", "dropping"] as const) {
    it(`${strategy}: every lost notification is reported exactly where it was lost`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 6 }), fc.array(commandArb, { maxLength: 80 }), (capacity, commands) => {
          const result = run(capacity, strategy, commands)!
          const { offered, out } = result
          // Between consecutive delivered notifications (and before the first / after the last),
          // the Overflow counts add up to the number missing there.
          let previous = 0
          let droppedSince = 0
          for (const e of out) {
            if (typeof e === "number") {
              assert.isAbove(e, previous, "in order, no duplicates")
              assert.strictEqual(droppedSince, e - previous - 1)
              previous = e
              droppedSince = 0
            } else if ("dropped" in e) {
              assert.isAbove(e.dropped, 0)
              droppedSince += e.dropped
            }
          }
          assert.strictEqual(droppedSince, offered - previous)
        })
      )
    })

    it(`${strategy}: every reconnection is marked between the notifications before and after it`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 6 }), fc.array(commandArb, { maxLength: 80 }), (capacity, commands) => {
          const { out, reconnectsAfter } = run(capacity, strategy, commands)!
          for (const k of reconnectsAfter) {
            const marked = out.some((e, i) =>
              typeof e === "object" && "reconnected" in e &&
              out.slice(0, i).every((x) => typeof x !== "number" || x <= k) &&
              out.slice(i + 1).every((x) => typeof x !== "number" || x > k)
            )
            assert.isTrue(marked, `reconnect after ${k} in ${JSON.stringify(out)}`)
          }
        })
      )
    })
  }

  it("sliding keeps the newest, with the loss in front", () => {
    const b = new ListenBuffer<number>(3, "sliding")
    for (let i = 1; i <= 10; i++) assert.isTrue(b.offer(i))
    assert.deepStrictEqual(b.drain(gapOut), [{ dropped: 7 }, 8, 9, 10])
  })

  it("dropping keeps the oldest, with the loss after them", () => {
    const b = new ListenBuffer<number>(3, "dropping")
    for (let i = 1; i <= 10; i++) assert.isTrue(b.offer(i))
    assert.deepStrictEqual(b.drain(gapOut), [1, 2, 3, { dropped: 7 }])
    b.offer(11)
    assert.deepStrictEqual(b.drain(gapOut), [11])
  })

  it("fail refuses once full", () => {
    const b = new ListenBuffer<number>(2, "fail")
    assert.isTrue(b.offer(1))
    assert.isTrue(b.offer(2))
    assert.isFalse(b.offer(3))
    assert.deepStrictEqual(b.drain(gapOut), [1, 2])
  })

  it("a reconnection that slides out keeps its mark", () => {
    const b = new ListenBuffer<number>(2, "sliding")
    b.offer(1)
    b.markReconnected()
    b.offer(2)
    b.offer(3)
    b.offer(4)
    assert.deepStrictEqual(b.drain(gapOut), [{ reconnected: true }, { dropped: 2 }, 3, 4])
  })

  it("capacity is at least 1", () => {
    assert.strictEqual(new ListenBuffer(0, "sliding").capacity, 1)
    assert.strictEqual(new ListenBuffer(2.7, "sliding").capacity, 2)
  })
})

describe("channel and payload checks", () => {
  it("utf8Length agrees with TextEncoder on well-formed strings", () => {
    const encoder = new TextEncoder()
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        assert.strictEqual(utf8Length(s), encoder.encode(s).length)
      })
    )
  })

  it("utf8Length refuses lone surrogates", () => {
    assert.strictEqual(utf8Length("a\ud800"), -1)
    assert.strictEqual(utf8Length("\udc00b"), -1)
    assert.strictEqual(utf8Length("\ud83d\ude00"), 4)
  })

  it("channel names: empty, NUL, surrogates and more than 63 bytes are refused", () => {
    assert.include(channelProblem(""), "empty")
    assert.include(channelProblem("a\u0000b"), "NUL")
    assert.include(channelProblem("a\ud800"), "surrogate")
    assert.isUndefined(channelProblem("x".repeat(63)))
    assert.include(channelProblem("x".repeat(64)), "64 bytes")
    assert.isUndefined(channelProblem("é".repeat(31) + "x")) // 63 bytes
    assert.include(channelProblem("é".repeat(32)), "truncates identifiers to 63 bytes")
    assert.isUndefined(channelProblem("We\"ird chan ü"))
  })

  it("payloads: less than 8000 bytes, no NUL", () => {
    assert.isUndefined(payloadProblem(""))
    assert.isUndefined(payloadProblem("x".repeat(7999)))
    assert.include(payloadProblem("x".repeat(8000)), "8000 bytes")
    assert.isUndefined(payloadProblem("ü".repeat(3999) + "x"))
    assert.include(payloadProblem("ü".repeat(4000)), "8000 bytes")
    assert.include(payloadProblem("a\u0000"), "NUL")
    assert.include(payloadProblem("a\udfff"), "surrogate")
  })

  it("quoteChannel doubles quotes", () => {
    assert.strictEqual(PgListen.quoteChannel("a\"b\"\"c"), "\"a\"\"b\"\"\"\"c\"")
    assert.strictEqual(PgListen.quoteChannel("Mixed Case"), "\"Mixed Case\"")
  })
})

/** A connection that records executions (only `execute` is used by notifyOn). */
const recordingConnection = () => {
  const calls: Array<{ sql: string; params: ReadonlyArray<unknown> | undefined; options: unknown }> = []
  const connection = {
    execute: (sql: string, params?: ReadonlyArray<unknown>, options?: unknown) =>
      Effect.sync(() => {
        calls.push({ sql, params, options })
        return { command: "SELECT", rowCount: 1, rows: [], fields: [] }
      })
  } as unknown as PgConnection
  return { calls, connection }
}

const expectEncodeError = <A>(exit: Exit.Exit<A, unknown>, includes: string): PgError.PgError => {
  assert.isTrue(Exit.isFailure(exit))
  const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
  const value = error !== undefined && error._tag === "Fail" ? error.error : undefined
  assert.instanceOf(value, PgError.PgError)
  const pgError = value as PgError.PgError
  assert.strictEqual(pgError.reason._tag, "EncodeError")
  assert.include(pgError.message, includes)
  return pgError
}

describe("notifyOn", () => {
  it.effect("binds channel and payload as text parameters", () =>
    Effect.gen(function*() {
      const { calls, connection } = recordingConnection()
      yield* PgListen.notifyOn(connection, "chan \"x\"", "it's ü")
      yield* PgListen.notifyOn(connection, "c")
      assert.deepStrictEqual(calls.map((c) => [c.sql, c.params]), [
        ["select pg_notify($1, $2)", ["chan \"x\"", "it's ü"]],
        ["select pg_notify($1, $2)", ["c", ""]]
      ])
    }))

  it.effect("refuses a bad channel or payload before sending", () =>
    Effect.gen(function*() {
      const { calls, connection } = recordingConnection()
      const e1 = expectEncodeError(yield* Effect.exit(PgListen.notifyOn(connection, "", "x")), "empty")
      assert.strictEqual((e1.reason as PgError.EncodeError).parameter, 1)
      const e2 = expectEncodeError(yield* Effect.exit(PgListen.notifyOn(connection, "c", "x".repeat(8000))), "8000 bytes")
      assert.strictEqual((e2.reason as PgError.EncodeError).parameter, 2)
      assert.strictEqual(calls.length, 0)
    }))
})

describe("listener without a server", () => {
  // Nothing listens on port 1: connecting is refused (a retryable failure).
  const nowhere = "postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2"

  it.live("listen and notify refuse invalid names before connecting", () =>
    Effect.gen(function*() {
      const listener = yield* PgListen.make(nowhere)
      expectEncodeError(yield* Effect.exit(Stream.runDrain(listener.listen(""))), "empty")
      expectEncodeError(yield* Effect.exit(Stream.runDrain(listener.listen("x".repeat(64)))), "63 bytes")
      expectEncodeError(yield* Effect.exit(listener.notify("c", "x".repeat(8000))), "8000 bytes")
      assert.isUndefined(listener.processId)
      // Types: only `strategy: "fail"` (or an unknown strategy) adds ListenOverflowError.
      const lossy: Stream.Stream<PgListen.ListenEvent, PgError.PgError> = listener.listen("c", { strategy: "dropping" })
      const plain: Stream.Stream<PgListen.Notification, PgError.PgError> = listener.notifications("c")
      // @effect-diagnostics missingEffectError:off
      // @ts-expect-error the fail strategy can fail with ListenOverflowError
      const strict: Stream.Stream<PgListen.ListenEvent, PgError.PgError> = listener.listen("c", { strategy: "fail" })
      const options: PgListen.ListenOptions = { strategy: "sliding" }
      // @ts-expect-error a strategy only known as OverflowStrategy may be "fail"
      const unknown: Stream.Stream<PgListen.ListenEvent, PgError.PgError> = listener.listen("c", options)
      // @effect-diagnostics missingEffectError:error
      assert.isDefined([lossy, plain, strict, unknown])
    }))

  it.live("a finite reconnect schedule ends with the connection error", () =>
    Effect.gen(function*() {
      const listener = yield* PgListen.make(nowhere, { reconnectSchedule: Schedule.recurs(2) })
      const exit = yield* Effect.exit(Stream.runDrain(listener.listen("c")).pipe(Effect.timeout("20 seconds")))
      assert.isTrue(Exit.isFailure(exit))
      const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      const error = reason !== undefined && reason._tag === "Fail" ? reason.error : undefined
      assert.instanceOf(error, PgError.PgError)
      assert.strictEqual((error as PgError.PgError).reason._tag, "ConnectionError")
    }))

  it.live("closing the listener's Scope fails a stream still waiting to connect", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const listener = yield* Scope.provide(PgListen.make(nowhere), scope)
      const fiber = yield* Effect.forkChild(Stream.runDrain(listener.listen("c")), { startImmediately: true })
      yield* Effect.sleep("50 millis")
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Fiber.await(fiber).pipe(Effect.timeout("5 seconds"))
      const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      const error = reason !== undefined && reason._tag === "Fail" ? reason.error : undefined
      assert.instanceOf(error, PgError.PgError)
      assert.include((error as PgError.PgError).message, "the listener is closed")
      // A listener that is closed refuses new streams.
      const again = yield* Effect.exit(Stream.runDrain(listener.listen("c")))
      assert.isTrue(Exit.isFailure(again))
    }))
})
