/**
 * Splitting a CommandComplete tag (`"INSERT 0 5"`, `"SELECT 3"`, `"CREATE TABLE"`) into the
 * command and its row count. `PgBackend` re-exports {@link parseCommandTag}.
 *
 * @since 0.1.0
 */

const isDigits = (s: string, from: number, to: number): boolean => {
  if (from >= to) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

/**
 * Splits a command tag into the command and its row count: `"INSERT 0 5"` → `{ command:
 * "INSERT", rows: 5 }`, `"SELECT 3"` → `{ command: "SELECT", rows: 3 }`, `"CREATE TABLE"` →
 * `{ command: "CREATE TABLE", rows: null }`. A count beyond 2^53 loses precision.
 *
 * @category decoding
 * @since 0.1.0
 */
export const parseCommandTag = (tag: string): { readonly command: string; readonly rows: number | null } => {
  const last = tag.lastIndexOf(" ")
  if (last < 0 || !isDigits(tag, last + 1, tag.length)) return { command: tag, rows: null }
  const rows = Number(tag.slice(last + 1))
  let commandEnd = last
  // INSERT carries an OID (always 0 nowadays) before the count.
  const previous = last > 0 ? tag.lastIndexOf(" ", last - 1) : -1
  if (previous >= 0 && isDigits(tag, previous + 1, last)) commandEnd = previous
  return { command: tag.slice(0, commandEnd), rows }
}
