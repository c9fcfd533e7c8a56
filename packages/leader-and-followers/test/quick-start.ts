import { LeaderElection, type LeaderElectionMessage } from "@pods/leader-and-followers";
import { Simulation } from "@pods/simulation";

// Three nodes in the deterministic simulator (on Node: createNodeEnv from @pods/runtime-node and
// a single-socket-channel transport). Each keeps its generation and vote on its own disk.
const sim = new Simulation<LeaderElectionMessage>({ seed: 1 });
const voters = ["athens", "byzantium", "cyrene"];
const nodes = voters.map((id) =>
  sim.addNode(id, {
    boot: ({ env, transport }) => LeaderElection.start({ env, transport, voters }),
  }),
);
const leader = () => nodes.find((node) => node.isBooted && node.instance.isLeader);

await sim.runUntil(() => leader() !== undefined, { timeoutMs: 10_000 });
const first = leader()!.instance;
console.log(`${first.id} leads generation ${first.generation}`);

// Cut the leader off: it steps down (CheckQuorum) and the others elect a new leader.
sim.network.isolate(first.id);
await sim.runUntil(() => leader() !== undefined && leader()!.id !== first.id, {
  timeoutMs: 10_000,
});
const second = leader()!.instance;
console.log(`${second.id} leads generation ${second.generation}; ${first.id} is a ${first.role}`);
try {
  first.assertLeader(); // what a write on the old leader does
} catch (error) {
  console.log((error as Error).name); // LeaderRedirectError (a NotLeaderError)
}
