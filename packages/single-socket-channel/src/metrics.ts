import type { NodeId } from "@pods/core-interfaces";
import type { LinkState } from "./admission.ts";
import type { ConnectionRole } from "./connection.ts";

/** Counters of a channel node since it was created (a snapshot). */
export interface ChannelMetrics {
  /** Connection attempts this node started. */
  readonly dials: number;
  /** Attempts that ended before a connection was established (refused, timed out, failed). */
  readonly dialFailures: number;
  /** Connections established, dialed or accepted. */
  readonly connectionsEstablished: number;
  /** Established connections that ended other than by `close`. */
  readonly connectionsLost: number;
  /** Inbound connections refused at the handshake (garbage, wrong cluster, duplicates, ...). */
  readonly handshakesRefused: number;
  /** One-way messages queued by `send`. */
  readonly messagesSent: number;
  /** One-way messages received and delivered to the handlers. */
  readonly messagesReceived: number;
  /**
   * One-way messages lost here: queued but discarded unsent when their connection failed, or
   * received while no handler was registered.
   */
  readonly messagesDropped: number;
  /** Requests queued by `request`. */
  readonly requestsSent: number;
  /** Responses (and failure answers) that completed a request. */
  readonly responsesReceived: number;
  /**
   * Responses whose correlation id matched no pending request on their connection (the request
   * timed out, or the response is corrupt): dropped.
   */
  readonly unknownResponses: number;
  /** Requests handled by this node's request handler (answered or failed). */
  readonly requestsHandled: number;
  /** Responses not sent because the connection their request came on had ended. */
  readonly responsesDropped: number;
  /** Sends refused with `SendQueueFullError`. */
  readonly sendQueueFull: number;
  /** Frames written (pings and handshakes excluded). */
  readonly framesSent: number;
  /** Frames received after handshakes (pings included). */
  readonly framesReceived: number;
  /** Bytes written to streams. */
  readonly bytesSent: number;
  /** Bytes read from streams. */
  readonly bytesReceived: number;
  /** Write calls on streams: frames are batched, so this is far below `framesSent`. */
  readonly writes: number;
}

/** The mutable form the channel counts in. @internal */
export type MutableMetrics = { -readonly [K in keyof ChannelMetrics]: number };

/** All counters at zero. @internal */
export function zeroMetrics(): MutableMetrics {
  return {
    dials: 0,
    dialFailures: 0,
    connectionsEstablished: 0,
    connectionsLost: 0,
    handshakesRefused: 0,
    messagesSent: 0,
    messagesReceived: 0,
    messagesDropped: 0,
    requestsSent: 0,
    responsesReceived: 0,
    unknownResponses: 0,
    requestsHandled: 0,
    responsesDropped: 0,
    sendQueueFull: 0,
    framesSent: 0,
    framesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    writes: 0,
  };
}

/** The state of the channel to one peer (a snapshot). */
export interface PeerStatus {
  /** The peer. */
  readonly peer: NodeId;
  /** Where the link stands; `connected` means a handshake-verified connection is up. */
  readonly state: LinkState;
  /**
   * The epoch of the current connection, or of the last one: each established connection to the
   * peer gets the next number, from 1.
   */
  readonly epoch: number;
  /** Who opened the current connection, when connected. */
  readonly openedBy: ConnectionRole | undefined;
  /** The remote end of the current connection, when connected. */
  readonly remote: string | undefined;
  /** Bytes waiting in the send queue (frame headers included). */
  readonly queuedBytes: number;
  /** Requests written on the current connection and not yet answered. */
  readonly inflightRequests: number;
  /** Failed connection attempts since the last success; drives the backoff. */
  readonly failures: number;
}

/** A connection to a peer came up or went down. */
export interface ConnectionEvent {
  /** The peer. */
  readonly peer: NodeId;
  /** `connected` when a connection was established, `disconnected` when it ended. */
  readonly state: "connected" | "disconnected";
  /** The connection's epoch. */
  readonly epoch: number;
  /** Why it ended (for `disconnected`). */
  readonly reason: string | undefined;
}
