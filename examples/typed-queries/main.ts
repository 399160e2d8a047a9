/**
 * typed-queries: rows as Schema-checked values, and every way a query can go wrong as a typed
 * error. A `Schema.Struct` with `PgSchema` fields maps int8 → `bigint`, numeric → `BigDecimal`
 * (exact: no float rounding of prices), timestamptz → `DateTime.Utc`; the same schema encodes
 * the parameters of an insert. Then, each handled where it happens:
 * - a duplicate key: `Effect.catchReason("PgError", "UniqueViolation", …)`;
 * - no row: `.maybe` gives an `Option`; `.single` fails with `NoSuchElementError`;
 * - a row the schema rejects (`infinity` is no `DateTime`): `Schema.SchemaError`, whose
 *   message names the row and column.
 *
 * Run: `pnpm example typed-queries`.
 *
 * @since 0.1.0
 */
import { BigDecimal, Console, DateTime, Effect, Option, Schema } from "effect"
import { PgClient, PgSchema } from "@pgfx/client"

const NewProduct = Schema.Struct({
  sku: Schema.String,
  price: PgSchema.NumericBigDecimal
})

const Product = Schema.Struct({
  ...NewProduct.fields,
  id: PgSchema.Int8,
  created: PgSchema.Timestamptz,
  discontinued: PgSchema.Nullable(PgSchema.Timestamptz)
})

const program = Effect.gen(function*() {
  const sql = yield* PgClient
  yield* sql`drop table if exists typed_products`
  yield* sql`create table typed_products (
    id int8 generated always as identity primary key, sku text not null unique, price numeric(10, 2) not null,
    created timestamptz not null default now(), discontinued timestamptz
  )`
  const columns = sql`id, sku, price, created, discontinued`

  // Parameters through the schema too: BigDecimal → the exact numeric text.
  const insert = (product: typeof NewProduct.Type) =>
    Effect.flatMap(Schema.encodeEffect(NewProduct)(product), (row) =>
      sql`insert into typed_products ${sql.insert(row)} returning ${columns}`.withSchema(Product).single)

  for (const [sku, price] of [["TEA-1", "0.10"], ["TEA-2", "0.20"], ["CUP-1", "3.30"]] as const) {
    const p = yield* insert({ sku, price: BigDecimal.fromStringUnsafe(price) })
    yield* Console.log(`inserted #${p.id} (${typeof p.id}) ${p.sku} at ${BigDecimal.format(p.price)}, ${DateTime.formatIso(p.created)}`)
  }
  const products = yield* sql`select ${columns} from typed_products order by id`.withSchema(Product)
  const total = BigDecimal.format(BigDecimal.sumAll(products.map((p) => p.price)))
  const floats = products.reduce((sum, p) => sum + BigDecimal.toNumberUnsafe(p.price), 0)
  yield* Console.log(`sum of prices: ${total} as BigDecimal (as JS numbers: ${floats})`)

  // A unique violation is a reason of PgError: recover from that one, let others through.
  const duplicate = yield* insert({ sku: "TEA-1", price: BigDecimal.fromStringUnsafe("1") }).pipe(
    Effect.map((p) => `inserted #${p.id}`),
    Effect.catchReason("PgError", "UniqueViolation", (e) => Effect.succeed(`refused by ${e.constraint}: ${e.detail}`))
  )
  yield* Console.log(`duplicate TEA-1: ${duplicate}`)

  // No row: `.maybe` is an Option, `.single` a NoSuchElementError.
  const bySku = (sku: string) => sql`select ${columns} from typed_products where sku = ${sku}`.withSchema(Product)
  const missing = yield* bySku("MUG-9").maybe
  yield* Console.log(`MUG-9 with .maybe: ${Option.match(missing, { onNone: () => "none", onSome: (p) => `#${p.id}` })}`)
  const single = yield* bySku("MUG-9").single.pipe(
    Effect.map((p) => `#${p.id}`),
    Effect.catchTag("NoSuchElementError", (e) => Effect.succeed(`NoSuchElementError: ${e.message}`))
  )
  yield* Console.log(`MUG-9 with .single: ${single}`)

  // A value the schema cannot represent fails the query with a SchemaError.
  yield* sql`update typed_products set discontinued = 'infinity' where sku = ${"CUP-1"}`
  const decoded = yield* sql`select ${columns} from typed_products order by id`.withSchema(Product).pipe(
    Effect.map((rows) => `${rows.length} rows`),
    Effect.catchTag("SchemaError", (e) => Effect.succeed(`SchemaError: ${e.message}`))
  )
  yield* Console.log(`after discontinued = 'infinity': ${decoded}`)
  const Lenient = Schema.Struct({ ...Product.fields, discontinued: PgSchema.Nullable(PgSchema.TimestamptzOrInfinity) })
  const cup = yield* bySku("CUP-1").withSchema(Lenient).single
  yield* Console.log(`with PgSchema.TimestamptzOrInfinity: CUP-1 discontinued = ${cup.discontinued}`)

  return { inserted: products.map((p) => p.id), total, duplicate, missing: Option.isNone(missing), single, decoded, lenient: cup.discontinued }
})

/**
 * Runs the example against `url`.
 *
 * @since 0.1.0
 */
export const main = (url: string, _args: ReadonlyArray<string> = []) =>
  Effect.runPromise(program.pipe(Effect.provide(PgClient.layer({ url }))))
