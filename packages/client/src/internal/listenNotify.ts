/**
 * The checks and the statement shared by every way of sending or listening to notifications
 * (`PgListen` and the client's `listen` / `notify`): a bad channel name or payload becomes a
 * `PgError` with reason `EncodeError` before any connection is touched, and a notification is
 * sent as `select pg_notify($1, $2)` with both values bound as text.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { PgConnection } from "@pgfx/connection/PgConnection"
import * as PgError from "@pgfx/connection/PgError"
import { Oid } from "@pgfx/protocol/PgOid"
import { channelProblem, payloadProblem } from "./listenChannel.ts"

/**
 * A `PgError` with reason `EncodeError` (`parameter` is 1 for the channel, 2 for the payload).
 *
 * @since 0.1.0
 */
export const encodeError = (message: string, parameter?: number): PgError.PgError =>
  PgError.make(new PgError.EncodeError({ message, ...(parameter !== undefined ? { parameter } : {}) }))

/**
 * Why `LISTEN channel` cannot be sent, as a `PgError`, or `undefined` when it can.
 *
 * @since 0.1.0
 */
export const listenProblem = (channel: string): PgError.PgError | undefined => {
  const problem = channelProblem(channel)
  return problem === undefined ? undefined : encodeError(`cannot listen: ${problem}`)
}

/**
 * Why `pg_notify(channel, payload)` cannot be sent, as a `PgError`, or `undefined` when it can.
 *
 * @since 0.1.0
 */
export const notifyProblem = (channel: string, payload: string): PgError.PgError | undefined => {
  const channelIssue = channelProblem(channel)
  if (channelIssue !== undefined) return encodeError(`cannot notify: ${channelIssue}`, 1)
  const payloadIssue = payloadProblem(payload)
  if (payloadIssue !== undefined) return encodeError(`cannot notify on "${channel}": ${payloadIssue}`, 2)
  return undefined
}

const notifySql = "select pg_notify($1, $2)"
const notifyTypes = [Oid.text, Oid.text]

/**
 * Sends a notification on a connection (unchecked: see {@link notifyProblem}).
 *
 * @since 0.1.0
 */
export const sendNotify = (
  connection: PgConnection,
  channel: string,
  payload: string
): Effect.Effect<void, PgError.PgError> =>
  Effect.asVoid(connection.execute(notifySql, [channel, payload], { paramTypes: notifyTypes }))

/**
 * Checks, then sends a notification through `withConnection` (a source's or a client's, so it
 * follows the client's current transaction and is delivered at COMMIT).
 *
 * @since 0.1.0
 */
export const notifyWith = (
  withConnection: <A, E, R>(
    f: (connection: PgConnection) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | PgError.PgError, R>,
  channel: string,
  payload: string
): Effect.Effect<void, PgError.PgError> =>
  Effect.suspend(() => {
    const error = notifyProblem(channel, payload)
    if (error !== undefined) return Effect.fail(error)
    return withConnection((connection) => sendNotify(connection, channel, payload))
  })
