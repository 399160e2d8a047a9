/**
 * The `sql` tagged template and its fragment language, compiled to SQL text plus bound parameters.
 *
 * Every interpolated value becomes a bound parameter (`$1`, `$2`, …); nothing a caller passes as a
 * value is ever spliced into the text. Fragments nest: an interpolated {@link Fragment} is inlined
 * and its parameters renumbered. Names go through {@link identifier} (quoted, never bound), lists
 * through {@link list}, rows through {@link insert} / {@link values} / {@link update}. Raw text
 * needs the explicit {@link unsafe} escape hatch.
 *
 * This module is pure: it builds `{ text, params, paramTypes? }` and never encodes bytes or runs
 * queries. {@link compile} is the only place errors surface (as {@link PgSqlError}); building a
 * fragment never throws, so fragments can be built anywhere and fail inside the query's Effect.
 *
 * **Details**
 * - `${value}` binds ONE parameter whatever the value is: `${[1, 2]}` binds one array,
 *   `${{ a: 1 }}` one object (the parameter encoder turns them into an array / JSON);
 *   `${list([1, 2])}` expands to `($1, $2)`.
 * - Each interpolation gets its own parameter, even when the same JS value appears twice.
 * - `${undefined}` is an error (use `null` for SQL NULL): a missing field silently becoming NULL
 *   turns `where id = ${user.id}` into a query that matches nothing.
 * - Placeholders are numbered `$1…$N` in order of first appearance in the text (only the text
 *   given to {@link unsafe} may reference its own parameters in another order).
 * - A placeholder is never glued to a neighbouring identifier character: `${a}0` compiles to
 *   `$1 0`, not `$10`.
 * - The template's own text is checked once per call site (the `TemplateStringsArray` is cached):
 *   an interpolation inside a string literal, quoted identifier, comment or dollar quote
 *   (`like '%${x}%'`), and hand-written placeholders (`where id = $1`), are errors.
 *   The check assumes `standard_conforming_strings = on` (the default since PostgreSQL 9.1).
 *
 * @since 0.1.0
 */
import type { Inspectable } from "effect/Inspectable"
import type { Pipeable } from "effect/Pipeable"
import type * as Result from "effect/Result"
import * as sqlCombinators from "./internal/sqlCombinators.ts"
import * as sqlCompile from "./internal/sqlCompile.ts"
import * as sqlIdentifiers from "./internal/sqlIdentifiers.ts"
import * as sqlParameters from "./internal/sqlParameters.ts"
import * as sqlRows from "./internal/sqlRows.ts"
import * as sqlTemplate from "./internal/sqlTemplate.ts"
import * as sqlUnsafe from "./internal/sqlUnsafe.ts"

// Every function below is the implementation itself, re-exported under its documented type (no
// wrapper): `compile` runs once per statement execution, and the builders once per fragment.
//
// Where things live (all under `./internal/`):
// - `sqlCompile.ts`     fragment nodes, `PgSqlError`, the compiler (`compile`, `describe`)
// - `sqlTemplate.ts`    the `sql` tagged template and its per-call-site text check
// - `sqlIdentifiers.ts` `identifier`, `identifier.parse`
// - `sqlParameters.ts`  `param`, `array`, `list`
// - `sqlRows.ts`        `insert`, `values`, `update`
// - `sqlCombinators.ts` `empty`, `join`, `and`, `or`
// - `sqlUnsafe.ts`      `unsafe`
// - `sqlLexer.ts`       the SQL scanner used by `sql` and `unsafe`

// -------------------------------------------------------------------------------------------------
// models
// -------------------------------------------------------------------------------------------------

/**
 * The brand of every {@link Fragment}. A symbol (not a string key) so that no value decoded from
 * JSON or other untrusted data can pass for a fragment and get its contents spliced into SQL.
 *
 * @category type ids
 * @since 0.1.0
 */
export const TypeId: typeof sqlCompile.TypeId = sqlCompile.TypeId

/**
 * @category type ids
 * @since 0.1.0
 */
export type TypeId = typeof TypeId

/**
 * An immutable piece of SQL: text with bound parameters, built by {@link sql} and the helpers.
 *
 * **Details**
 * Printing a fragment (`toString`, `toJSON`, `util.inspect`) shows its text with `$n`
 * placeholders and the parameter count, never the values (they may be secrets).
 *
 * @category models
 * @since 0.1.0
 */
export interface Fragment extends Pipeable, Inspectable {
  readonly [TypeId]: TypeId
}

/**
 * A compiled statement: SQL text with `$1…$N` placeholders and the values to bind.
 *
 * **Details**
 * - `params` has exactly one entry per placeholder number. It is read-only and may be shared
 *   with the fragment it came from: do not mutate it.
 * - `paramTypes` is present only when some parameter carries an explicit type ({@link param},
 *   {@link array} with a type); it is aligned with `params`, `0` meaning "let the server infer".
 *
 * @category models
 * @since 0.1.0
 */
export interface Compiled {
  readonly text: string
  readonly params: ReadonlyArray<unknown>
  readonly paramTypes?: ReadonlyArray<number>
}

/**
 * The most parameters one statement can have: the Bind message counts them in 16 bits.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxParameters: 65535 = sqlCompile.maxParameters

// -------------------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------------------

/**
 * What kind of mistake a {@link PgSqlError} reports.
 *
 * - `InvalidTemplate`: `sql` not used as a tagged template, an interpolation inside a string
 *   literal / quoted identifier / comment / dollar quote, a hand-written `$n`, unterminated
 *   quoting, or such problems in {@link unsafe} text.
 * - `UndefinedValue`: `undefined` where a value must be bound.
 * - `TooManyParameters`: more than {@link maxParameters}.
 * - `InvalidIdentifier`: empty name, NUL character, or unparsable {@link identifier.parse} input.
 * - `InvalidParameter`: bad type OID, a fragment where a value is expected, `unsafe` placeholders
 *   that do not match its parameters.
 * - `EmptyInput`: {@link list}, {@link insert}, {@link values} or {@link update} with nothing in it.
 * - `InvalidRows`: a row that is not an object, tuples of different lengths, several rows
 *   without columns.
 *
 * @category errors
 * @since 0.1.0
 */
export type PgSqlErrorKind =
  | "InvalidTemplate"
  | "UndefinedValue"
  | "TooManyParameters"
  | "InvalidIdentifier"
  | "InvalidParameter"
  | "EmptyInput"
  | "InvalidRows"

/**
 * Raised by {@link compile} when a fragment cannot become a valid statement. Messages describe
 * the SQL text and positions, never parameter values.
 *
 * @category errors
 * @since 0.1.0
 */
export const PgSqlError: typeof sqlCompile.PgSqlError = sqlCompile.PgSqlError

/**
 * Raised by {@link compile} when a fragment cannot become a valid statement. Messages describe
 * the SQL text and positions, never parameter values.
 *
 * @category errors
 * @since 0.1.0
 */
export type PgSqlError = sqlCompile.PgSqlError

// -------------------------------------------------------------------------------------------------
// guards
// -------------------------------------------------------------------------------------------------

/**
 * Tells whether a value is a {@link Fragment}.
 *
 * @category guards
 * @since 0.1.0
 */
export const isFragment: (u: unknown) => u is Fragment = sqlCompile.isFragment

// -------------------------------------------------------------------------------------------------
// compiler
// -------------------------------------------------------------------------------------------------

/**
 * Compiles a fragment to SQL text and parameters.
 *
 * **Details**
 * Throws {@link PgSqlError} when the fragment is invalid (see {@link PgSqlErrorKind}); use
 * {@link compileResult} to get a `Result` instead. The result is memoised on the fragment.
 *
 * **Example** (Compiling)
 *
 * ```ts
 * import { PgSql } from "@pgfx/client"
 *
 * const { sql } = PgSql
 * PgSql.compile(sql`select * from users where id = ${42} and ${PgSql.identifier("role")} = ${"admin"}`)
 * // { text: 'select * from users where id = $1 and "role" = $2', params: [42, "admin"] }
 * ```
 *
 * @category compiling
 * @since 0.1.0
 */
export const compile: (fragment: Fragment) => Compiled = sqlCompile.compile

/**
 * Compiles a fragment, returning failures as a `Result` instead of throwing.
 *
 * @category compiling
 * @since 0.1.0
 */
export const compileResult: (fragment: Fragment) => Result.Result<Compiled, PgSqlError> = sqlCompile.compileResult

/**
 * A one-line description for logs and debugging: the text with `$n` placeholders and the number
 * of parameters — never their values.
 *
 * **Example** (Describing)
 *
 * ```ts
 * PgSql.describe(sql`select * from t where id = ${1}`)
 * // "select * from t where id = $1 [1 parameter]"
 * ```
 *
 * @category compiling
 * @since 0.1.0
 */
export const describe: (fragment: Fragment) => string = sqlCompile.describe

// -------------------------------------------------------------------------------------------------
// the template
// -------------------------------------------------------------------------------------------------

/**
 * The tagged template: builds a {@link Fragment} whose interpolations are bound parameters or
 * inlined fragments.
 *
 * **Details**
 * - A plain value (string, number, bigint, boolean, null, Date, Uint8Array, array, object…)
 *   becomes ONE parameter; the connection's encoder decides its wire form.
 * - A {@link Fragment} is inlined, its parameters renumbered.
 * - `undefined` is an error at {@link compile} time.
 *
 * **Example** (Composing fragments)
 *
 * ```ts
 * import { PgSql } from "@pgfx/client"
 *
 * const { sql } = PgSql
 * const active = sql`status = ${"active"}`
 * const query = sql`select * from users where ${active} and age > ${18}`
 * PgSql.compile(query).text // "select * from users where status = $1 and age > $2"
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const sql: (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>) => Fragment = sqlTemplate.sql

/**
 * Alias of {@link sql}.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>) => Fragment = sql

/**
 * The empty fragment: compiles to no text. Handy in conditionals:
 * `${withLimit ? sql`limit ${n}` : PgSql.empty}`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty: Fragment = sqlCombinators.empty

// -------------------------------------------------------------------------------------------------
// identifiers
// -------------------------------------------------------------------------------------------------

/**
 * A quoted identifier: `identifier("users")` → `"users"`, `identifier("app", "users")` →
 * `"app"."users"`. Names are never bound as parameters.
 *
 * **Details**
 * - Each part is quoted exactly as given (`"` doubled), so case is preserved and no part is
 *   split on dots: `identifier("a.b")` is the single name `"a.b"`. Pass schema and name as
 *   separate parts, or use `identifier.parse("app.users")`, which reads a qualified name the way
 *   PostgreSQL does (`parse_ident`): unquoted parts fold to lower case, `"Quoted"` parts are kept.
 * - Empty names and names containing NUL are {@link PgSqlError}s (`InvalidIdentifier`) at
 *   compile time. PostgreSQL truncates names longer than 63 bytes.
 *
 * **Example** (Identifiers)
 *
 * ```ts
 * sql`select * from ${PgSql.identifier("app", "users")}`          // select * from "app"."users"
 * sql`select ${PgSql.identifier("we\"ird")}`                       // select "we""ird"
 * sql`select * from ${PgSql.identifier.parse('app."Users"')}`     // select * from "app"."Users"
 * ```
 *
 * @category identifiers
 * @since 0.1.0
 */
export const identifier: {
  (...parts: readonly [string, ...Array<string>]): Fragment
  /** Parses a possibly qualified name as PostgreSQL does (`parse_ident`). */
  readonly parse: (text: string) => Fragment
} = sqlIdentifiers.identifier

// -------------------------------------------------------------------------------------------------
// parameters
// -------------------------------------------------------------------------------------------------

/**
 * One parameter with an explicit type OID (sent in Parse, so the server does not infer it).
 *
 * **Example** (Typed parameter)
 *
 * ```ts
 * import { Oid } from "@pgfx/protocol/PgOid"
 *
 * PgSql.compile(sql`select ${PgSql.param("{}", Oid.jsonb)}, ${1}`)
 * // { text: "select $1, $2", params: ["{}", 1], paramTypes: [3802, 0] }
 * ```
 *
 * @category parameters
 * @since 0.1.0
 */
export const param: (value: unknown, oid: number) => Fragment = sqlParameters.param

/**
 * ONE parameter holding a whole array, for `= ANY(…)` / `<> ALL(…)` and array columns.
 *
 * **Details**
 * `type` may be the array type (`Oid._int4`) or, for built-in types, its element type
 * (`Oid.int4`, mapped to `Oid._int4`); other OIDs are sent as given. Without `type` the server
 * infers the type from the context. Prefer this over {@link list} for large or possibly empty
 * sets: the statement text does not depend on the number of elements (one prepared statement),
 * and `x = ANY('{}')` is simply false.
 *
 * **Example** (Array parameter)
 *
 * ```ts
 * PgSql.compile(sql`select * from t where id = any(${PgSql.array([1, 2, 3], Oid.int4)})`)
 * // { text: "select * from t where id = any($1)", params: [[1, 2, 3]], paramTypes: [1007] }
 * ```
 *
 * @category parameters
 * @since 0.1.0
 */
export const array: (values: ReadonlyArray<unknown>, type?: number) => Fragment = sqlParameters.array

/**
 * A parenthesised list of parameters for `IN`: `list([1, 2, 3])` → `($1, $2, $3)`. Fragments
 * among the values are inlined.
 *
 * **Gotchas**
 * An empty list is a {@link PgSqlError} (`EmptyInput`), not `(NULL)`: `x IN ()` is invalid SQL,
 * and while `x IN (NULL)` matches nothing, `x NOT IN (NULL)` also matches nothing — the opposite
 * of "not in the empty set". For sets that may be empty use `x = any(${array(values)})` or
 * `x <> all(${array(values)})`, which are correct for empty arrays (and keep one statement text
 * for any size).
 *
 * @category combinators
 * @since 0.1.0
 */
export const list: (values: Iterable<unknown>) => Fragment = sqlParameters.list

// -------------------------------------------------------------------------------------------------
// rows
// -------------------------------------------------------------------------------------------------

/**
 * The column list and `VALUES` rows of an `INSERT`:
 * `sql\`insert into t ${insert(rows)}\`` → `insert into t ("a", "b") values ($1, $2), ($3, $4)`.
 *
 * **Details**
 * - `rows` is one object or an array of objects; the field values are read when `insert` is
 *   called.
 * - Columns default to the union of the rows' own keys in first-seen order; pass `columns` to
 *   choose (and restrict) them.
 * - A missing field or `undefined` becomes `DEFAULT`; `null` binds SQL NULL; a {@link Fragment}
 *   value is inlined (`{ created: sql\`now()\` }`); anything else binds one parameter.
 * - One row without columns (`insert({})`) becomes `default values`.
 * - No rows, non-object rows, or several rows without columns: {@link PgSqlError} at compile.
 *
 * **Example** (Insert)
 *
 * ```ts
 * PgSql.compile(sql`insert into users ${PgSql.insert([{ name: "a", age: 1 }, { name: "b" }])}`)
 * // text: 'insert into users ("name", "age") values ($1, $2), ($3, DEFAULT)', params: ["a", 1, "b"]
 * ```
 *
 * @category rows
 * @since 0.1.0
 */
export const insert: <A extends object>(
  rows: A | ReadonlyArray<A>,
  columns?: ReadonlyArray<keyof A & string>
) => Fragment = sqlRows.insert

/**
 * Rows for a `VALUES` list: `($1, $2), ($3, $4)`, e.g. `from (values ${values(rows)}) as v(a, b)`.
 *
 * **Details**
 * - Rows are objects (columns: `columns`, or the union of own keys in first-seen order) or
 *   tuples (arrays, all of the same length; `columns` is ignored).
 * - A missing field or `undefined` becomes `NULL`; a {@link Fragment} value is inlined.
 * - In an `INSERT … VALUES` prefer {@link insert}, which writes `DEFAULT` for missing fields.
 *
 * **Example** (Values)
 *
 * ```ts
 * PgSql.compile(sql`select * from (values ${PgSql.values([[1, "a"], [2, "b"]])}) as v(id, name)`)
 * // text: "select * from (values ($1, $2), ($3, $4)) as v(id, name)"
 * ```
 *
 * @category rows
 * @since 0.1.0
 */
export const values: <A extends object>(
  rows: ReadonlyArray<A>,
  columns?: ReadonlyArray<keyof A & string>
) => Fragment = sqlRows.values

/**
 * The assignments of an `UPDATE … SET`: `update({ a: 1, b: 2 })` → `"a" = $1, "b" = $2`.
 *
 * **Details**
 * Columns are `columns` or the object's own keys; fields that are missing or `undefined` are
 * skipped, `null` binds NULL, a {@link Fragment} value is inlined (`{ updated: sql\`now()\` }`).
 * Nothing left to set is a {@link PgSqlError} (`EmptyInput`) at compile.
 *
 * **Example** (Update)
 *
 * ```ts
 * sql`update users set ${PgSql.update({ name: "x", age: undefined })} where id = ${1}`
 * // update users set "name" = $1 where id = $2
 * ```
 *
 * @category rows
 * @since 0.1.0
 */
export const update: <A extends object>(row: A, columns?: ReadonlyArray<keyof A & string>) => Fragment =
  sqlRows.update

// -------------------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------------------

/**
 * Joins values and fragments with a separator (default `, `): fragments are inlined, other values
 * bound. `join([])` is {@link empty}.
 *
 * **Example** (Join)
 *
 * ```ts
 * const cols = ["id", "name"].map((c) => PgSql.identifier(c))
 * sql`select ${PgSql.join(cols)} from t`   // select "id", "name" from t
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const join: (items: Iterable<unknown>, separator?: Fragment) => Fragment = sqlCombinators.join

/**
 * The shape of {@link and} and {@link or}: an array form and a dual (data-first / data-last)
 * binary form.
 *
 * @category models
 * @since 0.1.0
 */
export interface Connective {
  /** Combines every operand; `undefined`, `null` and `false` are skipped. */
  (fragments: Iterable<Fragment | null | undefined | false>): Fragment
  /** Data-last: `self.pipe(and(that))`. */
  (that: Fragment): (self: Fragment) => Fragment
  /** Data-first: `and(self, that)`. */
  (self: Fragment, that: Fragment): Fragment
}

/**
 * Conjunction of conditions, each parenthesised: `and([a, b])` → `((a) and (b))`, one operand →
 * `(a)`, none → `TRUE`. `undefined`, `null` and `false` operands are skipped, which suits
 * optional filters. Dual: `and(self, that)`, `self.pipe(and(that))`; nested `and`s flatten.
 *
 * **Example** (Optional filters)
 *
 * ```ts
 * const where = PgSql.and([
 *   name !== undefined && sql`name = ${name}`,
 *   minAge !== undefined && sql`age >= ${minAge}`
 * ])
 * sql`select * from users where ${where}`
 * // name and minAge given: select * from users where ((name = $1) and (age >= $2))
 * // neither:               select * from users where TRUE
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const and: Connective = sqlCombinators.and

/**
 * Disjunction of conditions, each parenthesised: `or([a, b])` → `((a) or (b))`, one operand →
 * `(a)`, none → `FALSE`. Same rules as {@link and}.
 *
 * @category combinators
 * @since 0.1.0
 */
export const or: Connective = sqlCombinators.or

// -------------------------------------------------------------------------------------------------
// escape hatch
// -------------------------------------------------------------------------------------------------

/**
 * Raw SQL text inserted verbatim — the one way to put text that is not a quoted identifier into
 * a statement. Never pass it anything built from user input.
 *
 * **Details**
 * - With `params`, the text's own `$1…$n` (outside literals and comments) refer to them and are
 *   renumbered where the fragment lands; each parameter must be referenced, each placeholder must
 *   have a parameter. A {@link param} among `params` keeps its type.
 * - Without `params`, the text must not contain placeholders.
 * - Text ending inside a literal, quoted identifier or comment block is an error; text ending in
 *   a `--` comment gets a newline so that what follows stays code.
 *
 * **Example** (Escape hatch)
 *
 * ```ts
 * sql`select ${PgSql.unsafe("$1::int + $1::int", [21])}, ${"x"}`   // select $1::int + $1::int, $2
 * ```
 *
 * @category unsafe
 * @since 0.1.0
 */
export const unsafe: (text: string, params?: ReadonlyArray<unknown>) => Fragment = sqlUnsafe.unsafe
