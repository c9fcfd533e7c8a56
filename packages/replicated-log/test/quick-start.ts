import type { CommittedCommand, StateMachine } from "@pods/core-interfaces";
import { ReplicatedLog, type RaftMessage } from "@pods/replicated-log";
import { Simulation } from "@pods/simulation";

// The application: a list of strings. Every replica applies the same commands in the same order.
class Notes implements StateMachine<number> {
  readonly lines: string[] = [];
  apply({ command }: CommittedCommand): number {
    return this.lines.push(new TextDecoder().decode(command)); // the result goes to the proposer
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.lines));
  }
  restore(bytes: Uint8Array): void {
    this.lines.splice(0, Infinity, ...(JSON.parse(new TextDecoder().decode(bytes)) as string[]));
  }
}

// Three nodes in the deterministic simulator (on Node: createNodeEnv of @pods/runtime-node and a
// single-socket-channel transport). Each keeps its log and vote on its own disk.
const sim = new Simulation<RaftMessage>({ seed: 7 });
const voters = ["athens", "byzantium", "cyrene"];
const nodes = voters.map((id) =>
  sim.addNode(id, {
    boot: async ({ env, transport }) => {
      const notes = new Notes();
      const log = await ReplicatedLog.start({ env, transport, voters, stateMachine: notes });
      return { log, notes };
    },
  }),
);
const leader = () => nodes.find((node) => node.isBooted && node.instance.log.isLeader)?.instance;
await sim.runUntil(() => leader() !== undefined, { timeoutMs: 10_000 });

// Propose at the leader: resolves with the state machine's result once a majority stored it.
const count = await sim.runUntilSettled([
  leader()!.log.propose(new TextEncoder().encode("buy milk")),
]);
console.log(`${leader()!.log.id} committed it; ${count[0]} note(s)`);

// A linearizable read at a follower: it asks the leader for the commit index and waits for it.
const follower = nodes.find((node) => !node.instance.log.isLeader)!.instance;
await sim.runUntilSettled([follower.log.read()]);
console.log(`${follower.log.id} reads ${JSON.stringify(follower.notes.lines)}`); // ["buy milk"]
