import {
  assertDiskPath,
  ClosedError,
  InvalidArgumentError,
  invariant,
  noopLogger,
  type Disk,
  type Logger,
} from "@pods/core-interfaces";
import { DurableCeiling } from "@pods/lamport-clock";
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
  #bound: DurableCeiling | undefined;
  #closed = false;
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
    const bound = await DurableCeiling.open({
      disk: clock.#disk,
      path: clock.path,
      magic: "HLCB",
      description: "the hybrid clock's persisted upper bound",
      repairAdvice:
        "restore it from a backup, or — only once this node's wall clock is certainly past every " +
        "timestamp it issued — remove the file to start from the wall clock",
      target: () => Math.max(clock.peek().wallMs, clock.physicalMs()) + clock.persistWindowMs,
      onRaised: (boundMs) => {
        if (!clock.#closed) clock.slowPathFromMs = boundMs - clock.persistWindowMs / 2;
      },
      logger: clock.#logger,
      failureEvent: "hybrid-clock.persist-failed",
    });
    clock.#bound = bound;
    if (bound.restored !== undefined) clock.startAt(bound.restored, 0);
    await bound.raise(clock.peek().wallMs + clock.persistWindowMs);
    return clock;
  }

  /** The durable bound and what the clock did to keep ahead of it. */
  get persistence(): PersistenceStats {
    const bound = this.#durable();
    return {
      boundMs: bound.value,
      writes: bound.writes,
      failures: bound.failures,
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
    if (wallMs < this.#durable().value) return Promise.resolve();
    if (this.#closed) return Promise.reject(this.#closedError());
    // Covered once the bound is above the wall part: at least wallMs + 1 (whole ms).
    return this.#durable().atLeast(wallMs + 1);
  }

  /**
   * Stops the clock: `now()` and `update()` throw `ClosedError` from now on. Resolves once the
   * bound write in flight (if any) has finished. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.slowPathFromMs = Number.NEGATIVE_INFINITY;
    await this.#durable().close();
  }

  /** @internal */
  protected override issueFrom(
    wallMs: number,
    logical: number,
    floorWallMs: number,
    floorLogical: number,
  ): HybridTimestamp {
    if (this.#closed) throw this.#closedError();
    const bound = this.#durable();
    bound.raiseInBackground(Math.max(wallMs, this.physicalMs()) + this.persistWindowMs);
    const boundMs = bound.value;
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

  /** The durable bound, there once {@link PersistentHybridClock.open} has read it. */
  #durable(): DurableCeiling {
    invariant(this.#bound !== undefined, "the clock is used before open() resolved");
    return this.#bound;
  }

  #closedError(): ClosedError {
    return new ClosedError(`Hybrid clock (bound file ${this.path})`);
  }
}
