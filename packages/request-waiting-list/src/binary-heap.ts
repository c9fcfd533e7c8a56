/**
 * A binary min-heap on an array, ordered by `less`. O(log n) push and pop; O(1) when items are
 * pushed in ascending order (the usual case for deadline ticks and log indexes), since a pushed
 * item then stays where it lands.
 */
export class BinaryHeap<T> {
  #items: T[] = [];
  readonly #less: (a: T, b: T) => boolean;

  /** @param less - whether `a` sorts before `b`. */
  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less;
  }

  /** How many items it holds. */
  get size(): number {
    return this.#items.length;
  }

  /** The smallest item, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds `item`. */
  push(item: T): void {
    const items = this.#items;
    let index = items.length;
    items.push(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = items[parent] as T;
      if (!this.#less(item, above)) break;
      items[index] = above;
      index = parent;
    }
    items[index] = item;
  }

  /** Removes and returns the smallest item, or `undefined` when empty. */
  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) this.#siftDown(last, 0);
    return top;
  }

  /** Keeps only the items `keep` accepts, in O(n). */
  filter(keep: (item: T) => boolean): void {
    this.#items = this.#items.filter(keep);
    for (let index = (this.#items.length >> 1) - 1; index >= 0; index--) {
      this.#siftDown(this.#items[index] as T, index);
    }
  }

  /** Removes every item. */
  clear(): void {
    this.#items = [];
  }

  #siftDown(item: T, start: number): void {
    const items = this.#items;
    const length = items.length;
    let index = start;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && this.#less(items[right] as T, items[child] as T)) child = right;
      const below = items[child] as T;
      if (!this.#less(below, item)) break;
      items[index] = below;
      index = child;
    }
    items[index] = item;
  }
}
