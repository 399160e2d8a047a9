/**
 * The PostgreSQL statement compiler for `effect/sql`: `$n` placeholders, identifiers quoted
 * with `"` (a dot separates schema and name: `sql("app.users")` → `"app"."users"`), the record
 * helpers (`sql.insert`, `sql.update` use the generic forms; `sql.updateValues` compiles to a
 * `(values …) AS alias(columns)` list), and a `jsonb` parameter fragment.
 *
 * @since 0.1.0
 */
import * as Statement from "effect/sql/Statement"

/**
 * A value bound as `jsonb` (see `PgSqlClient.json`).
 *
 * @category models
 * @since 0.1.0
 */
export interface PgSqlJson extends Statement.Custom<"PgSqlJson", unknown> {}

const PgSqlJson = Statement.custom<PgSqlJson>("PgSqlJson")

/** The fragment binding `value` as a `jsonb` parameter. */
export const json = (value: unknown): Statement.Fragment => Statement.fragment([PgSqlJson(value, undefined, undefined)])

const escape = Statement.defaultEscape("\"")

/**
 * The compiler. `transform` renames identifiers (and, with `transformJson`, the keys of
 * `json(...)` values) unless a statement is compiled without transforms.
 */
export const makeCompiler = (
  transform?: ((name: string) => string) | undefined,
  transformJson = true
): Statement.Compiler => {
  const transformValue = transform !== undefined && transformJson ? Statement.defaultTransforms(transform).value : undefined
  return Statement.makeCompiler<PgSqlJson>({
    dialect: "pg",
    placeholder: (index) => `$${index}`,
    onIdentifier: transform === undefined
      ? escape
      : (value, withoutTransform) => escape(withoutTransform ? value : transform(value)),
    onRecordUpdate: (placeholders, alias, columns, values, returning) => {
      const params: Array<unknown> = []
      for (const row of values) {
        for (const value of row) params.push(value)
      }
      if (returning === undefined) return [`(values ${placeholders}) AS ${alias}${columns}`, params]
      for (const value of returning[1]) params.push(value)
      return [`(values ${placeholders}) AS ${alias}${columns} RETURNING ${returning[0]}`, params]
    },
    onCustom: (custom, placeholder, withoutTransform) => {
      const value = withoutTransform || transformValue === undefined ? custom.paramA : transformValue(custom.paramA)
      return [`${placeholder(value)}::jsonb`, [value]]
    }
  })
}
