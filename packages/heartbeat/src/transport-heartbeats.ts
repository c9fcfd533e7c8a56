import {
  noopLogger,
  UnreachableError,
  type Logger,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import type { FailureDetector } from "./failure-detector.ts";

/**
 * Makes every message that arrives on `transport` count as a heartbeat from its sender
 * (piggybacking): replication traffic, votes and answers prove a peer alive as well as a
 * dedicated heartbeat does. Messages from peers the detector does not watch (clients) are ignored
 * by it.
 *
 * @returns the function that stops counting.
 */
export function countInboundMessages<M>(
  transport: Transport<M>,
  detector: Pick<FailureDetector, "heartbeatReceived">,
): () => void {
  return transport.onMessage((from) => {
    detector.heartbeatReceived(from);
  });
}

/** Options of {@link sendToPeers}. */
export interface SendToPeersOptions<M> {
  /** Where the heartbeats go out. */
  readonly transport: Transport<M>;
  /** The peers to beat to, asked at every beat (membership may change). */
  readonly peers: () => Iterable<NodeId>;
  /** The heartbeat for one peer (a leader puts its generation and high-water mark in it). */
  readonly message: (peer: NodeId) => M;
  /** Receives `heartbeat.send-refused` (debug) for a peer known to be unreachable. Default: none. */
  readonly logger?: Logger;
}

/**
 * A `beat` for a {@link HeartbeatScheduler} that sends `message(peer)` to every peer with
 * `transport.send` — a one-way message, so it never waits behind requests on a request queue. A
 * peer the transport refuses at once (`UnreachableError`) is skipped for this beat; any other
 * error is a bug and is thrown.
 */
export function sendToPeers<M>(options: SendToPeersOptions<M>): () => void {
  const logger = options.logger ?? noopLogger;
  return () => {
    for (const peer of options.peers()) {
      try {
        options.transport.send(peer, options.message(peer));
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error;
        logger.debug("heartbeat.send-refused", { peer, reason: error.message });
      }
    }
  };
}
