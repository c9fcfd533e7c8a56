/** A task waiting in a {@link TaskQueue}. */
export interface QueuedTask {
  /** When the task is due, in monotonic milliseconds. */
  readonly dueMs: number;
  /** Scheduling order: breaks ties between equal due times. */
  readonly seq: number;
  /** The work to run. */
  readonly run: () => void;
  /** Position in the heap, or -1 once the task left the queue. */
  index: number;
}

function before(a: QueuedTask, b: QueuedTask): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}

/**
 * The pending tasks of a scheduler, ordered by due time and then by scheduling order: a binary
 * min-heap that also removes any task in O(log n), so cancelled timers never pile up.
 */
export class TaskQueue {
  readonly #heap: QueuedTask[] = [];
  #nextSeq = 0;

  /** How many tasks wait. */
  get size(): number {
    return this.#heap.length;
  }

  /** The sequence number the next pushed task will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Adds a task due at `dueMs`; it sorts after every task already queued with the same due time. */
  push(dueMs: number, run: () => void): QueuedTask {
    const task: QueuedTask = { dueMs, seq: this.#nextSeq++, run, index: this.#heap.length };
    this.#heap.push(task);
    this.#siftUp(task.index);
    return task;
  }

  /** The first task (earliest due, then earliest scheduled), without removing it. */
  peek(): QueuedTask | undefined {
    return this.#heap[0];
  }

  /** Removes `task` if it is still queued; returns whether it was. */
  remove(task: QueuedTask): boolean {
    const index = task.index;
    if (index < 0 || this.#heap[index] !== task) return false;
    const last = this.#heap.pop() as QueuedTask;
    task.index = -1;
    if (last !== task) {
      this.#heap[index] = last;
      last.index = index;
      this.#siftUp(index);
      this.#siftDown(last.index);
    }
    return true;
  }

  #siftUp(start: number): void {
    const heap = this.#heap;
    let index = start;
    const task = heap[index] as QueuedTask;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as QueuedTask;
      if (!before(task, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = task;
    task.index = index;
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    let index = start;
    const task = heap[index] as QueuedTask;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const leftTask = heap[left] as QueuedTask;
      const rightTask = heap[right];
      const child = rightTask !== undefined && before(rightTask, leftTask) ? right : left;
      const childTask = heap[child] as QueuedTask;
      if (!before(childTask, task)) break;
      heap[index] = childTask;
      childTask.index = index;
      index = child;
    }
    heap[index] = task;
    task.index = index;
  }
}
