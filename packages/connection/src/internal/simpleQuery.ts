/**
 * `simple`: SQL run with the simple query protocol (any number of statements, every result,
 * decoded from text). A COPY met there is refused with CopyFail: COPY has its own API.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import type * as PgError from "../PgError.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { type QueryResult, SimpleQueryRequest } from "./requests.ts"
import type { RowMode } from "./rows.ts"
import type { Submission } from "./submission.ts"

/**
 * `simple` for a view of the connection: `held` means the caller holds the exclusive gate.
 *
 * @category models
 * @since 0.1.0
 */
export type SimpleWith = (
  held: boolean
) => (sql: string, opts?: { readonly rowMode?: RowMode | undefined }) => Effect.Effect<ReadonlyArray<QueryResult>, PgError.PgError>

/**
 * Builds `simple` over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeSimpleWith = (ctx: ConnectionContext, { submit }: Submission): SimpleWith => {
  const { encoder, session, takeBytes, lookupOf } = ctx
  const copyFail = PgFrontend.encode({ _tag: "CopyFail", message: "COPY is not supported by simple(): use the COPY API" })

  return (held) => (sql, opts) =>
    submit<ReadonlyArray<QueryResult>>(
      (settle) => {
        const request: SimpleQueryRequest = new SimpleQueryRequest(
          takeBytes(() => encoder.query(sql)),
          settle,
          sql,
          lookupOf,
          opts?.rowMode ?? "object",
          (bytes) => session.writeNow(bytes, request),
          copyFail
        )
        return request
      },
      held
    )
}
