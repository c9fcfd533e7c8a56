import type { NodeId, Transport } from "@pods/core-interfaces";
import { nodeNames, runSeeds, seedsFromEnv, Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { LeaderElection, MemoryGenerationStore, type LeaderElectionMessage } from "../src/index.ts";

// Five election services under every fault the simulator has — loss, duplication, reordering,
// partitions (two-way and one-way), crashes with power loss and restarts, pauses, clock drift —
// with two invariants checked after every event: at most one leader per generation, and no node
// grants votes to two candidates in one generation (across its restarts: the vote is durable
// before the answer leaves). After the faults stop, the cluster agrees on a leader again.

const T = 300;
const ids = nodeNames.slice(0, 5);

async function runFaultyCluster(seed: number) {
  const sim = new Simulation<LeaderElectionMessage>({
    seed,
    network: { lossRate: 0.05, duplicateRate: 0.05, latency: { minMs: 1, maxMs: 20 } },
  });
  const votes = new Map<string, NodeId>(); // "voter@generation" -> candidate granted
  const nodes = ids.map((id) =>
    sim.addNode(id, {
      clock: { driftPpm: sim.random.int(-2000, 2000) },
      boot: ({ env, transport }) => {
        const observed: Transport<LeaderElectionMessage> = {
          localId: transport.localId,
          onMessage: (handler) => transport.onMessage(handler),
          close: () => transport.close(),
          send: (to, message) => {
            if (message.type === "vote-response" && message.granted && !message.preVote) {
              const key = `${id}@${message.generation}`;
              const previous = votes.get(key);
              if (previous !== undefined && previous !== to) {
                throw new Error(
                  `${id} granted generation ${message.generation} to ${previous} and ${to}`,
                );
              }
              votes.set(key, to);
            }
            transport.send(to, message);
          },
        };
        return LeaderElection.start({
          env,
          transport: observed,
          voters: ids,
          electionTimeoutMs: T,
          heartbeatIntervalMs: 50,
        });
      },
    }),
  );
  const leaderOf = new Map<number, NodeId>();
  sim.addInvariant("at most one leader per generation", () => {
    for (const node of nodes) {
      if (!node.isBooted || !node.instance.isLeader) continue;
      const known = leaderOf.get(node.instance.generation);
      if (known !== undefined && known !== node.id) {
        throw new Error(`${known} and ${node.id} both led generation ${node.instance.generation}`);
      }
      leaderOf.set(node.instance.generation, node.id);
    }
  });

  const faults = sim.spawn("faults", async () => {
    for (let step = 0; step < 60; step++) {
      await sim.sleep(sim.random.int(50, 400));
      const node = sim.random.pick(nodes);
      switch (sim.random.int(0, 6)) {
        case 0: {
          const heal = sim.network.partition(ids.slice(0, 2), ids.slice(2));
          sim.at(sim.now + sim.random.int(100, 1500), "heal partition", heal);
          break;
        }
        case 1: {
          const heal = sim.network.isolate(node.id);
          sim.at(sim.now + sim.random.int(100, 1500), `heal ${node.id}`, heal);
          break;
        }
        case 2:
          sim.network.blockLink(node.id, sim.random.pick(ids.filter((id) => id !== node.id)));
          break;
        case 3:
          if (node.isUp) {
            node.crash();
            await sim.sleep(sim.random.int(10, 800));
            await node.restart();
          }
          break;
        case 4:
          if (node.isUp && !node.isPaused) {
            node.pause();
            sim.at(sim.now + sim.random.int(50, 2 * T), `resume ${node.id}`, () => node.resume());
          }
          break;
        default:
          node.clock.setDriftPpm(sim.random.int(-5000, 5000));
      }
    }
    await sim.sleep(2000);
    sim.network.heal();
    for (const node of nodes) if (node.isPaused) node.resume();
  });
  await sim.runUntilSettled([faults], { timeoutMs: 120_000 });
  await sim.runUntil(
    () => {
      const leader = nodes.find((node) => node.isBooted && node.instance.isLeader);
      return (
        leader !== undefined &&
        nodes.every(
          (node) =>
            node.isBooted &&
            node.instance.leaderId === leader.id &&
            node.instance.generation === leader.instance.generation,
        )
      );
    },
    { timeoutMs: 20 * T },
  );
  return { sim, elections: leaderOf.size };
}

describe("leader election under faults", () => {
  it("keeps one leader per generation and durable votes, and settles once the faults stop", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 25 }),
      async (seed) => {
        const { sim, elections } = await runFaultyCluster(seed);
        sim.check("several elections happened", () => expect(elections).toBeGreaterThan(1));
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("the same seed gives the same run", async () => {
    const first = await runFaultyCluster(7);
    const second = await runFaultyCluster(7);
    expect(second.sim.traceHash).toBe(first.sim.traceHash);
    expect(second.sim.eventCount).toBe(first.sim.eventCount);
  }, 60_000);
});

/**
 * Athens wins generation 1 with cyrene's vote; cyrene crashes and restarts; byzantium, which never
 * heard from athens (that link is down), then campaigns in generation 1 too and asks cyrene.
 */
async function voteThenRestart(durable: boolean) {
  const sim = new Simulation<LeaderElectionMessage>({ seed: 1 });
  const three = ids.slice(0, 3);
  const nodes = three.map((id) =>
    sim.addNode(id, {
      boot: ({ env, transport }) =>
        LeaderElection.start({
          env,
          transport,
          voters: three,
          electionTimeoutMs: 60_000,
          heartbeatIntervalMs: 500,
          preVote: false,
          ...(durable ? {} : { store: new MemoryGenerationStore() }),
        }),
    }),
  );
  const leaderOf = new Map<number, NodeId>();
  sim.addInvariant("at most one leader per generation", () => {
    for (const node of nodes) {
      if (!node.isBooted || !node.instance.isLeader) continue;
      const known = leaderOf.get(node.instance.generation);
      if (known !== undefined && known !== node.id) {
        throw new Error(`${known} and ${node.id} both led generation ${node.instance.generation}`);
      }
      leaderOf.set(node.instance.generation, node.id);
    }
  });
  sim.network.blockLink("athens", "byzantium");
  await sim.runFor(10);
  const [athens, byzantium, cyrene] = nodes as [
    (typeof nodes)[0],
    (typeof nodes)[0],
    (typeof nodes)[0],
  ];
  await sim.runUntilSettled([athens.instance.campaign()]);
  await sim.runUntil(() => athens.instance.isLeader, { timeoutMs: 30 });
  cyrene.crash();
  await cyrene.restart();
  await sim.runUntilSettled([byzantium.instance.campaign()]);
  await sim.runFor(100);
  return { sim, athens: athens.instance, byzantium: byzantium.instance, cyrene: cyrene.instance };
}

describe("durable votes", () => {
  it("a vote made durable before a crash is honoured after the restart", async () => {
    const { byzantium, cyrene } = await voteThenRestart(true);
    expect(cyrene.votedFor).toBe("athens");
    expect(cyrene.generation).toBe(1);
    expect(byzantium.isLeader).toBe(false);
  });

  it("a store that forgets the vote lets two leaders win one generation, and the checker says so", async () => {
    await expect(voteThenRestart(false)).rejects.toThrow(
      /athens and byzantium both led generation 1/,
    );
  });
});
