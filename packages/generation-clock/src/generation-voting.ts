import {
  assertNodeId,
  InvalidArgumentError,
  noopLogger,
  type Logger,
  type NodeId,
  type Random,
  type Scheduler,
  type Transport,
} from "@pods/core-interfaces";
import { QuorumSet, QuorumTracker } from "@pods/majority-quorum";
import { GenerationVotingFailedError } from "./errors.ts";
import type { GenerationClock } from "./generation-clock.ts";

/** The messages of generation voting. `requestId` routes a reply to its round. */
export type GenerationVotingMessage =
  | { readonly type: "prepare"; readonly requestId: number; readonly generation: number }
  | {
      readonly type: "prepare-reply";
      readonly requestId: number;
      readonly granted: boolean;
      /** The replier's generation after handling the request. */
      readonly current: number;
    };

/** Options of {@link GenerationVoting}. */
export interface GenerationVotingOptions {
  /** Every voting node, this one included. */
  readonly members: readonly NodeId[];
  /** This node's generation clock: the acceptor's durable state. */
  readonly clock: GenerationClock;
  /** Runs timeouts and backoffs. */
  readonly scheduler: Scheduler;
  /** Draws backoffs (and where request ids start). */
  readonly random: Random;
  /** Rounds of `Prepare` before giving up. Default 5. */
  readonly attemptsMax?: number;
  /** A round fails if no majority answered within this long. Default 500 ms. */
  readonly timeoutMs?: number;
  /** The random wait before a retry is drawn from [backoffMsMin, backoffMsMax). Default 10. */
  readonly backoffMsMin?: number;
  /** Upper end of the backoff, exclusive. Default 100 ms. */
  readonly backoffMsMax?: number;
  /** Receives `generation-voting.retry`. Default none. */
  readonly logger?: Logger;
}

const requestIdSpan = 2 ** 40;

function positiveInteger(name: string, value: number, minimum: number): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidArgumentError(
      `${name} must be a safe integer >= ${minimum}, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Generation voting (quorum-granted numbers): a cluster hands out numbers that are unique and
 * increasing without a leader. A proposer sends `Prepare(n)`, n = the highest generation it has
 * seen + 1, to every member; a member grants only if n is **strictly greater** than its own
 * generation, and adopts n (durably, before replying). A majority of grants hands n to the
 * proposer; two majorities share a member, and that member grants a number once, so no number is
 * handed out twice. A round that fails (refusals, unreachable members, a timeout) is retried with
 * a higher n after a random backoff, up to `attemptsMax` rounds.
 *
 * Every node runs one instance: it answers other proposers' `Prepare` (as an acceptor) and serves
 * its own callers' {@link GenerationVoting.next}.
 */
export class GenerationVoting {
  readonly #transport: Transport<GenerationVotingMessage>;
  readonly #clock: GenerationClock;
  readonly #members: QuorumSet;
  readonly #scheduler: Scheduler;
  readonly #random: Random;
  readonly #attemptsMax: number;
  readonly #timeoutMs: number;
  readonly #backoffMsMin: number;
  readonly #backoffMsMax: number;
  readonly #logger: Logger;
  readonly #pending = new Map<number, QuorumTracker<GenerationVotingMessage>>();
  readonly #unsubscribe: () => void;
  #highestSeen = 0;
  #nextRequestId: number;

  /**
   * @param transport - this node's transport (its `localId` must be a member).
   * @param options - members, clock, ports and limits.
   * @throws `InvalidArgumentError` for a bad configuration.
   */
  constructor(transport: Transport<GenerationVotingMessage>, options: GenerationVotingOptions) {
    this.#members = QuorumSet.majority(options.members);
    assertNodeId(transport.localId, "transport.localId");
    if (!this.#members.isVoter(transport.localId)) {
      throw new InvalidArgumentError(
        `Node "${transport.localId}" is not one of the members [${this.#members.voters.join(", ")}].`,
      );
    }
    this.#transport = transport;
    this.#clock = options.clock;
    this.#scheduler = options.scheduler;
    this.#random = options.random;
    this.#attemptsMax = positiveInteger("attemptsMax", options.attemptsMax ?? 5, 1);
    this.#timeoutMs = positiveInteger("timeoutMs", options.timeoutMs ?? 500, 1);
    this.#backoffMsMin = positiveInteger("backoffMsMin", options.backoffMsMin ?? 10, 0);
    this.#backoffMsMax = positiveInteger(
      "backoffMsMax",
      options.backoffMsMax ?? 100,
      this.#backoffMsMin + 1,
    );
    this.#logger = options.logger ?? noopLogger;
    this.#nextRequestId = this.#random.int(0, requestIdSpan);
    this.#unsubscribe = transport.onMessage((from, message) => this.#receive(from, message));
  }

  /**
   * Obtains the next number from a majority: resolves with a generation no other caller anywhere
   * gets, greater than every number handed out before this call started, once this node's own
   * adoption of it is durable.
   *
   * @throws {@link GenerationVotingFailedError} after `attemptsMax` failed rounds.
   */
  async next(): Promise<number> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#attemptsMax; attempt++) {
      const generation = Math.max(this.#highestSeen, this.#clock.generation) + 1;
      try {
        await this.#round(generation);
        return generation;
      } catch (error) {
        lastError = error;
        if (attempt === this.#attemptsMax) break;
        const backoffMs = this.#random.int(this.#backoffMsMin, this.#backoffMsMax);
        this.#logger.debug("generation-voting.retry", { generation, attempt, backoffMs });
        await new Promise<void>((resolve) => this.#scheduler.after(backoffMs, resolve));
      }
    }
    throw new GenerationVotingFailedError(this.#attemptsMax, lastError);
  }

  /** Stops answering and fails rounds in flight. Idempotent. */
  close(): void {
    this.#unsubscribe();
    for (const tracker of [...this.#pending.values()]) tracker.abort();
    this.#pending.clear();
  }

  async #round(generation: number): Promise<void> {
    const tracker = new QuorumTracker<GenerationVotingMessage>(this.#members, {
      kind: "election",
      isSuccess: (reply) => reply.type === "prepare-reply" && reply.granted,
      scheduler: this.#scheduler,
      timeoutMs: this.#timeoutMs,
      operation: `Prepare(${generation})`,
      failureOutcome: "definite",
    });
    const requestId = this.#nextRequestId++ % Number.MAX_SAFE_INTEGER;
    this.#pending.set(requestId, tracker);
    const done = tracker.wait().finally(() => this.#pending.delete(requestId));
    const self = this.#transport.localId;
    const ownGrant = this.#grant(generation).then(
      (granted) =>
        tracker.onResponse(self, {
          type: "prepare-reply",
          requestId,
          granted,
          current: this.#clock.generation,
        }),
      (error: unknown) => tracker.onError(self, error),
    );
    for (const to of this.#members.voters) {
      if (to === self) continue;
      try {
        this.#transport.send(to, { type: "prepare", requestId, generation });
      } catch (error) {
        tracker.onError(to, error);
      }
    }
    await done;
    await ownGrant; // this node's adoption is durable before the number is handed out
  }

  /** The acceptor rule: grant only a strictly greater generation, adopted durably first. */
  async #grant(generation: number): Promise<boolean> {
    if (generation <= this.#clock.generation) return false;
    await this.#clock.adopt(generation);
    return true;
  }

  #receive(from: NodeId, message: GenerationVotingMessage): void {
    switch (message.type) {
      case "prepare": {
        if (!this.#members.isVoter(from)) return;
        void this.#grant(message.generation).then(
          (granted) => this.#reply(from, message.requestId, granted),
          (error: unknown) =>
            this.#logger.error("generation-voting.persist-failed", { error: String(error) }),
        );
        return;
      }
      case "prepare-reply":
        this.#highestSeen = Math.max(this.#highestSeen, message.current);
        this.#pending.get(message.requestId)?.onResponse(from, message);
        return;
    }
  }

  #reply(to: NodeId, requestId: number, granted: boolean): void {
    try {
      this.#transport.send(to, {
        type: "prepare-reply",
        requestId,
        granted,
        current: this.#clock.generation,
      });
    } catch {
      // The proposer is unreachable; its round times out or fails on the other answers.
    }
  }
}
