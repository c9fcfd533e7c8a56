/** One scheduled event of the {@link EventQueue}. */
export interface QueuedEvent {
  /** Virtual time the event is due at, in milliseconds. */
  readonly timeMs: number;
  /** Insertion sequence number: breaks ties between events due at the same time. */
  readonly seq: number;
  /** What the event does. */
  readonly run: () => void;
  /** Set by {@link EventQueue.cancel}; a cancelled event is skipped. */
  cancelled: boolean;
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}

/**
 * A binary min-heap of events ordered by (due time, insertion sequence): two events due at the
 * same time come out in the order they were pushed, so the order is fully deterministic.
 * Cancellation is lazy (the event is marked and skipped); the heap is rebuilt when cancelled
 * events outnumber live ones, so cancelled timers cannot pile up.
 */
export class EventQueue {
  readonly #heap: QueuedEvent[] = [];
  #nextSeq = 0;
  #cancelledCount = 0;

  /** The number of live (not cancelled) events. */
  get size(): number {
    return this.#heap.length - this.#cancelledCount;
  }

  /** Schedules `run` at `timeMs`. */
  push(timeMs: number, run: () => void): QueuedEvent {
    const event: QueuedEvent = { timeMs, seq: this.#nextSeq++, run, cancelled: false };
    this.#heap.push(event);
    this.#siftUp(this.#heap.length - 1);
    return event;
  }

  /** Cancels `event` if it is still queued. Idempotent. */
  cancel(event: QueuedEvent): void {
    if (event.cancelled) return;
    event.cancelled = true;
    this.#cancelledCount++;
    if (this.#heap.length > 64 && this.#cancelledCount * 2 > this.#heap.length) this.#compact();
  }

  /** The due time of the next live event, or `undefined` when none is left. */
  peekTime(): number | undefined {
    this.#dropCancelledTop();
    return this.#heap[0]?.timeMs;
  }

  /** Removes and returns the next live event, or `undefined` when none is left. */
  pop(): QueuedEvent | undefined {
    this.#dropCancelledTop();
    return this.#removeTop();
  }

  #dropCancelledTop(): void {
    while (this.#heap[0]?.cancelled === true) {
      this.#removeTop();
      this.#cancelledCount--;
    }
  }

  #removeTop(): QueuedEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top !== undefined && last !== undefined && heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #compact(): void {
    const heap = this.#heap;
    let kept = 0;
    for (const event of heap) if (!event.cancelled) heap[kept++] = event;
    heap.length = kept;
    this.#cancelledCount = 0;
    for (let index = (kept >> 1) - 1; index >= 0; index--) this.#siftDown(index);
  }

  #siftUp(start: number): void {
    const heap = this.#heap;
    const event = heap[start] as QueuedEvent;
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as QueuedEvent;
      if (!before(event, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = event;
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const event = heap[start] as QueuedEvent;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && before(heap[right] as QueuedEvent, heap[left] as QueuedEvent)) {
        child = right;
      }
      const childEvent = heap[child] as QueuedEvent;
      if (!before(childEvent, event)) break;
      heap[index] = childEvent;
      index = child;
    }
    heap[index] = event;
  }
}
