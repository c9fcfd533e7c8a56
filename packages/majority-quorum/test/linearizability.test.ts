import { isPodsError } from "@pods/core-interfaces";
import { checkHistory, formatExplanation, type KvInput, type KvOutput } from "@pods/lincheck";
import { History, runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { kvCluster, type KvClusterOptions } from "./kv-cluster.ts";

// R + W > N makes read and write quorums meet, which is not linearizability. These runs record
// client histories against a leaderless store and check them with @pods/lincheck.

const replicas = ["athens", "byzantium", "cyrene"];

/**
 * The new-then-old inversion, scripted: a write has reached only athens when a read through
 * byzantium sees it; a later read through cyrene asks byzantium and cyrene, and without repair
 * misses it.
 */
async function inversion(readRepair: "off" | "sync") {
  const { sim, store } = await kvCluster({ seed: 7, versions: "quorum-read", readRepair });
  const history = new History<KvInput, KvOutput>();
  sim.network.addRule({
    name: "athens's writes crawl",
    from: "athens",
    type: "kv-write",
    action: { kind: "delay", extraMs: 500 },
  });
  const put = history.invoke("writer", { op: "put", key: "x", value: "1" });
  const writing = sim.spawn("writer", () =>
    store("athens")
      .put("x", "1")
      .then(() => put.ok({})),
  );
  await sim.runFor(20);

  const heal = sim.network.blockLink("byzantium", "cyrene");
  const first = history.invoke("reader-1", { op: "get", key: "x" });
  const [seen] = await sim.runUntilSettled([store("byzantium").get("x")]);
  first.ok({ value: seen?.value ?? "" });
  heal();

  sim.network.blockLink("cyrene", "athens");
  const second = history.invoke("reader-2", { op: "get", key: "x" });
  const [later] = await sim.runUntilSettled([store("cyrene").get("x")]);
  second.ok({ value: later?.value ?? "" });
  await sim.runUntilSettled([writing]);
  return {
    first: seen?.value,
    second: later?.value,
    result: checkHistory(history.toHistoryFile("kv")),
  };
}

/**
 * Five clients doing gets and puts of one key through random coordinators, over a network with
 * widely varying latency, loss and duplication: writes are often in progress while reads run.
 */
async function randomWorkload(seed: number, options: Omit<KvClusterOptions, "seed">) {
  const { sim, store } = await kvCluster({
    seed,
    network: { latency: { minMs: 1, maxMs: 100 }, lossRate: 0.03, duplicateRate: 0.05 },
    timeoutMs: 400,
    ...options,
  });
  const history = new History<KvInput, KvOutput>();
  const clients = ["c1", "c2", "c3", "c4", "c5"].map((client) =>
    sim.spawn(client, async () => {
      for (let n = 0; n < 12; n++) {
        const key = "x";
        const coordinator = store(sim.random.pick(replicas));
        const input: KvInput = sim.random.chance(0.5)
          ? { op: "put", key, value: `${client}.${n}` }
          : { op: "get", key };
        const operation = history.invoke(client, input);
        try {
          if (input.op === "put") {
            await coordinator.put(key, input.value);
            operation.ok({});
          } else {
            operation.ok({ value: (await coordinator.get(key))?.value ?? "" });
          }
        } catch (error) {
          if (!isPodsError(error) || error.outcome !== "indefinite") throw error;
          operation.indeterminate();
        }
        await sim.sleep(sim.random.int(0, 5));
      }
    }),
  );
  await sim.runUntilSettled(clients, { timeoutMs: 120_000 });
  return { sim, result: checkHistory(history.toHistoryFile("kv", { source: `seed ${seed}` })) };
}

describe("leaderless quorum store and linearizability", () => {
  it("R + W > N alone is not linearizable: a read sees a write in progress, a later read misses it", async () => {
    const withoutRepair = await inversion("off");
    expect([withoutRepair.first, withoutRepair.second]).toEqual(["1", undefined]);
    expect(withoutRepair.result.verdict).toBe("not linearizable");
    if (withoutRepair.result.verdict === "not linearizable") {
      expect(formatExplanation(withoutRepair.result.explanation).join("\n")).toMatch(/get/);
    }
    // The same schedule with synchronous read repair: the first read wrote the value back to a
    // write quorum before returning, so the second read meets it.
    const withRepair = await inversion("sync");
    expect([withRepair.first, withRepair.second]).toEqual(["1", "1"]);
    expect(withRepair.result.verdict).toBe("linearizable");
  });

  it("quorum-read versions with synchronous read repair (ABD) are linearizable on every seed", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 50 }),
      async (seed) => {
        const { sim, result } = await randomWorkload(seed, {
          versions: "quorum-read",
          readRepair: "sync",
        });
        sim.check("linearizable", () => expect(result.verdict).toBe("linearizable"));
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("the same seed replays the same run", async () => {
    const options = { versions: "quorum-read", readRepair: "sync" } as const;
    const first = await randomWorkload(11, options);
    const again = await randomWorkload(11, options);
    const other = await randomWorkload(12, options);
    expect(again.sim.traceHash).toBe(first.sim.traceHash);
    expect(other.sim.traceHash).not.toBe(first.sim.traceHash);
  });

  /** Runs seeds 1, 2, … until one is not linearizable; returns its seed. */
  async function firstViolation(options: Omit<KvClusterOptions, "seed">) {
    for (let seed = 1; seed <= 40; seed++) {
      if ((await randomWorkload(seed, options)).result.verdict === "not linearizable") return seed;
    }
    return undefined;
  }

  it("the same versions without read repair are caught on some seed", async () => {
    expect(await firstViolation({ versions: "quorum-read", readRepair: "off" })).toBeDefined();
  }, 120_000);

  it("wall-clock versions lose writes to clock skew, even with synchronous repair: caught on some seed", async () => {
    const seed = await firstViolation({
      versions: "hybrid-clock",
      readRepair: "sync",
      clockOffsetMs: { athens: 0, byzantium: 40, cyrene: -40 },
    });
    expect(seed).toBeDefined();
  }, 120_000);
});
