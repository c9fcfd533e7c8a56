import {
  assertNodeId,
  InvalidArgumentError,
  invariant,
  noopLogger,
  NotLeaderError,
  type Clock,
  type Logger,
  type NodeId,
  type Random,
  type Scheduler,
} from "@pods/core-interfaces";
import { FixedTimeoutDetector } from "@pods/heartbeat";
import type { QuorumSet } from "@pods/majority-quorum";
import type { GenerationStore } from "./generation-store.ts";
import type {
  ElectionMessage,
  LogPosition,
  TimeoutNow,
  VoteRequest,
  VoteResponse,
} from "./messages.ts";
import {
  resolveElectionTiming,
  type ElectionTiming,
  type ResolvedElectionTiming,
} from "./options.ts";

/**
 * A node's role. `pre-candidate` asks for pre-votes without raising its generation; `learner`
 * receives everything but never votes or campaigns (a node catching up before promotion).
 */
export type Role = "follower" | "pre-candidate" | "candidate" | "leader" | "learner";

/** What an election shows at one moment. */
export interface ElectionState {
  /** The node's role. */
  readonly role: Role;
  /** The current generation (term). */
  readonly generation: number;
  /** The leader of the current generation as far as this node knows, if any. */
  readonly leaderId: NodeId | undefined;
  /** The vote this node cast in the current generation, if any. */
  readonly votedFor: NodeId | undefined;
}

/** A change of role, generation or leader, as listeners receive it. */
export interface ElectionChange {
  /** The state after the change. */
  readonly current: ElectionState;
  /** The state before it. */
  readonly previous: ElectionState;
}

/** How a message from a node acting as leader (an append, a heartbeat) was judged. */
export type LeaderContact = "accepted" | "stale";

/** How the generation carried by any other message compares with the current one. */
export type GenerationCheck = "stale" | "current" | "newer";

/**
 * What an {@link Election} needs from the node it runs in. Calls are synchronous and happen
 * inside the election's own methods.
 */
export interface ElectionHost {
  /** Where this node's log ends: what its vote requests carry and voters compare with. */
  lastLogPosition(): LogPosition;
  /**
   * Sends an election message. A message that follows a change of generation or vote must not
   * leave before the {@link GenerationStore} is durable: the host holds it until `flushed()`.
   */
  send(to: NodeId, message: ElectionMessage): void;
  /** Leader only: send one round of heartbeats now (at once on winning, then every interval). */
  heartbeat(): void;
  /**
   * Whether this node may campaign now. A replicated log says no while a committed membership
   * change is not applied yet. Default: always.
   */
  mayCampaign?(): boolean;
  /**
   * Whether `target`'s log is as complete as the leader's, so that a leadership transfer can send
   * it `TimeoutNow`. Default: always (an election without a log). A replicated log answers from
   * the target's match index and calls {@link Election.transferTargetCaughtUp} when it gets there.
   */
  isCaughtUp?(target: NodeId): boolean;
}

/** Options of an {@link Election}. */
export interface ElectionOptions extends ElectionTiming {
  /** This node. */
  readonly selfId: NodeId;
  /** Who votes (and who only learns): `QuorumSet.majority(voters)` of `@pods/majority-quorum`. */
  readonly quorumSet: QuorumSet;
  /** Monotonic time for timeouts (`monotonicMs()` only). */
  readonly clock: Clock;
  /** Draws the randomised election timeouts. */
  readonly random: Random;
  /** The durable generation and vote: `GenerationClock` of `@pods/generation-clock`. */
  readonly store: GenerationStore;
  /** The node the election runs in. */
  readonly host: ElectionHost;
  /** Receives `election.*` events. Default none. */
  readonly logger?: Logger;
}

/** Counters of an {@link Election}. */
export interface ElectionMetrics {
  /** Pre-vote rounds started. */
  readonly preVotesStarted: number;
  /** Elections started (generations raised by this node). */
  readonly electionsStarted: number;
  /** Elections won. */
  readonly electionsWon: number;
  /** Votes granted to others (real votes, not pre-votes). */
  readonly votesGranted: number;
  /** Vote and pre-vote requests refused or ignored. */
  readonly votesRefused: number;
  /** Times a leader stepped down because CheckQuorum found no quorum. */
  readonly checkQuorumStepDowns: number;
}

/** The detector never runs its own loop: the election checks it on its own schedule. */
const noLoopScheduler: Scheduler = {
  after: () => {
    invariant(false, "the election's failure detector never runs its own check loop");
  },
};

interface Transfer {
  readonly target: NodeId;
  readonly deadlineMs: number;
  sent: boolean;
}

/**
 * Leader election as a pure state machine: roles, generations, votes, randomised timeouts,
 * PreVote, CheckQuorum and leadership transfer — no I/O of its own. Time comes from the injected
 * clock; the node it runs in (the {@link ElectionHost}) sends what it asks, persists the
 * {@link GenerationStore} before letting those messages go, calls {@link Election.tick} when
 * {@link Election.nextDeadlineMs} comes, and feeds it every election message
 * ({@link Election.step}) and every contact from a leader ({@link Election.leaderContact}).
 *
 * Rules (Raft's, with etcd's refinements):
 * - a lower generation is refused; a higher one is adopted first (become follower, forget the
 *   vote); one vote per generation, only for a candidate whose log is at least as up to date
 *   (higher last generation, or the same and an index at least as high), and not while this node
 *   follows a known leader of that generation;
 * - PreVote: a node whose timer fires first asks for pre-votes at generation + 1 without changing
 *   anything; voters agree only if the log check passes and they have not heard from a leader
 *   within the minimum election timeout; only a pre-vote quorum starts a real election;
 * - CheckQuorum: a leader that has not heard from a quorum within the last election timeout
 *   steps down (checked every heartbeat interval, so an isolated leader is gone within one
 *   election timeout and a heartbeat interval), and (with it) voters that heard from a leader within the minimum election timeout ignore
 *   vote requests, unless they come from a leadership transfer;
 * - vote requests from nodes that are not voters are ignored, so removed nodes cannot disrupt.
 */
export class Election {
  /** This node. */
  readonly selfId: NodeId;
  /** The timing and switches in force. */
  readonly timing: ResolvedElectionTiming;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #store: GenerationStore;
  readonly #host: ElectionHost;
  readonly #logger: Logger;
  readonly #detector: FixedTimeoutDetector;
  readonly #votes = new Map<NodeId, boolean>();
  readonly #listeners = new Set<(change: ElectionChange) => void>();
  #quorumSet: QuorumSet;
  #role: Role;
  #leaderId: NodeId | undefined;
  #electionStartMs: number;
  #randomizedTimeoutMs = 0;
  #lastLeaderContactMs = Number.NEGATIVE_INFINITY;
  #heartbeatDueMs = Number.POSITIVE_INFINITY;
  #checkQuorumDueMs = Number.POSITIVE_INFINITY;
  #transfer: Transfer | undefined;
  #hardStateChanged = false;
  #lastEmitted: ElectionState;
  #preVotesStarted = 0;
  #electionsStarted = 0;
  #electionsWon = 0;
  #votesGranted = 0;
  #votesRefused = 0;
  #checkQuorumStepDowns = 0;

  /** @throws `InvalidArgumentError` for bad options. */
  constructor(options: ElectionOptions) {
    assertNodeId(options.selfId, "selfId");
    this.selfId = options.selfId;
    this.timing = resolveElectionTiming(options);
    this.#clock = options.clock;
    this.#random = options.random;
    this.#store = options.store;
    this.#host = options.host;
    this.#logger = options.logger ?? noopLogger;
    this.#quorumSet = options.quorumSet;
    this.#detector = new FixedTimeoutDetector({
      env: { clock: options.clock, scheduler: noLoopScheduler },
      heartbeatIntervalMs: this.timing.heartbeatIntervalMs,
      timeoutMs: this.timing.electionTimeoutMs,
      pauseThresholdMs: Number.POSITIVE_INFINITY,
    });
    this.#role = this.#memberRole();
    this.#electionStartMs = this.#now();
    this.#drawTimeout();
    this.#lastEmitted = this.state;
  }

  /** The current role. */
  get role(): Role {
    return this.#role;
  }

  /** The current generation (term). */
  get generation(): number {
    return this.#store.generation;
  }

  /** The vote cast in the current generation, if any. */
  get votedFor(): NodeId | undefined {
    return this.#store.votedFor;
  }

  /** The leader of the current generation as far as this node knows. */
  get leaderId(): NodeId | undefined {
    return this.#leaderId;
  }

  /** Whether this node leads. */
  get isLeader(): boolean {
    return this.#role === "leader";
  }

  /** Role, generation, leader and vote, together. */
  get state(): ElectionState {
    return {
      role: this.#role,
      generation: this.#store.generation,
      leaderId: this.#leaderId,
      votedFor: this.#store.votedFor,
    };
  }

  /** The configuration votes are counted against. */
  get quorumSet(): QuorumSet {
    return this.#quorumSet;
  }

  /**
   * The (pre-)votes received in the current campaign, by voter: `true` granted, `false` refused.
   * Empty unless this node is a candidate or pre-candidate (or just won).
   */
  get votes(): ReadonlyMap<NodeId, boolean> {
    return new Map(this.#votes);
  }

  /** The node a leadership transfer is handing over to, while one is in progress. */
  get transferTarget(): NodeId | undefined {
    return this.#transfer?.target;
  }

  /** When this node will campaign if it hears from no leader (monotonic ms); ∞ when it cannot. */
  get electionDeadlineMs(): number {
    if (this.#role === "leader" || !this.#quorumSet.isVoter(this.selfId)) {
      return Number.POSITIVE_INFINITY;
    }
    return this.#electionStartMs + this.#randomizedTimeoutMs;
  }

  /** The next moment {@link Election.tick} has something to do (monotonic ms). */
  get nextDeadlineMs(): number {
    if (this.#role !== "leader") return this.electionDeadlineMs;
    return Math.min(
      this.#heartbeatDueMs,
      this.timing.checkQuorum ? this.#checkQuorumDueMs : Number.POSITIVE_INFINITY,
      this.#transfer?.deadlineMs ?? Number.POSITIVE_INFINITY,
    );
  }

  /** When this node last heard from a leader it follows (monotonic ms; -∞ if never). */
  get lastLeaderContactMs(): number {
    return this.#lastLeaderContactMs;
  }

  /** Counters. */
  get metrics(): ElectionMetrics {
    return {
      preVotesStarted: this.#preVotesStarted,
      electionsStarted: this.#electionsStarted,
      electionsWon: this.#electionsWon,
      votesGranted: this.#votesGranted,
      votesRefused: this.#votesRefused,
      checkQuorumStepDowns: this.#checkQuorumStepDowns,
    };
  }

  /**
   * Whether the generation or vote changed since the last call (and resets the flag): the host
   * must then await the store's `flushed()` before sending the messages produced meanwhile.
   */
  takeHardStateChanged(): boolean {
    const changed = this.#hardStateChanged;
    this.#hardStateChanged = false;
    return changed;
  }

  /** Calls `listener` on every change of role, generation or leader; returns the unsubscriber. */
  onChange(listener: (change: ElectionChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Does what is due now: campaign on an election timeout; heartbeats, CheckQuorum, transfer expiry. */
  tick(): void {
    const now = this.#now();
    if (this.#role === "leader") {
      if (now >= this.#heartbeatDueMs) {
        this.#heartbeatDueMs = now + this.timing.heartbeatIntervalMs;
        this.#host.heartbeat();
      }
      if (this.timing.checkQuorum && now >= this.#checkQuorumDueMs && this.#role === "leader") {
        this.#checkQuorumDueMs = now + this.timing.heartbeatIntervalMs;
        if (!this.#quorumActive()) {
          this.#checkQuorumStepDowns++;
          this.#logger.warn("election.check-quorum-lost", { generation: this.generation });
          this.#becomeFollower(this.generation, undefined);
          return;
        }
      }
      const transfer = this.#transfer;
      if (transfer !== undefined && now >= transfer.deadlineMs) {
        this.#logger.warn("election.transfer-expired", { target: transfer.target });
        this.#transfer = undefined;
      }
      return;
    }
    if (now >= this.electionDeadlineMs) this.#electionTimeout(false);
  }

  /**
   * Behaves as if the election timeout fired now: campaigns (after a pre-vote when on), if this
   * node is a voter that may campaign. For operators and tests; a leader does nothing.
   */
  campaign(): void {
    if (this.#role !== "leader") this.#electionTimeout(false);
  }

  /** Handles an election message from `from` (validated: see `electionMessageProblem`). */
  step(from: NodeId, message: ElectionMessage): void {
    switch (message.type) {
      case "vote-request":
        this.#onVoteRequest(from, message);
        return;
      case "vote-response":
        this.#onVoteResponse(from, message);
        return;
      case "timeout-now":
        this.#onTimeoutNow(from, message);
        return;
    }
  }

  /**
   * A message from a node acting as leader of `generation` arrived (an append, a heartbeat, a
   * snapshot). `"stale"`: its generation is lower; refuse it, answering with the current
   * generation so the sender steps down. `"accepted"`: this node now follows `from` in that
   * generation (adopting it if higher) and its election timer starts over.
   */
  leaderContact(from: NodeId, generation: number): LeaderContact {
    const current = this.generation;
    if (generation < current) return "stale";
    if (generation > current) {
      this.#becomeFollower(generation, from);
    } else {
      invariant(
        this.#role !== "leader" || from === this.selfId,
        () => `two leaders in generation ${generation}: ${this.selfId} and ${from}`,
      );
      if (this.#leaderId !== from || (this.#role !== "follower" && this.#role !== "learner")) {
        this.#becomeFollower(generation, from);
      }
    }
    this.#lastLeaderContactMs = this.#now();
    this.#electionStartMs = this.#lastLeaderContactMs;
    return "accepted";
  }

  /**
   * Any other message carrying a generation arrived (a response): a higher generation is adopted
   * at once — a leader steps down — with no leader known yet.
   */
  observeGeneration(generation: number): GenerationCheck {
    const current = this.generation;
    if (generation < current) return "stale";
    if (generation === current) return "current";
    this.#becomeFollower(generation, undefined);
    return "newer";
  }

  /** Evidence that `peer` is alive (any message from it): what CheckQuorum counts. */
  heardFrom(peer: NodeId): void {
    this.#detector.heartbeatReceived(peer);
  }

  /**
   * Starts handing leadership to `target`: the host stops accepting proposals while
   * {@link Election.transferTarget} is set; once the target's log is complete (at once, or when the
   * host calls {@link Election.transferTargetCaughtUp}) it is sent `TimeoutNow` and campaigns
   * without a pre-vote. The transfer is given up after one election timeout.
   *
   * @throws `NotLeaderError` when this node does not lead; `InvalidArgumentError` when `target`
   *   is this node or not a voter.
   */
  transferLeadership(target: NodeId): void {
    if (this.#role !== "leader") throw new NotLeaderError(this.#leaderId);
    if (target === this.selfId || !this.#quorumSet.isVoter(target)) {
      throw new InvalidArgumentError(
        `Cannot transfer leadership to ${JSON.stringify(target)}: pick another voter of ${this.#quorumSet.toString()}.`,
      );
    }
    this.#transfer = {
      target,
      deadlineMs: this.#now() + this.timing.electionTimeoutMs,
      sent: false,
    };
    this.#logger.info("election.transfer-started", { target });
    if (this.#host.isCaughtUp?.(target) ?? true) this.transferTargetCaughtUp();
  }

  /** The transfer target's log is now complete: send it `TimeoutNow` (once). */
  transferTargetCaughtUp(): void {
    const transfer = this.#transfer;
    if (this.#role !== "leader" || transfer === undefined || transfer.sent) return;
    transfer.sent = true;
    this.#host.send(transfer.target, {
      type: "timeout-now",
      generation: this.generation,
      leaderId: this.selfId,
    });
  }

  /**
   * Switches to a new configuration (applied membership change): a leader that is no longer a
   * voter steps down; a node becomes a learner, or stops being one.
   */
  reconfigure(quorumSet: QuorumSet): void {
    this.#quorumSet = quorumSet;
    if (this.#role === "leader") {
      if (!quorumSet.isVoter(this.selfId)) {
        this.#logger.info("election.removed-leader-steps-down", { generation: this.generation });
        this.#becomeFollower(this.generation, undefined);
        return;
      }
      this.#watchVoters();
      if (this.#transfer !== undefined && !quorumSet.isVoter(this.#transfer.target)) {
        this.#transfer = undefined;
      }
      return;
    }
    const role = this.#memberRole();
    if ((this.#role === "follower" || this.#role === "learner") && role !== this.#role) {
      this.#transition(role, this.#leaderId);
    } else if (!quorumSet.isVoter(this.selfId) && this.#role !== "follower") {
      this.#becomeFollower(this.generation, this.#leaderId);
    }
  }

  #onVoteRequest(from: NodeId, request: VoteRequest): void {
    const now = this.#now();
    if (!this.#quorumSet.isVoter(from)) {
      this.#votesRefused++;
      this.#logger.debug("election.vote-from-non-voter-ignored", { from });
      return;
    }
    const leaderAlive =
      this.#role === "leader" ||
      (this.#leaderId !== undefined &&
        now - this.#lastLeaderContactMs < this.timing.electionTimeoutMs);
    const generation = this.generation;
    if (request.preVote) {
      const granted =
        request.generation > generation &&
        (request.transfer || !leaderAlive) &&
        this.#upToDate(request);
      if (granted) this.#votesGranted++;
      else this.#votesRefused++;
      this.#respond(from, granted ? request.generation : generation, granted, true);
      return;
    }
    if (request.generation < generation) {
      this.#votesRefused++;
      this.#respond(from, generation, false, false);
      return;
    }
    if (request.generation > generation) {
      if (this.timing.checkQuorum && leaderAlive && !request.transfer) {
        // Leader stickiness: ignore without adopting the generation.
        this.#votesRefused++;
        return;
      }
      this.#becomeFollower(request.generation, undefined);
    }
    const votedFor = this.#store.votedFor;
    const canVote = votedFor === from || (votedFor === undefined && this.#leaderId === undefined);
    if (canVote && this.#upToDate(request)) {
      this.#persist(this.#store.vote(request.generation, from));
      this.#votesGranted++;
      this.#drawTimeout();
      this.#electionStartMs = now;
      this.#respond(from, request.generation, true, false);
      this.#emitIfChanged();
      return;
    }
    this.#votesRefused++;
    this.#respond(from, this.generation, false, false);
  }

  #onVoteResponse(from: NodeId, response: VoteResponse): void {
    const generation = this.generation;
    if (response.preVote) {
      if (this.#role !== "pre-candidate") return;
      if (response.granted) {
        if (response.generation !== generation + 1) return;
        this.#votes.set(from, true);
      } else {
        if (response.generation > generation) {
          this.#becomeFollower(response.generation, undefined);
          return;
        }
        this.#votes.set(from, false);
      }
      this.#tally(true);
      return;
    }
    if (response.generation > generation) {
      this.#becomeFollower(response.generation, undefined);
      return;
    }
    if (response.generation < generation || this.#role !== "candidate") return;
    this.#votes.set(from, response.granted);
    this.#tally(false);
  }

  #onTimeoutNow(from: NodeId, message: TimeoutNow): void {
    if (this.leaderContact(from, message.generation) === "stale") return;
    this.#logger.info("election.timeout-now", { from, generation: message.generation });
    this.#electionTimeout(true);
  }

  #tally(preVote: boolean): void {
    const yes = new Set<NodeId>();
    const no = new Set<NodeId>();
    for (const [voter, granted] of this.#votes) (granted ? yes : no).add(voter);
    const verdict = this.#quorumSet.tally(yes, no, "election");
    if (verdict === "reached") {
      if (preVote) this.#startCampaign(false, false);
      else this.#becomeLeader();
    } else if (verdict === "impossible") {
      this.#logger.info(preVote ? "election.pre-vote-lost" : "election.lost", {
        generation: this.generation,
        refusedBy: [...no],
      });
      this.#becomeFollower(this.generation, undefined);
    }
  }

  #electionTimeout(transfer: boolean): void {
    if (!this.#quorumSet.isVoter(this.selfId)) return;
    if (this.#host.mayCampaign?.() === false) {
      this.#logger.info("election.campaign-deferred", { generation: this.generation });
      this.#drawTimeout();
      this.#electionStartMs = this.#now();
      return;
    }
    this.#startCampaign(this.timing.preVote && !transfer, transfer);
  }

  #startCampaign(preVote: boolean, transfer: boolean): void {
    const position = this.#host.lastLogPosition();
    let generation: number;
    if (preVote) {
      this.#preVotesStarted++;
      generation = this.generation + 1;
      this.#votes.clear();
      this.#transition("pre-candidate", undefined);
    } else {
      this.#electionsStarted++;
      this.#persist(this.#store.campaign(this.selfId));
      generation = this.generation;
      this.#votes.clear();
      this.#transition("candidate", undefined);
    }
    this.#votes.set(this.selfId, true);
    this.#drawTimeout();
    this.#electionStartMs = this.#now();
    this.#logger.info(preVote ? "election.pre-vote" : "election.campaign", {
      generation,
      lastLogIndex: position.index,
      lastLogGeneration: position.generation,
    });
    for (const voter of this.#quorumSet.voters) {
      if (voter === this.selfId) continue;
      this.#host.send(voter, {
        type: "vote-request",
        generation,
        candidateId: this.selfId,
        lastLogIndex: position.index,
        lastLogGeneration: position.generation,
        preVote,
        transfer,
      });
    }
    this.#tally(preVote);
  }

  #becomeLeader(): void {
    this.#electionsWon++;
    const now = this.#now();
    this.#transfer = undefined;
    this.#heartbeatDueMs = now + this.timing.heartbeatIntervalMs;
    this.#checkQuorumDueMs = now + this.timing.heartbeatIntervalMs;
    for (const peer of this.#detector.peers) this.#detector.forget(peer);
    this.#watchVoters();
    this.#logger.info("election.won", {
      generation: this.generation,
      votes: [...this.#votes].filter(([, granted]) => granted).map(([voter]) => voter),
    });
    this.#transition("leader", this.selfId);
    if (this.#role === "leader") this.#host.heartbeat();
  }

  #becomeFollower(generation: number, leaderId: NodeId | undefined): void {
    if (generation > this.generation) this.#persist(this.#store.adopt(generation));
    this.#votes.clear();
    this.#transfer = undefined;
    this.#heartbeatDueMs = Number.POSITIVE_INFINITY;
    this.#checkQuorumDueMs = Number.POSITIVE_INFINITY;
    this.#drawTimeout();
    this.#electionStartMs = this.#now();
    if (leaderId !== undefined) this.#lastLeaderContactMs = this.#electionStartMs;
    this.#transition(this.#memberRole(), leaderId);
  }

  #watchVoters(): void {
    const voters = new Set(this.#quorumSet.voters);
    for (const peer of this.#detector.peers) if (!voters.has(peer)) this.#detector.forget(peer);
    for (const voter of voters) if (voter !== this.selfId) this.#detector.watch(voter);
  }

  #quorumActive(): boolean {
    const active = new Set<NodeId>([this.selfId]);
    for (const voter of this.#quorumSet.voters) {
      if (voter !== this.selfId && this.#detector.isWatched(voter)) {
        if (this.#detector.isAvailable(voter)) active.add(voter);
      }
    }
    return this.#quorumSet.hasQuorum(active, "replication");
  }

  #upToDate(request: VoteRequest): boolean {
    const own = this.#host.lastLogPosition();
    return (
      request.lastLogGeneration > own.generation ||
      (request.lastLogGeneration === own.generation && request.lastLogIndex >= own.index)
    );
  }

  #respond(to: NodeId, generation: number, granted: boolean, preVote: boolean): void {
    this.#host.send(to, {
      type: "vote-response",
      generation,
      granted,
      voterId: this.selfId,
      preVote,
    });
  }

  #memberRole(): Role {
    return this.#quorumSet.isLearner(this.selfId) ? "learner" : "follower";
  }

  #drawTimeout(): void {
    const timeout = this.timing.electionTimeoutMs;
    this.#randomizedTimeoutMs = this.#random.int(timeout, 2 * timeout);
  }

  #persist(write: Promise<unknown>): void {
    this.#hardStateChanged = true;
    // A failed write surfaces through the store's flushed(), which the host awaits.
    write.catch(() => undefined);
  }

  #now(): number {
    return this.#clock.monotonicMs();
  }

  #transition(role: Role, leaderId: NodeId | undefined): void {
    this.#role = role;
    this.#leaderId = leaderId;
    this.#emitIfChanged();
  }

  #emitIfChanged(): void {
    const previous = this.#lastEmitted;
    const current = this.state;
    if (
      previous.role === current.role &&
      previous.generation === current.generation &&
      previous.leaderId === current.leaderId &&
      previous.votedFor === current.votedFor
    ) {
      return;
    }
    this.#lastEmitted = current;
    for (const listener of [...this.#listeners]) listener({ current, previous });
  }
}
