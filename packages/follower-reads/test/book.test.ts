import type { Clock } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { ReplicaLaggingError, ReplicaSelector, TooStaleError } from "../src/index.ts";
import { startCluster } from "./replication-harness.ts";
import { errorOf, settle, valueOf } from "./settle.ts";

// The acceptance scenarios of PATTERNS.md, "14. Follower Reads", one test each. The cluster ones
// run in the simulator over several seeds (PODS_SEED=<n> replays one, PODS_SEEDS=<n> runs more):
// athens leads (in eu-central, far from the clients); followers apply what it sends after a lag.

const seeds = () => seedsFromEnv({ defaultCount: 5 });

describe("follower-reads: the book's scenarios", () => {
  it("nearest-replica", () => {
    const clock: Clock = { monotonicMs: () => 0, wallMs: () => 0 };
    const replica = (nodeId: string, region: string) => ({
      nodeId,
      address: `${nodeId}:7000`,
      region,
    });

    // A client in us-east, followers in us-west and us-east: us-east, although it is slower.
    const two = new ReplicaSelector({
      clock,
      localRegion: "us-east",
      replicas: [replica("byzantium", "us-west"), replica("cyrene", "us-east")],
    });
    two.recordLatency("byzantium", 1);
    two.recordLatency("cyrene", 40);
    expect(two.choose()?.nodeId).toBe("cyrene");

    // Two in us-east: the one with the lower smoothed latency (0.8 · old + 0.2 · sample).
    const east = new ReplicaSelector({
      clock,
      localRegion: "us-east",
      replicas: [
        replica("byzantium", "us-west"),
        replica("cyrene", "us-east"),
        replica("delphi", "us-east"),
      ],
    });
    for (const sample of [10, 2, 2]) east.recordLatency("cyrene", sample); // 10 → 8.4 → 7.12
    east.recordLatency("delphi", 8); // the first sample is taken as is
    expect(east.status("cyrene").smoothedLatencyMs).toBeCloseTo(7.12, 10);
    expect(east.rank().map((r) => r.nodeId)).toEqual(["cyrene", "delphi", "byzantium"]);
    east.recordLatency("cyrene", 12); // 0.8 · 7.12 + 0.2 · 12 = 8.096 > 8
    expect(east.choose()?.nodeId).toBe("delphi");

    // None in the client's region: the lowest latency overall; a replica marked down is skipped.
    const far = new ReplicaSelector({
      clock,
      localRegion: "eu-west",
      replicas: [
        replica("byzantium", "us-west"),
        replica("cyrene", "us-east"),
        replica("delphi", "ap-south"),
      ],
    });
    far.recordLatency("byzantium", 90);
    far.recordLatency("cyrene", 70);
    far.recordLatency("delphi", 150);
    expect(far.choose()?.nodeId).toBe("cyrene");
    far.markDown("cyrene");
    expect(far.rank().map((r) => r.nodeId)).toEqual(["byzantium", "delphi"]);
  });

  it("read-your-write-waits", async () => {
    await runSeeds(
      seeds(),
      async (seed) => {
        const { sim, follower, addClient } = startCluster({
          seed,
          followers: [{ id: "byzantium", region: "us-east" }],
          leaderRegion: "eu-central",
        });
        const client = await addClient("ephesus", "us-east").ready();
        expect(await sim.runUntilSettled([client.write("title", "Distributed Systems")])).toEqual([
          1,
        ]);
        await sim.runUntil(() => follower("byzantium").progress.appliedVersion === 1);

        const heal = sim.network.blockLink("athens", "byzantium"); // the follower stays at 1
        expect(await sim.runUntilSettled([client.write("title", "Microservices")])).toEqual([2]);
        const read = settle(client.reads.read("title"));
        await sim.runFor(300);
        sim.check("the read waits at the follower, still at version 1", () => {
          expect(follower("byzantium").progress.appliedVersion).toBe(1);
          expect(follower("byzantium").reader.waitingVersions()).toEqual([2]);
        });

        heal();
        const result = valueOf((await sim.runUntilSettled([read]))[0]);
        sim.check("it returns the write once the follower applied it", () => {
          expect(result).toMatchObject({ nodeId: "byzantium", value: "Microservices", version: 2 });
          expect(result.waitedMs).toBeGreaterThanOrEqual(300);
          expect(follower("byzantium").reader.metrics).toMatchObject({
            servedAfterWait: 1,
            waiting: 0,
          });
        });
      },
      { file: import.meta.url },
    );
  }, 60_000);

  it("lagging-replica-times-out", async () => {
    await runSeeds(
      seeds(),
      async (seed) => {
        const { sim, follower, addClient, replicas } = startCluster({
          seed,
          followers: [
            { id: "byzantium", region: "us-east" },
            { id: "cyrene", region: "us-west" },
          ],
          leaderRegion: "eu-central",
        });
        const client = await addClient("ephesus", "us-east").ready();
        await sim.runUntilSettled([client.write("title", "Distributed Systems")]);
        await sim.runUntil(() => follower("byzantium").progress.appliedVersion === 1);
        sim.network.partition(["athens"], ["byzantium"]); // cut off from the leader
        await sim.runUntilSettled([client.write("title", "Microservices")]);

        const byzantium = replicas.find((r) => r.nodeId === "byzantium");
        const startMs = sim.now;
        const direct = settle(client.port.read(byzantium!, "title", { minVersion: 2 }));
        const error = errorOf((await sim.runUntilSettled([direct]))[0]);
        sim.check("the follower gives up after the wait timeout", () => {
          expect(error).toBeInstanceOf(ReplicaLaggingError);
          expect(error).toMatchObject({ reason: "wait-timeout", minVersion: 2, appliedVersion: 1 });
          expect((error as ReplicaLaggingError).waitedMs).toBeGreaterThanOrEqual(5000);
          expect((error as ReplicaLaggingError).waitedMs).toBeLessThanOrEqual(5001);
          expect(sim.now - startMs).toBeGreaterThanOrEqual(5000);
        });

        const result = valueOf(
          (await sim.runUntilSettled([settle(client.reads.read("title"))]))[0],
        );
        sim.check("the client retries elsewhere and succeeds", () => {
          expect(result.nodeId).not.toBe("byzantium");
          expect(result).toMatchObject({ value: "Microservices", version: 2 });
          expect(follower("byzantium").reader.metrics.lagging).toBe(2);
        });
      },
      { file: import.meta.url },
    );
  }, 60_000);

  it("plain-read-may-be-stale", async () => {
    await runSeeds(
      seeds(),
      async (seed) => {
        const { sim, follower, addClient } = startCluster({
          seed,
          followers: [{ id: "byzantium", region: "us-east" }],
          leaderRegion: "eu-central",
        });
        const writer = await addClient("ephesus", "us-east").ready();
        const reader = await addClient("sparta", "us-east").ready(); // a new session: no minimum
        await sim.runUntilSettled([writer.write("title", "Distributed Systems")]);
        await sim.runUntil(() => follower("byzantium").progress.appliedVersion === 1);
        sim.network.blockLink("athens", "byzantium");
        await sim.runUntilSettled([writer.write("title", "Microservices")]);

        const stale = valueOf((await sim.runUntilSettled([settle(reader.reads.read("title"))]))[0]);
        sim.check("without a minimum version the lagging follower returns the older value", () => {
          expect(stale).toMatchObject({
            nodeId: "byzantium",
            value: "Distributed Systems",
            version: 1,
          });
          expect(stale.waitedMs).toBe(0);
        });
      },
      { file: import.meta.url },
    );
  }, 60_000);

  it("bounded-staleness", async () => {
    await runSeeds(
      seeds(),
      async (seed) => {
        const { sim, follower, addClient, replicas } = startCluster({
          seed,
          followers: [
            { id: "byzantium", region: "us-east" },
            { id: "cyrene", region: "us-west" },
          ],
          leaderRegion: "eu-central",
        });
        const client = await addClient("ephesus", "us-east").ready();
        await sim.runUntilSettled([client.write("title", "Microservices")]);
        await sim.runUntil(() => follower("byzantium").progress.appliedVersion === 1);
        const byzantium = replicas.find((r) => r.nodeId === "byzantium")!;
        const bounded = { maxStalenessMs: 1000 };

        const fresh = valueOf(
          (await sim.runUntilSettled([settle(client.port.read(byzantium, "title", bounded))]))[0],
        );
        sim.check("in contact with the leader: served", () =>
          expect(fresh.value).toBe("Microservices"),
        );

        const heal = sim.network.partition(["athens"], ["byzantium"]); // clients still reach it
        await sim.runFor(1200);
        const direct = settle(client.port.read(byzantium, "title", bounded));
        const refused = errorOf((await sim.runUntilSettled([direct]))[0]);
        sim.check("out of contact for longer than maxStalenessMs: TooStaleError", () => {
          expect(refused).toBeInstanceOf(TooStaleError);
          expect((refused as TooStaleError).msSinceLeaderContact).toBeGreaterThan(1000);
        });

        const elsewhere = settle(client.reads.read("title", bounded));
        const served = valueOf((await sim.runUntilSettled([elsewhere]))[0]);
        sim.check("the client is served by a replica in contact", () => {
          expect(served.nodeId).not.toBe("byzantium");
          expect(served.value).toBe("Microservices");
          expect(follower("byzantium").reader.metrics.tooStale).toBe(2);
        });

        heal();
        await sim.runFor(200);
        const again = settle(client.port.read(byzantium, "title", bounded));
        const healed = valueOf((await sim.runUntilSettled([again]))[0]);
        sim.check("back in contact: served again", () =>
          expect(healed.value).toBe("Microservices"),
        );
      },
      { file: import.meta.url },
    );
  }, 60_000);

  it("monotonic-across-replicas", async () => {
    await runSeeds(
      seeds(),
      async (seed) => {
        const { sim, follower, addClient } = startCluster({
          seed,
          followers: [
            { id: "byzantium", region: "us-east" },
            { id: "cyrene", region: "us-east" },
          ],
          leaderRegion: "eu-central",
        });
        const writer = await addClient("sparta", "eu-central").ready();
        const client = await addClient("ephesus", "us-east").ready();
        for (let n = 1; n <= 3; n++)
          await sim.runUntilSettled([writer.write("chapter", `chapter ${n}`)]);
        await sim.runUntil(() => follower("cyrene").progress.appliedVersion === 3);
        const heal = sim.network.partition(["athens"], ["cyrene"]); // B stays at 3
        for (let n = 4; n <= 5; n++)
          await sim.runUntilSettled([writer.write("chapter", `chapter ${n}`)]);
        await sim.runUntil(() => follower("byzantium").progress.appliedVersion === 5);

        client.selector.markDown("cyrene"); // the first read goes to A
        const first = valueOf(
          (await sim.runUntilSettled([settle(client.reads.read("chapter"))]))[0],
        );
        expect(first).toMatchObject({ nodeId: "byzantium", version: 5, value: "chapter 5" });
        expect(client.reads.session.version).toBe(5);

        client.selector.markUp("cyrene");
        client.selector.markDown("byzantium"); // the next one goes to B, still at 3
        const second = settle(client.reads.read("chapter"));
        await sim.runFor(200);
        sim.check("B waits for version 5", () => {
          expect(follower("cyrene").progress.appliedVersion).toBe(3);
          expect(follower("cyrene").reader.waitingVersions()).toEqual([5]);
        });
        heal();
        const result = valueOf((await sim.runUntilSettled([second]))[0]);
        sim.check("and then serves version 5, never 3", () => {
          expect(result).toMatchObject({ nodeId: "cyrene", version: 5, value: "chapter 5" });
          expect(result.waitedMs).toBeGreaterThanOrEqual(200);
        });
      },
      { file: import.meta.url },
    );
  }, 60_000);
});
