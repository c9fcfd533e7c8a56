import { assertNodeId, InvalidArgumentError, type Clock, type NodeId } from "@pods/core-interfaces";
import {
  assertHybridTimestamp,
  hybridLogicalMax,
  hybridWallMsMax,
  type HybridTimestamp,
} from "./hybrid-timestamp.ts";
import {
  HybridClockOffsetError,
  offsetWarningRatio,
  type OffsetListener,
  type OffsetStats,
} from "./offset.ts";

/** The default {@link HybridClockOptions.maxOffsetMs}: 500 ms. */
export const defaultMaxOffsetMs = 500;

/** Options of {@link HybridClock}. */
export interface HybridClockOptions {
  /** The clock port; only `wallMs()` is read. Never a global clock. */
  readonly clock: Clock;
  /** The node id put in every timestamp, for a total order across nodes. Default `""` (none). */
  readonly nodeId?: NodeId;
  /**
   * How far ahead of the local wall clock a remote timestamp may be, in ms; `update` rejects one
   * further ahead. It also bounds how far this clock's timestamps can run ahead of real time. A
   * finite number ≥ 0. Default 500.
   */
  readonly maxOffsetMs?: number;
  /**
   * Called (before `update` returns or throws) for each remote timestamp more than 80 % of
   * `maxOffsetMs` ahead — a warning — or more than `maxOffsetMs` ahead — a rejection.
   */
  readonly onOffset?: OffsetListener;
}

function assertMaxOffsetMs(maxOffsetMs: number): void {
  if (typeof maxOffsetMs !== "number" || !Number.isFinite(maxOffsetMs) || maxOffsetMs < 0) {
    throw new InvalidArgumentError(
      `maxOffsetMs must be a finite number of milliseconds >= 0, got ${String(maxOffsetMs)}.`,
    );
  }
}

/**
 * A hybrid logical clock (Kulkarni et al., as in CockroachDB): timestamps of (wall ms, logical
 * counter, node id) that stay close to the wall clock, strictly increase on this clock whatever
 * the wall clock does, and respect causality across messages.
 *
 * - {@link HybridClock.now} stamps a local event or a message to send.
 * - {@link HybridClock.update} merges a received timestamp and stamps its receipt: the result is
 *   greater than the remote timestamp and everything this clock issued before.
 *
 * One instance per node; wall time comes only from the injected `Clock`. All methods are
 * synchronous and allocate only the returned timestamp. Logical overflow never throws: the
 * physical part advances by 1 ms instead. For monotonicity across restarts use
 * {@link PersistentHybridClock}.
 */
export class HybridClock {
  /** The node id put in every timestamp (`""` for none). */
  readonly nodeId: NodeId;
  /** How far ahead of the local wall clock a remote timestamp may be, in ms. */
  readonly maxOffsetMs: number;
  readonly #clock: Clock;
  readonly #onOffset: OffsetListener | undefined;
  #wallMs: number;
  #logical: number;
  #updates = 0;
  #maxAheadMs = 0;
  #lastAheadMs = 0;
  #warnings = 0;
  #rejections = 0;

  /**
   * A timestamp whose physical part reaches this value is issued through
   * {@link HybridClock.issueFrom} instead of the fast path. Infinity here; a subclass lowers it.
   *
   * @internal
   */
  protected slowPathFromMs = Number.POSITIVE_INFINITY;

  /**
   * Starts the clock at (physical time, 0), so the first `now()` within the same millisecond
   * returns logical 1.
   *
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: HybridClockOptions) {
    if (typeof options.clock?.wallMs !== "function") {
      throw new InvalidArgumentError("HybridClock needs options.clock, a Clock with wallMs().");
    }
    const nodeId = options.nodeId ?? "";
    if (nodeId !== "") assertNodeId(nodeId, "HybridClock nodeId");
    const maxOffsetMs = options.maxOffsetMs ?? defaultMaxOffsetMs;
    assertMaxOffsetMs(maxOffsetMs);
    if (options.onOffset !== undefined && typeof options.onOffset !== "function") {
      throw new InvalidArgumentError("HybridClock onOffset must be a function when given.");
    }
    this.#clock = options.clock;
    this.nodeId = nodeId;
    this.maxOffsetMs = maxOffsetMs;
    this.#onOffset = options.onOffset;
    this.#wallMs = this.physicalMs();
    this.#logical = 0;
  }

  /**
   * A new timestamp for a local event or an outgoing message: (physical time, 0) when the wall
   * clock has moved past the latest timestamp, otherwise the latest with the logical part + 1.
   * Strictly greater than every timestamp this clock issued before.
   */
  now(): HybridTimestamp {
    return this.#advance(this.physicalMs(), this.#wallMs, this.#logical);
  }

  /**
   * Merges a received timestamp and returns the timestamp of its receipt: the maximum of
   * (physical time, −1), `remote` and the latest timestamp, with the logical part + 1. Strictly
   * greater than `remote` and than every timestamp this clock issued before.
   *
   * @throws {@link HybridClockOffsetError} (a `ClockOffsetError`) when `remote` is more than
   *   `maxOffsetMs` ahead of the local wall clock; the clock is then unchanged.
   * @throws `InvalidArgumentError` when `remote` is malformed.
   */
  update(remote: HybridTimestamp): HybridTimestamp {
    assertHybridTimestamp(remote, "remote timestamp");
    const physical = this.physicalMs();
    const aheadMs = remote.wallMs - physical;
    this.#updates++;
    this.#lastAheadMs = aheadMs;
    if (aheadMs > this.#maxAheadMs) this.#maxAheadMs = aheadMs;
    if (aheadMs > this.maxOffsetMs * offsetWarningRatio) {
      const rejected = aheadMs > this.maxOffsetMs;
      if (rejected) this.#rejections++;
      else this.#warnings++;
      const { maxOffsetMs } = this;
      this.#onOffset?.({ remote, localWallMs: physical, offsetMs: aheadMs, maxOffsetMs, rejected });
      if (rejected) throw new HybridClockOffsetError(remote, this.peek(), physical, maxOffsetMs);
    }
    const remoteIsLater =
      remote.wallMs > this.#wallMs ||
      (remote.wallMs === this.#wallMs && remote.logical > this.#logical);
    return remoteIsLater
      ? this.#advance(physical, remote.wallMs, remote.logical)
      : this.#advance(physical, this.#wallMs, this.#logical);
  }

  /** The latest timestamp (issued, or the starting point), without advancing the clock. */
  peek(): HybridTimestamp {
    return { wallMs: this.#wallMs, logical: this.#logical, nodeId: this.nodeId };
  }

  /** Counts and extremes of remote offsets seen by `update`. */
  get offsetStats(): OffsetStats {
    return {
      updates: this.#updates,
      maxAheadMs: this.#maxAheadMs,
      lastAheadMs: this.#lastAheadMs,
      warnings: this.#warnings,
      rejections: this.#rejections,
    };
  }

  /**
   * The wall clock now, as whole milliseconds.
   *
   * @throws `InvalidArgumentError` when the injected clock reads outside 0 to
   *   {@link hybridWallMsMax} (or NaN).
   * @internal
   */
  protected physicalMs(): number {
    const physical = Math.floor(this.#clock.wallMs());
    if (!(physical >= 0 && physical <= hybridWallMsMax)) {
      throw new InvalidArgumentError(
        `The injected clock's wallMs() returned ${physical}; it must be milliseconds since the ` +
          `epoch from 0 to ${hybridWallMsMax}. Check the Clock passed to HybridClock.`,
      );
    }
    return physical;
  }

  /** The next timestamp above (floorWallMs, floorLogical) and (physical, −1). */
  #advance(physical: number, floorWallMs: number, floorLogical: number): HybridTimestamp {
    let wallMs: number;
    let logical: number;
    if (physical > floorWallMs) {
      wallMs = physical;
      logical = 0;
    } else if (floorLogical < hybridLogicalMax) {
      wallMs = floorWallMs;
      logical = floorLogical + 1;
    } else {
      if (floorWallMs >= hybridWallMsMax) {
        throw new InvalidArgumentError(
          `Hybrid timestamps ran out of their 48-bit physical range at ${hybridWallMsMax} ms ` +
            "(the year 10889); check the wall clock and the remote timestamps given to update().",
        );
      }
      wallMs = floorWallMs + 1;
      logical = 0;
    }
    if (wallMs >= this.slowPathFromMs) {
      return this.issueFrom(wallMs, logical, floorWallMs, floorLogical);
    }
    this.#wallMs = wallMs;
    this.#logical = logical;
    return { wallMs, logical, nodeId: this.nodeId };
  }

  /**
   * Issues (wallMs, logical) — the natural next timestamp — or, in a subclass, another timestamp
   * strictly above (floorWallMs, floorLogical) and at most the natural one.
   *
   * @internal
   */
  protected issueFrom(
    wallMs: number,
    logical: number,
    _floorWallMs: number,
    _floorLogical: number,
  ): HybridTimestamp {
    return this.issue(wallMs, logical);
  }

  /**
   * Records (wallMs, logical) as the latest timestamp and returns it.
   *
   * @internal
   */
  protected issue(wallMs: number, logical: number): HybridTimestamp {
    this.#wallMs = wallMs;
    this.#logical = logical;
    return { wallMs, logical, nodeId: this.nodeId };
  }

  /**
   * Moves the clock's latest timestamp forward to (wallMs, logical) without issuing it (a
   * restart starting at a persisted bound).
   *
   * @internal
   */
  protected startAt(wallMs: number, logical: number): void {
    if (wallMs > this.#wallMs || (wallMs === this.#wallMs && logical > this.#logical)) {
      this.#wallMs = wallMs;
      this.#logical = logical;
    }
  }
}
