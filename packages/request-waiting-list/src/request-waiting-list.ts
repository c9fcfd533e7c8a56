import {
  ClosedError,
  InvalidArgumentError,
  InvariantError,
  TimeoutError,
  type Clock,
  type NodeId,
  type Scheduler,
} from "@pods/core-interfaces";
import { WaitingListFullError } from "./errors.ts";
import { IndexOrder } from "./index-order.ts";
import { TimingWheel, type WheelBucket, type WheelItem } from "./timing-wheel.ts";

/** What a pending request is keyed by: a correlation id, or a log index. */
export type WaitingListKey = string | number;

/**
 * What a {@link ResponseCollector} decides after one reply: `undefined` to keep waiting, or the
 * entry's settlement.
 */
export type Verdict<Result> =
  | { readonly kind: "complete"; readonly result: Result }
  | { readonly kind: "fail"; readonly error: unknown }
  | undefined;

/**
 * The answer to the client of a pending request. Exactly one of the two methods is called, once,
 * after the entry has left the list. They must not throw.
 */
export interface RequestCallback<Result> {
  /** The entry completed with `result`. */
  onComplete(result: Result): void;
  /**
   * The entry failed: `TimeoutError` (indefinite) on expiry, the error given to `handleError` or
   * `failAll`, or `ClosedError` on `close`.
   */
  onFailure(error: unknown): void;
}

/**
 * Decides when an entry that expects several replies is done — a quorum of acknowledgements, say
 * ({@link QuorumCollector}). Without one, the first reply completes the entry with the reply
 * itself and the first error fails it.
 */
export interface ResponseCollector<Response, Result> {
  /** One reply for the entry, from `from` when known. */
  onResponse(response: Response, from: NodeId | undefined): Verdict<Result>;
  /** One error for the entry (a failed send, an error reply), from `from` when known. */
  onError(error: unknown, from: NodeId | undefined): Verdict<Result>;
}

/** Options of {@link RequestWaitingList.add} and {@link RequestWaitingList.wait}. */
export interface WaitOptions<Response, Result> {
  /** Expire the entry this long after it was added, in ms. Default: the list's `timeoutMs`. */
  readonly timeoutMs?: number;
  /**
   * Decides from the replies when the entry is done. Without it the first reply is the result,
   * so leave it out only when `Result` is `Response` (the default).
   */
  readonly collector?: ResponseCollector<Response, Result>;
}

/** How a list is keyed: any ids, or log indexes with prefix completion. */
export type KeyKind = "id" | "index";

/** Options of {@link RequestWaitingList}. */
export interface RequestWaitingListOptions {
  /** Monotonic time for deadlines. */
  readonly clock: Clock;
  /** Where the expiry wheel keeps its single wake-up. */
  readonly scheduler: Scheduler;
  /** `"index"`: keys are log indexes (safe integers ≥ 0) and `completeUpTo` works. Default `"id"`. */
  readonly keyedBy?: KeyKind;
  /** Default time an entry may wait before it expires, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /**
   * Expiry resolution, in ms: an entry expires at the end of the tick holding its deadline, never
   * before the deadline and at most `tickMs` after it. Default 1.
   */
  readonly tickMs?: number;
  /** Entries that may be pending at once; one more is refused. Default 100 000. */
  readonly pendingMax?: number;
  /**
   * Runs an expiry pass, so that expiry callbacks run where the owner wants them — on its
   * singular-update-queue, say: `(pass) => void queue.submit(pass)` with a queue whose handler
   * runs functions. Default: in the scheduler's task.
   */
  readonly runExpiry?: (pass: () => void) => void;
  /** Names the requests in timeout messages (`"request 17 timed out ..."`). Default `"request"`. */
  readonly name?: string;
}

/** Counters and gauges of a {@link RequestWaitingList}. */
export interface WaitingListMetrics {
  /** Entries waiting now. */
  readonly pending: number;
  /** Entries completed. */
  readonly completed: number;
  /** Entries failed other than by expiry (errors, `failAll`, `close`). */
  readonly failed: number;
  /** Entries expired with `TimeoutError`. */
  readonly expired: number;
  /** Replies and errors for unknown or settled keys, ignored. */
  readonly ignoredResponses: number;
  /** Expiry passes the wheel ran (one per wake-up). */
  readonly expiryPasses: number;
  /** Wheel buckets (ticks) the passes emptied. */
  readonly expiryBucketsVisited: number;
}

/** One pending request. Compact on purpose: a million may wait at once. */
class Entry<K, Response, Result> implements WheelItem {
  wheelBucket: WheelBucket | undefined = undefined;
  wheelSlot = 0;
  constructor(
    readonly key: K,
    /** The client's answer; `undefined` once settled. */
    public callback: RequestCallback<Result> | undefined,
    public collector: ResponseCollector<Response, Result> | undefined,
    readonly timeoutMs: number,
  ) {}
}

function checkPositive(name: string, value: number, integer: boolean): number {
  if (!(Number.isFinite(value) && value > 0 && (!integer || Number.isSafeInteger(value)))) {
    throw new InvalidArgumentError(
      `${name} must be a ${integer ? "positive safe integer" : "finite number > 0"}, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * The Request Waiting List: pending requests keyed by a correlation id or a log index, each
 * completed once its criterion holds — the first reply, a quorum of replies, the high-water mark
 * passing its index — or failed by an error, by `failAll`, or by expiry with `TimeoutError`.
 * Every entry settles exactly once and leaves the list when it does; later replies for its key are
 * ignored and counted.
 *
 * Expiry runs on a timing wheel with one scheduled wake-up for the whole list (no timer per
 * request); expiry work is proportional to the entries expiring. In index mode the keys are kept
 * in ascending order (an array while they arrive in order, a heap for stragglers), so
 * `completeUpTo(i)` settles the prefix ≤ i in ascending order without a scan.
 *
 * Not reentrant across threads of control: call it from one place (the owner's
 * singular-update-queue); callbacks run synchronously inside the call that settles them.
 *
 * @typeParam K - the key type.
 * @typeParam Response - what replies carry.
 * @typeParam Result - what clients get; the reply itself unless a collector says otherwise.
 */
export class RequestWaitingList<K extends WaitingListKey, Response, Result = Response> {
  readonly #clock: Clock;
  readonly #keyedBy: KeyKind;
  readonly #timeoutMs: number;
  readonly #tickMs: number;
  readonly #pendingMax: number;
  readonly #name: string;
  readonly #entries = new Map<K, Entry<K, Response, Result>>();
  readonly #wheel: TimingWheel<Entry<K, Response, Result>>;
  /** Index mode: entries by key, ascending; settled ones are skipped lazily. */
  readonly #byIndex: IndexOrder<Entry<K, Response, Result>> | undefined;
  #closed = false;
  #completed = 0;
  #failed = 0;
  #ignoredResponses = 0;

  /**
   * @param options - clock, scheduler, key kind, limits and expiry resolution.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: RequestWaitingListOptions) {
    const keyedBy = options.keyedBy ?? "id";
    if (keyedBy !== "id" && keyedBy !== "index") {
      throw new InvalidArgumentError(
        `keyedBy must be "id" or "index", got ${JSON.stringify(keyedBy)}.`,
      );
    }
    if (
      typeof options.clock?.monotonicMs !== "function" ||
      typeof options.scheduler?.after !== "function"
    ) {
      throw new InvalidArgumentError(
        "A RequestWaitingList needs a clock and a scheduler (the node's Env).",
      );
    }
    this.#clock = options.clock;
    this.#keyedBy = keyedBy;
    this.#timeoutMs = checkPositive("timeoutMs", options.timeoutMs ?? 30_000, false);
    this.#tickMs = checkPositive("tickMs", options.tickMs ?? 1, false);
    this.#pendingMax = checkPositive("pendingMax", options.pendingMax ?? 100_000, true);
    this.#name = options.name ?? "request";
    this.#wheel = new TimingWheel({
      clock: options.clock,
      scheduler: options.scheduler,
      tickMs: this.#tickMs,
      expire: (entry) => this.#expire(entry),
      runPass: options.runExpiry,
    });
    this.#byIndex =
      keyedBy === "index"
        ? new IndexOrder<Entry<K, Response, Result>>(
            (entry) => entry.callback !== undefined,
            (a, b) => (a.key as number) < (b.key as number),
          )
        : undefined;
  }

  /**
   * Registers a pending request under `key`; `callback` hears how it ends. Register before
   * sending, so that no reply can arrive for an unknown key.
   *
   * @throws `InvariantError` when `key` is pending already; `WaitingListFullError` at
   *   `pendingMax`; `ClosedError` after `close`; `InvalidArgumentError` for a bad key or timeout.
   */
  add(key: K, callback: RequestCallback<Result>, options?: WaitOptions<Response, Result>): void {
    if (this.#closed) throw new ClosedError("The request waiting list");
    const index = this.#keyedBy === "index";
    if (
      index
        ? !(Number.isSafeInteger(key) && (key as number) >= 0)
        : !(typeof key === "string" || Number.isFinite(key))
    ) {
      const expected = index ? "a log index (a safe integer >= 0)" : "a string or a finite number";
      const shown = typeof key === "string" ? JSON.stringify(key) : String(key);
      throw new InvalidArgumentError(`Key ${shown} is not valid: use ${expected}.`);
    }
    if (this.#entries.has(key)) {
      throw new InvariantError(
        `${this.#name} ${String(key)} is already pending; keys must be unique`,
      );
    }
    if (this.#entries.size >= this.#pendingMax) throw new WaitingListFullError(this.#pendingMax);
    const timeoutMs =
      options?.timeoutMs === undefined
        ? this.#timeoutMs
        : checkPositive("timeoutMs", options.timeoutMs, false);
    const entry = new Entry<K, Response, Result>(key, callback, options?.collector, timeoutMs);
    this.#entries.set(key, entry);
    this.#byIndex?.push(entry);
    const nowMs = this.#clock.monotonicMs();
    this.#wheel.add(entry, nowMs + timeoutMs, nowMs);
  }

  /**
   * {@link RequestWaitingList.add} with a promise for the result instead of a callback. Rejects
   * (rather than throws) when the entry cannot be added.
   */
  wait(key: K, options?: WaitOptions<Response, Result>): Promise<Result> {
    return new Promise<Result>((resolve, reject) =>
      this.add(key, { onComplete: resolve, onFailure: reject }, options),
    );
  }

  /**
   * Routes a reply to the entry of `key`: without a collector it completes the entry with
   * `response`; with one, the collector decides. A reply for an unknown or settled key is ignored
   * and counted.
   *
   * @returns whether an entry was pending under `key`.
   */
  handleResponse(key: K, response: Response, from?: NodeId): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#ignoredResponses++;
      return false;
    }
    if (entry.collector === undefined) {
      this.#complete(entry, response as unknown as Result);
      return true;
    }
    const verdict = entry.collector.onResponse(response, from);
    if (verdict !== undefined) this.#apply(entry, verdict);
    return true;
  }

  /**
   * Routes an error to the entry of `key`: without a collector it fails the entry with `error`;
   * with one, the collector decides (one voter's failure need not fail a quorum). An error for an
   * unknown or settled key is ignored and counted.
   *
   * @returns whether an entry was pending under `key`.
   */
  handleError(key: K, error: unknown, from?: NodeId): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#ignoredResponses++;
      return false;
    }
    this.#apply(
      entry,
      entry.collector === undefined
        ? { kind: "fail", error }
        : entry.collector.onError(error, from),
    );
    return true;
  }

  /**
   * Calls `send` (which sends the request of `key` to `to`); if it throws — an unreachable peer, a
   * closed transport — the error goes to `handleError(key, error, to)` at once, so the entry
   * settles (or its quorum learns of the failure) without waiting for the timeout.
   *
   * @returns whether `send` returned normally.
   */
  trySend(key: K, to: NodeId, send: () => void): boolean {
    try {
      send();
      return true;
    } catch (error) {
      this.handleError(key, error, to);
      return false;
    }
  }

  /**
   * Index mode: completes every pending entry with a key ≤ `index`, in ascending order, with
   * `resultOf(key)` — what the high-water mark reaching `index` does to waiting proposals. Costs
   * O(k log n) for k entries settled, however many are pending. `resultOf` and the callbacks must
   * not throw (if `resultOf` does, the entries it has not reached stay pending).
   *
   * @returns how many entries completed.
   * @throws `InvalidArgumentError` when the list is not keyed by index.
   */
  completeUpTo(index: number, resultOf: (key: K) => Result): number {
    const order = this.#byIndex;
    if (order === undefined) {
      throw new InvalidArgumentError(
        'completeUpTo needs a list keyed by index: pass keyedBy: "index".',
      );
    }
    let completed = 0;
    for (
      let entry = order.peek();
      entry !== undefined && (entry.key as number) <= index;
      entry = order.peek()
    ) {
      const result = resultOf(entry.key);
      order.pop();
      this.#complete(entry, result);
      completed++;
    }
    return completed;
  }

  /**
   * Fails every pending entry with `error` — on leadership loss, a
   * {@link LeadershipLostError} (indefinite) — in ascending key order in index mode, in order of
   * addition otherwise.
   *
   * @returns how many entries failed.
   */
  failAll(error: unknown): number {
    const entries =
      this.#byIndex === undefined ? [...this.#entries.values()] : this.#drainIndexes();
    let failed = 0;
    for (const entry of entries) {
      if (entry.callback === undefined) continue; // settled by an earlier callback of this loop
      this.#fail(entry, error);
      failed++;
    }
    return failed;
  }

  /**
   * Fails every pending entry with `ClosedError`, cancels the wheel's wake-up, and refuses later
   * adds. Replies that arrive later are ignored. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.failAll(new ClosedError("The request waiting list"));
    this.#wheel.clear();
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Entries pending now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether an entry is pending under `key`. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /**
   * When the entry of `key` will expire if nothing settles it first (monotonic ms: the end of the
   * tick holding its deadline), or `undefined` when nothing is pending under `key`.
   */
  expiresAtMs(key: K): number | undefined {
    const bucket = this.#entries.get(key)?.wheelBucket;
    return bucket === undefined ? undefined : bucket.tick * this.#tickMs;
  }

  /** Index mode: the lowest pending index, or `undefined` when none is pending (or in id mode). */
  get lowestPendingKey(): K | undefined {
    return this.#byIndex?.peek()?.key;
  }

  /** A snapshot of the counters and gauges. */
  get metrics(): WaitingListMetrics {
    const wheel = this.#wheel.stats;
    return {
      pending: this.#entries.size,
      completed: this.#completed,
      failed: this.#failed,
      expired: wheel.expired,
      ignoredResponses: this.#ignoredResponses,
      expiryPasses: wheel.passes,
      expiryBucketsVisited: wheel.bucketsVisited,
    };
  }

  #apply(entry: Entry<K, Response, Result>, verdict: Verdict<Result>): void {
    if (verdict === undefined) return;
    if (verdict.kind === "complete") this.#complete(entry, verdict.result);
    else this.#fail(entry, verdict.error);
  }

  /** Takes `entry` out of the list and returns its callback. */
  #take(entry: Entry<K, Response, Result>): RequestCallback<Result> {
    const callback = entry.callback as RequestCallback<Result>;
    entry.callback = undefined;
    entry.collector = undefined;
    this.#entries.delete(entry.key);
    this.#wheel.remove(entry);
    const order = this.#byIndex;
    if (order !== undefined && order.size > 2 * this.#entries.size + 1024) order.compact();
    return callback;
  }

  #complete(entry: Entry<K, Response, Result>, result: Result): void {
    this.#completed++;
    this.#take(entry).onComplete(result);
  }

  #fail(entry: Entry<K, Response, Result>, error: unknown): void {
    this.#failed++;
    this.#take(entry).onFailure(error);
  }

  /** Called by the wheel: the entry's deadline has passed (the wheel has let go of it). */
  #expire(entry: Entry<K, Response, Result>): void {
    // The stack of an error made in an expiry pass shows only the wheel; capturing it would cost
    // ten times more than the rest of the expiry, so it is left out.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let error: TimeoutError;
    try {
      error = new TimeoutError(`${this.#name} ${String(entry.key)}`, entry.timeoutMs);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.#take(entry).onFailure(error);
  }

  /** Index mode: every pending entry in ascending order, emptying the order. */
  #drainIndexes(): Entry<K, Response, Result>[] {
    const order = this.#byIndex as IndexOrder<Entry<K, Response, Result>>;
    const entries: Entry<K, Response, Result>[] = [];
    for (let entry = order.peek(); entry !== undefined; entry = order.peek()) {
      order.pop();
      entries.push(entry);
    }
    return entries;
  }
}
