import { Simulation, type NetworkOptions, type SimNode } from "@pods/simulation";
import { GenerationClock, GenerationVoting, type GenerationVotingMessage } from "../src/index.ts";

// Generation voting on simulated nodes: each node opens its durable generation clock and runs
// a GenerationVoting instance. A test fixture.

/** What each node runs. */
export interface VotingNode {
  readonly clock: GenerationClock;
  readonly voting: GenerationVoting;
}

/** Builds a voting cluster and waits until every node has booted. */
export async function votingCluster(options: {
  readonly seed: number;
  readonly members: readonly string[];
  readonly network?: NetworkOptions<GenerationVotingMessage>;
  readonly timeoutMs?: number;
  readonly attemptsMax?: number;
}) {
  const sim = new Simulation<GenerationVotingMessage>({
    seed: options.seed,
    network: options.network ?? {},
  });
  const nodes = new Map<string, SimNode<GenerationVotingMessage, VotingNode>>();
  for (const id of options.members) {
    nodes.set(
      id,
      sim.addNode(id, {
        boot: async ({ env, transport }) => {
          const clock = await GenerationClock.open({ disk: env.disk });
          const voting = new GenerationVoting(transport, {
            members: options.members,
            clock,
            scheduler: env.scheduler,
            random: env.random,
            logger: env.logger,
            ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
            ...(options.attemptsMax === undefined ? {} : { attemptsMax: options.attemptsMax }),
          });
          return { clock, voting };
        },
      }),
    );
  }
  for (const node of nodes.values()) await node.ready();
  const node = (id: string) => nodes.get(id)!;
  return { sim, nodes, node };
}
