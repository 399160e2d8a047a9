/**
 * The contenders, in table order. `loadPeer` imports one peer's module alone (child processes,
 * so a child's memory holds only the client it measures).
 *
 * @since 0.1.0
 */
import type { Peer } from "./peer.ts"

/**
 * Peer names in table order.
 *
 * @category peers
 * @since 0.1.0
 */
export const peerNames: ReadonlyArray<string> = ["pgfx", "postgres.js", "pg", "@effect/sql-pg"]

const loaders: Readonly<Record<string, () => Promise<Peer>>> = {
  pgfx: async () => (await import("./pgfx.ts")).pgfx,
  "postgres.js": async () => (await import("./postgresjs.ts")).postgresjs,
  pg: async () => (await import("./pg.ts")).pgPeer,
  "@effect/sql-pg": async () => (await import("./effectSql.ts")).effectSql
}

/**
 * Imports one peer.
 *
 * @category peers
 * @since 0.1.0
 */
export const loadPeer = (name: string): Promise<Peer> => {
  const load = loaders[name]
  if (load === undefined) return Promise.reject(new Error(`unknown peer ${name}`))
  return load()
}

/**
 * Imports every peer.
 *
 * @category peers
 * @since 0.1.0
 */
export const loadPeers = (): Promise<Array<Peer>> => Promise.all(peerNames.map(loadPeer))
