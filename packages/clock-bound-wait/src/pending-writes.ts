import { TimeoutError, type Scheduler } from "@pods/core-interfaces";
import {
  assertHybridTimestamp,
  compareHybridTimestamps,
  hybridTimestampToIso,
  type HybridTimestamp,
} from "@pods/hybrid-clock";
import { PendingWritesFullError } from "./errors.ts";
import { countOption, requiredMs } from "./options.ts";

/** The default {@link PendingWritesOptions.pendingMax}: 10 000 writes. */
export const defaultPendingMax = 10_000;
/** The default {@link PendingWritesOptions.waitersMax}: 10 000 reads. */
export const defaultWaitersMax = 10_000;

/** Options of {@link PendingWrites}. */
export interface PendingWritesOptions {
  /** The most writes pending at once. Default {@link defaultPendingMax}. */
  readonly pendingMax?: number;
  /** The most reads waiting for pending writes at once. Default {@link defaultWaitersMax}. */
  readonly waitersMax?: number;
}

/** A write that has a timestamp but is not visible yet. */
export interface PendingWrite {
  /** The key written. */
  readonly key: string;
  /**
   * The write's timestamp, or a lower bound of it: the write becomes visible at this version or
   * a later one, never an earlier one.
   */
  readonly version: HybridTimestamp;
}

/** A registered pending write; {@link PendingHandle.resolve} it once it is visible or abandoned. */
export interface PendingHandle extends PendingWrite {
  /** Whether it was resolved. */
  readonly resolved: boolean;
  /** Removes the write from the registry and releases the reads waiting for it. Idempotent. */
  resolve(): void;
}

/** Options of {@link PendingWrites.whenSettled}. */
export interface SettleOptions {
  /** Wait for pending writes at or below this timestamp. */
  readonly upTo: HybridTimestamp;
  /** Which keys matter; a pending write of another key is not waited for. */
  readonly keys: (key: string) => boolean;
  /** Where the timeout runs. */
  readonly scheduler: Scheduler;
  /** How long to wait at most, in ms; then the wait fails with `TimeoutError`. */
  readonly timeoutMs: number;
}

interface Waiter {
  remaining: number;
  readonly finish: () => void;
}

interface Entry {
  readonly write: PendingWrite;
  readonly waiters: Set<Waiter>;
}

/**
 * The writes that have chosen a timestamp but are not visible yet: commit-waiting writes, or
 * uncommitted intents of a two-phase commit. A read at T must not decide while a write at or
 * below T may still appear, so it waits for those writes with {@link PendingWrites.whenSettled}.
 *
 * Every node that serves reads of the same data must see the same registry (in a replicated
 * store: the writes in flight in the log). A read waits only for the writes pending when it
 * asks; writes registered later are concurrent with the read.
 */
export class PendingWrites {
  /** The most writes pending at once. */
  readonly pendingMax: number;
  /** The most reads waiting at once. */
  readonly waitersMax: number;
  readonly #entries = new Set<Entry>();
  #waiters = 0;

  /**
   * @param options - the limits.
   * @throws `InvalidArgumentError` for a bad limit.
   */
  constructor(options: PendingWritesOptions = {}) {
    this.pendingMax = countOption(options.pendingMax, defaultPendingMax, "pendingMax");
    this.waitersMax = countOption(options.waitersMax, defaultWaitersMax, "waitersMax");
  }

  /** The number of pending writes. */
  get size(): number {
    return this.#entries.size;
  }

  /** The number of reads waiting for pending writes. */
  get waiterCount(): number {
    return this.#waiters;
  }

  /** The pending writes, in the order they were registered. */
  list(): PendingWrite[] {
    return [...this.#entries].map((entry) => entry.write);
  }

  /**
   * Registers a write of `key` at `version` (or above) as pending.
   *
   * @throws {@link PendingWritesFullError} when `pendingMax` writes are pending.
   * @throws `InvalidArgumentError` for a malformed version.
   */
  add(key: string, version: HybridTimestamp): PendingHandle {
    assertHybridTimestamp(version, "pending write version");
    if (this.#entries.size >= this.pendingMax) {
      throw new PendingWritesFullError("pendingMax", this.pendingMax);
    }
    const entry: Entry = { write: { key, version }, waiters: new Set() };
    this.#entries.add(entry);
    const entries = this.#entries;
    let resolved = false;
    return {
      key,
      version,
      get resolved() {
        return resolved;
      },
      resolve() {
        if (resolved) return;
        resolved = true;
        entries.delete(entry);
        for (const waiter of entry.waiters) {
          waiter.remaining--;
          if (waiter.remaining === 0) waiter.finish();
        }
      },
    };
  }

  /**
   * Resolves, with how many writes it waited for, once none of the writes pending now whose key
   * matches and whose version is at or below `upTo` is still pending.
   *
   * @throws `TimeoutError` (rejects) after `timeoutMs`; the writes may still become visible.
   * @throws {@link PendingWritesFullError} when `waitersMax` reads are waiting already.
   */
  whenSettled(options: SettleOptions): Promise<number> {
    const { upTo, keys, scheduler } = options;
    const timeoutMs = requiredMs(options.timeoutMs, "timeoutMs");
    const blocking = [...this.#entries].filter(
      (entry) => keys(entry.write.key) && compareHybridTimestamps(entry.write.version, upTo) <= 0,
    );
    if (blocking.length === 0) return Promise.resolve(0);
    if (this.#waiters >= this.waitersMax) {
      return Promise.reject(new PendingWritesFullError("waitersMax", this.waitersMax));
    }
    this.#waiters++;
    return new Promise<number>((resolve, reject) => {
      const leave = (): void => {
        this.#waiters--;
        for (const entry of blocking) entry.waiters.delete(waiter);
      };
      const cancelTimeout = scheduler.after(timeoutMs, () => {
        leave();
        reject(
          new TimeoutError(
            `waiting for ${waiter.remaining} pending write(s) at or below ` +
              hybridTimestampToIso(upTo),
            timeoutMs,
          ),
        );
      });
      const waiter: Waiter = {
        remaining: blocking.length,
        finish: () => {
          cancelTimeout();
          leave();
          resolve(blocking.length);
        },
      };
      for (const entry of blocking) entry.waiters.add(waiter);
    });
  }
}
