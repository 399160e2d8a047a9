/**
 * Shared pieces of `PgSchema`'s transformations: failing a decode or encode step with a message
 * of our own, and pointing an element's issue at its key inside a container (range bound, array
 * index).
 *
 * Messages say what is wrong and which schema to use instead; they never echo the value itself.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"

/** A failed decode or encode step with a message of our own (the value itself is not echoed). */
export const invalid = (
  message: string,
  input: unknown,
  options: SchemaAST.ParseOptions
): Effect.Effect<never, SchemaIssue.Issue> => Effect.fail(new SchemaIssue.InvalidValue({ message }, input, options))

/** Wraps an element's issue in a pointer to its key, under the container's node. */
export const atKey = (
  ast: SchemaAST.AST,
  key: PropertyKey,
  issue: SchemaIssue.Issue,
  input: unknown,
  options: SchemaAST.ParseOptions
): SchemaIssue.Issue => new SchemaIssue.Composite(ast, [new SchemaIssue.Pointer([key], issue)], input, options)

/** `Effect.succeed(null)`, allocated once. */
export const succeedNull: Effect.Effect<null> = Effect.succeed(null)
