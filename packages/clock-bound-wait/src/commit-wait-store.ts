import { InvalidArgumentError, type Scheduler } from "@pods/core-interfaces";
import type { HybridClock, HybridTimestamp } from "@pods/hybrid-clock";
import type { VersionedStore, VersionedValue } from "@pods/versioned-value";
import type { ClockBound } from "./clock-bound.ts";
import { timestampAtOrAfter } from "./hybrid-versions.ts";
import { msOption, requireMethod } from "./options.ts";
import { PendingWrites } from "./pending-writes.ts";
import { checkKey, checkRange, type ClockCheck } from "./store-checks.ts";
import { defaultWaitMsMax, waitUntilPast } from "./wait-until-past.ts";

/** The default `pendingWaitMsMax` of the stores: 5000 ms. */
export const defaultPendingWaitMsMax = 5000;

/** Options of {@link CommitWaitStore}. */
export interface CommitWaitStoreOptions<V> {
  /** The versioned store (hybrid timestamps as versions); shared by every node serving it. */
  readonly store: VersionedStore<V, HybridTimestamp>;
  /**
   * This node's hybrid clock; it stamps writes. Its node id must not be empty (it keeps writes of
   * different nodes apart), and its `maxOffsetMs` must exceed `bound.errorBoundMsMax` + 2.
   */
  readonly clock: HybridClock;
  /** This node's bounded clock, on the same wall clock as `clock`. */
  readonly bound: ClockBound;
  /** Where waits run. */
  readonly scheduler: Scheduler;
  /**
   * The writes pending on the store; shared by every node serving it. Default: a new registry
   * (right when this node is the only one writing and reading the store).
   */
  readonly pending?: PendingWrites;
  /**
   * The longest a commit wait or a read wait may take, in ms; a longer one fails with
   * `ClockUnsafeError`. At least 2 × `bound.errorBoundMsMax` + 2. Default 1000.
   */
  readonly waitMsMax?: number;
  /** The longest a read waits for pending writes, in ms, before `TimeoutError`. Default 5000. */
  readonly pendingWaitMsMax?: number;
  /** Checked before each operation, e.g. a {@link ClockFence}; throws to refuse service. */
  readonly fence?: ClockCheck;
}

/** An acknowledged write. */
export interface CommittedWrite {
  /** The write's timestamp: its version in the store. */
  readonly version: HybridTimestamp;
  /** How long the write was held, from taking its timestamp to visibility, in ms (monotonic). */
  readonly waitedMs: number;
}

/** What a read returns: its result, the timestamp it read at, and how long it waited. */
export interface WaitedRead<T> {
  /** The value read (for a range: the entries). */
  readonly result: T;
  /** The timestamp the read was made at. */
  readonly readTs: HybridTimestamp;
  /** How long the read waited (clock, then pending writes), in ms of monotonic time. */
  readonly waitedMs: number;
}

/** Counts and durations of the waits of a {@link CommitWaitStore}, for metrics. */
export interface WaitStats {
  /** Writes acknowledged. */
  readonly commits: number;
  /** Total commit wait, in ms. */
  readonly commitWaitMsTotal: number;
  /** Longest commit wait, in ms. */
  readonly commitWaitMsMax: number;
  /** Reads answered. */
  readonly reads: number;
  /** Total read wait (clock and pending writes), in ms. */
  readonly readWaitMsTotal: number;
  /** Longest read wait, in ms. */
  readonly readWaitMsMax: number;
}

/**
 * A versioned store with commit wait and read wait: once a write is acknowledged, every read that
 * starts later — on any node whose clock bound holds — sees it (external consistency).
 *
 * - A write takes a timestamp at or above `latest` of this node's bounded clock, registers as
 *   pending, waits until `earliest` is past it (so every correct clock in the cluster is past
 *   it), becomes visible, and is acknowledged with the time waited.
 * - A read takes `latest` as its timestamp, waits until `earliest` is past it (so no write that
 *   starts later can get a timestamp at or below it), waits until no write of the key at or below
 *   it is pending, and returns the newest version at or below it.
 *
 * One instance per node; several instances over one store and one {@link PendingWrites} registry
 * model nodes serving the same (replicated) data with their own clocks.
 */
export class CommitWaitStore<V> {
  /** The versioned store written and read. */
  readonly store: VersionedStore<V, HybridTimestamp>;
  /** The writes pending on the store. */
  readonly pending: PendingWrites;
  /** This node's bounded clock. */
  readonly bound: ClockBound;
  /** The longest wait on the clock, in ms. */
  readonly waitMsMax: number;
  /** The longest wait for pending writes, in ms. */
  readonly pendingWaitMsMax: number;
  readonly #clock: HybridClock;
  readonly #scheduler: Scheduler;
  readonly #fence: ClockCheck | undefined;
  #commits = 0;
  #commitWaitMsTotal = 0;
  #commitWaitMsMax = 0;
  #reads = 0;
  #readWaitMsTotal = 0;
  #readWaitMsMax = 0;

  /**
   * @param options - the store, clocks, scheduler, limits and fence.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: CommitWaitStoreOptions<V>) {
    requireMethod(options.store, "putAt", "CommitWaitStore options.store");
    requireMethod(options.clock, "update", "CommitWaitStore options.clock");
    requireMethod(options.bound, "now", "CommitWaitStore options.bound");
    requireMethod(options.scheduler, "after", "CommitWaitStore options.scheduler");
    if (options.fence !== undefined) requireMethod(options.fence, "check", "options.fence");
    const { clock, bound } = options;
    if (clock.nodeId === "") {
      throw new InvalidArgumentError(
        "CommitWaitStore needs a HybridClock with a nodeId, so that writes of different nodes " +
          "never get the same timestamp.",
      );
    }
    if (clock.maxOffsetMs < bound.errorBoundMsMax + 2) {
      throw new InvalidArgumentError(
        `The HybridClock's maxOffsetMs (${clock.maxOffsetMs}) must be at least ` +
          `bound.errorBoundMsMax + 2 (${bound.errorBoundMsMax + 2}): write timestamps run up to ` +
          "the error bound ahead of the wall clock.",
      );
    }
    this.waitMsMax = msOption(options.waitMsMax, defaultWaitMsMax, "waitMsMax");
    if (this.waitMsMax < 2 * bound.errorBoundMsMax + 2) {
      throw new InvalidArgumentError(
        `waitMsMax (${this.waitMsMax}) must be at least 2 × bound.errorBoundMsMax + 2 ` +
          `(${2 * bound.errorBoundMsMax + 2}): a commit wait lasts up to twice the error bound.`,
      );
    }
    this.pendingWaitMsMax = msOption(
      options.pendingWaitMsMax,
      defaultPendingWaitMsMax,
      "pendingWaitMsMax",
    );
    this.store = options.store;
    this.pending = options.pending ?? new PendingWrites();
    this.bound = bound;
    this.#clock = clock;
    this.#scheduler = options.scheduler;
    this.#fence = options.fence;
  }

  /** Counts and durations of the waits so far. */
  get waitStats(): WaitStats {
    return {
      commits: this.#commits,
      commitWaitMsTotal: this.#commitWaitMsTotal,
      commitWaitMsMax: this.#commitWaitMsMax,
      reads: this.#reads,
      readWaitMsTotal: this.#readWaitMsTotal,
      readWaitMsMax: this.#readWaitMsMax,
    };
  }

  /**
   * Writes `value` to `key` with commit wait; resolves once it is visible and certainly in the
   * past on every correct clock.
   *
   * @throws `ClockUnsafeError` (rejects; nothing written) when the clock bound is unusable, the
   *   wait would exceed `waitMsMax`, or the fence refuses.
   * @throws `PendingWritesFullError`, `InvalidArgumentError` (rejects; nothing written).
   */
  put(key: string, value: V): Promise<CommittedWrite> {
    return this.#write(key, (version) => this.store.putAt(key, version, value));
  }

  /**
   * Deletes `key` (writes a tombstone) with commit wait, like {@link CommitWaitStore.put}.
   *
   * @throws as {@link CommitWaitStore.put}.
   */
  delete(key: string): Promise<CommittedWrite> {
    return this.#write(key, (version) => this.store.deleteAt(key, version));
  }

  /**
   * Reads `key` with read wait: its newest version at or below the read timestamp (`undefined`
   * when there is none or it is a delete).
   *
   * @throws `ClockUnsafeError` (rejects) as {@link CommitWaitStore.put}.
   * @throws `TimeoutError` (rejects) when a pending write does not settle within
   *   `pendingWaitMsMax`.
   */
  get(key: string): Promise<WaitedRead<VersionedValue<V, HybridTimestamp> | undefined>> {
    return this.#read(
      () => checkKey(this.store, key),
      (candidate) => candidate === key,
      (readTs) => this.store.get(key, readTs),
    );
  }

  /**
   * Reads the keys in [`start`, `end`) with read wait, one entry per key with a value, in key
   * order (`end` undefined: to the last key), at most `limit` of them.
   *
   * @throws as {@link CommitWaitStore.get}.
   */
  range(
    start: string,
    end: string | undefined,
    options: { readonly limit?: number } = {},
  ): Promise<WaitedRead<VersionedValue<V, HybridTimestamp>[]>> {
    return this.#read(
      () => checkRange(start, end, options.limit),
      (key) => key >= start && (end === undefined || key < end),
      (readTs) => this.store.range(start, end, { atVersion: readTs, limit: options.limit }),
    );
  }

  async #write(key: string, apply: (version: HybridTimestamp) => void): Promise<CommittedWrite> {
    this.#fence?.check();
    checkKey(this.store, key);
    const startedMs = this.bound.clock.monotonicMs();
    const version = this.#clock.update(timestampAtOrAfter(this.bound.now().latestMs));
    const handle = this.pending.add(key, version);
    try {
      await waitUntilPast(version.wallMs, this.#waitOptions());
      apply(version);
      const waitedMs = this.bound.clock.monotonicMs() - startedMs;
      this.#commits++;
      this.#commitWaitMsTotal += waitedMs;
      this.#commitWaitMsMax = Math.max(this.#commitWaitMsMax, waitedMs);
      return { version, waitedMs };
    } finally {
      handle.resolve();
    }
  }

  async #read<T>(
    validate: () => void,
    keys: (key: string) => boolean,
    read: (readTs: HybridTimestamp) => T,
  ): Promise<WaitedRead<T>> {
    this.#fence?.check();
    validate();
    const startedMs = this.bound.clock.monotonicMs();
    const readTs = timestampAtOrAfter(this.bound.now().latestMs);
    await waitUntilPast(readTs.wallMs, this.#waitOptions());
    await this.pending.whenSettled({
      upTo: readTs,
      keys,
      scheduler: this.#scheduler,
      timeoutMs: this.pendingWaitMsMax,
    });
    const result = read(readTs);
    const waitedMs = this.bound.clock.monotonicMs() - startedMs;
    this.#reads++;
    this.#readWaitMsTotal += waitedMs;
    this.#readWaitMsMax = Math.max(this.#readWaitMsMax, waitedMs);
    return { result, readTs, waitedMs };
  }

  #waitOptions() {
    return { bound: this.bound, scheduler: this.#scheduler, waitMsMax: this.waitMsMax };
  }
}
