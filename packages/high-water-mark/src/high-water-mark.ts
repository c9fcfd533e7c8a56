import {
  assertDelayMs,
  InvalidArgumentError,
  invariant,
  noopLogger,
  type Cancel,
  type Disk,
  type Logger,
  type Scheduler,
} from "@pods/core-interfaces";
import { RecordFile, type RecordFormat } from "@pods/generation-clock";
import { NotCommittedError } from "./errors.ts";

/** Options of {@link HighWaterMark.open}. */
export interface HighWaterMarkOptions {
  /** The node's disk, where the mark's lower bound is kept. */
  readonly disk: Disk;
  /** Runs the lazy persistence. */
  readonly scheduler: Scheduler;
  /** The mark's file. Default `"high-water-mark/mark"`. */
  readonly path?: string;
  /**
   * How long after an advance the mark is written, coalescing the advances in between. Default
   * 1000 ms. The file is a lower bound: a crash loses at most this much progress, which the node
   * relearns from the leader.
   */
  readonly persistDelayMs?: number;
  /**
   * The node's log. A persisted mark above its last index (which only a lost log write can cause)
   * is lowered to it, with a warning.
   */
  readonly log?: { readonly lastIndex: number };
  /** Receives `high-water-mark.above-log` and `high-water-mark.persist-failed`. Default none. */
  readonly logger?: Logger;
}

/** The default file of the persisted mark. */
export const defaultMarkPath = "high-water-mark/mark";

const markFormat: RecordFormat<number> = {
  magic: "PHWM",
  description: "the persisted high-water mark",
  repairAdvice:
    "delete it: it is only a lower bound, and the node relearns the mark from the leader (it " +
    "applies nothing until then)",
  validate(value) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw new Error(`not a log index: ${String(value)}`);
    }
    return value as number;
  },
};

/** Checks a log index: a safe integer ≥ 0. */
function assertIndex(index: number, what: string): void {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new InvalidArgumentError(`${what} must be a safe integer >= 0, got ${String(index)}.`);
  }
}

interface Persistence {
  readonly file: RecordFile<number>;
  readonly scheduler: Scheduler;
  readonly delayMs: number;
  readonly logger: Logger;
}

/**
 * The high-water mark (commit index) of one node: the highest log index known committed. It never
 * decreases. It gates what may be applied ({@link ApplyLoop}) and read
 * ({@link HighWaterMark.readCommitted}), and guards truncation: nothing at or below it may ever be
 * cut ({@link HighWaterMark.guardTruncation}).
 *
 * A leader advances it with what its {@link LeaderCommitTracker} computes; a follower with
 * {@link HighWaterMark.followLeader} on every request, heartbeats included. A mark from
 * {@link HighWaterMark.open} is persisted lazily as a lower bound: after a restart the node
 * applies only up to the persisted mark and learns the rest from the leader.
 */
export class HighWaterMark {
  #mark: number;
  readonly #listeners = new Set<(mark: number) => void>();
  readonly #persistence: Persistence | undefined;
  #cancelPersist: Cancel | undefined;

  private constructor(initial: number, persistence: Persistence | undefined) {
    this.#mark = initial;
    this.#persistence = persistence;
  }

  /**
   * A mark kept in memory only: a node that keeps nothing across restarts, or a test.
   *
   * @param initial - the starting mark. Default 0.
   * @throws `InvalidArgumentError` unless `initial` is a safe integer ≥ 0.
   */
  static inMemory(initial = 0): HighWaterMark {
    assertIndex(initial, "initial");
    return new HighWaterMark(initial, undefined);
  }

  /**
   * Opens a persisted mark: starts from the lower bound a previous run left (0 on a first start).
   *
   * @throws `CorruptionError` for a damaged mark file (its message says: delete it);
   *   `InvalidArgumentError` for bad options; `IOError` when the disk fails.
   */
  static async open(options: HighWaterMarkOptions): Promise<HighWaterMark> {
    const delayMs = options.persistDelayMs ?? 1_000;
    assertDelayMs(delayMs);
    const file = await RecordFile.open(options.disk, options.path ?? defaultMarkPath, markFormat);
    const logger = options.logger ?? noopLogger;
    let initial = file.value ?? 0;
    const lastIndex = options.log?.lastIndex;
    if (lastIndex !== undefined && initial > lastIndex) {
      logger.warn("high-water-mark.above-log", {
        persisted: initial,
        lastIndex,
        advice: "the log lost entries it had synced; the leader will resend them",
      });
      initial = lastIndex;
    }
    return new HighWaterMark(initial, { file, scheduler: options.scheduler, delayMs, logger });
  }

  /** The mark: every index at or below it is committed. */
  get mark(): number {
    return this.#mark;
  }

  /** The mark known durable (a lower bound of {@link HighWaterMark.mark}); 0 when in memory. */
  get persistedMark(): number {
    return this.#persistence?.file.durableValue ?? 0;
  }

  /** Whether `index` is committed (at or below the mark). */
  isCommitted(index: number): boolean {
    return index <= this.#mark;
  }

  /**
   * Raises the mark to `index` if that is higher; returns whether it moved. Listeners run
   * synchronously, in registration order, when it moves.
   *
   * @throws `InvalidArgumentError` unless `index` is a safe integer ≥ 0.
   */
  advance(index: number): boolean {
    assertIndex(index, "index");
    if (index <= this.#mark) return false;
    this.#mark = index;
    this.#schedulePersist();
    for (const listener of this.#listeners) listener(index);
    return true;
  }

  /**
   * A follower's rule, on every request from the current leader: the mark becomes
   * min(`leaderMark`, `lastMatchingIndex`), if that is higher — never past what this node is known
   * to hold in agreement with the leader. `lastMatchingIndex` is the last index this request
   * proved to match the leader's log (its `prevLogIndex` plus the entries it carried), and must be
   * durably written.
   */
  followLeader(leaderMark: number, lastMatchingIndex: number): boolean {
    assertIndex(leaderMark, "leaderMark");
    assertIndex(lastMatchingIndex, "lastMatchingIndex");
    return this.advance(Math.min(leaderMark, lastMatchingIndex));
  }

  /**
   * The read gate: reads entry `index` from `log` if it is committed.
   *
   * @throws {@link NotCommittedError} (definite, nothing read) when `index` is above the mark.
   */
  async readCommitted<E>(index: number, log: { read(index: number): Promise<E> }): Promise<E> {
    assertIndex(index, "index");
    if (index > this.#mark) throw new NotCommittedError(index, this.#mark);
    return log.read(index);
  }

  /**
   * The truncation guard: a log may be cut from `fromIndex` only above the mark. Committed entries
   * are never removed; a request to is a bug (or a leader that lost committed entries).
   *
   * @throws `InvariantError` when `fromIndex` is at or below the mark.
   */
  guardTruncation(fromIndex: number): void {
    invariant(
      fromIndex > this.#mark,
      () =>
        `a log truncation from index ${fromIndex} would remove committed entries (the ` +
        `high-water mark is ${this.#mark}); committed entries are never truncated`,
    );
  }

  /** Calls `listener(mark)` whenever the mark moves; returns a function that unregisters it. */
  onAdvance(listener: (mark: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Writes the current mark now (for a persisted mark); resolves once it is durable. */
  async flush(): Promise<void> {
    const persistence = this.#persistence;
    if (persistence === undefined) return;
    this.#cancelPersist?.();
    this.#cancelPersist = undefined;
    if (persistence.file.value !== this.#mark) await persistence.file.save(this.#mark);
    await persistence.file.flushed();
  }

  /** Stops the lazy persistence timer (without writing). Idempotent. */
  close(): void {
    this.#cancelPersist?.();
    this.#cancelPersist = undefined;
    this.#listeners.clear();
  }

  #schedulePersist(): void {
    const persistence = this.#persistence;
    if (persistence === undefined || this.#cancelPersist !== undefined) return;
    this.#cancelPersist = persistence.scheduler.after(persistence.delayMs, () => {
      this.#cancelPersist = undefined;
      if (persistence.file.failed) return;
      persistence.file.save(this.#mark).catch((error: unknown) => {
        persistence.logger.warn("high-water-mark.persist-failed", {
          mark: this.#mark,
          error: String(error),
          advice: "the mark stays a lower bound; restart the node to persist again",
        });
      });
    });
  }
}
