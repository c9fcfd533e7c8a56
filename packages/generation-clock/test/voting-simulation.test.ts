import { isPodsError } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { expect, it } from "vitest";
import { votingCluster } from "./voting-cluster.ts";

// Generation voting under loss, duplication, delay, partitions, crashes with power loss and
// restarts: numbers handed out are unique, and a number handed out after another was returned
// is greater (the acceptors' durable generations carry the order across crashes).

const members = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];

interface Grant {
  readonly generation: number;
  readonly startedAtMs: number;
  readonly returnedAtMs: number;
  readonly by: string;
}

async function run(seed: number) {
  const { sim, node } = await votingCluster({
    seed,
    members,
    network: { latency: { minMs: 1, maxMs: 30 }, lossRate: 0.05, duplicateRate: 0.1 },
    timeoutMs: 200,
    attemptsMax: 6,
  });
  const grants: Grant[] = [];
  let failures = 0;
  const clients = members.map((id) =>
    sim.spawn(`client via ${id}`, async () => {
      for (let n = 0; n < 6; n++) {
        await sim.sleep(sim.random.int(0, 120));
        const target = node(id);
        if (!target.isUp) continue;
        const startedAtMs = sim.now;
        try {
          const generation = await sim.withTimeout(target.instance.voting.next(), 5_000);
          grants.push({ generation, startedAtMs, returnedAtMs: sim.now, by: id });
        } catch (error) {
          if (!isPodsError(error)) throw error;
          failures++;
        }
      }
    }),
  );
  const faults = sim.spawn("faults", async () => {
    for (let round = 0; round < 4; round++) {
      await sim.sleep(sim.random.int(50, 250));
      const victim = sim.random.pick(members);
      if (sim.random.chance(0.5)) {
        node(victim).crash();
        await sim.sleep(sim.random.int(20, 200));
        await node(victim).restart();
      } else {
        const heal = sim.network.isolate(victim);
        await sim.sleep(sim.random.int(20, 200));
        heal();
      }
    }
  });
  await sim.runUntilSettled([...clients, faults], { timeoutMs: 600_000 });
  return { sim, grants, failures };
}

it("generation voting hands out unique numbers in real-time order, under faults, on every seed", async () => {
  let handedOut = 0;
  await runSeeds(
    seedsFromEnv({ defaultCount: 30 }),
    async (seed) => {
      const { sim, grants } = await run(seed);
      handedOut += grants.length;
      sim.check("no number handed out twice", () => {
        const numbers = grants.map((g) => g.generation);
        expect(new Set(numbers).size).toBe(numbers.length);
      });
      sim.check("a number handed out after another returned is greater", () => {
        for (const earlier of grants) {
          for (const later of grants) {
            if (later.startedAtMs > earlier.returnedAtMs) {
              expect(later.generation).toBeGreaterThan(earlier.generation);
            }
          }
        }
      });
    },
    { file: import.meta.url },
  );
  expect(handedOut).toBeGreaterThan(0);
}, 120_000);

it("the same seed replays the same run", async () => {
  const first = await run(5);
  const again = await run(5);
  expect(again.sim.traceHash).toBe(first.sim.traceHash);
  expect(again.grants).toEqual(first.grants);
});
