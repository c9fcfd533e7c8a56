import { InvalidArgumentError } from "@pods/core-interfaces";

/** What the round-trip samples fed to a {@link HeartbeatScheduler} say so far. */
export interface RoundTripEstimate {
  /** Samples received. */
  readonly samples: number;
  /** The latest sample, in ms. */
  readonly lastMs: number;
  /** The smoothed round trip (an exponentially weighted mean, gain 1/8), in ms. */
  readonly smoothedMs: number;
  /** The smoothed mean deviation of the samples (gain 1/4), in ms. */
  readonly variationMs: number;
}

/**
 * Smooths round-trip samples the way TCP does (RFC 6298): the first sample sets the mean and half
 * of it the variation; later ones move the mean by 1/8 and the variation by 1/4 of the difference.
 */
export class RoundTripEstimator {
  #estimate: RoundTripEstimate | undefined;

  /** The estimate, or `undefined` before the first sample. */
  get estimate(): RoundTripEstimate | undefined {
    return this.#estimate;
  }

  /**
   * Adds one sample.
   *
   * @throws `InvalidArgumentError` unless `roundTripMs` is a finite number ≥ 0.
   */
  add(roundTripMs: number): RoundTripEstimate {
    if (!Number.isFinite(roundTripMs) || roundTripMs < 0) {
      throw new InvalidArgumentError(
        `a round-trip sample must be a finite number of ms >= 0, got ${roundTripMs}.`,
      );
    }
    const previous = this.#estimate;
    this.#estimate =
      previous === undefined
        ? { samples: 1, lastMs: roundTripMs, smoothedMs: roundTripMs, variationMs: roundTripMs / 2 }
        : {
            samples: previous.samples + 1,
            lastMs: roundTripMs,
            smoothedMs: previous.smoothedMs + (roundTripMs - previous.smoothedMs) / 8,
            variationMs:
              previous.variationMs +
              (Math.abs(previous.smoothedMs - roundTripMs) - previous.variationMs) / 4,
          };
    return this.#estimate;
  }
}
