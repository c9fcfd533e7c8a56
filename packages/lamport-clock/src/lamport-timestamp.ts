import {
  assertNodeId,
  compareNodeIds,
  InvalidArgumentError,
  type NodeId,
} from "@pods/core-interfaces";

/**
 * A Lamport timestamp: a logical counter, plus the id of the node that issued it so that
 * timestamps of different nodes are totally ordered (counter first, node id to break ties).
 *
 * If event a happened before event b (same node, earlier; or a message sent at a and received
 * before b), then a's timestamp is smaller. The converse does not hold: a smaller timestamp says
 * nothing about causality, and nothing at all about real time.
 *
 * Plain, immutable data: it survives `structuredClone`, JSON and MessagePack.
 */
export interface LamportTimestamp {
  /** The counter: a safe integer ≥ 0 (0 only before any event). */
  readonly counter: number;
  /** The issuing node, or `""` for none (it sorts before every node id). */
  readonly nodeId: NodeId;
}

/** The largest counter, `Number.MAX_SAFE_INTEGER` (2^53 − 1). */
export const lamportCounterMax = Number.MAX_SAFE_INTEGER;

/**
 * Checks that `value` is a well-formed {@link LamportTimestamp}: a counter that is a safe integer
 * ≥ 0, and a node id that is `""` or passes `assertNodeId`.
 *
 * @param what - names the value in the error message.
 * @throws `InvalidArgumentError` for a negative, fractional or unsafe counter, or a bad node id.
 */
export function assertLamportTimestamp(
  value: unknown,
  what = "Lamport timestamp",
): asserts value is LamportTimestamp {
  if (typeof value !== "object" || value === null) {
    throw new InvalidArgumentError(
      `${what} must be an object {counter, nodeId}, got ${String(value)}.`,
    );
  }
  const { counter, nodeId } = value as Partial<Record<keyof LamportTimestamp, unknown>>;
  if (typeof counter !== "number" || !Number.isSafeInteger(counter) || counter < 0) {
    throw new InvalidArgumentError(
      `${what}.counter must be a safe integer >= 0 (at most 2^53 - 1), got ${String(counter)}.`,
    );
  }
  if (nodeId !== "") assertNodeId(nodeId, `${what}.nodeId`);
}

/**
 * Builds a validated timestamp, e.g. `lamportTimestamp(42, "athens")`.
 *
 * @param counter - a safe integer ≥ 0.
 * @param nodeId - the issuing node, or `""` (the default) for none.
 * @throws `InvalidArgumentError` for a negative, fractional or unsafe counter, or a bad node id.
 */
export function lamportTimestamp(counter: number, nodeId: NodeId = ""): LamportTimestamp {
  const timestamp = { counter, nodeId };
  assertLamportTimestamp(timestamp);
  return timestamp;
}

/**
 * Orders timestamps by counter, then node id (`compareNodeIds`): negative if `a` sorts first, 0 if
 * equal, positive otherwise. A total order, consistent with the byte and string encodings.
 */
export function compareLamportTimestamps(a: LamportTimestamp, b: LamportTimestamp): number {
  return a.counter - b.counter || compareNodeIds(a.nodeId, b.nodeId);
}

/** The later of two timestamps (`a` when they are equal). */
export function maxLamportTimestamp(a: LamportTimestamp, b: LamportTimestamp): LamportTimestamp {
  return compareLamportTimestamps(b, a) > 0 ? b : a;
}
