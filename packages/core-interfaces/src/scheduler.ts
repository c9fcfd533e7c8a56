import { InvalidArgumentError } from "./errors.ts";

/** Cancels a scheduled task. Calling it after the task ran, or twice, does nothing. */
export type Cancel = () => void;

/**
 * The timer port. In simulation a task runs when virtual time reaches its due time (no real
 * waiting); on Node it is a real timer.
 */
export interface Scheduler {
  /**
   * Runs `task` once, no earlier than `delayMs` milliseconds of monotonic time from now.
   *
   * - Ordering: tasks due at the same time run in the order they were scheduled.
   * - The task never runs synchronously inside `after`; a `delayMs` of 0 means "on a later turn".
   * - A task must not throw: an escaping exception is a bug. On Node it is an uncaught exception;
   *   the simulation fails the run and prints its seed.
   *
   * @param delayMs - a finite number ≥ 0.
   * @returns a function that cancels the task if it has not run yet.
   * @throws {@link InvalidArgumentError} when `delayMs` is negative, NaN or infinite.
   */
  after(delayMs: number, task: () => void): Cancel;
}

/**
 * Checks a delay for {@link Scheduler.after}.
 *
 * @throws {@link InvalidArgumentError} when `delayMs` is not a finite number ≥ 0.
 */
export function assertDelayMs(delayMs: number): void {
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new InvalidArgumentError(`delayMs must be a finite number >= 0, got ${delayMs}.`);
  }
}

/** A promise that resolves after `delayMs` on `scheduler`: `await delay(env.scheduler, 100)`. */
export function delay(scheduler: Scheduler, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    scheduler.after(delayMs, resolve);
  });
}
