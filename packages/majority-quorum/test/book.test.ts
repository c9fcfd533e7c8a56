import { UnreachableError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import {
  committedIndex,
  QuorumFailedError,
  QuorumSet,
  QuorumTracker,
  quorum,
  toleratedFailures,
} from "../src/index.ts";
import { kvCluster } from "./kv-cluster.ts";

// The acceptance scenarios of PATTERNS.md, "6. Majority Quorum", one test each.

describe("majority quorum: acceptance scenarios", () => {
  it("sizes", () => {
    const ns = [1, 2, 3, 4, 5, 6, 7];
    expect(ns.map(quorum)).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect(ns.map(toleratedFailures)).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });

  it("read-repair-heals", async () => {
    const { sim, store } = await kvCluster({
      seed: 1,
      versions: "quorum-read",
      readRepair: "sync",
    });
    const healWrite = sim.network.blockLink("athens", "byzantium");
    const [written] = await sim.runUntilSettled([store("athens").put("title", "Microservices")]);
    expect(store("athens").stored("title")?.value).toBe("Microservices");
    expect(store("cyrene").stored("title")?.value).toBe("Microservices");
    expect(store("byzantium").stored("title")).toBeUndefined();

    healWrite();
    sim.network.blockLink("athens", "cyrene");
    const [read] = await sim.runUntilSettled([store("athens").get("title")]);
    expect(read).toEqual({ value: "Microservices", version: written });
    // The repair reached byzantium before the read returned: all three hold the value.
    for (const id of ["athens", "byzantium", "cyrene"]) {
      expect(store(id).stored("title")).toEqual({ value: "Microservices", version: written });
    }
    expect(store("athens").metrics.repairsSent).toBeGreaterThanOrEqual(1);
  });

  it("incomplete-write-surfaces", async () => {
    const { sim, store } = await kvCluster({ seed: 2, versions: "hybrid-clock" });
    const cut = [
      sim.network.blockLink("athens", "byzantium", { mode: "refuse" }),
      sim.network.blockLink("athens", "cyrene", { mode: "refuse" }),
    ];
    const [outcome] = await sim.runUntilSettled([
      store("athens")
        .put("author", "Martin")
        .then(
          () => undefined,
          (error: unknown) => error,
        ),
    ]);
    // The client hears of a failure, an indefinite one: athens kept the write.
    expect(outcome).toBeInstanceOf(QuorumFailedError);
    expect((outcome as QuorumFailedError).outcome).toBe("indefinite");
    expect([...(outcome as QuorumFailedError).failures.values()][0]).toBeInstanceOf(
      UnreachableError,
    );
    expect(store("athens").stored("author")?.value).toBe("Martin");

    for (const heal of cut) heal();
    sim.network.blockLink("cyrene", "byzantium"); // cyrene's read quorum is itself and athens
    const [read] = await sim.runUntilSettled([store("cyrene").get("author")]);
    expect(read?.value).toBe("Martin"); // the failed write surfaced (documented behaviour)
  });

  it("tracker-settles-once", async () => {
    const set = QuorumSet.majority(["athens", "byzantium", "cyrene"]);
    const failing = new QuorumTracker<boolean>(set, { isSuccess: (ok) => ok });
    let failures = 0;
    const failed = failing.wait().catch(() => failures++);
    failing.onResponse("athens", false);
    failing.onResponse("byzantium", false);
    expect(failing.onError("cyrene", new Error("unreachable"))).toBe(false);
    await failed;
    expect(failures).toBe(1);
    expect(failing.state).toBe("impossible");

    const succeeding = new QuorumTracker<boolean>(set, { isSuccess: (ok) => ok });
    let successes = 0;
    const succeeded = succeeding.wait().then(() => successes++);
    succeeding.onResponse("athens", true);
    succeeding.onResponse("byzantium", true);
    expect(succeeding.onResponse("cyrene", true)).toBe(false);
    await succeeded;
    expect(successes).toBe(1);
    expect(succeeding.ignored).toBe(1);
    expect(succeeding.responses.size).toBe(2);
  });

  it("skewed-lww-vs-quorum-versions", async () => {
    const run = async (versions: "hybrid-clock" | "quorum-read") => {
      const { sim, store } = await kvCluster({
        seed: 3,
        versions,
        clockOffsetMs: { athens: 200, cyrene: 100 },
      });
      await sim.runUntilSettled([store("athens").put("x", "A")]);
      await sim.runFor(50); // B is written 50 ms after A completed
      await sim.runUntilSettled([store("cyrene").put("x", "B")]);
      const [read] = await sim.runUntilSettled([store("byzantium").get("x")]);
      return read?.value;
    };
    // Wall-clock versions: cyrene's clock is 100 ms behind athens's, so B's version is older.
    expect(await run("hybrid-clock")).toBe("A");
    // Quorum-read versions: B read A's version and wrote the next one.
    expect(await run("quorum-read")).toBe("B");
  });

  it("joint-quorum", () => {
    const set = QuorumSet.joint(
      QuorumSet.majority(["a", "b", "c"]),
      QuorumSet.majority(["c", "d", "e"]),
    );
    const acks = (ids: string[]) => {
      const tracker = new QuorumTracker(set);
      for (const id of ids) tracker.record(id, true);
      return tracker.state;
    };
    expect(acks(["a", "b", "c", "d"])).toBe("reached");
    expect(acks(["a", "b", "d"])).toBe("pending");
    const matchIndex = (ids: string[]) => new Map(ids.map((id) => [id, 1]));
    expect(committedIndex(matchIndex(["a", "b", "c", "d"]), set)).toBe(1);
    expect(committedIndex(matchIndex(["a", "b", "d"]), set)).toBe(0);
  });
});
