/**
 * Scheduling a callback for the end of the current tick, cheaply.
 *
 * @since 0.1.0
 */

const resolved = Promise.resolve()

/**
 * Runs `f` in a microtask. A resolved promise's reaction instead of `queueMicrotask`, which in
 * Node wraps every callback in an AsyncResource (measurable on a per-statement path).
 *
 * @category scheduling
 * @since 0.1.0
 */
export const afterThisTick = (f: () => void): void => {
  void resolved.then(f)
}
