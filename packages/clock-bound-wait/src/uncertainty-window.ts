import {
  assertNodeId,
  InvalidArgumentError,
  TimeoutError,
  type NodeId,
} from "@pods/core-interfaces";
import {
  assertHybridTimestamp,
  compareHybridTimestamps,
  hybridTimestamp,
  hybridTimestampToIso,
  type HybridClock,
  type HybridTimestamp,
} from "@pods/hybrid-clock";
import { ReadRestartError } from "./errors.ts";
import { countOption, msOption, requireMethod } from "./options.ts";

/** The default {@link UncertaintyWindowOptions.restartAttemptsMax}: 5 attempts. */
export const defaultRestartAttemptsMax = 5;

/** What a reader sends with a read: the timestamp to read at and the top of its uncertainty window. */
export interface UncertaintyRequest {
  /** The timestamp to read at: the newest version at or below it is the answer. */
  readonly readTs: HybridTimestamp;
  /**
   * The largest timestamp in the uncertainty window: a version in (`readTs`, `uncertaintyLimit`]
   * may have been written before the read began, so finding one makes the read restart.
   */
  readonly uncertaintyLimit: HybridTimestamp;
}

/** A read's answer: it found a version in its uncertainty window and must restart. */
export interface RestartRequired {
  /** Marks a restart. */
  readonly kind: "restart";
  /** The timestamp the read was made at. */
  readonly readTs: HybridTimestamp;
  /** Where to restart: the newest version found in the window (above `readTs`). */
  readonly restartAt: HybridTimestamp;
  /** The key that version belongs to. */
  readonly key: string;
  /**
   * The serving node's clock when it answered: every version it holds that was written before
   * the answer is at or below this, so later attempts on that node can ignore versions above it.
   */
  readonly observedTs: HybridTimestamp;
}

/** Options of {@link UncertaintyWindow}. */
export interface UncertaintyWindowOptions {
  /** The reader's hybrid clock. */
  readonly clock: HybridClock;
  /** The timestamp to read at. Default: `clock.now()`. */
  readonly readTs?: HybridTimestamp;
  /**
   * The largest offset between any two clocks of the cluster, in ms: the window's width. Default
   * `clock.maxOffsetMs`, the offset the hybrid clocks tolerate.
   */
  readonly maxOffsetMs?: number;
  /**
   * The most attempts a read makes, the first one included; a restart beyond them fails with
   * `TimeoutError`. Default {@link defaultRestartAttemptsMax} (5).
   */
  readonly restartAttemptsMax?: number;
}

/**
 * The uncertainty window of one read (or of one transaction's reads), kept by the reader across
 * restarts: (`readTs`, limit], where the limit is fixed when the read begins — its first read
 * timestamp plus `maxOffsetMs` — so that every version written before the read began lies at or
 * below it (as long as the clocks' offsets stay within `maxOffsetMs`).
 *
 * - A restart raises `readTs` to the version found; the limit stays, so the window shrinks.
 * - Per-node observed timestamps shrink it further: a node's first answer carries its clock
 *   reading, and versions on that node above it were written after the read began, so later
 *   requests to that node cap the limit there.
 * - After `restartAttemptsMax` attempts a restart throws `TimeoutError`.
 */
export class UncertaintyWindow {
  /** The timestamp the read began at. */
  readonly startTs: HybridTimestamp;
  /**
   * The top of the window for nodes not observed yet: the first timestamp of the millisecond
   * after `startTs` + `maxOffsetMs`, so the window holds every timestamp whose physical part is
   * at most that far ahead.
   */
  readonly uncertaintyLimit: HybridTimestamp;
  /** The most attempts, the first one included. */
  readonly restartAttemptsMax: number;
  readonly #clock: HybridClock;
  readonly #observed = new Map<NodeId, HybridTimestamp>();
  #readTs: HybridTimestamp;
  #attempts = 1;

  /**
   * @param options - the reader's clock, the window's width and the attempts allowed.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: UncertaintyWindowOptions) {
    requireMethod(options.clock, "now", "UncertaintyWindow options.clock");
    const maxOffsetMs = msOption(options.maxOffsetMs, options.clock.maxOffsetMs, "maxOffsetMs");
    this.restartAttemptsMax = countOption(
      options.restartAttemptsMax,
      defaultRestartAttemptsMax,
      "restartAttemptsMax",
    );
    if (options.readTs !== undefined) assertHybridTimestamp(options.readTs, "readTs");
    this.#clock = options.clock;
    this.startTs = options.readTs ?? options.clock.now();
    this.#readTs = this.startTs;
    this.uncertaintyLimit = hybridTimestamp(this.startTs.wallMs + Math.ceil(maxOffsetMs) + 1, 0);
  }

  /** The timestamp the next attempt reads at. */
  get readTs(): HybridTimestamp {
    return this.#readTs;
  }

  /** Attempts made or in progress: 1 before any restart. */
  get attempts(): number {
    return this.#attempts;
  }

  /** The first clock reading each node reported. */
  get observedTimestamps(): ReadonlyMap<NodeId, HybridTimestamp> {
    return this.#observed;
  }

  /** The request for an attempt on `node`: the read timestamp and the node's window limit. */
  requestFor(node: NodeId): UncertaintyRequest {
    const observed = this.#observed.get(node);
    const uncertaintyLimit =
      observed !== undefined && compareHybridTimestamps(observed, this.uncertaintyLimit) < 0
        ? observed
        : this.uncertaintyLimit;
    return { readTs: this.#readTs, uncertaintyLimit };
  }

  /**
   * Records `node`'s clock reading from its answer; only the first one per node counts.
   *
   * @throws `InvalidArgumentError` for a bad node id or timestamp.
   */
  observe(node: NodeId, observedTs: HybridTimestamp): void {
    assertNodeId(node, "observing node");
    assertHybridTimestamp(observedTs, "observedTs");
    if (!this.#observed.has(node)) this.#observed.set(node, observedTs);
  }

  /**
   * Moves the read to `restart.restartAt` for the next attempt.
   *
   * @throws `TimeoutError` (with a {@link ReadRestartError} as `cause`) when `restartAttemptsMax`
   *   attempts were made.
   * @throws `InvalidArgumentError` when `restartAt` is not above the current read timestamp.
   */
  restart(restart: Pick<RestartRequired, "restartAt" | "key">): void {
    assertHybridTimestamp(restart.restartAt, "restartAt");
    if (compareHybridTimestamps(restart.restartAt, this.#readTs) <= 0) {
      throw new InvalidArgumentError(
        `A restart must move the read forward, but restartAt ${hybridTimestampToIso(
          restart.restartAt,
        )} is not above the read timestamp ${hybridTimestampToIso(this.#readTs)}.`,
      );
    }
    if (this.#attempts >= this.restartAttemptsMax) {
      const elapsedMs = Math.max(0, this.#clock.now().wallMs - this.startTs.wallMs);
      throw new TimeoutError(
        `A read of key ${JSON.stringify(restart.key)} restarting after ${this.#attempts} ` +
          "attempts (restartAttemptsMax) because writes keep landing in its uncertainty window",
        elapsedMs,
        { cause: new ReadRestartError(restart.key, this.#readTs, restart.restartAt) },
      );
    }
    this.#readTs = restart.restartAt;
    this.#attempts++;
  }
}

/** The outcome of {@link readWithRestarts}: the final answer and how many attempts it took. */
export interface RestartedRead<T> {
  /** The answer of the last attempt. */
  readonly result: T;
  /** The attempts made, the first one included. */
  readonly attempts: number;
}

/**
 * Reads from `node` through `attempt` (which sends the request and returns the node's answer)
 * until the answer is not a restart: each restart moves the window's read timestamp to the
 * version found, and the node's observed timestamp caps the window on later attempts.
 *
 * @throws `TimeoutError` (rejects) after `window.restartAttemptsMax` attempts; whatever
 *   `attempt` throws.
 */
export async function readWithRestarts<
  R extends { readonly kind: string; readonly observedTs: HybridTimestamp },
>(
  window: UncertaintyWindow,
  node: NodeId,
  attempt: (request: UncertaintyRequest) => R | Promise<R>,
): Promise<RestartedRead<Exclude<R, RestartRequired>>> {
  for (;;) {
    const answer = await attempt(window.requestFor(node));
    window.observe(node, answer.observedTs);
    if (answer.kind !== "restart") {
      return { result: answer as Exclude<R, RestartRequired>, attempts: window.attempts };
    }
    window.restart(answer as unknown as RestartRequired);
  }
}
