import { invariant } from "@pods/core-interfaces";

/** Items per chunk before it splits in two; inserts and deletes move at most this many. */
export const chunkItemsMax = 512;

/**
 * A set of keys in order (UTF-16 code units, as `<` compares strings), for range scans. A list of
 * sorted chunks of at most {@link chunkItemsMax} keys: finding a key is two binary searches,
 * O(log n); an insert or delete shifts at most one chunk, and splitting or dropping a chunk shifts
 * the chunk list (n / 256 references), so updates stay cheap for millions of keys without a tree.
 */
export class SortedKeys {
  private readonly chunks: string[][] = [];
  private count = 0;

  /** The number of keys. */
  get size(): number {
    return this.count;
  }

  /** Adds `key`, which must not be in the set yet. */
  add(key: string): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      return;
    }
    const chunkIndex = Math.min(this.firstChunkReaching(key), this.chunks.length - 1);
    const chunk = this.chunks[chunkIndex]!;
    const at = lowerBound(chunk, key);
    invariant(chunk[at] !== key, () => `key ${JSON.stringify(key)} is indexed twice`);
    chunk.splice(at, 0, key);
    if (chunk.length > chunkItemsMax) {
      this.chunks.splice(chunkIndex + 1, 0, chunk.splice(chunkItemsMax / 2));
    }
  }

  /** Removes `key`, which must be in the set. */
  delete(key: string): void {
    const chunkIndex = this.firstChunkReaching(key);
    const chunk = this.chunks[chunkIndex];
    const at = chunk === undefined ? -1 : lowerBound(chunk, key);
    invariant(chunk !== undefined && chunk[at] === key, () => `key ${key} is not indexed`);
    chunk.splice(at, 1);
    this.count--;
    if (chunk.length === 0) {
      this.chunks.splice(chunkIndex, 1);
      return;
    }
    // Merge small neighbours so that many deletes do not leave a long list of tiny chunks.
    const next = this.chunks[chunkIndex + 1];
    if (next !== undefined && chunk.length + next.length <= chunkItemsMax / 2) {
      chunk.push(...next);
      this.chunks.splice(chunkIndex + 1, 1);
    }
  }

  /**
   * Calls `visit` with each key at or after `start`, in order, until `visit` returns false.
   * `visit` must not change the set.
   */
  forEachFrom(start: string, visit: (key: string) => boolean): void {
    const first = this.firstChunkReaching(start);
    for (let chunkIndex = first; chunkIndex < this.chunks.length; chunkIndex++) {
      const chunk = this.chunks[chunkIndex]!;
      for (let at = chunkIndex === first ? lowerBound(chunk, start) : 0; at < chunk.length; at++) {
        if (!visit(chunk[at]!)) return;
      }
    }
  }

  /** The index of the first chunk whose last key is at or after `key`; the chunk count if none. */
  private firstChunkReaching(key: string): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.chunks[middle]!;
      if (chunk[chunk.length - 1]! < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** The first position in `chunk` at or after `key`. */
function lowerBound(chunk: readonly string[], key: string): number {
  let low = 0;
  let high = chunk.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (chunk[middle]! < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
