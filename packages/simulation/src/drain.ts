// The simulator's only real timer. Virtual time never waits, but protocol code is async: after an
// event runs, the promise continuations it triggered (an awaited disk write, a resolved request)
// must all run before the clock moves on, or they would observe a later virtual time than the one
// they belong to. Awaiting one macrotask does exactly that: Node runs every queued microtask —
// including chains of awaits — before it runs the next immediate.
// eslint-disable-next-line no-restricted-imports -- a macrotask turn drains microtasks between simulated events; no real waiting happens.
import { setImmediate } from "node:timers/promises";

/** Resolves once every microtask queued so far, and every microtask those queue, has run. */
export function drainMicrotasks(): Promise<void> {
  return setImmediate();
}
