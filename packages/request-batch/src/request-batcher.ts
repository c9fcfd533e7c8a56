import { ClosedError, InvalidArgumentError, isPodsError, type Cancel } from "@pods/core-interfaces";
import {
  PipelinedConnection,
  type PipelineChannel,
  type PipelineMetrics,
} from "@pods/request-pipeline";
import { RemoteError } from "@pods/single-socket-channel";
import {
  assertBatchResponse,
  batchEnvelopeBytes,
  batchItemOverheadBytes,
  batchRequestType,
  type BatchRequest,
  type BatchWire,
} from "./batch-message.ts";
import { BatchFailedError, BufferFullError } from "./errors.ts";
import { BatchAccumulator, type Batch, type FlushReason } from "./batch-accumulator.ts";
import { BatcherCounters, type BatcherMetrics } from "./metrics.ts";
import {
  resolveBatcherOptions,
  type RequestBatcherOptions,
  type ResolvedBatcherOptions,
} from "./options.ts";

/** A request accepted by `send`, until its answer or failure. */
interface Pending<M> {
  readonly id: number;
  readonly body: Uint8Array;
  /** Its share of a batch: body and per-item overhead. */
  readonly bytes: number;
  readonly resolve: (answer: M) => void;
  readonly reject: (error: Error) => void;
}

const noop = (): void => undefined;

/**
 * A Request Batch (Joshi, _Patterns of Distributed Systems_, ch. 31) for one destination: requests
 * sent close together travel as one {@link BatchRequest}, so that per-message costs (frames,
 * system calls, correlation, the receiver's queue) are paid once per batch.
 *
 * A batch goes out when the next request would take it past `batchBytesMax` or `batchCountMax`
 * (it goes first and the request starts the next one), when it is full, when its oldest request
 * has waited `lingerMs` (a timer on the injected scheduler), on `flush()`, and on `close()`. A
 * request larger than `batchBytesMax` goes alone. Requests keep their `send` order within and
 * across batches, and batches are sent in order through a `PipelinedConnection` of
 * `@pods/request-pipeline`, so several may be in flight, each with a deadline.
 *
 * Each `send` resolves with its own answer, or fails alone with the receiver's error for it
 * (`RemoteError`), or fails with its whole batch (`BatchFailedError`, the batch's failure as
 * cause) — other batches are not affected. Beyond `bufferedBytesMax` bytes of unanswered requests,
 * sends wait in FIFO order (or fail with `BufferFullError`, by policy).
 *
 * @typeParam M - the request and answer type; the channel carries {@link BatchWire}`<M>`.
 */
export class RequestBatcher<M> {
  readonly #options: ResolvedBatcherOptions<M>;
  readonly #pipeline: PipelinedConnection<BatchWire<M>>;
  readonly #counters = new BatcherCounters();
  readonly #createdAtMs: number;
  readonly #batches: BatchAccumulator<Pending<M>>;
  #openedAtMs = 0;
  #cancelLinger: Cancel = noop;
  #waiting: Pending<M>[] = [];
  #bufferedBytes = 0;
  #inflightBatches = 0;
  #nextId = 1;
  #nextBatch = 1;
  #closing: Promise<void> | undefined;
  readonly #lingerTask = (): void => {
    this.#cancelLinger = noop;
    this.#flush("linger");
  };

  /**
   * @param channel - the channel to the destination, e.g. a `ChannelNode<BatchWire<M>, A>`.
   * @param options - destination, ports, codec and limits; see {@link RequestBatcherOptions}.
   * @throws InvalidArgumentError for a bad option.
   */
  constructor(channel: PipelineChannel<BatchWire<M>>, options: RequestBatcherOptions<M>) {
    this.#options = resolveBatcherOptions(options);
    const { peer, env, inflightBatchesMax, batchTimeoutMs, bufferedBytesMax } = this.#options;
    this.#batches = new BatchAccumulator<Pending<M>>({
      batchBytesMax: this.#options.batchBytesMax,
      batchCountMax: this.#options.batchCountMax,
      envelopeBytes: batchEnvelopeBytes,
      itemBytesMin: batchItemOverheadBytes + 1,
    });
    this.#createdAtMs = env.clock.monotonicMs();
    this.#pipeline = new PipelinedConnection<BatchWire<M>>(channel, {
      peer,
      env,
      inflightMax: inflightBatchesMax,
      requestTimeoutMs: batchTimeoutMs,
      // Every batch holds buffered bytes, so the buffer bounds the batches waiting for a slot.
      waitingMax: Math.ceil(bufferedBytesMax / (batchEnvelopeBytes + batchItemOverheadBytes)),
    });
  }

  /**
   * Adds `request` to the batch being filled and resolves with its answer. Never throws: rejects
   * with the receiver's `RemoteError` for this request, `BatchFailedError` when its batch failed,
   * `BufferFullError` (overflow `"reject"`, or too many waiting sends), `InvalidArgumentError` for
   * a request the codec cannot encode or that can never fit `bufferedBytesMax`, `ClosedError` after
   * `close`, or a `DecodeError` for an answer the codec cannot decode.
   */
  send(request: M): Promise<M> {
    const { peer, codec, bufferedBytesMax, overflow, waitingSendsMax } = this.#options;
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    let body: Uint8Array;
    try {
      body = codec.encode(request);
    } catch (error) {
      return Promise.reject(
        isPodsError(error)
          ? error
          : new InvalidArgumentError(`the request cannot be encoded: ${String(error)}`, {
              cause: error,
            }),
      );
    }
    const bytes = body.length + batchItemOverheadBytes;
    if (bytes > bufferedBytesMax) {
      return Promise.reject(
        new InvalidArgumentError(
          `a request of ${bytes} bytes can never fit bufferedBytesMax (${bufferedBytesMax}); ` +
            "split it, or raise bufferedBytesMax.",
        ),
      );
    }
    return new Promise<M>((resolve, reject) => {
      const pending: Pending<M> = { id: this.#nextId++, body, bytes, resolve, reject };
      if (this.#waiting.length === 0 && this.#bufferedBytes + bytes <= bufferedBytesMax) {
        this.#accept(pending);
      } else if (overflow === "reject") {
        reject(new BufferFullError(peer, "bufferedBytesMax", this.#bufferedBytes));
      } else if (this.#waiting.length >= waitingSendsMax) {
        reject(new BufferFullError(peer, "waitingSendsMax", waitingSendsMax));
      } else {
        this.#waiting.push(pending);
      }
    });
  }

  /** Sends the batch being filled now, without waiting for `lingerMs`. */
  flush(): void {
    this.#flush("explicit");
  }

  /**
   * Sends the batch being filled and stops: later sends, and sends still waiting for buffer space,
   * fail with `ClosedError`. Resolves once every batch sent has been answered or has failed. The
   * channel stays open (it is the caller's). Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const pending of waiting) pending.reject(this.#closedError());
    this.#flush("close");
    this.#closing = this.#pipeline.close();
    return this.#closing;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** A snapshot of the counters and gauges: batch sizes, linger times, batches per second, ... */
  get metrics(): BatcherMetrics {
    const counters = this.#counters;
    const elapsedMs = this.#options.env.clock.monotonicMs() - this.#createdAtMs;
    return {
      requestsSent: counters.requestsSent,
      requestsSucceeded: counters.requestsSucceeded,
      requestsFailed: counters.requestsFailed,
      batchesSent: counters.batchesSent,
      batchesFailed: counters.batchesFailed,
      bytesSent: counters.bytesSent,
      largestBatchBytes: counters.largestBatchBytes,
      batchRequestsHistogram: [...counters.histogram],
      flushes: { ...counters.flushes },
      lingerMsTotal: counters.lingerMsTotal,
      lingerMsMax: counters.lingerMsMax,
      batchesPerSecond: elapsedMs > 0 ? (counters.batchesSent * 1000) / elapsedMs : 0,
      bufferedBytes: this.#bufferedBytes,
      waitingSends: this.#waiting.length,
      openRequests: this.#batches.count,
      inflightBatches: this.#inflightBatches,
    };
  }

  /** The metrics of the pipeline the batches travel on: batches in flight, round-trip times. */
  get pipelineMetrics(): PipelineMetrics {
    return this.#pipeline.metrics;
  }

  /** Puts an accepted request in the batch being filled, sending batches as they fill. */
  #accept(pending: Pending<M>): void {
    const { lingerMs, env } = this.#options;
    this.#bufferedBytes += pending.bytes;
    this.#counters.requestsSent++;
    if (this.#batches.count === 0) this.#openedAtMs = env.clock.monotonicMs();
    for (const batch of this.#batches.add(pending, pending.bytes)) this.#send(batch);
    if (this.#batches.count > 0 && this.#cancelLinger === noop) {
      this.#cancelLinger = env.scheduler.after(lingerMs, this.#lingerTask);
    }
  }

  #flush(reason: FlushReason): void {
    const batch = this.#batches.close(reason);
    if (batch !== undefined) this.#send(batch);
  }

  /** Sends a closed batch through the pipeline; the next batch opens now. */
  #send({ items, bytes, reason }: Batch<Pending<M>>): void {
    this.#cancelLinger();
    this.#cancelLinger = noop;
    const number = this.#nextBatch++;
    const now = this.#options.env.clock.monotonicMs();
    this.#counters.batchSent(items.length, bytes, now - this.#openedAtMs, reason);
    this.#openedAtMs = now;
    const batch: BatchRequest = {
      type: batchRequestType,
      items: items.map(({ id, body }) => ({ id, body })),
    };
    this.#inflightBatches++;
    void this.#pipeline.send(batch).then(
      (answer) => this.#answered(number, batch, items, answer),
      (error: unknown) => this.#failed(number, items, error),
    );
  }

  /** Settles each request of a batch from its result. */
  #answered(
    number: number,
    batch: BatchRequest,
    items: readonly Pending<M>[],
    answer: unknown,
  ): void {
    try {
      assertBatchResponse(answer, batch);
    } catch (error) {
      this.#failed(number, items, error);
      return;
    }
    const { codec, peer } = this.#options;
    for (const [index, pending] of items.entries()) {
      const result = answer.items[index] as (typeof answer.items)[number];
      if ("ok" in result) {
        let value: M;
        try {
          value = codec.decode(result.ok);
        } catch (error) {
          this.#counters.requestsFailed++;
          pending.reject(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        this.#counters.requestsSucceeded++;
        pending.resolve(value);
      } else {
        const { code, message, outcome } = result.error;
        this.#counters.requestsFailed++;
        pending.reject(new RemoteError(peer, code, message, outcome));
      }
    }
    this.#completed(items);
  }

  /** Fails every request of a batch with the batch's failure. */
  #failed(number: number, items: readonly Pending<M>[], cause: unknown): void {
    this.#counters.batchesFailed++;
    this.#counters.requestsFailed += items.length;
    for (const pending of items) {
      pending.reject(new BatchFailedError(this.#options.peer, number, items.length, cause));
    }
    this.#completed(items);
  }

  /** Frees a settled batch's buffer space and lets waiting sends in, in order. */
  #completed(items: readonly Pending<M>[]): void {
    this.#inflightBatches--;
    for (const { bytes } of items) this.#bufferedBytes -= bytes;
    const { bufferedBytesMax } = this.#options;
    let admitted = 0;
    while (admitted < this.#waiting.length) {
      const next = this.#waiting[admitted] as Pending<M>;
      if (this.#bufferedBytes + next.bytes > bufferedBytesMax) break;
      admitted++;
      this.#accept(next);
    }
    if (admitted > 0) this.#waiting = this.#waiting.slice(admitted);
  }

  #closedError(): ClosedError {
    return new ClosedError(`the batcher for ${this.#options.peer}`);
  }
}
