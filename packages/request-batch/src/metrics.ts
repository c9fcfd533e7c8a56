import type { FlushReason } from "./batch-accumulator.ts";

/** Counters and gauges of a {@link RequestBatcher} (a snapshot). Times are monotonic ms. */
export interface BatcherMetrics {
  /** Requests accepted by `send`. */
  readonly requestsSent: number;
  /** Requests that resolved with their answer. */
  readonly requestsSucceeded: number;
  /** Requests that failed: alone (the receiver's error) or with their batch. */
  readonly requestsFailed: number;
  /** Batches handed to the pipeline. */
  readonly batchesSent: number;
  /** Batches that failed as a whole (each of their requests failed with `BatchFailedError`). */
  readonly batchesFailed: number;
  /** Bytes of the batches sent, as counted against `batchBytesMax`. */
  readonly bytesSent: number;
  /** The largest batch sent, in bytes. */
  readonly largestBatchBytes: number;
  /**
   * Batch sizes: entry k counts the batches of 2^k to 2^(k+1) − 1 requests (1, 2–3, 4–7, ...).
   */
  readonly batchRequestsHistogram: readonly number[];
  /** Batches sent per reason. */
  readonly flushes: Readonly<Record<FlushReason, number>>;
  /** Total time the first request of each batch waited for the batch to go. */
  readonly lingerMsTotal: number;
  /** The longest such wait. */
  readonly lingerMsMax: number;
  /** Batches sent per second since the batcher was created. */
  readonly batchesPerSecond: number;
  /** Bytes of requests accepted and not yet answered. */
  readonly bufferedBytes: number;
  /** Sends waiting for buffer space. */
  readonly waitingSends: number;
  /** Requests in the batch being filled. */
  readonly openRequests: number;
  /** Batches sent and not yet answered or failed. */
  readonly inflightBatches: number;
}

/** The counters a batcher keeps. @internal */
export class BatcherCounters {
  requestsSent = 0;
  requestsSucceeded = 0;
  requestsFailed = 0;
  batchesSent = 0;
  batchesFailed = 0;
  bytesSent = 0;
  largestBatchBytes = 0;
  readonly histogram: number[] = [];
  readonly flushes: Record<FlushReason, number> = {
    count: 0,
    bytes: 0,
    linger: 0,
    explicit: 0,
    close: 0,
  };
  lingerMsTotal = 0;
  lingerMsMax = 0;

  batchSent(requests: number, bytes: number, lingerMs: number, reason: FlushReason): void {
    this.batchesSent++;
    this.bytesSent += bytes;
    this.largestBatchBytes = Math.max(this.largestBatchBytes, bytes);
    const bucket = Math.floor(Math.log2(requests));
    while (this.histogram.length <= bucket) this.histogram.push(0);
    this.histogram[bucket] = (this.histogram[bucket] ?? 0) + 1;
    this.flushes[reason]++;
    this.lingerMsTotal += lingerMs;
    this.lingerMsMax = Math.max(this.lingerMsMax, lingerMs);
  }
}
