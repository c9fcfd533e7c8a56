import type { Scheduler } from "@pods/core-interfaces";
import {
  assertHybridTimestamp,
  compareHybridTimestamps,
  maxHybridTimestamp,
  type HybridClock,
  type HybridTimestamp,
} from "@pods/hybrid-clock";
import type { VersionedStore, VersionedValue } from "@pods/versioned-value";
import { defaultPendingWaitMsMax } from "./commit-wait-store.ts";
import { msOption, requireMethod } from "./options.ts";
import { PendingWrites } from "./pending-writes.ts";
import { checkKey, checkRange, type ClockCheck } from "./store-checks.ts";
import type { RestartRequired, UncertaintyRequest } from "./uncertainty-window.ts";

/** Options of {@link ReadRestartStore}. */
export interface ReadRestartStoreOptions<V> {
  /** The versioned store (hybrid timestamps as versions) this node serves. */
  readonly store: VersionedStore<V, HybridTimestamp>;
  /**
   * This node's hybrid clock. It stamps writes, is updated with every read timestamp, and its
   * readings are the observed timestamps of answers.
   */
  readonly clock: HybridClock;
  /** Where waits for pending writes time out. */
  readonly scheduler: Scheduler;
  /**
   * Uncommitted writes (two-phase commit intents) on the store. A read waits for those of its
   * keys at or below its window's top before it decides. Default: a new, empty registry.
   */
  readonly pending?: PendingWrites;
  /** The longest a read waits for pending writes, in ms, before `TimeoutError`. Default 5000. */
  readonly pendingWaitMsMax?: number;
  /** Checked before each operation, e.g. a {@link ClockFence}; throws to refuse service. */
  readonly fence?: ClockCheck;
}

/** A read that found no version in its uncertainty window: its value is certain. */
export interface UncertainValue<V> {
  /** Marks an answer. */
  readonly kind: "value";
  /** The timestamp read at. */
  readonly readTs: HybridTimestamp;
  /** The newest version at or below `readTs`; `undefined` when none or a delete. */
  readonly entry: VersionedValue<V, HybridTimestamp> | undefined;
  /** The serving node's clock when it answered (see {@link RestartRequired.observedTs}). */
  readonly observedTs: HybridTimestamp;
}

/** A range read that found no version in its uncertainty window. */
export interface UncertainValues<V> {
  /** Marks an answer. */
  readonly kind: "values";
  /** The timestamp read at. */
  readonly readTs: HybridTimestamp;
  /** One entry per key with a value at `readTs`, in key order. */
  readonly entries: VersionedValue<V, HybridTimestamp>[];
  /**
   * Where the next page starts when `limit` cut the scan short (pass it as `start`, with the
   * same window); `undefined` when the range is complete.
   */
  readonly resumeFrom: string | undefined;
  /** The serving node's clock when it answered (see {@link RestartRequired.observedTs}). */
  readonly observedTs: HybridTimestamp;
}

/** The answer to a single-key read: a value, or a restart. */
export type UncertainGet<V> = UncertainValue<V> | RestartRequired;

/** The answer to a range read: the entries, or a restart. */
export type UncertainRange<V> = UncertainValues<V> | RestartRequired;

/** Counts of a {@link ReadRestartStore}'s reads, for metrics. */
export interface RestartStats {
  /** Reads answered (values and restarts). */
  readonly reads: number;
  /** Reads answered with a restart. */
  readonly restarts: number;
}

/**
 * The serving side of read-restart mode: writes become visible at once (no commit wait), and a
 * read at `readTs` that finds a version in its uncertainty window (`readTs`, `uncertaintyLimit`]
 * is answered with a typed `restart` — never silently with the older value, which may be stale
 * because the version above `readTs` may have been written before the read began.
 *
 * Every version must be stamped by (or merged into) this node's clock before it becomes visible —
 * `put` and `delete` do that — so that observed timestamps are sound. The reading side is
 * {@link UncertaintyWindow} with {@link readWithRestarts}.
 */
export class ReadRestartStore<V> {
  /** The versioned store served. */
  readonly store: VersionedStore<V, HybridTimestamp>;
  /** The uncommitted writes reads wait for. */
  readonly pending: PendingWrites;
  /** The longest wait for pending writes, in ms. */
  readonly pendingWaitMsMax: number;
  readonly #clock: HybridClock;
  readonly #scheduler: Scheduler;
  readonly #fence: ClockCheck | undefined;
  #reads = 0;
  #restarts = 0;

  /**
   * @param options - the store, clock, scheduler, pending writes and fence.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: ReadRestartStoreOptions<V>) {
    requireMethod(options.store, "newestVersionBetween", "ReadRestartStore options.store");
    requireMethod(options.clock, "update", "ReadRestartStore options.clock");
    requireMethod(options.scheduler, "after", "ReadRestartStore options.scheduler");
    if (options.fence !== undefined) requireMethod(options.fence, "check", "options.fence");
    this.store = options.store;
    this.pending = options.pending ?? new PendingWrites();
    this.pendingWaitMsMax = msOption(
      options.pendingWaitMsMax,
      defaultPendingWaitMsMax,
      "pendingWaitMsMax",
    );
    this.#clock = options.clock;
    this.#scheduler = options.scheduler;
    this.#fence = options.fence;
  }

  /** Counts of the reads so far. */
  get restartStats(): RestartStats {
    return { reads: this.#reads, restarts: this.#restarts };
  }

  /**
   * Writes `value` to `key`, visible at once, at a timestamp from this node's clock — merged with
   * `sentTs`, the writer's timestamp, when given, so the write is stamped after it.
   *
   * @returns the write's version.
   * @throws `ClockOffsetError` when `sentTs` is too far ahead of this node's clock; whatever the
   *   fence or the store throws.
   */
  put(key: string, value: V, sentTs?: HybridTimestamp): HybridTimestamp {
    return this.#write(key, sentTs, (version) => this.store.putAt(key, version, value));
  }

  /**
   * Deletes `key` (a tombstone), like {@link ReadRestartStore.put}.
   *
   * @throws as {@link ReadRestartStore.put}.
   */
  delete(key: string, sentTs?: HybridTimestamp): HybridTimestamp {
    return this.#write(key, sentTs, (version) => this.store.deleteAt(key, version));
  }

  /**
   * Reads `key` at `request.readTs`, or answers `restart` when the key has a version in the
   * request's uncertainty window. Pending writes of the key at or below the window's top are
   * waited for first.
   *
   * @throws `ClockOffsetError` (rejects) when the read timestamp is too far ahead of this node's
   *   clock; `TimeoutError` when pending writes do not settle in `pendingWaitMsMax`.
   */
  async get(key: string, request: UncertaintyRequest): Promise<UncertainGet<V>> {
    this.#fence?.check();
    checkKey(this.store, key);
    const { readTs, uncertaintyLimit } = this.#accept(request);
    await this.#settle(request, (candidate) => candidate === key);
    const restartAt = this.store.newestVersionBetween(key, readTs, uncertaintyLimit);
    const observedTs = this.#clock.now();
    this.#reads++;
    if (restartAt !== undefined) return this.#restart(readTs, restartAt, key, observedTs);
    return { kind: "value", readTs, entry: this.store.get(key, readTs), observedTs };
  }

  /**
   * Reads the keys in [`start`, `end`) at `request.readTs` (one entry per key with a value, in
   * key order, at most `limit`), or answers `restart` when any key of the range has a version in
   * the uncertainty window — checked per key, for every key with a value at the read timestamp
   * or at the window's top. A key with neither has the same (absent) value at both ends of the
   * window, so it cannot make the answer stale.
   *
   * @throws as {@link ReadRestartStore.get}.
   */
  async range(
    start: string,
    end: string | undefined,
    request: UncertaintyRequest,
    options: { readonly limit?: number } = {},
  ): Promise<UncertainRange<V>> {
    this.#fence?.check();
    const { limit } = options;
    checkRange(start, end, limit);
    const { readTs, uncertaintyLimit } = this.#accept(request);
    await this.#settle(request, (key) => key >= start && (end === undefined || key < end));
    const atRead = this.store.range(start, end, { atVersion: readTs, limit });
    const atLimit =
      compareHybridTimestamps(uncertaintyLimit, readTs) > 0
        ? this.store.range(start, end, { atVersion: uncertaintyLimit, limit })
        : [];
    // With a limit, each scan covers keys up to its last entry when it is full; the page ends at
    // the lower of those, and keys beyond it are left to the next page.
    let pageEnd: string | undefined;
    for (const scan of [atRead, atLimit]) {
      const last = scan.at(-1)?.key;
      if (scan.length === limit && last !== undefined && (pageEnd === undefined || last < pageEnd))
        pageEnd = last;
    }
    const inPage = (key: string): boolean => pageEnd === undefined || key <= pageEnd;
    let restartAt: HybridTimestamp | undefined;
    let restartKey = "";
    for (const key of new Set([...atRead, ...atLimit].map((entry) => entry.key))) {
      if (!inPage(key)) continue;
      const newest = this.store.newestVersionBetween(key, readTs, uncertaintyLimit);
      if (
        newest !== undefined &&
        (restartAt === undefined || compareHybridTimestamps(newest, restartAt) > 0)
      ) {
        restartAt = newest;
        restartKey = key;
      }
    }
    const observedTs = this.#clock.now();
    this.#reads++;
    if (restartAt !== undefined) return this.#restart(readTs, restartAt, restartKey, observedTs);
    const entries = atRead.filter((entry) => inPage(entry.key));
    const resumeFrom = pageEnd === undefined ? undefined : `${pageEnd}\0`;
    return { kind: "values", readTs, entries, resumeFrom, observedTs };
  }

  #write(
    key: string,
    sentTs: HybridTimestamp | undefined,
    apply: (version: HybridTimestamp) => void,
  ): HybridTimestamp {
    this.#fence?.check();
    checkKey(this.store, key);
    const version = sentTs === undefined ? this.#clock.now() : this.#clock.update(sentTs);
    apply(version);
    return version;
  }

  /** Checks a request and merges its read timestamp into the clock, so later writes stamp above it. */
  #accept(request: UncertaintyRequest): UncertaintyRequest {
    assertHybridTimestamp(request.readTs, "readTs");
    assertHybridTimestamp(request.uncertaintyLimit, "uncertaintyLimit");
    this.#clock.update(request.readTs);
    return request;
  }

  #settle(request: UncertaintyRequest, keys: (key: string) => boolean): Promise<number> {
    return this.pending.whenSettled({
      upTo: maxHybridTimestamp(request.readTs, request.uncertaintyLimit),
      keys,
      scheduler: this.#scheduler,
      timeoutMs: this.pendingWaitMsMax,
    });
  }

  #restart(
    readTs: HybridTimestamp,
    restartAt: HybridTimestamp,
    key: string,
    observedTs: HybridTimestamp,
  ): RestartRequired {
    this.#restarts++;
    return { kind: "restart", readTs, restartAt, key, observedTs };
  }
}
