import type { PipelineMetrics } from "./metrics.ts";
import { resolvePipelineOptions, type PipelineChannel, type PipelineOptions } from "./options.ts";
import { PipelineEngine } from "./pipeline-engine.ts";

/**
 * A Request Pipeline (Joshi, _Patterns of Distributed Systems_, ch. 32) on one channel to one
 * peer: requests go out back to back without waiting for answers, up to `inflightMax` at a time;
 * further sends wait in FIFO order (or are refused, by `overflow` policy). Answers are matched to
 * their requests by the channel's correlation ids, in any order.
 *
 * Every request settles exactly once, within `requestTimeoutMs` of its `send`:
 *
 * - with its answer, or the receiver's error (`RemoteError` of `@pods/single-socket-channel`);
 * - with `ConnectionLostError` when its connection ended first: `indefinite` — it may have been
 *   handled, retry only idempotently — unless it never left this node (`definite`);
 * - with `TimeoutError` at its deadline (`definite` if it was still waiting for a slot); its slot
 *   stays taken until the receiver answers or the connection ends, and a late answer is discarded
 *   (`metrics.lateResponses`);
 * - with `PipelineProtocolError` when `strictOrder` is on and the receiver answered out of order
 *   (the connection is reset and every request in flight fails);
 * - with `PipelineFullError` or `ClosedError` (definite: never sent).
 *
 * Requests are handed to the channel in `send` order and never re-sent: for resends in order, use
 * {@link OrderedPipeline}.
 *
 * @typeParam M - the channel's message type (requests and answers).
 */
export class PipelinedConnection<M> {
  readonly #engine: PipelineEngine<M, M>;

  /**
   * @param channel - the channel to the peer, e.g. a `ChannelNode`.
   * @param options - the peer, the ports and the limits; see {@link PipelineOptions}.
   * @throws InvalidArgumentError for a bad option.
   */
  constructor(channel: PipelineChannel<M>, options: PipelineOptions) {
    this.#engine = new PipelineEngine<M, M>(
      channel,
      resolvePipelineOptions(options),
      undefined,
      (entry) => entry.request,
    );
  }

  /**
   * Sends `request` when a slot is free and resolves with the answer. Never throws: every failure
   * is a rejection (see the class description for which, and what each says about the outcome).
   */
  send(request: M): Promise<M> {
    return this.#engine.send(request);
  }

  /**
   * Sends `message` one way at once, past the window and the requests waiting for it: a heartbeat
   * is never stuck behind a full window, and the receiver's `onMessage` handlers get it on arrival
   * instead of after the requests queued for its request handler. It shares the connection, so it
   * follows the bytes already written.
   *
   * @throws ClosedError after `close`; the channel's errors (`SendQueueFullError`, ...).
   */
  heartbeat(message: M): void {
    this.#engine.heartbeat(message);
  }

  /** Requests on the channel now, plus those handed to the writer: at most the window. */
  get inflight(): number {
    return this.#engine.inflight;
  }

  /** Sends waiting for a slot. */
  get waiting(): number {
    return this.#engine.waiting;
  }

  /** The current window: `inflightMax`, or less while an adaptive window grows back. */
  get window(): number {
    return this.#engine.window;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /** A snapshot of the counters and gauges: in-flight depth, round-trip times and more. */
  get metrics(): PipelineMetrics {
    return this.#engine.metrics;
  }

  /**
   * Stops taking requests: later sends and those still waiting for a slot fail with `ClosedError`
   * (definite); requests in flight settle as usual. Resolves once every request has settled. The
   * channel stays open (it is the caller's). Idempotent.
   */
  close(): Promise<void> {
    return this.#engine.close();
  }
}
