import { isPodsError, type NodeId } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { expect, it } from "vitest";
import { replicationCluster } from "./replication-harness.ts";

// The high-water mark under crashes with power loss, restarts from disk, isolation, loss and
// duplication, over many seeds. Checked as the run goes: no node applies above its mark, every
// index is applied identically everywhere (state machine safety), a node's mark never decreases
// within an incarnation and its persisted lower bound never decreases across incarnations.
// Checked at the end: logs, marks and state machines agree, and every acknowledged command is
// in every log (no committed entry lost).

const members = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];

async function run(seed: number) {
  const cluster = await replicationCluster({
    seed,
    members,
    heartbeatMs: 40,
    persistDelayMs: 60,
    network: { latency: { minMs: 1, maxMs: 12 }, lossRate: 0.02, duplicateRate: 0.05 },
  });
  const { sim, node, replica, elect } = cluster;
  const isolated = new Set<NodeId>();
  const seen = new Map<NodeId, { incarnation: number; mark: number; persisted: number }>();
  sim.addInvariant("marks never decrease", () => {
    for (const id of members) {
      const n = node(id);
      if (!n.isUp || !n.isBooted) continue;
      const { mark, persistedMark } = n.instance.mark;
      const before = seen.get(id);
      if (before !== undefined) {
        if (before.incarnation === n.incarnation && mark < before.mark) {
          throw new Error(`${id}'s mark went back from ${before.mark} to ${mark}`);
        }
        if (persistedMark < before.persisted) {
          throw new Error(
            `${id}'s persisted mark went back from ${before.persisted} to ${persistedMark}`,
          );
        }
      }
      seen.set(id, { incarnation: n.incarnation, mark, persisted: persistedMark });
    }
  });

  const reachable = (id: NodeId) => node(id).isUp && node(id).isBooted && !isolated.has(id);
  /** The reachable node leading the highest generation, if any (a stale one may not know yet). */
  const leader = () =>
    members
      .filter((id) => reachable(id) && replica(id).role === "leader")
      .sort((a, b) => replica(b).clock.generation - replica(a).clock.generation)[0];
  const electSomeone = async () => {
    const voters = members.filter(reachable);
    if (voters.length < 3) return;
    // The most up-to-date voter wins (what the election restriction guarantees).
    const best = [...voters].sort((a, b) => {
      const x = replica(a).wal;
      const y = replica(b).wal;
      return y.lastGeneration - x.lastGeneration || y.lastIndex - x.lastIndex;
    })[0]!;
    await elect(best, { voters });
  };
  await sim.runUntilSettled([electSomeone()]);

  const acknowledged: string[] = [];
  const client = sim.spawn("client", async () => {
    for (let n = 0; n < 60; n++) {
      await sim.sleep(sim.random.int(1, 25));
      // Mostly the current leader; sometimes any node that believes it leads, isolated or not, so
      // stale leaders append entries that must be replaced and never applied.
      const believers = members.filter(
        (m) => node(m).isUp && node(m).isBooted && replica(m).role === "leader",
      );
      const id = sim.random.chance(0.3) ? believers[0] : leader();
      if (id === undefined) continue;
      try {
        await sim.withTimeout(replica(id).propose(`c${n}`), 1_000);
        acknowledged.push(`c${n}`);
      } catch (error) {
        if (!isPodsError(error)) throw error;
      }
    }
  });
  const faults = sim.spawn("faults", async () => {
    for (let round = 0; round < 5; round++) {
      await sim.sleep(sim.random.int(60, 300));
      const victim = sim.random.pick(members);
      if (sim.random.chance(0.6)) {
        node(victim).crash();
        if (leader() === undefined) await electSomeone();
        await sim.sleep(sim.random.int(20, 300));
        await node(victim).restart();
      } else {
        isolated.add(victim);
        const heal = sim.network.isolate(victim);
        if (leader() === undefined) await electSomeone();
        await sim.sleep(sim.random.int(20, 300));
        heal();
        isolated.delete(victim);
      }
      if (leader() === undefined) await electSomeone();
    }
  });
  await sim.runUntilSettled([client, faults], { timeoutMs: 600_000 });

  // Quiet: everyone up and connected; a final command makes the last leader's mark cover all.
  sim.network.heal();
  sim.network.setLossRate(0);
  sim.network.setDuplicateRate(0);
  for (let attempt = 1; ; attempt++) {
    await sim.runFor(200); // stale leaders hear of the newer generation and step down
    if (leader() === undefined) await sim.runUntilSettled([electSomeone()]);
    const [done] = await sim.runUntilSettled([
      replica(leader()!)
        .propose("final")
        .then(() => true)
        .catch(() => false),
    ]);
    if (done) break;
    if (attempt === 5) throw new Error("no leader could commit a final command");
  }
  await sim.runFor(1_000);
  return { ...cluster, acknowledged };
}

it("the high-water mark keeps committed entries and applies them once, in order, through crashes, on every seed", async () => {
  await runSeeds(
    seedsFromEnv({ defaultCount: 20 }),
    async (seed) => {
      const { sim, replica, acknowledged, recorder } = await run(seed);
      const logs = members.map((id) => replica(id).log());
      const marks = members.map((id) => replica(id).mark.mark);
      sim.check("logs, marks and state machines agree", () => {
        for (const log of logs) expect(log).toEqual(logs[0]);
        expect(new Set(marks)).toEqual(new Set([logs[0]!.length]));
        for (const id of members) expect(replica(id).state).toEqual(logs[0]!.map((e) => e.command));
      });
      sim.check("no acknowledged command is lost", () => {
        const commands = logs[0]!.map((e) => e.command);
        for (const command of acknowledged)
          expect(commands.filter((c) => c === command)).toHaveLength(1);
      });
      sim.check("the run did work", () => {
        expect(acknowledged.length).toBeGreaterThan(0);
        expect(recorder.leaders.size).toBeGreaterThan(0);
      });
    },
    { file: import.meta.url },
  );
}, 120_000);

it("the same seed replays the same run", async () => {
  const first = await run(3);
  const again = await run(3);
  expect(again.sim.traceHash).toBe(first.sim.traceHash);
  expect(again.acknowledged).toEqual(first.acknowledged);
}, 60_000);
