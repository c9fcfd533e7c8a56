import {
  assertDiskPath,
  ClosedError,
  InvalidArgumentError,
  noopLogger,
  type Disk,
  type Logger,
} from "@pods/core-interfaces";
import { prepareCeilingDirectory, readCeilingFile, writeCeilingFile } from "./ceiling-file.ts";
import { LamportClock, type LamportClockOptions } from "./lamport-clock.ts";
import { lamportCounterMax } from "./lamport-timestamp.ts";

/** The default {@link PersistentLamportClockOptions.ceilingBlock}: 1 000 counter values. */
export const defaultCeilingBlock = 1000;

/** The largest {@link PersistentLamportClockOptions.ceilingBlock} accepted: 2^40. */
export const ceilingBlockMax = 2 ** 40;

/** The default {@link PersistentLamportClockOptions.path}. */
export const defaultCeilingPath = "lamport-clock.ceiling";

/** Options of {@link PersistentLamportClock.open}. */
export interface PersistentLamportClockOptions extends LamportClockOptions {
  /** Where the ceiling is kept (the node's data directory, usually `Env.disk`). */
  readonly disk: Disk;
  /** The ceiling file's path on `disk`. Default `"lamport-clock.ceiling"`. */
  readonly path?: string;
  /**
   * How far ahead of the counter the persisted ceiling is set, in counter values: each write
   * persists (counter + `ceilingBlock`), and a new write starts when the counter comes within
   * half of it. Larger means fewer writes; a restarted node skips up to this many values. An
   * integer from 2 to 2^40. Default 1 000.
   */
  readonly ceilingBlock?: number;
  /** Receives `lamport-clock.persist-failed` errors. Default: none. */
  readonly logger?: Logger;
}

/** What a {@link PersistentLamportClock} has done to keep its ceiling ahead of the counter. */
export interface CeilingStats {
  /** The durable ceiling: every counter at or below it survives a restart. */
  readonly ceiling: number;
  /** Ceiling writes that completed. */
  readonly writes: number;
  /** Ceiling writes that failed (each retried on the next event near the ceiling). */
  readonly failures: number;
  /**
   * Counter values issued above the durable ceiling (the counter cannot wait): each is covered
   * only once the write in flight lands — see {@link PersistentLamportClock.persisted}.
   */
  readonly uncovered: number;
}

interface Waiter {
  readonly counter: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A {@link LamportClock} that never goes back across restarts, by persisting a ceiling on its
 * counter ahead of need — without making `tick()` or `receive()` wait.
 *
 * - {@link PersistentLamportClock.open} reads the ceiling the previous run persisted and starts
 *   the counter there (every value issued before was at or below it), then durably persists
 *   (counter + `ceilingBlock`) before returning.
 * - While the clock is used, each time the counter comes within `ceilingBlock / 2` of the ceiling
 *   it writes a new ceiling (counter + `ceilingBlock`) in the background: temporary file, sync,
 *   atomic rename.
 * - A counter cannot be held back, so a value above the durable ceiling (a burst of more than
 *   `ceilingBlock / 2` events during one write, or a received timestamp far ahead) is issued at
 *   once and counted in {@link CeilingStats.uncovered}; `await clock.persisted()` waits until the
 *   write in flight covers it. Await it before exposing a timestamp (returning a write's version
 *   to a client) wherever restart monotonicity must hold without exception.
 */
export class PersistentLamportClock extends LamportClock {
  /** The ceiling file's path on the disk. */
  readonly path: string;
  /** How far ahead of the counter each ceiling is set, in counter values. */
  readonly ceilingBlock: number;
  readonly #disk: Disk;
  readonly #logger: Logger;
  #ceiling = 0;
  #writing: Promise<void> | undefined;
  #closed = false;
  #waiters: Waiter[] = [];
  #writes = 0;
  #failures = 0;
  #uncovered = 0;

  /** Use {@link PersistentLamportClock.open}: it reads the ceiling file first. */
  private constructor(options: PersistentLamportClockOptions) {
    super(options);
    const path = options.path ?? defaultCeilingPath;
    assertDiskPath(path);
    const block = options.ceilingBlock ?? defaultCeilingBlock;
    if (!Number.isInteger(block) || block < 2 || block > ceilingBlockMax) {
      throw new InvalidArgumentError(
        `ceilingBlock must be an integer from 2 to ${ceilingBlockMax}, got ${String(block)}.`,
      );
    }
    if (typeof options.disk?.rename !== "function") {
      throw new InvalidArgumentError("PersistentLamportClock needs options.disk, a Disk.");
    }
    this.path = path;
    this.ceilingBlock = block;
    this.#disk = options.disk;
    this.#logger = options.logger ?? noopLogger;
  }

  /**
   * Opens the clock: reads the ceiling a previous run persisted at `path` (none on a first
   * start), starts the counter there, and durably persists a new ceiling before resolving.
   *
   * @throws `InvalidArgumentError` for a bad option.
   * @throws `CorruptionError` when the ceiling file is damaged (the message says how to recover).
   * @throws `IOError` when the disk fails.
   */
  static async open(options: PersistentLamportClockOptions): Promise<PersistentLamportClock> {
    const clock = new PersistentLamportClock(options);
    await prepareCeilingDirectory(clock.#disk, clock.path);
    const previousCeiling = await readCeilingFile(clock.#disk, clock.path);
    if (previousCeiling !== undefined) {
      clock.startAt(previousCeiling);
      clock.#ceiling = previousCeiling;
    }
    await clock.#persist(clock.#ceilingFor(clock.peek().counter));
    return clock;
  }

  /** The durable ceiling and what the clock did to keep ahead of it. */
  get persistence(): CeilingStats {
    return {
      ceiling: this.#ceiling,
      writes: this.#writes,
      failures: this.#failures,
      uncovered: this.#uncovered,
    };
  }

  /**
   * Resolves once the counter is at or below the durable ceiling, so no restart can issue a value
   * at or below any issued so far. Immediate in the normal case.
   *
   * @throws `IOError` when the ceiling write fails (retry the call).
   * @throws `ClosedError` after {@link PersistentLamportClock.close}.
   */
  persisted(): Promise<void> {
    const { counter } = this.peek();
    if (counter <= this.#ceiling) return Promise.resolve();
    if (this.#closed) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      this.#waiters.push({ counter, resolve, reject });
      this.#startWrite(counter);
    });
  }

  /**
   * Stops the clock: `tick()`, `receive()` and `observe()` throw `ClosedError` from now on.
   * Resolves once the ceiling write in flight (if any) has finished. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.slowPathFrom = Number.NEGATIVE_INFINITY;
    while (this.#writing !== undefined) await this.#writing;
  }

  /** @internal */
  protected override beforeAdvance(counter: number): void {
    if (this.#closed) throw this.#closedError();
    this.#startWrite(counter);
    if (counter > this.#ceiling) this.#uncovered++;
  }

  #ceilingFor(counter: number): number {
    return Math.min(counter + this.ceilingBlock, lamportCounterMax);
  }

  /** Starts a ceiling write covering `counter` unless one runs. */
  #startWrite(counter: number): void {
    if (this.#writing !== undefined || this.#closed) return;
    this.#writing = this.#persist(this.#ceilingFor(counter))
      .catch((error: unknown) => {
        this.#failures++;
        this.#logger.error("lamport-clock.persist-failed", { path: this.path, error });
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const waiter of waiters) waiter.reject(error);
      })
      .finally(() => {
        this.#writing = undefined;
        // Waiters the write did not cover (the counter moved on meanwhile): go again.
        if (this.#waiters.length > 0) this.#startWrite(this.peek().counter);
      });
  }

  /** Writes `ceiling` durably, then makes it the ceiling and wakes the waiters it covers. */
  async #persist(ceiling: number): Promise<void> {
    await writeCeilingFile(this.#disk, this.path, ceiling);
    this.#writes++;
    if (ceiling > this.#ceiling) this.#ceiling = ceiling;
    if (!this.#closed) this.slowPathFrom = this.#ceiling - Math.floor(this.ceilingBlock / 2);
    const covered = this.#waiters.filter((waiter) => waiter.counter <= this.#ceiling);
    this.#waiters = this.#waiters.filter((waiter) => waiter.counter > this.#ceiling);
    for (const waiter of covered) waiter.resolve();
  }

  #closedError(): ClosedError {
    return new ClosedError(`Lamport clock (ceiling file ${this.path})`);
  }
}
