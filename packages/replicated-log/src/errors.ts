import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * The leader holds more uncommitted bytes than `uncommittedBytesMax` allows (followers are slow or
 * gone): the proposal was not appended (definite). Retry after a short wait.
 */
export class UncommittedLimitError extends PodsError {
  /** `"UNCOMMITTED_LIMIT"`: the stable, machine-readable name of this failure. */
  readonly code = "UNCOMMITTED_LIMIT";
  /** The limit, in bytes. */
  readonly uncommittedBytesMax: number;

  /**
   * @param uncommittedBytes - bytes appended and not committed yet.
   * @param uncommittedBytesMax - the limit.
   */
  constructor(uncommittedBytes: number, uncommittedBytesMax: number, options?: PodsErrorOptions) {
    super(
      `The leader holds ${uncommittedBytes} uncommitted bytes and the proposal would pass ` +
        `uncommittedBytesMax (${uncommittedBytesMax}); it was not appended. Retry after a short ` +
        "wait, or raise the limit.",
      "definite",
      options,
    );
    this.uncommittedBytesMax = uncommittedBytesMax;
  }
}

/**
 * A membership change was refused before anything was logged (definite): another change is still
 * being applied, or a learner is not caught up enough to be promoted. Retry later.
 */
export class MembershipChangeError extends PodsError {
  /** `"MEMBERSHIP_CHANGE"`: the stable, machine-readable name of this failure. */
  readonly code = "MEMBERSHIP_CHANGE";

  /** @param reason - why, and what to do. */
  constructor(reason: string, options?: PodsErrorOptions) {
    super(`The membership change was refused: ${reason}`, "definite", options);
  }
}
