import { assert, describe, it } from "@effect/vitest"
import { Oid } from "@pgfx/protocol/PgOid"
import * as Result from "effect/Result"
import fc from "fast-check"
import * as PgSql from "../src/PgSql.ts"

const { sql } = PgSql

/** A `TemplateStringsArray` built at run time (the tag cannot tell it from a real one). */
const strings = (parts: ReadonlyArray<string>): TemplateStringsArray =>
  Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray

const compiled = (fragment: PgSql.Fragment) => {
  const { params, paramTypes, text } = PgSql.compile(fragment)
  return paramTypes === undefined ? { text, params: [...params] } : { text, params: [...params], paramTypes: [...paramTypes] }
}

const failure = (fragment: PgSql.Fragment): PgSql.PgSqlError => {
  const result = PgSql.compileResult(fragment)
  if (Result.isSuccess(result)) assert.fail(`expected a PgSqlError, compiled to ${result.success.text}`)
  assert.instanceOf(result.failure, PgSql.PgSqlError)
  assert.strictEqual(result.failure._tag, "PgSqlError")
  return result.failure
}

const assertKind = (fragment: PgSql.Fragment, kind: PgSql.PgSqlErrorKind, includes?: string) => {
  const error = failure(fragment)
  assert.strictEqual(error.kind, kind, error.message)
  if (includes !== undefined) assert.include(error.message, includes)
  assert.throws(() => PgSql.compile(fragment))
}

describe("PgSql", () => {
  describe("sql template", () => {
    it("binds every interpolated value as a parameter", () => {
      const id = 7
      assert.deepStrictEqual(compiled(sql`select * from users where id = ${id} and name = ${"ann"}`), {
        text: "select * from users where id = $1 and name = $2",
        params: [7, "ann"]
      })
      assert.deepStrictEqual(compiled(sql`select 1`), { text: "select 1", params: [] })
      assert.deepStrictEqual(compiled(sql``), { text: "", params: [] })
    })

    it("a value branded as a fragment that this copy did not make fails instead of compiling to nothing", () => {
      const foreign = { [PgSql.TypeId]: PgSql.TypeId, _op: 999 }
      const result = PgSql.compileResult(sql`select ${foreign}`)
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) {
        assert.strictEqual(result.failure.kind, "InvalidTemplate")
        assert.match(result.failure.message, /two copies/)
      }
    })

    it("gives the same value interpolated twice two parameters", () => {
      const x = "same"
      assert.deepStrictEqual(compiled(sql`select ${x}, ${x}`), { text: "select $1, $2", params: ["same", "same"] })
    })

    it("binds arrays, objects, dates, bytes and null as ONE parameter each", () => {
      const date = new Date(0)
      const bytes = new Uint8Array([1, 2])
      const c = compiled(sql`select ${[1, 2]}, ${{ a: 1 }}, ${date}, ${bytes}, ${null}, ${10n}, ${true}`)
      assert.strictEqual(c.text, "select $1, $2, $3, $4, $5, $6, $7")
      assert.deepStrictEqual(c.params, [[1, 2], { a: 1 }, date, bytes, null, 10n, true])
      assert.strictEqual(c.params[2], date)
      assert.strictEqual(c.params[3], bytes)
    })

    it("inlines fragments and renumbers their parameters across several levels", () => {
      const inner = sql`c = ${3} and d = ${4}`
      const middle = sql`b = ${2} or (${inner})`
      const outer = sql`select * from t where a = ${1} and (${middle}) and e = ${5} limit ${sql`${6}`}`
      assert.deepStrictEqual(compiled(outer), {
        text: "select * from t where a = $1 and (b = $2 or (c = $3 and d = $4)) and e = $5 limit $6",
        params: [1, 2, 3, 4, 5, 6]
      })
      // the nested fragments still compile on their own, numbered from $1
      assert.deepStrictEqual(compiled(middle), { text: "b = $1 or (c = $2 and d = $3)", params: [2, 3, 4] })
    })

    it("renumbers the same fragment interpolated twice", () => {
      const cond = sql`x = ${1}`
      assert.deepStrictEqual(compiled(sql`${cond} or ${cond}`), { text: "x = $1 or x = $2", params: [1, 1] })
    })

    it("compiles a nested template exactly as the same template at the top level", () => {
      const q = (a: unknown, b: unknown) => sql`select a${a}0, ${b}${b}b from t -- end`
      const top = compiled(q(1, 2))
      assert.deepStrictEqual(top, { text: "select a $1 0, $2 $3 b from t -- end\n", params: [1, 2, 2] })
      assert.deepStrictEqual(compiled(sql`${q(1, 2)}`), top)
    })

    it("never glues a placeholder to a neighbouring identifier character", () => {
      assert.strictEqual(PgSql.compile(sql`select ${1}0`).text, "select $1 0")
      assert.strictEqual(PgSql.compile(sql`select ${1}${2}`).text, "select $1 $2")
      assert.strictEqual(PgSql.compile(sql`select x${1}`).text, "select x $1")
      assert.strictEqual(PgSql.compile(sql`select ${1}::int, (${2})`).text, "select $1::int, ($2)")
      // across fragment boundaries too: "$1" followed by a fragment starting with a digit
      assert.strictEqual(PgSql.compile(sql`select ${1}${sql`0`}`).text, "select $1 0")
      assert.strictEqual(PgSql.compile(sql`select ${sql`a`}${1}`).text, "select a $1")
      // plain text is concatenated as written
      assert.strictEqual(PgSql.compile(sql`select ${sql`ab`}${sql`cd`}`).text, "select abcd")
    })

    it("rejects undefined (use null)", () => {
      assertKind(sql`select ${undefined}`, "UndefinedValue", "$1")
      assertKind(sql`select ${1}, ${sql`${undefined}`}`, "UndefinedValue", "$2")
    })

    it("rejects interpolations inside literals, quoted identifiers, comments and dollar quotes", () => {
      const x = "v"
      assertKind(sql`select * from t where name like '%${x}%'`, "InvalidTemplate", "string literal")
      assertKind(sql`select "${x}"`, "InvalidTemplate", "quoted identifier")
      assertKind(sql`select 1 -- ${x}`, "InvalidTemplate", "line comment")
      assertKind(sql`select 1 /* ${x} */`, "InvalidTemplate", "block comment")
      assertKind(sql`select 1 /* a /* nested */ ${x} */`, "InvalidTemplate", "block comment")
      assertKind(sql`do $$ ${x} $$`, "InvalidTemplate", "dollar-quoted")
      assertKind(sql`do $body$ ${x} $body$`, "InvalidTemplate", "dollar-quoted")
      assertKind(sql`select E'it\\'s ${x}'`, "InvalidTemplate", "string literal")
    })

    it("accepts interpolations after closed literals, comments and dollar quotes", () => {
      const x = "v"
      assert.strictEqual(
        PgSql.compile(sql`select 'it''s', "a""b", E'\\'', $$ ' $$, $f$ $$ $f$, /* ' */ ${x} -- '
, ${x}`).text,
        "select 'it''s', \"a\"\"b\", E'\\'', $$ ' $$, $f$ $$ $f$, /* ' */ $1 -- '\n, $2"
      )
      // `$` inside an identifier is neither a placeholder nor a dollar quote
      assert.strictEqual(PgSql.compile(sql`select a$1, b$x$ from t where c = ${x}`).text, "select a$1, b$x$ from t where c = $1")
    })

    it("rejects hand-written placeholders, but not inside literals", () => {
      assertKind(sql`select * from t where id = $1`, "InvalidTemplate", "$1")
      assertKind(sql`select ${1}, $2`, "InvalidTemplate", "$2")
      assert.strictEqual(PgSql.compile(sql`select '$1', "$2", $$ $3 $$ -- $4`).text, "select '$1', \"$2\", $$ $3 $$ -- $4\n")
    })

    it("rejects a template ending inside a literal or block comment", () => {
      assertKind(sql`select 'abc`, "InvalidTemplate", "ends inside a string literal")
      assertKind(sql`select "abc`, "InvalidTemplate", "ends inside a quoted identifier")
      assertKind(sql`select 1 /* x`, "InvalidTemplate", "ends inside a block comment")
      assertKind(sql`select $$ x`, "InvalidTemplate", "ends inside a dollar-quoted string")
    })

    it("ends an inlined fragment's trailing line comment with a newline", () => {
      const commented = sql`a = ${1} -- the a filter`
      assert.deepStrictEqual(compiled(sql`select * from t where ${commented} and b = ${2}`), {
        text: "select * from t where a = $1 -- the a filter\n and b = $2",
        params: [1, 2]
      })
    })

    it("rejects calls that are not tagged templates", () => {
      const tag = sql as unknown as (s: unknown, ...v: Array<unknown>) => PgSql.Fragment
      assertKind(tag("select 1"), "InvalidTemplate", "tagged template")
      assertKind(tag(strings(["a", "b"])), "InvalidTemplate")
      assertKind(tag(strings(["a", undefined as unknown as string]), 1), "InvalidTemplate", "escape")
    })

    it("gives identical results for repeated calls of one call site (cached per strings array)", () => {
      const seen = new Set<TemplateStringsArray>()
      const capture = (s: TemplateStringsArray, ...values: Array<unknown>) => {
        seen.add(s)
        return sql(s, ...values)
      }
      const query = (id: number) => capture`select * from users where id = ${id} and ${PgSql.identifier("x")} = ${id}`
      const a = compiled(query(1))
      const b = compiled(query(2))
      assert.strictEqual(seen.size, 1) // same TemplateStringsArray object every call
      assert.strictEqual(a.text, b.text)
      assert.strictEqual(a.text, "select * from users where id = $1 and \"x\" = $2")
      assert.deepStrictEqual(a.params, [1, 1])
      assert.deepStrictEqual(b.params, [2, 2])
      const flat = (id: number) => sql`select ${id}`
      assert.strictEqual(PgSql.compile(flat(1)).text, PgSql.compile(flat(2)).text)
      assert.deepStrictEqual(PgSql.compile(flat(2)).params, [2])
    })

    it("memoises the compiled form of a fragment", () => {
      const f = sql`select ${1}, ${sql`${2}`}`
      assert.strictEqual(PgSql.compile(f), PgSql.compile(f))
    })

    it("brands fragments with a symbol, so plain data never passes for one", () => {
      assert.isTrue(PgSql.isFragment(sql`x`))
      assert.isTrue(PgSql.isFragment(PgSql.identifier("x")))
      assert.isFalse(PgSql.isFragment({ text: "x" }))
      assert.isFalse(PgSql.isFragment(JSON.parse("{\"~@pgfx/client/PgSql/Fragment\": 1}")))
      assert.isFalse(PgSql.isFragment(null))
      assert.strictEqual(typeof PgSql.TypeId, "symbol")
      // an object that only looks like a fragment is bound as a value
      assert.deepStrictEqual(compiled(sql`select ${{ text: "drop table t" }}`), {
        text: "select $1",
        params: [{ text: "drop table t" }]
      })
    })

    it("is pipeable", () => {
      assert.strictEqual(sql`a`.pipe((f) => PgSql.compile(f).text), "a")
    })
  })

  describe("injection", () => {
    it("keeps hostile values in params only", () => {
      const evil = "'; drop table users; --"
      const c = compiled(sql`select * from users where name = ${evil} and id in ${PgSql.list([evil])}`)
      assert.strictEqual(c.text, "select * from users where name = $1 and id in ($2)")
      assert.deepStrictEqual(c.params, [evil, evil])
      const i = compiled(sql`insert into t ${PgSql.insert({ name: evil })}`)
      assert.strictEqual(i.text, "insert into t (\"name\") values ($1)")
      assert.notInclude(i.text, "drop")
    })

    it("doubles quotes in identifiers so a name cannot close its quoting", () => {
      const evil = "x\"; drop table users; --"
      assert.strictEqual(PgSql.compile(sql`select * from ${PgSql.identifier(evil)}`).text, "select * from \"x\"\"; drop table users; --\"")
      assert.strictEqual(
        PgSql.compile(PgSql.insert({ [evil]: 1 })).text,
        "(\"x\"\"; drop table users; --\") values ($1)"
      )
      assert.strictEqual(PgSql.compile(PgSql.update({ [evil]: 1 })).text, "\"x\"\"; drop table users; --\" = $1")
    })
  })

  describe("identifier", () => {
    it("quotes each part and joins parts with dots", () => {
      assert.strictEqual(PgSql.compile(PgSql.identifier("users")).text, "\"users\"")
      assert.strictEqual(PgSql.compile(PgSql.identifier("app", "Users")).text, "\"app\".\"Users\"")
      assert.strictEqual(PgSql.compile(PgSql.identifier("db", "app", "users")).text, "\"db\".\"app\".\"users\"")
      assert.strictEqual(PgSql.compile(PgSql.identifier("a.b")).text, "\"a.b\"")
      assert.strictEqual(PgSql.compile(PgSql.identifier("we\"ird\"\"")).text, "\"we\"\"ird\"\"\"\"\"")
      assert.strictEqual(PgSql.compile(PgSql.identifier("çà", "表", "😀")).text, "\"çà\".\"表\".\"😀\"")
      assert.strictEqual(PgSql.compile(PgSql.identifier("$1")).text, "\"$1\"")
      assert.deepStrictEqual(PgSql.compile(PgSql.identifier("x")).params, [])
    })

    it("rejects empty names, NUL and no parts", () => {
      assertKind(PgSql.identifier(""), "InvalidIdentifier", "empty")
      assertKind(PgSql.identifier("a", ""), "InvalidIdentifier", "empty")
      assertKind(PgSql.identifier("a\0b"), "InvalidIdentifier", "NUL")
      assertKind((PgSql.identifier as unknown as () => PgSql.Fragment)(), "InvalidIdentifier")
      assertKind(PgSql.identifier(1 as unknown as string), "InvalidIdentifier")
      assertKind(sql`select ${PgSql.identifier("")}`, "InvalidIdentifier")
    })

    it("parses qualified names like PostgreSQL's parse_ident", () => {
      const parse = (s: string) => PgSql.compile(PgSql.identifier.parse(s)).text
      assert.strictEqual(parse("users"), "\"users\"")
      assert.strictEqual(parse("App.Users"), "\"app\".\"users\"")
      assert.strictEqual(parse("app.\"Users\""), "\"app\".\"Users\"")
      assert.strictEqual(parse("\"my.schema\".\"we\"\"ird\""), "\"my.schema\".\"we\"\"ird\"")
      assert.strictEqual(parse(" a . b "), "\"a\".\"b\"")
      assert.strictEqual(parse("_x$1.Été"), "\"_x$1\".\"Été\"")
      assertKind(PgSql.identifier.parse(""), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("a."), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse(".a"), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("a..b"), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("1a"), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("a b"), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("a;drop"), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("\"unterminated"), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("\"\""), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("\"a\"b"), "InvalidIdentifier")
      assertKind(PgSql.identifier.parse("\"a\0\""), "InvalidIdentifier")
    })
  })

  describe("list", () => {
    it("expands values into a parenthesised parameter list", () => {
      assert.deepStrictEqual(compiled(sql`select * from t where id in ${PgSql.list([1, 2, 3])}`), {
        text: "select * from t where id in ($1, $2, $3)",
        params: [1, 2, 3]
      })
      assert.deepStrictEqual(compiled(PgSql.list(new Set(["a"]))), { text: "($1)", params: ["a"] })
    })

    it("inlines fragments among the values", () => {
      assert.deepStrictEqual(compiled(sql`select ${0} in ${PgSql.list([1, sql`now()`, sql`${2} + ${3}`])}`), {
        text: "select $1 in ($2, now(), $3 + $4)",
        params: [0, 1, 2, 3]
      })
    })

    it("rejects an empty list and undefined elements", () => {
      assertKind(sql`select * from t where id in ${PgSql.list([])}`, "EmptyInput", "any(")
      assertKind(PgSql.list([1, undefined]), "UndefinedValue")
      assertKind(PgSql.list("abc"), "InvalidParameter", "string")
      assertKind(PgSql.join("abc"), "InvalidParameter", "string")
    })
  })

  describe("array and param", () => {
    it("binds one array parameter, with or without a type", () => {
      const ids = [1, 2, 3]
      assert.deepStrictEqual(compiled(sql`select * from t where id = any(${PgSql.array(ids)})`), {
        text: "select * from t where id = any($1)",
        params: [[1, 2, 3]]
      })
      assert.deepStrictEqual(compiled(sql`select * from t where id = any(${PgSql.array(ids, Oid["_int4"])})`), {
        text: "select * from t where id = any($1)",
        params: [[1, 2, 3]],
        paramTypes: [Oid["_int4"]]
      })
      assert.deepStrictEqual(compiled(PgSql.array([], Oid["_text"])), { text: "$1", params: [[]], paramTypes: [Oid["_text"]] })
    })

    it("maps a built-in element type to its array type, keeps other OIDs", () => {
      assert.deepStrictEqual(PgSql.compile(PgSql.array([1], Oid.int4)).paramTypes, [Oid["_int4"]])
      assert.deepStrictEqual(PgSql.compile(PgSql.array(["a"], Oid.text)).paramTypes, [Oid["_text"]])
      assert.deepStrictEqual(PgSql.compile(PgSql.array(["{}"], Oid.jsonb)).paramTypes, [Oid["_jsonb"]])
      assert.deepStrictEqual(PgSql.compile(PgSql.array([1], Oid["_int8"])).paramTypes, [Oid["_int8"]])
      assert.deepStrictEqual(PgSql.compile(PgSql.array([1], 90000)).paramTypes, [90000])
    })

    it("annotates single parameters and aligns paramTypes with params (0 = unannotated)", () => {
      assert.deepStrictEqual(
        compiled(sql`select ${1}, ${PgSql.param("{}", Oid.jsonb)}, ${2}, ${sql`${3} || ${PgSql.param(4n, Oid.int8)}`}, ${5}`),
        {
          text: "select $1, $2, $3, $4 || $5, $6",
          params: [1, "{}", 2, 3, 4n, 5],
          paramTypes: [0, Oid.jsonb, 0, 0, Oid.int8, 0]
        }
      )
      assert.deepStrictEqual(compiled(sql`select ${PgSql.param(1, Oid.int4)}`), {
        text: "select $1",
        params: [1],
        paramTypes: [Oid.int4]
      })
      assert.deepStrictEqual(compiled(sql`select ${PgSql.param(null, Oid.text)}`).paramTypes, [Oid.text])
      // an explicit 0 is "unannotated": no paramTypes at all
      assert.deepStrictEqual(compiled(sql`select ${PgSql.param(1, 0)}`), { text: "select $1", params: [1] })
      assert.isUndefined(PgSql.compile(sql`select ${1}`).paramTypes)
    })

    it("rejects invalid OIDs, fragments as values and non-arrays", () => {
      assertKind(PgSql.param(1, -1), "InvalidParameter")
      assertKind(PgSql.param(1, 1.5), "InvalidParameter")
      assertKind(PgSql.param(1, 2 ** 32), "InvalidParameter")
      assertKind(PgSql.param(1, "23" as unknown as number), "InvalidParameter")
      assertKind(PgSql.param(sql`x`, Oid.text), "InvalidParameter", "fragment")
      assertKind(PgSql.param(undefined, Oid.text), "UndefinedValue")
      assertKind(PgSql.array([1], Number.NaN), "InvalidParameter")
      assertKind(PgSql.array("abc" as unknown as Array<string>), "InvalidParameter")
    })
  })

  describe("insert", () => {
    it("writes columns and one row of parameters", () => {
      assert.deepStrictEqual(compiled(sql`insert into users ${PgSql.insert({ name: "a", age: 1 })} returning id`), {
        text: "insert into users (\"name\", \"age\") values ($1, $2) returning id",
        params: ["a", 1]
      })
    })

    it("uses the union of keys in first-seen order, DEFAULT for missing and undefined, binds null", () => {
      const rows: Array<{ a?: unknown; b?: unknown; c?: unknown }> = [
        { a: 1, b: 2 },
        { b: 3, c: null },
        { a: undefined, c: 4 }
      ]
      assert.deepStrictEqual(compiled(PgSql.insert(rows)), {
        text: "(\"a\", \"b\", \"c\") values ($1, $2, DEFAULT), (DEFAULT, $3, $4), (DEFAULT, DEFAULT, $5)",
        params: [1, 2, 3, null, 4]
      })
    })

    it("restricts and orders columns when given", () => {
      const row = { id: 1, name: "n", isAdmin: true }
      assert.deepStrictEqual(compiled(PgSql.insert(row, ["name", "id"])), {
        text: "(\"name\", \"id\") values ($1, $2)",
        params: ["n", 1]
      })
      assert.deepStrictEqual(compiled(PgSql.insert([{ a: 1 }, { a: 2, b: 3 }], ["b"])), {
        text: "(\"b\") values (DEFAULT), ($1)",
        params: [3]
      })
    })

    it("reads only own properties", () => {
      const row = Object.create({ inherited: 1 }) as { inherited?: number; own?: number }
      row.own = 2
      assert.deepStrictEqual(compiled(PgSql.insert(row, ["own", "inherited"])), {
        text: "(\"own\", \"inherited\") values ($1, DEFAULT)",
        params: [2]
      })
      assert.deepStrictEqual(compiled(PgSql.insert({ a: 1 }, ["a", "constructor" as "a"])).text, "(\"a\", \"constructor\") values ($1, DEFAULT)")
    })

    it("inlines fragment values, binds arrays and objects as one parameter, keeps param types", () => {
      const row = { created: sql`now()`, tags: ["x", "y"], doc: { k: 1 }, n: PgSql.param(1, Oid.int8) }
      assert.deepStrictEqual(compiled(sql`insert into t ${PgSql.insert(row)}`), {
        text: "insert into t (\"created\", \"tags\", \"doc\", \"n\") values (now(), $1, $2, $3)",
        params: [["x", "y"], { k: 1 }, 1],
        paramTypes: [0, 0, Oid.int8]
      })
    })

    it("snapshots the rows when called", () => {
      const row: { a: number; b?: number } = { a: 1 }
      const fragment = PgSql.insert(row)
      row.a = 2
      row.b = 3
      assert.deepStrictEqual(compiled(fragment), { text: "(\"a\") values ($1)", params: [1] })
    })

    it("writes `default values` for one row without columns", () => {
      assert.strictEqual(PgSql.compile(sql`insert into t ${PgSql.insert({})}`).text, "insert into t default values")
    })

    it("rejects no rows, non-object rows, several rows without columns and bad column names", () => {
      assertKind(PgSql.insert([]), "EmptyInput")
      assertKind(sql`insert into t ${PgSql.insert([])}`, "EmptyInput")
      assertKind(PgSql.insert([{ a: 1 }, null as unknown as { a: number }]), "InvalidRows", "row 2")
      assertKind(PgSql.insert([[1, 2]] as unknown as Array<object>), "InvalidRows")
      assertKind(PgSql.insert([{}, {}]), "InvalidRows")
      assertKind(PgSql.insert({ "": 1 }), "InvalidIdentifier")
      assertKind(PgSql.insert({ a: 1 }, ["a\0" as "a"]), "InvalidIdentifier")
    })
  })

  describe("update", () => {
    it("writes assignments and skips undefined", () => {
      assert.deepStrictEqual(
        compiled(sql`update users set ${PgSql.update({ name: "x", age: undefined, email: null })} where id = ${9}`),
        { text: "update users set \"name\" = $1, \"email\" = $2 where id = $3", params: ["x", null, 9] }
      )
    })

    it("restricts columns, inlines fragments", () => {
      const row = { name: "x", role: "admin", updated: sql`now()` }
      assert.deepStrictEqual(compiled(PgSql.update(row, ["updated", "name"])), {
        text: "\"updated\" = now(), \"name\" = $1",
        params: ["x"]
      })
    })

    it("rejects nothing to set and non-objects", () => {
      assertKind(PgSql.update({}), "EmptyInput")
      assertKind(PgSql.update({ a: undefined }), "EmptyInput")
      assertKind(PgSql.update({ a: 1 }, []), "EmptyInput")
      assertKind(PgSql.update(null as unknown as object), "InvalidRows")
      assertKind(PgSql.update([1] as unknown as object), "InvalidRows")
    })
  })

  describe("values", () => {
    it("writes tuples", () => {
      assert.deepStrictEqual(
        compiled(sql`select * from (values ${PgSql.values([[1, "a"], [2, "b"]])}) as v(id, name)`),
        { text: "select * from (values ($1, $2), ($3, $4)) as v(id, name)", params: [1, "a", 2, "b"] }
      )
    })

    it("writes object rows with NULL for missing fields", () => {
      const rows: Array<{ a?: number | undefined; b?: number | null }> = [{ a: 1 }, { b: 2 }, { a: undefined, b: null }]
      assert.deepStrictEqual(compiled(PgSql.values(rows)), {
        text: "($1, NULL), (NULL, $2), (NULL, $3)",
        params: [1, 2, null]
      })
      assert.deepStrictEqual(compiled(PgSql.values(rows, ["b"])), { text: "(NULL), ($1), ($2)", params: [2, null] })
      assert.deepStrictEqual(compiled(PgSql.values([[1, undefined, sql`now()`]])), { text: "($1, NULL, now())", params: [1] })
    })

    it("rejects empty and uneven input", () => {
      assertKind(PgSql.values([]), "EmptyInput")
      assertKind(PgSql.values([[]]), "InvalidRows")
      assertKind(PgSql.values([[1, 2], [3]]), "InvalidRows", "row 2")
      assertKind(PgSql.values([[1], { a: 1 } as unknown as Array<number>]), "InvalidRows")
      assertKind(PgSql.values([{}]), "InvalidRows")
      assertKind(PgSql.values([{ a: 1 }, 2 as unknown as { a: number }]), "InvalidRows")
    })
  })

  describe("join, and, or", () => {
    it("joins with a comma by default, or any fragment", () => {
      const cols = ["id", "name"].map((c) => PgSql.identifier(c))
      assert.strictEqual(PgSql.compile(sql`select ${PgSql.join(cols)} from t`).text, "select \"id\", \"name\" from t")
      assert.deepStrictEqual(compiled(PgSql.join([sql`a = ${1}`, 2, sql`c`], sql` and `)), {
        text: "a = $1 and $2 and c",
        params: [1, 2]
      })
      assert.deepStrictEqual(compiled(PgSql.join([sql`a`, sql`b`, sql`c`], sql` || ${"-"} || `)), {
        text: "a || $1 || b || $2 || c",
        params: ["-", "-"]
      })
      assert.deepStrictEqual(compiled(PgSql.join([sql`x = ${1}`])), { text: "x = $1", params: [1] })
      assert.deepStrictEqual(compiled(sql`select 1${PgSql.join([])}`), { text: "select 1", params: [] })
      assert.deepStrictEqual(compiled(PgSql.join([sql`a`, sql`b`], PgSql.unsafe(" union all "))).text, "a union all b")
      assertKind(PgSql.join([1], ", " as unknown as PgSql.Fragment), "InvalidParameter")
    })

    it("parenthesises every operand; empty and → TRUE, empty or → FALSE", () => {
      assert.strictEqual(PgSql.compile(PgSql.and([])).text, "TRUE")
      assert.strictEqual(PgSql.compile(PgSql.or([])).text, "FALSE")
      assert.deepStrictEqual(compiled(PgSql.and([sql`a = ${1}`])), { text: "(a = $1)", params: [1] })
      assert.deepStrictEqual(compiled(sql`where not ${PgSql.and([sql`a = ${1} or b`, sql`c = ${2}`])}`), {
        text: "where not ((a = $1 or b) and (c = $2))",
        params: [1, 2]
      })
      assert.deepStrictEqual(compiled(PgSql.or([sql`a`, sql`b`, sql`c`])), { text: "((a) or (b) or (c))", params: [] })
    })

    it("skips undefined, null and false operands (optional filters)", () => {
      const filters = (name?: string, age?: number) =>
        PgSql.and([
          name !== undefined && sql`name = ${name}`,
          age !== undefined ? sql`age >= ${age}` : undefined,
          null
        ])
      assert.deepStrictEqual(compiled(sql`select * from u where ${filters("x", 3)}`), {
        text: "select * from u where ((name = $1) and (age >= $2))",
        params: ["x", 3]
      })
      assert.deepStrictEqual(compiled(sql`select * from u where ${filters(undefined, 3)}`), {
        text: "select * from u where (age >= $1)",
        params: [3]
      })
      assert.deepStrictEqual(compiled(sql`select * from u where ${filters()}`), {
        text: "select * from u where TRUE",
        params: []
      })
    })

    it("nests and flattens", () => {
      assert.deepStrictEqual(compiled(PgSql.and([sql`a`, PgSql.or([sql`b = ${1}`, sql`c`]), PgSql.and([sql`d`, sql`e`])])), {
        text: "((a) and ((b = $1) or (c)) and (d) and (e))",
        params: [1]
      })
      assert.strictEqual(PgSql.compile(PgSql.or([PgSql.and([])])).text, "(TRUE)")
    })

    it("is dual", () => {
      assert.strictEqual(PgSql.compile(PgSql.and(sql`a`, sql`b`)).text, "((a) and (b))")
      assert.strictEqual(PgSql.compile(sql`a`.pipe(PgSql.and(sql`b`), PgSql.and(sql`c`))).text, "((a) and (b) and (c))")
      assert.strictEqual(PgSql.compile(sql`a`.pipe(PgSql.or(sql`b`), PgSql.and(sql`c`))).text, "(((a) or (b)) and (c))")
      assert.deepStrictEqual(compiled(PgSql.or(sql`x = ${1}`, sql`y = ${2}`)), { text: "((x = $1) or (y = $2))", params: [1, 2] })
    })
  })

  describe("unsafe", () => {
    it("inserts text verbatim", () => {
      assert.deepStrictEqual(compiled(sql`select ${PgSql.unsafe("count(*)")} from t where a = ${1}`), {
        text: "select count(*) from t where a = $1",
        params: [1]
      })
    })

    it("renumbers its own placeholders, repeated and out of order", () => {
      const frag = PgSql.unsafe("$2 + $1 * $2", [10, 20])
      assert.deepStrictEqual(compiled(frag), { text: "$2 + $1 * $2", params: [10, 20] })
      assert.deepStrictEqual(compiled(sql`select ${1}, ${frag}, ${3}`), {
        text: "select $1, $3 + $2 * $3, $4",
        params: [1, 10, 20, 3]
      })
      assert.deepStrictEqual(compiled(sql`${sql`${0}`} ${PgSql.unsafe("f($1::jsonb)", [PgSql.param("{}", Oid.jsonb)])}`), {
        text: "$1 f($2::jsonb)",
        params: [0, "{}"],
        paramTypes: [0, Oid.jsonb]
      })
    })

    it("ignores placeholder-like text in literals, identifiers, comments and dollar quotes", () => {
      const text = "select '$1', \"$2\", E'\\'$3', $$ $4 $$, $t$ $5 $t$, a$6 /* $7 */ -- $8\n, $1"
      assert.deepStrictEqual(compiled(sql`${0}, ${PgSql.unsafe(text, ["v"])}`), {
        text: "$1, select '$1', \"$2\", E'\\'$3', $$ $4 $$, $t$ $5 $t$, a$6 /* $7 */ -- $8\n, $2",
        params: [0, "v"]
      })
      assert.strictEqual(PgSql.compile(PgSql.unsafe(text.slice(0, -4))).text, text.slice(0, -4))
    })

    it("ends a trailing line comment with a newline", () => {
      assert.strictEqual(PgSql.compile(sql`${PgSql.unsafe("a -- note")} b`).text, "a -- note\n b")
    })

    it("rejects mismatched placeholders and parameters, fragments as parameters, unterminated text", () => {
      assertKind(PgSql.unsafe("$1"), "InvalidParameter", "$1")
      assertKind(PgSql.unsafe("$2", [1]), "InvalidParameter", "$2")
      assertKind(PgSql.unsafe("$0", [1]), "InvalidParameter", "$0")
      assertKind(PgSql.unsafe("$99999999999999", [1]), "InvalidParameter")
      assertKind(PgSql.unsafe("$1 + $3", [1, 2, 3]), "InvalidParameter", "$2 is never referenced")
      assertKind(PgSql.unsafe("x", [1]), "InvalidParameter")
      assertKind(PgSql.unsafe("$1", [sql`x`]), "InvalidParameter", "fragment")
      assertKind(PgSql.unsafe("$1", [undefined]), "UndefinedValue")
      assertKind(PgSql.unsafe("'abc"), "InvalidTemplate")
      assertKind(PgSql.unsafe("/* abc"), "InvalidTemplate")
      assertKind(PgSql.unsafe(1 as unknown as string), "InvalidTemplate")
    })
  })

  describe("parameter limit", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => i)

    it("allows 65,535 parameters and rejects 65,536 (template fast path)", () => {
      const ok = PgSql.compile(sql(strings(["select ", ...many(65534).map(() => ", "), ""]), ...many(65535)))
      assert.strictEqual(ok.params.length, 65535)
      assert.isTrue(ok.text.endsWith(", $65535"))
      assertKind(sql(strings(["select ", ...many(65535).map(() => ", "), ""]), ...many(65536)), "TooManyParameters", "65535")
    })

    it("allows 65,535 parameters and rejects 65,536 across fragments", () => {
      assert.strictEqual(PgSql.compile(sql`select ${PgSql.list(many(65535))}`).params.length, 65535)
      assert.strictEqual(PgSql.compile(sql`select ${PgSql.list(many(65534))}, ${1}`).params.length, 65535)
      assertKind(sql`select ${PgSql.list(many(65535))}, ${1}`, "TooManyParameters")
      assertKind(PgSql.insert(many(32768).map((i) => ({ a: i, b: i }))), "TooManyParameters")
      assert.strictEqual(PgSql.maxParameters, 65535)
    })
  })

  describe("describe", () => {
    it("shows text and parameter count, never values", () => {
      const secret = "hunter2"
      const f = sql`select * from users where password = ${secret} and id = ${1}`
      assert.strictEqual(PgSql.describe(f), "select * from users where password = $1 and id = $2 [2 parameters]")
      assert.strictEqual(String(f), PgSql.describe(f))
      assert.deepStrictEqual(f.toJSON(), { _id: "PgSql.Fragment", text: "select * from users where password = $1 and id = $2", parameters: 2 })
      assert.notInclude(JSON.stringify(f), secret)
      assert.strictEqual(PgSql.describe(sql`select ${1}`), "select $1 [1 parameter]")
      assert.include(PgSql.describe(PgSql.list([])), "invalid SQL fragment")
      assert.notInclude(PgSql.describe(sql`select ${secret}, ${undefined}`), secret)
    })
  })

  describe("properties", () => {
    /** A generated fragment and the parameters (and types) it must compile to. */
    interface Case {
      readonly fragment: unknown
      readonly params: ReadonlyArray<unknown>
      readonly types: ReadonlyArray<number>
      readonly isFragment: boolean
    }

    const value = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }).map((s) => "\u0007" + s), fc.constant(null))
    const text = fc.string({ unit: fc.constantFrom("a", "b", "1", "0", " ", "=", ",", "(", ")"), maxLength: 6 })
    const name = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes("\0") && !s.includes("\u0007"))

    const leaf: fc.Arbitrary<Case> = fc.oneof(
      value.map((v) => ({ fragment: v, params: [v], types: [0], isFragment: false })),
      name.map((n) => ({ fragment: PgSql.identifier(n), params: [], types: [], isFragment: true })),
      fc.tuple(value, fc.constantFrom(0, Oid.int4, Oid.text, 70000)).map(([v, oid]) => ({
        fragment: PgSql.param(v, oid),
        params: [v],
        types: [oid],
        isFragment: true
      })),
      fc.tuple(fc.array(value, { maxLength: 3 }), fc.constantFrom(Oid.int4, Oid["_text"])).map(([vs, oid]) => ({
        fragment: PgSql.array(vs, oid),
        params: [vs],
        types: [oid === Oid.int4 ? Oid["_int4"] : oid],
        isFragment: true
      })),
      fc.tuple(value, value).map(([a, b]) => ({
        fragment: PgSql.unsafe("f($1, '$9', $2)", [a, b]),
        params: [a, b],
        types: [0, 0],
        isFragment: true
      }))
    )

    const concat = (cases: ReadonlyArray<Case>) => ({
      params: cases.flatMap((c) => c.params),
      types: cases.flatMap((c) => c.types)
    })

    const tree: fc.Memo<Case> = fc.memo((depth) => {
      if (depth <= 1) return leaf
      const child = tree(depth - 1)
      const fragmentChild = child.filter((c) => c.isFragment)
      return fc.oneof(
        leaf,
        fc.array(child, { maxLength: 4 }).chain((children) =>
          fc.array(text, { minLength: children.length + 1, maxLength: children.length + 1 }).map((parts) => ({
            fragment: sql(strings(parts), ...children.map((c) => c.fragment)),
            ...concat(children),
            isFragment: true
          }))
        ),
        fc.array(child, { minLength: 1, maxLength: 4 }).map((children) => ({
          fragment: PgSql.list(children.map((c) => c.fragment)),
          ...concat(children),
          isFragment: true
        })),
        fc.tuple(fc.array(fragmentChild, { maxLength: 4 }), fc.boolean()).map(([children, isAnd]) => ({
          fragment: (isAnd ? PgSql.and : PgSql.or)(children.map((c) => c.fragment as PgSql.Fragment)),
          ...concat(children),
          isFragment: true
        })),
        fc.array(child, { maxLength: 4 }).map((children) => ({
          fragment: PgSql.join(children.map((c) => c.fragment)),
          ...concat(children),
          isFragment: true
        })),
        fc.integer({ min: 1, max: 3 }).chain((width) =>
          fc.array(fc.array(child, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 3 }).map((rows) => ({
            fragment: PgSql.values(rows.map((row) => row.map((c) => c.fragment))),
            ...concat(rows.flat()),
            isFragment: true
          }))
        ),
        fc.array(child, { minLength: 1, maxLength: 3 }).map((children) => ({
          fragment: PgSql.update(Object.fromEntries(children.map((c, i) => [`c${i}`, c.fragment]))),
          ...concat(children),
          isFragment: true
        }))
      )
    })

    /** Placeholder numbers in order, skipping quoted identifiers and string literals. */
    const placeholders = (s: string): Array<number> => {
      const out: Array<number> = []
      let quote = ""
      for (let i = 0; i < s.length; i++) {
        const c = s[i]
        if (quote !== "") {
          if (c === quote) quote = ""
        } else if (c === "\"" || c === "'") {
          quote = c
        } else if (c === "$" && s[i + 1] >= "0" && s[i + 1] <= "9") {
          let j = i + 1
          while (s[j] >= "0" && s[j] <= "9") j++
          out.push(Number(s.slice(i + 1, j)))
          i = j - 1
        }
      }
      return out
    }

    it("numbers $1…$N once each, in order, with the expected params and types", () => {
      fc.assert(
        fc.property(tree(5), (c) => {
          const root = c.isFragment ? c.fragment as PgSql.Fragment : sql`select ${c.fragment}`
          const out = PgSql.compile(root)
          const numbers = placeholders(out.text)
          assert.deepStrictEqual(numbers, numbers.map((_, i) => i + 1))
          assert.strictEqual(out.params.length, numbers.length)
          assert.deepStrictEqual([...out.params], [...c.params])
          if (c.types.some((t) => t !== 0)) assert.deepStrictEqual(out.paramTypes, c.types)
          else assert.isUndefined(out.paramTypes)
          // values never reach the text
          assert.notInclude(out.text, "\u0007")
          // compiling the same tree nested gives the same text
          assert.strictEqual(PgSql.compile(sql`${root}`).text, out.text)
        }),
        { numRuns: 500 }
      )
    })
  })
})
