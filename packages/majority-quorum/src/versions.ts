import {
  assertNodeId,
  compareNodeIds,
  InvalidArgumentError,
  type NodeId,
} from "@pods/core-interfaces";

/**
 * A version made of a counter and the id of the node that issued it: ordered by counter, ties
 * broken by node id. The same shape as generation-clock's `MonotonicId`, so either works with
 * {@link counterVersions}. The node id may carry a restart generation (`"athens:3"`) where a node
 * that forgets its state on restart must never reissue a version.
 */
export interface CounterVersion {
  /** The counter: an integer ≥ −1 (−1 only in {@link emptyCounterVersion}). */
  readonly counter: number;
  /** The issuing node; `""` only in {@link emptyCounterVersion}. */
  readonly nodeId: NodeId;
}

/** The version below every other: (−1, ""). */
export const emptyCounterVersion: CounterVersion = Object.freeze({ counter: -1, nodeId: "" });

/** Orders counter versions: by counter, then by node id (`compareNodeIds`). */
export function compareCounterVersions(a: CounterVersion, b: CounterVersion): number {
  return a.counter !== b.counter
    ? a.counter < b.counter
      ? -1
      : 1
    : compareNodeIds(a.nodeId, b.nodeId);
}

/**
 * Builds a validated counter version.
 *
 * @throws `InvalidArgumentError` unless `counter` is a safe integer ≥ 0 and `nodeId` a valid
 *   node id.
 */
export function counterVersion(counter: number, nodeId: NodeId): CounterVersion {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new InvalidArgumentError(
      `A version counter must be a safe integer >= 0, got ${String(counter)}.`,
    );
  }
  assertNodeId(nodeId, "version node id");
  return { counter, nodeId };
}

/**
 * Versions stamped by a clock at the coordinator, without asking anyone: last-writer-wins by the
 * clock. With a hybrid clock: `{ kind: "clock", compare: compareHybridTimestamps, next: () =>
 * hlc.now() }`; with a Lamport clock add `observe: (v) => lamport.observe(v)` so versions seen in
 * replies and writes move the clock. Skewed clocks make a later write lose to an earlier one.
 */
export interface ClockVersions<Ver> {
  /** Marks this scheme. */
  readonly kind: "clock";
  /** Orders versions; 0 means the same version. */
  readonly compare: (a: Ver, b: Ver) => number;
  /** Stamps a new write. */
  readonly next: () => Ver;
  /** Called with every version this node receives (writes, read replies). Optional. */
  readonly observe?: (version: Ver) => void;
}

/**
 * Versions obtained by first reading the highest version of the key from a read quorum, then
 * writing with the next one: a write that starts after another completed always gets a higher
 * version, whatever the clocks say. See {@link counterVersions}.
 */
export interface QuorumReadVersions<Ver> {
  /** Marks this scheme. */
  readonly kind: "quorum-read";
  /** Orders versions; 0 means the same version. */
  readonly compare: (a: Ver, b: Ver) => number;
  /**
   * The version of a new write, given the highest version a read quorum holds (`undefined` when
   * none holds the key). Must be greater than `highest`, and unique to this writer.
   */
  readonly next: (highest: Ver | undefined) => Ver;
}

/** How a leaderless store versions its writes. */
export type VersionSource<Ver> = ClockVersions<Ver> | QuorumReadVersions<Ver>;

/**
 * Quorum-read versions made of a counter and `nodeId`: the next version is (counter + 1, nodeId)
 * of the highest read, and also above every version this source issued before, so two concurrent
 * writes through one node never share a version.
 *
 * @throws `InvalidArgumentError` for a bad node id.
 */
export function counterVersions(nodeId: NodeId): QuorumReadVersions<CounterVersion> {
  assertNodeId(nodeId, "nodeId");
  let lastIssued = -1;
  return {
    kind: "quorum-read",
    compare: compareCounterVersions,
    next(highest) {
      lastIssued = Math.max(lastIssued, highest?.counter ?? -1) + 1;
      return counterVersion(lastIssued, nodeId);
    },
  };
}
