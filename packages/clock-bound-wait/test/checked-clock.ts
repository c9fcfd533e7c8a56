import { invariant } from "@pods/core-interfaces";
import {
  compareHybridTimestamps,
  formatHybridTimestamp,
  HybridClock,
  type HybridTimestamp,
} from "@pods/hybrid-clock";

/**
 * A hybrid clock that checks, as it issues them, that every timestamp is above the previous one
 * (per-node monotonicity) and that a receipt is stamped above its send (causality). A violation
 * throws inside the simulation, which fails the run with its seed.
 */
export class CheckedClock extends HybridClock {
  #last: HybridTimestamp | undefined;
  #issued = 0;

  /** How many timestamps this clock issued. */
  get issued(): number {
    return this.#issued;
  }

  override now(): HybridTimestamp {
    return this.#check(super.now());
  }

  override update(remote: HybridTimestamp): HybridTimestamp {
    const received = this.#check(super.update(remote));
    invariant(
      compareHybridTimestamps(received, remote) > 0,
      () =>
        `${this.nodeId} stamped a receipt at or below its send ${formatHybridTimestamp(remote)}`,
    );
    return received;
  }

  #check(issued: HybridTimestamp): HybridTimestamp {
    invariant(
      this.#last === undefined || compareHybridTimestamps(issued, this.#last) > 0,
      () => `${this.nodeId} issued ${formatHybridTimestamp(issued)} after a larger timestamp`,
    );
    this.#last = issued;
    this.#issued++;
    return issued;
  }
}
