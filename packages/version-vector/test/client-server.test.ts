import { ClosedError } from "@pods/core-interfaces";
import { NotEnoughReplicasError, TooManySiblingsError } from "@pods/version-vector";
import { describe, expect, it } from "vitest";
import { createCluster } from "./cluster.ts";

// The replica server and the leaderless client over the simulated network: quorums, the outcomes
// of failures, duplicates and limits.

const replicas = ["athens", "byzantium", "cyrene"] as const;

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("LeaderlessClient and ReplicaServer", () => {
  it("a put waits for W replicas; short of them it fails indefinitely and the write spreads later", async () => {
    const cluster = createCluster<string>({
      seed: 11,
      replicas,
      clients: ["delphi"],
      writeQuorum: 2,
      antiEntropyIntervalMs: 100,
    });
    await cluster.ready();
    const { sim, client } = cluster;
    const [ok] = await sim.runUntilSettled([client("delphi").put("x", "one")]);
    expect(ok.dot).toEqual({ node: "athens", counter: 1 });

    const healByzantium = sim.network.partition(["athens"], ["byzantium", "cyrene"]);
    const [error] = await sim.runUntilSettled([
      failureOf(client("delphi").put("x", "two", ok.context)),
    ]);
    expect(error).toBeInstanceOf(NotEnoughReplicasError);
    expect((error as NotEnoughReplicasError).outcome).toBe("indefinite");
    expect((error as NotEnoughReplicasError).answered).toBe(1);
    expect(cluster.siblingsAt("athens", "x")).toEqual(["two @ {athens: 2}"]);
    healByzantium();
    await sim.runUntil(() => cluster.siblingsAt("cyrene", "x")[0] === "two @ {athens: 2}", {
      timeoutMs: 5_000,
    });
  });

  it("a put moves on to the next replica; it fails definitely only when none could be sent to", async () => {
    const cluster = createCluster<string>({ seed: 12, replicas, clients: ["delphi"] });
    await cluster.ready();
    const { sim, client } = cluster;
    sim.network.blockLink("delphi", "athens"); // silent: the request times out
    const [moved] = await sim.runUntilSettled([client("delphi").put("x", "one")]);
    expect(moved.dot.node).toBe("byzantium");

    for (const replica of replicas) sim.network.blockLink("delphi", replica, { mode: "refuse" });
    const [refused] = await sim.runUntilSettled([failureOf(client("delphi").put("x", "two"))]);
    expect((refused as NotEnoughReplicasError).outcome).toBe("definite");

    sim.network.heal();
    for (const replica of replicas) sim.network.blockLink("delphi", replica);
    const [silent] = await sim.runUntilSettled([failureOf(client("delphi").put("x", "three"))]);
    expect(silent).toBeInstanceOf(NotEnoughReplicasError);
    expect((silent as NotEnoughReplicasError).outcome).toBe("indefinite");
  });

  it("a read fails definitely when fewer than R replicas answer", async () => {
    const cluster = createCluster<string>({
      seed: 13,
      replicas,
      clients: ["delphi"],
      readQuorum: 2,
    });
    await cluster.ready();
    const { sim, client } = cluster;
    sim.network.blockLink("delphi", "athens");
    sim.network.blockLink("delphi", "byzantium", { mode: "refuse" });
    const [error] = await sim.runUntilSettled([failureOf(client("delphi").get("x"))]);
    expect(error).toBeInstanceOf(NotEnoughReplicasError);
    expect((error as NotEnoughReplicasError).outcome).toBe("definite");
    expect((error as NotEnoughReplicasError).answered).toBe(1);
  });

  it("a duplicated put is stored once", async () => {
    const cluster = createCluster<string>({ seed: 14, replicas, clients: ["delphi"] });
    await cluster.ready();
    const { sim, client } = cluster;
    sim.network.addRule({ type: "put", action: { kind: "duplicate", copies: 3 } });
    await sim.runUntilSettled([client("delphi").put("x", "one")]);
    await sim.runFor(100);
    for (const replica of replicas) {
      expect(cluster.siblingsAt(replica, "x")).toEqual(["one @ {athens: 1}"]);
    }
  });

  it("a restarted client's requests are never answered from what a replica remembers of its previous life", async () => {
    const cluster = createCluster<string>({ seed: 17, replicas, clients: ["delphi"] });
    await cluster.ready();
    const { sim, client } = cluster;
    const [first] = await sim.runUntilSettled([client("delphi").put("x", "one")]);
    sim.node("delphi").crash();
    await sim.node("delphi").restart();
    const [second] = await sim.runUntilSettled([client("delphi").put("x", "two", first.context)]);
    expect(second.dot).toEqual({ node: "athens", counter: 2 });
    expect(cluster.siblingsAt("athens", "x")).toEqual(["two @ {athens: 2}"]);
  });

  it("a put that would pass siblingsMax on the coordinator is refused definitely", async () => {
    const cluster = createCluster<string>({ seed: 15, replicas, clients: ["delphi"] });
    await cluster.ready();
    const { sim, client, server } = cluster;
    const store = server("athens").store;
    for (let index = 0; index < 100; index++) store.put("x", `blind ${index}`);
    const [error] = await sim.runUntilSettled([failureOf(client("delphi").put("x", "one"))]);
    expect(error).toBeInstanceOf(TooManySiblingsError);
    const read = store.get("x");
    const [resolved] = await sim.runUntilSettled([
      client("delphi").put("x", "resolved", read.context),
    ]);
    expect(resolved.context.covers({ node: "athens", counter: 100 })).toBe(true);
    expect(cluster.siblingsAt("athens", "x")).toEqual(["resolved @ {athens: 101}"]);
  });

  it("close() fails the calls still waiting with ClosedError", async () => {
    const cluster = createCluster<string>({ seed: 16, replicas, clients: ["delphi"] });
    await cluster.ready();
    const { sim, client } = cluster;
    for (const replica of replicas) sim.network.blockLink("delphi", replica);
    const put = failureOf(client("delphi").put("x", "one"));
    const get = failureOf(client("delphi").get("x"));
    await sim.runFor(1);
    client("delphi").close();
    const [putError, getError] = await sim.runUntilSettled([put, get]);
    expect(putError).toBeInstanceOf(ClosedError);
    expect(getError).toBeInstanceOf(ClosedError);
    await expect(client("delphi").get("x")).rejects.toThrow(ClosedError);
  });
});
