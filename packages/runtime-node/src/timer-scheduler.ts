import {
  assertDelayMs,
  InvalidArgumentError,
  type Cancel,
  type Scheduler,
} from "@pods/core-interfaces";
import { systemClock } from "./clock.ts";
import { TaskQueue, type QueuedTask } from "./task-queue.ts";

/** The longest delay one Node timer can wait (2^31 − 1 ms, about 24.8 days); longer waits chain. */
export const timerDelayMsMax = 2 ** 31 - 1;

/** Options of {@link createTimerScheduler}. */
export interface TimerSchedulerOptions {
  /**
   * When `true`, pending tasks do not keep the process alive (the timer is `unref`ed): the process
   * may exit with tasks still waiting. Default `false`, like `setTimeout`: a pending task keeps the
   * process running until it runs or is cancelled.
   */
  readonly unref?: boolean;
}

/** What the scheduler needs from the runtime; a fake one drives the tests. */
export interface TimerHost {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `callback` once after about `delayMs` (an integer in [0, timerDelayMsMax]). */
  setTimer(callback: () => void, delayMs: number, unref: boolean): unknown;
  /** Stops a timer returned by `setTimer` from firing. */
  clearTimer(timer: unknown): void;
}

const nodeTimerHost: TimerHost = {
  now: () => systemClock.monotonicMs(),
  setTimer(callback, delayMs, unref) {
    const timer = setTimeout(callback, delayMs);
    if (unref) timer.unref();
    return timer;
  },
  clearTimer(timer) {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
  },
};

/**
 * A `Scheduler` on Node's timers.
 *
 * All pending tasks wait in one queue ordered by due time (monotonic clock + delay) and then by
 * scheduling order, behind a single Node timer armed for the earliest one. This gives what raw
 * `setTimeout` does not: tasks due at the same moment run in the order they were scheduled, even
 * when their delays differ (Node groups timers by delay and reads a cached loop time, so
 * `setTimeout(a, 10)` followed 0.5 ms later by `setTimeout(b, 9.5)` runs `b` first). A task never
 * runs before its due time on the monotonic clock (a timer that fires early is re-armed), never
 * synchronously inside `after`, and delays beyond Node's 2^31 − 1 ms limit are waited out in
 * chained steps. A zero-delay task scheduled by a running task runs on a later timer turn, so a
 * task that reschedules itself cannot starve the event loop.
 *
 * @throws `InvalidArgumentError` when `options.unref` is not a boolean.
 */
export function createTimerScheduler(options: TimerSchedulerOptions = {}): Scheduler {
  const unref = options.unref ?? false;
  if (typeof unref !== "boolean") {
    throw new InvalidArgumentError(
      `createTimerScheduler: unref must be a boolean, got ${String(unref)}.`,
    );
  }
  return new TimerScheduler(nodeTimerHost, unref);
}

/** The scheduler behind {@link createTimerScheduler}, on any {@link TimerHost}. */
export class TimerScheduler implements Scheduler {
  readonly #host: TimerHost;
  readonly #unref: boolean;
  readonly #queue = new TaskQueue();
  #timer: unknown = undefined;
  /** When the armed timer fires (Infinity when none is armed). */
  #timerDueMs = Infinity;

  /**
   * @param host - time and timers.
   * @param unref - whether timers let the process exit.
   */
  constructor(host: TimerHost, unref: boolean) {
    this.#host = host;
    this.#unref = unref;
  }

  after(delayMs: number, task: () => void): Cancel {
    assertDelayMs(delayMs);
    if (typeof task !== "function") {
      throw new InvalidArgumentError("after(delayMs, task): task must be a function.");
    }
    const queued = this.#queue.push(this.#host.now() + delayMs, task);
    if (queued.dueMs < this.#timerDueMs) this.#arm(queued.dueMs);
    return () => this.#cancel(queued);
  }

  #cancel(task: QueuedTask): void {
    if (this.#queue.remove(task) && this.#queue.size === 0) this.#disarm();
  }

  #arm(dueMs: number): void {
    this.#disarm();
    const now = this.#host.now();
    const delayMs = Math.min(Math.max(0, Math.ceil(dueMs - now)), timerDelayMsMax);
    this.#timerDueMs = now + delayMs;
    this.#timer = this.#host.setTimer(() => this.#fire(), delayMs, this.#unref);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#host.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerDueMs = Infinity;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerDueMs = Infinity;
    const now = this.#host.now();
    // Tasks scheduled from here on wait for a later turn, even when already due.
    const firstNewSeq = this.#queue.nextSeq;
    try {
      for (;;) {
        const next = this.#queue.peek();
        if (next === undefined || next.dueMs > now || next.seq >= firstNewSeq) break;
        this.#queue.remove(next);
        next.run();
      }
    } finally {
      // Also after a task threw (an uncaught exception): the remaining tasks keep their timer.
      const next = this.#queue.peek();
      if (next !== undefined && next.dueMs < this.#timerDueMs) this.#arm(next.dueMs);
    }
  }
}
