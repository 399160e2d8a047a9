/**
 * Per-connection LRU of named prepared statements.
 *
 * Statement names are `pgfx_<n>` with a per-connection counter, so names are never reused
 * within a session (a stale name after `DISCARD ALL` then fails clearly and is re-prepared).
 */
import type * as PgBackend from "@pgfx/protocol/PgBackend"
import type { FormatCode } from "@pgfx/protocol/PgFrontend"
import type { BindTemplate } from "./bindTemplate.ts"
import type { BoundParams } from "./params.ts"

/** A prepared statement as the server described it. */
export interface PreparedStatement {
  readonly name: string
  readonly sql: string
  readonly paramTypes: ReadonlyArray<number>
  /** Undefined when the statement returns no rows. */
  readonly fields: ReadonlyArray<PgBackend.FieldDescription> | undefined
  /** Bind encoders for the parameter types. */
  readonly params: BoundParams
  /** Result format per column (binary where a codec can decode it). */
  readonly resultFormats: ReadonlyArray<FormatCode>
  /** The fields with the formats that will be used (what RowDescription would say after Bind). */
  readonly boundFields: ReadonlyArray<PgBackend.FieldDescription> | undefined
  /** The constant parts of this statement's Bind (see `bindTemplate.ts`). */
  readonly bind: BindTemplate
  /**
   * Bind + Execute + Sync of a call without parameters, encoded on first use: every such call
   * sends the same bytes (never mutated once built; a request drops its reference when written).
   */
  noParamsBytes: Uint8Array | undefined
}

/** The key of a statement: its text and any explicit parameter types. */
export const statementKey = (sql: string, paramTypes: ReadonlyArray<number> | undefined): string =>
  paramTypes === undefined || paramTypes.length === 0 ? sql : `${sql}\u0000${paramTypes.join(",")}`

/**
 * An LRU map of statements. `set` returns the statements evicted to make room; the caller
 * closes them on the server.
 */
export class PreparedCache {
  private readonly map = new Map<string, PreparedStatement>()
  /**
   * The key last returned by `get` (the most recently used entry), so that running the same
   * statement again — a loop, or many fibers running one statement — skips the delete and
   * re-insert that mark an entry as recently used. Cleared whenever the map changes otherwise.
   */
  private mruKey: string | undefined = undefined
  private counter = 0
  readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
  }

  get size(): number {
    return this.map.size
  }

  /** A fresh statement name. */
  nextName(): string {
    return `pgfx_${++this.counter}`
  }

  /** Looks up a statement and marks it most recently used. */
  get(key: string): PreparedStatement | undefined {
    const s = this.map.get(key)
    if (s !== undefined && key !== this.mruKey) {
      this.map.delete(key)
      this.map.set(key, s)
      this.mruKey = key
    }
    return s
  }

  /** Adds a statement; returns any evicted (including one it replaces under the same key). */
  set(key: string, statement: PreparedStatement): ReadonlyArray<PreparedStatement> {
    const evicted: Array<PreparedStatement> = []
    const replaced = this.map.get(key)
    if (replaced !== undefined && replaced.name !== statement.name) evicted.push(replaced)
    this.map.delete(key)
    this.map.set(key, statement)
    // The newest entry is now `key`: it is the most recently used one.
    this.mruKey = key
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string
      evicted.push(this.map.get(oldest)!)
      this.map.delete(oldest)
    }
    return evicted
  }

  /** Removes `statement` if it is still the one cached under `key`; returns whether it was. */
  remove(key: string, statement: PreparedStatement): boolean {
    if (this.map.get(key) !== statement) return false
    this.delete(key)
    return true
  }

  /** Forgets one statement (it failed or was invalidated). */
  delete(key: string): void {
    this.map.delete(key)
    if (key === this.mruKey) this.mruKey = undefined
  }

  /** Forgets everything and returns what it held (their names may still be prepared). */
  takeAll(): Array<PreparedStatement> {
    const all = Array.from(this.map.values())
    this.clear()
    return all
  }

  /** Forgets everything (after DISCARD ALL / DEALLOCATE ALL, or a reset). */
  clear(): void {
    this.map.clear()
    this.mruKey = undefined
  }
}
