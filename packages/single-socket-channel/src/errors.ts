import {
  PodsError,
  UnreachableError,
  type FailureOutcome,
  type NodeId,
  type PodsErrorOptions,
} from "@pods/core-interfaces";

/**
 * The connection a request travelled on ended before its response arrived: the peer closed it,
 * sent malformed bytes, went silent past `readIdleTimeoutMs`, was replaced by a newer connection,
 * or this node closed the channel.
 *
 * The outcome says what is known: `indefinite` (the default) when the request was handed to the
 * socket and may have been handled; `definite` when it never left this node's send queue. The
 * channel never re-sends it: retry from the caller, idempotently for an indefinite outcome.
 */
export class ConnectionLostError extends PodsError {
  /** `"CONNECTION_LOST"`: the stable, machine-readable name of this failure. */
  readonly code = "CONNECTION_LOST";
  /** The peer the connection led to. */
  readonly peer: NodeId;
  /** Why the connection ended, e.g. `"no bytes from the peer for 1000 ms"`. */
  readonly reason: string;

  /**
   * @param peer - the peer the connection led to.
   * @param reason - why it ended.
   * @param options - the cause, and `outcome: "definite"` for a request that was never sent.
   */
  constructor(peer: NodeId, reason: string, options: PodsErrorOptions = {}) {
    const outcome: FailureOutcome = options.outcome ?? "indefinite";
    super(
      outcome === "definite"
        ? `The connection to "${peer}" ended (${reason}) before the request was sent; it was not ` +
            "handled, so retrying is safe."
        : `The connection to "${peer}" ended (${reason}) before the response arrived; the request ` +
            "may or may not have been handled, so retry only idempotently.",
      "indefinite",
      options,
    );
    this.peer = peer;
    this.reason = reason;
  }
}

/**
 * The bounded send queue to a peer is full: the socket has not drained (the peer or the network
 * is slower than the sender) and `sendQueueBytesMax` bytes already wait. The message was not
 * queued and will never be sent (a definite failure).
 *
 * It is an `UnreachableError` of `@pods/core-interfaces`, so protocols written against the
 * `Transport` port handle it like any unsendable message; catch it by class to slow down.
 */
export class SendQueueFullError extends UnreachableError {
  /**
   * `"UNREACHABLE"`, as for every `UnreachableError` (so code-based handling of the `Transport`
   * port's errors covers it); tell it apart by class.
   */
  override readonly code = "UNREACHABLE";
  /** Bytes waiting in the queue when the message was refused. */
  readonly queuedBytes: number;
  /** The configured limit, in bytes. */
  readonly sendQueueBytesMax: number;

  /**
   * @param to - the peer.
   * @param queuedBytes - bytes already waiting.
   * @param sendQueueBytesMax - the limit.
   * @param frameBytes - the size of the refused frame.
   */
  constructor(to: NodeId, queuedBytes: number, sendQueueBytesMax: number, frameBytes: number) {
    super(
      to,
      `its send queue holds ${queuedBytes} bytes and a ${frameBytes}-byte frame would pass ` +
        `sendQueueBytesMax (${sendQueueBytesMax}); the socket is not draining: slow down, or ` +
        "raise sendQueueBytesMax",
    );
    this.queuedBytes = queuedBytes;
    this.sendQueueBytesMax = sendQueueBytesMax;
  }
}

/**
 * The peer's request handler failed (threw, or its request queue was full) and the peer answered
 * with an error instead of a response. `outcome` is the remote error's outcome when it was a Pods
 * error, and `indefinite` otherwise (the handler may have changed state before it threw).
 */
export class RemoteError extends PodsError {
  /** `"REMOTE"`: the stable, machine-readable name of this failure. */
  readonly code = "REMOTE";
  /** The peer that answered. */
  readonly peer: NodeId;
  /** The remote error's `code` (a Pods error code, or `"ERROR"` for other errors). */
  readonly remoteCode: string;
  /** The remote error's message. */
  readonly remoteMessage: string;

  /**
   * @param peer - the peer that answered.
   * @param remoteCode - the remote error's code.
   * @param remoteMessage - the remote error's message.
   * @param outcome - whether the request may have taken effect.
   */
  constructor(peer: NodeId, remoteCode: string, remoteMessage: string, outcome: FailureOutcome) {
    super(`The request handler of "${peer}" failed with ${remoteCode}: ${remoteMessage}`, outcome, {
      outcome,
    });
    this.peer = peer;
    this.remoteCode = remoteCode;
    this.remoteMessage = remoteMessage;
  }
}

/** Why a handshake was refused; both ends log it and the refusing end says it on the wire. */
export type RefusalReason =
  | "malformed"
  | "version"
  | "wrong-cluster"
  | "self"
  | "identity"
  | "duplicate"
  | "stale"
  | "closing";

/**
 * A connection attempt ended at the handshake: the peer refused it (another cluster, another
 * protocol version, a certificate that does not name the node) or answered with bytes that are not
 * a handshake. Nothing was sent on it. The `cause` of the {@link ConnectionLostError} the waiting
 * requests fail with.
 */
export class HandshakeError extends PodsError {
  /** `"HANDSHAKE"`: the stable, machine-readable name of this failure. */
  readonly code = "HANDSHAKE";
  /** Why it was refused. */
  readonly reason: RefusalReason;
  /** What happened and what to do about it. */
  readonly detail: string;

  /**
   * @param reason - why.
   * @param detail - what happened and what to do about it.
   */
  constructor(reason: RefusalReason, detail: string, options?: PodsErrorOptions) {
    super(`Handshake refused (${reason}): ${detail}`, "definite", options);
    this.reason = reason;
    this.detail = detail;
  }
}
