/**
 * Late decoding for unnamed statements. An unnamed statement has no describe step before Bind,
 * so its result is requested in binary before the session knows the column types: a column
 * whose type has no codec yet arrives as raw bytes. Once `onUnknownTypes` has registered codecs
 * for those types, this decodes those columns in place.
 */
import * as PgTypes from "@pgfx/protocol/PgTypes"
import * as PgError from "../PgError.ts"
import type { QueryResult } from "./requests.ts"
import type { RowMode } from "./rows.ts"

/** Type OIDs of the binary columns the registry had no codec for (raw bytes in the rows). */
export const undecodedTypes = (registry: PgTypes.Registry, result: QueryResult): ReadonlyArray<number> | undefined => {
  let oids: Array<number> | undefined
  for (const f of result.fields) {
    if (f.format === 1 && PgTypes.get(registry, f.typeOid) === undefined) (oids ??= []).push(f.typeOid)
  }
  return oids
}

/**
 * Decodes, with `registry`, the binary columns of the `undecoded` types (still raw bytes). Returns the result (its
 * rows updated in place) or the DecodeError of the first value that fails.
 */
export const decodeLate = (
  registry: PgTypes.Registry,
  result: QueryResult,
  undecoded: ReadonlyArray<number>,
  rowMode: RowMode,
  query: string
): QueryResult | PgError.PgError => {
  const fields = result.fields
  const rows = result.rows
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (field.format !== 1 || !undecoded.includes(field.typeOid)) continue
    const decode = PgTypes.get(registry, field.typeOid)?.decodeBinary
    if (decode === undefined) continue
    // With duplicate column names the row object holds the last one only.
    if (rowMode === "object" && fields.findLastIndex((f) => f.name === field.name) !== i) continue
    const key: string | number = rowMode === "array" ? i : field.name
    for (let r = 0; r < rows.length; r++) {
      const raw = rows[r][key]
      if (!(raw instanceof Uint8Array)) continue
      try {
        rows[r][key] = decode(raw, 0, raw.length)
      } catch (cause) {
        return PgError.make(
          new PgError.DecodeError({
            message: `cannot decode column "${field.name}" (type ${field.typeOid}) of row ${r}: ${
              cause instanceof Error ? cause.message : String(cause)
            }`,
            cause,
            column: field.name,
            row: r,
            oid: field.typeOid,
            query
          })
        )
      }
    }
  }
  return result
}
