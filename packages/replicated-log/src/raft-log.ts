import { CompactedError, InvalidArgumentError, invariant } from "@pods/core-interfaces";
import type { GenerationLog } from "@pods/generation-clock";
import { entryTypes, type LogEntry } from "./entry.ts";

/**
 * The replicated log in memory: the entries after the latest snapshot (plus a retained tail),
 * mirroring the write-ahead log on disk. The protocol core reads and changes only this; the
 * driver makes each change durable in the same order. It is a `GenerationLog`, so
 * `GenerationHistory` answers conflict questions from it.
 *
 * Bounded by the snapshot policy: entries below the low-water mark are dropped
 * ({@link RaftLog.compactTo}) once a snapshot covers them.
 */
export class RaftLog implements GenerationLog {
  #entries: LogEntry[] = [];
  /** The index before the first entry (the snapshot boundary). */
  #prevIndex: number;
  #prevGeneration: number;
  #prevClusterTimeMs: number;
  /** Indexes of configuration entries, ascending. */
  #configIndexes: number[] = [];

  /**
   * @param prevIndex - the index before the first entry (a snapshot's last included index, or 0).
   * @param prevGeneration - that entry's generation.
   * @param prevClusterTimeMs - that entry's cluster time.
   */
  constructor(prevIndex = 0, prevGeneration = 0, prevClusterTimeMs = 0) {
    this.#prevIndex = prevIndex;
    this.#prevGeneration = prevGeneration;
    this.#prevClusterTimeMs = prevClusterTimeMs;
  }

  /** The first index held (`lastIndex + 1` when empty). */
  get firstIndex(): number {
    return this.#prevIndex + 1;
  }

  /** The last index (the snapshot boundary when empty). */
  get lastIndex(): number {
    return this.#prevIndex + this.#entries.length;
  }

  /** The generation of the last entry (of the snapshot boundary when empty). */
  get lastGeneration(): number {
    return this.#entries.at(-1)?.generation ?? this.#prevGeneration;
  }

  /** The cluster time of the last entry (of the snapshot boundary when empty). */
  get lastClusterTimeMs(): number {
    return this.#entries.at(-1)?.clusterTimeMs ?? this.#prevClusterTimeMs;
  }

  /** The index of the last configuration entry held, or 0. */
  get lastConfigIndex(): number {
    return this.#configIndexes.at(-1) ?? 0;
  }

  /** How many entries are held. */
  get length(): number {
    return this.#entries.length;
  }

  /**
   * The generation of `index`, from `firstIndex - 1` (the snapshot boundary) to `lastIndex`.
   *
   * @throws `CompactedError` below; `InvalidArgumentError` above.
   */
  generationAt(index: number): number {
    if (index === this.#prevIndex) return this.#prevGeneration;
    return this.entry(index).generation;
  }

  /** Whether the log holds `index` with `generation` (the snapshot boundary counts). */
  matches(index: number, generation: number): boolean {
    if (index < this.#prevIndex || index > this.lastIndex) return false;
    return this.generationAt(index) === generation;
  }

  /**
   * The entry at `index`.
   *
   * @throws `CompactedError` below `firstIndex`; `InvalidArgumentError` above `lastIndex`.
   */
  entry(index: number): LogEntry {
    const entry = this.#entries[index - this.#prevIndex - 1];
    if (entry !== undefined) return entry;
    if (index <= this.#prevIndex) throw new CompactedError(this.firstIndex, index);
    throw new InvalidArgumentError(
      `The log holds indexes ${this.firstIndex} to ${this.lastIndex}, not ${String(index)}.`,
    );
  }

  /**
   * Entries from `from` on: at most `countMax` of them and, after the first, at most `bytesMax`
   * payload bytes in all.
   */
  slice(from: number, bytesMax: number, countMax: number): LogEntry[] {
    const start = from - this.#prevIndex - 1;
    invariant(start >= 0, () => `slice from ${from} is below the first index ${this.firstIndex}`);
    const end = Math.min(this.#entries.length, start + countMax);
    let bytes = 0;
    let stop = start;
    while (stop < end) {
      bytes += this.#entries[stop]!.payload.length;
      if (stop > start && bytes > bytesMax) break;
      stop++;
    }
    return this.#entries.slice(start, stop);
  }

  /** Payload bytes of the entries from `from` to `to`, inclusive, of `generation` only. */
  bytesOfGeneration(from: number, to: number, generation: number): number {
    let bytes = 0;
    for (let index = Math.max(from, this.firstIndex); index <= to; index++) {
      const entry = this.entry(index);
      if (entry.generation === generation) bytes += entry.payload.length;
    }
    return bytes;
  }

  /** Appends entries that continue the log (consecutive from `lastIndex + 1`). */
  append(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      invariant(
        entry.index === this.lastIndex + 1,
        () => `entry ${entry.index} does not follow the last index ${this.lastIndex}`,
      );
      invariant(
        entry.generation >= this.lastGeneration,
        () =>
          `entry ${entry.index} has generation ${entry.generation} below ${this.lastGeneration}`,
      );
      this.#entries.push(entry);
      if (entry.type === entryTypes.configuration) this.#configIndexes.push(entry.index);
    }
  }

  /** Removes `index` and every later entry. */
  truncateFrom(index: number): void {
    invariant(
      index > this.#prevIndex && index <= this.lastIndex + 1,
      () => `truncateFrom(${index}) outside ${this.firstIndex}..${this.lastIndex + 1}`,
    );
    this.#entries.length = index - this.#prevIndex - 1;
    while (this.lastConfigIndex >= index) this.#configIndexes.pop();
  }

  /** Drops the entries below `firstIndex` (covered by a snapshot); keeps the boundary's generation. */
  compactTo(firstIndex: number): void {
    if (firstIndex <= this.firstIndex) return;
    invariant(firstIndex <= this.lastIndex + 1, () => `compactTo(${firstIndex}) beyond the log`);
    const boundary = this.entry(firstIndex - 1);
    this.#entries = this.#entries.slice(firstIndex - this.firstIndex);
    this.#prevIndex = boundary.index;
    this.#prevGeneration = boundary.generation;
    this.#prevClusterTimeMs = boundary.clusterTimeMs;
    this.#configIndexes = this.#configIndexes.filter((index) => index >= firstIndex);
  }

  /** Discards everything: the log continues after a snapshot at `prevIndex`. */
  reset(prevIndex: number, prevGeneration: number, prevClusterTimeMs: number): void {
    this.#entries = [];
    this.#configIndexes = [];
    this.#prevIndex = prevIndex;
    this.#prevGeneration = prevGeneration;
    this.#prevClusterTimeMs = prevClusterTimeMs;
  }

  /** Whether a configuration entry lies in `(after, upTo]`. */
  hasConfigIn(after: number, upTo: number): boolean {
    for (let i = this.#configIndexes.length - 1; i >= 0; i--) {
      const index = this.#configIndexes[i]!;
      if (index <= after) return false;
      if (index <= upTo) return true;
    }
    return false;
  }
}
