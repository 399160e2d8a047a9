/**
 * The request state machines: what each kind of request expects from the server, and how its
 * result is assembled. Each is driven by `Session.dispatch` and settles through a callback.
 */
import type * as PgBackend from "@pgfx/protocol/PgBackend"
import * as PgError from "../PgError.ts"
import type { Request } from "./session.ts"
import { serverErrorInit } from "./session.ts"
import { type FieldDecoder, findFailingColumn, type RowBuilder, type RowMode, type RowShape, type RowShapes } from "./rows.ts"

/**
 * The outcome of one statement.
 */
export interface QueryResult<Row = any> {
  /** The command of the tag (`SELECT`, `INSERT`, `CREATE TABLE`, …); empty for an empty query. */
  readonly command: string
  /** Rows affected or returned, from the command tag (null when the tag has no count). */
  readonly rowCount: number | null
  /** The rows, as objects or arrays. */
  readonly rows: Array<Row>
  /** Column descriptions (empty when the statement returns no rows). */
  readonly fields: ReadonlyArray<PgBackend.FieldDescription>
}

/** A described statement: what Parse + Describe told us. */
export interface StatementDescription {
  readonly name: string
  readonly paramTypes: ReadonlyArray<number>
  /** Undefined when the statement returns no rows (NoData). */
  readonly fields: ReadonlyArray<PgBackend.FieldDescription> | undefined
}

/** Looks up the codec for a type OID (never fails: unknown types fall back to text). */
export type CodecLookup = RowShapes

/** Settles a request. */
export type Settle<A> = (result: { readonly _tag: "Success"; readonly value: A } | { readonly _tag: "Failure"; readonly error: PgError.PgError }) => void

const emptyFields: ReadonlyArray<PgBackend.FieldDescription> = []

/** Common bookkeeping of every request. */
export abstract class BaseRequest<A> implements Request {
  strayCancel: "retrySafe" | "inTransaction" | undefined = undefined
  bytes: Uint8Array | undefined
  written = false
  settled = false
  abandoned = false
  executing = false
  completed = false
  onSettled: (() => void) | undefined = undefined
  protected error: PgError.PgError | undefined = undefined
  protected readonly settle: Settle<A>
  readonly query: string | undefined

  constructor(bytes: Uint8Array, settle: Settle<A>, query: string | undefined) {
    this.bytes = bytes
    this.settle = settle
    this.query = query
  }

  abstract handle(message: PgBackend.BackendMessage): boolean

  fail(error: PgError.PgError): void {
    this.completed = true
    this.settle({ _tag: "Failure", error })
  }

  /** Records the first error of the cycle; the request completes at ReadyForQuery. */
  protected serverError(message: PgBackend.ErrorResponse): void {
    this.executing = false
    if (this.error === undefined) {
      this.error = PgError.make(PgError.serverReason(serverErrorInit(message, this.query)))
    }
  }

  protected protocolError(message: string): void {
    if (this.error === undefined) this.error = PgError.make(new PgError.ProtocolError({ message }))
  }

  /** Finishes at ReadyForQuery with the value or the recorded error. */
  protected finish(value: A): true {
    // Before settling: the waiting fiber may run synchronously and read `inFlight`.
    this.completed = true
    if (this.error !== undefined) this.settle({ _tag: "Failure", error: this.error })
    else this.settle({ _tag: "Success", value })
    return true
  }
}

/**
 * Decodes the rows of one result set.
 */
export class ResultBuilder {
  fields: ReadonlyArray<PgBackend.FieldDescription> = emptyFields
  rows: Array<any> = []
  private build: RowBuilder | undefined = undefined
  private decoders: ReadonlyArray<FieldDecoder> = []
  /** Set after a row failed to decode: the remaining rows are dropped. */
  failed: PgError.PgError | undefined = undefined
  private readonly lookupOf: () => CodecLookup
  private readonly rowMode: RowMode
  private readonly query: string | undefined

  /**
   * `lookupOf` gives the codecs as they are when the result's shape becomes known (not when the
   * request was made): a `SET DateStyle` pipelined just before has been reported by then.
   */
  constructor(lookupOf: () => CodecLookup, rowMode: RowMode, query: string | undefined) {
    this.lookupOf = lookupOf
    this.rowMode = rowMode
    this.query = query
  }

  describe(fields: ReadonlyArray<PgBackend.FieldDescription>): void {
    this.useShape(fields, this.lookupOf().get(fields, this.rowMode))
  }

  /** As `describe`, for a fields array that is reused as is (a cached statement's). */
  describeKnown(fields: ReadonlyArray<PgBackend.FieldDescription>): void {
    this.useShape(fields, this.lookupOf().known(fields, this.rowMode))
  }

  private useShape(fields: ReadonlyArray<PgBackend.FieldDescription>, shape: RowShape): void {
    this.fields = fields
    this.decoders = shape.decoders
    this.build = shape.build
  }

  row(message: PgBackend.DataRow): void {
    if (this.failed !== undefined) return
    const build = this.build
    if (build === undefined || message.fieldCount !== this.decoders.length) {
      this.failed = PgError.make(
        new PgError.ProtocolError({ message: "DataRow does not match the RowDescription" })
      )
      return
    }
    try {
      this.rows.push(build(message.bytes, message.start))
    } catch (cause) {
      const { index, cause: columnCause } = findFailingColumn(message, this.decoders)
      const field = index >= 0 ? this.fields[index] : undefined
      const detail = columnCause instanceof Error ? columnCause.message : String(columnCause ?? cause)
      this.failed = PgError.make(
        new PgError.DecodeError({
          message: field !== undefined
            ? `cannot decode column "${field.name}" (type ${field.typeOid}) of row ${this.rows.length}: ${detail}`
            : `cannot decode row ${this.rows.length}: ${detail}`,
          cause: columnCause ?? cause,
          row: this.rows.length,
          ...(field !== undefined ? { column: field.name, oid: field.typeOid } : {}),
          ...(this.query !== undefined ? { query: this.query } : {})
        })
      )
      this.rows = []
    }
  }

  result(complete: PgBackend.CommandComplete | undefined): QueryResult {
    return {
      command: complete?.command ?? "",
      rowCount: complete?.rows ?? null,
      rows: this.rows,
      fields: this.fields
    }
  }
}

/**
 * Simple query protocol: one Query message, any number of statements, every result set.
 * COPY is refused here (use the COPY API): CopyIn is answered with CopyFail, CopyOut data is
 * drained and dropped.
 */
export class SimpleQueryRequest extends BaseRequest<ReadonlyArray<QueryResult>> {
  /** Answers CopyInResponse itself (with CopyFail). */
  readonly handlesCopyIn = true
  private readonly results: Array<QueryResult> = []
  private current: ResultBuilder | undefined = undefined
  private readonly lookupOf: () => CodecLookup
  private readonly rowMode: RowMode
  private readonly writeNow: (bytes: Uint8Array) => void
  private readonly copyFail: Uint8Array

  constructor(
    bytes: Uint8Array,
    settle: Settle<ReadonlyArray<QueryResult>>,
    query: string,
    lookupOf: () => CodecLookup,
    rowMode: RowMode,
    writeNow: (bytes: Uint8Array) => void,
    copyFail: Uint8Array
  ) {
    super(bytes, settle, query)
    this.lookupOf = lookupOf
    this.rowMode = rowMode
    this.writeNow = writeNow
    this.copyFail = copyFail
  }

  handle(message: PgBackend.BackendMessage): boolean {
    switch (message._tag) {
      case "RowDescription": {
        this.current = new ResultBuilder(this.lookupOf, this.rowMode, this.query)
        this.current.describe(message.fields)
        return false
      }
      case "DataRow": {
        if (this.current === undefined) this.protocolError("DataRow before RowDescription")
        else if (!this.abandoned) this.current.row(message)
        return false
      }
      case "CommandComplete": {
        const builder = this.current ?? new ResultBuilder(this.lookupOf, this.rowMode, this.query)
        if (builder.failed !== undefined && this.error === undefined) this.error = builder.failed
        this.results.push(builder.result(message))
        this.current = undefined
        return false
      }
      case "EmptyQueryResponse": {
        this.results.push({ command: "", rowCount: null, rows: [], fields: emptyFields })
        return false
      }
      case "ErrorResponse":
        this.serverError(message)
        return false
      case "CopyInResponse":
        this.writeNow(this.copyFail)
        return false
      case "CopyOutResponse":
      case "CopyBothResponse":
      case "CopyData":
      case "CopyDone":
        return false
      case "ReadyForQuery":
        return this.finish(this.results)
      default:
        this.protocolError(`unexpected ${message._tag} during a simple query`)
        return false
    }
  }
}

/**
 * Parse + Describe(S) + Sync: prepares a named (or unnamed) statement and describes it.
 */
export class PrepareRequest extends BaseRequest<StatementDescription> {
  readonly retryOnStrayCancel = true
  private paramTypes: ReadonlyArray<number> = []
  private fields: ReadonlyArray<PgBackend.FieldDescription> | undefined = undefined
  private readonly name: string

  constructor(bytes: Uint8Array, settle: Settle<StatementDescription>, query: string, name: string) {
    super(bytes, settle, query)
    this.name = name
  }

  handle(message: PgBackend.BackendMessage): boolean {
    switch (message._tag) {
      case "ParseComplete":
        return false
      case "ParameterDescription":
        this.paramTypes = message.typeOids
        return false
      case "RowDescription":
        this.executing = false
        this.fields = message.fields
        return false
      case "NoData":
        this.executing = false
        return false
      case "ErrorResponse":
        this.serverError(message)
        return false
      case "ReadyForQuery":
        return this.finish({ name: this.name, paramTypes: this.paramTypes, fields: this.fields })
      default:
        this.protocolError(`unexpected ${message._tag} while preparing a statement`)
        return false
    }
  }
}

/**
 * Bind + (Describe P) + Execute + Sync, with or without a Parse in front (unnamed statements).
 * When `fields` are known (a cached statement) no Describe is sent; the result formats chosen
 * at Bind are applied to them.
 */
export class ExecuteRequest extends BaseRequest<QueryResult> {
  readonly retryOnStrayCancel = true
  private readonly builder: ResultBuilder
  private complete: PgBackend.CommandComplete | undefined = undefined
  /**
   * A cached statement's fields (the same array at every execution): no RowDescription comes,
   * so the shape is taken at BindComplete, memoised on the array instead of looked up by a key
   * built from every column.
   */
  private readonly knownFields: ReadonlyArray<PgBackend.FieldDescription> | undefined

  constructor(
    bytes: Uint8Array,
    settle: Settle<QueryResult>,
    query: string,
    lookupOf: () => CodecLookup,
    rowMode: RowMode,
    knownFields: ReadonlyArray<PgBackend.FieldDescription> | undefined
  ) {
    super(bytes, settle, query)
    this.builder = new ResultBuilder(lookupOf, rowMode, query)
    this.knownFields = knownFields
  }

  handle(message: PgBackend.BackendMessage): boolean {
    switch (message._tag) {
      case "DataRow":
        if (!this.abandoned) this.builder.row(message)
        return false
      case "BindComplete":
        if (this.knownFields !== undefined) this.builder.describeKnown(this.knownFields)
        return false
      case "ParseComplete":
      case "NoData":
        return false
      case "RowDescription":
        this.builder.describe(message.fields)
        return false
      case "CommandComplete":
        this.executing = false
        this.complete = message
        return false
      case "EmptyQueryResponse":
      case "PortalSuspended":
        this.executing = false
        return false
      case "ErrorResponse":
        this.serverError(message)
        return false
      case "ReadyForQuery":
        if (this.error === undefined && this.builder.failed !== undefined) this.error = this.builder.failed
        return this.finish(this.builder.result(this.complete))
      case "CopyInResponse":
      case "CopyOutResponse":
      case "CopyBothResponse":
        // The session answers CopyInResponse with CopyFail; COPY TO data is drained and dropped.
        if (this.error === undefined) {
          this.error = PgError.make(
            new PgError.EncodeError({
              message: "COPY … FROM STDIN / TO STDOUT cannot run through execute: use copyIn / copyOut (PgCopy)",
              ...(this.query !== undefined ? { query: this.query } : {})
            })
          )
        }
        return false
      case "CopyData":
      case "CopyDone":
        return false
      default:
        this.protocolError(`unexpected ${message._tag} while executing a statement`)
        return false
    }
  }
}

/**
 * A request whose only purpose is to reach ReadyForQuery (Close + Sync, a bare Sync, …).
 */
export class SyncRequest extends BaseRequest<void> {
  handle(message: PgBackend.BackendMessage): boolean {
    switch (message._tag) {
      case "ErrorResponse":
        this.serverError(message)
        return false
      case "ReadyForQuery":
        return this.finish(undefined)
      default:
        this.executing = false
        return false
    }
  }
}
