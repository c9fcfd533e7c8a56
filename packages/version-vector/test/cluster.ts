import type { NodeId } from "@pods/core-interfaces";
import {
  LeaderlessClient,
  ReplicaServer,
  ReplicaStore,
  type SiblingMode,
  type VersionVectorMessage,
} from "@pods/version-vector";
import { Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";

// A leaderless store in the simulator: replica nodes running ReplicaServer, client nodes running
// LeaderlessClient, all from one seed.

/** Options of {@link createCluster}. */
export interface ClusterOptions {
  readonly seed: number;
  readonly replicas: readonly NodeId[];
  readonly clients: readonly NodeId[];
  readonly network?: NetworkOptions<VersionVectorMessage>;
  readonly mode?: SiblingMode;
  readonly writeQuorum?: number;
  readonly readQuorum?: number;
  readonly requestTimeoutMs?: number;
  readonly antiEntropyIntervalMs?: number;
  readonly recordTrace?: boolean;
  /** Each client's preference list; default: the replicas in order. */
  readonly preferenceListOf?: (client: NodeId, key: string) => readonly NodeId[];
}

export function createCluster<V>(options: ClusterOptions) {
  const sim = new Simulation<VersionVectorMessage>({
    seed: options.seed,
    network: options.network ?? {},
    recordTrace: options.recordTrace ?? false,
  });
  const mode = options.mode ?? "dotted";
  const servers = new Map<NodeId, SimNode<VersionVectorMessage, ReplicaServer<V>>>();
  for (const id of options.replicas) {
    const node = sim.addNode(id, {
      boot: ({ env, transport }) =>
        new ReplicaServer<V>({
          store: new ReplicaStore<V>({ replicaId: id, clock: env.clock, mode }),
          transport,
          env,
          replicas: options.replicas,
          writeQuorum: options.writeQuorum ?? 1,
          replicationTimeoutMs: 30, // below the clients' request timeout, so they hear the outcome
          antiEntropyIntervalMs: options.antiEntropyIntervalMs ?? 50,
        }),
    });
    servers.set(id, node);
  }
  const clients = new Map<NodeId, SimNode<VersionVectorMessage, LeaderlessClient<V>>>();
  for (const id of options.clients) {
    const node = sim.addNode(id, {
      boot: ({ env, transport }) =>
        new LeaderlessClient<V>({
          transport,
          env,
          mode,
          readQuorum: options.readQuorum ?? 1,
          requestTimeoutMs: options.requestTimeoutMs ?? 50,
          preferenceList: (key) => options.preferenceListOf?.(id, key) ?? options.replicas,
        }),
    });
    clients.set(id, node);
  }
  const server = (id: NodeId): ReplicaServer<V> =>
    (servers.get(id) as SimNode<VersionVectorMessage, ReplicaServer<V>>).instance;
  const client = (id: NodeId): LeaderlessClient<V> =>
    (clients.get(id) as SimNode<VersionVectorMessage, LeaderlessClient<V>>).instance;
  return {
    sim,
    server,
    client,
    /** Boots every node (drives the simulation until they are ready). */
    async ready(): Promise<void> {
      for (const node of [...servers.values(), ...clients.values()]) await node.ready();
    },
    /** The siblings `replica` holds for `key`, as `value @ vector` strings. */
    siblingsAt(replica: NodeId, key: string): string[] {
      return server(replica)
        .store.get(key)
        .siblings.map((sibling) => `${String(sibling.value)} @ ${sibling.vector.toString()}`);
    },
  };
}
