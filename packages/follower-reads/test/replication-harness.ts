import {
  InvalidArgumentError,
  isPodsError,
  TimeoutError,
  type Env,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import { Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";
import {
  FollowerReadClient,
  FollowerReader,
  ReplicaLaggingError,
  ReplicaProgressTracker,
  ReplicaSelector,
  SessionToken,
  TooStaleError,
  type FollowerReaderOptions,
  type LaggingReason,
  type ReadOptions,
  type ReadResult,
  type ReplicaDescriptor,
  type ReplicaReadPort,
} from "../src/index.ts";

// A small deterministic model of replication for the scenarios: the leader (athens) keeps a
// committed sequence of writes (version n is the n-th write); every heartbeatMs it sends each
// follower the entries it has not acknowledged, with its commit version. A follower records the
// contact at once and applies what it received applyDelayMs later (simulated lag). Every node
// serves reads through a FollowerReader; clients read through a FollowerReadClient whose port is
// the simulated network.

/** One write: version n of the sequence is the n-th. */
export interface Write {
  readonly key: string;
  readonly value: string;
}

/** A follower's monotonic time, tagged with its incarnation (the clock restarts with it). */
export interface Stamp {
  readonly incarnation: number;
  readonly ms: number;
}

/** A typed error as it crosses the wire. */
type WireError =
  | {
      code: "REPLICA_LAGGING";
      nodeId: NodeId | undefined;
      minVersion: number;
      appliedVersion: number;
      reason: LaggingReason;
      waitedMs: number;
    }
  | {
      code: "TOO_STALE";
      nodeId: NodeId | undefined;
      maxStalenessMs: number;
      msSinceLeaderContact: number | undefined;
    }
  | { code: "TIMEOUT"; operation: string; timeoutMs: number }
  | { code: "OTHER"; message: string };

export type Message =
  | {
      type: "append";
      prevVersion: number;
      entries: Write[];
      committedVersion: number;
      /** The follower's latest stamp the leader received before sending this. */
      echo: Stamp | undefined;
    }
  | { type: "append-ack"; receivedVersion: number; stamp: Stamp }
  | { type: "write"; id: string; write: Write }
  | { type: "write-ok"; id: string; version: number }
  | { type: "read"; id: string; key: string; options: ReadOptions }
  | { type: "read-ok"; id: string; result: ReadResult<string | null> }
  | { type: "read-error"; id: string; error: WireError }
  | { type: "read-index"; id: string }
  | { type: "read-index-ok"; id: string; version: number };

/** The state a sequence of writes leaves: key → value as of `version`. */
export function stateAt(log: readonly Write[], version: number, key: string): string | null {
  for (let index = Math.min(version, log.length) - 1; index >= 0; index--) {
    if ((log[index] as Write).key === key) return (log[index] as Write).value;
  }
  return null;
}

function toWire(error: unknown): WireError {
  if (error instanceof ReplicaLaggingError) {
    const { nodeId, minVersion, appliedVersion, reason, waitedMs } = error;
    return { code: "REPLICA_LAGGING", nodeId, minVersion, appliedVersion, reason, waitedMs };
  }
  if (error instanceof TooStaleError) {
    const { nodeId, maxStalenessMs, msSinceLeaderContact } = error;
    return { code: "TOO_STALE", nodeId, maxStalenessMs, msSinceLeaderContact };
  }
  if (error instanceof TimeoutError) {
    return { code: "TIMEOUT", operation: "read index from the leader", timeoutMs: error.timeoutMs };
  }
  return { code: "OTHER", message: error instanceof Error ? error.message : String(error) };
}

function fromWire(error: WireError): Error {
  switch (error.code) {
    case "REPLICA_LAGGING":
      return new ReplicaLaggingError(error);
    case "TOO_STALE":
      return new TooStaleError(error);
    case "TIMEOUT":
      return new TimeoutError(error.operation, error.timeoutMs);
    case "OTHER":
      return new InvalidArgumentError(error.message);
  }
}

/** A replica: its applied state, its progress and its reader. */
export class Replica {
  readonly state = new Map<string, string>();
  /** Entries received (the replica's log), applied after the lag. */
  readonly received: Write[] = [];
  readonly progress: ReplicaProgressTracker;
  readonly reader: FollowerReader;
  readonly #readIndexWaiters = new Map<string, (version: number) => void>();
  #readIndexSequence = 0;

  constructor(
    readonly id: NodeId,
    readonly env: Env,
    readonly transport: Transport<Message>,
    public applyDelayMs: number,
    readerOptions: Partial<FollowerReaderOptions>,
    readonly incarnation = 1,
    readonly leader = "athens",
  ) {
    this.progress = new ReplicaProgressTracker({ clock: env.clock });
    this.reader = new FollowerReader({
      ...readerOptions,
      progress: this.progress,
      clock: env.clock,
      scheduler: env.scheduler,
      nodeId: id,
      readIndex: () => this.readIndex(),
    });
  }

  /** Follower ReadIndex: the leader's commit version, asked for now (at most 500 ms). */
  readIndex(): Promise<number> {
    const id = `${this.id}/read-index/${this.#readIndexSequence++}`;
    return new Promise<number>((resolve, reject) => {
      const cancel = this.env.scheduler.after(500, () => {
        this.#readIndexWaiters.delete(id);
        reject(new TimeoutError("read index from the leader", 500));
      });
      this.#readIndexWaiters.set(id, (version) => {
        this.#readIndexWaiters.delete(id);
        cancel();
        resolve(version);
      });
      this.send(this.leader, { type: "read-index", id });
    });
  }

  /** The leader's answer to a read-index request. */
  readIndexAnswered(id: string, version: number): void {
    this.#readIndexWaiters.get(id)?.(version);
  }

  /** Applies every received entry up to `version`, in order, then tells the reader. */
  applyUpTo(version: number): void {
    const from = this.progress.appliedVersion;
    if (version <= from) return;
    for (const write of this.received.slice(from, version)) this.state.set(write.key, write.value);
    this.progress.applied(version);
  }

  /** Serves one read request from a client. */
  serveRead(from: NodeId, message: Extract<Message, { type: "read" }>): void {
    this.reader
      .read(() => this.state.get(message.key) ?? null, message.options)
      .then(
        (result) => this.send(from, { type: "read-ok", id: message.id, result }),
        (error: unknown) =>
          this.send(from, { type: "read-error", id: message.id, error: toWire(error) }),
      );
  }

  /** Sends `message`; an unreachable peer is left to time out. */
  send(to: NodeId, message: Message): void {
    try {
      this.transport.send(to, message);
    } catch (error) {
      if (!isPodsError(error)) throw error; // unreachable: the other side times out
    }
  }
}

/** The leader: the committed sequence, and a replica of it that serves reads too. */
export class Leader extends Replica {
  readonly log: Write[] = [];
  /** When each version was committed, on the leader's monotonic clock. */
  readonly commitTimesMs: number[] = [];
  readonly #acked = new Map<NodeId, number>();
  readonly #stamps = new Map<NodeId, Stamp>();

  constructor(
    id: NodeId,
    env: Env,
    transport: Transport<Message>,
    followers: readonly NodeId[],
    heartbeatMs: number,
    readerOptions: Partial<FollowerReaderOptions>,
  ) {
    super(id, env, transport, 0, readerOptions);
    for (const follower of followers) this.#acked.set(follower, 0);
    const beat = (): void => {
      this.progress.leaderContact(this.log.length); // the leader is its own contact
      for (const follower of followers) this.#replicate(follower);
      env.scheduler.after(heartbeatMs, beat);
    };
    beat();
  }

  /** The leader of this model is never deposed: its read index is its commit version. */
  override readIndex(): Promise<number> {
    return Promise.resolve(this.log.length);
  }

  /** Commits one write: the next version. */
  commit(write: Write): number {
    this.log.push(write);
    this.commitTimesMs.push(this.env.clock.monotonicMs());
    this.received.push(write);
    this.progress.leaderContact(this.log.length);
    this.applyUpTo(this.log.length);
    return this.log.length;
  }

  /** What `follower` says it holds: the next append starts there (lower after its restart). */
  acknowledged(follower: NodeId, version: number, stamp: Stamp): void {
    this.#acked.set(follower, version);
    this.#stamps.set(follower, stamp);
  }

  #replicate(follower: NodeId): void {
    const prevVersion = this.#acked.get(follower) ?? 0;
    this.send(follower, {
      type: "append",
      prevVersion,
      entries: this.log.slice(prevVersion),
      committedVersion: this.log.length,
      echo: this.#stamps.get(follower),
    });
  }
}

function startFollower(replica: Replica, leader: NodeId): void {
  replica.transport.onMessage((from, message) => {
    if (message.type === "read") return replica.serveRead(from, message);
    if (message.type === "read-index-ok")
      return replica.readIndexAnswered(message.id, message.version);
    if (message.type !== "append" || from !== leader) return;
    const known = replica.received.length;
    // After a gap (this replica restarted empty) only the ack below is sent: it says where to resume.
    if (message.prevVersion <= known) {
      replica.received.push(...message.entries.slice(known - message.prevVersion));
    }
    // Contact as of the echoed stamp: exact whatever the delays and pauses (ReplicaProgress docs).
    const echo = message.echo;
    if (echo !== undefined && echo.incarnation === replica.incarnation) {
      replica.progress.leaderContact(message.committedVersion, echo.ms);
    }
    const version = replica.received.length;
    replica.env.scheduler.after(replica.applyDelayMs, () => replica.applyUpTo(version));
    const stamp = { incarnation: replica.incarnation, ms: replica.env.clock.monotonicMs() };
    replica.send(leader, { type: "append-ack", receivedVersion: version, stamp });
  });
}

function startLeader(leader: Leader): void {
  leader.transport.onMessage((from, message) => {
    switch (message.type) {
      case "read":
        return leader.serveRead(from, message);
      case "append-ack":
        return leader.acknowledged(from, message.receivedVersion, message.stamp);
      case "write":
        return leader.send(from, {
          type: "write-ok",
          id: message.id,
          version: leader.commit(message.write),
        });
      case "read-index":
        return leader.send(from, {
          type: "read-index-ok",
          id: message.id,
          version: leader.log.length,
        });
      default:
        return;
    }
  });
}

/** A client node: writes go to the leader, reads through a FollowerReadClient. */
export class Client {
  readonly #pending = new Map<string, (message: Message) => void>();
  #sequence = 0;
  readonly selector: ReplicaSelector;
  readonly reads: FollowerReadClient<string, string | null>;
  readonly port: ReplicaReadPort<string, string | null>;

  constructor(
    readonly id: NodeId,
    readonly env: Env,
    readonly transport: Transport<Message>,
    readonly leader: NodeId,
    replicas: readonly ReplicaDescriptor[],
    region: string,
    session: SessionToken,
    readonly requestTimeoutMs: number,
  ) {
    transport.onMessage((_from, message) => {
      if ("id" in message) this.#pending.get(message.id)?.(message);
    });
    this.selector = new ReplicaSelector({ clock: env.clock, localRegion: region, replicas });
    this.port = {
      read: (replica, key, options) =>
        this.#request(replica.nodeId, (id) => ({ type: "read", id, key, options })).then(
          (reply) => {
            if (reply.type === "read-ok") return reply.result;
            if (reply.type === "read-error") throw fromWire(reply.error);
            throw new InvalidArgumentError(`unexpected reply ${reply.type}`);
          },
        ),
    };
    this.reads = new FollowerReadClient({
      selector: this.selector,
      port: this.port,
      clock: env.clock,
      session,
    });
  }

  /** Writes to the leader; the version it committed at goes into the session. */
  async write(key: string, value: string): Promise<number> {
    const reply = await this.#request(this.leader, (id) => ({
      type: "write",
      id,
      write: { key, value },
    }));
    if (reply.type !== "write-ok") throw new InvalidArgumentError(`unexpected reply ${reply.type}`);
    this.reads.observeWrite(reply.version);
    return reply.version;
  }

  #request(to: NodeId, message: (id: string) => Message): Promise<Message> {
    const id = `${this.id}/${this.#sequence++}`;
    return new Promise<Message>((resolve, reject) => {
      const cancel = this.env.scheduler.after(this.requestTimeoutMs, () => {
        this.#pending.delete(id);
        reject(new TimeoutError(`request ${id} to ${to}`, this.requestTimeoutMs));
      });
      this.#pending.set(id, (reply) => {
        this.#pending.delete(id);
        cancel();
        resolve(reply);
      });
      try {
        this.transport.send(to, message(id));
      } catch (error) {
        this.#pending.delete(id);
        cancel();
        reject(error instanceof Error ? error : new Error(String(error))); // not sent
      }
    });
  }
}

/** A follower of the cluster: its id, region and apply lag. */
export interface FollowerSpec {
  readonly id: NodeId;
  readonly region: string;
  readonly applyDelayMs?: number;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  readonly seed: number;
  readonly followers: readonly FollowerSpec[];
  readonly leaderRegion?: string;
  readonly network?: NetworkOptions<Message>;
  readonly heartbeatMs?: number;
  readonly reader?: Partial<FollowerReaderOptions>;
}

/** Starts the leader (athens) and the followers; clients are added with `addClient`. */
export function startCluster(options: ClusterOptions) {
  const sim = new Simulation<Message>({
    seed: options.seed,
    ...(options.network ? { network: options.network } : {}),
  });
  const heartbeatMs = options.heartbeatMs ?? 50;
  const reader = options.reader ?? {};
  const followerIds = options.followers.map((follower) => follower.id);
  const leader: SimNode<Message, Leader> = sim.addNode("athens", {
    boot: ({ env, transport }) => {
      const instance = new Leader("athens", env, transport, followerIds, heartbeatMs, reader);
      startLeader(instance);
      return instance;
    },
  });
  const followers = new Map<NodeId, SimNode<Message, Replica>>();
  for (const spec of options.followers) {
    followers.set(
      spec.id,
      sim.addNode(spec.id, {
        boot: ({ env, transport, incarnation }) => {
          const delayMs = spec.applyDelayMs ?? 1;
          const replica = new Replica(spec.id, env, transport, delayMs, reader, incarnation);
          startFollower(replica, "athens");
          return replica;
        },
      }),
    );
  }
  const replicas: ReplicaDescriptor[] = [
    { nodeId: "athens", address: "athens:7000", region: options.leaderRegion ?? "us-east" },
    ...options.followers.map(({ id, region }) => ({ nodeId: id, address: `${id}:7000`, region })),
  ];
  const addClient = (
    id: NodeId,
    region: string,
    requestTimeoutMs = 7000,
    session = new SessionToken(),
  ) =>
    sim.addNode(id, {
      boot: ({ env, transport }) =>
        new Client(id, env, transport, "athens", replicas, region, session, requestTimeoutMs),
    });
  const follower = (id: NodeId): Replica =>
    (followers.get(id) as SimNode<Message, Replica>).instance;
  return { sim, leader, followers, follower, replicas, addClient };
}
