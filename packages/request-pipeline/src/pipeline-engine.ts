import { ClosedError, TimeoutError, type FailureOutcome } from "@pods/core-interfaces";
import { SingularUpdateQueue } from "@pods/singular-update-queue";
import { DeadlineTimer } from "./deadline-timer.ts";
import { Entry } from "./entry.ts";
import { PipelineFullError, PipelineProtocolError } from "./errors.ts";
import { Fifo } from "./fifo.ts";
import { MetricsRecorder, type PipelineMetrics } from "./metrics.ts";
import type { PipelineChannel, ResolvedPipelineOptions } from "./options.ts";
import { ResendQueue } from "./resend-queue.ts";
import { isOutOfOrderRefusal, isRemoteAnswer, type StreamSender } from "./stream-sender.ts";

const noop = (): void => undefined;

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * The mechanism behind {@link PipelinedConnection} and {@link OrderedPipeline}: a window of
 * `inflightMax` slots; sends beyond it wait in FIFO order; a writer loop and a reader loop (each a
 * `SingularUpdateQueue`) put requests on the channel in slot order and take their outcomes in
 * arrival order; one timer expires whatever passed its deadline.
 *
 * Both loops work in batches: requests given a slot join the batch waiting for the writer (or
 * start one), and outcomes join the batch waiting for the reader, so that a burst of requests
 * costs one queue item and one clock reading on each side, not one per request.
 *
 * A slot is taken when a request is queued for the writer and freed when the reader has taken its
 * outcome from the channel — not when its caller gave up (a timed-out request still occupies the
 * receiver until it answers or the connection ends).
 *
 * @typeParam M - the request and answer type.
 * @typeParam W - what goes on the channel (`M`, or `M` wrapped for an ordered stream).
 * @internal
 */
export class PipelineEngine<M, W> {
  readonly #channel: PipelineChannel<W>;
  readonly #options: ResolvedPipelineOptions;
  readonly #stream: StreamSender | undefined;
  readonly #toWire: (entry: Entry<M>) => W;
  readonly #metrics = new MetricsRecorder();
  readonly #waiting = new Fifo<Entry<M>>();
  /** Slot holders in slot order: queued for the writer, or on the channel. */
  readonly #inflight = new Set<Entry<M>>();
  /** Ordered streams: requests to send again, by sequence number. */
  readonly #resends = new ResendQueue<M>();
  #window: number;
  #unsettled = 0;
  #nextNumber = 1;
  readonly #timer: DeadlineTimer;
  #closing: Promise<void> | undefined;
  #closed: () => void = noop;
  readonly #writer: SingularUpdateQueue<Entry<M>[], void>;
  readonly #reader: SingularUpdateQueue<Entry<M>[], void>;
  /** The writer loop's open batch (queued or being written): requests given a slot, in order. */
  #toWrite: Entry<M>[] | undefined;
  /** The reader loop's open batch (queued or being read): requests whose transmission ended. */
  #toRead: Entry<M>[] | undefined;
  readonly #pumpTask = (): void => this.#pump();
  /** Each entry's channel receiver hands its outcome here. */
  readonly #arrived = (entry: Entry<M>): void => {
    if (this.#toRead === undefined) {
      this.#toRead = [];
      void this.#reader.submit(this.#toRead);
    }
    this.#toRead.push(entry);
  };

  constructor(
    channel: PipelineChannel<W>,
    options: ResolvedPipelineOptions,
    stream: StreamSender | undefined,
    toWire: (entry: Entry<M>) => W,
  ) {
    this.#channel = channel;
    this.#options = options;
    this.#stream = stream;
    this.#toWire = toWire;
    this.#window = options.inflightMax;
    this.#timer = new DeadlineTimer(options.clock, options.scheduler, () => this.#expire());
    // Every batch of either loop holds at least one request with a slot, so neither can overflow.
    const queueOptions = { capacityMax: options.inflightMax, overflow: "reject" } as const;
    this.#writer = new SingularUpdateQueue((batch) => this.#write(batch), {
      ...queueOptions,
      name: `the pipeline writer to ${options.peer}`,
    });
    this.#reader = new SingularUpdateQueue((batch) => this.#read(batch), {
      ...queueOptions,
      name: `the pipeline reader from ${options.peer}`,
    });
  }

  get metrics(): PipelineMetrics {
    return this.#metrics.snapshot({
      inflight: this.#inflight.size,
      waiting: this.#waiting.length + this.#resends.length,
      window: this.#window,
    });
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  get waiting(): number {
    return this.#waiting.length + this.#resends.length;
  }

  get window(): number {
    return this.#window;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  send(request: M): Promise<M> {
    const { peer, overflow, waitingMax, inflightMax, requestTimeoutMs, clock } = this.#options;
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    const slotFree =
      this.#resends.length === 0 &&
      this.#waiting.length === 0 &&
      this.#inflight.size < this.#window;
    if (!slotFree && (overflow === "reject" || this.#waiting.length >= waitingMax)) {
      this.#metrics.rejectedFull++;
      return Promise.reject(
        overflow === "reject"
          ? new PipelineFullError(peer, "inflightMax", inflightMax)
          : new PipelineFullError(peer, "waitingMax", waitingMax),
      );
    }
    return new Promise<M>((resolve, reject) => {
      const deadlineMs = clock.monotonicMs() + requestTimeoutMs;
      const number = this.#nextNumber++;
      const entry = new Entry(this.#arrived, number, request, deadlineMs, resolve, reject);
      this.#unsettled++;
      this.#metrics.sent++;
      this.#waiting.push(entry);
      this.#timer.arm(entry.deadlineMs);
      this.#pump();
    });
  }

  heartbeat(message: W): void {
    if (this.#closing !== undefined) throw this.#closedError();
    this.#channel.send(this.#options.peer, message);
    this.#metrics.heartbeatsSent++;
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closing = new Promise((resolve) => (this.#closed = resolve));
    for (let entry = this.#waiting.shift(); entry !== undefined; entry = this.#waiting.shift()) {
      this.#settle(entry, this.#closedError());
    }
    this.#failResends(this.#closedError());
    this.#checkClosed();
    return this.#closing;
  }

  /** Gives free slots to waiting requests: resends first (in sequence order), then new ones. */
  #pump(): void {
    while (this.#inflight.size < this.#window) {
      const entry = this.#resends.length > 0 ? this.#resends.shift() : this.#waiting.shift();
      if (entry === undefined) return;
      entry.phase = "queued";
      this.#inflight.add(entry);
      if (this.#inflight.size > this.#metrics.inflightPeak) {
        this.#metrics.inflightPeak = this.#inflight.size;
      }
      if (this.#toWrite === undefined) {
        this.#toWrite = [];
        void this.#writer.submit(this.#toWrite);
      }
      this.#toWrite.push(entry);
    }
  }

  /** The writer loop: puts a batch of requests on the channel, in slot order. */
  #write(batch: Entry<M>[]): void {
    const now = this.#options.clock.monotonicMs();
    try {
      for (const entry of batch) this.#transmit(entry, now);
    } finally {
      this.#toWrite = undefined;
    }
  }

  /** Puts one request on the channel (`now` is the writer's clock reading for its batch). */
  #transmit(entry: Entry<M>, now: number): void {
    if (!entry.settled && entry.deadlineMs <= now) this.#timeOut(entry);
    if (entry.settled) {
      // It expired (or the pipeline closed) between taking its slot and now.
      entry.phase = "done";
      this.#inflight.delete(entry);
      if (entry.attempts > 0 && entry.epoch === this.#stream?.epoch) this.#endEpoch();
      queueMicrotask(this.#pumpTask);
      return;
    }
    const wire = this.#toWire(entry);
    entry.phase = "inflight";
    entry.attempts++;
    entry.sentAtMs = now;
    this.#metrics.transmissions++;
    if (entry.attempts > 1) this.#metrics.resent++;
    try {
      this.#channel.requestWith(this.#options.peer, wire, entry);
    } catch (error) {
      entry.failure(asError(error));
    }
  }

  /**
   * The reader loop: takes a batch of outcomes, in the order the channel settled them. Outcomes
   * that arrive meanwhile (a reset fails the requests in flight at once) join the batch.
   */
  #read(batch: Entry<M>[]): void {
    const now = this.#options.clock.monotonicMs();
    try {
      for (const entry of batch) this.#take(entry, now);
    } finally {
      this.#toRead = undefined;
    }
  }

  /** Takes one transmission's outcome (`now` is the reader's clock reading for its batch). */
  #take(entry: Entry<M>, now: number): void {
    const { answered: ok, outcome: value } = entry;
    entry.outcome = undefined;
    const answered = ok || isRemoteAnswer(value);
    if (answered && this.#options.strictOrder && !entry.settled && this.#oldest() !== entry) {
      this.#protocolError(entry);
    } else if (answered && !isOutOfOrderRefusal(value)) {
      this.#metrics.roundTrip(now - entry.sentAtMs);
      this.#grow();
      if (entry.settled) {
        // An answer after its request timed out (not one failed by a protocol error: done).
        if (entry.phase !== "done") this.#metrics.lateResponses++;
      } else if (ok) {
        this.#settle(entry, undefined, value as M);
      } else {
        this.#settle(entry, asError(value));
      }
      entry.phase = "done";
    } else {
      this.#failed(entry, asError(value));
    }
    this.#inflight.delete(entry);
    this.#pump();
    this.#checkClosed();
  }

  /** A transmission failed without an answer (or was refused): resend or fail. */
  #failed(entry: Entry<M>, error: Error): void {
    this.#shrink();
    const decision =
      this.#stream === undefined || this.#closing !== undefined
        ? "fail"
        : this.#stream.decide(entry, error, () => this.#earlierUnacknowledged(entry));
    if (decision === "resend") {
      entry.phase = "resend";
      entry.lastError = error;
      this.#resends.insert(entry);
      return;
    }
    entry.phase = "done";
    if (!entry.settled) this.#settle(entry, error);
    if (decision === "end-epoch") this.#endEpoch();
  }

  /** Whether an ordered request numbered before `entry` may still reach the receiver. */
  #earlierUnacknowledged(entry: Entry<M>): boolean {
    const earlier = (other: Entry<M>): boolean =>
      other !== entry &&
      other.epoch === entry.epoch &&
      other.sequence >= 0 &&
      other.sequence < entry.sequence;
    for (const other of this.#inflight) if (earlier(other)) return true;
    return this.#resends.some(earlier);
  }

  #endEpoch(): void {
    this.#stream?.endEpoch();
    this.#failResends(undefined);
  }

  /** Fails every request waiting for a resend, with why its last transmission failed. */
  #failResends(fallback: Error | undefined): void {
    for (const entry of this.#resends.takeAll()) {
      entry.phase = "done";
      this.#settle(entry, entry.lastError ?? fallback ?? this.#closedError());
    }
  }

  /** The oldest request on the channel whose caller still waits. */
  #oldest(): Entry<M> | undefined {
    for (const entry of this.#inflight) {
      if (!entry.settled && entry.phase === "inflight") return entry;
    }
    return undefined;
  }

  /** strictOrder: `entry` was answered before an older request. Fail all in flight, reset. */
  #protocolError(entry: Entry<M>): void {
    const { peer, logger } = this.#options;
    const oldest = this.#oldest() as Entry<M>;
    const error = new PipelineProtocolError(peer, entry.number, oldest.number);
    this.#metrics.protocolErrors++;
    logger.error("pipeline.protocol-error", {
      peer,
      answered: entry.number,
      oldest: oldest.number,
    });
    for (const other of this.#inflight) {
      if (other.settled || other.phase !== "inflight") continue;
      this.#settle(other, error);
      other.phase = "done";
    }
    this.#shrink();
    this.#channel.disconnect(peer, `protocol error: ${error.message}`);
  }

  /** Adaptive window: an answer widens it by one, up to `inflightMax`. */
  #grow(): void {
    if (this.#window < this.#options.inflightMax) this.#window++;
  }

  /** Adaptive window: a failure drops it to one request, a probe. */
  #shrink(): void {
    if (this.#options.adaptiveWindow) this.#window = 1;
  }

  #settle(entry: Entry<M>, error: Error | undefined, response?: M): void {
    if (entry.settled) return;
    entry.settled = true;
    this.#unsettled--;
    if (error === undefined) {
      this.#metrics.succeeded++;
      entry.resolve(response as M);
    } else {
      this.#metrics.failed++;
      entry.reject(error);
    }
  }

  #timeOut(entry: Entry<M>): void {
    const outcome: FailureOutcome = entry.attempts === 0 ? "definite" : "indefinite";
    const { peer, requestTimeoutMs } = this.#options;
    this.#metrics.timedOut++;
    this.#settle(
      entry,
      new TimeoutError(`request ${entry.number} to ${peer}`, requestTimeoutMs, { outcome }),
    );
  }

  /** The timer: fails every request past its deadline, then waits for the next deadline. */
  #expire(): void {
    const { clock, strictOrder, peer, logger } = this.#options;
    const now = clock.monotonicMs();
    for (
      let entry = this.#waiting.peek();
      entry !== undefined && entry.deadlineMs <= now;
      entry = this.#waiting.peek()
    ) {
      this.#waiting.shift();
      entry.phase = "done";
      this.#timeOut(entry);
    }
    const resendExpired = this.#resends.takeDue(now);
    if (resendExpired.length > 0) {
      for (const entry of resendExpired) {
        entry.phase = "done";
        this.#timeOut(entry);
      }
      this.#endEpoch();
    }
    let reset: Entry<M> | undefined;
    for (const entry of this.#inflight) {
      if (entry.settled || entry.phase !== "inflight" || entry.deadlineMs > now) continue;
      this.#timeOut(entry);
      this.#shrink();
      reset ??= entry;
    }
    if (reset !== undefined && strictOrder) {
      logger.warn("pipeline.timeout-reset", { peer, request: reset.number });
      this.#channel.disconnect(
        peer,
        `request ${reset.number} timed out, and strictOrder resets the connection`,
      );
    }
    let next = Math.min(
      this.#waiting.peek()?.deadlineMs ?? Infinity,
      this.#resends.earliestDeadlineMs(),
    );
    for (const entry of this.#inflight) if (!entry.settled) next = Math.min(next, entry.deadlineMs);
    if (next < Infinity) this.#timer.arm(next);
    this.#pump();
    this.#checkClosed();
  }

  #checkClosed(): void {
    if (this.#closing === undefined || this.#unsettled > 0) return;
    this.#timer.cancel();
    this.#closed();
  }

  #closedError(): ClosedError {
    return new ClosedError(`the pipeline to ${this.#options.peer}`);
  }
}
