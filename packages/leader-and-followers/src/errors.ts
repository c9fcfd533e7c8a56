import { NotLeaderError, type NodeId, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * A `NotLeaderError` that also carries the address of the node believed to lead, so a client can
 * retry there at once. Definite: nothing was done. Without a known leader (an election is under
 * way) both hints are `undefined`: retry after a short wait.
 */
export class LeaderRedirectError extends NotLeaderError {
  /** `"NOT_LEADER"`, as every `NotLeaderError`: match on it when two copies may be loaded. */
  override readonly code = "NOT_LEADER";
  /** The address of {@link NotLeaderError.leaderHint}, when known. */
  readonly leaderAddress: string | undefined;

  /**
   * @param leaderHint - the node believed to lead, if any.
   * @param leaderAddress - where to reach it, if known.
   */
  constructor(
    leaderHint: NodeId | undefined,
    leaderAddress: string | undefined,
    options?: PodsErrorOptions,
  ) {
    super(leaderHint, options);
    this.leaderAddress = leaderAddress;
    if (leaderHint !== undefined && leaderAddress !== undefined) {
      this.message = `This node is not the leader; retry against node "${leaderHint}" at ${leaderAddress}.`;
    }
  }
}
