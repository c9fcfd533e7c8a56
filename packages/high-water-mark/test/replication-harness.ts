import { NotLeaderError, type Env, type NodeId, type Transport } from "@pods/core-interfaces";
import { GenerationClock, GenerationHistory, type ConflictHint } from "@pods/generation-clock";
import { QuorumSet } from "@pods/majority-quorum";
import { LeadershipLostError, RequestWaitingList } from "@pods/request-waiting-list";
import { Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";
import { WriteAheadLog, type Entry } from "@pods/write-ahead-log";
import { ApplyLoop, HighWaterMark, LeaderCommitTracker, planAppend } from "../src/index.ts";

// A minimal leader/follower replication over the simulated network, to exercise the high-water
// mark where it lives: every node keeps a write-ahead log, a generation clock, a persisted mark
// and an apply loop; a leader pushes appends and heartbeats carrying its mark; followers check
// `prevLogIndex`, plan appends with the truncation guard, and follow the mark. Elections are
// scripted by the tests (`elect`): this is a test fixture, not a replicated log — no votes, no
// pre-vote, no snapshots, no membership changes.

/** One replicated command. */
export interface Command {
  readonly generation: number;
  readonly command: string;
}

export type Message =
  | {
      readonly type: "append";
      readonly generation: number;
      readonly prevLogIndex: number;
      readonly prevLogGeneration: number;
      readonly entries: readonly Command[];
      readonly leaderMark: number;
    }
  | {
      readonly type: "append-reply";
      readonly generation: number;
      readonly success: boolean;
      readonly lastIndex: number;
      readonly hint: ConflictHint | null;
    };

/** What the whole cluster did, checked as it happens (a throw fails the run with its seed). */
export class Recorder {
  /** What was applied at each index, by whoever applied it first. */
  readonly applied = new Map<number, Command>();
  /** The leader of each generation. */
  readonly leaders = new Map<number, NodeId>();
  /** Every apply, in order: (node, index, command). */
  readonly applies: { node: NodeId; index: number; command: string; generation: number }[] = [];
  highestGeneration = 0;

  recordApply(node: NodeId, index: number, entry: Command, mark: number): void {
    if (index > mark) throw new Error(`${node} applied ${index} above its mark ${mark}`);
    const earlier = this.applied.get(index);
    if (
      earlier !== undefined &&
      (earlier.command !== entry.command || earlier.generation !== entry.generation)
    ) {
      throw new Error(
        `state machine safety: ${node} applied ${JSON.stringify(entry)} at ${index}, another node ${JSON.stringify(earlier)}`,
      );
    }
    this.applied.set(index, entry);
    this.applies.push({ node, index, ...entry });
  }

  recordLeader(generation: number, node: NodeId): void {
    const other = this.leaders.get(generation);
    if (other !== undefined && other !== node)
      throw new Error(`two leaders in generation ${generation}`);
    this.leaders.set(generation, node);
    this.highestGeneration = Math.max(this.highestGeneration, generation);
  }
}

const text = new TextDecoder();
const bytes = new TextEncoder();

/** One server: a follower until `becomeLeader`. */
export class Replica {
  role: "leader" | "follower" = "follower";
  /** The state machine: the commands applied, in order. */
  readonly state: string[] = [];
  /** The log's entries in memory (index → command), mirroring the write-ahead log. */
  readonly #entries = new Map<number, Command>();
  readonly history: GenerationHistory;
  readonly proposals: RequestWaitingList<number, never, string>;
  readonly applyLoop: ApplyLoop<string>;
  tracker: LeaderCommitTracker | undefined;
  /** What broke this node's message handling, if anything did (the tests check it stays empty). */
  failure: Error | undefined = undefined;
  #queue: Promise<void> = Promise.resolve();
  #stopHeartbeats: (() => void) | undefined;

  private constructor(
    readonly id: NodeId,
    readonly members: QuorumSet,
    readonly env: Env,
    readonly transport: Transport<Message>,
    readonly wal: WriteAheadLog,
    readonly clock: GenerationClock,
    readonly mark: HighWaterMark,
    entries: readonly Entry[],
    readonly recorder: Recorder,
    readonly heartbeatMs: number,
  ) {
    for (const entry of entries) {
      this.#entries.set(entry.index, {
        generation: entry.generation,
        command: text.decode(entry.payload),
      });
    }
    this.history = new GenerationHistory(wal);
    this.proposals = new RequestWaitingList({
      clock: env.clock,
      scheduler: env.scheduler,
      keyedBy: "index",
      timeoutMs: 5_000,
    });
    this.applyLoop = new ApplyLoop<string>({
      log: wal,
      highWaterMark: mark,
      proposals: this.proposals,
      apply: (entry) => {
        const command = text.decode(entry.payload);
        recorder.recordApply(id, entry.index, { generation: entry.generation, command }, mark.mark);
        this.state.push(command);
        return `applied ${command}`;
      },
    });
    // Messages are handled one at a time, each to completion (awaited disk writes included).
    transport.onMessage((from, message) => {
      this.#queue = this.#queue
        .then(() => this.#handle(from, message))
        .catch((error: unknown) => {
          this.failure ??= error instanceof Error ? error : new Error(String(error));
        });
    });
  }

  static async start(
    members: readonly NodeId[],
    env: Env,
    transport: Transport<Message>,
    recorder: Recorder,
    options: { heartbeatMs: number; persistDelayMs: number },
  ): Promise<Replica> {
    const wal = await WriteAheadLog.open(env);
    const clock = await GenerationClock.open({ disk: env.disk, log: wal });
    const mark = await HighWaterMark.open({
      disk: env.disk,
      scheduler: env.scheduler,
      persistDelayMs: options.persistDelayMs,
      log: wal,
      logger: env.logger,
    });
    const entries = wal.lastIndex === 0 ? [] : await wal.readFrom(1, wal.lastIndex);
    return new Replica(
      transport.localId,
      QuorumSet.majority(members),
      env,
      transport,
      wal,
      clock,
      mark,
      entries,
      recorder,
      options.heartbeatMs,
    );
  }

  /** The log as (generation, command) pairs, index 1 first. */
  log(): Command[] {
    return Array.from({ length: this.wal.lastIndex }, (_, i) => this.#entries.get(i + 1)!);
  }

  /** A vote in a scripted election: adopt `generation` (stepping down) and vote, durably. */
  async grantVote(generation: number, candidate: NodeId): Promise<void> {
    if (this.clock.judge(generation) === "newer") this.#stepDown();
    if (!(await this.clock.vote(generation, candidate))) {
      throw new Error(`${this.id} refused to vote for ${candidate} in generation ${generation}`);
    }
  }

  /** Takes over as leader of `generation`, having won its votes, and appends a no-op. */
  async becomeLeader(
    generation: number,
    options: { noop: boolean } = { noop: true },
  ): Promise<void> {
    await this.grantVote(generation, this.id);
    this.recorder.recordLeader(generation, this.id);
    this.role = "leader";
    this.tracker = new LeaderCommitTracker({
      selfId: this.id,
      quorumSet: this.members,
      generation,
      commitIndex: this.mark.mark,
      lastIndex: this.wal.lastIndex,
      generationAt: (index) => this.wal.generationAt(index),
    });
    this.tracker.selfDurable(this.wal.durableIndex);
    if (options.noop) void this.propose(`noop@${generation}`).catch(() => undefined);
    const beat = (): void => {
      if (this.role !== "leader" || this.clock.generation !== generation) return;
      this.#replicate();
      this.#stopHeartbeats = this.env.scheduler.after(this.heartbeatMs, beat);
    };
    beat();
  }

  /** A client command: resolves once applied here, with the state machine's result. */
  propose(command: string): Promise<string> {
    const tracker = this.tracker;
    if (this.role !== "leader" || tracker === undefined)
      return Promise.reject(new NotLeaderError(undefined));
    const generation = tracker.generation;
    const index = this.wal.lastIndex + 1;
    const result = this.applyLoop.register(index, generation);
    this.#entries.set(index, { generation, command });
    tracker.appended(index);
    this.wal.append({ payload: bytes.encode(command), generation, index }).then(
      () => {
        if (this.tracker === tracker) this.mark.advance(tracker.selfDurable(this.wal.durableIndex));
      },
      () => undefined, // a crash: the node is gone
    );
    this.#replicate();
    return result;
  }

  #stepDown(): void {
    if (this.role !== "leader") return;
    this.role = "follower";
    this.tracker = undefined;
    this.#stopHeartbeats?.();
    this.proposals.failAll(new LeadershipLostError(undefined));
  }

  #replicate(): void {
    const tracker = this.tracker;
    if (tracker === undefined) return;
    for (const follower of this.members.voters) {
      if (follower === this.id) continue;
      const { nextIndex } = tracker.progress(follower)!;
      const prevLogIndex = nextIndex - 1;
      const last = Math.min(this.wal.lastIndex, prevLogIndex + 16);
      const entries: Command[] = [];
      for (let index = nextIndex; index <= last; index++) entries.push(this.#entries.get(index)!);
      this.#send(follower, {
        type: "append",
        generation: tracker.generation,
        prevLogIndex,
        prevLogGeneration: this.wal.generationAt(prevLogIndex),
        entries,
        leaderMark: this.mark.mark,
      });
    }
  }

  async #handle(from: NodeId, message: Message): Promise<void> {
    const verdict = this.clock.judge(message.generation);
    if (verdict === "newer") {
      this.#stepDown();
      await this.clock.adopt(message.generation);
    }
    if (message.type === "append-reply") {
      const tracker = this.tracker;
      if (tracker === undefined || message.generation !== tracker.generation) return;
      if (message.success) this.mark.advance(tracker.acknowledged(from, message.lastIndex));
      else if (message.hint !== null)
        tracker.refused(from, this.history.nextIndexAfter(message.hint));
      return;
    }
    const refuse = (hint: ConflictHint | null) =>
      this.#send(from, {
        type: "append-reply",
        generation: this.clock.generation,
        success: false,
        lastIndex: this.wal.lastIndex,
        hint,
      });
    if (verdict === "stale" || this.role === "leader") return refuse(null);
    const { prevLogIndex, prevLogGeneration } = message;
    if (
      prevLogIndex > this.wal.lastIndex ||
      this.wal.generationAt(prevLogIndex) !== prevLogGeneration
    ) {
      return refuse(this.history.conflictHint(prevLogIndex));
    }
    const incoming = message.entries.map((entry, i) => ({ index: prevLogIndex + 1 + i, ...entry }));
    const plan = planAppend(this.history, this.wal.lastIndex, prevLogIndex, incoming, this.mark);
    if (plan.truncateFrom !== undefined) {
      await this.wal.truncateFrom(plan.truncateFrom);
      for (let index = plan.truncateFrom; this.#entries.delete(index); index++);
    }
    const fresh = incoming.slice(plan.appendFrom);
    for (const { index, generation, command } of fresh)
      this.#entries.set(index, { generation, command });
    if (fresh.length > 0) {
      await this.wal.appendBatch(
        fresh.map((e) => ({
          index: e.index,
          generation: e.generation,
          payload: bytes.encode(e.command),
        })),
      );
    }
    // The mark may only cover entries this node holds durably (some may be its own appends as a
    // former leader, still syncing).
    if (this.wal.durableIndex < plan.lastMatchingIndex) await this.wal.sync();
    this.mark.followLeader(message.leaderMark, plan.lastMatchingIndex);
    this.#send(from, {
      type: "append-reply",
      generation: this.clock.generation,
      success: true,
      lastIndex: plan.lastMatchingIndex,
      hint: null,
    });
  }

  #send(to: NodeId, message: Message): void {
    try {
      this.transport.send(to, message);
    } catch {
      // unreachable now: the next heartbeat retries
    }
  }
}

/** Builds a cluster of replicas and waits until every node has booted. */
export async function replicationCluster(clusterOptions: {
  readonly seed: number;
  readonly members: readonly NodeId[];
  readonly heartbeatMs?: number;
  readonly persistDelayMs?: number;
  readonly network?: NetworkOptions<Message>;
}) {
  const options = clusterOptions;
  const sim = new Simulation<Message>({ seed: options.seed, network: options.network ?? {} });
  const recorder = new Recorder();
  const nodes = new Map<NodeId, SimNode<Message, Replica>>();
  for (const id of options.members) {
    nodes.set(
      id,
      sim.addNode(id, {
        boot: ({ env, transport }) =>
          Replica.start(options.members, env, transport, recorder, {
            heartbeatMs: options.heartbeatMs ?? 50,
            persistDelayMs: options.persistDelayMs ?? 100,
          }),
      }),
    );
  }
  for (const node of nodes.values()) await node.ready();
  sim.addInvariant("message handling never fails", () => {
    for (const n of nodes.values()) {
      if (n.isUp && n.isBooted && n.instance.failure !== undefined) throw n.instance.failure;
    }
  });
  const node = (id: NodeId) => nodes.get(id)!;
  const replica = (id: NodeId) => node(id).instance;
  /**
   * The scripted election: `id` wins the next generation with the votes of `voters` (default:
   * every node up), which must be a majority, and whose logs it must be at least as up to date
   * as (the rule that lets a new leader hold every committed entry). It runs inside the
   * simulation: from test code, drive it with `sim.runUntilSettled([elect(...)])`.
   */
  const elect = async (id: NodeId, how: { noop?: boolean; voters?: readonly NodeId[] } = {}) => {
    const voters = how.voters ?? options.members.filter((v) => node(v).isUp);
    const candidate = replica(id);
    for (const voter of voters) {
      const log = replica(voter).wal;
      const upToDate =
        candidate.wal.lastGeneration > log.lastGeneration ||
        (candidate.wal.lastGeneration === log.lastGeneration &&
          candidate.wal.lastIndex >= log.lastIndex);
      if (!upToDate) throw new Error(`${id}'s log is behind ${voter}'s: it cannot win`);
    }
    if (!QuorumSet.majority(options.members).hasQuorum([...voters, id])) {
      throw new Error(`${[...voters].join(", ")} are no majority`);
    }
    const generation = recorder.highestGeneration + 1;
    recorder.highestGeneration = generation;
    await Promise.all(
      voters.filter((v) => v !== id).map((v) => replica(v).grantVote(generation, id)),
    );
    await candidate.becomeLeader(generation, { noop: how.noop ?? true });
    return generation;
  };
  return { sim, nodes, node, replica, elect, recorder };
}
