import {
  ClosedError,
  InvalidArgumentError,
  InvariantError,
  type Clock,
} from "@pods/core-interfaces";
import { QueueFullError } from "./queue-full-error.ts";
import { RingBuffer } from "./ring-buffer.ts";

/**
 * Applies one request to the state the queue guards and returns its result. It may be async: the
 * queue awaits it to completion, including its I/O, before taking the next item. A throw or a
 * rejection fails only this item.
 */
export type UpdateHandler<Req, Res> = (request: Req) => Res | PromiseLike<Res>;

/**
 * What a submit into a full queue does: `"wait"` parks the submitter (FIFO, bounded by
 * `waitingSubmitsMax`) until an accepted item finishes; `"reject"` fails it at once with
 * {@link QueueFullError}.
 */
export type OverflowPolicy = "wait" | "reject";

/** Options of {@link SingularUpdateQueue}. */
export interface SingularUpdateQueueOptions {
  /**
   * Items accepted and not yet finished, the one being handled included. Default 100. A positive
   * safe integer.
   */
  readonly capacityMax?: number;
  /** What a submit into a full queue does. Default `"wait"`. */
  readonly overflow?: OverflowPolicy;
  /**
   * With overflow `"wait"`: submitters that may wait for space at once; one more gets
   * {@link QueueFullError}. Default 1 000. A safe integer ≥ 0.
   */
  readonly waitingSubmitsMax?: number;
  /**
   * Measures wait and handling times (monotonic readings only). Without it those metrics stay 0
   * and the hot path reads no clock.
   */
  readonly clock?: Clock;
  /** Names the queue in error messages. Default `"update queue"`. */
  readonly name?: string;
}

/** Options of {@link SingularUpdateQueue.close}. */
export interface CloseOptions {
  /**
   * Reject accepted items that have not started with `ClosedError` instead of handling them.
   * Default `false`: accepted items are handled to completion. The item being handled always
   * finishes.
   */
  readonly cancelQueued?: boolean;
}

/** Counters and gauges of a {@link SingularUpdateQueue}, read through `metrics`. */
export interface UpdateQueueMetrics {
  /** Items accepted and not yet finished, the one being handled included (≤ `capacityMax`). */
  readonly depth: number;
  /** The largest `depth` seen. */
  readonly depthMax: number;
  /** Submitters waiting for space (overflow `"wait"`). */
  readonly waitingSubmits: number;
  /** Handler invocations finished, successfully or not. */
  readonly processed: number;
  /** Handler invocations that threw or rejected. */
  readonly failed: number;
  /** Submits refused with {@link QueueFullError}. */
  readonly rejectedFull: number;
  /** Items and waiting submitters failed with `ClosedError` by `close`. */
  readonly cancelled: number;
  /** Total time items spent between submit and the start of their handling, in ms (needs `clock`). */
  readonly waitMsTotal: number;
  /** The longest such wait, in ms (needs `clock`). */
  readonly waitMsMax: number;
  /** Total time spent in the handler, in ms (needs `clock`). */
  readonly handlingMsTotal: number;
  /** The longest handler invocation, in ms (needs `clock`). */
  readonly handlingMsMax: number;
}

/** One submitted request and the settlement of its promise. */
interface Item<Req, Res> {
  readonly request: Req;
  readonly sequence: number;
  readonly submittedMs: number;
  resolve: (result: Res) => void;
  reject: (error: unknown) => void;
}

/** A `drain()` call: resolves once every item with a smaller sequence has settled. */
interface Drainer {
  readonly sequence: number;
  readonly resolve: () => void;
}

const noop = (): void => undefined;

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(
      `${name} must be a safe integer >= ${min}, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * The Singular Update Queue: every state change goes through one queue, consumed by a single
 * worker that runs the handler on one item at a time, to completion — awaited I/O included —
 * before taking the next. Items are handled in the order of their `submit` calls, across all
 * producers. Each submit gets a promise for its own result; a failing handler fails only its item.
 *
 * The queue is bounded: at most `capacityMax` items are accepted and unfinished. A submit beyond
 * that waits for space or is refused, by `overflow` policy.
 *
 * @typeParam Req - what is submitted.
 * @typeParam Res - what the handler returns for one item.
 */
export class SingularUpdateQueue<Req, Res> {
  readonly #handler: UpdateHandler<Req, Res>;
  readonly #capacityMax: number;
  readonly #overflow: OverflowPolicy;
  readonly #waitingSubmitsMax: number;
  readonly #clock: Clock | undefined;
  readonly #name: string;
  /** Items not yet started: the first ones are accepted, those beyond the capacity wait. */
  readonly #items = new RingBuffer<Item<Req, Res>>();
  readonly #drainers = new RingBuffer<Drainer>(4);
  #current: Item<Req, Res> | undefined;
  #workerRunning = false;
  #inHandlerCall = false;
  #nextSequence = 0;
  #closed: Promise<void> | undefined;
  readonly #runWorker = (): void => void this.#work();
  // metrics
  #depthMax = 0;
  #processed = 0;
  #failed = 0;
  #rejectedFull = 0;
  #cancelled = 0;
  #waitMsTotal = 0;
  #waitMsMax = 0;
  #handlingMsTotal = 0;
  #handlingMsMax = 0;

  /**
   * @param handler - applies one item; see {@link UpdateHandler}.
   * @param options - limits, overflow policy, clock for timing metrics.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(handler: UpdateHandler<Req, Res>, options: SingularUpdateQueueOptions = {}) {
    if (typeof handler !== "function") {
      throw new InvalidArgumentError("The handler of a SingularUpdateQueue must be a function.");
    }
    const overflow = options.overflow ?? "wait";
    if (overflow !== "wait" && overflow !== "reject") {
      throw new InvalidArgumentError(
        `overflow must be "wait" or "reject", got ${JSON.stringify(overflow)}.`,
      );
    }
    this.#handler = handler;
    this.#capacityMax = checkCount("capacityMax", options.capacityMax ?? 100, 1);
    this.#waitingSubmitsMax = checkCount("waitingSubmitsMax", options.waitingSubmitsMax ?? 1000, 0);
    this.#overflow = overflow;
    this.#clock = options.clock;
    this.#name = options.name ?? "update queue";
  }

  /**
   * Submits `request` and returns a promise for the handler's result. The promise rejects with the
   * handler's error if it throws, with {@link QueueFullError} if the queue is full (overflow
   * `"reject"`, or too many waiting submitters), with `ClosedError` once `close` was called, and
   * with `InvariantError` when called from inside the handler (awaiting that would deadlock).
   * It never throws synchronously.
   */
  submit(request: Req): Promise<Res> {
    if (this.#inHandlerCall) {
      return Promise.reject(
        new InvariantError(
          `the handler of ${this.#name} submitted to its own queue; awaiting that item would ` +
            "deadlock. Return the follow-up as a result, or submit it after the handler finishes " +
            "(submitWhenSettled)",
        ),
      );
    }
    if (this.#closed !== undefined) return Promise.reject(new ClosedError(this.#name));
    const depth = this.#unfinished();
    if (depth >= this.#capacityMax) {
      if (this.#overflow === "reject") {
        this.#rejectedFull++;
        return Promise.reject(new QueueFullError(this.#name, this.#capacityMax, "accepted items"));
      }
      if (depth - this.#capacityMax >= this.#waitingSubmitsMax) {
        this.#rejectedFull++;
        return Promise.reject(
          new QueueFullError(this.#name, this.#waitingSubmitsMax, "waiting submitters"),
        );
      }
    } else if (depth + 1 > this.#depthMax) {
      this.#depthMax = depth + 1;
    }
    const item: Item<Req, Res> = {
      request,
      sequence: this.#nextSequence++,
      submittedMs: this.#clock === undefined ? 0 : this.#clock.monotonicMs(),
      resolve: noop,
      reject: noop,
    };
    const promise = new Promise<Res>((resolve, reject) => {
      item.resolve = resolve;
      item.reject = reject;
    });
    this.#items.push(item);
    if (!this.#workerRunning) {
      this.#workerRunning = true;
      queueMicrotask(this.#runWorker);
    }
    return promise;
  }

  /**
   * Resolves once every item submitted before this call has settled (handled, failed or
   * cancelled). When nothing else is submitted meanwhile, the queue is then empty and idle. Items
   * submitted later do not delay it.
   */
  drain(): Promise<void> {
    const sequence = this.#nextSequence;
    if (this.#oldestUnsettled() >= sequence) return Promise.resolve();
    return new Promise((resolve) => this.#drainers.push({ sequence, resolve }));
  }

  /**
   * Stops intake: later submits reject with `ClosedError`, and so do submitters still waiting for
   * space. Accepted items are handled to completion unless `cancelQueued` is set, in which case
   * those not started reject with `ClosedError`. Resolves when the queue is empty and idle.
   * Idempotent: later calls return the same promise (a later `cancelQueued` still cancels what
   * has not started).
   */
  close(options: CloseOptions = {}): Promise<void> {
    const cancelled: Item<Req, Res>[] = [];
    const keep = options.cancelQueued === true ? 0 : this.#capacityMax - (this.#current ? 1 : 0);
    while (this.#items.length > keep) cancelled.push(this.#items.pop() as Item<Req, Res>);
    this.#closed ??= this.drain();
    for (let i = cancelled.length - 1; i >= 0; i--) {
      this.#cancelled++;
      (cancelled[i] as Item<Req, Res>).reject(new ClosedError(this.#name));
    }
    this.#settled();
    return this.#closed;
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Whether no item is being handled and none is queued. */
  get idle(): boolean {
    return this.#current === undefined && this.#items.length === 0;
  }

  /** The limit on accepted items. */
  get capacityMax(): number {
    return this.#capacityMax;
  }

  /** A snapshot of the counters and gauges. */
  get metrics(): UpdateQueueMetrics {
    const unfinished = this.#unfinished();
    return {
      depth: Math.min(unfinished, this.#capacityMax),
      depthMax: this.#depthMax,
      waitingSubmits: Math.max(0, unfinished - this.#capacityMax),
      processed: this.#processed,
      failed: this.#failed,
      rejectedFull: this.#rejectedFull,
      cancelled: this.#cancelled,
      waitMsTotal: this.#waitMsTotal,
      waitMsMax: this.#waitMsMax,
      handlingMsTotal: this.#handlingMsTotal,
      handlingMsMax: this.#handlingMsMax,
    };
  }

  /** Items submitted and not yet settled: the one being handled, accepted ones and waiting ones. */
  #unfinished(): number {
    return this.#items.length + (this.#current === undefined ? 0 : 1);
  }

  /** The sequence of the oldest item not yet settled (the next sequence when none). */
  #oldestUnsettled(): number {
    return (this.#current ?? this.#items.peek())?.sequence ?? this.#nextSequence;
  }

  /** The worker: handles items one at a time until none is left. */
  async #work(): Promise<void> {
    const clock = this.#clock;
    for (let item = this.#items.shift(); item !== undefined; item = this.#items.shift()) {
      this.#current = item;
      const startedMs = clock === undefined ? 0 : clock.monotonicMs();
      if (clock !== undefined) {
        const waitMs = startedMs - item.submittedMs;
        this.#waitMsTotal += waitMs;
        if (waitMs > this.#waitMsMax) this.#waitMsMax = waitMs;
      }
      try {
        let result: Res | PromiseLike<Res>;
        this.#inHandlerCall = true;
        try {
          result = this.#handler(item.request);
        } finally {
          this.#inHandlerCall = false;
        }
        item.resolve(isPromiseLike(result) ? await result : result);
      } catch (error) {
        this.#failed++;
        item.reject(error);
      }
      this.#processed++;
      if (clock !== undefined) {
        const handlingMs = clock.monotonicMs() - startedMs;
        this.#handlingMsTotal += handlingMs;
        if (handlingMs > this.#handlingMsMax) this.#handlingMsMax = handlingMs;
      }
      this.#current = undefined;
      if (this.#drainers.length > 0) this.#settled();
    }
    this.#workerRunning = false;
  }

  /** Resolves the drainers whose items have all settled. */
  #settled(): void {
    const oldest = this.#oldestUnsettled();
    for (let drainer = this.#drainers.peek(); drainer !== undefined;) {
      if (drainer.sequence > oldest) return;
      this.#drainers.shift();
      drainer.resolve();
      drainer = this.#drainers.peek();
    }
  }
}
