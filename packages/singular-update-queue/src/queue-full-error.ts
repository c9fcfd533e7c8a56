import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * A submit found the queue full: with overflow `"reject"`, `capacityMax` items were already
 * accepted; with `"wait"`, `waitingSubmitsMax` submitters were already waiting for space. The item
 * was not accepted and will never be handled (a definite failure), so retrying is safe.
 */
export class QueueFullError extends PodsError {
  /** `"QUEUE_FULL"`: the stable, machine-readable name of this failure. */
  readonly code = "QUEUE_FULL";
  /** The limit that was reached, in items. */
  readonly limit: number;

  /**
   * @param queueName - the queue that is full, e.g. `"update queue of athens"`.
   * @param limit - the limit that was reached, in items.
   * @param what - which limit: accepted items or waiting submitters.
   */
  constructor(
    queueName: string,
    limit: number,
    what: "accepted items" | "waiting submitters",
    options?: PodsErrorOptions,
  ) {
    super(
      `${queueName} is full (${limit} ${what}); the item was not accepted. Slow down and retry, ` +
        "or raise the limit.",
      "definite",
      options,
    );
    this.limit = limit;
  }
}
