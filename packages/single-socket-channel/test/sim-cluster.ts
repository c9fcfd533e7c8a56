import type { Env, NodeId } from "@pods/core-interfaces";
import { Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";
import {
  ChannelNode,
  createTransportStreamDriver,
  type ChannelOptions,
  type StreamDriver,
  type StreamSegment,
  type TransportStreamDriver,
} from "../src/index.ts";

// Channel nodes in the simulator: each node runs a ChannelNode over simulated streams carried by
// the simulation's FIFO network (createTransportStreamDriver).

/** The messages of the scenarios. */
export type Message =
  | { readonly type: "note"; readonly producer: string; readonly n: number }
  | { readonly type: "ask"; readonly n: number; readonly delayMs?: number }
  | { readonly type: "answer"; readonly n: number }
  | { readonly type: "blob"; readonly bytes: Uint8Array };

/** What a simulated node runs. */
export interface SimChannel {
  readonly channel: ChannelNode<Message, NodeId>;
  readonly driver: TransportStreamDriver;
  readonly env: Env;
}

/** Options of {@link createSimCluster}. */
export interface SimClusterOptions {
  readonly network?: Omit<NetworkOptions<StreamSegment>, "fifo">;
  readonly channel?: Partial<Omit<ChannelOptions<Message, NodeId>, "nodeId" | "driver" | "env">>;
  /** Per-node channel options (e.g. another clusterId). */
  readonly perNode?: Readonly<Record<NodeId, SimClusterOptions["channel"]>>;
  /** Wraps the driver a node's channel uses (to tamper with its bytes). */
  readonly wrapDriver?: (id: NodeId, driver: StreamDriver<NodeId>) => StreamDriver<NodeId>;
  /** Runs at each boot, after listen (register handlers here: they must survive restarts). */
  readonly onBoot?: (id: NodeId, node: SimChannel) => void;
}

/** A simulation with one channel node per id, every node a peer of every other. */
export function createSimCluster(
  seed: number,
  ids: readonly NodeId[],
  options: SimClusterOptions = {},
) {
  const sim = new Simulation<StreamSegment>({ seed, network: { ...options.network, fifo: true } });
  const nodes = new Map<NodeId, SimNode<StreamSegment, SimChannel>>();
  for (const id of ids) {
    const peers = Object.fromEntries(ids.filter((peer) => peer !== id).map((peer) => [peer, peer]));
    nodes.set(
      id,
      sim.addNode(id, {
        boot: async ({ env, transport }) => {
          const driver = createTransportStreamDriver({
            transport,
            scheduler: env.scheduler,
            random: env.random,
          });
          const channel = new ChannelNode<Message, NodeId>({
            clusterId: "pods-test",
            peers,
            ...options.channel,
            ...options.perNode?.[id],
            nodeId: id,
            driver: options.wrapDriver?.(id, driver) ?? driver,
            env,
          });
          await channel.listen(id);
          const node = { channel, driver, env };
          options.onBoot?.(id, node);
          return node;
        },
      }),
    );
  }
  const node = (id: NodeId): SimNode<StreamSegment, SimChannel> => {
    const found = nodes.get(id);
    if (found === undefined) throw new Error(`no node ${id}`);
    return found;
  };
  const channel = (id: NodeId): ChannelNode<Message, NodeId> => node(id).instance.channel;
  return { sim, node, channel };
}
