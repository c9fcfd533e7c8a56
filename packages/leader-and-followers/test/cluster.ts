import type { NodeId } from "@pods/core-interfaces";
import { nodeNames, Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";
import {
  LeaderElection,
  type ElectionTiming,
  type LeaderElectionMessage,
  type LogPosition,
} from "../src/index.ts";

// A cluster of LeaderElection services in the simulator, for the book scenarios and the fault
// simulation: every node keeps its generation and vote on its simulated disk, so crashes and
// restarts exercise durability.

/** Options of {@link electionCluster}. */
export interface ClusterOptions extends ElectionTiming {
  readonly seed: number;
  /** How many of the book's nodes (athens, byzantium, ...) form the cluster. */
  readonly size: number;
  readonly network?: NetworkOptions<LeaderElectionMessage>;
  /** Each node's last log position (default: empty logs). */
  readonly positions?: ReadonlyMap<NodeId, LogPosition>;
  /** Nodes not started at first. */
  readonly down?: readonly NodeId[];
  readonly recordTrace?: boolean;
}

/** A simulated cluster of election services. */
export interface ElectionCluster {
  readonly sim: Simulation<LeaderElectionMessage>;
  readonly ids: readonly NodeId[];
  readonly nodes: ReadonlyMap<NodeId, SimNode<LeaderElectionMessage, LeaderElection>>;
  /** The running service of `id` (throws if it is down or booting). */
  service(id: NodeId): LeaderElection;
  /** The ids of the running nodes that are leaders now. */
  leaders(): NodeId[];
  /** The single leader every running node agrees on, or `undefined`. */
  agreedLeader(): NodeId | undefined;
  /** Client-facing addresses, for redirects. */
  readonly addresses: Readonly<Record<NodeId, string>>;
}

/** Starts `size` of the book's nodes as a leader-election cluster. */
export function electionCluster(options: ClusterOptions): ElectionCluster {
  const ids = nodeNames.slice(0, options.size);
  const addresses = Object.fromEntries(ids.map((id, i) => [id, `10.0.0.${i + 1}:7000`]));
  const sim = new Simulation<LeaderElectionMessage>({
    seed: options.seed,
    ...(options.network === undefined ? {} : { network: options.network }),
    ...(options.recordTrace === undefined ? {} : { recordTrace: options.recordTrace }),
  });
  const {
    seed: _seed,
    size: _size,
    network: _network,
    positions,
    down,
    recordTrace: _trace,
    ...timing
  } = options;
  const nodes = new Map<NodeId, SimNode<LeaderElectionMessage, LeaderElection>>();
  for (const id of ids) {
    const node = sim.addNode(id, {
      boot: ({ env, transport }) =>
        LeaderElection.start({
          ...timing,
          env,
          transport,
          voters: ids,
          addresses,
          lastLogPosition: () => positions?.get(id) ?? { index: 0, generation: 0 },
        }),
    });
    nodes.set(id, node);
    if (down?.includes(id)) sim.at(0, `keep ${id} down`, () => node.crash());
  }
  const running = (): LeaderElection[] =>
    [...nodes.values()].filter((node) => node.isBooted).map((node) => node.instance);
  return {
    sim,
    ids,
    nodes,
    addresses,
    service: (id) => {
      const node = nodes.get(id);
      if (node === undefined) throw new Error(`no node ${id}`);
      return node.instance;
    },
    leaders: () =>
      running()
        .filter((service) => service.isLeader)
        .map((service) => service.id),
    agreedLeader: () => {
      const services = running();
      const leader = services.find((service) => service.isLeader);
      if (leader === undefined) return undefined;
      const agreed = services.every(
        (service) => service.leaderId === leader.id && service.generation === leader.generation,
      );
      return agreed ? leader.id : undefined;
    },
  };
}

/** Registers the election-safety invariant: at most one leader per generation, ever. */
export function checkOneLeaderPerGeneration(cluster: ElectionCluster): Map<number, NodeId> {
  const leaderOf = new Map<number, NodeId>();
  cluster.sim.addInvariant("at most one leader per generation", () => {
    for (const [id, node] of cluster.nodes) {
      if (!node.isBooted || !node.instance.isLeader) continue;
      const generation = node.instance.generation;
      const known = leaderOf.get(generation);
      if (known !== undefined && known !== id) {
        throw new Error(`${known} and ${id} both led generation ${generation}`);
      }
      leaderOf.set(generation, id);
    }
  });
  return leaderOf;
}
