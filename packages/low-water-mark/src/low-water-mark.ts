import {
  ClosedError,
  CompactedError,
  InvalidArgumentError,
  invariant,
  noopLogger,
} from "@pods/core-interfaces";
import type {
  Entry,
  ReadFromOptions,
  WalRecoveryReport,
  WriteAheadLog,
  WriteAheadLogEnv,
} from "@pods/write-ahead-log";
import { LogCleaner, type CleanerMetrics, type CleanReport } from "./log-cleaner.ts";
import {
  cleanerOptionsOf,
  resolveTriggers,
  type LowWaterMarkOptions,
  type ResolvedTriggers,
  type SnapshotStateMachine,
} from "./options.ts";
import { openLogAfterSnapshot } from "./restart.ts";
import { SnapshotStore, type SnapshotMeta, type SnapshotStoreRecovery } from "./snapshot-store.ts";
import { SnapshotTaker } from "./snapshot-taker.ts";

/** The ports `LowWaterMark` uses: disk, clock (timestamps, ages), scheduler (the cleaner), logger. */
export type LowWaterMarkEnv = WriteAheadLogEnv;

/** What open found and did. */
export interface LowWaterMarkRecovery {
  /** The snapshot the state was restored from, if any. */
  readonly snapshot: SnapshotMeta | undefined;
  /** How many entries after it were replayed. */
  readonly replayed: number;
  /**
   * Whether the log did not continue the snapshot (it ended before the snapshot's index, as a
   * crash during an install leaves it, or held a different generation there) and was reset to
   * start right after it.
   */
  readonly logReset: boolean;
  /** What the write-ahead log's open found. */
  readonly wal: WalRecoveryReport;
  /** What the snapshot store's open found. */
  readonly snapshots: SnapshotStoreRecovery;
}

/** What a lagging follower should be sent, from `LowWaterMark.catchUp`. */
export type CatchUp =
  | {
      /** The entries are still in the log. */
      readonly kind: "entries";
      /** The index before the first entry (for log matching). */
      readonly prevIndex: number;
      /** The generation at `prevIndex`. */
      readonly prevGeneration: number;
      /** The entries from the index asked for, in order. */
      readonly entries: readonly Entry[];
    }
  | {
      /** The index asked for is below the low-water mark: install the snapshot first. */
      readonly kind: "snapshot";
      /** The low-water mark: the lowest index still in the log. */
      readonly mark: number;
      /** The newest snapshot, to stream with `snapshots.openReader`. */
      readonly snapshot: SnapshotMeta;
    };

/** Counters and positions, for tests and dashboards. */
export interface LowWaterMarkMetrics {
  /** The low-water mark: the lowest index still in the log. */
  readonly mark: number;
  /** The last index applied (as told to `noteApplied`, or replayed). */
  readonly lastApplied: number;
  /** The newest snapshot's last included index (0 without one). */
  readonly snapshotIndex: number;
  /** Snapshots saved since open. */
  readonly snapshotsSaved: number;
  /** Snapshot saves that failed (logged; the next trigger retries). */
  readonly snapshotFailures: number;
  /** The cleaner's counters. */
  readonly cleaner: CleanerMetrics;
}

/**
 * A write-ahead log kept short by snapshots: the owner applies entries and says so with
 * `noteApplied`; every `snapshotEveryEntries` (or bytes) the state is captured at that single
 * applied index and saved durably; only then may the mark rise, and a {@link LogCleaner} on the
 * scheduler deletes the sealed segments wholly below
 * `min(max(snapshot mark, retention mark), safety floor)`. Open restores the newest valid snapshot
 * and replays the entries after it.
 *
 * The low-water mark is `max(first segment's base, newest snapshot's index + 1 −
 * entriesRetainedAfterSnapshot)`: it rises once a snapshot is durable (before any segment is
 * deleted), only rises, and is derived again at restart from the snapshot and the first segment.
 * Reads through `read`, `readFrom` and `entries` below it throw `CompactedError` carrying it, and
 * `catchUp` sends followers below it the snapshot instead.
 */
export class LowWaterMark {
  /**
   * The log: append (and truncate a conflicting tail) here. Read through `read`, `readFrom` and
   * `entries` of the `LowWaterMark` to be refused below the mark; the log itself refuses only
   * below its first index.
   */
  readonly wal: WriteAheadLog;
  /** The snapshots. */
  readonly snapshots: SnapshotStore;
  /** The cleaner (started by open). */
  readonly cleaner: LogCleaner;
  /** What open found and did. */
  readonly recovery: LowWaterMarkRecovery;
  readonly #machine: SnapshotStateMachine;
  readonly #triggers: ResolvedTriggers;
  readonly #taker: SnapshotTaker;
  #closing: Promise<void> | undefined;

  private constructor(
    env: LowWaterMarkEnv,
    parts: { wal: WriteAheadLog; snapshots: SnapshotStore },
    options: LowWaterMarkOptions,
    triggers: ResolvedTriggers,
    recovery: LowWaterMarkRecovery,
  ) {
    this.wal = parts.wal;
    this.snapshots = parts.snapshots;
    this.#machine = options.stateMachine;
    this.#triggers = triggers;
    this.recovery = recovery;
    const logger = env.logger ?? noopLogger;
    const cleanerOptions = cleanerOptionsOf(options);
    const ownerFloor = cleanerOptions.safetyFloor ?? (() => Number.POSITIVE_INFINITY);
    this.cleaner = new LogCleaner(parts.wal, env, {
      ...cleanerOptions,
      snapshotMark: () => this.#snapshotMark(),
      // Restart recovery starts from the newest snapshot: never delete an entry after it.
      safetyFloor: () => Math.min(ownerFloor(), this.snapshotIndex + 1),
    });
    const snapshotIndex = recovery.snapshot?.lastIncludedIndex ?? 0;
    this.#taker = new SnapshotTaker(
      {
        wal: parts.wal,
        store: parts.snapshots,
        machine: options.stateMachine,
        triggers,
        logger,
        // Once a snapshot is durable the mark may rise: clean now rather than at the next pass.
        afterSave: () =>
          this.cleaner.clean().catch((error: unknown) => {
            logger.warn("low-water-mark.clean-failed", { error });
          }),
      },
      options.stateMachine.replay === undefined ? snapshotIndex : parts.wal.lastIndex,
    );
  }

  /**
   * Opens the snapshot store and the log and rebuilds the state: restores the newest valid
   * snapshot, replays the entries after it, and starts the cleaner. If open throws, discard the
   * state the state machine was given.
   *
   * @throws `CorruptionError` when the log starts after the newest snapshot's index + 1 (entries
   *   between are missing), or damage the log or store cannot recover from; `InvalidArgumentError`
   *   for bad options; `IOError` when the disk fails.
   */
  static async open(env: LowWaterMarkEnv, options: LowWaterMarkOptions): Promise<LowWaterMark> {
    const triggers = resolveTriggers(options);
    const logger = env.logger ?? noopLogger;
    const machine = options.stateMachine;
    const snapshots = await SnapshotStore.open(env.disk, { ...options.snapshots, logger });
    const latest = snapshots.latest();
    if (latest !== undefined) machine.restore(await snapshots.load(latest.lastIncludedIndex));
    const replay = machine.replay?.bind(machine);
    const { wal, replayed, logReset } = await openLogAfterSnapshot(
      env,
      options.wal,
      latest,
      replay,
      logger,
    );
    const self = new LowWaterMark(env, { wal, snapshots }, options, triggers, {
      snapshot: latest,
      replayed,
      logReset,
      wal: wal.recovery,
      snapshots: snapshots.recovery,
    });
    self.cleaner.start();
    return self;
  }

  /**
   * The low-water mark: the lowest index still readable, `max(wal.firstIndex, snapshotIndex + 1 −
   * entriesRetainedAfterSnapshot)`. Only rises.
   */
  get mark(): number {
    return Math.max(this.wal.firstIndex, this.#snapshotMark());
  }

  /** The last index applied: replayed at open, or told through `noteApplied`. */
  get lastApplied(): number {
    return this.#taker.lastApplied;
  }

  /** The newest snapshot's last included index; 0 without a snapshot. */
  get snapshotIndex(): number {
    return this.snapshots.latest()?.lastIncludedIndex ?? 0;
  }

  /** Counters and positions. */
  get metrics(): LowWaterMarkMetrics {
    return {
      mark: this.mark,
      lastApplied: this.lastApplied,
      snapshotIndex: this.snapshotIndex,
      snapshotsSaved: this.#taker.saved,
      snapshotFailures: this.#taker.failed,
      cleaner: this.cleaner.metrics,
    };
  }

  #snapshotMark(): number {
    const index = this.snapshotIndex;
    return index === 0 ? 1 : Math.max(1, index + 1 - this.#triggers.entriesRetainedAfterSnapshot);
  }

  /**
   * Tells that the entries up to `index` have been applied (`payloadBytes` of them since the last
   * call, for the bytes trigger). When a trigger fires and no snapshot is being saved, the state is
   * captured now, at `index`, and saved in the background (failures are logged and counted; the
   * next trigger retries).
   *
   * @throws `InvalidArgumentError` when `index` is below `lastApplied` or beyond the log's last
   *   index, or `payloadBytes` is negative; `ClosedError` after `close()`.
   */
  noteApplied(index: number, payloadBytes = 0): void {
    this.#assertOpen();
    this.#taker.noteApplied(index, payloadBytes);
  }

  /**
   * Captures the state at `lastApplied` now and saves it; once it is durable, runs a cleaning pass
   * so the mark can rise. Resolves with the newest snapshot (the existing one when nothing was
   * applied since).
   *
   * @throws `ClosedError` after `close()`; whatever `capture` or the save throws.
   */
  snapshot(): Promise<SnapshotMeta | undefined> {
    this.#assertOpen();
    return this.#taker.snapshot();
  }

  /**
   * Installs a snapshot from another node, already in the store (`snapshots.receive(...).finish()`
   * or `snapshots.save`): restores the state from it and, unless the log holds the snapshot's last
   * entry with the same generation (then the entries after it are kept), resets the log to start
   * right after it; then cleans. A snapshot not beyond `lastApplied` changes nothing (resolves
   * `false`).
   *
   * @throws `InvalidArgumentError` when the store holds no snapshot at that index.
   */
  async installSnapshot(lastIncludedIndex: number): Promise<boolean> {
    this.#assertOpen();
    if (lastIncludedIndex <= this.lastApplied) return false;
    const snapshot = await this.snapshots.load(lastIncludedIndex);
    const { lastIncludedGeneration: generation } = snapshot;
    this.#machine.restore(snapshot);
    this.#taker.installed(lastIncludedIndex);
    const wal = this.wal;
    const keepsSuffix =
      lastIncludedIndex <= wal.lastIndex &&
      lastIncludedIndex >= wal.firstIndex - 1 &&
      wal.generationAt(lastIncludedIndex) === generation;
    if (!keepsSuffix) {
      await this.cleaner.exclusive(() => wal.reset(lastIncludedIndex + 1, generation));
    }
    await this.cleaner.clean();
    return true;
  }

  /**
   * Reads entry `index`.
   *
   * @throws `CompactedError` (carrying the mark) below the mark; otherwise as `WriteAheadLog.read`.
   */
  async read(index: number): Promise<Entry> {
    this.#assertReadable(index);
    return this.wal.read(index).catch((error: unknown) => this.#rethrow(error, index));
  }

  /**
   * Reads up to `limit` entries from `index` on, in order, across segments.
   *
   * @throws `CompactedError` (carrying the mark) below the mark; otherwise as
   *   `WriteAheadLog.readFrom`.
   */
  async readFrom(index: number, limit: number, options: ReadFromOptions = {}): Promise<Entry[]> {
    this.#assertReadable(index);
    return this.wal
      .readFrom(index, limit, options)
      .catch((error: unknown) => this.#rethrow(error, index));
  }

  /**
   * Iterates over the entries from `fromIndex` (default: the mark) to the last one written. If the
   * segments ahead of it are deleted meanwhile, it finishes the chunk it holds, then throws
   * `CompactedError` carrying the mark: never a wrong or skipped entry.
   *
   * @throws `CompactedError` below the mark.
   */
  async *entries(fromIndex: number = this.mark): AsyncGenerator<Entry, void, undefined> {
    this.#assertReadable(fromIndex);
    try {
      yield* this.wal.entries(fromIndex);
    } catch (error) {
      this.#rethrow(error);
    }
  }

  #assertReadable(index: number): void {
    this.#assertOpen();
    const mark = this.mark;
    if (Number.isSafeInteger(index) && index >= 1 && index < mark) {
      throw new CompactedError(mark, index);
    }
  }

  /** The log's `CompactedError` carries its first index: say the mark instead. */
  #rethrow(error: unknown, index?: number): never {
    if (error instanceof CompactedError)
      throw new CompactedError(this.mark, index, { cause: error });
    throw error;
  }

  /**
   * What to send a follower whose next index is `nextIndex`: up to `limit` entries from it (with
   * the index and generation before them), or — when `nextIndex` is below the low-water mark — the
   * mark and the newest snapshot to install first.
   *
   * @throws `InvalidArgumentError` when `nextIndex` is not from 1 to `lastIndex + 1`.
   */
  async catchUp(nextIndex: number, limit: number, options: ReadFromOptions = {}): Promise<CatchUp> {
    this.#assertOpen();
    if (!Number.isSafeInteger(nextIndex) || nextIndex < 1 || nextIndex > this.wal.lastIndex + 1) {
      throw new InvalidArgumentError(
        `catchUp(${String(nextIndex)}) needs an index from 1 to lastIndex + 1 (${this.wal.lastIndex + 1}).`,
      );
    }
    if (nextIndex >= this.mark) {
      const prevGeneration = this.wal.generationAt(nextIndex - 1);
      try {
        const entries = await this.readFrom(nextIndex, limit, options);
        return { kind: "entries", prevIndex: nextIndex - 1, prevGeneration, entries };
      } catch (error) {
        if (!(error instanceof CompactedError)) throw error; // a clean overtook the read
      }
    }
    const snapshot = this.snapshots.latest();
    invariant(snapshot !== undefined, "entries below the mark are covered by a snapshot");
    return { kind: "snapshot", mark: this.mark, snapshot };
  }

  /** Runs a cleaning pass now (after the one in progress); see `LogCleaner.clean`. */
  clean(): Promise<CleanReport> {
    this.#assertOpen();
    return this.cleaner.clean();
  }

  /**
   * Stops the cleaner, waits for snapshots being saved, and closes the log (syncing it). Later
   * calls throw `ClosedError`. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.cleaner.stop();
      await this.#taker.idle();
      await this.wal.close();
    })();
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ClosedError("the low-water mark (and its log)");
  }
}
