/**
 * Statements: what `sql\`…\`` returns on a client. A statement is at once an `Effect` (running
 * it yields the rows) and a `PgSql.Fragment` (it can be interpolated into another statement or
 * given to the `PgSql` helpers), with accessors for the other result shapes and execution modes.
 *
 * **How a statement is both.** `PgSql` recognises fragments by their brand and reads the node
 * data stored on them. A statement's prototype chain is: the statement accessors and the
 * Effect protocol, then a one-item `PgSql.join` node; the statement's own `items` holds its
 * fragment. So `PgSql` inlines the fragment wherever a statement is interpolated, and running
 * a statement compiles the fragment itself (the per-call-site fast path, memoised on it).
 * Building a statement costs one small object and a one-element array.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { QueryResult, RowMode } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import * as PgSql from "../PgSql.ts"
import { type ClientCore, compile, type Mode, runCompiled, traced, withConnection } from "./clientCore.ts"
import { cursor } from "./clientCursor.ts"
import { decodeStream } from "./clientDecode.ts"
import { adopt } from "./typeDiscovery.ts"

/**
 * Options of {@link Statement.stream}.
 *
 * @category models
 * @since 0.1.0
 */
export interface StreamOptions {
  /** Rows fetched per round trip (default 1000): the memory bound of the stream. */
  readonly batchSize?: number | undefined
}

/**
 * A statement of a client: an `Effect` yielding the rows (objects keyed by column name by
 * default), and a `PgSql.Fragment` that composes into other statements.
 *
 * **Details**
 * - `A` is the row type (`sql<Row>\`…\`` sets it without checking; {@link withSchema} checks).
 * - Inside `withTransaction`, a statement runs on the transaction's connection.
 * - Statements are immutable: the accessors return new statements or effects.
 *
 * @category models
 * @since 0.1.0
 */
export interface Statement<A = Record<string, unknown>, E = PgError.PgError, R = never>
  extends Effect.Effect<ReadonlyArray<A>, E, R>, PgSql.Fragment
{
  /** The whole result: `command`, `rowCount`, `rows` and column metadata (`fields`). */
  readonly raw: Effect.Effect<QueryResult<A>, E, R>
  /**
   * The rows as arrays of column values (in column order; duplicate column names kept). Drops
   * a schema set before: call `.values.withSchema(tupleSchema)` to decode arrays.
   */
  readonly values: Statement<ReadonlyArray<unknown>>
  /** Exactly one row; no row or several rows fail with `Cause.NoSuchElementError`. */
  readonly single: Effect.Effect<A, E | Cause.NoSuchElementError, R>
  /** At most one row: `Option.none()` for none; several rows fail with `Cause.NoSuchElementError`. */
  readonly maybe: Effect.Effect<Option.Option<A>, E | Cause.NoSuchElementError, R>
  /**
   * The rows as a `Stream`, fetched `batchSize` at a time through a portal: memory stays
   * bounded whatever the result size. The stream holds a connection of its own (or the
   * transaction's) while it runs; ending it early closes the portal.
   *
   * **Gotchas**
   * While the stream runs, its connection is taken: on a single-connection client, a
   * statement run from inside the stream's processing (outside a transaction) waits for the
   * stream to end — a deadlock if the stream waits for it. Use a pool, or collect first.
   */
  stream(options?: StreamOptions): Stream.Stream<A, E, R>
  /**
   * Decodes every row with `schema` (`Schema.decodeUnknownEffect`). A failure is a
   * `Schema.SchemaError` whose message names the row index and the column path
   * (`at [3]["name"]`).
   */
  withSchema<S extends Schema.Constraint>(schema: S): Statement<S["Type"], PgError.PgError | Schema.SchemaError, S["DecodingServices"]>
  /** Runs as a named, cached prepared statement (the default mode). */
  readonly prepared: Statement<A, E, R>
  /** Runs as the unnamed statement: one round trip, no server-side state (PgBouncer). */
  readonly unnamed: Statement<A, E, R>
  /**
   * Runs with the simple query protocol: no parameters allowed; the text may hold several
   * statements, and the rows are those of the last one.
   */
  readonly simple: Statement<A, E, R>
}

const StateKey: unique symbol = Symbol.for("@pgfx/client/PgClient/Statement/state")

interface State {
  readonly core: ClientCore
  /** The fragment the statement runs (compiled on its own: the fast path, memoised on it). */
  readonly fragment: PgSql.Fragment
  readonly mode: Mode | undefined
  readonly rowMode: RowMode
  readonly schema: Schema.Constraint | undefined
}

interface StatementImpl extends Statement<any, any, any> {
  readonly [StateKey]: State
}

// -------------------------------------------------------------------------------------------------
// decoding

/** Decoders of whole results, per row schema. */
const arrayDecoders = new WeakMap<
  Schema.Constraint,
  (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<unknown>, Schema.SchemaError, any>
>()

const decodeRows = (
  schema: Schema.Constraint,
  rows: ReadonlyArray<unknown>
): Effect.Effect<ReadonlyArray<unknown>, Schema.SchemaError, any> => {
  let decode = arrayDecoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEffect(Schema.Array(schema)) as (
      rows: ReadonlyArray<unknown>
    ) => Effect.Effect<ReadonlyArray<unknown>, Schema.SchemaError, any>
    arrayDecoders.set(schema, decode)
  }
  return decode(rows)
}

// -------------------------------------------------------------------------------------------------
// running

const runRaw = (self: StatementImpl, fiber: Fiber.Fiber<unknown, unknown>): Effect.Effect<QueryResult<any>, PgError.PgError> => {
  const state = self[StateKey]
  const compiled = compile(state.fragment)
  if (compiled instanceof PgError.PgError) return Effect.fail(compiled)
  const core = state.core
  const mode = state.mode ?? core.mode
  const rowMode = state.rowMode
  return traced(core, fiber, compiled.text, withConnection(core, fiber, (c) => runCompiled(c, compiled, mode, rowMode)))
}

/** A result's rows (one function for every statement, not a closure per run). */
const rowsOf = (r: QueryResult<any>): ReadonlyArray<any> => r.rows

const runRows = (self: StatementImpl, fiber: Fiber.Fiber<unknown, unknown>): Effect.Effect<ReadonlyArray<any>, any, any> => {
  const schema = self[StateKey].schema
  return schema === undefined
    ? Effect.map(runRaw(self, fiber), rowsOf)
    : Effect.flatMap(runRaw(self, fiber), (r) => decodeRows(schema, r.rows))
}

/** At most one row, decoded; `exact` requires exactly one. */
const runOne = (self: StatementImpl, exact: boolean): Effect.Effect<any, any, any> =>
  Effect.withFiber((fiber) =>
    Effect.flatMap(runRaw(self, fiber), (r): Effect.Effect<any, any, any> => {
      const n = r.rows.length
      if (n > 1 || (exact && n === 0)) {
        return Effect.fail(
          new Cause.NoSuchElementError(`expected ${exact ? "exactly" : "at most"} one row, got ${n}`)
        )
      }
      if (n === 0) return Effect.succeedNone
      const schema = self[StateKey].schema
      const one = schema === undefined ? Effect.succeed(r.rows[0]) : Effect.map(decodeRows(schema, r.rows), (rows) => rows[0])
      return exact ? one : Effect.map(one, Option.some)
    })
  )

// -------------------------------------------------------------------------------------------------
// the prototype

const effectProto = Effectable.Prototype<StatementImpl>({
  label: "PgStatement",
  evaluate(fiber) {
    return runRows(this, fiber)
  }
})

const withState = (self: StatementImpl, patch: Partial<State>): StatementImpl => make({ ...self[StateKey], ...patch })

const methods = {
  get raw(): Effect.Effect<QueryResult<any>, any, any> {
    const self = this as unknown as StatementImpl
    return Effect.withFiber((fiber) => {
      const schema = self[StateKey].schema
      const raw = runRaw(self, fiber)
      return schema === undefined
        ? raw
        : Effect.flatMap(raw, (r) => Effect.map(decodeRows(schema, r.rows), (rows) => ({ ...r, rows: rows as Array<any> })))
    })
  },
  get values(): StatementImpl {
    return withState(this as unknown as StatementImpl, { rowMode: "array", schema: undefined })
  },
  get single(): Effect.Effect<any, any, any> {
    return runOne(this as unknown as StatementImpl, true)
  },
  get maybe(): Effect.Effect<any, any, any> {
    return runOne(this as unknown as StatementImpl, false)
  },
  get prepared(): StatementImpl {
    return withState(this as unknown as StatementImpl, { mode: "prepared" })
  },
  get unnamed(): StatementImpl {
    return withState(this as unknown as StatementImpl, { mode: "unnamed" })
  },
  get simple(): StatementImpl {
    return withState(this as unknown as StatementImpl, { mode: "simple" })
  },
  withSchema(schema: Schema.Constraint): StatementImpl {
    return withState(this as unknown as StatementImpl, { schema })
  },
  stream(options?: StreamOptions): Stream.Stream<any, any, any> {
    const self = this as unknown as StatementImpl
    return Stream.unwrap(
      Effect.withFiber((fiber) => {
        const state = self[StateKey]
        const compiled = compile(state.fragment)
        if (compiled instanceof PgError.PgError) return Effect.fail(compiled)
        const core = state.core
        const tx = fiber.getRef(core.transaction)
        if (tx !== undefined) {
          // Inside a transaction the stream shares the connection with the transaction's other
          // statements: a cursor (DECLARE/FETCH) lets them run between batches, which a portal
          // stream cannot (its Execute/Flush exchange must not be interleaved).
          return Effect.succeed(cursor(core, state.fragment, state.rowMode, state.schema, { batchSize: options?.batchSize }))
        }
        const open = core.source.reserve
        return Effect.map(open, (connection) => {
          adopt(core.types, connection)
          const rows = connection.stream(compiled.text, compiled.params, {
            paramTypes: compiled.paramTypes,
            rowMode: state.rowMode,
            batchSize: options?.batchSize
          })
          return state.schema === undefined ? rows : decodeStream(rows, state.schema)
        })
      })
    )
  }
}

/**
 * The node a statement presents to `PgSql`: a one-item sequence (what `PgSql.join([f], empty)`
 * builds) whose item is the statement's fragment. Statements inherit its fields and replace
 * only `items`, so the compiler inlines the fragment wherever a statement is interpolated.
 */
const sequenceBase: object = PgSql.join([PgSql.empty], PgSql.empty)

const findDescriptor = (proto: object | null, key: PropertyKey): PropertyDescriptor | undefined => {
  while (proto !== null) {
    const d = Object.getOwnPropertyDescriptor(proto, key)
    if (d !== undefined) return d
    proto = Object.getPrototypeOf(proto) as object | null
  }
  return undefined
}

const statementProto: object = (() => {
  const proto = Object.create(sequenceBase) as object
  Object.defineProperties(proto, Object.getOwnPropertyDescriptors(effectProto))
  // Printing shows the fragment's text and parameter count (never values), as for fragments.
  for (const key of ["toString", "toJSON", Symbol.for("nodejs.util.inspect.custom")]) {
    const descriptor = findDescriptor(sequenceBase, key)
    if (descriptor !== undefined) Object.defineProperty(proto, key, descriptor)
  }
  Object.defineProperties(proto, Object.getOwnPropertyDescriptors(methods))
  return proto
})()

/** Makes a statement with the given state. */
export const make = (state: State): StatementImpl => {
  const statement = Object.create(statementProto) as { items: ReadonlyArray<unknown>; [StateKey]: State }
  statement.items = [state.fragment]
  statement[StateKey] = state
  return statement as unknown as StatementImpl
}

// A statement interpolated into SQL must be its fragment, exactly: were `PgSql`'s node layout
// to change under this module, fail loudly at load instead of silently dropping SQL text.
{
  const probe = Object.create(statementProto) as { items: ReadonlyArray<unknown> }
  probe.items = [PgSql.sql`b = ${2}`]
  const compiled = PgSql.compile(PgSql.sql`a = ${1} and ${probe as unknown as PgSql.Fragment}`)
  if (compiled.text !== "a = $1 and b = $2" || compiled.params.length !== 2) {
    throw new Error("@pgfx/client: PgSql no longer compiles statements as their fragments; update clientStatement.ts")
  }
}

/** A new statement of a client, in the client's default mode, rows as objects. */
export const fromFragment = <A = Record<string, unknown>>(core: ClientCore, fragment: PgSql.Fragment): Statement<A> =>
  make({ core, fragment: isStatement(fragment) ? (fragment as unknown as StatementImpl)[StateKey].fragment : fragment, mode: undefined, rowMode: "object", schema: undefined }) as unknown as Statement<A>

/** Whether a value is a statement (of any client). */
export const isStatement = (u: unknown): u is Statement<unknown, unknown, unknown> =>
  typeof u === "object" && u !== null && StateKey in u

/** What a statement runs: its fragment, row shape and schema (undefined for a plain fragment). */
export const statementState = (
  u: unknown
): { readonly fragment: PgSql.Fragment; readonly rowMode: RowMode; readonly schema: Schema.Constraint | undefined } | undefined =>
  isStatement(u) ? (u as unknown as StatementImpl)[StateKey] : undefined
