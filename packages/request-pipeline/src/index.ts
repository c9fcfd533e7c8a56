/**
 * @pods/request-pipeline: many requests in flight on one channel — a bounded window with FIFO
 * back-pressure, answers matched by correlation id in any order, per-request deadlines on the
 * monotonic clock, strict-order checking, heartbeats past the window — and ordered streams whose
 * receiver applies request n + 1 only after n, so unacknowledged requests can be resent in order
 * after a lost connection.
 *
 * @packageDocumentation
 */

export {
  DuplicateSequenceError,
  OutOfOrderSequenceError,
  outOfOrderSequenceCode,
  PipelineFullError,
  PipelineProtocolError,
} from "./errors.ts";
export type { PipelineMetrics } from "./metrics.ts";
export {
  defaultInflightMax,
  defaultRequestTimeoutMs,
  defaultWaitingMax,
  inflightMaxCeiling,
  type OverflowPolicy,
  type PipelineChannel,
  type PipelineEnv,
  type PipelineOptions,
} from "./options.ts";
export {
  defaultResendsMax,
  OrderedPipeline,
  type OrderedPipelineEnv,
  type OrderedPipelineOptions,
  type StreamPosition,
} from "./ordered-pipeline.ts";
export { OrderedStreamReceiver, type StreamRequestHandler } from "./ordered-stream-receiver.ts";
export { PipelinedConnection } from "./pipelined-connection.ts";
export {
  assertSequencedRequest,
  isSequencedRequest,
  sequencedRequestType,
  streamIdLengthMax,
  type SequencedRequest,
} from "./sequenced-request.ts";
export {
  defaultResponsesCachedMax,
  defaultStreamsMax,
  SequenceTracker,
  type Admission,
  type SequenceTrackerMetrics,
  type SequenceTrackerOptions,
  type TrackedStream,
} from "./sequence-tracker.ts";
export type { ConnectionLossPolicy } from "./stream-sender.ts";
