import { InvariantError } from "@pods/core-interfaces";
import { quorumIndex } from "@pods/majority-quorum";
import { describe, expect, it } from "vitest";
import { HighWaterMark, NotCommittedError, planAppend } from "../src/index.ts";
import { GenerationHistory } from "@pods/generation-clock";
import { replicationCluster } from "./replication-harness.ts";

// The acceptance scenarios of PATTERNS.md, "8. High-Water Mark", one test each.

describe("high-water mark: acceptance scenarios", () => {
  it("uncommitted-entry-replaced", async () => {
    const members = ["athens", "byzantium", "cyrene"];
    const { sim, node, replica, elect, recorder } = await replicationCluster({ seed: 1, members });
    await sim.runUntilSettled([elect("athens", { noop: false })]);
    const athens = replica("athens");
    await sim.runUntilSettled(["a", "b", "c"].map((c) => athens.propose(c)));
    await sim.runFor(200);
    for (const id of members)
      expect(
        replica(id)
          .log()
          .map((e) => e.command),
      ).toEqual(["a", "b", "c"]);

    // Entry 4 reaches only athens's own log; then athens crashes.
    sim.network.isolate("athens");
    void athens.propose("lost").catch(() => undefined);
    await sim.runFor(20);
    expect(athens.log().map((e) => e.command)).toEqual(["a", "b", "c", "lost"]);
    node("athens").crash();
    sim.network.heal();

    const [generation] = await sim.runUntilSettled([elect("byzantium")]);
    await sim.runUntilSettled(["d", "e"].map((c) => replica("byzantium").propose(c)));
    await node("athens").restart();
    await sim.runFor(500);

    const expected = [
      { generation: 1, command: "a" },
      { generation: 1, command: "b" },
      { generation: 1, command: "c" },
      { generation, command: `noop@${generation}` },
      { generation, command: "d" },
      { generation, command: "e" },
    ];
    for (const id of members) {
      expect(replica(id).log()).toEqual(expected);
      expect(replica(id).mark.mark).toBe(6);
    }
    expect(recorder.applies.some((a) => a.command === "lost")).toBe(false);
  });

  it("minority-entry-invisible", async () => {
    const members = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];
    const { sim, replica, elect } = await replicationCluster({ seed: 2, members });
    await sim.runUntilSettled([elect("athens")]);
    await sim.runFor(200); // the no-op commits
    const athens = replica("athens");
    const cut = ["cyrene", "delphi", "ephesus"].map((id) => sim.network.blockLink("athens", id));
    const applied = athens.propose("x=1");
    await sim.runFor(200);
    const index = athens.wal.lastIndex;
    expect(replica("byzantium").wal.lastIndex).toBe(index); // held by the leader and one follower
    const refused = await athens.mark.readCommitted(index, athens.wal).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotCommittedError);
    expect(athens.state).not.toContain("x=1");

    for (const heal of cut) heal();
    expect(await sim.runUntilSettled([applied])).toEqual(["applied x=1"]);
    const [entry] = await sim.runUntilSettled([athens.mark.readCommitted(index, athens.wal)]);
    expect(new TextDecoder().decode(entry.payload)).toBe("x=1");
    expect(athens.state).toContain("x=1");
  });

  it("mark-spreads-by-heartbeat", async () => {
    const members = ["athens", "byzantium", "cyrene"];
    const heartbeatMs = 50;
    const latencyMaxMs = 5;
    const { sim, replica, elect } = await replicationCluster({
      seed: 3,
      members,
      heartbeatMs,
      network: { latency: { minMs: 1, maxMs: latencyMaxMs } },
    });
    await sim.runUntilSettled([elect("athens")]);
    await sim.runUntilSettled([replica("athens").propose("x")]);
    const target = replica("athens").mark.mark;
    const committedAtMs = sim.now;
    const reachedAtMs = new Map<string, number>();
    await sim.runUntil(() => {
      for (const id of ["byzantium", "cyrene"]) {
        if (!reachedAtMs.has(id) && replica(id).mark.mark >= target) reachedAtMs.set(id, sim.now);
      }
      return reachedAtMs.size === 2;
    });
    for (const atMs of reachedAtMs.values()) {
      expect(atMs - committedAtMs).toBeLessThanOrEqual(heartbeatMs + latencyMaxMs);
    }
  });

  it("formula", () => {
    expect(quorumIndex([5, 3, 9])).toBe(5);
    expect(quorumIndex([10, 10, 7, 3])).toBe(7);
    expect(quorumIndex([1, 2, 3, 4, 5])).toBe(3);
  });

  it("no-truncate-below-mark", async () => {
    const { sim, replica, elect } = await replicationCluster({
      seed: 4,
      members: ["athens", "byzantium", "cyrene"],
    });
    await sim.runUntilSettled([elect("athens", { noop: false })]);
    await sim.runUntilSettled(
      Array.from({ length: 12 }, (_, i) => replica("athens").propose(`c${i + 1}`)),
    );
    await sim.runFor(200);
    const follower = replica("byzantium");
    const mark = HighWaterMark.inMemory(10);
    expect(follower.wal.lastIndex).toBe(12);
    const before = follower.log();
    // A request whose entries conflict from index 9 on, with byzantium's mark at 10.
    const conflicting = [9, 10, 11].map((index) => ({ index, generation: 7 }));
    const attempt = () => planAppend(new GenerationHistory(follower.wal), 12, 8, conflicting, mark);
    expect(attempt).toThrow(InvariantError);
    expect(() => mark.guardTruncation(9)).toThrow(InvariantError);
    expect(follower.log()).toEqual(before);
    expect(follower.wal.lastIndex).toBe(12);
  });
});
