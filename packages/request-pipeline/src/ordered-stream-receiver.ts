import { InvalidArgumentError, type NodeId } from "@pods/core-interfaces";
import {
  assertSequencedRequest,
  isSequencedRequest,
  type SequencedRequest,
} from "./sequenced-request.ts";
import {
  SequenceTracker,
  type SequenceTrackerMetrics,
  type SequenceTrackerOptions,
  type TrackedStream,
} from "./sequence-tracker.ts";

/**
 * Applies one request and returns its answer (or a promise of it); a throw is the answer too: it
 * is sent back as the request's failure, and a duplicate gets the same failure.
 *
 * @typeParam M - the request and answer type.
 */
export type StreamRequestHandler<M> = (from: NodeId, request: M) => M | Promise<M>;

/** How a request ended, as the cache keeps it. */
type Answer<M> =
  { readonly ok: true; readonly value: M } | { readonly ok: false; readonly error: unknown };

function replay<M>(answer: Answer<M>): M {
  if (answer.ok) return answer.value;
  throw answer.error;
}

/**
 * The receiving end of {@link OrderedPipeline}s: applies each stream's requests exactly once and
 * in sequence order through `apply`, answers duplicates (resends after a lost connection) with the
 * answer they got the first time, and refuses requests that arrive ahead of a missing one — or
 * from an abandoned epoch — with {@link OutOfOrderSequenceError}, which the sender sees as a
 * `RemoteError` and repairs by resending. The bookkeeping is a {@link SequenceTracker}.
 *
 * Register it as the channel's request handler (`channel.onRequest(receiver.requestHandler())`):
 * the channel's request queue runs one request at a time, as the tracker needs.
 *
 * @typeParam M - the request and answer type.
 */
export class OrderedStreamReceiver<M> {
  readonly #apply: StreamRequestHandler<M>;
  readonly #tracker: SequenceTracker<Answer<M>>;

  /**
   * @param apply - applies one request.
   * @param options - bounds of the stream table and the answer cache.
   * @throws InvalidArgumentError for a bad option or a handler that is not a function.
   */
  constructor(apply: StreamRequestHandler<M>, options: SequenceTrackerOptions = {}) {
    if (typeof apply !== "function") {
      throw new InvalidArgumentError(
        "The apply handler of an OrderedStreamReceiver must be a function.",
      );
    }
    this.#apply = apply;
    this.#tracker = new SequenceTracker<Answer<M>>(options);
  }

  /**
   * Handles one sequenced request: applies it if it is the next of its stream, replays the answer
   * of a duplicate, refuses anything else.
   *
   * @returns the answer; rejects with `apply`'s error, {@link OutOfOrderSequenceError},
   *   {@link DuplicateSequenceError} or `DecodeError` (malformed request).
   */
  async handle(from: NodeId, message: SequencedRequest<M>): Promise<M> {
    assertSequencedRequest<M>(message);
    const { streamId, epoch, sequence } = message;
    const admission = this.#tracker.admit(streamId, epoch, sequence);
    if (admission.kind === "duplicate") return replay(admission.answer);
    let answer: Answer<M>;
    try {
      answer = { ok: true, value: await this.#apply(from, message.request) };
    } catch (error) {
      answer = { ok: false, error };
    }
    this.#tracker.complete(streamId, epoch, sequence, answer);
    return replay(answer);
  }

  /**
   * A request handler for the channel: sequenced requests go through {@link handle}, any other
   * request straight to `apply` (unordered requests are still accepted).
   */
  requestHandler(): (from: NodeId, message: M | SequencedRequest<M>) => M | Promise<M> {
    return (from, message) =>
      isSequencedRequest(message)
        ? this.handle(from, message as SequencedRequest<M>)
        : this.#apply(from, message as M);
  }

  /** Where `streamId` stands, or `undefined` for a stream not (or no longer) remembered. */
  stream(streamId: string): TrackedStream | undefined {
    return this.#tracker.stream(streamId);
  }

  /** A snapshot of the tracker's counters. */
  get metrics(): SequenceTrackerMetrics {
    return this.#tracker.metrics;
  }
}
