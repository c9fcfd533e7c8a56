import { InvalidArgumentError, type NodeId } from "@pods/core-interfaces";
import { ArrivalWindow } from "./arrival-window.ts";
import { BaseFailureDetector, type FailureDetectorOptions } from "./base-failure-detector.ts";
import { heartbeatDefaults, integerInRange, nonNegativeMs, positiveMs } from "./options.ts";
import { computePhi } from "./phi.ts";

/** Options of a {@link PhiAccrualDetector}. */
export interface PhiAccrualDetectorOptions extends FailureDetectorOptions {
  /** A peer is suspected while its φ is at or above this (8: one in 10^8 odds it is alive). Default 8. */
  readonly threshold?: number;
  /**
   * The standard deviation used is at least this, in ms, so that perfectly regular heartbeats do
   * not make the detector jump at the first late one. Default `heartbeatIntervalMs / 4`.
   */
  readonly minStdDevMs?: number;
  /**
   * Silence tolerated on top of the learned mean interval before suspicion grows (lost
   * heartbeats, GC pauses of the sender), in ms. Default 3 × `heartbeatIntervalMs`.
   */
  readonly acceptablePauseMs?: number;
  /** Intervals kept per peer (the sliding window). Default 1000. */
  readonly windowSamplesMax?: number;
}

/** The learned heartbeat intervals of one peer (a snapshot). */
export interface ArrivalStats {
  /** Intervals in the window. */
  readonly samples: number;
  /** Their mean, in ms (`heartbeatIntervalMs` while there are none). */
  readonly meanMs: number;
  /** Their standard deviation, raised to `minStdDevMs`, in ms. */
  readonly stdDevMs: number;
}

/**
 * The φ-accrual failure detector (Hayashibara et al., 2004): instead of a yes/no timeout it keeps
 * a sliding window of each peer's heartbeat intervals and turns the current silence into a
 * suspicion level φ, the improbability (as −log10) that a heartbeat this late is still coming.
 * It adapts to each peer's network: a peer on a jittery link is given more slack, one on a steady
 * link is suspected sooner. The peer is suspected while φ ≥ `threshold`.
 *
 * Before a peer's first interval is learned, its mean is taken to be `heartbeatIntervalMs`.
 * Intervals that ended a suspicion (an outage is not a heartbeat interval) or that span a pause of
 * this process are not learned.
 */
export class PhiAccrualDetector extends BaseFailureDetector {
  /** The φ at or above which a peer is suspected. */
  readonly threshold: number;
  /** The smallest standard deviation used, in ms. */
  readonly minStdDevMs: number;
  /** Silence tolerated on top of the mean interval, in ms. */
  readonly acceptablePauseMs: number;
  /** Intervals kept per peer. */
  readonly windowSamplesMax: number;
  readonly #windows = new Map<NodeId, ArrivalWindow>();

  /** @throws `InvalidArgumentError` for an invalid option. */
  constructor(options: PhiAccrualDetectorOptions) {
    super(options);
    const threshold = options.threshold ?? heartbeatDefaults.phiThreshold;
    if (!Number.isFinite(threshold) || threshold <= 0) {
      throw new InvalidArgumentError(`threshold must be a finite number > 0, got ${threshold}.`);
    }
    this.threshold = threshold;
    this.minStdDevMs = positiveMs(
      "minStdDevMs",
      options.minStdDevMs ?? this.heartbeatIntervalMs * heartbeatDefaults.minStdDevIntervals,
    );
    this.acceptablePauseMs = nonNegativeMs(
      "acceptablePauseMs",
      options.acceptablePauseMs ??
        this.heartbeatIntervalMs * heartbeatDefaults.acceptablePauseIntervals,
    );
    this.windowSamplesMax = integerInRange(
      "windowSamplesMax",
      options.windowSamplesMax ?? heartbeatDefaults.windowSamplesMax,
      1,
      1_000_000,
    );
  }

  /**
   * The suspicion level of `peer` now (0 right after a heartbeat, growing with silence).
   *
   * @throws `InvalidArgumentError` when `peer` is not watched.
   */
  phi(peer: NodeId): number {
    return this.#phi(peer, this.silenceMs(peer));
  }

  /**
   * What has been learned about `peer`'s heartbeat intervals.
   *
   * @throws `InvalidArgumentError` when `peer` is not watched.
   */
  arrivalStats(peer: NodeId): ArrivalStats {
    if (!this.isWatched(peer)) this.peerState(peer); // throws the error for an unwatched peer
    const window = this.#windows.get(peer);
    return {
      samples: window?.count ?? 0,
      meanMs: this.#meanMs(window),
      stdDevMs: Math.max(this.minStdDevMs, window?.stdDevMs ?? 0),
    };
  }

  /** Suspect while φ ≥ `threshold`. */
  protected override isSilentTooLong(peer: NodeId, silentMs: number): boolean {
    return this.#phi(peer, silentMs) >= this.threshold;
  }

  /** Adds the interval to the peer's window. */
  protected override recordInterval(peer: NodeId, intervalMs: number): void {
    let window = this.#windows.get(peer);
    if (window === undefined) {
      window = new ArrivalWindow(this.windowSamplesMax);
      this.#windows.set(peer, window);
    }
    window.add(intervalMs);
  }

  /** Drops the peer's window. */
  protected override peerForgotten(peer: NodeId): void {
    this.#windows.delete(peer);
  }

  #phi(peer: NodeId, silentMs: number): number {
    const window = this.#windows.get(peer);
    const stdDevMs = Math.max(this.minStdDevMs, window?.stdDevMs ?? 0);
    return computePhi(silentMs, this.#meanMs(window) + this.acceptablePauseMs, stdDevMs);
  }

  #meanMs(window: ArrivalWindow | undefined): number {
    return window === undefined || window.count === 0 ? this.heartbeatIntervalMs : window.meanMs;
  }
}
