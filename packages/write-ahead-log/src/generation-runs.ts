import { invariant } from "@pods/core-interfaces";

/**
 * The generation of every index from the one before `firstIndex` to the last, kept as runs
 * (generations change rarely), so `generationAt` answers from memory in O(log runs). @internal
 */
export class GenerationRuns {
  /** `starts[k]` is the first index of run k; run 0 starts at the index before `firstIndex`. */
  #starts: number[];
  #generations: number[];
  #lastIndex: number;

  constructor(previousIndex: number, previousGeneration: number) {
    this.#starts = [previousIndex];
    this.#generations = [previousGeneration];
    this.#lastIndex = previousIndex;
  }

  /** The generation of the last index (of the previous one when the log is empty). */
  get lastGeneration(): number {
    return this.#generations[this.#generations.length - 1]!;
  }

  /** The first index covered: the one before `firstIndex`. */
  get previousIndex(): number {
    return this.#starts[0]!;
  }

  /** Notes that `index` (the next one) has `generation`. */
  append(index: number, generation: number): void {
    invariant(
      index === this.#lastIndex + 1,
      () => `generation runs: ${index} follows ${this.#lastIndex}`,
    );
    if (generation !== this.lastGeneration) {
      this.#starts.push(index);
      this.#generations.push(generation);
    }
    this.#lastIndex = index;
  }

  /** The generation of `index`, or `undefined` outside the covered range. */
  at(index: number): number | undefined {
    if (index < this.#starts[0]! || index > this.#lastIndex) return undefined;
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.#starts[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return this.#generations[low];
  }

  /** Forgets `index` and everything after it. */
  truncateFrom(index: number): void {
    invariant(index > this.#starts[0]!, "generation runs: cannot cut the previous index");
    while (this.#starts[this.#starts.length - 1]! >= index) {
      this.#starts.pop();
      this.#generations.pop();
    }
    this.#lastIndex = Math.min(this.#lastIndex, index - 1);
  }

  /** Forgets everything before `firstIndex - 1` (after prefix removal). */
  truncateBefore(firstIndex: number): void {
    const previous = firstIndex - 1;
    const generation = this.at(previous);
    if (generation === undefined || previous <= this.#starts[0]!) return;
    while (this.#starts.length > 1 && this.#starts[1]! <= previous) {
      this.#starts.shift();
      this.#generations.shift();
    }
    this.#starts[0] = previous;
  }

  /** Forgets everything: the log continues after `previousIndex`, which had `previousGeneration`. */
  reset(previousIndex: number, previousGeneration: number): void {
    this.#starts = [previousIndex];
    this.#generations = [previousGeneration];
    this.#lastIndex = previousIndex;
  }
}
