/**
 * `execute` in the unnamed mode: Parse + Bind + Describe + Execute + Sync in one write, no
 * describe round trip. Parameters go as text with the given types (or inferred by the server);
 * every result column is asked in binary, and columns of types the registry lacks are decoded
 * late (see unknownTypes.ts).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as PgFrontend from "@pgfx/protocol/PgFrontend"
import * as PgTypes from "@pgfx/protocol/PgTypes"
import * as PgError from "../PgError.ts"
import type { ConnectionContext } from "./connectionContext.ts"
import { tooManyParameters } from "./encodeErrors.ts"
import { textParam, untypedEncoder } from "./params.ts"
import { ExecuteRequest, type QueryResult } from "./requests.ts"
import type { RowMode } from "./rows.ts"
import type { Submission } from "./submission.ts"
import type { UnknownTypes } from "./unknownTypes.ts"

/**
 * Runs one statement unnamed; `held` means the caller holds the exclusive gate.
 *
 * @category models
 * @since 0.1.0
 */
export type ExecuteUnnamed = (
  held: boolean,
  sql: string,
  params: ReadonlyArray<unknown>,
  paramTypes: ReadonlyArray<number> | undefined,
  rowMode: RowMode,
  resultFormat?: 0 | 1
) => Effect.Effect<QueryResult, PgError.PgError>

/**
 * Builds the unnamed execution over a connection's context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeExecuteUnnamed = (
  ctx: ConnectionContext,
  { submit }: Submission,
  { decodeUnknownTypes }: UnknownTypes
): ExecuteUnnamed => {
  const { encoder, session, takeBytes, lookupOf } = ctx

  const executeUnnamed: ExecuteUnnamed = (held, sql, params, paramTypes, rowMode, resultFormat = 1) =>
    submit<QueryResult>(
      (settle) => {
        if (params.length > PgFrontend.maxParameters) throw tooManyParameters(params.length, sql)
        const registry = ctx.connection.registry
        const types = paramTypes ?? []
        const encoders = params.map((_, i) => {
          const oid = types[i] ?? 0
          if (oid === 0) return untypedEncoder
          const codec = PgTypes.getOrText(registry, oid)
          const encodeText = codec.encodeText
          return (value: unknown, writer: PgFrontend.Encoder["writer"]) => writer.string(encodeText(value))
        })
        const bytes = takeBytes(() => {
          encoder.parse("", sql, types)
          try {
            encoder.bind("", "", 0, params, resultFormat, encoders)
          } catch (cause) {
            const index = params.findIndex((p) => {
              try {
                if (p !== null && p !== undefined) textParam(p)
                return false
              } catch {
                return true
              }
            })
            throw PgError.make(
              new PgError.EncodeError({
                message: `cannot encode parameter${index >= 0 ? ` $${index + 1}` : "s"}: ${cause instanceof Error ? cause.message : String(cause)}`,
                cause,
                query: sql,
                ...(index >= 0 ? { parameter: index + 1 } : {})
              })
            )
          }
          encoder.describe("P", "")
          encoder.execute("", 0)
          encoder.sync()
        })
        return new ExecuteRequest(bytes, settle, sql, lookupOf, rowMode, undefined)
      },
      held
    ).pipe(
      Effect.flatMap((result) => decodeUnknownTypes(held, result, rowMode, sql)),
      // Unnamed statements ask binary results for every column (no describe round trip); a type
      // without a binary send function (aclitem, some extension types) makes Bind fail before the
      // statement runs. Outside a transaction block that failure changed nothing: run it again
      // with text results.
      resultFormat === 1
        ? Effect.catchIf(
          (error: PgError.PgError) =>
            PgError.isServerErrorReason(error.reason) && error.reason.code === "42883" &&
            error.reason.message.includes("binary output function") && session.transactionStatus === "I",
          () => executeUnnamed(held, sql, params, paramTypes, rowMode, 0)
        )
        : (effect) => effect
    )

  return executeUnnamed
}
