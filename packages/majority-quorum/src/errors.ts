import { PodsError, type NodeId, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * So many voters failed or answered negatively that a quorum of positive answers can no longer be
 * reached. Indefinite by default: the voters that did answer positively may have applied the
 * request, and a later read or repair may still spread it. Pass `outcome: "definite"` where a
 * failed quorum leaves no trace (a read, a vote).
 */
export class QuorumFailedError extends PodsError {
  /** `"QUORUM_FAILED"`: the stable, machine-readable name of this failure. */
  readonly code = "QUORUM_FAILED";
  /** What needed the quorum, e.g. `"write of k1"`. */
  readonly operation: string;
  /** Why each failed voter counts as failed: its error, or its negative response. */
  readonly failures: ReadonlyMap<NodeId, unknown>;

  /**
   * @param operation - what needed the quorum.
   * @param failures - the failed voters and why.
   * @param quorumSet - a description of the quorum that was needed, e.g. `"majority of {a, b, c}"`.
   */
  constructor(
    operation: string,
    failures: ReadonlyMap<NodeId, unknown>,
    quorumSet: string,
    options?: PodsErrorOptions,
  ) {
    super(
      `${operation} cannot reach a quorum (${quorumSet}): ${failures.size} voters failed or ` +
        `refused (${[...failures.keys()].join(", ")}). ` +
        ((options?.outcome ?? "indefinite") === "indefinite"
          ? "It may have taken effect on the voters that accepted; retry idempotently once more voters are reachable."
          : "It did not take effect; retry once more voters are reachable."),
      "indefinite",
      options,
    );
    this.operation = operation;
    this.failures = failures;
  }
}

/**
 * A leaderless store already has `pendingMax` requests in flight: this one was not started (a
 * definite failure). Wait for some to finish, or raise `pendingMax`.
 */
export class TooManyPendingError extends PodsError {
  /** `"TOO_MANY_PENDING"`: the stable, machine-readable name of this failure. */
  readonly code = "TOO_MANY_PENDING";
  /** The limit that was reached. */
  readonly pendingMax: number;

  /** @param pendingMax - the limit that was reached. */
  constructor(pendingMax: number, options?: PodsErrorOptions) {
    super(
      `${pendingMax} quorum requests are in flight (pendingMax); this one was not started. ` +
        "Wait for some to finish, or raise pendingMax.",
      "definite",
      options,
    );
    this.pendingMax = pendingMax;
  }
}
