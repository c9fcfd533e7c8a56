import { InvalidArgumentError, type Random } from "@pods/core-interfaces";
import type { PipelineMetrics } from "./metrics.ts";
import {
  integerIn,
  resolvePipelineOptions,
  type PipelineChannel,
  type PipelineEnv,
  type PipelineOptions,
} from "./options.ts";
import { PipelineEngine } from "./pipeline-engine.ts";
import {
  sequencedRequestType,
  streamIdLengthMax,
  type SequencedRequest,
} from "./sequenced-request.ts";
import { StreamSender, type ConnectionLossPolicy } from "./stream-sender.ts";

/** The ports of an {@link OrderedPipeline}: a pipeline's, plus randomness for the stream id. */
export interface OrderedPipelineEnv extends PipelineEnv {
  /** Draws the default stream id. */
  readonly random: Random;
}

/** Options of an {@link OrderedPipeline}. */
export interface OrderedPipelineOptions extends Omit<PipelineOptions, "env"> {
  /** Clock, scheduler, random source and logger. */
  readonly env: OrderedPipelineEnv;
  /**
   * Names the stream at the receiver. Default: 64 random bits, new for every pipeline, so that a
   * restarted sender never collides with its earlier incarnation's stream.
   */
  readonly streamId?: string;
  /** What a lost connection does to unacknowledged requests. Default `"resend"`. */
  readonly onConnectionLoss?: ConnectionLossPolicy;
  /** Resends of one request at most (under `"resend"`); then it fails. Default 5. */
  readonly resendsMax?: number;
}

/** The default `resendsMax`: 5. */
export const defaultResendsMax = 5;

/** Where an ordered stream stands (a snapshot). */
export interface StreamPosition {
  /** The stream's id. */
  readonly streamId: string;
  /** The current epoch. */
  readonly epoch: number;
  /** The sequence number the next new request gets. */
  readonly nextSequence: number;
}

function randomStreamId(random: Random): string {
  const half = (): string =>
    random
      .int(0, 2 ** 32)
      .toString(16)
      .padStart(8, "0");
  return `${half()}${half()}`;
}

/**
 * A request pipeline carrying one ordered stream: every request travels as a
 * {@link SequencedRequest} numbered in send order, and the receiver (an
 * {@link OrderedStreamReceiver}) applies request n + 1 only after n. When the connection is lost
 * with requests unacknowledged, they are resent from the first unacknowledged one, in order and
 * with their original sequence numbers — the receiver answers those it applied already from its
 * cache — or, under `onConnectionLoss: "fail-all"`, they fail with their unknown outcome.
 *
 * A request that fails without an answer and is not resent (its deadline passed, its resends ran
 * out, or the policy is `"fail-all"`) leaves a hole the receiver would wait for forever, so the
 * sender then starts a new epoch: the next request is sequence 0 of it, and requests of the old
 * epoch still in flight are refused or answered as the receiver decides. Window, timeouts,
 * `strictOrder`, back-pressure and metrics are those of {@link PipelinedConnection}.
 *
 * @typeParam M - the request and answer type; the channel carries `M | SequencedRequest<M>`.
 */
export class OrderedPipeline<M> {
  readonly #stream: StreamSender;
  readonly #engine: PipelineEngine<M, M | SequencedRequest<M>>;

  /**
   * @param channel - the channel to the peer, e.g. a `ChannelNode<M | SequencedRequest<M>, A>`.
   * @param options - the peer, ports, limits and stream policy; see {@link OrderedPipelineOptions}.
   * @throws InvalidArgumentError for a bad option.
   */
  constructor(channel: PipelineChannel<M | SequencedRequest<M>>, options: OrderedPipelineOptions) {
    const resolved = resolvePipelineOptions(options);
    const policy = options.onConnectionLoss ?? "resend";
    if (policy !== "resend" && policy !== "fail-all") {
      throw new InvalidArgumentError(
        `onConnectionLoss must be "resend" or "fail-all", got ${JSON.stringify(policy)}.`,
      );
    }
    const resendsMax = integerIn("resendsMax", options.resendsMax ?? defaultResendsMax, 0, 1_000);
    const streamId = options.streamId ?? randomStreamId(options.env.random);
    if (
      typeof streamId !== "string" ||
      streamId.length === 0 ||
      streamId.length > streamIdLengthMax
    ) {
      throw new InvalidArgumentError(
        `streamId must be a string of 1 to ${streamIdLengthMax} characters, got ${JSON.stringify(streamId)}.`,
      );
    }
    const stream = new StreamSender(streamId, policy, resendsMax);
    this.#stream = stream;
    this.#engine = new PipelineEngine<M, M | SequencedRequest<M>>(
      channel,
      resolved,
      stream,
      (entry) => {
        stream.stamp(entry);
        return {
          type: sequencedRequestType,
          streamId,
          epoch: entry.epoch,
          sequence: entry.sequence,
          request: entry.request,
        };
      },
    );
  }

  /**
   * Sends `request` as the stream's next request and resolves with the answer. Never throws: every
   * failure is a rejection, as for {@link PipelinedConnection.send}; after lost connections the
   * last `ConnectionLostError` once resends are exhausted.
   */
  send(request: M): Promise<M> {
    return this.#engine.send(request);
  }

  /**
   * Sends `message` one way at once, outside the stream, past the window (see
   * {@link PipelinedConnection.heartbeat}).
   *
   * @throws ClosedError after `close`; the channel's errors.
   */
  heartbeat(message: M): void {
    this.#engine.heartbeat(message);
  }

  /** The stream's id, epoch and next sequence number. */
  get position(): StreamPosition {
    const stream = this.#stream;
    return { streamId: stream.streamId, epoch: stream.epoch, nextSequence: stream.nextSequence };
  }

  /** Requests on the channel now, plus those handed to the writer. */
  get inflight(): number {
    return this.#engine.inflight;
  }

  /** Sends waiting for a slot, resends included. */
  get waiting(): number {
    return this.#engine.waiting;
  }

  /** The current window. */
  get window(): number {
    return this.#engine.window;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /** A snapshot of the counters and gauges. */
  get metrics(): PipelineMetrics {
    return this.#engine.metrics;
  }

  /**
   * Stops taking requests: later sends and those waiting (for a slot or a resend) fail; requests in
   * flight settle as usual. Resolves once every request has settled. Idempotent.
   */
  close(): Promise<void> {
    return this.#engine.close();
  }
}
