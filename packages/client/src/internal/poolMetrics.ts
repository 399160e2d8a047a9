/**
 * The pool's Effect metrics, read when metrics are snapshotted rather than pushed on every
 * change: gauges and counters read the pool's own counters, and the acquire-wait histogram keeps
 * its buckets here, so acquiring a connection costs no metric-registry lookup.
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Metric from "effect/Metric"

/** What the gauges and counters read. */
export interface MetricSource {
  readonly open: () => number
  readonly idle: () => number
  readonly inUse: () => number
  readonly waiting: () => number
  readonly inFlight: () => number
  readonly created: () => number
  readonly destroyed: () => number
}

/** Bucket upper bounds of the acquire-wait histogram, in milliseconds. */
const waitBoundaries: ReadonlyArray<number> = Metric.boundariesFromIterable([
  0.1,
  0.5,
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  30000
])

/** A histogram of acquire waits in milliseconds, kept by the pool. */
export class WaitHistogram {
  private readonly counts = new Float64Array(waitBoundaries.length)
  count = 0
  sum = 0
  min = Number.MAX_VALUE
  max = -Number.MAX_VALUE

  observe(ms: number): void {
    let i = 0
    while (ms > waitBoundaries[i]!) i++
    this.counts[i]!++
    this.count++
    this.sum += ms
    if (ms < this.min) this.min = ms
    if (ms > this.max) this.max = ms
  }

  state(): Metric.HistogramState {
    const buckets: Array<[number, number]> = []
    let cumulative = 0
    for (let i = 0; i < waitBoundaries.length; i++) {
      cumulative += this.counts[i]!
      buckets.push([waitBoundaries[i]!, cumulative])
    }
    return { buckets, count: this.count, min: this.min, max: this.max, sum: this.sum }
  }
}

const noop = () => {}

/**
 * Registers the pool's series (attribute `pool` = the pool's name) in the registry of
 * `context`; the returned function removes them.
 */
export const register = (
  context: Context.Context<never>,
  name: string,
  source: MetricSource,
  waits: WaitHistogram
): () => void => {
  const attributes = { pool: name }
  const gauge = (id: string, description: string, get: () => number) =>
    Metric.registerUnsafe(Metric.gauge(id, { description, attributes }), context, {
      get: () => ({ value: get() }),
      update: noop,
      modify: noop
    })
  const counter = (id: string, description: string, get: () => number) =>
    Metric.registerUnsafe(Metric.counter(id, { description, attributes, incremental: true }), context, {
      get: () => ({ count: get(), incremental: true }),
      update: noop,
      modify: noop
    })
  const registrations = [
    gauge("pgfx_pool_connections_open", "Connections the pool holds (idle, shared and reserved)", source.open),
    gauge("pgfx_pool_connections_idle", "Open connections nobody is using", source.idle),
    gauge("pgfx_pool_connections_in_use", "Connections reserved exclusively", source.inUse),
    gauge("pgfx_pool_waiting", "Acquirers waiting for a connection", source.waiting),
    gauge("pgfx_pool_in_flight", "Requests queued or in flight on the pool's connections", source.inFlight),
    counter("pgfx_pool_connections_created", "Connections opened by the pool", source.created),
    counter("pgfx_pool_connections_destroyed", "Connections closed by the pool", source.destroyed),
    Metric.registerUnsafe(
      Metric.histogram("pgfx_pool_acquire_wait_ms", {
        description: "How long acquiring a connection waited, in milliseconds",
        attributes,
        boundaries: waitBoundaries
      }),
      context,
      { get: () => waits.state(), update: noop, modify: noop }
    )
  ]
  return () => {
    for (const r of registrations) r.remove()
  }
}
