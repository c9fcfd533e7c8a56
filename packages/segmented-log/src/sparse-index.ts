/**
 * A segment's sparse offset index: pairs (record index, file offset), one every `intervalBytes` or
 * so, in ascending order. A lookup finds the last pair at or before a record, so a read scans at
 * most about `intervalBytes` of frames. @internal
 */
export class SparseIndex {
  readonly #intervalBytes: number;
  #indexes: number[] = [];
  #offsets: number[] = [];

  constructor(intervalBytes: number) {
    this.#intervalBytes = intervalBytes;
  }

  /** How many pairs it holds. */
  get size(): number {
    return this.#indexes.length;
  }

  /** Notes that record `index` starts at `offset` (records arrive in ascending order). */
  add(index: number, offset: number): void {
    const last = this.#offsets.length - 1;
    if (last < 0 || offset - this.#offsets[last]! >= this.#intervalBytes) {
      this.#indexes.push(index);
      this.#offsets.push(offset);
    }
  }

  /**
   * The last pair whose index is at most `index`, or `undefined` when there is none. Returns the
   * pair as `[index, offset]`.
   */
  floor(index: number): [number, number] | undefined {
    let low = 0;
    let high = this.#indexes.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.#indexes[middle]! <= index) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found < 0 ? undefined : [this.#indexes[found]!, this.#offsets[found]!];
  }

  /** Drops the pairs of records `index` and later. */
  truncateFrom(index: number): void {
    while (this.#indexes.length > 0 && this.#indexes[this.#indexes.length - 1]! >= index) {
      this.#indexes.pop();
      this.#offsets.pop();
    }
  }
}
