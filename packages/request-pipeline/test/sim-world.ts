import { delay, type Env, type NodeId } from "@pods/core-interfaces";
import { Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";
import {
  ChannelNode,
  createTransportStreamDriver,
  type ChannelOptions,
  type StreamSegment,
} from "@pods/single-socket-channel";
import type { SequencedRequest } from "../src/index.ts";

// Channel nodes in the simulator, as in production: a ChannelNode per node over simulated TCP-like
// streams (createTransportStreamDriver on the FIFO network). Lost segments reset a stream, so
// network loss shows up as lost connections.

/** The requests and answers of the scenarios. */
export type Message =
  | { readonly type: "ask"; readonly n: number; readonly handleMs?: number }
  | { readonly type: "answer"; readonly n: number }
  | { readonly type: "beat"; readonly n: number };

/** What travels on the channel: plain messages, or requests of ordered streams. */
export type Wire = Message | SequencedRequest<Message>;

/** What a simulated node runs. */
export interface WorldNode {
  readonly channel: ChannelNode<Wire, NodeId>;
  readonly env: Env;
}

/** Options of {@link createWorld}. */
export interface WorldOptions {
  readonly network?: Omit<NetworkOptions<StreamSegment>, "fifo">;
  readonly channel?: Partial<Omit<ChannelOptions<Wire, NodeId>, "nodeId" | "driver" | "env">>;
  /** Runs at each boot, after listen: register handlers here. */
  readonly onBoot?: (id: NodeId, node: WorldNode) => void;
}

/** A simulation with one channel node per id, every node a peer of every other. */
export function createWorld(seed: number, ids: readonly NodeId[], options: WorldOptions = {}) {
  const sim = new Simulation<StreamSegment>({ seed, network: { ...options.network, fifo: true } });
  const nodes = new Map<NodeId, SimNode<StreamSegment, WorldNode>>();
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
          const channel = new ChannelNode<Wire, NodeId>({
            clusterId: "pods-test",
            peers,
            // A dial and its handshake take two round trips: room for slow links.
            connectTimeoutMs: 1_000,
            ...options.channel,
            nodeId: id,
            driver,
            env,
          });
          await channel.listen(id);
          const node = { channel, env };
          options.onBoot?.(id, node);
          return node;
        },
      }),
    );
  }
  const node = (id: NodeId): SimNode<StreamSegment, WorldNode> => {
    const found = nodes.get(id);
    if (found === undefined) throw new Error(`no node ${id}`);
    return found;
  };
  const ready = async (): Promise<void> => {
    for (const id of ids) await node(id).ready();
  };
  return { sim, node, ready };
}

/** Answers `ask n` with `answer 2n`, after `handleMs` of handling if given. */
export function answerAsks(node: WorldNode): void {
  node.channel.onRequest(async (_from, request) => {
    if (request.type !== "ask") throw new Error(`not an ask: ${request.type}`);
    if (request.handleMs !== undefined) await delay(node.env.scheduler, request.handleMs);
    return { type: "answer", n: request.n * 2 };
  });
}

/** Resolves with the rejection of `promise`, or `undefined` if it resolves. */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
