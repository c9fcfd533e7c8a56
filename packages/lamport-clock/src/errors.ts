import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * The counter would pass 2^53 − 1, the largest integer a JavaScript number holds exactly. The
 * clock is unchanged. Unreachable in practice — a million events per second would take 285
 * years — so it means a peer sent an absurd timestamp (validate timestamps from untrusted peers)
 * or a bug. It is thrown rather than silently losing precision, which would break the ordering.
 */
export class LamportCounterExhaustedError extends PodsError {
  /** The stable, machine-readable name of this failure: `"LAMPORT_COUNTER_EXHAUSTED"`. */
  readonly code = "LAMPORT_COUNTER_EXHAUSTED";

  /** @param counter - the counter the clock was asked to move past. */
  constructor(counter: number, options?: PodsErrorOptions) {
    super(
      `The Lamport counter cannot move past ${counter}: the next value is above 2^53 - 1 and ` +
        "would lose precision. Find the peer or bug that produced such a large timestamp; the " +
        "clock is unchanged.",
      "definite",
      options,
    );
  }
}
