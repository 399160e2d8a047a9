import { assert, describe, it } from "@effect/vitest"
import * as PgSqlState from "../src/PgSqlState.ts"

describe("PgSqlState", () => {
  it("names codes and classes", () => {
    assert.strictEqual(PgSqlState.SqlState.unique_violation, "23505")
    assert.strictEqual(PgSqlState.SqlState.serialization_failure, "40001")
    assert.strictEqual(PgSqlState.SqlState.deadlock_detected, "40P01")
    assert.strictEqual(PgSqlState.SqlState.successful_completion, "00000")
    assert.strictEqual(PgSqlState.SqlState.internal_error, "XX000")
    assert.strictEqual(PgSqlState.conditionName("23505"), "unique_violation")
    assert.strictEqual(PgSqlState.conditionName("42P01"), "undefined_table")
    assert.strictEqual(PgSqlState.conditionName("57014"), "query_canceled")
    assert.strictEqual(PgSqlState.className("23505"), "Integrity Constraint Violation")
    assert.strictEqual(PgSqlState.className("08006"), "Connection Exception")
    assert.strictEqual(PgSqlState.className("40P01"), "Transaction Rollback")
    assert.strictEqual(PgSqlState.className("P0001"), "PL/pgSQL Error")
    assert.strictEqual(PgSqlState.className("HV000"), "Foreign Data Wrapper Error (SQL/MED)")
  })

  it("returns undefined for unknown codes, including Object.prototype keys", () => {
    assert.isUndefined(PgSqlState.conditionName("ZZ999"))
    assert.isUndefined(PgSqlState.conditionName("toString"))
    assert.isUndefined(PgSqlState.conditionName("constructor"))
    assert.isUndefined(PgSqlState.className("ZZ999"))
    assert.isUndefined(PgSqlState.className("__proto__"))
    assert.deepStrictEqual(PgSqlState.codesOf("no_such_condition"), [])
  })

  it("resolves condition names shared by several codes", () => {
    // errcodes.txt: 01004 ERRCODE_WARNING_STRING_DATA_RIGHT_TRUNCATION and 22001 ERRCODE_STRING_DATA_RIGHT_TRUNCATION
    assert.strictEqual(PgSqlState.SqlState.string_data_right_truncation, "22001")
    assert.strictEqual(PgSqlState.SqlState.warning_string_data_right_truncation, "01004")
    assert.deepStrictEqual(PgSqlState.codesOf("string_data_right_truncation"), ["01004", "22001"])
    assert.strictEqual(PgSqlState.SqlState.null_value_not_allowed, "22004")
    assert.strictEqual(PgSqlState.SqlState.e_r_i_e_null_value_not_allowed, "39004")
    assert.strictEqual(PgSqlState.SqlState.modifying_sql_data_not_permitted, "2F002")
    assert.strictEqual(PgSqlState.SqlState.e_r_e_modifying_sql_data_not_permitted, "38002")
    assert.deepStrictEqual(PgSqlState.codesOf("unique_violation"), ["23505"])
    // macro aliases without a condition name (2202E ERRCODE_ARRAY_ELEMENT_ERROR) keep the named one
    assert.strictEqual(PgSqlState.conditionName("2202E"), "array_subscript_error")
    assert.strictEqual(PgSqlState.conditionName("22008"), "datetime_field_overflow")
  })

  it("is consistent: every constant names a code whose condition or macro it is", () => {
    const names = Object.entries(PgSqlState.SqlState)
    assert.isAbove(names.length, 250)
    for (const [name, code] of names) {
      const condition = PgSqlState.conditionName(code)
      assert.isDefined(condition, name)
      assert.isTrue(name === condition || name.endsWith(condition!), `${name} → ${code}`)
      assert.isDefined(PgSqlState.className(code), code)
    }
    for (const code of Object.keys(PgSqlState.conditionNames)) {
      assert.match(code, /^[0-9A-Z]{5}$/)
      assert.include(PgSqlState.codesOf(PgSqlState.conditionNames[code]!), code)
    }
  })

  it("classifies transient failures as retryable", () => {
    for (const code of ["40001", "40P01", "08000", "08003", "08006", "08001", "08004", "57P01", "57P02", "57P03", "53300"]) {
      assert.isTrue(PgSqlState.isRetryable(code), code)
    }
    for (const code of ["08P01", "08007", "23505", "42601", "57014", "40002", "53100", "XX000", "0800", "08", ""]) {
      assert.isFalse(PgSqlState.isRetryable(code), code)
    }
  })
})
