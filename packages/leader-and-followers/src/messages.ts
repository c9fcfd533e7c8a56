import { assertNodeId, type NodeId } from "@pods/core-interfaces";

/** Where a log ends: the index and generation of its last entry (`{0, 0}` for an empty log). */
export interface LogPosition {
  /** The index of the last entry; 0 when the log is empty. */
  readonly index: number;
  /** The generation of the last entry; 0 when the log is empty. */
  readonly generation: number;
}

/**
 * A candidate asks for a vote, or a pre-candidate asks whether it would get one.
 *
 * With `preVote`, `generation` is the generation the sender *would* campaign in (its own + 1); the
 * sender's own generation does not change, and neither does the voter's.
 */
export interface VoteRequest {
  /** The discriminant. */
  readonly type: "vote-request";
  /** The generation of the election (for a pre-vote: the one it would be). */
  readonly generation: number;
  /** Who asks; must be the sender. */
  readonly candidateId: NodeId;
  /** The index of the candidate's last log entry. */
  readonly lastLogIndex: number;
  /** The generation of the candidate's last log entry. */
  readonly lastLogGeneration: number;
  /** A pre-vote: "would you vote for me?", changing nobody's generation. */
  readonly preVote: boolean;
  /**
   * The election was started by a leadership transfer (`TimeoutNow`): voters grant it even though
   * they heard from the leader recently.
   */
  readonly transfer: boolean;
}

/** A voter's answer to a {@link VoteRequest}. */
export interface VoteResponse {
  /** The discriminant. */
  readonly type: "vote-response";
  /**
   * For a vote: the voter's generation. For a pre-vote: the generation asked about when granted,
   * the voter's own generation when refused.
   */
  readonly generation: number;
  /** Whether the (pre-)vote is granted. */
  readonly granted: boolean;
  /** Who answers; must be the sender. */
  readonly voterId: NodeId;
  /** Whether this answers a pre-vote. */
  readonly preVote: boolean;
}

/** A leader hands over: the receiver campaigns at once, skipping the pre-vote. */
export interface TimeoutNow {
  /** The discriminant. */
  readonly type: "timeout-now";
  /** The leader's generation. */
  readonly generation: number;
  /** The leader; must be the sender. */
  readonly leaderId: NodeId;
}

/** Every message of the election protocol. */
export type ElectionMessage = VoteRequest | VoteResponse | TimeoutNow;

/** The `type` of every election message. */
export const electionMessageTypes: ReadonlySet<string> = new Set<ElectionMessage["type"]>([
  "vote-request",
  "vote-response",
  "timeout-now",
]);

/** Whether `value` is a safe integer ≥ 0 (an index or a generation). */
export function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Whether `value` is a node id. */
export function isNodeId(value: unknown): value is NodeId {
  try {
    assertNodeId(value);
    return true;
  } catch {
    return false;
  }
}

/** Whether `value` is a plain object (a decoded message). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks a message received from `from` that claims to be an election message: the fields the
 * protocol reads have the right types and ranges, and the sender named inside is the sender.
 * Returns the problem, or `undefined` when it is valid (then it is an {@link ElectionMessage}).
 */
export function electionMessageProblem(from: NodeId, value: unknown): string | undefined {
  if (!isRecord(value)) return "not an object";
  if (!isIndex(value["generation"])) return "generation is not an index";
  switch (value["type"]) {
    case "vote-request":
      if (value["candidateId"] !== from) return "candidateId is not the sender";
      if (!isIndex(value["lastLogIndex"]) || !isIndex(value["lastLogGeneration"])) {
        return "the last log position is not made of indexes";
      }
      if (typeof value["preVote"] !== "boolean" || typeof value["transfer"] !== "boolean") {
        return "preVote and transfer must be booleans";
      }
      return undefined;
    case "vote-response":
      if (value["voterId"] !== from) return "voterId is not the sender";
      if (typeof value["granted"] !== "boolean" || typeof value["preVote"] !== "boolean") {
        return "granted and preVote must be booleans";
      }
      return undefined;
    case "timeout-now":
      return value["leaderId"] === from ? undefined : "leaderId is not the sender";
    default:
      return `unknown type ${JSON.stringify(value["type"])}`;
  }
}
