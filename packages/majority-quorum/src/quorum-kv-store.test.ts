import { ClosedError, InvalidArgumentError, TimeoutError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { TooManyPendingError } from "./errors.ts";
import type { QuorumKvMessage, QuorumKvStoreOptions } from "./quorum-kv-options.ts";
import { QuorumKvStore } from "./quorum-kv-store.ts";
import { counterVersions, type CounterVersion } from "./versions.ts";

type Message = QuorumKvMessage<string, CounterVersion>;
const replicas = ["athens", "byzantium", "cyrene"];

async function cluster(
  seed: number,
  options: Partial<QuorumKvStoreOptions<CounterVersion>> = {},
  ids: readonly string[] = replicas,
) {
  const sim = new Simulation<Message>({ seed });
  const nodes = ids.map((id) =>
    sim.addNode(id, {
      boot: ({ env, transport }) =>
        new QuorumKvStore<string, CounterVersion>(transport, {
          replicas,
          versions: counterVersions(id),
          scheduler: env.scheduler,
          random: env.random,
          logger: env.logger,
          ...options,
        }),
    }),
  );
  for (const node of nodes) await node.ready();
  return { sim, store: (id: string) => nodes[ids.indexOf(id)]!.instance };
}

describe("QuorumKvStore", () => {
  it("writes to W replicas and reads the newest of R answers", async () => {
    const { sim, store } = await cluster(1);
    const [version] = await sim.runUntilSettled([store("athens").put("k", "v1")]);
    expect(version).toEqual({ counter: 0, nodeId: "athens" });
    await sim.runUntilSettled([store("cyrene").put("k", "v2")]);
    const [read] = await sim.runUntilSettled([store("byzantium").get("k")]);
    expect(read).toEqual({ value: "v2", version: { counter: 1, nodeId: "cyrene" } });
    const [missing] = await sim.runUntilSettled([store("byzantium").get("nothing")]);
    expect(missing).toBeUndefined();
    expect(store("byzantium").metrics).toMatchObject({ reads: 2, writes: 0 });
    expect(store("athens").metrics.writes).toBe(1);
  });

  it("warns when R + W ≤ N, and says so", async () => {
    const { sim, store } = await cluster(2, { writeQuorum: 1, readQuorum: 2 });
    expect(store("athens").quorumsOverlap).toBe(false);
    const warnings = sim
      .node("athens")
      .logs.filter((r) => r.event === "quorum-kv.quorums-do-not-overlap");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ replicas: 3, writeQuorum: 1, readQuorum: 2 });
    const overlapping = await cluster(2);
    expect(overlapping.store("athens").quorumsOverlap).toBe(true);
  });

  it("async repair fixes stale responders without waiting for them", async () => {
    const { sim, store } = await cluster(3, { readRepair: "async" });
    const heal = sim.network.blockLink("athens", "cyrene");
    await sim.runUntilSettled([store("athens").put("k", "v")]);
    heal();
    expect(store("cyrene").stored("k")).toBeUndefined();
    sim.network.blockLink("byzantium", "athens");
    const [read] = await sim.runUntilSettled([store("byzantium").get("k")]);
    expect(read?.value).toBe("v");
    await sim.runFor(50);
    expect(store("cyrene").stored("k")?.value).toBe("v");
    expect(store("byzantium").metrics.repairsSent).toBe(1);
  });

  it("a round with no answers times out, indefinitely", async () => {
    const { sim, store } = await cluster(4, { timeoutMs: 300 });
    sim.network.isolate("athens");
    const [error] = await sim.runUntilSettled([
      store("athens")
        .get("k")
        .catch((e: unknown) => e),
    ]);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(sim.now).toBeGreaterThanOrEqual(300);
    expect(store("athens").pending).toBe(0);
  });

  it("bounds requests in flight, keys, and refuses use after close", async () => {
    const { sim, store } = await cluster(5, { pendingMax: 1 });
    const first = store("athens").get("a");
    await expect(store("athens").get("b")).rejects.toBeInstanceOf(TooManyPendingError);
    await sim.runUntilSettled([first]);
    await expect(store("athens").get("x".repeat(1025))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const pending = store("athens")
      .put("c", "v")
      .catch((e: unknown) => e);
    store("athens").close();
    store("athens").close();
    const [closed] = await sim.runUntilSettled([pending]);
    expect(closed).toBeInstanceOf(ClosedError);
    await expect(store("athens").get("a")).rejects.toBeInstanceOf(ClosedError);
  });

  it("ignores late and duplicated replies, and counts them", async () => {
    const { sim, store } = await cluster(6);
    sim.network.setDuplicateRate(1);
    await sim.runUntilSettled([store("athens").get("k")]);
    await sim.runFor(50);
    expect(store("athens").metrics.ignoredReplies).toBeGreaterThan(0);
  });

  it("ignores messages from nodes that are not replicas", async () => {
    const { sim, store } = await cluster(8);
    const stranger = sim.addNode("delphi", { boot: ({ transport }) => transport });
    const transport = await stranger.ready();
    transport.send("athens", {
      type: "kv-write",
      requestId: 1,
      key: "k",
      value: "forged",
      version: { counter: 99, nodeId: "delphi" },
    });
    await sim.runFor(20);
    expect(store("athens").stored("k")).toBeUndefined();
    expect(store("athens").metrics.ignoredReplies).toBe(1);
  });

  it("validates its configuration", async () => {
    const sim = new Simulation<Message>({ seed: 7 });
    const node = sim.addNode("delphi", { boot: ({ env, transport }) => ({ env, transport }) });
    const { env, transport } = await node.ready();
    const base: QuorumKvStoreOptions<CounterVersion> = {
      replicas: [...replicas, "delphi"],
      versions: counterVersions("delphi"),
      scheduler: env.scheduler,
      random: env.random,
    };
    const make = (options: Partial<QuorumKvStoreOptions<CounterVersion>>) =>
      new QuorumKvStore<string, CounterVersion>(transport, { ...base, ...options });
    expect(() => make({ replicas })).toThrow(/not one of the replicas/);
    expect(() => make({ writeQuorum: 5 })).toThrow(InvalidArgumentError);
    expect(() => make({ readQuorum: 0 })).toThrow(InvalidArgumentError);
    expect(() => make({ readRepair: "later" as "off" })).toThrow(/readRepair/);
    expect(() => make({ versions: {} as never })).toThrow(/version source/);
    expect(() => make({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => make({ pendingMax: 1.5 })).toThrow(/pendingMax/);
    expect(make({}).writeQuorum).toBe(3);
  });
});
