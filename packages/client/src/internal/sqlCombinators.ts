/**
 * Combinators for `PgSql`: the empty fragment, `join` (items with a separator), and the
 * connectives `and` / `or` (each operand parenthesised, falsy operands skipped, nested uses of
 * the same connective flattened).
 *
 * The public documentation of the exports is in `PgSql.ts`.
 *
 * @since 0.1.0
 */
import type { Connective, Fragment } from "../PgSql.ts"
import { type AnyNode, Fail, isFragment, Op, Raw, Seq } from "./sqlCompile.ts"

/** `PgSql.empty`: compiles to no text. */
export const empty: Fragment = new Raw("")

/** The text of a fragment that is only text (so a separator can be emitted as a string). */
const textOf = (fragment: AnyNode): string | undefined => {
  if (fragment._op === Op.Raw) return fragment.text
  if (fragment._op === Op.Template && fragment.values.length === 0 && fragment.info.error === undefined) {
    return fragment.strings[0] + fragment.info.tail
  }
  return undefined
}

const comma: Fragment = new Raw(", ")

/** `PgSql.join`: items separated by `separator` (default `, `); no items is {@link empty}. */
export const join = (items: Iterable<unknown>, separator: Fragment = comma): Fragment => {
  if (typeof items === "string") return new Fail("InvalidParameter", "join() expects an array, not a string")
  const all = Array.from(items)
  if (!isFragment(separator)) return new Fail("InvalidParameter", "join(): the separator must be a fragment")
  if (all.length === 0) return empty
  const sep = separator as AnyNode
  return new Seq(all, "", textOf(sep) ?? sep, "", "", "", undefined)
}

/** `and` / `or` of the operands, flattening nested uses of the same connective. */
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

/** A connective with its array form and its dual binary form (see `PgSql.Connective`). */
const makeConnective = (connective: "and" | "or"): Connective =>
  ((...args: ReadonlyArray<unknown>) => {
    if (args.length >= 2) return connect(connective, [args[0] as Fragment, args[1] as Fragment])
    const first = args[0]
    if (isFragment(first)) return (self: Fragment) => connect(connective, [self, first])
    return connect(connective, first as Iterable<Fragment>)
  }) as Connective

/** `PgSql.and`: `((a) and (b))`, none → `TRUE`. */
export const and: Connective = makeConnective("and")

/** `PgSql.or`: `((a) or (b))`, none → `FALSE`. */
export const or: Connective = makeConnective("or")
