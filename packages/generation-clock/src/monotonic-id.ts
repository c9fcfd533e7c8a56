import {
  assertNodeId,
  compareNodeIds,
  InvalidArgumentError,
  type NodeId,
} from "@pods/core-interfaces";

/**
 * A number that only grows, made unique by the node that issued it: a Paxos ballot, a proposal
 * number. Ordered by counter, then node id. The same shape as `@pods/majority-quorum`'s
 * `CounterVersion`, so a `MonotonicId` also versions a leaderless store's writes.
 */
export interface MonotonicId {
  /** The counter: an integer ≥ 0, or −1 in {@link emptyMonotonicId}. */
  readonly counter: number;
  /** The issuing node; `""` in {@link emptyMonotonicId}. */
  readonly nodeId: NodeId;
}

/** The id below every other, (−1, ""): "nothing promised yet". */
export const emptyMonotonicId: MonotonicId = Object.freeze({ counter: -1, nodeId: "" });

/**
 * Builds a validated id.
 *
 * @throws `InvalidArgumentError` unless `counter` is a safe integer ≥ 0 and `nodeId` a valid id.
 */
export function monotonicId(counter: number, nodeId: NodeId): MonotonicId {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new InvalidArgumentError(
      `A monotonic id's counter must be a safe integer >= 0, got ${String(counter)}.`,
    );
  }
  assertNodeId(nodeId, "monotonic id node id");
  return { counter, nodeId };
}

/** Orders ids by counter, then node id (`compareNodeIds`): negative when `a` comes first. */
export function compareMonotonicIds(a: MonotonicId, b: MonotonicId): number {
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return compareNodeIds(a.nodeId, b.nodeId);
}

/** The next id `nodeId` issues after seeing `highest`: (highest.counter + 1, nodeId). */
export function nextMonotonicId(highest: MonotonicId, nodeId: NodeId): MonotonicId {
  return monotonicId(highest.counter + 1, nodeId);
}

/**
 * The Paxos promise rule: an acceptor that promised `promised` accepts `ballot` when it is at
 * least as high (≥, with the node id breaking counter ties). Generation voting, by contrast,
 * requires strictly greater ({@link judgeGeneration}).
 */
export function acceptsBallot(promised: MonotonicId, ballot: MonotonicId): boolean {
  return compareMonotonicIds(ballot, promised) >= 0;
}
