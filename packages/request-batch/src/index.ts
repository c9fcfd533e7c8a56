/**
 * @pods/request-batch: requests to one destination coalesced into batches — by count, bytes and
 * linger time, all bounded — sent in order through a request pipeline, unpacked by the receiver
 * into the normal handler path, with a promise per request and failures scoped to their batch.
 *
 * @packageDocumentation
 */

export {
  BatchAccumulator,
  type Batch,
  type BatchLimits,
  type FlushReason,
} from "./batch-accumulator.ts";
export {
  assertBatchRequest,
  assertBatchResponse,
  batchEnvelopeBytes,
  batchItemOverheadBytes,
  batchRequestType,
  batchResponseType,
  isBatchRequest,
  isBatchResponse,
  type BatchItem,
  type BatchItemError,
  type BatchItemResult,
  type BatchRequest,
  type BatchResponse,
  type BatchWire,
} from "./batch-message.ts";
export {
  BatchReceiver,
  defaultBatchRequestsMax,
  type BatchItemHandler,
  type BatchReceiverMetrics,
  type BatchReceiverOptions,
} from "./batch-receiver.ts";
export { BatchFailedError, BufferFullError } from "./errors.ts";
export type { BatcherMetrics } from "./metrics.ts";
export {
  defaultBatchBytesMax,
  defaultBatchCountMax,
  defaultBatchTimeoutMs,
  defaultBufferedBytesMax,
  defaultInflightBatchesMax,
  defaultLingerMs,
  defaultWaitingSendsMax,
  type BufferOverflowPolicy,
  type RequestBatcherOptions,
} from "./options.ts";
export { RequestBatcher } from "./request-batcher.ts";
export type { PipelineChannel, PipelineEnv, PipelineMetrics } from "@pods/request-pipeline";
