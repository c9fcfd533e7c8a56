import {
  delay,
  isPodsError,
  TimeoutError,
  UnreachableError,
  type NodeId,
} from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { ConnectionLostError } from "../src/index.ts";
import { createSimCluster } from "./sim-cluster.ts";

// The channel under loss, duplication, delay, partitions, pauses and crashes: whatever is lost, what
// arrives arrives in order and once, every request settles with its own answer or a typed error,
// and once the network heals every pair converges to one working connection.

const ids = ["athens", "byzantium", "cyrene"] as const;
/** The clients stop here; faults happen before (the last restart by 6 000 ms). */
const workloadEndMs = 7_000;
const file = import.meta.url;

async function runFaultySeed(seed: number) {
  const received = new Map<string, number[]>(); // "from->to" → note numbers in arrival order
  const { sim, node, channel } = createSimCluster(seed, ids, {
    network: { lossRate: 0.003, duplicateRate: 0.01, latency: { minMs: 1, maxMs: 40 } },
    channel: { connectTimeoutMs: 400 },
    onBoot: (id, { channel, env }) => {
      channel.onMessage((from, message) => {
        if (message.type !== "note") return;
        const key = `${from}->${id}`;
        received.set(key, [...(received.get(key) ?? []), message.n]);
      });
      channel.onRequest(async (_from, request) => {
        if (request.type !== "ask") throw new Error("not an ask");
        await delay(env.scheduler, request.delayMs ?? 0);
        return { type: "answer", n: request.n * 2 };
      });
    },
  });
  const nextNote = new Map<string, number>();
  const unexpected: unknown[] = [];
  const outcomes = { answered: 0, lost: 0, timedOut: 0, unreachable: 0 };
  const clients = ids.map((id) =>
    sim.spawn(`client ${id}`, async () => {
      while (sim.now < workloadEndMs) {
        await sim.sleep(sim.random.int(1, 30));
        if (!node(id).isBooted) continue;
        const to = sim.random.pick(ids.filter((peer) => peer !== id)) as NodeId;
        if (sim.random.chance(0.6)) {
          const key = `${id}->${to}`;
          const n = nextNote.get(key) ?? 0;
          try {
            channel(id).send(to, { type: "note", producer: id, n });
            nextNote.set(key, n + 1);
          } catch (error) {
            if (error instanceof UnreachableError) outcomes.unreachable++;
            else unexpected.push(error);
          }
          continue;
        }
        const n = sim.random.int(0, 1000);
        const delayMs = sim.random.int(0, 20);
        channel(id)
          .request(to, { type: "ask", n, delayMs }, { timeoutMs: 500 })
          .then(
            (answer) => {
              if (answer.type === "answer" && answer.n === n * 2) outcomes.answered++;
              else unexpected.push(answer);
            },
            (error: unknown) => {
              if (error instanceof ConnectionLostError) outcomes.lost++;
              else if (error instanceof TimeoutError) outcomes.timedOut++;
              else if (error instanceof UnreachableError) outcomes.unreachable++;
              else unexpected.push(error);
            },
          );
      }
    }),
  );
  const victim = sim.random.pick([...ids]);
  sim.at(800, "isolate", () => {
    const heal = sim.network.isolate(victim);
    sim.at(800 + sim.random.int(100, 2_000), "heal", heal);
  });
  sim.at(3_000, "pause", () => {
    node(victim).pause();
    sim.at(3_000 + sim.random.int(100, 1_500), "resume", () => node(victim).resume());
  });
  sim.at(5_000, "crash", () => {
    node(victim).crash();
    sim.at(5_000 + sim.random.int(10, 1_000), "restart", () => void node(victim).restart());
  });
  await sim.runUntilSettled(clients, { timeoutMs: 60_000 });

  // Heal everything; after a quiet period every pair must work again over one connection.
  sim.network.heal();
  sim.network.setLossRate(0);
  sim.network.setDuplicateRate(0);
  await sim.runFor(2_000);
  const finalRound = sim.spawn("final round", async () => {
    for (const from of ids) {
      for (const to of ids) {
        if (from === to) continue;
        let answer;
        for (let attempt = 0; answer === undefined && attempt < 10; attempt++) {
          answer = await channel(from)
            .request(to, { type: "ask", n: 7 }, { timeoutMs: 1_000 })
            .catch(async (error: unknown) => {
              if (!isPodsError(error)) throw error;
              await sim.sleep(200);
              return undefined;
            });
        }
        expect(answer).toEqual({ type: "answer", n: 14 });
      }
    }
    await sim.sleep(3_000);
  });
  await sim.runUntilSettled([finalRound], { timeoutMs: 60_000 });
  return { sim, node, channel, received, unexpected, outcomes };
}

describe("single-socket channel under faults", () => {
  it("keeps order, answers every request once, and recovers, on every seed", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 15 }),
      async (seed) => {
        const { sim, node, channel, received, unexpected, outcomes } = await runFaultySeed(seed);
        sim.check("delivered notes are in order and never duplicated", () => {
          expect(unexpected).toEqual([]);
          for (const [key, numbers] of received) {
            for (let index = 1; index < numbers.length; index++) {
              expect(numbers[index], key).toBeGreaterThan(numbers[index - 1] as number);
            }
          }
          expect(outcomes.answered).toBeGreaterThan(0);
        });
        sim.check("every pair ends with exactly one connection, seen by both ends", () => {
          for (const [index, a] of ids.entries()) {
            for (const b of ids.slice(index + 1)) {
              const streams = [
                ...node(a)
                  .instance.driver.openStreams()
                  .filter((stream) => stream.peer === b),
                ...node(b)
                  .instance.driver.openStreams()
                  .filter((stream) => stream.peer === a),
              ];
              expect(new Set(streams.map((stream) => stream.id)).size, `${a}-${b}`).toBe(1);
              expect(streams.length, `${a}-${b}`).toBe(2);
              expect(channel(a).status(b)?.state).toBe("connected");
              expect(channel(b).status(a)?.state).toBe("connected");
            }
          }
        });
      },
      { file },
    );
  }, 120_000);

  it("replays a seed exactly", async () => {
    const first = await runFaultySeed(7);
    const second = await runFaultySeed(7);
    expect(second.sim.traceHash).toBe(first.sim.traceHash);
    expect(second.outcomes).toEqual(first.outcomes);
  }, 60_000);
});
