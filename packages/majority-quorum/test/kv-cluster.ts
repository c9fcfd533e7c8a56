import { compareHybridTimestamps, HybridClock, type HybridTimestamp } from "@pods/hybrid-clock";
import { Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";
import {
  counterVersions,
  QuorumKvStore,
  type CounterVersion,
  type QuorumKvMessage,
  type ReadRepair,
  type VersionSource,
} from "../src/index.ts";

// A leaderless store on simulated nodes: each node is a replica and a coordinator. A test fixture
// for the scenarios and the linearizability runs, not part of the package.

/** Which versions the cluster's writes get. */
export type VersionKind = "hybrid-clock" | "quorum-read";

/** A version of either kind. */
export type Version = HybridTimestamp | CounterVersion;

/** The messages of the cluster. */
export type KvMessage = QuorumKvMessage<string, Version>;

/** A store node of the cluster. */
export type KvNode = SimNode<KvMessage, QuorumKvStore<string, Version>>;

/** How to build a cluster. */
export interface KvClusterOptions {
  readonly seed: number;
  readonly replicas?: readonly string[];
  readonly versions: VersionKind;
  readonly readRepair?: ReadRepair;
  readonly writeQuorum?: number;
  readonly readQuorum?: number;
  /** Wall-clock offset per node, in ms. */
  readonly clockOffsetMs?: Readonly<Record<string, number>>;
  readonly network?: NetworkOptions<KvMessage>;
  readonly timeoutMs?: number;
}

function versionSource(
  kind: VersionKind,
  nodeId: string,
  hlc: HybridClock,
): VersionSource<Version> {
  if (kind === "quorum-read") return counterVersions(nodeId) as VersionSource<Version>;
  return {
    kind: "clock",
    compare: (a, b) => compareHybridTimestamps(a as HybridTimestamp, b as HybridTimestamp),
    next: () => hlc.now(),
  };
}

/** Builds the cluster and waits until every node has booted. */
export async function kvCluster(options: KvClusterOptions) {
  const replicas = options.replicas ?? ["athens", "byzantium", "cyrene"];
  const sim = new Simulation<KvMessage>({ seed: options.seed, network: options.network ?? {} });
  const nodes = new Map<string, KvNode>();
  for (const id of replicas) {
    const offsetMs = options.clockOffsetMs?.[id] ?? 0;
    nodes.set(
      id,
      sim.addNode(id, {
        clock: { offsetMs },
        boot: ({ env, transport }) =>
          new QuorumKvStore<string, Version>(transport, {
            replicas,
            versions: versionSource(
              options.versions,
              id,
              new HybridClock({ clock: env.clock, nodeId: id }),
            ),
            scheduler: env.scheduler,
            random: env.random,
            logger: env.logger,
            ...(options.readRepair === undefined ? {} : { readRepair: options.readRepair }),
            ...(options.writeQuorum === undefined ? {} : { writeQuorum: options.writeQuorum }),
            ...(options.readQuorum === undefined ? {} : { readQuorum: options.readQuorum }),
            ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          }),
      }),
    );
  }
  for (const node of nodes.values()) await node.ready();
  const store = (id: string) => nodes.get(id)!.instance;
  return { sim, nodes, store };
}
