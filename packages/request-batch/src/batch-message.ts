import { DecodeError, type FailureOutcome } from "@pods/core-interfaces";

/** The `type` tag of a {@link BatchRequest}. */
export const batchRequestType = "pods.batch";
/** The `type` tag of a {@link BatchResponse}. */
export const batchResponseType = "pods.batch-response";

/** One request of a batch: its correlation id and its encoded bytes. */
export interface BatchItem {
  /** The request's correlation id, unique per batcher. */
  readonly id: number;
  /** The request, encoded by the batcher's codec. */
  readonly body: Uint8Array;
}

/** Many requests for one destination, sent as one message; the receiver handles them in order. */
export interface BatchRequest {
  /** Always {@link batchRequestType}. */
  readonly type: typeof batchRequestType;
  /** The requests, in the order they were sent. */
  readonly items: readonly BatchItem[];
}

/** Why one request of a batch failed at the receiver. */
export interface BatchItemError {
  /** The error's `code` (a Pods error code, or `"ERROR"` for other errors). */
  readonly code: string;
  /** The error's message. */
  readonly message: string;
  /** Whether the request may have taken effect. */
  readonly outcome: FailureOutcome;
}

/** The answer to one request of a batch: its encoded response, or why it failed. */
export type BatchItemResult =
  | { readonly id: number; readonly ok: Uint8Array }
  | { readonly id: number; readonly error: BatchItemError };

/** The answers to a batch, one per request, in the same order. */
export interface BatchResponse {
  /** Always {@link batchResponseType}. */
  readonly type: typeof batchResponseType;
  /** One result per request of the batch, in order. */
  readonly items: readonly BatchItemResult[];
}

/**
 * What a channel carrying batches carries: the application's own messages (requests sent alone
 * and their answers), batches and their answers.
 *
 * @typeParam M - the application's message type.
 */
export type BatchWire<M> = M | BatchRequest | BatchResponse;

/**
 * Bytes a batch's envelope (`type` and the `items` header) adds when encoded with MessagePack, at
 * most; {@link batchItemOverheadBytes} more per item. The batcher counts these against
 * `batchBytesMax`, so that the encoded batch fits.
 */
export const batchEnvelopeBytes = 32;
/** Bytes each item adds to its body when encoded with MessagePack (id, keys, headers), at most. */
export const batchItemOverheadBytes = 24;

function isTagged(message: unknown, type: string): boolean {
  return (
    typeof message === "object" && message !== null && (message as { type?: unknown }).type === type
  );
}

/** Whether `message` carries the {@link BatchRequest} tag (its fields are not checked). */
export function isBatchRequest(message: unknown): boolean {
  return isTagged(message, batchRequestType);
}

/** Whether `message` carries the {@link BatchResponse} tag (its fields are not checked). */
export function isBatchResponse(message: unknown): boolean {
  return isTagged(message, batchResponseType);
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks a message tagged as a {@link BatchRequest}: an array of at most `itemsMax` items, each
 * an id and bytes.
 *
 * @throws DecodeError naming what is wrong.
 */
export function assertBatchRequest(
  message: unknown,
  itemsMax: number,
): asserts message is BatchRequest {
  const items = (message as { items?: unknown }).items;
  const problem = !isBatchRequest(message)
    ? `the type is not "${batchRequestType}"`
    : !Array.isArray(items)
      ? "items is not an array"
      : items.length > itemsMax
        ? `it has ${items.length} items, more than ${itemsMax}`
        : (items as unknown[]).some(
              (item) =>
                typeof item !== "object" ||
                item === null ||
                !isId((item as { id?: unknown }).id) ||
                !((item as { body?: unknown }).body instanceof Uint8Array),
            )
          ? "an item is not { id, body }"
          : undefined;
  if (problem !== undefined) throw new DecodeError(`not a batch request: ${problem}`);
}

function isItemError(value: unknown): value is BatchItemError {
  const error = value as Partial<BatchItemError> | null;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof error.code === "string" &&
    typeof error.message === "string" &&
    (error.outcome === "definite" || error.outcome === "indefinite")
  );
}

/**
 * Checks that `message` answers `request`: a {@link BatchResponse} with one result per item, in
 * the same order (matching ids), each bytes or an error.
 *
 * @throws DecodeError naming what is wrong.
 */
export function assertBatchResponse(
  message: unknown,
  request: BatchRequest,
): asserts message is BatchResponse {
  const items = (message as { items?: unknown }).items;
  let problem: string | undefined;
  if (!isBatchResponse(message)) problem = `the type is not "${batchResponseType}"`;
  else if (!Array.isArray(items)) problem = "items is not an array";
  else if (items.length !== request.items.length) {
    problem = `it has ${items.length} results for ${request.items.length} requests`;
  } else {
    const at = (items as unknown[]).findIndex((value, index) => {
      const result = value as { id?: unknown; ok?: unknown; error?: unknown } | null;
      return (
        typeof result !== "object" ||
        result === null ||
        result.id !== request.items[index]?.id ||
        !(result.ok instanceof Uint8Array || isItemError(result.error))
      );
    });
    if (at >= 0)
      problem = `result ${at} is not { id, ok | error } for request ${request.items[at]?.id}`;
  }
  if (problem !== undefined) throw new DecodeError(`not the answer to the batch: ${problem}`);
}
