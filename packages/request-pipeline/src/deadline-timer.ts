import type { Cancel, Clock, Scheduler } from "@pods/core-interfaces";

const noop = (): void => undefined;

/**
 * One scheduler timer for many deadlines: `arm(dueMs)` makes sure it fires no later than `dueMs`
 * (monotonic ms); when it fires, the owner expires what is due and arms it again for the next
 * deadline. Arming for a later time than the one armed does nothing, so deadlines that pass
 * without anything due cost one wake-up each, not one timer per request.
 *
 * @internal
 */
export class DeadlineTimer {
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #fire: () => void;
  #dueMs = Infinity;
  #cancel: Cancel = noop;

  constructor(clock: Clock, scheduler: Scheduler, onFire: () => void) {
    this.#clock = clock;
    this.#scheduler = scheduler;
    this.#fire = () => {
      this.#dueMs = Infinity;
      this.#cancel = noop;
      onFire();
    };
  }

  /** Makes the timer fire no later than `dueMs`. */
  arm(dueMs: number): void {
    if (dueMs >= this.#dueMs) return;
    this.#cancel();
    this.#dueMs = dueMs;
    const delayMs = Math.max(0, dueMs - this.#clock.monotonicMs());
    this.#cancel = this.#scheduler.after(delayMs, this.#fire);
  }

  /** Stops the timer. */
  cancel(): void {
    this.#cancel();
    this.#cancel = noop;
    this.#dueMs = Infinity;
  }
}
