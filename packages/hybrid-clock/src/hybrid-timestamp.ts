import {
  assertNodeId,
  compareNodeIds,
  InvalidArgumentError,
  type NodeId,
} from "@pods/core-interfaces";

/**
 * A hybrid logical clock timestamp: a physical part close to wall time and a logical counter that
 * orders events within one millisecond, plus the id of the node that issued it so that any two
 * timestamps of different nodes are ordered (a total order).
 *
 * Timestamps are plain, immutable data: they survive `structuredClone`, JSON and MessagePack, and
 * compare with {@link compareHybridTimestamps}. Build them with {@link hybridTimestamp}, which
 * validates, or receive them from a {@link HybridClock}.
 */
export interface HybridTimestamp {
  /** Milliseconds since the Unix epoch: an integer from 0 to {@link hybridWallMsMax}. */
  readonly wallMs: number;
  /** Orders timestamps with the same `wallMs`: an integer from 0 to {@link hybridLogicalMax}. */
  readonly logical: number;
  /**
   * The node that issued the timestamp, breaking ties between nodes. `""` means "no node": it
   * sorts before every node id (a bound such as "everything at or before 10:00" uses it).
   */
  readonly nodeId: NodeId;
}

/** The largest physical part, `2^48 − 1` ms after the epoch (the year 10889): 48 bits. */
export const hybridWallMsMax = 2 ** 48 - 1;

/** The largest logical part, `2^16 − 1`: 16 bits. One more advances the physical part by 1 ms. */
export const hybridLogicalMax = 2 ** 16 - 1;

function isIntegerIn(value: unknown, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;
}

/**
 * Checks that `value` is a well-formed {@link HybridTimestamp}: integer parts within 48 and 16
 * bits, and a node id that is `""` or passes `assertNodeId`.
 *
 * @param what - names the value in the error message.
 * @throws `InvalidArgumentError` naming the field and the rule.
 */
export function assertHybridTimestamp(
  value: unknown,
  what = "hybrid timestamp",
): asserts value is HybridTimestamp {
  if (typeof value !== "object" || value === null) {
    throw new InvalidArgumentError(
      `${what} must be an object {wallMs, logical, nodeId}, got ${String(value)}.`,
    );
  }
  const { wallMs, logical, nodeId } = value as Partial<Record<keyof HybridTimestamp, unknown>>;
  if (!isIntegerIn(wallMs, hybridWallMsMax)) {
    throw new InvalidArgumentError(
      `${what}.wallMs must be an integer from 0 to ${hybridWallMsMax} (ms since the epoch), ` +
        `got ${String(wallMs)}.`,
    );
  }
  if (!isIntegerIn(logical, hybridLogicalMax)) {
    throw new InvalidArgumentError(
      `${what}.logical must be an integer from 0 to ${hybridLogicalMax}, got ${String(logical)}.`,
    );
  }
  if (nodeId !== "") assertNodeId(nodeId, `${what}.nodeId`);
}

/**
 * Builds a validated timestamp, e.g. `hybridTimestamp(1_700_000_000_000, 3, "athens")`.
 *
 * @param wallMs - milliseconds since the epoch, an integer from 0 to {@link hybridWallMsMax}.
 * @param logical - an integer from 0 to {@link hybridLogicalMax}. Default 0.
 * @param nodeId - the issuing node, or `""` (the default) for none.
 * @throws `InvalidArgumentError` when a part is out of range.
 */
export function hybridTimestamp(wallMs: number, logical = 0, nodeId: NodeId = ""): HybridTimestamp {
  const timestamp = { wallMs, logical, nodeId };
  assertHybridTimestamp(timestamp);
  return timestamp;
}

/**
 * Orders timestamps by physical part, then logical part, then node id (`compareNodeIds`):
 * negative if `a` is earlier, 0 if equal, positive if later. A total order, consistent with the
 * byte and string encodings.
 */
export function compareHybridTimestamps(a: HybridTimestamp, b: HybridTimestamp): number {
  return a.wallMs - b.wallMs || a.logical - b.logical || compareNodeIds(a.nodeId, b.nodeId);
}

/** The later of two timestamps (`a` when they are equal). */
export function maxHybridTimestamp(a: HybridTimestamp, b: HybridTimestamp): HybridTimestamp {
  return compareHybridTimestamps(b, a) > 0 ? b : a;
}
