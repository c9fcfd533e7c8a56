import type { Cancel, Clock, LogFields, Logger, Random, Scheduler } from "@pods/core-interfaces";

interface Task {
  readonly dueMs: number;
  readonly order: number;
  readonly run: () => void;
  cancelled: boolean;
}

/**
 * Hand-driven time for unit tests: a monotonic clock and a scheduler that run nothing until
 * `advance` moves time on, then run due tasks in (due time, scheduling order).
 */
export class ManualTime {
  nowMs = 0;
  readonly #tasks: Task[] = [];
  #order = 0;

  readonly clock: Clock = {
    monotonicMs: () => this.nowMs,
    wallMs: () => 1_767_225_600_000 + this.nowMs,
  };

  readonly scheduler: Scheduler = {
    after: (delayMs: number, run: () => void): Cancel => {
      const task: Task = {
        dueMs: this.nowMs + delayMs,
        order: this.#order++,
        run,
        cancelled: false,
      };
      this.#tasks.push(task);
      return () => {
        task.cancelled = true;
      };
    },
  };

  /** Tasks scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.#tasks.filter((task) => !task.cancelled).length;
  }

  /** Moves time forward by `ms`, running every task due by then at its due time. */
  advance(ms: number): void {
    const targetMs = this.nowMs + ms;
    for (;;) {
      const next = this.#nextDue(targetMs);
      if (next === undefined) break;
      this.#tasks.splice(this.#tasks.indexOf(next), 1);
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      next.run();
    }
    this.nowMs = targetMs;
  }

  /** Moves time forward by `ms` without running anything due meanwhile (a frozen process). */
  freeze(ms: number): void {
    this.nowMs += ms;
  }

  #nextDue(targetMs: number): Task | undefined {
    let best: Task | undefined;
    for (let index = this.#tasks.length - 1; index >= 0; index--) {
      const task = this.#tasks[index];
      if (task === undefined) continue;
      if (task.cancelled) {
        this.#tasks.splice(index, 1);
        continue;
      }
      if (task.dueMs > targetMs) continue;
      if (
        best === undefined ||
        task.dueMs < best.dueMs ||
        (task.dueMs === best.dueMs && task.order < best.order)
      ) {
        best = task;
      }
    }
    return best;
  }
}

/** A logger that keeps what it is given. */
export class RecordingLogger implements Logger {
  readonly records: { level: string; event: string; fields: LogFields | undefined }[] = [];
  debug(event: string, fields?: LogFields): void {
    this.records.push({ level: "debug", event, fields });
  }
  info(event: string, fields?: LogFields): void {
    this.records.push({ level: "info", event, fields });
  }
  warn(event: string, fields?: LogFields): void {
    this.records.push({ level: "warn", event, fields });
  }
  error(event: string, fields?: LogFields): void {
    this.records.push({ level: "error", event, fields });
  }
  child(): Logger {
    return this;
  }
  events(level: string): string[] {
    return this.records.filter((record) => record.level === level).map((record) => record.event);
  }
}

/** A random source that replays the given floats in a loop. */
export function scriptedRandom(floats: readonly number[]): Random {
  let next = 0;
  return {
    float: () => floats[next++ % floats.length] ?? 0,
    int: (min, max) => min + Math.floor((floats[next++ % floats.length] ?? 0) * (max - min)),
  };
}
