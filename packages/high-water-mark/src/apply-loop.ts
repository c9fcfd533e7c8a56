import { InvalidArgumentError, invariant, noopLogger, type Logger } from "@pods/core-interfaces";
import type { RequestWaitingList } from "@pods/request-waiting-list";
import type { Entry } from "@pods/write-ahead-log";
import { EntryOverwrittenError } from "./errors.ts";
import type { HighWaterMark } from "./high-water-mark.ts";

/** Where the apply loop reads committed entries: a `WriteAheadLog` fits. */
export interface EntrySource {
  /** Up to `limit` consecutive entries from `index`. */
  readFrom(index: number, limit: number): Promise<Entry[]>;
}

/** Options of {@link ApplyLoop}. */
export interface ApplyLoopOptions<Result> {
  /** The node's log. */
  readonly log: EntrySource;
  /** The node's mark: the loop applies up to it, and follows it as it moves. */
  readonly highWaterMark: HighWaterMark;
  /**
   * Applies one committed entry to the state machine and returns the result for its proposer.
   * Called once per index, in index order, never concurrently. It must be deterministic and must
   * not throw: return errors as results (a throw stops the loop; see {@link ApplyLoop.failure}).
   */
  readonly apply: (entry: Entry) => Result | Promise<Result>;
  /** The last index already applied (a snapshot's index, after a restart). Default 0. */
  readonly lastApplied?: number;
  /**
   * Where client proposals wait, keyed by log index (`keyedBy: "index"`). Required to
   * {@link ApplyLoop.register} proposals; the owner keeps it to `failAll` on leadership loss.
   */
  readonly proposals?: RequestWaitingList<number, never, Result>;
  /** Entries read from the log at a time. Default 64. */
  readonly batchEntriesMax?: number;
  /** Receives `apply-loop.failed`. Default none. */
  readonly logger?: Logger;
}

/**
 * Applies committed entries — `lastApplied + 1 … mark` — strictly in index order, exactly once
 * each, as the high-water mark moves, and completes the client proposals waiting for them.
 *
 * A proposal is registered with the index and generation it was appended at. When that index is
 * applied, the proposal completes with the state machine's result if the applied entry has the
 * proposal's generation; if another entry was committed there (a new leader replaced it), it fails
 * with {@link EntryOverwrittenError} (indefinite).
 */
export class ApplyLoop<Result> {
  readonly #log: EntrySource;
  readonly #highWaterMark: HighWaterMark;
  readonly #apply: (entry: Entry) => Result | Promise<Result>;
  readonly #proposals: RequestWaitingList<number, never, Result> | undefined;
  readonly #proposedGeneration = new Map<number, number>();
  readonly #batchEntriesMax: number;
  readonly #logger: Logger;
  readonly #unsubscribe: () => void;
  #lastApplied: number;
  #running = false;
  #closed = false;
  #failure: Error | undefined = undefined;
  #idleWaiters: { readonly index: number; resolve(): void; reject(error: unknown): void }[] = [];

  /** @throws `InvalidArgumentError` for bad options. */
  constructor(options: ApplyLoopOptions<Result>) {
    const lastApplied = options.lastApplied ?? 0;
    const batch = options.batchEntriesMax ?? 64;
    for (const [name, value, minimum] of [
      ["lastApplied", lastApplied, 0],
      ["batchEntriesMax", batch, 1],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < minimum) {
        throw new InvalidArgumentError(
          `${name} must be a safe integer >= ${minimum}, got ${String(value)}.`,
        );
      }
    }
    this.#log = options.log;
    this.#highWaterMark = options.highWaterMark;
    this.#apply = options.apply;
    this.#proposals = options.proposals;
    this.#batchEntriesMax = batch;
    this.#logger = options.logger ?? noopLogger;
    this.#lastApplied = lastApplied;
    this.#unsubscribe = options.highWaterMark.onAdvance(() => this.#kick());
    this.#kick();
  }

  /** The last index applied. */
  get lastApplied(): number {
    return this.#lastApplied;
  }

  /** Why the loop stopped (the error `apply` or the log threw), or `undefined` while it runs. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Registers the client proposal appended at `index` in `generation`: resolves with the state
   * machine's result when that index is applied with that generation; fails with
   * {@link EntryOverwrittenError} when another entry was applied there, or as the waiting list
   * fails it (`TimeoutError`, `failAll`). Register right after appending, before yielding.
   *
   * @throws `InvalidArgumentError` without a `proposals` list, or for an index already applied.
   */
  register(index: number, generation: number): Promise<Result> {
    if (this.#proposals === undefined) {
      throw new InvalidArgumentError(
        'This apply loop has no proposals list; pass `proposals` (keyedBy: "index") to register proposals.',
      );
    }
    if (!Number.isSafeInteger(index) || index <= this.#lastApplied) {
      throw new InvalidArgumentError(
        `Cannot register a proposal at index ${String(index)}: indexes up to ${this.#lastApplied} are applied.`,
      );
    }
    const result = this.#proposals.wait(index);
    this.#proposedGeneration.set(index, generation);
    return result;
  }

  /**
   * Resolves once every index up to `index` is applied (a read that must see them waits here).
   *
   * @throws the loop's failure, if it stops first.
   */
  appliedUpTo(index: number): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (index <= this.#lastApplied) return Promise.resolve();
    return new Promise((resolve, reject) => this.#idleWaiters.push({ index, resolve, reject }));
  }

  /** Stops following the mark. Entries being applied finish; nothing more is applied. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe();
  }

  #kick(): void {
    if (this.#running || this.#closed || this.#failure !== undefined) return;
    if (this.#lastApplied >= this.#highWaterMark.mark) return;
    this.#running = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      while (!this.#closed && this.#lastApplied < this.#highWaterMark.mark) {
        const from = this.#lastApplied + 1;
        const limit = Math.min(this.#batchEntriesMax, this.#highWaterMark.mark - this.#lastApplied);
        const entries = await this.#log.readFrom(from, limit);
        invariant(
          entries[0]?.index === from,
          () => `the log has no entry at index ${from}, which the high-water mark covers`,
        );
        for (const entry of entries) {
          if (entry.index !== this.#lastApplied + 1 || entry.index > this.#highWaterMark.mark)
            break;
          const result = await this.#apply(entry);
          this.#lastApplied = entry.index;
          this.#settleProposal(entry, result);
          this.#wakeWaiters();
        }
      }
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
      this.#logger.error("apply-loop.failed", {
        lastApplied: this.#lastApplied,
        error: String(error),
      });
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const waiter of waiters) waiter.reject(this.#failure);
    } finally {
      this.#running = false;
    }
    this.#kick();
  }

  #settleProposal(entry: Entry, result: Result): void {
    const proposals = this.#proposals;
    const generation = this.#proposedGeneration.get(entry.index);
    this.#proposedGeneration.delete(entry.index);
    if (proposals === undefined || !proposals.has(entry.index)) return;
    if (generation === undefined || generation === entry.generation) {
      proposals.completeUpTo(entry.index, () => result);
    } else {
      proposals.handleError(
        entry.index,
        new EntryOverwrittenError(entry.index, generation, entry.generation),
      );
    }
  }

  #wakeWaiters(): void {
    if (this.#idleWaiters.length === 0) return;
    const ready = this.#idleWaiters.filter((w) => w.index <= this.#lastApplied);
    if (ready.length === 0) return;
    this.#idleWaiters = this.#idleWaiters.filter((w) => w.index > this.#lastApplied);
    for (const waiter of ready) waiter.resolve();
  }
}
