/**
 * The responses one session keeps for retries, by sequence. Found by sequence, and dropped from
 * the lowest: what a replica does on every request (drop what the client acknowledged, evict the
 * lowest beyond the limit) costs the responses dropped, not the responses kept.
 */
export class SavedResponses {
  readonly #bySequence = new Map<number, Uint8Array>();
  /** The saved sequences, ascending. Requests commit mostly in sequence order: appends. */
  readonly #sequences: number[] = [];

  /** How many responses are saved. */
  get size(): number {
    return this.#sequences.length;
  }

  /** The saved sequences, ascending (a copy). */
  sequences(): number[] {
    return [...this.#sequences];
  }

  /** The response saved for `sequence`, or undefined. */
  get(sequence: number): Uint8Array | undefined {
    return this.#bySequence.get(sequence);
  }

  /** Saves `response` for `sequence`, which has none saved. */
  add(sequence: number, response: Uint8Array): void {
    this.#bySequence.set(sequence, response);
    const sequences = this.#sequences;
    const last = sequences[sequences.length - 1];
    if (last === undefined || last < sequence) {
      sequences.push(sequence);
      return;
    }
    let low = 0;
    let high = sequences.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sequences[middle] as number) < sequence) low = middle + 1;
      else high = middle;
    }
    sequences.splice(low, 0, sequence);
  }

  /** Drops the responses of every sequence below `sequence`. */
  dropBelow(sequence: number): void {
    const sequences = this.#sequences;
    let count = 0;
    while (count < sequences.length && (sequences[count] as number) < sequence) {
      this.#bySequence.delete(sequences[count] as number);
      count++;
    }
    if (count > 0) sequences.splice(0, count);
  }

  /** Drops the response of the lowest sequence saved; returns that sequence (undefined if none). */
  dropLowest(): number | undefined {
    const lowest = this.#sequences.shift();
    if (lowest !== undefined) this.#bySequence.delete(lowest);
    return lowest;
  }
}
