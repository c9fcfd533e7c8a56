import { PodsError, type NodeId, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * The waiting list already holds `pendingMax` entries: the request was not registered, so it must
 * not be sent (a definite failure). Wait for pending requests to settle, then retry.
 */
export class WaitingListFullError extends PodsError {
  /** `"WAITING_LIST_FULL"`: the stable, machine-readable name of this failure. */
  readonly code = "WAITING_LIST_FULL";
  /** The limit that was reached, in entries. */
  readonly pendingMax: number;

  /** @param pendingMax - the limit that was reached. */
  constructor(pendingMax: number, options?: PodsErrorOptions) {
    super(
      `The request waiting list holds ${pendingMax} pending requests (pendingMax); this one was ` +
        "not registered and must not be sent. Wait for pending requests to settle, or raise pendingMax.",
      "definite",
      options,
    );
    this.pendingMax = pendingMax;
  }
}

/**
 * So many voters failed or answered negatively that a quorum of positive answers can no longer be
 * reached. Indefinite by default: a minority may have applied the request, and a later repair or
 * retry may still spread it.
 */
export class NoQuorumError extends PodsError {
  /** `"NO_QUORUM"`: the stable, machine-readable name of this failure. */
  readonly code = "NO_QUORUM";
  /** Why each failed voter counts as failed: its error, or its negative response. */
  readonly failures: ReadonlyMap<NodeId, unknown>;

  /**
   * @param failures - the failed voters and why.
   * @param options - `outcome: "definite"` when a failed quorum leaves no trace (e.g. a read).
   */
  constructor(failures: ReadonlyMap<NodeId, unknown>, options?: PodsErrorOptions) {
    super(
      `No quorum: ${failures.size} voters failed (${[...failures.keys()].join(", ")}), so a quorum ` +
        "of positive answers can no longer be reached. The request may have taken effect on some " +
        "voters; retry idempotently once they are reachable.",
      "indefinite",
      options,
    );
    this.failures = failures;
  }
}

/**
 * Leadership was lost while the request waited (for its log index to commit, say). The entry may
 * still commit under the next leader, so the outcome is indefinite unless stated otherwise.
 */
export class LeadershipLostError extends PodsError {
  /** `"LEADERSHIP_LOST"`: the stable, machine-readable name of this failure. */
  readonly code = "LEADERSHIP_LOST";
  /** The node believed to lead now, if known. */
  readonly leaderHint: NodeId | undefined;

  /** @param leaderHint - the node believed to lead now, if known. */
  constructor(leaderHint: NodeId | undefined, options?: PodsErrorOptions) {
    super(
      "This node lost its leadership while the request waited; it may still commit, so retry " +
        `idempotently${leaderHint === undefined ? " once a new leader is elected" : ` against node "${leaderHint}"`}.`,
      "indefinite",
      options,
    );
    this.leaderHint = leaderHint;
  }
}
