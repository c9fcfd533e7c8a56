import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";
import { hybridTimestampToIso, type HybridTimestamp } from "@pods/hybrid-clock";

/**
 * Why a node judged its clock unusable:
 *
 * - `"error-bound"`: the clock's error bound is above `errorBoundMsMax` (or its source returned
 *   something that is not a bound at all);
 * - `"wait"`: waiting until a timestamp is certainly past would take longer than `waitMsMax` (the
 *   wall clock stepped back, or the bound grew, while a commit or read waited);
 * - `"peer-offsets"`: the node's offset to a majority of the cluster is beyond 80 % of
 *   `maxOffsetMs` (self-fencing).
 */
export type ClockUnsafeReason = "error-bound" | "wait" | "peer-offsets";

function describeUnsafe(reason: ClockUnsafeReason, measuredMs: number, limitMs: number): string {
  switch (reason) {
    case "error-bound":
      return Number.isFinite(measuredMs) && measuredMs >= 0
        ? `The clock's error bound is ${measuredMs} ms, more than errorBoundMsMax (${limitMs} ms): ` +
            "time is too uncertain to order events, so this node refuses to stamp or serve. Check " +
            "the time daemon (e.g. `chronyc tracking`); the node recovers by itself once the " +
            "bound is back within the limit."
        : `The clock's error bound source returned ${measuredMs}, not a number of ms >= 0, so ` +
            "this node cannot tell how uncertain its clock is and refuses to stamp or serve. Fix " +
            "the errorBoundMs function passed to ClockBound.";
    case "wait":
      return (
        `Waiting until the clock is certainly past the timestamp would take ${measuredMs} ms in ` +
        `all, more than waitMsMax (${limitMs} ms): the wall clock stepped back or its error ` +
        "bound grew. The operation did not take effect; retry once the clock is healthy (check " +
        "the time daemon), or raise waitMsMax."
      );
    case "peer-offsets":
      return (
        `This node's wall clock is at least ${measuredMs} ms away from a majority of the ` +
        `cluster, beyond ${limitMs} ms (80 % of maxOffsetMs), so it stops serving until new ` +
        "measurements show it back within bound. Check time synchronisation on this node."
      );
  }
}

/**
 * The node's clock cannot be trusted to order events right now; the operation did not take effect
 * (a definite failure) and may be retried once the clock is healthy again. `reason` says which
 * check failed, `measuredMs` what was measured and `limitMs` the limit it broke.
 */
export class ClockUnsafeError extends PodsError {
  /** `"CLOCK_UNSAFE"`: the stable, machine-readable name of this failure. */
  readonly code = "CLOCK_UNSAFE";
  /** Which check failed. */
  readonly reason: ClockUnsafeReason;
  /** What was measured, in ms: the error bound, the total wait, or the offset to the majority. */
  readonly measuredMs: number;
  /** The limit `measuredMs` broke, in ms. */
  readonly limitMs: number;

  /**
   * @param reason - which check failed.
   * @param measuredMs - what was measured.
   * @param limitMs - the limit it broke.
   */
  constructor(
    reason: ClockUnsafeReason,
    measuredMs: number,
    limitMs: number,
    options?: PodsErrorOptions,
  ) {
    super(describeUnsafe(reason, measuredMs, limitMs), "definite", options);
    this.reason = reason;
    this.measuredMs = measuredMs;
    this.limitMs = limitMs;
  }
}

/**
 * A read found a version inside its clock uncertainty window: a version that may have been
 * written before the read began, although its timestamp is above the read timestamp. The read
 * must restart at `restartAt` (or later). Reads return this as a `restart` result rather than
 * throwing it; it is the `cause` of the `TimeoutError` a read fails with once its restarts are
 * exhausted.
 */
export class ReadRestartError extends PodsError {
  /** `"READ_RESTART"`: the stable, machine-readable name of this failure. */
  readonly code = "READ_RESTART";
  /** The key whose version was uncertain. */
  readonly key: string;
  /** The timestamp the read was made at. */
  readonly readTs: HybridTimestamp;
  /** Where the read must restart: the newest uncertain version found. */
  readonly restartAt: HybridTimestamp;

  /**
   * @param key - the key whose version was uncertain.
   * @param readTs - the timestamp the read was made at.
   * @param restartAt - the newest uncertain version.
   */
  constructor(
    key: string,
    readTs: HybridTimestamp,
    restartAt: HybridTimestamp,
    options?: PodsErrorOptions,
  ) {
    super(
      `A read at ${hybridTimestampToIso(readTs)} found key ${JSON.stringify(key)} written at ` +
        `${hybridTimestampToIso(restartAt)}, inside the read's clock uncertainty window: that ` +
        "write may have happened before the read began. Restart the read at " +
        `${hybridTimestampToIso(restartAt)} or later.`,
      "definite",
      options,
    );
    this.key = key;
    this.readTs = readTs;
    this.restartAt = restartAt;
  }
}

/** Which limit of a {@link PendingWrites} registry was reached. */
export type PendingWritesLimit = "pendingMax" | "waitersMax";

/**
 * A {@link PendingWrites} registry is full: `pendingMax` writes are pending, or `waitersMax`
 * reads are waiting for pending writes. The operation was not started (a definite failure); retry
 * once some finish, or raise the limit.
 */
export class PendingWritesFullError extends PodsError {
  /** `"PENDING_WRITES_FULL"`: the stable, machine-readable name of this failure. */
  readonly code = "PENDING_WRITES_FULL";
  /** The option whose limit was reached. */
  readonly limit: PendingWritesLimit;
  /** Its value. */
  readonly max: number;

  /**
   * @param limit - the option whose limit was reached.
   * @param max - its value.
   */
  constructor(limit: PendingWritesLimit, max: number, options?: PodsErrorOptions) {
    super(
      `${max} ${limit === "pendingMax" ? "writes are pending" : "reads are waiting for pending writes"} ` +
        `(${limit}); this operation was not started. Retry once some finish, or raise ${limit}.`,
      "definite",
      options,
    );
    this.limit = limit;
    this.max = max;
  }
}
