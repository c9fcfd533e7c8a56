// One node of the example store: the replicated log over the single-socket channel, the key-value
// state machine, and the HTTP API, on the real runtime.
import { createNodeEnv } from "@pods/runtime-node";
import { NotLeaderError, type Logger } from "@pods/core-interfaces";
import { FollowerReader, ReplicaProgressTracker } from "@pods/follower-reads";
import {
  sessionCommandCodec,
  sessionResultCodec,
  sessionResultError,
  SessionStateMachine,
} from "@pods/idempotent-receiver";
import { raftMessageCodec, ReplicatedLog, type RaftMessage } from "@pods/replicated-log";
import {
  createSocketChannel,
  type ChannelNode,
  type SocketAddress,
} from "@pods/single-socket-channel";
import type { NodeAddress } from "./cluster-layout.ts";
import { createKvHttpServer } from "./http-api.ts";
import { kvCommandCodec, kvResultCodec, type KvCommand, type KvResult } from "./kv-commands.ts";
import { KvStateMachine } from "./kv-state-machine.ts";
import type { KvReplica, KvStatus, ReadConsistency, SessionStamp } from "./replica.ts";

/** How to start a node. */
export interface KvNodeOptions {
  /** This node's id: one of `cluster`'s. */
  readonly id: string;
  /** Every node of the cluster, this one included. */
  readonly cluster: readonly NodeAddress[];
  /** Where this node keeps its log and snapshots. */
  readonly dataDir: string;
  /** Serve lease reads (they rely on bounded clock drift). Default true. */
  readonly leaseReads?: boolean;
  /** How long a read at a minimum version waits for this replica to apply it, in ms. Default 5000. */
  readonly followerWaitTimeoutMs?: number;
}

/** A running node. */
export interface KvNode {
  /** The replica behind the HTTP API. */
  readonly replica: KvReplica;
  /** The node's logger. */
  readonly logger: Logger;
  /** Stops serving, closes the log (synced) and the connections. */
  close(): Promise<void>;
}

const clusterId = "pods-kv";

/**
 * Responses a session keeps for its retries: how many writes a client may have in flight in one
 * session (pipelined through the session headers) and still retry any of them safely.
 */
const sessionResponsesMax = 256;

/**
 * Applied entries between snapshots, as etcd's default `--snapshot-count`: a snapshot encodes the
 * whole store and holds up the node's ready loop while it is written, so under a steady write load
 * it pays to take one every 100000 entries rather than every 10000 (the log keeps the rest).
 */
const snapshotEveryEntries = 100_000;

/** Starts a node: listens for peers and HTTP clients on 127.0.0.1 at the layout's ports. */
export async function startKvNode(options: KvNodeOptions): Promise<KvNode> {
  const self = options.cluster.find((node) => node.id === options.id);
  if (self === undefined) {
    throw new Error(
      `node ${options.id} is not in the cluster (${options.cluster.map((n) => n.id).join(", ")})`,
    );
  }
  const env = await createNodeEnv({ dataDir: options.dataDir });
  const channel: ChannelNode<RaftMessage, SocketAddress> = createSocketChannel<RaftMessage>({
    nodeId: options.id,
    clusterId,
    env,
    codec: raftMessageCodec,
  });
  for (const peer of options.cluster) {
    if (peer.id !== options.id)
      channel.setPeer(peer.id, { host: "127.0.0.1", port: peer.peerPort });
  }
  await channel.listen({ host: "127.0.0.1", port: self.peerPort });
  // Follower reads at a minimum version wait on what this replica has applied.
  const progress = new ReplicaProgressTracker({ clock: env.clock });
  const state = new KvStateMachine((index) => {
    if (index > progress.appliedVersion) progress.applied(index);
  });
  const followerReads = new FollowerReader({
    progress,
    clock: env.clock,
    scheduler: env.scheduler,
    nodeId: options.id,
    followerWaitTimeoutMs: options.followerWaitTimeoutMs ?? 5_000,
  });
  const sessions = new SessionStateMachine(state, {
    sessionTimeoutMs: 60_000,
    responsesPerClientMax: sessionResponsesMax,
  });
  const log = await ReplicatedLog.start<Uint8Array>({
    env,
    transport: channel,
    voters: options.cluster.map((node) => node.id),
    stateMachine: sessions,
    leaseReads: options.leaseReads ?? true,
    snapshotEveryEntries,
  });
  /** Proposes a session command and returns its result, throwing the typed error of a refusal. */
  const proposeSession = async (bytes: Uint8Array) => {
    const result = sessionResultCodec.decode(await log.propose(bytes));
    const refusal = sessionResultError(result);
    if (refusal !== undefined) throw refusal;
    return result;
  };
  const httpOf = (id: string | undefined): string | null => {
    const node = options.cluster.find((candidate) => candidate.id === id);
    return node === undefined ? null : `http://127.0.0.1:${node.httpPort}`;
  };
  const replica: KvReplica = {
    status(): KvStatus {
      return {
        node: options.id,
        pid: process.pid,
        role: log.role,
        generation: log.generation,
        leader: log.leaderId ?? null,
        leaderHttp: httpOf(log.leaderId),
        firstIndex: log.core.log.firstIndex,
        lastIndex: log.core.log.lastIndex,
        commitIndex: log.commitIndex,
        appliedIndex: log.lastApplied,
      };
    },
    async write(command: KvCommand, stamp?: SessionStamp): Promise<KvResult> {
      if (!log.isLeader) throw new NotLeaderError(log.leaderId);
      const encoded = kvCommandCodec.encode(command);
      // A write without session headers has no identity to retry under: it is proposed once,
      // outside any session (an unknown outcome goes back to the client as such, a 504).
      const result = await proposeSession(
        sessionCommandCodec.encode(
          stamp === undefined
            ? { type: "unsessioned", command: encoded }
            : { type: "request", ...stamp, command: encoded },
        ),
      );
      if (result.type !== "applied" && result.type !== "unsessioned-applied") {
        throw new Error(`unexpected session result ${result.type}`);
      }
      return kvResultCodec.decode(result.response);
    },
    async registerSession(): Promise<number> {
      if (!log.isLeader) throw new NotLeaderError(log.leaderId);
      const result = await proposeSession(sessionCommandCodec.encode({ type: "register" }));
      if (result.type !== "registered") throw new Error(`unexpected session result ${result.type}`);
      return result.clientId;
    },
    async read(key: string, consistency: ReadConsistency) {
      if (consistency.kind === "at-least") {
        const { value } = await followerReads.read(() => state.get(key), {
          minVersion: consistency.version,
        });
        return { stored: value, appliedIndex: state.appliedIndex };
      }
      if (consistency.kind === "linearizable") await log.read("read-index");
      else if (consistency.kind === "lease") await log.read("lease");
      return { stored: state.get(key), appliedIndex: state.appliedIndex };
    },
  };
  const http = createKvHttpServer(replica, env.logger);
  await http.listen(self.httpPort, "127.0.0.1");
  env.logger.info("node-started", {
    node: options.id,
    http: httpOf(options.id),
    peerPort: self.peerPort,
  });
  return {
    replica,
    logger: env.logger,
    async close() {
      await http.close();
      followerReads.close();
      await log.close();
      await channel.close();
    },
  };
}
