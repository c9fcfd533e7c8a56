import {
  ClosedError,
  InvalidArgumentError,
  isPodsError,
  noopLogger,
  type Cancel,
  type Env,
  type Logger,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import { GenerationClock } from "@pods/generation-clock";
import { QuorumSet } from "@pods/majority-quorum";
import { SingularUpdateQueue } from "@pods/singular-update-queue";
import {
  Election,
  type ElectionChange,
  type ElectionMetrics,
  type ElectionState,
  type Role,
} from "./election.ts";
import { LeaderRedirectError } from "./errors.ts";
import type { GenerationStore } from "./generation-store.ts";
import {
  electionMessageProblem,
  electionMessageTypes,
  isIndex,
  isRecord,
  type ElectionMessage,
  type LogPosition,
} from "./messages.ts";
import type { ElectionTiming } from "./options.ts";

/** A leader's heartbeat: "I lead `generation`". */
export interface Heartbeat {
  /** The discriminant. */
  readonly type: "heartbeat";
  /** The leader's generation. */
  readonly generation: number;
  /** The leader; must be the sender. */
  readonly leaderId: NodeId;
}

/** A follower's answer to a heartbeat (CheckQuorum counts them), or a refusal of a stale one. */
export interface HeartbeatAck {
  /** The discriminant. */
  readonly type: "heartbeat-ack";
  /** The follower's generation (higher than the heartbeat's when it was stale). */
  readonly generation: number;
}

/** Everything a {@link LeaderElection} sends and receives. */
export type LeaderElectionMessage = ElectionMessage | Heartbeat | HeartbeatAck;

/** Options of {@link LeaderElection.start}. */
export interface LeaderElectionOptions extends ElectionTiming {
  /** Clock, scheduler, random, disk (for the durable generation) and logger of this node. */
  readonly env: Env;
  /** This node's endpoint; its `localId` is this node's id. */
  readonly transport: Transport<LeaderElectionMessage>;
  /** The voters, this node usually among them. */
  readonly voters: readonly NodeId[];
  /** Nodes that follow the leader but never vote or lead. Default none. */
  readonly learners?: readonly NodeId[];
  /** Client-facing addresses by node, for {@link LeaderRedirectError}. Default none. */
  readonly addresses?: Readonly<Record<NodeId, string>>;
  /**
   * Where this node's log ends, for the up-to-date check of votes. Default: an empty log
   * (`{ index: 0, generation: 0 }`), when the election guards no log.
   */
  readonly lastLogPosition?: () => LogPosition;
  /**
   * Where the generation and vote are kept. Default: a `GenerationClock` in
   * `generationPath` on `env.disk`.
   */
  readonly store?: GenerationStore;
  /** The file of the default store. Default `"leader-election/generation"`. */
  readonly generationPath?: string;
  /**
   * Inputs (messages, timer ticks, calls) waiting to be handled; messages beyond it are dropped
   * and counted. Default 1000.
   */
  readonly inputQueueMax?: number;
}

/** Counters of a {@link LeaderElection}. */
export interface LeaderElectionMetrics extends ElectionMetrics {
  /** Inbound messages dropped as malformed (counted, never handled). */
  readonly malformedMessages: number;
  /** Inbound messages dropped because the input queue was full. */
  readonly droppedMessages: number;
}

type Input =
  | { readonly kind: "message"; readonly from: NodeId; readonly message: LeaderElectionMessage }
  | { readonly kind: "tick" }
  | { readonly kind: "call"; readonly run: () => void };

function messageProblem(from: NodeId, value: unknown): string | undefined {
  if (!isRecord(value)) return "not an object";
  const type = value["type"];
  if (typeof type === "string" && electionMessageTypes.has(type)) {
    return electionMessageProblem(from, value);
  }
  if (!isIndex(value["generation"])) return "generation is not an index";
  if (type === "heartbeat") {
    return value["leaderId"] === from ? undefined : "leaderId is not the sender";
  }
  return type === "heartbeat-ack" ? undefined : `unknown type ${JSON.stringify(type)}`;
}

/**
 * A small leader-election service for clusters that only need to know who leads: the
 * {@link Election} state machine driven by real ports — a transport for votes and heartbeats, a
 * durable generation and vote (`GenerationClock` on the node's disk), one timer, and a
 * `SingularUpdateQueue` through which every input passes, so state changes happen one at a time.
 *
 * The leader sends heartbeats every `heartbeatIntervalMs`; followers answer them, and the leader
 * counts every message from a peer for CheckQuorum. Messages that follow a change of generation or
 * vote leave only once that change is durable.
 */
export class LeaderElection {
  /** The election state machine (read-only use: its getters and `onChange`). */
  readonly election: Election;
  readonly #env: Env;
  readonly #transport: Transport<LeaderElectionMessage>;
  readonly #store: GenerationStore;
  readonly #addresses: Readonly<Record<NodeId, string>>;
  readonly #logger: Logger;
  readonly #queue: SingularUpdateQueue<Input, void>;
  readonly #outbox: [NodeId, LeaderElectionMessage][] = [];
  #unsubscribe: () => void = () => undefined;
  #cancelTimer: Cancel | undefined;
  #timerDueMs = Number.POSITIVE_INFINITY;
  #closed: Promise<void> | undefined;
  #malformedMessages = 0;
  #droppedMessages = 0;

  private constructor(options: LeaderElectionOptions, store: GenerationStore) {
    const { env, transport } = options;
    this.#env = env;
    this.#transport = transport;
    this.#store = store;
    this.#addresses = options.addresses ?? {};
    this.#logger = (env.logger ?? noopLogger).child({ node: transport.localId });
    const lastLogPosition = options.lastLogPosition ?? (() => ({ index: 0, generation: 0 }));
    this.election = new Election({
      ...options,
      selfId: transport.localId,
      quorumSet: QuorumSet.majority(options.voters, { learners: options.learners ?? [] }),
      clock: env.clock,
      random: env.random,
      store,
      logger: this.#logger,
      host: {
        lastLogPosition,
        send: (to, message) => this.#outbox.push([to, message]),
        heartbeat: () => {
          const heartbeat: Heartbeat = {
            type: "heartbeat",
            generation: this.election.generation,
            leaderId: this.election.selfId,
          };
          for (const peer of this.#peers()) this.#outbox.push([peer, heartbeat]);
        },
      },
    });
    this.#queue = new SingularUpdateQueue<Input, void>((input) => this.#handle(input), {
      capacityMax: options.inputQueueMax ?? 1000,
      overflow: "reject",
      name: `leader election of ${transport.localId}`,
    });
  }

  /**
   * Opens the durable generation (a restart keeps the vote it cast) and starts: the node follows,
   * and campaigns if it hears from no leader within its randomised election timeout.
   *
   * @throws `InvalidArgumentError` for bad options; `CorruptionError` for a damaged generation file.
   */
  static async start(options: LeaderElectionOptions): Promise<LeaderElection> {
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgumentError(
        "LeaderElection.start needs options { env, transport, voters }.",
      );
    }
    const store =
      options.store ??
      (await GenerationClock.open({
        disk: options.env.disk,
        path: options.generationPath ?? "leader-election/generation",
        ...(options.env.logger === undefined ? {} : { logger: options.env.logger }),
      }));
    const service = new LeaderElection(options, store);
    service.#unsubscribe = options.transport.onMessage((from, message) => {
      service.#receive(from, message);
    });
    service.#arm();
    return service;
  }

  /** This node's id. */
  get id(): NodeId {
    return this.election.selfId;
  }

  /** The current role. */
  get role(): Role {
    return this.election.role;
  }

  /** Whether this node leads now (as far as it knows). */
  get isLeader(): boolean {
    return this.election.isLeader;
  }

  /** The current generation. */
  get generation(): number {
    return this.election.generation;
  }

  /** The vote this node cast in the current generation, if any. */
  get votedFor(): NodeId | undefined {
    return this.election.votedFor;
  }

  /** The leader this node knows of, if any. */
  get leaderId(): NodeId | undefined {
    return this.election.leaderId;
  }

  /** Role, generation, leader and vote. */
  get state(): ElectionState {
    return this.election.state;
  }

  /** Counters. */
  get metrics(): LeaderElectionMetrics {
    return {
      ...this.election.metrics,
      malformedMessages: this.#malformedMessages,
      droppedMessages: this.#droppedMessages,
    };
  }

  /** Calls `listener` on every change of role, generation or leader; returns the unsubscriber. */
  onChange(listener: (change: ElectionChange) => void): () => void {
    return this.election.onChange(listener);
  }

  /**
   * The guard of a write that only the leader may accept: returns when this node leads, and
   * throws otherwise.
   *
   * @throws {@link LeaderRedirectError} (a definite `NotLeaderError`) with the leader's id and
   *   address when one is known, without them during an election.
   */
  assertLeader(): void {
    if (this.#closed !== undefined) throw new ClosedError(`leader election of ${this.id}`);
    if (this.election.isLeader && this.election.transferTarget === undefined) return;
    const leader = this.election.isLeader ? this.election.transferTarget : this.election.leaderId;
    throw new LeaderRedirectError(
      leader,
      leader === undefined ? undefined : this.#addresses[leader],
    );
  }

  /** Campaigns now, as if the election timeout had fired (operators, tests). */
  campaign(): Promise<void> {
    return this.#call(() => this.election.campaign());
  }

  /**
   * Hands leadership to `target`, which campaigns at once (without pre-vote) in the next
   * generation. Writes are refused while the transfer runs; it is given up after one election
   * timeout.
   *
   * @throws `NotLeaderError` when this node does not lead; `InvalidArgumentError` for a target that
   *   is not another voter.
   */
  transferLeadership(target: NodeId): Promise<void> {
    return this.#call(() => this.election.transferLeadership(target));
  }

  /** Stops: no more timers, messages or state changes. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#unsubscribe();
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
      await this.#queue.close({ cancelQueued: true });
    })();
    return this.#closed;
  }

  #call(run: () => void): Promise<void> {
    return this.#queue.submit({ kind: "call", run });
  }

  #peers(): NodeId[] {
    const quorumSet = this.election.quorumSet;
    return [...quorumSet.voters, ...quorumSet.learners].filter((id) => id !== this.id);
  }

  #receive(from: NodeId, message: unknown): void {
    const problem = messageProblem(from, message);
    if (problem !== undefined) {
      this.#malformedMessages++;
      this.#logger.warn("leader-election.malformed-message", { from, problem });
      return;
    }
    this.#queue
      .submit({ kind: "message", from, message: message as LeaderElectionMessage })
      .catch(() => {
        this.#droppedMessages++;
      });
  }

  async #handle(input: Input): Promise<void> {
    switch (input.kind) {
      case "message":
        this.#onMessage(input.from, input.message);
        break;
      case "tick":
        this.election.tick();
        break;
      case "call":
        input.run();
        break;
    }
    await this.#flush();
    this.#arm();
  }

  #onMessage(from: NodeId, message: LeaderElectionMessage): void {
    const election = this.election;
    election.heardFrom(from);
    switch (message.type) {
      case "heartbeat":
        // A stale heartbeat is answered too: the ack's higher generation makes its sender step down.
        election.leaderContact(from, message.generation);
        this.#outbox.push([from, { type: "heartbeat-ack", generation: election.generation }]);
        return;
      case "heartbeat-ack":
        election.observeGeneration(message.generation);
        return;
      case "vote-request":
      case "vote-response":
      case "timeout-now":
        election.step(from, message);
        return;
    }
  }

  /** Sends what the election produced, once a change of generation or vote is durable. */
  async #flush(): Promise<void> {
    if (this.election.takeHardStateChanged()) {
      try {
        await this.#store.flushed();
      } catch (error) {
        this.#logger.error("leader-election.store-failed", { error: String(error) });
        this.#outbox.length = 0;
        void this.close();
        return;
      }
    }
    for (const [to, message] of this.#outbox.splice(0)) {
      try {
        this.#transport.send(to, message);
      } catch (error) {
        if (!isPodsError(error)) throw error;
        this.#logger.debug("leader-election.send-failed", { to, code: error.code });
      }
    }
  }

  /** Keeps one timer for the election's next deadline (re-armed only when it must fire earlier). */
  #arm(): void {
    if (this.#closed !== undefined) return;
    const dueMs = this.election.nextDeadlineMs;
    if (dueMs >= this.#timerDueMs) return;
    this.#cancelTimer?.();
    this.#timerDueMs = dueMs;
    if (dueMs === Number.POSITIVE_INFINITY) return;
    // Whole milliseconds, rounded up: a timer never fires before the deadline it was armed for.
    const delayMs = Math.max(0, Math.ceil(dueMs - this.#env.clock.monotonicMs()));
    this.#cancelTimer = this.#env.scheduler.after(delayMs, () => {
      this.#cancelTimer = undefined;
      this.#timerDueMs = Number.POSITIVE_INFINITY;
      this.#queue.submit({ kind: "tick" }).catch(() => undefined);
    });
  }
}
