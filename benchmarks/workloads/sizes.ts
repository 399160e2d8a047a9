/**
 * Workload sizes, full and `--quick`, in one place (the workloads and `--profile` share them).
 *
 * @since 0.1.0
 */

/**
 * @category sizes
 * @since 0.1.0
 */
export interface Sizes {
  readonly selectOne: number
  readonly selectParam: number
  readonly inFlight: number
  readonly readRows: number
  readonly streamBatch: number
  readonly pgType: number
  readonly loadRows: number
  readonly insertBatch: number
  readonly interruptSamples: number
}

/**
 * @category sizes
 * @since 0.1.0
 */
export const sizesFor = (quick: boolean): Sizes => ({
  selectOne: quick ? 2_000 : 20_000,
  selectParam: quick ? 10_000 : 100_000,
  inFlight: 100,
  readRows: quick ? 50_000 : 1_000_000,
  streamBatch: 1_000,
  pgType: quick ? 200 : 2_000,
  loadRows: quick ? 50_000 : 1_000_000,
  insertBatch: 1_000,
  interruptSamples: quick ? 10 : 40
})
