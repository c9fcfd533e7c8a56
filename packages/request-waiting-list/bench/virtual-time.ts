import type { Cancel, Clock, Scheduler } from "@pods/core-interfaces";

interface Task {
  readonly dueMs: number;
  readonly order: number;
  readonly run: () => void;
  cancelled: boolean;
}

/**
 * A clock and a heap-based scheduler moved by hand, so that a benchmark measures the CPU cost of
 * expiry without waiting for real time. The same scheduler serves the waiting list (one task at a
 * time) and the baseline (one task per request), so the two pay for timers alike.
 */
export class VirtualTime {
  nowMs = 0;
  #heap: Task[] = [];
  #order = 0;

  readonly clock: Clock = { monotonicMs: () => this.nowMs, wallMs: () => this.nowMs };
  readonly scheduler: Scheduler = {
    after: (delayMs: number, run: () => void): Cancel => {
      const task: Task = {
        dueMs: this.nowMs + delayMs,
        order: this.#order++,
        run,
        cancelled: false,
      };
      this.#push(task);
      return () => {
        task.cancelled = true;
      };
    },
  };

  /** Tasks in the heap, cancelled ones included (they leave when their time comes). */
  get queued(): number {
    return this.#heap.length;
  }

  /** Runs every task due by `ms`, in order, then sets the clock there. */
  runUntil(ms: number): void {
    for (let top = this.#heap[0]; top !== undefined && top.dueMs <= ms; top = this.#heap[0]) {
      this.#pop();
      if (top.cancelled) continue;
      this.nowMs = Math.max(this.nowMs, top.dueMs);
      top.run();
    }
    this.nowMs = Math.max(this.nowMs, ms);
  }

  #before(a: Task, b: Task): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.order < b.order);
  }

  #push(task: Task): void {
    const heap = this.#heap;
    let index = heap.push(task) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent] as Task;
      if (!this.#before(task, above)) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = task;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as Task;
    if (heap.length === 0) return;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && this.#before(heap[child + 1] as Task, heap[child] as Task))
        child++;
      if (!this.#before(heap[child] as Task, last)) break;
      heap[index] = heap[child] as Task;
      index = child;
    }
    heap[index] = last;
  }
}
