/**
 * Parameter fragments for `PgSql`: one bound value with an explicit type (`param`), one bound
 * array (`array`, which maps a built-in element type to its array type), and a parenthesised
 * list of bound values for `IN` (`list`).
 *
 * Invalid input becomes a failure node, raised when the statement is compiled.
 *
 * The public documentation of the exports is in `PgSql.ts`.
 *
 * @since 0.1.0
 */
import { builtinTypes } from "@pgfx/protocol/PgOid"
import type { Fragment } from "../PgSql.ts"
import { Fail, isFragment, Param, Seq } from "./sqlCompile.ts"

/** A number that can be a type OID (uint32). */
const isOid = (oid: unknown): oid is number =>
  typeof oid === "number" && Number.isInteger(oid) && oid >= 0 && oid <= 0xFFFFFFFF

/** `PgSql.param`: one parameter with an explicit type OID. */
export const param = (value: unknown, oid: number): Fragment => {
  if (!isOid(oid)) return new Fail("InvalidParameter", `param(): ${String(oid)} is not a type OID`)
  if (isFragment(value)) return new Fail("InvalidParameter", "param(): a fragment cannot be bound as a value")
  return new Param(value, oid)
}

/** Element type OID → array type OID, for built-in types. */
const arrayOfElement: ReadonlyMap<number, number> = new Map(
  builtinTypes.filter((t) => t.arrayOid !== 0 && t.category !== "A").map((t) => [t.oid, t.arrayOid])
)

/** `PgSql.array`: ONE parameter holding a whole array, typed by its array or element type. */
export const array = (values: ReadonlyArray<unknown>, type?: number): Fragment => {
  if (!Array.isArray(values)) return new Fail("InvalidParameter", "array() expects an array")
  if (type === undefined) return new Param(values, 0)
  if (!isOid(type)) return new Fail("InvalidParameter", `array(): ${String(type)} is not a type OID`)
  return new Param(values, arrayOfElement.get(type) ?? type)
}

/** `PgSql.list`: `($1, $2, …)`, fragments among the values inlined; empty is an error. */
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
