import { NotLeaderError, PodsError } from "@pods/core-interfaces";
import { checkHistory, type KvInput, type KvOutput } from "@pods/lincheck";
import { History, runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { encodeCommand } from "./kv.ts";
import type { MembershipChange } from "../src/membership.ts";
import { KvCluster, names, snapshotting, type KvNode } from "./sim-cluster.ts";

// Concurrent clients run a key-value workload against 3- and 5-node clusters while the network
// loses, delays, duplicates and reorders messages, partitions (both ways and one way) come and
// go, nodes crash losing unsynced writes and restart, and clocks drift. The invariants of
// sim-cluster.ts run throughout; the history must be linearizable (kv model of @pods/lincheck);
// after healing every node converges to the same log and store.

const keys = ["x", "y", "z"];
const faultsUntilMs = 4_000;

function scheduleFaults(cluster: KvCluster): void {
  const { sim, ids } = cluster;
  const random = sim.random;
  for (let at = 200; at < faultsUntilMs; at += random.int(150, 500)) {
    const kind = random.int(0, 7);
    const victim = random.pick(ids);
    sim.at(at, `fault ${kind} on ${victim}`, () => {
      const until = Math.min(faultsUntilMs, sim.now + random.int(100, 900));
      switch (kind) {
        case 0: {
          const heal = sim.network.isolate(victim);
          sim.at(until, "heal isolation", heal);
          return;
        }
        case 1: {
          const shuffled = [...ids].sort(() => random.float() - 0.5);
          const cut = random.int(1, ids.length);
          const heal = sim.network.partition(shuffled.slice(0, cut), shuffled.slice(cut));
          sim.at(until, "heal partition", heal);
          return;
        }
        case 2: {
          const other = random.pick(ids.filter((id) => id !== victim));
          sim.network.blockLink(victim, other);
          sim.at(until, "heal link", () => sim.network.healLink(victim, other));
          return;
        }
        case 3: {
          const node = sim.node(victim);
          if (!node.isUp) return;
          node.crash({ powerLoss: random.chance(0.7) });
          sim.at(until, `restart ${victim}`, () => void node.restart().catch(() => undefined));
          return;
        }
        case 4:
          sim.node(victim).clock.setDriftPpm(random.int(-100_000, 100_000));
          return;
        case 5: {
          const node = sim.node(victim);
          if (!node.isUp || node.isPaused) return;
          node.pause();
          sim.at(until, `resume ${victim}`, () => {
            if (node.isPaused) node.resume();
          });
          return;
        }
        default:
          sim.network.setLossRate(random.chance(0.5) ? 0.2 : 0.01);
      }
    });
  }
  sim.at(faultsUntilMs, "heal everything", () => {
    sim.network.heal();
    sim.network.setLossRate(0.01);
    for (const id of ids) {
      const node = sim.node(id);
      if (node.isPaused) node.resume();
      if (!node.isUp) void node.restart().catch(() => undefined);
    }
  });
}

/**
 * An operator adding, promoting and removing members one at a time through the leader, and now
 * and then replacing the voters at once (joint consensus).
 */
async function churnMembers(cluster: KvCluster): Promise<void> {
  const { sim, ids } = cluster;
  while (sim.now < faultsUntilMs) {
    await sim.sleep(sim.random.int(100, 400));
    const leader = cluster.leader();
    if (leader === undefined) continue;
    const { voters, learners } = leader.log.membership;
    const strangers = ids.filter((id) => !voters.includes(id) && !learners.includes(id));
    const members = [...voters, ...learners];
    const replacement = [...members].sort(() => sim.random.float() - 0.5).slice(0, 3);
    const change: MembershipChange =
      members.length >= 4 && sim.random.chance(0.25)
        ? { kind: "joint", voters: replacement }
        : learners.length > 0
          ? { kind: "promote", node: learners[0]! }
          : strangers.length > 0 && (voters.length <= 3 || sim.random.chance(0.5))
            ? { kind: "add-learner", node: sim.random.pick(strangers) }
            : { kind: "remove", node: sim.random.pick(voters) };
    try {
      await sim.withTimeout(leader.log.changeMembership(change), 1_000);
    } catch (error) {
      if (!(error instanceof PodsError)) throw error;
    }
  }
}

async function runWorkload(seed: number, size: number, churn = false): Promise<void> {
  const cluster = new KvCluster({
    seed,
    size,
    ...(churn ? { voters: names.slice(0, 3) } : {}),
    network: { lossRate: 0.01, duplicateRate: 0.05, latency: { minMs: 1, maxMs: 8 } },
    replication: { ...snapshotting, leaseReads: true },
  });
  const { sim } = cluster;
  scheduleFaults(cluster);
  const history = new History<KvInput, KvOutput>();
  let value = 0;
  const clients = ["c1", "c2", "c3", "c4"].map((name) =>
    sim.spawn(name, async () => {
      let target = sim.random.pick(cluster.ids);
      for (let n = 0; n < 40; n++) {
        await sim.sleep(sim.random.int(0, 80));
        const key = sim.random.pick(keys);
        const input: KvInput = sim.random.chance(0.4)
          ? { op: "get", key }
          : { op: "put", key, value: `${++value}` };
        const operation = history.invoke(name, input);
        // Reads go anywhere (a follower asks its leader); writes stick to the believed leader.
        const node = sim.node(input.op === "get" ? sim.random.pick(cluster.ids) : target);
        if (!node.isBooted) {
          operation.fail();
          target = sim.random.pick(cluster.ids);
          await sim.sleep(20);
          continue;
        }
        const { log, kv } = node.instance as KvNode;
        try {
          if (input.op === "get") {
            const mode = sim.random.chance(0.5) ? "lease" : "read-index";
            await sim.withTimeout(log.read(mode), 1_000, "read");
            operation.ok({ value: kv.get(key) });
          } else {
            const applied = await sim.withTimeout(log.propose(encodeCommand(input)), 1_000);
            cluster.acknowledge(applied, log.generation);
            operation.ok({});
          }
        } catch (error) {
          if (!(error instanceof PodsError)) throw error;
          if (error.outcome === "definite") operation.fail();
          else operation.indeterminate();
          target =
            error instanceof NotLeaderError && error.leaderHint !== undefined
              ? error.leaderHint
              : sim.random.pick(cluster.ids);
          await sim.sleep(20);
        }
      }
    }),
  );
  if (churn) clients.push(sim.spawn("operator", () => churnMembers(cluster)));
  await sim.runUntilSettled(clients, { timeoutMs: 120_000 });
  await sim.runUntil(() => sim.now > faultsUntilMs, { timeoutMs: 10_000 });
  await sim.runUntil(
    () => {
      const leader = cluster.leader();
      const members = cluster.members();
      return (
        leader !== undefined &&
        members.length ===
          leader.log.membership.voters.length + leader.log.membership.learners.length &&
        members.every((node) => node.log.lastApplied === leader.log.core.log.lastIndex)
      );
    },
    { timeoutMs: 20_000 },
  );
  sim.check("converged", () => {
    cluster.checkLogs();
    const [first, ...rest] = cluster.members();
    for (const node of rest) {
      expect(node.kv.data).toEqual(first!.kv.data);
      expect(node.log.commitIndex).toBe(first!.log.commitIndex);
    }
  });
  const verdict = checkHistory(history.toHistoryFile("kv")).verdict;
  sim.check("linearizable", () => expect(verdict).toBe("linearizable"));
}

describe("replicated log under faults", () => {
  it("3 nodes: safe, linearizable and convergent", async () => {
    await runSeeds(seedsFromEnv({ defaultCount: 30 }), (seed) => runWorkload(seed, 3), {
      file: import.meta.url,
    });
  }, 120_000);

  it("5 nodes, members added, promoted and removed meanwhile", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10, firstSeed: 2_000 }),
      (seed) => runWorkload(seed, 5, true),
      { file: import.meta.url },
    );
  }, 120_000);

  it("5 nodes: safe, linearizable and convergent", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 15, firstSeed: 1_000 }),
      (seed) => runWorkload(seed, 5),
      {
        file: import.meta.url,
      },
    );
  }, 120_000);
});
