import { delay, InvalidArgumentError, type Scheduler } from "@pods/core-interfaces";
import type { ClockBound } from "./clock-bound.ts";
import { ClockUnsafeError } from "./errors.ts";

/** The default `waitMsMax` of waits on a {@link ClockBound}: 1000 ms. */
export const defaultWaitMsMax = 1000;

/**
 * How far past the moment `earliest` reaches the time each timer is set, in ms (one microsecond):
 * the wait must end with `earliest` strictly above the time.
 */
export const waitMarginMs = 0.001;

/** Options of {@link waitUntilPast}. */
export interface WaitUntilPastOptions {
  /** The bounded clock whose `earliest` must pass the time. */
  readonly bound: ClockBound;
  /** Where the wait's timers run. */
  readonly scheduler: Scheduler;
  /**
   * The longest the whole wait may take, in ms of monotonic time. A wait that would take longer —
   * counted from its start to the moment the clock says it could end — fails at once with
   * {@link ClockUnsafeError} (`reason` `"wait"`) instead of blocking.
   */
  readonly waitMsMax: number;
}

/**
 * Waits on the scheduler until `timeMs` is certainly in the past: until `bound.now().earliestMs`
 * is strictly greater than `timeMs`. Resolves with the monotonic milliseconds waited (0 when it
 * was past already).
 *
 * The clock is read again after every timer, never trusted to have moved as planned: if the wall
 * clock steps back or the error bound grows, the wait goes on; if it steps forward, the wait ends
 * at the next timer. Each timer is set for just after (by {@link waitMarginMs}) the moment
 * `earliest` would pass `timeMs`, so a wait for `latest` lasts twice the error bound.
 *
 * @throws {@link ClockUnsafeError} (rejects) when the bound is unusable, or the wait would exceed
 *   `waitMsMax`.
 * @throws `InvalidArgumentError` (rejects) when `timeMs` is not finite.
 */
export async function waitUntilPast(
  timeMs: number,
  options: WaitUntilPastOptions,
): Promise<number> {
  const { bound, scheduler, waitMsMax } = options;
  if (!Number.isFinite(timeMs)) {
    throw new InvalidArgumentError(`The time to wait for must be finite, got ${timeMs}.`);
  }
  const startedMs = bound.clock.monotonicMs();
  for (;;) {
    const { earliestMs } = bound.now();
    const waitedMs = bound.clock.monotonicMs() - startedMs;
    if (earliestMs > timeMs) return waitedMs;
    const delayMs = timeMs - earliestMs + waitMarginMs;
    if (waitedMs + delayMs > waitMsMax) {
      throw new ClockUnsafeError("wait", waitedMs + delayMs, waitMsMax);
    }
    await delay(scheduler, delayMs);
  }
}
