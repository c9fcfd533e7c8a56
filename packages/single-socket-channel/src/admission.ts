import { compareNodeIds, type NodeId } from "@pods/core-interfaces";

/**
 * Where a peer link stands: `idle` (no connection), `backoff` (waiting to redial after failures),
 * `dialing` (this node's attempt is connecting or handshaking), `awaiting-peer` (the peer refused
 * this node's attempt as a duplicate and is expected to connect itself), `connected`.
 */
export type LinkState = "idle" | "backoff" | "dialing" | "awaiting-peer" | "connected";

/** The newest dial of a peer this node has seen or been told about. */
export interface DialFloor {
  /** The peer's instance (a new one after a restart). */
  readonly instance: number;
  /** Dials of that instance numbered up to this are settled: accepted or superseded. */
  readonly dialSeq: number;
}

/** What to do with an inbound hello. */
export type Admission = "accept" | "duplicate" | "stale";

/**
 * Decides whether a peer's new connection is admitted. This is what keeps one connection per pair:
 *
 * - A hello numbered at or below the floor of the same peer instance is `stale`: the peer itself
 *   has abandoned that attempt (it adopted a connection of ours and said so in its welcome).
 * - While this node's own attempt to the peer is in flight, both nodes are connecting at once: the
 *   connection opened by the node with the smaller id wins, so the smaller node refuses the peer's
 *   as a `duplicate`, and the larger node accepts it and abandons its own.
 * - Otherwise the hello is accepted, also when a connection exists: the peer dials only when it has
 *   none, so the existing one is dead on its side (it restarted, or its idle timeout fired first).
 */
export function admitInbound(
  selfId: NodeId,
  peerId: NodeId,
  state: LinkState,
  floor: DialFloor | undefined,
  hello: DialFloor,
): Admission {
  if (floor !== undefined && floor.instance === hello.instance && hello.dialSeq <= floor.dialSeq) {
    return "stale";
  }
  if (state === "dialing" && compareNodeIds(selfId, peerId) < 0) return "duplicate";
  return "accept";
}
