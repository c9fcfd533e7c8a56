import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * `start()` was called on a loop that is already running (a {@link HeartbeatScheduler}, or the
 * check loop of a failure detector). Nothing changed: the loop keeps its current timing. Call
 * `restart()` to begin a new cycle, or `stop()` first.
 */
export class AlreadyStartedError extends PodsError {
  /** The stable, machine-readable name of this failure: `"ALREADY_STARTED"`. */
  readonly code = "ALREADY_STARTED";

  /** @param what - the loop that is running, e.g. `"heartbeat scheduler"`. */
  constructor(what: string, options?: PodsErrorOptions) {
    super(
      `The ${what} is already running; call restart() to begin a new cycle, or stop() before ` +
        "start(). Nothing was changed.",
      "definite",
      options,
    );
  }
}
