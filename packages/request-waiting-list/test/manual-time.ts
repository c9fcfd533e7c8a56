import type { Cancel, Clock, Scheduler } from "@pods/core-interfaces";

interface Task {
  readonly dueMs: number;
  readonly order: number;
  readonly run: () => void;
  cancelled: boolean;
}

/**
 * A clock and scheduler moved by hand, for unit tests: `advanceTo(ms)` runs the due tasks in
 * (due time, scheduling order) and counts how many are scheduled at once.
 */
export class ManualTime {
  nowMs = 0;
  #tasks: Task[] = [];
  #order = 0;
  /** The most tasks ever scheduled and not yet run or cancelled at the same moment. */
  scheduledMax = 0;
  /** Tasks scheduled in total. */
  scheduledTotal = 0;

  readonly clock: Clock = { monotonicMs: () => this.nowMs, wallMs: () => this.nowMs };
  readonly scheduler: Scheduler = {
    after: (delayMs: number, run: () => void): Cancel => {
      const task: Task = {
        dueMs: this.nowMs + delayMs,
        order: this.#order++,
        run,
        cancelled: false,
      };
      this.#tasks.push(task);
      this.scheduledTotal++;
      this.scheduledMax = Math.max(this.scheduledMax, this.scheduled);
      return () => {
        task.cancelled = true;
      };
    },
  };

  /** Tasks scheduled and neither run nor cancelled. */
  get scheduled(): number {
    return this.#tasks.filter((task) => !task.cancelled).length;
  }

  /** Moves time to `ms`, running every task due by then at its due time. */
  advanceTo(ms: number): void {
    for (;;) {
      this.#tasks = this.#tasks.filter((task) => !task.cancelled);
      const next = this.#tasks
        .filter((task) => task.dueMs <= ms)
        .sort((a, b) => a.dueMs - b.dueMs || a.order - b.order)[0];
      if (next === undefined) break;
      this.#tasks.splice(this.#tasks.indexOf(next), 1);
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      next.run();
    }
    this.nowMs = Math.max(this.nowMs, ms);
  }
}
