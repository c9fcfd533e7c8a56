import { InvalidArgumentError, type FailureOutcome, type NodeId } from "@pods/core-interfaces";
import { NoQuorumError } from "./errors.ts";
import type { ResponseCollector, Verdict } from "./request-waiting-list.ts";

/** Where a quorum decision stands. */
export type QuorumState = "pending" | "reached" | "impossible";

/**
 * Counts answers towards a quorum. {@link MajorityTracker} is the plain majority; joint or
 * flexible configurations (from `@pods/majority-quorum`) plug in through this interface.
 */
export interface QuorumTracker {
  /**
   * Records the answer of `from`. Returns `false` (and changes nothing) when it does not count: a
   * node that is not a voter, or one that has answered already (the first answer counts).
   */
  record(from: NodeId, success: boolean): boolean;
  /**
   * `"reached"` once a quorum answered positively; `"impossible"` once so many failed that it can
   * no longer be reached; `"pending"` otherwise.
   */
  readonly state: QuorumState;
}

/**
 * A majority of a fixed set of voters: reached at ⌊n/2⌋ + 1 positive answers, impossible once more
 * than n − (⌊n/2⌋ + 1) voters failed. Each voter counts once; other nodes do not count.
 */
export class MajorityTracker implements QuorumTracker {
  readonly #voters: ReadonlySet<NodeId>;
  readonly #answered = new Set<NodeId>();
  /** Positive answers needed: ⌊n/2⌋ + 1. */
  readonly quorum: number;
  #successes = 0;
  #failures = 0;

  /**
   * @param voters - the voting members, at least one, no duplicates.
   * @throws `InvalidArgumentError` for an empty or duplicated voter list.
   */
  constructor(voters: readonly NodeId[]) {
    this.#voters = new Set(voters);
    if (voters.length === 0 || this.#voters.size !== voters.length) {
      throw new InvalidArgumentError(
        `A quorum needs at least one voter and no duplicates, got [${voters.join(", ")}].`,
      );
    }
    this.quorum = Math.floor(voters.length / 2) + 1;
  }

  /** {@inheritDoc QuorumTracker.record} */
  record(from: NodeId, success: boolean): boolean {
    if (!this.#voters.has(from) || this.#answered.has(from)) return false;
    this.#answered.add(from);
    if (success) this.#successes++;
    else this.#failures++;
    return true;
  }

  /** {@inheritDoc QuorumTracker.state} */
  get state(): QuorumState {
    if (this.#successes >= this.quorum) return "reached";
    return this.#failures > this.#voters.size - this.quorum ? "impossible" : "pending";
  }
}

/** The answers a quorum decision was taken on. */
export interface QuorumAnswers<Response> {
  /** Every counted response, positive or not, by voter. */
  readonly responses: ReadonlyMap<NodeId, Response>;
  /** Every counted failure, by voter: its error, or its negative response. */
  readonly failures: ReadonlyMap<NodeId, unknown>;
}

/** Options of {@link QuorumCollector}. */
export interface QuorumCollectorOptions<Response> {
  /** Whether a response counts as positive. Default: every response does. */
  readonly isSuccess?: (response: Response, from: NodeId) => boolean;
  /** The outcome of the {@link NoQuorumError} it fails with. Default `"indefinite"`. */
  readonly failureOutcome?: FailureOutcome;
}

/**
 * A {@link ResponseCollector} for requests sent to several voters: it completes the entry with
 * the answers as soon as the tracker reaches a quorum, and fails it with {@link NoQuorumError} as
 * soon as a quorum has become impossible — not at the timeout. Replies without a sender, from
 * non-voters, or repeated by a voter are ignored. Use one per pending request.
 *
 * ```ts
 * list.add(id, callback, { collector: new QuorumCollector(new MajorityTracker(voters)) });
 * ```
 */
export class QuorumCollector<Response> implements ResponseCollector<
  Response,
  QuorumAnswers<Response>
> {
  readonly #tracker: QuorumTracker;
  readonly #isSuccess: ((response: Response, from: NodeId) => boolean) | undefined;
  readonly #failureOutcome: FailureOutcome;
  readonly #responses = new Map<NodeId, Response>();
  readonly #failures = new Map<NodeId, unknown>();

  /**
   * @param tracker - counts the answers, e.g. `new MajorityTracker(voters)`.
   * @param options - success predicate and failure outcome.
   */
  constructor(tracker: QuorumTracker, options: QuorumCollectorOptions<Response> = {}) {
    this.#tracker = tracker;
    this.#isSuccess = options.isSuccess;
    this.#failureOutcome = options.failureOutcome ?? "indefinite";
  }

  /** {@inheritDoc ResponseCollector.onResponse} */
  onResponse(response: Response, from: NodeId | undefined): Verdict<QuorumAnswers<Response>> {
    if (from === undefined) return undefined;
    const success = this.#isSuccess === undefined || this.#isSuccess(response, from);
    if (!this.#tracker.record(from, success)) return undefined;
    this.#responses.set(from, response);
    if (!success) this.#failures.set(from, response);
    return this.#verdict();
  }

  /** {@inheritDoc ResponseCollector.onError} */
  onError(error: unknown, from: NodeId | undefined): Verdict<QuorumAnswers<Response>> {
    if (from === undefined || !this.#tracker.record(from, false)) return undefined;
    this.#failures.set(from, error);
    return this.#verdict();
  }

  #verdict(): Verdict<QuorumAnswers<Response>> {
    switch (this.#tracker.state) {
      case "pending":
        return undefined;
      case "reached":
        return {
          kind: "complete",
          result: { responses: this.#responses, failures: this.#failures },
        };
      case "impossible":
        return {
          kind: "fail",
          error: new NoQuorumError(this.#failures, { outcome: this.#failureOutcome }),
        };
    }
  }
}
