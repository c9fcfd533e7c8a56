import { InvalidArgumentError } from "@pods/core-interfaces";

/**
 * What the history reads from a log: `@pods/write-ahead-log`'s `WriteAheadLog` fits as it is.
 * Generations must not decrease along the log.
 */
export interface GenerationLog {
  /** The oldest index kept (`lastIndex + 1` when empty). */
  readonly firstIndex: number;
  /** The newest index (0 when the log never held an entry). */
  readonly lastIndex: number;
  /** The generation of `index`, from `firstIndex − 1` (the entry before the first) to `lastIndex`. */
  generationAt(index: number): number;
}

/** One line of the generation history: a generation and the first index written in it. */
export interface GenerationStart {
  /** The generation. */
  readonly generation: number;
  /**
   * The first index of the log in that generation. For the generation of the entry before
   * `firstIndex` (the snapshot boundary), it is that entry's index: earlier ones are compacted.
   */
  readonly firstIndex: number;
}

/**
 * What a follower tells the leader when its log does not match at `prevLogIndex`, so the leader
 * can skip a whole generation per round trip instead of one entry.
 */
export interface ConflictHint {
  /**
   * The generation of the follower's entry at `prevLogIndex`; `undefined` when its log ends
   * before that index.
   */
  readonly generation: number | undefined;
  /**
   * The first index the follower holds in that generation; when its log is too short, its last
   * index + 1.
   */
  readonly firstIndex: number;
}

/** One incoming entry, as far as log matching cares. */
export interface IndexedGeneration {
  /** The entry's index. */
  readonly index: number;
  /** The generation it was written in. */
  readonly generation: number;
}

/**
 * The generation history of a log — for each generation, the first index written in it — and the
 * questions a replicated log asks of it: where a follower's log diverges from the leader's
 * ({@link GenerationHistory.firstConflict}), what a refusing follower should hint
 * ({@link GenerationHistory.conflictHint}), and where the leader should resume
 * ({@link GenerationHistory.nextIndexAfter}).
 *
 * The history is a view of the log, not a copy: the log stores every entry's generation durably
 * (so the history survives restarts with it) and keeps them in memory as runs, and every question
 * is a binary search over `generationAt` (O(log n) calls). Truncations, appends, compaction and
 * snapshot installs of the log are reflected at once: there is no second file to keep in step,
 * and no crash can leave the two disagreeing.
 */
export class GenerationHistory {
  readonly #log: GenerationLog;

  /** @param log - the log to answer from, e.g. a `WriteAheadLog`. */
  constructor(log: GenerationLog) {
    this.#log = log;
  }

  /** The generation of `index` (as the log answers it). */
  generationAt(index: number): number {
    return this.#log.generationAt(index);
  }

  /**
   * The smallest index in `[low, high]` whose generation is at least `generation`, or `high + 1`
   * when none is. Generations do not decrease along the log, so this is a binary search.
   */
  #firstAtLeast(generation: number, low: number, high: number): number {
    let lo = low;
    let hi = high + 1;
    while (lo < hi) {
      const middle = lo + Math.floor((hi - lo) / 2);
      if (this.#log.generationAt(middle) >= generation) hi = middle;
      else lo = middle + 1;
    }
    return lo;
  }

  /** The first index the log holds in `generation`, or `undefined` when it holds none. */
  firstIndexOf(generation: number): number | undefined {
    const { firstIndex, lastIndex } = this.#log;
    const index = this.#firstAtLeast(generation, firstIndex, lastIndex);
    return index <= lastIndex && this.#log.generationAt(index) === generation ? index : undefined;
  }

  /** The last index the log holds in `generation`, or `undefined` when it holds none. */
  lastIndexOf(generation: number): number | undefined {
    const { firstIndex, lastIndex } = this.#log;
    const after = this.#firstAtLeast(generation + 1, firstIndex, lastIndex) - 1;
    return after >= firstIndex && this.#log.generationAt(after) === generation ? after : undefined;
  }

  /**
   * The history: each generation the log holds, with the first index written in it, oldest
   * first, starting with the generation of the entry before `firstIndex`.
   */
  starts(): GenerationStart[] {
    const { firstIndex, lastIndex } = this.#log;
    let index = firstIndex - 1;
    let generation = this.#log.generationAt(index);
    const starts: GenerationStart[] = [{ generation, firstIndex: index }];
    for (;;) {
      index = this.#firstAtLeast(generation + 1, index + 1, lastIndex);
      if (index > lastIndex) return starts;
      generation = this.#log.generationAt(index);
      starts.push({ generation, firstIndex: index });
    }
  }

  /**
   * The first of `entries` (sent by the leader, ascending) that conflicts with the log: same
   * index, different generation. That is where a follower truncates — never earlier, and never
   * merely because entries lie beyond its commit index. Entries below `firstIndex` (compacted:
   * committed, so matching) and beyond `lastIndex` (new) never conflict. `undefined` when none
   * does.
   */
  firstConflict(entries: Iterable<IndexedGeneration>): number | undefined {
    const { firstIndex, lastIndex } = this.#log;
    for (const { index, generation } of entries) {
      if (index > lastIndex) return undefined;
      if (index >= firstIndex && this.#log.generationAt(index) !== generation) return index;
    }
    return undefined;
  }

  /**
   * The hint a follower returns when it refuses an append whose `prevLogIndex` it does not match:
   * the generation it holds there and the first index of that generation, or, when its log is
   * shorter, its last index + 1.
   *
   * @throws `InvalidArgumentError` below `firstIndex`: entries there are in a snapshot, committed,
   *   and match by definition.
   */
  conflictHint(prevLogIndex: number): ConflictHint {
    const { firstIndex, lastIndex } = this.#log;
    if (!Number.isSafeInteger(prevLogIndex) || prevLogIndex < firstIndex) {
      throw new InvalidArgumentError(
        `conflictHint(${String(prevLogIndex)}): the log holds entries from ${firstIndex}; an index ` +
          "below that is in a snapshot and matches by definition.",
      );
    }
    if (prevLogIndex > lastIndex) return { generation: undefined, firstIndex: lastIndex + 1 };
    const generation = this.#log.generationAt(prevLogIndex);
    return { generation, firstIndex: this.#firstAtLeast(generation, firstIndex, prevLogIndex) };
  }

  /**
   * Where a leader resumes replication to a follower that refused with `hint`: just after the
   * leader's last entry of the hinted generation when it has one (everything up to there
   * matches), otherwise at the first index the follower holds in that generation (it must all be
   * replaced). One round trip per generation instead of one per entry.
   */
  nextIndexAfter(hint: ConflictHint): number {
    if (hint.generation === undefined) return hint.firstIndex;
    const last = this.lastIndexOf(hint.generation);
    return last === undefined ? hint.firstIndex : Math.min(last + 1, this.#log.lastIndex + 1);
  }
}
