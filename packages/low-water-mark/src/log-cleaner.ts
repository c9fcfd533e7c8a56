import {
  ClosedError,
  InvalidArgumentError,
  noopLogger,
  type Cancel,
  type Env,
  type Logger,
} from "@pods/core-interfaces";
import type { SegmentInfo } from "@pods/segmented-log";
import {
  resolveCleanerOptions,
  type LogCleanerOptions,
  type ResolvedCleanerOptions,
} from "./options.ts";
import { planClean, type CleanPlan } from "./retention.ts";

/**
 * What the cleaner needs of a log: its segments and prefix removal. `WriteAheadLog` and
 * `SegmentedLog` both fit.
 */
export interface CleanableLog {
  /** The oldest index kept: the low-water mark. */
  readonly firstIndex: number;
  /** The newest index. */
  readonly lastIndex: number;
  /** The segments, oldest first; the last is the active one. */
  segments(): SegmentInfo[];
  /** Deletes the sealed segments wholly below `index`, oldest first; resolves with the new `firstIndex`. */
  truncateBefore(index: number): Promise<number>;
}

/** The ports the cleaner uses: the wall clock (ages), the scheduler, and a logger. */
export type LogCleanerEnv = Pick<Env, "clock" | "scheduler"> & {
  /** Where failed passes are reported. Default none. */
  readonly logger?: Logger;
};

/** What one cleaning pass decided and did. */
export interface CleanReport extends CleanPlan {
  /** The wall-clock reading the ages were measured against. */
  readonly nowMs: number;
  /** The low-water mark (the log's `firstIndex`) before the pass. */
  readonly markBefore: number;
  /** The low-water mark after it. */
  readonly mark: number;
  /** The segments deleted, oldest first. */
  readonly deleted: readonly SegmentInfo[];
}

/** Counters of the cleaner's work. */
export interface CleanerMetrics {
  /** Passes completed. */
  readonly passes: number;
  /** Passes that failed (reported through the logger; the next one retries). */
  readonly failedPasses: number;
  /** Segments deleted. */
  readonly segmentsDeleted: number;
  /** Bytes of the segments deleted. */
  readonly bytesDeleted: number;
}

function readMark(name: string, read: () => number): number {
  const value = read();
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new InvalidArgumentError(`${name}() must return a number, got ${String(value)}.`);
  }
  return value;
}

/**
 * Deletes the sealed segments of a log that no policy needs any more, on the injected scheduler.
 * Each pass computes the effective mark — `min(max(snapshot mark, retention mark), safety
 * floor)` — and deletes, oldest first, the sealed segments wholly below it; the active segment is
 * never touched. Passes never overlap: the next is scheduled `cleanIntervalMs` after one ends, and
 * `clean()` calls queue behind it. The mark it exposes is the log's `firstIndex`: the log's reads
 * below it throw `CompactedError` carrying it. It only rises, also across crashes: the log drops a
 * segment from its list only once the file's removal is durable. `LowWaterMark` adds a mark
 * derived from the durable snapshot, which may stand above the log's first index.
 */
export class LogCleaner {
  readonly #log: CleanableLog;
  readonly #env: LogCleanerEnv;
  readonly #logger: Logger;
  readonly #options: ResolvedCleanerOptions;
  #passes: Promise<unknown> = Promise.resolve();
  #timer: Cancel | undefined;
  #started = false;
  #stopped = false;
  #lastReport: CleanReport | undefined;
  #metrics: CleanerMetrics = { passes: 0, failedPasses: 0, segmentsDeleted: 0, bytesDeleted: 0 };

  /**
   * @param log - the log to clean.
   * @param env - clock, scheduler and optional logger.
   * @param options - policies and interval; see {@link LogCleanerOptions}.
   * @throws `InvalidArgumentError` for bad options.
   */
  constructor(log: CleanableLog, env: LogCleanerEnv, options: LogCleanerOptions = {}) {
    this.#options = resolveCleanerOptions(options);
    this.#log = log;
    this.#env = env;
    this.#logger = env.logger ?? noopLogger;
  }

  /** The lowest index still in the log (its `firstIndex`). */
  get mark(): number {
    return this.#log.firstIndex;
  }

  /** What the last completed pass decided and did, if one completed. */
  get lastReport(): CleanReport | undefined {
    return this.#lastReport;
  }

  /** Counters since construction. */
  get metrics(): CleanerMetrics {
    return this.#metrics;
  }

  /** Whether passes are scheduled (started and not stopped). */
  get running(): boolean {
    return this.#started && !this.#stopped;
  }

  /** Schedules a pass every `cleanIntervalMs`, the first one interval from now. Idempotent. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#arm();
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = this.#env.scheduler.after(this.#options.cleanIntervalMs, () => {
      this.#timer = undefined;
      if (this.#stopped) return;
      this.clean().then(
        () => this.#arm(),
        (error: unknown) => {
          if (error instanceof ClosedError) return; // the log closed: nothing left to clean
          this.#logger.warn("log-cleaner.pass-failed", { error });
          this.#arm();
        },
      );
    });
  }

  /** Stops scheduling passes and resolves once the pass in progress (if any) ends. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.();
    this.#timer = undefined;
    await this.#passes;
  }

  /**
   * Runs one pass now (after the one in progress): computes the effective mark and deletes the
   * sealed segments wholly below it.
   *
   * @throws `InvalidArgumentError` when `snapshotMark()` or `safetyFloor()` returns a non-number
   *   (nothing is deleted); whatever the log's `truncateBefore` throws.
   */
  clean(): Promise<CleanReport> {
    return this.exclusive(() => this.#pass());
  }

  /**
   * Runs `work` after the pass in progress, with no pass running until it ends: for changes to the
   * log that a pass must not observe half done, such as a reset after installing a snapshot.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#passes.then(work);
    this.#passes = run.catch(() => undefined);
    return run;
  }

  async #pass(): Promise<CleanReport> {
    try {
      const report = await this.#run();
      this.#lastReport = report;
      this.#metrics = {
        passes: this.#metrics.passes + 1,
        failedPasses: this.#metrics.failedPasses,
        segmentsDeleted: this.#metrics.segmentsDeleted + report.deleted.length,
        bytesDeleted:
          this.#metrics.bytesDeleted + report.deleted.reduce((sum, s) => sum + s.bytes, 0),
      };
      return report;
    } catch (error) {
      this.#metrics = { ...this.#metrics, failedPasses: this.#metrics.failedPasses + 1 };
      throw error;
    }
  }

  async #run(): Promise<CleanReport> {
    const log = this.#log;
    const options = this.#options;
    const segments = log.segments();
    const markBefore = log.firstIndex;
    const nowMs = this.#env.clock.wallMs();
    const plan = planClean({
      segments,
      lastIndex: log.lastIndex,
      nowMs,
      retentionMs: options.retentionMs,
      retentionBytesMax: options.retentionBytesMax,
      snapshotMark: Math.max(1, readMark("snapshotMark", options.snapshotMark)),
      safetyFloor: readMark("safetyFloor", options.safetyFloor),
    });
    const mark = plan.deletable > 0 ? await log.truncateBefore(plan.target) : markBefore;
    const deleted = segments.filter((segment) => segment.baseIndex < mark);
    if (deleted.length > 0) {
      this.#logger.info("log-cleaner.deleted", {
        markBefore,
        mark,
        target: plan.target,
        segments: deleted.length,
      });
    }
    return { ...plan, nowMs, markBefore, mark, deleted };
  }
}
