import {
  DecodeError,
  InvalidArgumentError,
  isPodsError,
  type Codec,
  type NodeId,
} from "@pods/core-interfaces";
import {
  assertBatchRequest,
  batchResponseType,
  isBatchRequest,
  isBatchResponse,
  type BatchItemError,
  type BatchItemResult,
  type BatchRequest,
  type BatchResponse,
  type BatchWire,
} from "./batch-message.ts";

/**
 * Handles one request — sent alone or in a batch, the handler cannot tell — and returns its
 * answer (or a promise of it); a throw fails only that request.
 *
 * @typeParam M - the request and answer type.
 */
export type BatchItemHandler<M> = (from: NodeId, request: M) => M | Promise<M>;

/** Options of a {@link BatchReceiver}. */
export interface BatchReceiverOptions<M> {
  /** Decodes requests and encodes answers: the senders' codec. */
  readonly codec: Codec<M>;
  /** Requests in one batch at most; a larger batch is refused whole. Default 65 536. */
  readonly batchRequestsMax?: number;
}

/** The default `batchRequestsMax`: 65 536 requests. */
export const defaultBatchRequestsMax = 65_536;

/** Counters of a {@link BatchReceiver}. */
export interface BatchReceiverMetrics {
  /** Batches handled. */
  readonly batches: number;
  /** Requests handled from batches. */
  readonly batchedRequests: number;
  /** Requests handled that arrived alone. */
  readonly singleRequests: number;
  /** Requests (batched or alone) whose handling failed. */
  readonly failedRequests: number;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function describe(error: unknown): BatchItemError {
  return {
    code: isPodsError(error) ? error.code : "ERROR",
    message: error instanceof Error ? error.message : `a thrown ${typeof error}`,
    outcome: isPodsError(error) ? error.outcome : "indefinite",
  };
}

/**
 * The receiving end of {@link RequestBatcher}s: unpacks a {@link BatchRequest}, runs each request
 * through the handler in order — exactly as if it had arrived alone, one at a time — and answers
 * with a {@link BatchResponse} of one result per request, in the same order. One request's failure
 * does not fail the others. Requests sent alone still work: they go to the handler directly.
 *
 * Register it as the channel's request handler (`channel.onRequest(receiver.requestHandler())`):
 * the channel's request queue handles one batch at a time, in arrival order.
 *
 * @typeParam M - the request and answer type.
 */
export class BatchReceiver<M> {
  readonly #handler: BatchItemHandler<M>;
  readonly #codec: Codec<M>;
  readonly #batchRequestsMax: number;
  #batches = 0;
  #batchedRequests = 0;
  #singleRequests = 0;
  #failedRequests = 0;

  /**
   * @param handler - handles one request.
   * @param options - the codec and a bound on batch size.
   * @throws InvalidArgumentError for a bad option or a handler that is not a function.
   */
  constructor(handler: BatchItemHandler<M>, options: BatchReceiverOptions<M>) {
    if (typeof handler !== "function") {
      throw new InvalidArgumentError("The handler of a BatchReceiver must be a function.");
    }
    const { codec } = options;
    if (typeof codec?.encode !== "function" || typeof codec.decode !== "function") {
      throw new InvalidArgumentError("codec must have encode and decode (the senders' codec).");
    }
    const batchRequestsMax = options.batchRequestsMax ?? defaultBatchRequestsMax;
    if (!Number.isSafeInteger(batchRequestsMax) || batchRequestsMax < 1) {
      throw new InvalidArgumentError(
        `batchRequestsMax must be an integer >= 1, got ${String(batchRequestsMax)}.`,
      );
    }
    this.#handler = handler;
    this.#codec = codec;
    this.#batchRequestsMax = batchRequestsMax;
  }

  /**
   * Handles a batch: each request in order, each awaited before the next.
   *
   * @returns one result per request, in order.
   * @throws DecodeError (as a rejection) for a malformed batch: nothing of it was handled.
   */
  async handleBatch(from: NodeId, batch: BatchRequest): Promise<BatchResponse> {
    assertBatchRequest(batch, this.#batchRequestsMax);
    this.#batches++;
    const items: BatchItemResult[] = [];
    for (const { id, body } of batch.items) {
      this.#batchedRequests++;
      try {
        const request = this.#codec.decode(body);
        const result = this.#handler(from, request);
        const answer = isPromiseLike(result) ? await result : result;
        items.push({ id, ok: this.#codec.encode(answer) });
      } catch (error) {
        this.#failedRequests++;
        items.push({ id, error: describe(error) });
      }
    }
    return { type: batchResponseType, items };
  }

  /**
   * A request handler for the channel: batches go through {@link handleBatch}, any other request
   * straight to the handler.
   */
  requestHandler(): (from: NodeId, message: BatchWire<M>) => BatchWire<M> | Promise<BatchWire<M>> {
    return (from, message) => {
      if (isBatchRequest(message)) return this.handleBatch(from, message as BatchRequest);
      if (isBatchResponse(message)) {
        throw new DecodeError("a batch response arrived as a request; it is not one.");
      }
      this.#singleRequests++;
      try {
        const result = this.#handler(from, message as M);
        if (!isPromiseLike(result)) return result;
        return Promise.resolve(result).catch((error: unknown) => {
          this.#failedRequests++;
          throw error;
        });
      } catch (error) {
        this.#failedRequests++;
        throw error;
      }
    };
  }

  /** A snapshot of the counters. */
  get metrics(): BatchReceiverMetrics {
    return {
      batches: this.#batches,
      batchedRequests: this.#batchedRequests,
      singleRequests: this.#singleRequests,
      failedRequests: this.#failedRequests,
    };
  }
}
