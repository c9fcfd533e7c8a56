import { PodsError, type NodeId, type PodsErrorOptions } from "@pods/core-interfaces";

/** The code of {@link OutOfOrderSequenceError}, as a requester sees it in `RemoteError.remoteCode`. */
export const outOfOrderSequenceCode = "OUT_OF_ORDER_SEQUENCE";

/**
 * The pipeline's window is full and the request was not accepted: `overflow: "reject"` with every
 * slot taken, or `waitingMax` requests already waiting for one. Nothing was sent (a definite
 * failure): slow down, or raise the limit.
 */
export class PipelineFullError extends PodsError {
  /** `"PIPELINE_FULL"`: the stable, machine-readable name of this failure. */
  readonly code = "PIPELINE_FULL";
  /** The peer the pipeline leads to. */
  readonly peer: NodeId;
  /** The limit that was reached: `"inflightMax"` (reject policy) or `"waitingMax"`. */
  readonly limit: "inflightMax" | "waitingMax";

  /**
   * @param peer - the peer the pipeline leads to.
   * @param limit - the limit that was reached.
   * @param value - its value.
   */
  constructor(peer: NodeId, limit: "inflightMax" | "waitingMax", value: number) {
    super(
      limit === "inflightMax"
        ? `The pipeline to "${peer}" has ${value} requests in flight (inflightMax) and rejects ` +
            "more by policy; the request was not sent. Retry when a response arrives."
        : `The pipeline to "${peer}" has ${value} requests waiting for a slot (waitingMax); the ` +
            "request was not sent. Slow down, or raise waitingMax.",
      "definite",
    );
    this.peer = peer;
    this.limit = limit;
  }
}

/**
 * In `strictOrder` mode a response arrived that was not for the oldest outstanding request: the
 * receiver broke its promise to answer in order. The pipeline reset the connection and failed
 * every request in flight with this error; their outcome is unknown (they may have been handled).
 */
export class PipelineProtocolError extends PodsError {
  /** `"PIPELINE_PROTOCOL"`: the stable, machine-readable name of this failure. */
  readonly code = "PIPELINE_PROTOCOL";
  /** The peer that answered out of order. */
  readonly peer: NodeId;

  /**
   * @param peer - the peer that answered out of order.
   * @param answered - the pipeline's number of the request that was answered.
   * @param oldest - the number of the oldest outstanding request, which should have been.
   */
  constructor(peer: NodeId, answered: number, oldest: number, options?: PodsErrorOptions) {
    super(
      `"${peer}" answered request ${answered} while request ${oldest} was older and still ` +
        "outstanding, but strictOrder expects answers in send order; the connection was reset and " +
        "every request in flight failed. They may have been handled: retry only idempotently, and " +
        "check that the receiver answers in order (or turn strictOrder off).",
      "indefinite",
      options,
    );
    this.peer = peer;
  }
}

/**
 * An ordered stream's receiver refused a request it cannot apply yet or any more: its sequence
 * number is ahead of the next one expected (an earlier request is missing), or it belongs to an
 * older epoch of the stream. The request was not applied (a definite failure); the sender resends
 * from its first unacknowledged request, or starts a new epoch.
 */
export class OutOfOrderSequenceError extends PodsError {
  /** `"OUT_OF_ORDER_SEQUENCE"`: the stable, machine-readable name of this failure. */
  readonly code = outOfOrderSequenceCode;
  /** The stream. */
  readonly streamId: string;
  /** The epoch and sequence number of the refused request. */
  readonly received: { readonly epoch: number; readonly sequence: number };
  /** The epoch and sequence number the receiver expected. */
  readonly expected: { readonly epoch: number; readonly sequence: number };

  /**
   * @param streamId - the stream.
   * @param received - the refused request's epoch and sequence number.
   * @param expected - what the receiver expected.
   */
  constructor(
    streamId: string,
    received: { readonly epoch: number; readonly sequence: number },
    expected: { readonly epoch: number; readonly sequence: number },
  ) {
    super(
      received.epoch < expected.epoch
        ? `Stream ${streamId} is at epoch ${expected.epoch}; request ${received.sequence} of the ` +
            `older epoch ${received.epoch} was refused and not applied.`
        : `Stream ${streamId} expected sequence ${expected.sequence} of epoch ${expected.epoch} ` +
            `but got ${received.sequence} of epoch ${received.epoch}; it was refused and not ` +
            "applied. Resend from the first unacknowledged request.",
      "definite",
    );
    this.streamId = streamId;
    this.received = received;
    this.expected = expected;
  }
}

/**
 * An ordered stream's receiver got a request it applied before, but whose answer is no longer in
 * its cache (`responsesCachedMax` answers are kept per stream). The request was applied once and
 * is not applied again; its answer is lost. Keep `responsesCachedMax` at least the senders'
 * `inflightMax`, so a resent window is always answered from the cache.
 */
export class DuplicateSequenceError extends PodsError {
  /** `"DUPLICATE_SEQUENCE"`: the stable, machine-readable name of this failure. */
  readonly code = "DUPLICATE_SEQUENCE";
  /** The stream. */
  readonly streamId: string;
  /** The sequence number of the duplicate. */
  readonly sequence: number;

  /**
   * @param streamId - the stream.
   * @param epoch - the stream's epoch.
   * @param sequence - the duplicate's sequence number.
   * @param oldestCached - the oldest sequence number whose answer is still cached.
   */
  constructor(streamId: string, epoch: number, sequence: number, oldestCached: number) {
    super(
      `Stream ${streamId} (epoch ${epoch}) applied request ${sequence} already, and its answer ` +
        `has left the cache (answers from ${oldestCached} on are kept); it was not applied again. ` +
        "Raise responsesCachedMax to at least the sender's inflightMax.",
      "indefinite",
    );
    this.streamId = streamId;
    this.sequence = sequence;
  }
}
