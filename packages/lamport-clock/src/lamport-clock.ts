import { assertNodeId, type NodeId } from "@pods/core-interfaces";
import { LamportCounterExhaustedError } from "./errors.ts";
import {
  assertLamportTimestamp,
  lamportCounterMax,
  type LamportTimestamp,
} from "./lamport-timestamp.ts";

/** Options of {@link LamportClock}. */
export interface LamportClockOptions {
  /** The node id put in every timestamp, for a total order across nodes. Default `""` (none). */
  readonly nodeId?: NodeId;
}

/**
 * A Lamport clock: an integer counter that moves forward on every local event and past every
 * timestamp received, so that anything caused by an event gets a larger timestamp.
 *
 * - {@link LamportClock.tick}: a local event (a write without a client timestamp, a message to
 *   send) — the counter + 1.
 * - {@link LamportClock.receive}: a timestamp arrived (a request, a response) — one more than the
 *   larger of the counter and the received counter; always increments, even for a lower one.
 * - {@link LamportClock.observe}: a client keeps the highest timestamp seen without counting an
 *   event, and sends {@link LamportClock.peek} with every request.
 *
 * A new clock starts at 0, so the first tick returns 1. The counter never decreases. One instance
 * per node; no wall clock is involved. For monotonicity across restarts use
 * {@link PersistentLamportClock}.
 */
export class LamportClock {
  /** The node id put in every timestamp (`""` for none). */
  readonly nodeId: NodeId;
  #counter = 0;

  /**
   * A counter value at or above this goes through {@link LamportClock.beforeAdvance}; Infinity
   * here, a subclass lowers it.
   *
   * @internal
   */
  protected slowPathFrom = Number.POSITIVE_INFINITY;

  /** @throws `InvalidArgumentError` for a bad node id. */
  constructor(options: LamportClockOptions = {}) {
    const nodeId = options.nodeId ?? "";
    if (nodeId !== "") assertNodeId(nodeId, "LamportClock nodeId");
    this.nodeId = nodeId;
  }

  /**
   * Counts a local event and returns its timestamp: the counter + 1.
   *
   * @throws {@link LamportCounterExhaustedError} at 2^53 − 1 (unreachable in practice).
   */
  tick(): LamportTimestamp {
    return this.#advanceTo(this.#next(this.#counter));
  }

  /**
   * Merges a received timestamp and returns the timestamp of its receipt:
   * max(counter, received counter) + 1, strictly greater than `remote`.
   *
   * @throws `InvalidArgumentError` for a negative, fractional or unsafe counter (the clock is
   *   unchanged).
   * @throws {@link LamportCounterExhaustedError} when `remote.counter` is 2^53 − 1.
   */
  receive(remote: LamportTimestamp): LamportTimestamp {
    assertLamportTimestamp(remote, "received timestamp");
    return this.#advanceTo(this.#next(Math.max(this.#counter, remote.counter)));
  }

  /**
   * Raises the counter to `seen.counter` if that is higher, without counting an event (client
   * side: keep the highest timestamp seen), and returns {@link LamportClock.peek}.
   *
   * @throws `InvalidArgumentError` for a malformed timestamp.
   */
  observe(seen: LamportTimestamp): LamportTimestamp {
    assertLamportTimestamp(seen, "observed timestamp");
    return seen.counter > this.#counter ? this.#advanceTo(seen.counter) : this.peek();
  }

  /** The current counter as a timestamp of this node, without advancing. */
  peek(): LamportTimestamp {
    return { counter: this.#counter, nodeId: this.nodeId };
  }

  /**
   * Moves the counter forward to `counter` without issuing it (a restart starting at a persisted
   * ceiling).
   *
   * @internal
   */
  protected startAt(counter: number): void {
    if (counter > this.#counter) this.#counter = counter;
  }

  /**
   * Runs before the counter moves to `counter` when that is at or above
   * {@link LamportClock.slowPathFrom}; may throw to refuse the move.
   *
   * @internal
   */
  protected beforeAdvance(_counter: number): void {
    // A plain clock never takes the slow path.
  }

  #next(counter: number): number {
    if (counter >= lamportCounterMax) throw new LamportCounterExhaustedError(counter);
    return counter + 1;
  }

  #advanceTo(counter: number): LamportTimestamp {
    if (counter >= this.slowPathFrom) this.beforeAdvance(counter);
    this.#counter = counter;
    return { counter, nodeId: this.nodeId };
  }
}
