import { isPodsError, PodsError, type FailureOutcome, type NodeId } from "@pods/core-interfaces";

/**
 * The batch a request travelled in failed as a whole — its connection was lost, it timed out, the
 * receiver refused it, or its answer was malformed — so every request in it fails with this error
 * and the batch's failure as `cause`. Other batches are not affected. The outcome is the cause's
 * (`indefinite` for an error that is not a Pods error): the requests may have been applied unless
 * the batch never left this node.
 */
export class BatchFailedError extends PodsError {
  /** `"BATCH_FAILED"`: the stable, machine-readable name of this failure. */
  readonly code = "BATCH_FAILED";
  /** The batch's destination. */
  readonly peer: NodeId;
  /** The batch's number (1, 2, ... per batcher). */
  readonly batch: number;

  /**
   * @param peer - the batch's destination.
   * @param batch - the batch's number.
   * @param requests - how many requests it held.
   * @param cause - why it failed.
   */
  constructor(peer: NodeId, batch: number, requests: number, cause: unknown) {
    const outcome: FailureOutcome = isPodsError(cause) ? cause.outcome : "indefinite";
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Batch ${batch} of ${requests} requests to "${peer}" failed (${reason}); ` +
        (outcome === "definite"
          ? "its requests were not applied, so retrying is safe."
          : "its requests may or may not have been applied, so retry only idempotently."),
      outcome,
      { cause, outcome },
    );
    this.peer = peer;
    this.batch = batch;
  }
}

/**
 * `bufferedBytesMax` bytes of requests are buffered and in flight already, and the batcher rejects
 * more by policy (`overflow: "reject"`), or `waitingSendsMax` sends already wait for space. The
 * request was not accepted (a definite failure): slow down, or raise the limit.
 */
export class BufferFullError extends PodsError {
  /** `"BUFFER_FULL"`: the stable, machine-readable name of this failure. */
  readonly code = "BUFFER_FULL";
  /** The limit that was reached. */
  readonly limit: "bufferedBytesMax" | "waitingSendsMax";

  /**
   * @param peer - the batcher's destination.
   * @param limit - the limit that was reached.
   * @param value - its value.
   */
  constructor(peer: NodeId, limit: "bufferedBytesMax" | "waitingSendsMax", value: number) {
    super(
      limit === "bufferedBytesMax"
        ? `The batcher for "${peer}" holds ${value} bytes of requests (bufferedBytesMax) and ` +
            "rejects more by policy; the request was not sent. Retry when batches complete."
        : `The batcher for "${peer}" has ${value} sends waiting for buffer space ` +
            "(waitingSendsMax); the request was not sent. Slow down, or raise the limit.",
      "definite",
    );
    this.limit = limit;
  }
}
