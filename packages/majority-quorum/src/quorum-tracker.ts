import {
  ClosedError,
  InvalidArgumentError,
  TimeoutError,
  assertDelayMs,
  type Cancel,
  type FailureOutcome,
  type NodeId,
  type Scheduler,
} from "@pods/core-interfaces";
import { QuorumFailedError } from "./errors.ts";
import type { QuorumKind, QuorumSet, QuorumState, VoterGroup } from "./quorum-set.ts";

/** The answers a quorum decision was taken on. */
export interface QuorumAnswers<Response> {
  /** Every counted response, positive or negative, by voter. */
  readonly responses: ReadonlyMap<NodeId, Response>;
  /** Every counted failure, by voter: its error, or its negative response. */
  readonly failures: ReadonlyMap<NodeId, unknown>;
}

/** Options of {@link QuorumTracker}. */
export interface QuorumTrackerOptions<Response> {
  /** Which quorum size to count to (matters only for flexible sets). Default `"replication"`. */
  readonly kind?: QuorumKind;
  /** Whether a response is positive. Default: every response is. */
  readonly isSuccess?: (response: Response, from: NodeId) => boolean;
  /** Where the timeout runs. Required with `timeoutMs`. */
  readonly scheduler?: Scheduler;
  /**
   * Fail with `TimeoutError` (indefinite) if still pending this many ms after construction.
   * Default: no timeout (the owner settles it, e.g. through a request-waiting-list).
   */
  readonly timeoutMs?: number;
  /** Names the decision in error messages. Default `"request"`. */
  readonly operation?: string;
  /** Outcome of the {@link QuorumFailedError} when a quorum becomes impossible. Default `"indefinite"`. */
  readonly failureOutcome?: FailureOutcome;
}

/**
 * Counts answers towards one quorum decision and settles it exactly once.
 *
 * - Each voter counts once: its first answer. Repeated answers, answers from non-voters
 *   (learners included) and answers after the decision are ignored ({@link QuorumTracker.ignored}).
 * - A response is positive when `isSuccess` says so; an error ({@link QuorumTracker.onError})
 *   is negative.
 * - It **succeeds** at the first quorum of positive answers (a quorum of each group of a joint
 *   set) and **fails** with {@link QuorumFailedError} as soon as a quorum has become impossible —
 *   not at the timeout. An optional timeout fails it with `TimeoutError`; {@link QuorumTracker.abort}
 *   fails it with any error (leadership lost, closing).
 *
 * It has the `record(from, success)` method and `state` property of request-waiting-list's
 * `QuorumTracker` interface, so it stands in for that package's `MajorityTracker` wherever a joint
 * or flexible configuration is needed: `new QuorumCollector(new QuorumTracker(quorumSet))`.
 * Synchronous code reads `state` after each answer; asynchronous code awaits {@link QuorumTracker.wait}.
 */
export class QuorumTracker<Response = unknown> {
  /** The configuration counted against. */
  readonly quorumSet: QuorumSet;
  /** The quorum size counted to. */
  readonly kind: QuorumKind;
  readonly #isSuccess: ((response: Response, from: NodeId) => boolean) | undefined;
  readonly #operation: string;
  readonly #failureOutcome: FailureOutcome;
  // Answers per group: a set has one group, or two when joint (counted without arrays: this runs
  // on every acknowledgement a leader receives).
  #yes0 = 0;
  #no0 = 0;
  #yes1 = 0;
  #no1 = 0;
  readonly #answered = new Set<NodeId>();
  readonly #responses = new Map<NodeId, Response>();
  readonly #failures = new Map<NodeId, unknown>();
  #state: QuorumState = "pending";
  #error: unknown = undefined;
  #ignored = 0;
  #cancelTimeout: Cancel | undefined;
  #promise: Promise<QuorumAnswers<Response>> | undefined;
  #resolve: ((answers: QuorumAnswers<Response>) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  /**
   * @param quorumSet - who votes and how many must agree.
   * @param options - success predicate, kind, timeout.
   * @throws `InvalidArgumentError` for a timeout without a scheduler or a bad `timeoutMs`.
   */
  constructor(quorumSet: QuorumSet, options: QuorumTrackerOptions<Response> = {}) {
    this.quorumSet = quorumSet;
    this.kind = options.kind ?? "replication";
    if (this.kind !== "replication" && this.kind !== "election") {
      throw new InvalidArgumentError(
        `kind must be "election" or "replication", got ${String(options.kind)}.`,
      );
    }
    this.#isSuccess = options.isSuccess;
    this.#operation = options.operation ?? "request";
    this.#failureOutcome = options.failureOutcome ?? "indefinite";
    if (options.timeoutMs !== undefined) {
      assertDelayMs(options.timeoutMs);
      if (options.scheduler === undefined) {
        throw new InvalidArgumentError(
          "A QuorumTracker with timeoutMs needs a scheduler to run the timeout on.",
        );
      }
      const timeoutMs = options.timeoutMs;
      this.#cancelTimeout = options.scheduler.after(timeoutMs, () => {
        this.#settle("impossible", new TimeoutError(this.#operation, timeoutMs));
      });
    }
  }

  /**
   * Records the answer of `from`: the request-waiting-list `QuorumTracker` contract. Returns
   * `false`, changing nothing, when the answer does not count (not a voter, answered already, or
   * the decision is taken).
   */
  record(from: NodeId, success: boolean): boolean {
    if (!this.#counts(from)) return false;
    this.#answered.add(from);
    const [first, second] = this.quorumSet.groups as readonly [VoterGroup, VoterGroup?];
    if (first.voterSet.has(from)) {
      if (success) this.#yes0++;
      else this.#no0++;
    }
    if (second?.voterSet.has(from) === true) {
      if (success) this.#yes1++;
      else this.#no1++;
    }
    const needed0 = this.#needed(first);
    let reached = this.#yes0 >= needed0;
    let impossible = this.#no0 > first.voters.length - needed0;
    if (second !== undefined) {
      const needed1 = this.#needed(second);
      reached &&= this.#yes1 >= needed1;
      impossible ||= this.#no1 > second.voters.length - needed1;
    }
    if (reached) this.#settle("reached", undefined);
    else if (impossible) {
      this.#settle(
        "impossible",
        new QuorumFailedError(this.#operation, this.#failures, this.quorumSet.toString(), {
          outcome: this.#failureOutcome,
        }),
      );
    }
    return true;
  }

  /**
   * A response from `from`, judged by `isSuccess`. Returns whether it counted (see
   * {@link QuorumTracker.record}); counted responses are kept in {@link QuorumTracker.responses}.
   */
  onResponse(from: NodeId, response: Response): boolean {
    if (!this.#counts(from)) return false;
    const success = this.#isSuccess === undefined || this.#isSuccess(response, from);
    this.#responses.set(from, response);
    if (!success) this.#failures.set(from, response);
    return this.record(from, success);
  }

  /** An error for `from` (a failed send, an error reply): a negative answer. Returns whether it counted. */
  onError(from: NodeId, error: unknown): boolean {
    if (!this.#counts(from)) return false;
    this.#failures.set(from, error);
    return this.record(from, false);
  }

  /**
   * Fails a pending decision with `error` (default `ClosedError`), e.g. on leadership loss.
   * Returns `false` when it had settled already.
   */
  abort(error: unknown = new ClosedError(`the quorum tracker of ${this.#operation}`)): boolean {
    if (this.#state !== "pending") return false;
    this.#settle("impossible", error);
    return true;
  }

  /**
   * `"pending"` until settled; then `"reached"` on success, or `"impossible"` when it failed
   * (a quorum became impossible, it timed out, or it was aborted: see {@link QuorumTracker.error}).
   */
  get state(): QuorumState {
    return this.#state;
  }

  /** Why it failed, once `state` is `"impossible"`; `undefined` otherwise. */
  get error(): unknown {
    return this.#error;
  }

  /** The counted responses, by voter. */
  get responses(): ReadonlyMap<NodeId, Response> {
    return this.#responses;
  }

  /** The counted failures, by voter: errors and negative responses. */
  get failures(): ReadonlyMap<NodeId, unknown> {
    return this.#failures;
  }

  /** Answers that did not count: repeats, non-voters, and answers after the decision. */
  get ignored(): number {
    return this.#ignored;
  }

  /**
   * Resolves with the answers once a quorum is reached; rejects with the failure otherwise. The
   * same promise on every call, created on first use (so a tracker nobody waits on never leaves
   * an unhandled rejection).
   */
  wait(): Promise<QuorumAnswers<Response>> {
    if (this.#promise === undefined) {
      this.#promise = new Promise((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
      this.#notify();
    }
    return this.#promise;
  }

  #needed(group: VoterGroup): number {
    return this.kind === "election" ? group.electionQuorum : group.replicationQuorum;
  }

  /** Whether an answer from `from` would count now; counts it as ignored if not. */
  #counts(from: NodeId): boolean {
    if (this.#state === "pending" && this.quorumSet.isVoter(from) && !this.#answered.has(from)) {
      return true;
    }
    this.#ignored++;
    return false;
  }

  #settle(state: "reached" | "impossible", error: unknown): void {
    this.#state = state;
    this.#error = error;
    this.#cancelTimeout?.();
    this.#cancelTimeout = undefined;
    this.#notify();
  }

  #notify(): void {
    if (this.#state === "pending") return;
    if (this.#state === "reached") {
      this.#resolve?.({ responses: this.#responses, failures: this.#failures });
    } else {
      this.#reject?.(this.#error);
    }
    this.#resolve = undefined;
    this.#reject = undefined;
  }
}
