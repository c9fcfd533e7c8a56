import { ClockOffsetError, type PodsErrorOptions } from "@pods/core-interfaces";
import { hybridTimestampToIso } from "./hybrid-timestamp-encoding.ts";
import type { HybridTimestamp } from "./hybrid-timestamp.ts";

/**
 * A remote timestamp that is further ahead of the local wall clock than `maxOffsetMs`: a
 * `ClockOffsetError` (so `instanceof ClockOffsetError` and `code === "CLOCK_OFFSET"` hold) that
 * also carries both timestamps. The clock that threw it is unchanged; the message carrying the
 * remote timestamp should be refused, not retried as is.
 */
export class HybridClockOffsetError extends ClockOffsetError {
  /** The stable, machine-readable name of this failure: `"CLOCK_OFFSET"`, as for its base class. */
  override readonly code = "CLOCK_OFFSET";
  /** The remote timestamp that was rejected. */
  readonly remote: HybridTimestamp;
  /** The local clock's latest timestamp when the remote one arrived (still its latest). */
  readonly local: HybridTimestamp;

  /**
   * @param remote - the rejected remote timestamp.
   * @param local - the local clock's latest timestamp.
   * @param localWallMs - the local wall clock reading the remote timestamp was measured against.
   * @param maxOffsetMs - the tolerated offset.
   */
  constructor(
    remote: HybridTimestamp,
    local: HybridTimestamp,
    localWallMs: number,
    maxOffsetMs: number,
    options?: PodsErrorOptions,
  ) {
    super({ remoteWallMs: remote.wallMs, localWallMs, maxOffsetMs }, options);
    this.remote = remote;
    this.local = local;
    const from = remote.nodeId === "" ? "" : ` from node "${remote.nodeId}"`;
    this.message =
      `Rejected remote timestamp ${hybridTimestampToIso(remote)}${from}: it is ${this.offsetMs} ms ` +
      `ahead of the local wall clock (${new Date(localWallMs).toISOString()}), more than the ` +
      `tolerated maxOffsetMs of ${maxOffsetMs} ms. The local clock is unchanged at ` +
      `${hybridTimestampToIso(local)}. Check that time synchronisation (NTP, chrony) runs and is ` +
      `healthy on both nodes (e.g. \`chronyc tracking\`); raise maxOffsetMs only if this skew is ` +
      "expected, since it also bounds how far timestamps may run ahead of real time.";
  }
}

/**
 * One remote timestamp that was ahead of the local wall clock by more than 80 % of `maxOffsetMs`,
 * as passed to `onOffset`.
 */
export interface OffsetObservation {
  /** The remote timestamp. */
  readonly remote: HybridTimestamp;
  /** The local wall clock reading it was measured against, ms since the epoch. */
  readonly localWallMs: number;
  /** How far the remote timestamp was ahead: `remote.wallMs − localWallMs`, in ms. */
  readonly offsetMs: number;
  /** The tolerated offset, in ms. */
  readonly maxOffsetMs: number;
  /**
   * `true` when the offset exceeded `maxOffsetMs` and `update` throws a
   * {@link HybridClockOffsetError}; `false` for a warning (above 80 % of it, accepted).
   */
  readonly rejected: boolean;
}

/** Called for every {@link OffsetObservation}; must not throw. */
export type OffsetListener = (observation: OffsetObservation) => void;

/** What a clock has seen of remote clocks' offsets, for metrics and health checks. */
export interface OffsetStats {
  /** Remote timestamps passed to `update`, accepted or not. */
  readonly updates: number;
  /** The largest amount a remote timestamp was ahead of the local wall clock, in ms (0 if none). */
  readonly maxAheadMs: number;
  /** How far the latest remote timestamp was ahead (negative: behind), in ms; 0 before any. */
  readonly lastAheadMs: number;
  /** Remote timestamps accepted although more than 80 % of `maxOffsetMs` ahead. */
  readonly warnings: number;
  /** Remote timestamps rejected with a {@link HybridClockOffsetError}. */
  readonly rejections: number;
}

/** The share of `maxOffsetMs` above which an accepted offset is reported as a warning. */
export const offsetWarningRatio = 0.8;
