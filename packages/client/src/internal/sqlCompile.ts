/**
 * The fragment nodes behind `PgSql` and the compiler that turns them into SQL text and bound
 * parameters.
 *
 * A fragment is an immutable tree of the node classes below (template, raw text, parameter,
 * parts, sequence, rows, `unsafe` text, failure). {@link compile} walks the tree once with an
 * {@link Emitter}, numbering placeholders as it goes, and memoises the result on the fragment.
 * A template whose interpolations are all plain values skips the walk: its text was computed
 * once for its call site and its values array is the parameter array.
 *
 * The nodes and the compiler live in one module because each needs the other: the compiler
 * switches over the node kinds, and every node prints itself through the compiler
 * (`toString`, `toJSON`, `util.inspect`).
 *
 * The public documentation of the exports is in `PgSql.ts`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import { NodeInspectSymbol } from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import * as Result from "effect/Result"
import type { Compiled, Fragment, PgSqlErrorKind } from "../PgSql.ts"
import { isIdentCont } from "./sqlLexer.ts"

// -------------------------------------------------------------------------------------------------
// models
// -------------------------------------------------------------------------------------------------

/** The brand of every fragment (`PgSql.TypeId`). */
export const TypeId: unique symbol = Symbol.for("@pgfx/client/PgSql/Fragment")

/** The type of {@link TypeId}. */
export type TypeId = typeof TypeId

/** The most parameters one statement can have (`PgSql.maxParameters`). */
export const maxParameters = 65535

/** `PgSql.PgSqlError`: a fragment that cannot become a valid statement. */
export class PgSqlError extends Data.TaggedError("PgSqlError")<{
  readonly kind: PgSqlErrorKind
  readonly message: string
}> {}

// -------------------------------------------------------------------------------------------------
// internal nodes
// -------------------------------------------------------------------------------------------------

/** Node kinds, for the compiler's switch. */
export const Op = {
  Template: 0,
  Raw: 1,
  Param: 2,
  Parts: 3,
  Seq: 4,
  Rows: 5,
  Unsafe: 6,
  Fail: 7
} as const

/** Every node kind: what a `Fragment` really is. */
export type AnyNode = Template | Raw | Param | Parts | Seq | Rows | Unsafe | Fail

/** What is known about one template call site, computed once per `TemplateStringsArray`. */
export interface TemplateInfo {
  /** Why the template text is unusable, if it is. */
  readonly error: string | undefined
  /** The text when every interpolation is a plain value, with placeholders `$1…$n`. */
  readonly text: string
  /** `"\n"` when the text ends inside a line comment (so inlined text after it stays code). */
  readonly tail: string
}

/** What every node shares: the brand, the memoised compiled form, `pipe`, and printing via the compiler. */
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
export class Template extends Node {
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
export class Raw extends Node {
  readonly _op = Op.Raw
  readonly text: string
  constructor(text: string) {
    super()
    this.text = text
  }
}

/** One bound parameter, optionally with a type OID. */
export class Param extends Node {
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
export class Parts extends Node {
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
export class Seq extends Node {
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
export const missing: unique symbol = Symbol("@pgfx/client/PgSql/missing")

/** `header (a, b), (c, d)` with `missing` cells written as `missingText`. */
export class Rows extends Node {
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
export class Unsafe extends Node {
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
export class Fail extends Node {
  readonly _op = Op.Fail
  readonly kind: PgSqlErrorKind
  readonly message: string
  constructor(kind: PgSqlErrorKind, message: string) {
    super()
    this.kind = kind
    this.message = message
  }
}
/** `PgSql.isFragment`. */
export const isFragment = (u: unknown): u is Fragment => typeof u === "object" && u !== null && TypeId in u

// -------------------------------------------------------------------------------------------------
// compiler
// -------------------------------------------------------------------------------------------------

/**
 * Accumulates text and parameters. A placeholder is separated by a space from an adjacent
 * identifier character (`a${x}` → `a $1`, `${x}0` → `$1 0`), so renumbering can never merge it
 * into a longer number or an identifier.
 */
export class Emitter {
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
      default:
        // branded as a fragment but not one of ours (another copy of @pgfx/client?): never
        // compile it to nothing
        throw new PgSqlError({
          kind: "InvalidTemplate",
          message: "a value branded as a PgSql fragment is not one this copy of @pgfx/client made (two copies installed?)"
        })
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

/** `PgSql.compile`: the fragment's text and parameters, memoised on the fragment; throws `PgSqlError`. */
export const compile = (fragment: Fragment): Compiled => {
  const node = fragment as AnyNode
  const memo = node.memo
  if (memo !== undefined) return memo
  const compiled = compileNode(node)
  node.memo = compiled
  return compiled
}

/** `PgSql.compileResult`: {@link compile} with failures as a `Result`. */
export const compileResult = (fragment: Fragment): Result.Result<Compiled, PgSqlError> => {
  try {
    return Result.succeed(compile(fragment))
  } catch (error) {
    if (error instanceof PgSqlError) return Result.fail(error)
    throw error
  }
}

/** `PgSql.describe`: the text and the parameter count, never the values. */
export const describe = (fragment: Fragment): string => {
  const result = compileResult(fragment)
  if (Result.isFailure(result)) return `[invalid SQL fragment: ${result.failure.message}]`
  const n = result.success.params.length
  return `${result.success.text} [${n} parameter${n === 1 ? "" : "s"}]`
}
