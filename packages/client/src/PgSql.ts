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
import * as Data from "effect/Data"
import { type Inspectable, NodeInspectSymbol } from "effect/Inspectable"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import * as Result from "effect/Result"
import { builtinTypes } from "@pgfx/protocol/PgOid"
import { isIdentCont, isIdentStart, scan, State, stateName } from "./internal/sqlLexer.ts"

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
export const TypeId: unique symbol = Symbol.for("@pgfx/client/PgSql/Fragment")

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
export const maxParameters = 65535

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
export class PgSqlError extends Data.TaggedError("PgSqlError")<{
  readonly kind: PgSqlErrorKind
  readonly message: string
}> {}

// -------------------------------------------------------------------------------------------------
// internal nodes
// -------------------------------------------------------------------------------------------------

const Op = {
  Template: 0,
  Raw: 1,
  Param: 2,
  Parts: 3,
  Seq: 4,
  Rows: 5,
  Unsafe: 6,
  Fail: 7
} as const

type AnyNode = Template | Raw | Param | Parts | Seq | Rows | Unsafe | Fail

/** What is known about one template call site, computed once per `TemplateStringsArray`. */
interface TemplateInfo {
  /** Why the template text is unusable, if it is. */
  readonly error: string | undefined
  /** The text when every interpolation is a plain value, with placeholders `$1…$n`. */
  readonly text: string
  /** `"\n"` when the text ends inside a line comment (so inlined text after it stays code). */
  readonly tail: string
}

abstract class Node implements Fragment {
  get [TypeId](): TypeId {
    return TypeId
  }
  /** The compiled form, once computed (fragments are immutable). */
  memo: Compiled | undefined = undefined
  pipe() {
    return pipeArguments(this, arguments)
  }
  toString(): string {
    return describe(this)
  }
  toJSON(): unknown {
    const result = compileResult(this)
    return Result.isSuccess(result)
      ? { _id: "PgSql.Fragment", text: result.success.text, parameters: result.success.params.length }
      : { _id: "PgSql.Fragment", error: result.failure.message }
  }
  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/** `sql\`…\``: template strings interleaved with values or fragments. */
class Template extends Node {
  readonly _op = Op.Template
  readonly strings: ReadonlyArray<string>
  readonly values: ReadonlyArray<unknown>
  readonly info: TemplateInfo
  constructor(strings: ReadonlyArray<string>, values: ReadonlyArray<unknown>, info: TemplateInfo) {
    super()
    this.strings = strings
    this.values = values
    this.info = info
  }
}

/** Text emitted verbatim (quoted identifiers, keywords, `unsafe` text without parameters). */
class Raw extends Node {
  readonly _op = Op.Raw
  readonly text: string
  constructor(text: string) {
    super()
    this.text = text
  }
}

/** One bound parameter, optionally with a type OID. */
class Param extends Node {
  readonly _op = Op.Param
  readonly value: unknown
  readonly oid: number
  constructor(value: unknown, oid: number) {
    super()
    this.value = value
    this.oid = oid
  }
}

/** Trusted strings (`values.length + 1` of them) interleaved with values or fragments. */
class Parts extends Node {
  readonly _op = Op.Parts
  readonly strings: ReadonlyArray<string>
  readonly values: ReadonlyArray<unknown>
  constructor(strings: ReadonlyArray<string>, values: ReadonlyArray<unknown>) {
    super()
    this.strings = strings
    this.values = values
  }
}

/** `open itemOpen a itemClose sep itemOpen b itemClose … close`. */
class Seq extends Node {
  readonly _op = Op.Seq
  readonly items: ReadonlyArray<unknown>
  readonly open: string
  readonly separator: string | AnyNode
  readonly close: string
  readonly itemOpen: string
  readonly itemClose: string
  /** Set by `and` / `or`, so that nested calls of the same connective flatten. */
  readonly connective: "and" | "or" | undefined
  constructor(
    items: ReadonlyArray<unknown>,
    open: string,
    separator: string | AnyNode,
    close: string,
    itemOpen: string,
    itemClose: string,
    connective: "and" | "or" | undefined
  ) {
    super()
    this.items = items
    this.open = open
    this.separator = separator
    this.close = close
    this.itemOpen = itemOpen
    this.itemClose = itemClose
    this.connective = connective
  }
}

/** Marks a cell with no value in {@link Rows}. */
const missing: unique symbol = Symbol("@pgfx/client/PgSql/missing")

/** `header (a, b), (c, d)` with `missing` cells written as `missingText`. */
class Rows extends Node {
  readonly _op = Op.Rows
  readonly header: string
  readonly width: number
  readonly cells: ReadonlyArray<unknown>
  readonly missingText: string
  constructor(header: string, width: number, cells: ReadonlyArray<unknown>, missingText: string) {
    super()
    this.header = header
    this.width = width
    this.cells = cells
    this.missingText = missingText
  }
}

/** Raw text whose own `$n` placeholders refer to `params` (`refs[i]` is 0-based). */
class Unsafe extends Node {
  readonly _op = Op.Unsafe
  readonly pieces: ReadonlyArray<string>
  readonly refs: ReadonlyArray<number>
  readonly params: ReadonlyArray<unknown>
  constructor(pieces: ReadonlyArray<string>, refs: ReadonlyArray<number>, params: ReadonlyArray<unknown>) {
    super()
    this.pieces = pieces
    this.refs = refs
    this.params = params
  }
}

/** A fragment that could not be built; {@link compile} raises its error. */
class Fail extends Node {
  readonly _op = Op.Fail
  readonly kind: PgSqlErrorKind
  readonly message: string
  constructor(kind: PgSqlErrorKind, message: string) {
    super()
    this.kind = kind
    this.message = message
  }
}

/**
 * Tells whether a value is a {@link Fragment}.
 *
 * @category guards
 * @since 0.1.0
 */
export const isFragment = (u: unknown): u is Fragment => typeof u === "object" && u !== null && TypeId in u

// -------------------------------------------------------------------------------------------------
// compiler
// -------------------------------------------------------------------------------------------------

/**
 * Accumulates text and parameters. A placeholder is separated by a space from an adjacent
 * identifier character (`a${x}` → `a $1`, `${x}0` → `$1 0`), so renumbering can never merge it
 * into a longer number or an identifier.
 */
class Emitter {
  text = ""
  readonly params: Array<unknown> = []
  types: Array<number> | undefined = undefined
  /** The last thing emitted was a placeholder. */
  private afterPlaceholder = false
  /** The last character emitted is an identifier character. */
  private afterIdent = false

  str(s: string): void {
    const n = s.length
    if (n === 0) return
    if (this.afterPlaceholder && isIdentCont(s.charCodeAt(0))) this.text += " "
    this.text += s
    this.afterPlaceholder = false
    this.afterIdent = isIdentCont(s.charCodeAt(n - 1))
  }

  placeholder(n: number): void {
    this.text += this.afterIdent ? " $" + n : "$" + n
    this.afterPlaceholder = true
    this.afterIdent = true
  }

  bind(value: unknown, oid: number): void {
    this.push(value, oid)
    this.placeholder(this.params.length)
  }

  /** Adds a parameter without writing its placeholder. */
  push(value: unknown, oid: number): void {
    const params = this.params
    if (value === undefined) {
      throw new PgSqlError({
        kind: "UndefinedValue",
        message: `cannot bind undefined as parameter $${params.length + 1}: use null for SQL NULL`
      })
    }
    if (params.length === maxParameters) {
      throw new PgSqlError({
        kind: "TooManyParameters",
        message: `a statement can have at most ${maxParameters} parameters`
      })
    }
    params.push(value)
    if (oid !== 0) {
      if (this.types === undefined) this.types = new Array<number>(params.length - 1).fill(0)
      this.types.push(oid)
    } else if (this.types !== undefined) {
      this.types.push(0)
    }
  }

  /** A value or a fragment in a value position. */
  item(value: unknown): void {
    if (typeof value === "object" && value !== null && TypeId in value) {
      this.node(value as AnyNode)
    } else {
      this.bind(value, 0)
    }
  }

  node(node: AnyNode): void {
    switch (node._op) {
      case Op.Template: {
        const info = node.info
        if (info.error !== undefined) throw new PgSqlError({ kind: "InvalidTemplate", message: info.error })
        const strings = node.strings
        const values = node.values
        this.str(strings[0])
        for (let i = 0; i < values.length; i++) {
          this.item(values[i])
          this.str(strings[i + 1])
        }
        this.str(info.tail)
        return
      }
      case Op.Raw: {
        this.str(node.text)
        return
      }
      case Op.Param: {
        this.bind(node.value, node.oid)
        return
      }
      case Op.Parts: {
        const strings = node.strings
        const values = node.values
        this.str(strings[0])
        for (let i = 0; i < values.length; i++) {
          this.item(values[i])
          this.str(strings[i + 1])
        }
        return
      }
      case Op.Seq: {
        const { items, itemClose, itemOpen, separator } = node
        this.str(node.open)
        for (let i = 0; i < items.length; i++) {
          if (i > 0) {
            if (typeof separator === "string") this.str(separator)
            else this.node(separator)
          }
          const item = items[i]
          if (item instanceof Seq && item.connective !== undefined) {
            this.node(item) // already parenthesised
          } else {
            this.str(itemOpen)
            this.item(item)
            this.str(itemClose)
          }
        }
        this.str(node.close)
        return
      }
      case Op.Rows: {
        const { cells, missingText, width } = node
        this.str(node.header)
        for (let i = 0; i < cells.length; i++) {
          const column = i % width
          if (column === 0) this.str(i === 0 ? "(" : ", (")
          else this.str(", ")
          const cell = cells[i]
          if (cell === missing) this.str(missingText)
          else this.item(cell)
          if (column === width - 1) this.str(")")
        }
        return
      }
      case Op.Unsafe: {
        const base = this.params.length
        const params = node.params
        for (let i = 0; i < params.length; i++) {
          const p = params[i]
          if (p instanceof Param) this.push(p.value, p.oid)
          else this.push(p, 0)
        }
        const { pieces, refs } = node
        this.str(pieces[0])
        for (let i = 0; i < refs.length; i++) {
          this.placeholder(base + refs[i] + 1)
          this.str(pieces[i + 1])
        }
        return
      }
      case Op.Fail: {
        throw new PgSqlError({ kind: node.kind, message: node.message })
      }
    }
  }
}

const compileNode = (node: AnyNode): Compiled => {
  if (node._op === Op.Template) {
    // Fast path: a template whose interpolations are all plain values has a fixed text per call
    // site, computed once; its values array is the parameter array.
    const info = node.info
    if (info.error !== undefined) throw new PgSqlError({ kind: "InvalidTemplate", message: info.error })
    const values = node.values
    let flat = true
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      if (v === undefined || (typeof v === "object" && v !== null && TypeId in v)) {
        flat = false
        break
      }
    }
    if (flat) {
      if (values.length > maxParameters) {
        throw new PgSqlError({
          kind: "TooManyParameters",
          message: `a statement can have at most ${maxParameters} parameters, got ${values.length}`
        })
      }
      return { text: info.text, params: values }
    }
  }
  const emitter = new Emitter()
  emitter.node(node)
  return emitter.types === undefined
    ? { text: emitter.text, params: emitter.params }
    : { text: emitter.text, params: emitter.params, paramTypes: emitter.types }
}

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
export const compile = (fragment: Fragment): Compiled => {
  const node = fragment as AnyNode
  const memo = node.memo
  if (memo !== undefined) return memo
  const compiled = compileNode(node)
  node.memo = compiled
  return compiled
}

/**
 * Compiles a fragment, returning failures as a `Result` instead of throwing.
 *
 * @category compiling
 * @since 0.1.0
 */
export const compileResult = (fragment: Fragment): Result.Result<Compiled, PgSqlError> => {
  try {
    return Result.succeed(compile(fragment))
  } catch (error) {
    if (error instanceof PgSqlError) return Result.fail(error)
    throw error
  }
}

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
export const describe = (fragment: Fragment): string => {
  const result = compileResult(fragment)
  if (Result.isFailure(result)) return `[invalid SQL fragment: ${result.failure.message}]`
  const n = result.success.params.length
  return `${result.success.text} [${n} parameter${n === 1 ? "" : "s"}]`
}

// -------------------------------------------------------------------------------------------------
// the template
// -------------------------------------------------------------------------------------------------

const templateCache = new WeakMap<ReadonlyArray<string>, TemplateInfo>()

const excerpt = (s: string): string => (s.length > 24 ? "…" + s.slice(s.length - 24) : s)

const analyse = (strings: ReadonlyArray<string>): TemplateInfo => {
  const last = strings.length - 1
  let tail = ""
  for (let i = 0; i <= last; i++) {
    const s = strings[i]
    if (typeof s !== "string") {
      return { error: "the sql template contains an invalid escape sequence", text: "", tail }
    }
    const { placeholders, state } = scan(s)
    if (placeholders.length > 0) {
      return {
        error: `the sql template contains a hand-written placeholder ${s.slice(placeholders[0], placeholders[1])}` +
          ": interpolate values with ${…} (or use PgSql.unsafe(text, params))",
        text: "",
        tail
      }
    }
    if (i < last && state !== State.Normal) {
      return {
        error: `interpolation #${i + 1} (after "${excerpt(s)}") is inside ${stateName[state]}` +
          `, where it cannot be a parameter: interpolate outside the quotes (e.g. like '%' || \${x} || '%')`,
        text: "",
        tail
      }
    }
    if (i === last) {
      if (state === State.LineComment) tail = "\n"
      else if (state !== State.Normal) {
        return { error: `the sql template ends inside ${stateName[state]}`, text: "", tail }
      }
    }
  }
  const emitter = new Emitter()
  emitter.str(strings[0])
  for (let i = 1; i <= last; i++) {
    emitter.placeholder(i)
    emitter.str(strings[i])
  }
  emitter.str(tail)
  return { error: undefined, text: emitter.text, tail }
}

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
export const sql = (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Fragment => {
  let info = templateCache.get(strings)
  if (info === undefined) {
    if (!Array.isArray(strings)) {
      return new Fail(
        "InvalidTemplate",
        "sql must be used as a tagged template (sql`…`); for raw text use PgSql.unsafe"
      )
    }
    info = analyse(strings)
    templateCache.set(strings, info)
  }
  if (values.length !== strings.length - 1) {
    return new Fail("InvalidTemplate", "sql was called with a strings array that does not match its values")
  }
  return new Template(strings, values, info)
}

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
export const empty: Fragment = new Raw("")

// -------------------------------------------------------------------------------------------------
// identifiers
// -------------------------------------------------------------------------------------------------

/** Quotes one identifier part, or returns why it cannot be one. */
const quoteIdentifier = (name: unknown): string | Fail => {
  if (typeof name !== "string") return new Fail("InvalidIdentifier", `an identifier must be a string, got ${typeof name}`)
  if (name.length === 0) return new Fail("InvalidIdentifier", "an identifier cannot be empty")
  if (name.indexOf("\0") !== -1) return new Fail("InvalidIdentifier", "an identifier cannot contain a NUL character")
  return "\"" + (name.indexOf("\"") === -1 ? name : name.replaceAll("\"", "\"\"")) + "\""
}

const quoteAll = (parts: ReadonlyArray<unknown>, separator: string): string | Fail => {
  let out = ""
  for (let i = 0; i < parts.length; i++) {
    const q = quoteIdentifier(parts[i])
    if (typeof q !== "string") return q
    out += i === 0 ? q : separator + q
  }
  return out
}

const identifierParts = (...parts: ReadonlyArray<string>): Fragment => {
  if (parts.length === 0) return new Fail("InvalidIdentifier", "identifier() needs at least one name")
  const quoted = quoteAll(parts, ".")
  return typeof quoted === "string" ? new Raw(quoted) : quoted
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12

/** Parses a possibly qualified name the way PostgreSQL's `parse_ident` does. */
const parseIdentifier = (text: string): Fragment => {
  if (typeof text !== "string") return new Fail("InvalidIdentifier", "identifier.parse() expects a string")
  const parts: Array<string> = []
  const n = text.length
  let i = 0
  const invalid = (why: string) => new Fail("InvalidIdentifier", `cannot parse identifier "${text}": ${why}`)
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++
    if (i < n && text.charCodeAt(i) === 34) {
      let part = ""
      let start = ++i
      for (;;) {
        if (i >= n) return invalid("unterminated quoted name")
        if (text.charCodeAt(i) === 34) {
          part += text.slice(start, i)
          if (text.charCodeAt(i + 1) === 34) {
            part += "\""
            i += 2
            start = i
            continue
          }
          i++
          break
        }
        i++
      }
      if (part.length === 0) return invalid("zero-length quoted name")
      parts.push(part)
    } else if (i < n && isIdentStart(text.charCodeAt(i))) {
      const start = i++
      while (i < n && isIdentCont(text.charCodeAt(i))) i++
      // Unquoted names fold to lower case (ASCII only, as PostgreSQL does for UTF-8).
      let part = ""
      for (let j = start; j < i; j++) {
        const c = text.charCodeAt(j)
        part += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : text[j]
      }
      parts.push(part)
    } else {
      return invalid(i >= n ? "a name is missing" : `unexpected character at position ${i + 1}`)
    }
    while (i < n && isSpace(text.charCodeAt(i))) i++
    if (i >= n) break
    if (text.charCodeAt(i) !== 46) return invalid(`unexpected character at position ${i + 1}`)
    i++
  }
  return identifierParts(...parts)
}

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
} = Object.assign(identifierParts, { parse: parseIdentifier })

// -------------------------------------------------------------------------------------------------
// parameters
// -------------------------------------------------------------------------------------------------

const isOid = (oid: unknown): oid is number =>
  typeof oid === "number" && Number.isInteger(oid) && oid >= 0 && oid <= 0xFFFFFFFF

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
export const param = (value: unknown, oid: number): Fragment => {
  if (!isOid(oid)) return new Fail("InvalidParameter", `param(): ${String(oid)} is not a type OID`)
  if (isFragment(value)) return new Fail("InvalidParameter", "param(): a fragment cannot be bound as a value")
  return new Param(value, oid)
}

/** Element type OID → array type OID, for built-in types. */
const arrayOfElement: ReadonlyMap<number, number> = new Map(
  builtinTypes.filter((t) => t.arrayOid !== 0 && t.category !== "A").map((t) => [t.oid, t.arrayOid])
)

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
export const array = (values: ReadonlyArray<unknown>, type?: number): Fragment => {
  if (!Array.isArray(values)) return new Fail("InvalidParameter", "array() expects an array")
  if (type === undefined) return new Param(values, 0)
  if (!isOid(type)) return new Fail("InvalidParameter", `array(): ${String(type)} is not a type OID`)
  return new Param(values, arrayOfElement.get(type) ?? type)
}

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
export const list = (values: Iterable<unknown>): Fragment => {
  if (typeof values === "string") return new Fail("InvalidParameter", "list() expects an array, not a string")
  const items = Array.from(values)
  if (items.length === 0) {
    return new Fail(
      "EmptyInput",
      "list() of no values: `IN ()` is invalid and `NOT IN (NULL)` matches nothing; use = any(${PgSql.array(values)})"
    )
  }
  return new Seq(items, "(", ", ", ")", "", "", undefined)
}

// -------------------------------------------------------------------------------------------------
// rows
// -------------------------------------------------------------------------------------------------

const isRowObject = (u: unknown): u is object => typeof u === "object" && u !== null && !Array.isArray(u)

/** Union of own enumerable keys, in first-seen order. */
const unionKeys = (rows: ReadonlyArray<object>): Array<string> => {
  const first = Object.keys(rows[0])
  if (rows.length === 1) return first
  const seen = new Set(first)
  for (let r = 1; r < rows.length; r++) {
    const keys = Object.keys(rows[r])
    for (let k = 0; k < keys.length; k++) {
      if (!seen.has(keys[k])) {
        seen.add(keys[k])
        first.push(keys[k])
      }
    }
  }
  return first
}

const cellOf = (row: object, column: string): unknown => {
  if (!Object.hasOwn(row, column)) return missing
  const v = (row as Record<string, unknown>)[column]
  return v === undefined ? missing : v
}

/** Snapshot of object rows as flat cells (`missing` for absent or undefined fields). */
const objectCells = (
  rows: ReadonlyArray<unknown>,
  columns: ReadonlyArray<string> | undefined,
  what: string
): { readonly columns: ReadonlyArray<string>; readonly cells: Array<unknown> } | Fail => {
  for (let r = 0; r < rows.length; r++) {
    if (!isRowObject(rows[r])) return new Fail("InvalidRows", `${what}: row ${r + 1} is not an object`)
  }
  const objects = rows as ReadonlyArray<object>
  const cols = columns ?? unionKeys(objects)
  const cells = new Array<unknown>(rows.length * cols.length)
  let k = 0
  for (let r = 0; r < objects.length; r++) {
    const row = objects[r]
    for (let c = 0; c < cols.length; c++) cells[k++] = cellOf(row, cols[c])
  }
  return { columns: cols, cells }
}

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
export const insert = <A extends object>(
  rows: A | ReadonlyArray<A>,
  columns?: ReadonlyArray<keyof A & string>
): Fragment => {
  const all: ReadonlyArray<unknown> = Array.isArray(rows) ? rows : [rows]
  if (all.length === 0) return new Fail("EmptyInput", "insert() of no rows")
  const snapshot = objectCells(all, columns, "insert()")
  if (snapshot instanceof Fail) return snapshot
  const width = snapshot.columns.length
  if (width === 0) {
    return all.length === 1
      ? new Raw("default values")
      : new Fail("InvalidRows", `insert() of ${all.length} rows without any column`)
  }
  const names = quoteAll(snapshot.columns, ", ")
  if (names instanceof Fail) return names
  return new Rows("(" + names + ") values ", width, snapshot.cells, "DEFAULT")
}

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
export const values = <A extends object>(
  rows: ReadonlyArray<A>,
  columns?: ReadonlyArray<keyof A & string>
): Fragment => {
  if (!Array.isArray(rows)) return new Fail("InvalidRows", "values() expects an array of rows")
  if (rows.length === 0) return new Fail("EmptyInput", "values() of no rows")
  if (Array.isArray(rows[0])) {
    const width = (rows[0] as ReadonlyArray<unknown>).length
    if (width === 0) return new Fail("InvalidRows", "values(): a row needs at least one column")
    const cells = new Array<unknown>(rows.length * width)
    let k = 0
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as unknown
      if (!Array.isArray(row) || row.length !== width) {
        return new Fail("InvalidRows", `values(): row ${r + 1} is not a tuple of ${width} values like the first row`)
      }
      for (let c = 0; c < width; c++) {
        const v = row[c]
        cells[k++] = v === undefined ? missing : v
      }
    }
    return new Rows("", width, cells, "NULL")
  }
  const snapshot = objectCells(rows, columns, "values()")
  if (snapshot instanceof Fail) return snapshot
  if (snapshot.columns.length === 0) return new Fail("InvalidRows", "values(): the rows have no columns")
  return new Rows("", snapshot.columns.length, snapshot.cells, "NULL")
}

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
export const update = <A extends object>(row: A, columns?: ReadonlyArray<keyof A & string>): Fragment => {
  if (!isRowObject(row)) return new Fail("InvalidRows", "update() expects an object")
  const cols: ReadonlyArray<string> = columns ?? Object.keys(row)
  const strings: Array<string> = []
  const vals: Array<unknown> = []
  for (let c = 0; c < cols.length; c++) {
    const v = cellOf(row, cols[c])
    if (v === missing) continue
    const q = quoteIdentifier(cols[c])
    if (typeof q !== "string") return q
    strings.push(vals.length === 0 ? q + " = " : ", " + q + " = ")
    vals.push(v)
  }
  if (vals.length === 0) return new Fail("EmptyInput", "update() has no values to set")
  strings.push("")
  return new Parts(strings, vals)
}

// -------------------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------------------

const textOf = (fragment: AnyNode): string | undefined => {
  if (fragment._op === Op.Raw) return fragment.text
  if (fragment._op === Op.Template && fragment.values.length === 0 && fragment.info.error === undefined) {
    return fragment.strings[0] + fragment.info.tail
  }
  return undefined
}

const comma: Fragment = new Raw(", ")

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
export const join = (items: Iterable<unknown>, separator: Fragment = comma): Fragment => {
  if (typeof items === "string") return new Fail("InvalidParameter", "join() expects an array, not a string")
  const all = Array.from(items)
  if (!isFragment(separator)) return new Fail("InvalidParameter", "join(): the separator must be a fragment")
  if (all.length === 0) return empty
  const sep = separator as AnyNode
  return new Seq(all, "", textOf(sep) ?? sep, "", "", "", undefined)
}

const connect = (
  connective: "and" | "or",
  items: Iterable<Fragment | null | undefined | false>
): Fragment => {
  const operands: Array<unknown> = []
  for (const item of items) {
    if (item === undefined || item === null || item === false) continue
    if (item instanceof Seq && item.connective === connective) {
      for (const inner of item.items) operands.push(inner)
    } else {
      operands.push(item)
    }
  }
  if (operands.length === 0) return new Raw(connective === "and" ? "TRUE" : "FALSE")
  if (operands.length === 1) return new Seq(operands, "(", "", ")", "", "", connective)
  return new Seq(operands, "(", connective === "and" ? " and " : " or ", ")", "(", ")", connective)
}

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

const makeConnective = (connective: "and" | "or"): Connective =>
  ((...args: ReadonlyArray<unknown>) => {
    if (args.length >= 2) return connect(connective, [args[0] as Fragment, args[1] as Fragment])
    const first = args[0]
    if (isFragment(first)) return (self: Fragment) => connect(connective, [self, first])
    return connect(connective, first as Iterable<Fragment>)
  }) as Connective

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
export const and: Connective = makeConnective("and")

/**
 * Disjunction of conditions, each parenthesised: `or([a, b])` → `((a) or (b))`, one operand →
 * `(a)`, none → `FALSE`. Same rules as {@link and}.
 *
 * @category combinators
 * @since 0.1.0
 */
export const or: Connective = makeConnective("or")

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
export const unsafe = (text: string, params: ReadonlyArray<unknown> = []): Fragment => {
  if (typeof text !== "string") return new Fail("InvalidTemplate", "unsafe() expects a string")
  if (!Array.isArray(params)) return new Fail("InvalidParameter", "unsafe(): params must be an array")
  const { placeholders, state } = scan(text)
  if (state !== State.Normal && state !== State.LineComment) {
    return new Fail("InvalidTemplate", `the unsafe() text ends inside ${stateName[state]}`)
  }
  const tail = state === State.LineComment ? "\n" : ""
  for (let i = 0; i < params.length; i++) {
    const p = params[i]
    if (isFragment(p) && !(p instanceof Param)) {
      return new Fail("InvalidParameter", `unsafe(): parameter $${i + 1} is a fragment; pass values or PgSql.param`)
    }
  }
  if (placeholders.length === 0) {
    if (params.length > 0) {
      return new Fail("InvalidParameter", `unsafe(): ${params.length} parameters given but the text has no placeholder`)
    }
    return new Raw(text + tail)
  }
  const used = new Array<boolean>(params.length).fill(false)
  const pieces: Array<string> = []
  const refs: Array<number> = []
  let from = 0
  for (let i = 0; i < placeholders.length; i += 3) {
    const n = placeholders[i + 2]
    if (n < 1 || n > params.length) {
      return new Fail(
        "InvalidParameter",
        `unsafe(): the text references $${n} but ${params.length} parameter${params.length === 1 ? " was" : "s were"} given`
      )
    }
    used[n - 1] = true
    pieces.push(text.slice(from, placeholders[i]))
    refs.push(n - 1)
    from = placeholders[i + 1]
  }
  pieces.push(text.slice(from) + tail)
  const unused = used.indexOf(false)
  if (unused !== -1) return new Fail("InvalidParameter", `unsafe(): parameter $${unused + 1} is never referenced`)
  return new Unsafe(pieces, refs, params.slice())
}
