/**
 * A first-in, first-out queue on an array with a moving head: O(1) push, peek and shift, with the
 * taken prefix dropped once it is at least half the array. Taken slots are cleared so nothing
 * taken stays reachable. The caller bounds its length.
 *
 * @internal
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** How many items it holds. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends `item` at the back. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** The front item, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
