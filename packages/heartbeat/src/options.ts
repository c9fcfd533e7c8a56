import { InvalidArgumentError } from "@pods/core-interfaces";

/**
 * The defaults of this package, in one place so that protocols built on it (leader election,
 * leases, the channel's keep-alive) can align their own timeouts with them.
 */
export const heartbeatDefaults = {
  /** How often a heartbeat is sent, in ms. */
  heartbeatIntervalMs: 100,
  /** How long a fixed-timeout detector waits in silence before suspecting a peer, in ms. */
  timeoutMs: 1000,
  /** The phi at or above which the phi-accrual detector suspects a peer. */
  phiThreshold: 8,
  /** Arrival intervals kept per peer by the phi-accrual detector. */
  windowSamplesMax: 1000,
  /** Peers one detector watches at most. */
  peersMax: 10_000,
  /** The check loop's gap that counts as a pause of this process, in check intervals. */
  pauseThresholdChecks: 3,
  /** The phi-accrual detector's minimum standard deviation, in heartbeat intervals. */
  minStdDevIntervals: 0.25,
  /** The phi-accrual detector's acceptable pause, in heartbeat intervals. */
  acceptablePauseIntervals: 3,
} as const;

/** @returns `value`, or throws unless it is a finite number > 0. */
export function positiveMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a finite number of ms > 0, got ${value}.`);
  }
  return value;
}

/** @returns `value`, or throws unless it is a finite number ≥ 0. */
export function nonNegativeMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a finite number of ms >= 0, got ${value}.`);
  }
  return value;
}

/** @returns `value`, or throws unless it is a safe integer within [min, max]. */
export function integerInRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${value}.`,
    );
  }
  return value;
}
