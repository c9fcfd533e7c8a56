import {
  ClosedError,
  CompactedError,
  InvalidArgumentError,
  type Cancel,
} from "@pods/core-interfaces";
import {
  LogFailedError,
  SegmentedLog,
  type ReadFromOptions,
  type RecordInput,
  type SegmentInfo,
  type TornTail,
} from "@pods/segmented-log";
import {
  checkType,
  entryBody,
  entryOf,
  payloadBytes,
  type Entry,
  type EntryInput,
} from "./entry.ts";
import { AppendQueueFullError } from "./errors.ts";
import { GenerationRuns } from "./generation-runs.ts";
import {
  resolveWalOptions,
  type ResolvedWalOptions,
  type WriteAheadLogEnv,
  type WriteAheadLogOptions,
} from "./options.ts";

/** What a repair (`repair: "truncate-at-corruption"`) cut. */
export interface WalRepairReport {
  /** The segment file where the damage was found. */
  readonly file: string;
  /** Where in it the log was cut. */
  readonly offset: number;
  /** The first index lost. */
  readonly index: number;
  /** What was wrong. */
  readonly problem: string;
  /** The entries after the cut that still verified, in index order (payloads copied). */
  readonly lostEntries: readonly Entry[];
}

/** What open found and did. */
export interface WalRecoveryReport {
  /** `true` when there was no log and open created an empty one. */
  readonly created: boolean;
  /** How many entries open verified and replayed. */
  readonly entries: number;
  /** The torn tail cut off (a partial last write of a crash), if there was one. */
  readonly tornTail: TornTail | undefined;
  /** Leftover files open removed (temporary files, a segment whose roll a crash cut short). */
  readonly removedFiles: readonly string[];
  /** What a repair cut, if `repair` was set and damage found. */
  readonly repair: WalRepairReport | undefined;
}

/** Counters of the log's work since open. */
export interface WalMetrics {
  /** Entries appended. */
  readonly appends: number;
  /** Payload bytes appended. */
  readonly appendedBytes: number;
  /** Writes of a group of appends (one disk write each, unless a segment rolled). */
  readonly batches: number;
  /** fsyncs issued by the log (group commits, interval syncs, `sync()`, `close()`). */
  readonly syncs: number;
  /** Total time spent in those fsyncs, in ms of monotonic time. */
  readonly syncLatencyMsTotal: number;
  /** The longest of them, in ms. */
  readonly syncLatencyMsMax: number;
  /** The index of the last entry appended (accepted). */
  readonly lastIndex: number;
  /** The index of the last entry written to the disk (readable). */
  readonly writtenIndex: number;
  /** The index of the last entry known durable. */
  readonly durableIndex: number;
}

interface AppendOperation {
  readonly kind: "append";
  readonly records: RecordInput[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface ControlOperation {
  readonly kind: "control";
  readonly run: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Operation = AppendOperation | ControlOperation;

interface WrittenWaiter {
  readonly index: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Microtask turns the writer waits before taking a batch, so that appenders whose earlier append
 * just resolved can queue their next one and share the batch (an `await` chain takes a few turns).
 */
const batchGatherTurns = 8;

/**
 * A write-ahead log: every change is appended as an entry (index, generation, type tag, wall
 * timestamp, payload) to a checksummed, segmented log on a `Disk` before it is applied, and
 * acknowledged only once as durable as the {@link SyncPolicy} says. Reopening verifies every
 * entry and replays them.
 *
 * Appends, truncations, syncs and `close` are served one at a time in call order by a single
 * writer. Under `sync: "always"` it takes every append queued while the previous fsync ran, writes
 * them with one disk write and covers them with one fsync (group commit). Indexes are assigned when
 * an append is called, so `lastIndex` counts entries not written yet; reads of such an entry wait
 * until it is written.
 */
export class WriteAheadLog {
  /** What open found and did: entries replayed, a cut torn tail, a repair. */
  readonly recovery: WalRecoveryReport;
  readonly #log: SegmentedLog;
  readonly #env: WriteAheadLogEnv;
  readonly #options: ResolvedWalOptions;
  readonly #generations: GenerationRuns;
  readonly #queue: Operation[] = [];
  readonly #waiters: WrittenWaiter[] = [];
  #nextIndex: number;
  #writtenIndex: number;
  #durableIndex: number;
  #pendingBytes = 0;
  #draining = false;
  #closing: Promise<void> | undefined;
  #failure: LogFailedError | undefined;
  #syncTimer: Cancel | undefined;
  #appends = 0;
  #appendedBytes = 0;
  #batches = 0;
  #syncs = 0;
  #syncLatencyMsTotal = 0;
  #syncLatencyMsMax = 0;

  private constructor(
    env: WriteAheadLogEnv,
    options: ResolvedWalOptions,
    log: SegmentedLog,
    generations: GenerationRuns,
    recovery: WalRecoveryReport,
  ) {
    this.#env = env;
    this.#options = options;
    this.#log = log;
    this.#generations = generations;
    this.recovery = recovery;
    this.#nextIndex = log.lastIndex + 1;
    this.#writtenIndex = log.lastIndex;
    this.#durableIndex = log.lastIndex;
  }

  /**
   * Opens the log in `options.dir` (creating it when missing), verifying the checksum and index of
   * every entry and handing each to `options.replay`. A torn tail — a damaged last entry with
   * nothing valid after it, as a crash during a write leaves — is cut off, synced and reported in
   * `recovery.tornTail`.
   *
   * @throws `CorruptionError` naming file, offset and index for damage that is not a torn tail
   *   (files untouched), unless `repair: "truncate-at-corruption"` is set.
   * @throws `InvalidArgumentError` for bad options; `IOError` when the disk fails.
   */
  static async open(
    env: WriteAheadLogEnv,
    options: WriteAheadLogOptions = {},
  ): Promise<WriteAheadLog> {
    const resolved = resolveWalOptions(options);
    const replay = options.replay;
    const runStarts: number[] = [];
    const runGenerations: number[] = [];
    let lastGeneration = -1;
    const log = await SegmentedLog.open(
      env.disk,
      {
        ...(options.dir === undefined ? {} : { dir: options.dir }),
        ...pick(options, [
          "segmentBytesMax",
          "segmentRecordsMax",
          "segmentAgeMsMax",
          "indexIntervalBytes",
          "readChunkBytes",
          "readHandlesMax",
          "startIndex",
          "previousGeneration",
          "repair",
        ]),
        recordBytesMax: resolved.entryBytesMax + 1,
        ...(env.logger === undefined ? {} : { logger: env.logger }),
      },
      (record) => {
        const entry = entryOf(record);
        if (entry.generation !== lastGeneration) {
          runStarts.push(entry.index);
          runGenerations.push(entry.generation);
          lastGeneration = entry.generation;
        }
        replay?.(entry);
      },
    );
    const generations = new GenerationRuns(log.firstIndex - 1, log.previousGeneration);
    let next = 0;
    for (let index = log.firstIndex; index <= log.lastIndex; index++) {
      if (runStarts[next] === index) next++;
      generations.append(index, runGenerations[next - 1] ?? log.previousGeneration);
    }
    const report = log.recovery;
    const recovery: WalRecoveryReport = {
      created: report.created,
      entries: report.records,
      tornTail: report.tornTail,
      removedFiles: report.removedFiles,
      repair:
        report.repair === undefined
          ? undefined
          : {
              file: report.repair.file,
              offset: report.repair.offset,
              index: report.repair.index,
              problem: report.repair.problem,
              lostEntries: report.repair.lostRecords.flatMap((record) =>
                record.body.length === 0 ? [] : [entryOf(record)],
              ),
            },
    };
    return new WriteAheadLog(env, resolved, log, generations, recovery);
  }

  /** The oldest index kept (`lastIndex + 1` when the log is empty). */
  get firstIndex(): number {
    return this.#log.firstIndex;
  }

  /** The index of the last entry appended (accepted, possibly not written yet); 0 when empty. */
  get lastIndex(): number {
    return this.#nextIndex - 1;
  }

  /** The generation of the last entry; that of the entry before `firstIndex` when empty. */
  get lastGeneration(): number {
    return this.#generations.lastGeneration;
  }

  /** The index of the last entry known durable (synced). */
  get durableIndex(): number {
    return this.#durableIndex;
  }

  /** The index of the last entry written to the disk (readable without waiting). */
  get writtenIndex(): number {
    return this.#writtenIndex;
  }

  /** A snapshot of the counters. */
  get metrics(): WalMetrics {
    return {
      appends: this.#appends,
      appendedBytes: this.#appendedBytes,
      batches: this.#batches,
      syncs: this.#syncs,
      syncLatencyMsTotal: this.#syncLatencyMsTotal,
      syncLatencyMsMax: this.#syncLatencyMsMax,
      lastIndex: this.lastIndex,
      writtenIndex: this.#writtenIndex,
      durableIndex: this.#durableIndex,
    };
  }

  /**
   * The generation of entry `index`, from `firstIndex - 1` (the entry before the first, kept for
   * log matching; 0 for index 0 of a log starting at 1) to `lastIndex`.
   *
   * @throws `CompactedError` below `firstIndex - 1`; `InvalidArgumentError` above `lastIndex`.
   */
  generationAt(index: number): number {
    const generation = this.#generations.at(index);
    if (generation !== undefined) return generation;
    if (Number.isSafeInteger(index) && index >= 0 && index < this.#generations.previousIndex) {
      throw new CompactedError(this.firstIndex, index);
    }
    throw new InvalidArgumentError(
      `generationAt(${String(index)}): the log holds generations for indexes ` +
        `${this.#generations.previousIndex} to ${this.lastIndex}.`,
    );
  }

  /**
   * Appends one entry; resolves with its index once it is as durable as the sync policy says.
   *
   * @throws `ClosedError` after `close()`; `InvalidArgumentError` for a bad entry (nothing
   *   appended); {@link AppendQueueFullError} when too much is waiting; `LogFailedError` or
   *   `IOError` when the disk failed (the entry may or may not be on disk; reopen).
   */
  async append(entry: EntryInput): Promise<number> {
    const [index] = await this.appendBatch([entry]);
    return index!;
  }

  /**
   * Appends an entry that must get index `entry.index` (`lastIndex + 1`): how a follower copies
   * its leader's log after resolving conflicts with `truncateFrom`.
   *
   * @throws `InvalidArgumentError` when `entry.index` is missing or not `lastIndex + 1`.
   */
  async appendAt(entry: EntryInput & { readonly index: number }): Promise<number> {
    if (typeof entry !== "object" || entry === null || entry.index === undefined) {
      throw new InvalidArgumentError("appendAt needs the entry's index: { index, payload, ... }.");
    }
    return this.append(entry);
  }

  /**
   * Appends entries in order, in one group; resolves with their indexes. Entries that name their
   * `index` must name consecutive ones from `lastIndex + 1`; otherwise nothing is appended.
   */
  async appendBatch(entries: readonly EntryInput[]): Promise<number[]> {
    this.#assertOpen();
    if (!Array.isArray(entries))
      throw new InvalidArgumentError("appendBatch needs an array of entries.");
    const { records, bytes } = this.#prepare(entries);
    if (this.#pendingBytes > 0 && this.#pendingBytes + bytes > this.#options.pendingBytesMax) {
      throw new AppendQueueFullError(this.#pendingBytes, this.#options.pendingBytesMax);
    }
    for (const record of records) this.#generations.append(record.index, record.generation);
    this.#nextIndex += records.length;
    this.#pendingBytes += bytes;
    this.#appends += records.length;
    this.#appendedBytes += bytes;
    const indexes = records.map((record) => record.index);
    if (records.length === 0) return indexes;
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: "append", records, bytes, resolve, reject });
      this.#kick();
    });
    return indexes;
  }

  /**
   * Checks `entries` and turns them into records, assigning indexes and generations; `bytes` is
   * the sum of their payload bytes.
   */
  #prepare(entries: readonly EntryInput[]): { records: RecordInput[]; bytes: number } {
    const timestampMs = this.#env.clock.wallMs();
    let generation = this.lastGeneration;
    let bytes = 0;
    const records = entries.map((entry, at): RecordInput => {
      // Named only when an error is thrown: building the name costs more than the checks.
      const what = (): string => `Entry ${at}`;
      const length = typeof entry === "object" && entry !== null ? payloadBytes(entry.payload) : -1;
      if (length < 0) {
        throw new InvalidArgumentError(
          `${what()}: payload must be a Uint8Array or an array of them.`,
        );
      }
      bytes += length;
      if (length > this.#options.entryBytesMax) {
        throw new InvalidArgumentError(
          `${what()}: the payload has ${length} bytes, more than entryBytesMax (${this.#options.entryBytesMax}).`,
        );
      }
      const type = entry.type ?? 0;
      checkType(type, what);
      const index = this.#nextIndex + at;
      if (entry.index !== undefined && entry.index !== index) {
        throw new InvalidArgumentError(
          `${what()} asks for index ${String(entry.index)}, but it would get ${index}: entries must be ` +
            "appended at consecutive indexes from lastIndex + 1 (truncateFrom first to replace entries).",
        );
      }
      const entryGeneration = entry.generation ?? generation;
      if (!Number.isSafeInteger(entryGeneration) || entryGeneration < generation) {
        throw new InvalidArgumentError(
          `${what()}: generation must be a safe integer >= the log's last generation ${generation}, ` +
            `got ${String(entryGeneration)}.`,
        );
      }
      generation = entryGeneration;
      return { index, generation, timestampMs, body: entryBody(type, entry.payload) };
    });
    return { records, bytes };
  }

  /**
   * Reads entry `index`, waiting for its write if it was appended but not written yet.
   *
   * @throws `CompactedError` below `firstIndex` (with `firstIndex` as the low-water mark);
   *   `InvalidArgumentError` above `lastIndex`; `ClosedError` after close; `CorruptionError` when
   *   its bytes no longer verify.
   */
  async read(index: number): Promise<Entry> {
    await this.#readable(index, this.lastIndex);
    return entryOf(await this.#log.read(index));
  }

  /**
   * Reads up to `limit` entries from `index` on, in order, crossing segments, in large reads.
   * `index` may be `lastIndex + 1` (no entries). Entries not written yet when the read starts are
   * left out (the first one is waited for).
   *
   * @throws like {@link WriteAheadLog.read}.
   */
  async readFrom(index: number, limit: number, options: ReadFromOptions = {}): Promise<Entry[]> {
    await this.#readable(index, this.lastIndex + 1);
    const records = await this.#log.readFrom(index, limit, options);
    return records.map(entryOf);
  }

  /**
   * Iterates over the entries from `fromIndex` (default `firstIndex`) to the last one written.
   * If older segments are deleted while it runs, it either finishes from the data it holds or
   * throws `CompactedError`; it never yields a wrong or skipped entry.
   */
  async *entries(fromIndex: number = this.firstIndex): AsyncGenerator<Entry, void, undefined> {
    this.#assertOpen();
    for await (const record of this.#log.records(fromIndex)) yield entryOf(record);
  }

  async #readable(index: number, end: number): Promise<void> {
    this.#assertOpen();
    if (!Number.isSafeInteger(index) || index < 1) {
      throw new InvalidArgumentError(`index must be a safe integer >= 1, got ${String(index)}.`);
    }
    if (index < this.firstIndex) throw new CompactedError(this.firstIndex, index);
    if (index > end) {
      throw new InvalidArgumentError(
        `Index ${index} is past the end of the log (last index ${this.lastIndex}).`,
      );
    }
    const wanted = Math.min(index, this.lastIndex);
    if (wanted > this.#writtenIndex) {
      await new Promise<void>((resolve, reject) => {
        this.#waiters.push({ index: wanted, resolve, reject });
      });
    }
  }

  /**
   * Removes entry `index` and every later one (inclusive: `lastIndex` becomes `index - 1`), after
   * the operations called before it; durable when it resolves. The next append gets `index`.
   * `truncateFrom(lastIndex + 1)` does nothing.
   *
   * @throws `InvalidArgumentError` below `firstIndex` or beyond `lastIndex + 1`.
   */
  async truncateFrom(index: number): Promise<void> {
    this.#assertOpen();
    if (!Number.isSafeInteger(index) || index < this.firstIndex || index > this.lastIndex + 1) {
      throw new InvalidArgumentError(
        `truncateFrom(${String(index)}) needs an index from firstIndex ${this.firstIndex} to ` +
          `lastIndex + 1 (${this.lastIndex + 1}).`,
      );
    }
    if (index === this.lastIndex + 1) return this.#control(() => Promise.resolve());
    this.#generations.truncateFrom(index);
    this.#nextIndex = index;
    return this.#control(async () => {
      await this.#log.truncateFrom(index);
      this.#writtenIndex = Math.min(this.#writtenIndex, index - 1);
      this.#durableIndex = Math.min(this.#durableIndex, index - 1);
      this.#dropWaitersAbove(this.lastIndex);
    });
  }

  /**
   * Deletes the whole sealed segments whose entries are all below `index` (prefix removal, for the
   * low-water mark) and resolves with the new `firstIndex`. The generation of the entry before it
   * is kept. Never deletes the active segment.
   *
   * @throws `InvalidArgumentError` unless `index` is from 1 to `lastIndex + 1`.
   */
  async truncateBefore(index: number): Promise<number> {
    this.#assertOpen();
    if (!Number.isSafeInteger(index) || index < 1 || index > this.lastIndex + 1) {
      throw new InvalidArgumentError(
        `truncateBefore(${String(index)}) needs an index from 1 to lastIndex + 1 (${this.lastIndex + 1}).`,
      );
    }
    return this.#control(async () => {
      const firstIndex = await this.#log.truncateBefore(index);
      this.#generations.truncateBefore(firstIndex);
      return firstIndex;
    });
  }

  /**
   * Discards every entry and continues at `startIndex`, with `previousGeneration` as the
   * generation of the entry before it: a follower installing a snapshot. Durable when it resolves.
   */
  async reset(startIndex: number, previousGeneration: number): Promise<void> {
    this.#assertOpen();
    if (!Number.isSafeInteger(startIndex) || startIndex < 1) {
      throw new InvalidArgumentError(
        `reset: startIndex must be a safe integer >= 1, got ${String(startIndex)}.`,
      );
    }
    if (!Number.isSafeInteger(previousGeneration) || previousGeneration < 0) {
      throw new InvalidArgumentError(
        `reset: previousGeneration must be a safe integer >= 0, got ${String(previousGeneration)}.`,
      );
    }
    this.#nextIndex = startIndex;
    this.#generations.reset(startIndex - 1, previousGeneration);
    return this.#control(async () => {
      await this.#log.reset(startIndex, previousGeneration);
      this.#writtenIndex = startIndex - 1;
      this.#durableIndex = startIndex - 1;
      this.#dropWaitersAbove(this.lastIndex);
    });
  }

  /** Makes every entry appended before the call durable; resolves with {@link WriteAheadLog.durableIndex}. */
  async sync(): Promise<number> {
    this.#assertOpen();
    return this.#control(() => this.#syncNow());
  }

  /** The segments, oldest first (the last is the active one): for cleaners and tests. */
  segments(): SegmentInfo[] {
    return this.#log.segments();
  }

  /**
   * Finishes the operations called before it, syncs what is not durable yet, and closes the files.
   * Later calls throw `ClosedError`. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#syncTimer?.();
    this.#syncTimer = undefined;
    await this.#control(async () => {
      if (this.#writtenIndex > this.#durableIndex) await this.#syncNow();
    }).catch(() => undefined);
    await this.#log.close();
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ClosedError(`write-ahead log ${this.#log.dir}/`);
    if (this.#failure !== undefined) throw this.#failure;
  }

  #control<T>(run: () => Promise<T>): Promise<T> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        kind: "control",
        run,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#kick();
    });
  }

  #kick(): void {
    if (!this.#draining) {
      this.#draining = true;
      void this.#drain();
    }
  }

  /** The single writer: serves the queue in order, grouping consecutive appends. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        for (let turn = 0; turn < batchGatherTurns; turn++) await Promise.resolve();
        const head = this.#queue[0]!;
        if (head.kind === "control") {
          this.#queue.shift();
          try {
            head.resolve(await head.run());
          } catch (error) {
            head.reject(error);
            if (!(error instanceof InvalidArgumentError)) this.#fail(error);
          }
          continue;
        }
        const batch: AppendOperation[] = [];
        let bytes = 0;
        for (;;) {
          const next = this.#queue[0];
          if (next?.kind !== "append") break;
          if (batch.length > 0 && bytes + next.bytes > this.#options.groupCommitBytesMax) break;
          this.#queue.shift();
          batch.push(next);
          bytes += next.bytes;
        }
        await this.#commit(batch, bytes);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #commit(batch: AppendOperation[], bytes: number): Promise<void> {
    const records =
      batch.length === 1 ? batch[0]!.records : batch.flatMap((operation) => operation.records);
    try {
      await this.#log.append(records);
      this.#batches++;
      this.#writtenIndex = records[records.length - 1]!.index;
      this.#wakeReaders();
      if (this.#options.sync === "always") await this.#syncNow();
      else this.#armSyncTimer();
    } catch (error) {
      this.#pendingBytes -= bytes;
      for (const operation of batch) operation.reject(error);
      this.#fail(error);
      return;
    }
    this.#pendingBytes -= bytes;
    for (const operation of batch) operation.resolve();
  }

  async #syncNow(): Promise<number> {
    const started = this.#env.clock.monotonicMs();
    this.#durableIndex = await this.#log.sync();
    const latencyMs = this.#env.clock.monotonicMs() - started;
    this.#syncs++;
    this.#syncLatencyMsTotal += latencyMs;
    this.#syncLatencyMsMax = Math.max(this.#syncLatencyMsMax, latencyMs);
    return this.#durableIndex;
  }

  #armSyncTimer(): void {
    const intervalMs = this.#options.sync;
    if (typeof intervalMs !== "number" || this.#syncTimer !== undefined) return;
    this.#syncTimer = this.#env.scheduler.after(intervalMs, () => {
      this.#syncTimer = undefined;
      if (this.#closing !== undefined || this.#failure !== undefined) return;
      this.#control(() => this.#syncNow()).catch(() => undefined);
    });
  }

  #wakeReaders(): void {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((waiter) => waiter.index <= this.#writtenIndex);
    if (ready.length === 0) return;
    this.#waiters.splice(
      0,
      this.#waiters.length,
      ...this.#waiters.filter((waiter) => waiter.index > this.#writtenIndex),
    );
    for (const waiter of ready) waiter.resolve();
  }

  /** Fails the reads waiting for entries above `index`: they were removed before being written. */
  #dropWaitersAbove(index: number): void {
    const gone = this.#waiters.filter((waiter) => waiter.index > index);
    if (gone.length === 0) return;
    this.#waiters.splice(
      0,
      this.#waiters.length,
      ...this.#waiters.filter((waiter) => waiter.index <= index),
    );
    for (const waiter of gone) {
      waiter.reject(
        new InvalidArgumentError(
          `Entry ${waiter.index} was truncated before it was written; read up to ${index}.`,
        ),
      );
    }
  }

  /** After a failed write, sync or truncation: refuse everything from now on (reopen to recover). */
  #fail(error: unknown): void {
    this.#failure ??=
      error instanceof LogFailedError ? error : new LogFailedError(this.#log.dir, error);
    for (const operation of this.#queue.splice(0)) operation.reject(this.#failure);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
    this.#syncTimer?.();
    this.#syncTimer = undefined;
  }
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const picked: Partial<T> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked as Pick<T, K>;
}
