/**
 * What {@link VisitedSet.add} did: the pair was `present` already (that configuration has been
 * explored), or is new and now remembered (`added`), or is new but remembering it would exceed
 * the memory budget (`full`).
 */
export type AddResult = "present" | "added" | "full";

/** A memory budget that the memos of one check draw from. */
export interface MemoryPool {
  /** Bytes the memos may still take. */
  bytesFree: number;
}

const initialCapacity = 1024;
const int32Bytes = 4;

/**
 * The memo of Lowe's search: a hash set of (set of linearized operations, state id) pairs, kept in
 * flat typed arrays so that adding and looking up allocate nothing. Each entry stores a copy of
 * the operation bitset (`words` 32-bit words), the state id, its hash and the next entry in its
 * bucket's chain. The caller maintains the bitset's hash incrementally (see {@link operationHash}).
 */
export class VisitedSet {
  private readonly words: number;
  private readonly memory: MemoryPool;
  private bytes = 0;
  private capacity = 0;
  private count = 0;
  private heads = new Int32Array(0);
  private hashes = new Int32Array(0);
  private stateIds = new Int32Array(0);
  private chain = new Int32Array(0);
  private sets = new Uint32Array(0);

  /**
   * @param words - 32-bit words per operation bitset.
   * @param memory - the budget the set draws from as it grows; {@link VisitedSet.add} reports
   *   `"full"` rather than exceed it.
   */
  constructor(words: number, memory: MemoryPool) {
    this.words = words;
    this.memory = memory;
  }

  /** Adds (set, stateId) unless present; `setHash` is the hash of `set` alone. */
  add(set: Uint32Array, setHash: number, stateId: number): AddResult {
    const hash = (setHash ^ Math.imul(stateId + 1, 0x9e3779b1)) | 0;
    const words = this.words;
    if (this.capacity > 0) {
      for (
        let entry = this.heads[hash & (this.capacity - 1)]!;
        entry >= 0;
        entry = this.chain[entry]!
      ) {
        if (this.hashes[entry] !== hash || this.stateIds[entry] !== stateId) continue;
        let equal = true;
        const base = entry * words;
        for (let word = 0; word < words; word++) {
          if (this.sets[base + word] !== set[word]) {
            equal = false;
            break;
          }
        }
        if (equal) return "present";
      }
    }
    if (this.count === this.capacity && !this.grow()) return "full";
    const entry = this.count++;
    const bucket = hash & (this.capacity - 1);
    this.hashes[entry] = hash;
    this.stateIds[entry] = stateId;
    this.chain[entry] = this.heads[bucket]!;
    this.heads[bucket] = entry;
    this.sets.set(set, entry * this.words);
    return "added";
  }

  /** The number of pairs remembered. */
  get size(): number {
    return this.count;
  }

  /** Forgets every pair and returns the memory to the pool. */
  release(): void {
    this.memory.bytesFree += this.bytes;
    this.bytes = 0;
    this.capacity = 0;
    this.count = 0;
    this.heads = new Int32Array(0);
    this.hashes = new Int32Array(0);
    this.stateIds = new Int32Array(0);
    this.chain = new Int32Array(0);
    this.sets = new Uint32Array(0);
  }

  private grow(): boolean {
    const capacity = this.capacity === 0 ? initialCapacity : this.capacity * 2;
    // Per entry: one bucket head, hash, state id, chain link, and the bitset.
    const bytes = capacity * (4 + this.words) * int32Bytes;
    if (bytes - this.bytes > this.memory.bytesFree) return false;
    this.memory.bytesFree -= bytes - this.bytes;
    this.bytes = bytes;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    const stateIds = new Int32Array(capacity);
    stateIds.set(this.stateIds);
    const sets = new Uint32Array(capacity * this.words);
    sets.set(this.sets);
    const heads = new Int32Array(capacity).fill(-1);
    const chain = new Int32Array(capacity);
    for (let entry = 0; entry < this.count; entry++) {
      const bucket = hashes[entry]! & (capacity - 1);
      chain[entry] = heads[bucket]!;
      heads[bucket] = entry;
    }
    this.capacity = capacity;
    this.hashes = hashes;
    this.stateIds = stateIds;
    this.sets = sets;
    this.heads = heads;
    this.chain = chain;
    return true;
  }
}

/**
 * A well-mixed 32-bit value for operation `index`. The hash of a set of operations is the XOR of
 * its members' values (Zobrist hashing), so adding or removing one member updates it in O(1).
 */
export function operationHash(index: number): number {
  let x = Math.imul(index + 1, 0x9e3779b1);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}
