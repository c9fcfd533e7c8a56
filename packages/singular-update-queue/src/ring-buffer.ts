/**
 * A FIFO on a circular array that doubles when full: O(1) push and shift at both ends without
 * the element moves of `Array.prototype.shift` on long arrays. Slots are cleared when taken, so the
 * buffer never keeps a taken item alive. The caller bounds its length.
 */
export class RingBuffer<T> {
  #slots: (T | undefined)[];
  #head = 0;
  #length = 0;

  /** @param initialSlots - starting capacity; rounded up to a power of two. */
  constructor(initialSlots = 16) {
    let slots = 1;
    while (slots < initialSlots) slots *= 2;
    this.#slots = new Array<T | undefined>(slots);
  }

  /** How many items it holds. */
  get length(): number {
    return this.#length;
  }

  /** Appends `item` at the back. */
  push(item: T): void {
    if (this.#length === this.#slots.length) this.#grow();
    this.#slots[(this.#head + this.#length) & (this.#slots.length - 1)] = item;
    this.#length++;
  }

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#slots.length - 1);
    this.#length--;
    return item;
  }

  /** Removes and returns the back item, or `undefined` when empty. */
  pop(): T | undefined {
    if (this.#length === 0) return undefined;
    const slot = (this.#head + this.#length - 1) & (this.#slots.length - 1);
    const item = this.#slots[slot];
    this.#slots[slot] = undefined;
    this.#length--;
    return item;
  }

  /** The front item without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#slots[this.#head];
  }

  #grow(): void {
    const slots = new Array<T | undefined>(this.#slots.length * 2);
    for (let i = 0; i < this.#length; i++) {
      slots[i] = this.#slots[(this.#head + i) & (this.#slots.length - 1)];
    }
    this.#slots = slots;
    this.#head = 0;
  }
}
