import type { ResponseReceiver } from "@pods/single-socket-channel";

/** Where an entry hands the outcome of a transmission: the pipeline's reader. @internal */
export type OutcomeSink<M> = (entry: Entry<M>) => void;

/**
 * One request in a pipeline, from `send` until it settles and its slot is free. It is also the
 * channel's receiver for its transmission (`ChannelNode.requestWith`): the outcome is kept on it
 * until the pipeline's reader takes it, so a request costs no promise or closure beyond the
 * caller's own promise.
 *
 * @internal
 */
export class Entry<M> implements ResponseReceiver<unknown> {
  /** The pipeline's number for it: 1, 2, ... in send order. */
  readonly number: number;
  readonly request: M;
  /** When it fails with `TimeoutError` (monotonic ms). */
  readonly deadlineMs: number;
  readonly resolve: (response: M) => void;
  readonly reject: (error: Error) => void;
  /**
   * `waiting` for a slot, `queued` for the writer (holding a slot), `inflight` on the channel,
   * waiting to `resend` (ordered streams), or `done`.
   */
  phase: "waiting" | "queued" | "inflight" | "resend" | "done" = "waiting";
  /** Whether the caller's promise has settled (it may still hold a slot: a timed-out request). */
  settled = false;
  /** Transmissions so far. */
  attempts = 0;
  /** When the last transmission started (monotonic ms). */
  sentAtMs = 0;
  /** Ordered streams: the epoch and sequence number, assigned at the first transmission (-1 before). */
  epoch = -1;
  sequence = -1;
  /** Why the last transmission failed (ordered streams, for a resend that never happens). */
  lastError: Error | undefined = undefined;
  /** Whether the last transmission was answered (else it failed), once `outcome` is set. */
  answered = false;
  /** The last transmission's answer or error, until the reader takes it. */
  outcome: unknown = undefined;
  readonly #sink: OutcomeSink<M>;

  constructor(
    sink: OutcomeSink<M>,
    number: number,
    request: M,
    deadlineMs: number,
    resolve: (response: M) => void,
    reject: (error: Error) => void,
  ) {
    this.#sink = sink;
    this.number = number;
    this.request = request;
    this.deadlineMs = deadlineMs;
    this.resolve = resolve;
    this.reject = reject;
  }

  /** The channel's answer to the current transmission. */
  response(answer: unknown): void {
    this.answered = true;
    this.outcome = answer;
    this.#sink(this);
  }

  /** The channel's failure of the current transmission. */
  failure(error: Error): void {
    this.answered = false;
    this.outcome = error;
    this.#sink(this);
  }
}
