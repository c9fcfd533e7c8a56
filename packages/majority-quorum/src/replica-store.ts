/** A value with the version it was written at. */
export interface StoredValue<Val, Ver> {
  /** The value. */
  readonly value: Val;
  /** Its version. */
  readonly version: Ver;
}

/**
 * One replica's data in a leaderless store: each key keeps the value with the highest version it
 * has been given. A write is stored only if its version is newer than the one held (so replays,
 * duplicates and late repairs never move a key back).
 */
export class ReplicaStore<Val, Ver> {
  readonly #compare: (a: Ver, b: Ver) => number;
  readonly #entries = new Map<string, StoredValue<Val, Ver>>();

  /** @param compare - orders versions; 0 means the same version. */
  constructor(compare: (a: Ver, b: Ver) => number) {
    this.#compare = compare;
  }

  /** What the replica holds for `key`. */
  get(key: string): StoredValue<Val, Ver> | undefined {
    return this.#entries.get(key);
  }

  /** Stores `value` at `version` if that is newer than what `key` holds; returns whether it did. */
  put(key: string, value: Val, version: Ver): boolean {
    const held = this.#entries.get(key);
    if (held !== undefined && this.#compare(version, held.version) <= 0) return false;
    this.#entries.set(key, { value, version });
    return true;
  }

  /** The number of keys held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The keys held, in insertion order. */
  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }
}
