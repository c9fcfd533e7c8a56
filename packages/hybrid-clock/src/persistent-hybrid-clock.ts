import {
  assertDiskPath,
  ClosedError,
  InvalidArgumentError,
  noopLogger,
  type Disk,
  type Logger,
} from "@pods/core-interfaces";
import { prepareBoundDirectory, readBoundFile, writeBoundFile } from "./bound-file.ts";
import { HybridClock, type HybridClockOptions } from "./hybrid-clock.ts";
import { hybridLogicalMax, type HybridTimestamp } from "./hybrid-timestamp.ts";

/** The default {@link PersistentHybridClockOptions.persistWindowMs}: 250 ms. */
export const defaultPersistWindowMs = 250;

/** The default {@link PersistentHybridClockOptions.path}. */
export const defaultBoundPath = "hybrid-clock.bound";

/** Options of {@link PersistentHybridClock.open}. */
export interface PersistentHybridClockOptions extends HybridClockOptions {
  /** Where the upper bound is kept (the node's data directory, usually `Env.disk`). */
  readonly disk: Disk;
  /** The bound file's path on `disk`. Default `"hybrid-clock.bound"`. */
  readonly path?: string;
  /**
   * How far ahead of issued time the persisted bound is set, in ms: each write persists
   * (latest wall part + `persistWindowMs`), and a new write starts when issued time comes within
   * half of it. Larger means fewer writes (at most about two per window while the clock is in
   * use); smaller means a restarted node starts closer to real time (it may start up to this far
   * ahead of its wall clock). An integer from 2 to `maxOffsetMs`. Default 250.
   */
  readonly persistWindowMs?: number;
  /** Receives `hybrid-clock.persist-failed` errors. Default: none. */
  readonly logger?: Logger;
}

/** What a {@link PersistentHybridClock} has done to keep its bound ahead of issued time. */
export interface PersistenceStats {
  /** The durable bound: every timestamp with a smaller wall part survives a restart, in ms. */
  readonly boundMs: number;
  /** Bound writes that completed. */
  readonly writes: number;
  /** Bound writes that failed (each retried on the next timestamp near the bound). */
  readonly failures: number;
  /** Timestamps `now()` held just below the bound while a bound write was in flight. */
  readonly held: number;
  /**
   * Timestamps issued at or past the durable bound (causality needed them there): each is covered
   * only once the next write lands — see {@link PersistentHybridClock.persisted}.
   */
  readonly uncovered: number;
}

interface Waiter {
  readonly wallMs: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A {@link HybridClock} that stays monotonic across restarts by persisting an upper bound on the
 * physical part of its timestamps, as CockroachDB does — without ever making `now()` or
 * `update()` wait.
 *
 * - {@link PersistentHybridClock.open} reads the bound left by the previous run and starts at
 *   (bound, 0) if that is ahead of the wall clock, so a restart never issues a timestamp below one
 *   issued before, even if the wall clock went back meanwhile. It then durably persists
 *   (start + `persistWindowMs`) before returning.
 * - While the clock is used, each time the issued physical part comes within
 *   `persistWindowMs / 2` of the bound it writes a new bound (latest + `persistWindowMs`) in the
 *   background: temporary file, sync, atomic rename.
 * - If issued time would reach the durable bound before that write lands (the wall clock jumped
 *   forward by more than half the window, or the disk is slow), `now()` holds the physical part
 *   at bound − 1 ms and advances the logical part instead: still strictly increasing, never
 *   throwing, and still covered. Only when holding is impossible — `update()` received a remote
 *   timestamp beyond the bound (causality comes first), or 65 536 timestamps were held in that
 *   millisecond — is a timestamp issued past the bound; {@link PersistenceStats.uncovered} counts
 *   them, and `await clock.persisted()` waits until they are covered.
 */
export class PersistentHybridClock extends HybridClock {
  /** The bound file's path on the disk. */
  readonly path: string;
  /** How far ahead of issued time each bound is set, in ms. */
  readonly persistWindowMs: number;
  readonly #disk: Disk;
  readonly #logger: Logger;
  #boundMs = 0;
  #writing: Promise<void> | undefined;
  #closed = false;
  #waiters: Waiter[] = [];
  #writes = 0;
  #failures = 0;
  #held = 0;
  #uncovered = 0;

  /** Use {@link PersistentHybridClock.open}. @internal */
  constructor(options: PersistentHybridClockOptions) {
    super(options);
    const path = options.path ?? defaultBoundPath;
    assertDiskPath(path);
    const windowMs = options.persistWindowMs ?? defaultPersistWindowMs;
    const windowMsMax = Math.max(2, this.maxOffsetMs);
    if (!Number.isInteger(windowMs) || windowMs < 2 || windowMs > windowMsMax) {
      throw new InvalidArgumentError(
        `persistWindowMs must be an integer from 2 to ${windowMsMax} (maxOffsetMs), got ` +
          `${String(windowMs)}: a restarted node may start up to persistWindowMs ahead of its ` +
          "wall clock, and peers reject timestamps more than maxOffsetMs ahead of theirs.",
      );
    }
    if (typeof options.disk?.rename !== "function") {
      throw new InvalidArgumentError("PersistentHybridClock needs options.disk, a Disk.");
    }
    this.path = path;
    this.persistWindowMs = windowMs;
    this.#disk = options.disk;
    this.#logger = options.logger ?? noopLogger;
  }

  /**
   * Opens the clock: reads the bound a previous run persisted at `path` (none on a first start),
   * starts at (bound, 0) if that is ahead of the wall clock, and durably persists a new bound
   * before resolving.
   *
   * @throws `InvalidArgumentError` for a bad option.
   * @throws `CorruptionError` when the bound file is damaged (the message says how to recover).
   * @throws `IOError` when the disk fails.
   */
  static async open(options: PersistentHybridClockOptions): Promise<PersistentHybridClock> {
    const clock = new PersistentHybridClock(options);
    await prepareBoundDirectory(clock.#disk, clock.path);
    const previousBoundMs = await readBoundFile(clock.#disk, clock.path);
    if (previousBoundMs !== undefined) {
      clock.startAt(previousBoundMs, 0);
      clock.#boundMs = previousBoundMs;
    }
    await clock.#persist(clock.peek().wallMs + clock.persistWindowMs);
    return clock;
  }

  /** The durable bound and what the clock did to keep ahead of it. */
  get persistence(): PersistenceStats {
    return {
      boundMs: this.#boundMs,
      writes: this.#writes,
      failures: this.#failures,
      held: this.#held,
      uncovered: this.#uncovered,
    };
  }

  /**
   * Resolves once every timestamp issued so far is below the durable bound, so no restart can
   * issue a smaller one. Immediate in the normal case; after an uncovered timestamp it waits for
   * the bound write in flight. Await it before exposing a timestamp where restart monotonicity
   * must hold without exception.
   *
   * @throws `IOError` when the bound write fails (retry the call).
   * @throws `ClosedError` after {@link PersistentHybridClock.close}.
   */
  persisted(): Promise<void> {
    const { wallMs } = this.peek();
    if (wallMs < this.#boundMs) return Promise.resolve();
    if (this.#closed) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      this.#waiters.push({ wallMs, resolve, reject });
      this.#startWrite();
    });
  }

  /**
   * Stops the clock: `now()` and `update()` throw `ClosedError` from now on. Resolves once the
   * bound write in flight (if any) has finished. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.slowPathFromMs = Number.NEGATIVE_INFINITY;
    while (this.#writing !== undefined) await this.#writing;
  }

  /** @internal */
  protected override issueFrom(
    wallMs: number,
    logical: number,
    floorWallMs: number,
    floorLogical: number,
  ): HybridTimestamp {
    if (this.#closed) throw this.#closedError();
    this.#startWrite(wallMs);
    const boundMs = this.#boundMs;
    if (wallMs < boundMs) return this.issue(wallMs, logical);
    // Hold just below the durable bound: the smallest step above the floor, but at least
    // (bound − 1, 0) to stay as close to the wall clock as the bound allows.
    let heldWallMs = floorLogical < hybridLogicalMax ? floorWallMs : floorWallMs + 1;
    let heldLogical = floorLogical < hybridLogicalMax ? floorLogical + 1 : 0;
    if (heldWallMs < boundMs - 1) {
      heldWallMs = boundMs - 1;
      heldLogical = 0;
    }
    if (heldWallMs < boundMs) {
      this.#held++;
      return this.issue(heldWallMs, heldLogical);
    }
    this.#uncovered++;
    return this.issue(wallMs, logical);
  }

  #refreshSlowPath(): void {
    if (!this.#closed) this.slowPathFromMs = this.#boundMs - this.persistWindowMs / 2;
  }

  /** Starts a bound write covering `wallMs` (default: the latest timestamp) unless one runs. */
  #startWrite(wallMs = this.peek().wallMs): void {
    if (this.#writing !== undefined || this.#closed) return;
    this.#writing = this.#persist(Math.max(wallMs, this.physicalMs()) + this.persistWindowMs)
      .catch((error: unknown) => {
        this.#failures++;
        this.#logger.error("hybrid-clock.persist-failed", { path: this.path, error });
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const waiter of waiters) waiter.reject(error);
      })
      .finally(() => {
        this.#writing = undefined;
        // Still near the bound (time moved on during the write, or it failed)? Go again if
        // someone waits; otherwise the next timestamp near the bound starts the write.
        if (this.#waiters.length > 0) this.#startWrite();
      });
  }

  /** Writes `boundMs` durably, then makes it the bound and wakes the waiters it covers. */
  async #persist(boundMs: number): Promise<void> {
    await writeBoundFile(this.#disk, this.path, boundMs);
    this.#writes++;
    if (boundMs > this.#boundMs) this.#boundMs = boundMs;
    this.#refreshSlowPath();
    const covered = this.#waiters.filter((waiter) => waiter.wallMs < this.#boundMs);
    this.#waiters = this.#waiters.filter((waiter) => waiter.wallMs >= this.#boundMs);
    for (const waiter of covered) waiter.resolve();
  }

  #closedError(): ClosedError {
    return new ClosedError(`Hybrid clock (bound file ${this.path})`);
  }
}
