import {
  assertDiskPath,
  ClosedError,
  InvalidArgumentError,
  noopLogger,
  type Disk,
  type Logger,
} from "@pods/core-interfaces";
import {
  prepareCeilingDirectory,
  readCeilingFile,
  writeCeilingFile,
  type CeilingFileFormat,
} from "./ceiling-file.ts";

export type { CeilingFileFormat } from "./ceiling-file.ts";

/** Options of {@link DurableCeiling.open}. */
export interface DurableCeilingOptions extends CeilingFileFormat {
  /** Where the ceiling file is kept (the node's data directory, usually `Env.disk`). */
  readonly disk: Disk;
  /** The ceiling file's path on `disk`. */
  readonly path: string;
  /**
   * The ceiling a background write should persist, asked when the write starts: a write started
   * again for waiters the last one did not cover uses it.
   */
  readonly target: () => number;
  /** Called after each write that landed, with the durable ceiling (it never falls). */
  readonly onRaised?: (ceiling: number) => void;
  /** Receives `failureEvent` when a background write fails. Default: none. */
  readonly logger?: Logger;
  /** The event logged for a failed background write, e.g. `"lamport-clock.persist-failed"`. */
  readonly failureEvent: string;
}

interface Waiter {
  readonly needed: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A number that only rises, kept durably ahead of need: the piece that makes a clock monotonic
 * across restarts without making it wait. A clock persists a ceiling above what it issues; after
 * a restart it starts at the ceiling it finds, so it never issues a value again. Writes replace
 * one small checked file atomically (temporary file, sync, rename), at most one at a time, in the
 * background; a caller that must know a value is covered awaits {@link DurableCeiling.atLeast}.
 * Used by `PersistentLamportClock` and `@pods/hybrid-clock`'s `PersistentHybridClock`.
 */
export class DurableCeiling {
  /** The ceiling file's path on the disk. */
  readonly path: string;
  /** The ceiling the previous run left, or undefined on a first start. */
  readonly restored: number | undefined;
  readonly #options: DurableCeilingOptions;
  readonly #logger: Logger;
  #value: number;
  #writing: Promise<void> | undefined;
  #closed = false;
  #waiters: Waiter[] = [];
  #writes = 0;
  #failures = 0;

  private constructor(options: DurableCeilingOptions, restored: number | undefined) {
    this.path = options.path;
    this.restored = restored;
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#value = restored ?? 0;
  }

  /**
   * Reads the ceiling a previous run left at `path` (see {@link DurableCeiling.restored}); writes
   * nothing yet.
   *
   * @throws `InvalidArgumentError` for a bad path, disk or magic.
   * @throws `CorruptionError` when the file is damaged (the message carries `repairAdvice`).
   * @throws `IOError` when the disk fails.
   */
  static async open(options: DurableCeilingOptions): Promise<DurableCeiling> {
    assertDiskPath(options.path);
    if (typeof options.disk?.rename !== "function") {
      throw new InvalidArgumentError("A durable ceiling needs options.disk, a Disk.");
    }
    if (!/^[\x20-\x7e]{4}$/.test(options.magic)) {
      throw new InvalidArgumentError(
        `A ceiling file's magic must be 4 printable ASCII characters, got ${JSON.stringify(options.magic)}.`,
      );
    }
    await prepareCeilingDirectory(options.disk, options.path);
    return new DurableCeiling(options, await readCeilingFile(options.disk, options.path, options));
  }

  /** The durable ceiling: the highest value whose write landed (0 before any). */
  get value(): number {
    return this.#value;
  }

  /** Writes that landed. */
  get writes(): number {
    return this.#writes;
  }

  /** Writes that failed. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Persists the larger of `ceiling` and the current ceiling, and waits for it (opening a clock).
   * The file never goes below what was once durable, even if a caller asks for less (a target
   * computed from a wall clock that went back).
   *
   * @throws `IOError` when the disk fails.
   */
  async raise(ceiling: number): Promise<void> {
    const next = Math.max(ceiling, this.#value);
    await writeCeilingFile(this.#options.disk, this.path, this.#options, next);
    this.#landed(next);
  }

  /**
   * Starts a background write of `ceiling` unless one is in flight (it will do) or the ceiling is
   * closed. A failure is logged and rejects the waiters; the next call tries again.
   */
  raiseInBackground(ceiling: number): void {
    if (this.#writing !== undefined || this.#closed) return;
    this.#writing = this.raise(ceiling)
      .catch((error: unknown) => {
        this.#failures++;
        this.#logger.error(this.#options.failureEvent, { path: this.path, error });
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const waiter of waiters) waiter.reject(error);
      })
      .finally(() => {
        this.#writing = undefined;
        // Waiters the write did not cover (need moved on meanwhile): go again.
        if (this.#waiters.length > 0) this.raiseInBackground(this.#options.target());
      });
  }

  /**
   * Resolves once the durable ceiling is at least `needed`, starting a background write of
   * `target()` when none is in flight. Immediate when it already is.
   *
   * @throws `IOError` when the write fails (call again to retry).
   * @throws `ClosedError` after {@link DurableCeiling.close}, unless it already is.
   */
  atLeast(needed: number): Promise<void> {
    if (needed <= this.#value) return Promise.resolve();
    if (this.#closed) return Promise.reject(new ClosedError(`durable ceiling ${this.path}`));
    return new Promise((resolve, reject) => {
      this.#waiters.push({ needed, resolve, reject });
      this.raiseInBackground(this.#options.target());
    });
  }

  /** Starts no more writes; resolves once the write in flight (if any) has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#writing !== undefined) await this.#writing;
  }

  #landed(ceiling: number): void {
    this.#writes++;
    if (ceiling > this.#value) this.#value = ceiling;
    this.#options.onRaised?.(this.#value);
    const covered = this.#waiters.filter((waiter) => waiter.needed <= this.#value);
    this.#waiters = this.#waiters.filter((waiter) => waiter.needed > this.#value);
    for (const waiter of covered) waiter.resolve();
  }
}
