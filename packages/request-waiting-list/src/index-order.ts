import { BinaryHeap } from "./binary-heap.ts";

/**
 * Pending entries in ascending index order, for prefix completion. Entries added in ascending
 * order — the usual case: a leader appends proposals at increasing indexes — go to an array
 * consumed from the front in O(1); the rare entry added below the highest index so far goes to a
 * min-heap. The lowest entry is the smaller of the two fronts. Entries that settled by other means
 * stay until they reach a front (`isLive` tells them apart) or until `compact` drops them.
 */
export class IndexOrder<T> {
  readonly #isLive: (item: T) => boolean;
  readonly #less: (a: T, b: T) => boolean;
  #ascending: T[] = [];
  #head = 0;
  readonly #stragglers: BinaryHeap<T>;

  /**
   * @param isLive - whether an item is still pending.
   * @param less - whether `a` has a lower index than `b`.
   */
  constructor(isLive: (item: T) => boolean, less: (a: T, b: T) => boolean) {
    this.#isLive = isLive;
    this.#less = less;
    this.#stragglers = new BinaryHeap<T>(less);
  }

  /** Items held, settled ones not yet dropped included. */
  get size(): number {
    return this.#ascending.length - this.#head + this.#stragglers.size;
  }

  /** Adds `item`. */
  push(item: T): void {
    const last = this.#ascending[this.#ascending.length - 1];
    if (last === undefined || this.#head === this.#ascending.length || this.#less(last, item)) {
      this.#ascending.push(item);
    } else {
      this.#stragglers.push(item);
    }
  }

  /** The live item with the lowest index, dropping settled ones on the way; `undefined` if none. */
  peek(): T | undefined {
    const ascending = this.#peekAscending();
    let straggler = this.#stragglers.peek();
    while (straggler !== undefined && !this.#isLive(straggler)) {
      this.#stragglers.pop();
      straggler = this.#stragglers.peek();
    }
    if (straggler === undefined) return ascending;
    return ascending === undefined || this.#less(straggler, ascending) ? straggler : ascending;
  }

  /** Removes the item `peek` returned. */
  pop(): void {
    const ascending = this.#peekAscending();
    const straggler = this.#stragglers.peek();
    if (straggler !== undefined && (ascending === undefined || this.#less(straggler, ascending))) {
      this.#stragglers.pop();
    } else {
      this.#head++;
      this.#trim();
    }
  }

  /** Drops settled items, in O(n). */
  compact(): void {
    this.#ascending = this.#ascending.slice(this.#head).filter(this.#isLive);
    this.#head = 0;
    this.#stragglers.filter(this.#isLive);
  }

  /** Removes every item. */
  clear(): void {
    this.#ascending = [];
    this.#head = 0;
    this.#stragglers.clear();
  }

  #peekAscending(): T | undefined {
    for (;;) {
      const item = this.#ascending[this.#head];
      if (item === undefined || this.#isLive(item)) return item;
      this.#head++;
      this.#trim();
    }
  }

  /** Releases the consumed front of the array once it is most of it. */
  #trim(): void {
    if (this.#head === this.#ascending.length) {
      this.#ascending = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#ascending.length) {
      this.#ascending = this.#ascending.slice(this.#head);
      this.#head = 0;
    }
  }
}
