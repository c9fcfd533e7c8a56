import { NotLeaderError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { CoreCluster } from "../test/core-cluster.ts";
import { entryTypes } from "./entry.ts";
import { UncommittedLimitError } from "./errors.ts";

const three = ["athens", "byzantium", "cyrene"];

function elected(ids = three, options = {}): CoreCluster {
  const cluster = new CoreCluster(ids, options);
  cluster.advanceUntil(() => cluster.leader() !== undefined);
  cluster.advance(30);
  return cluster;
}

describe("RaftCore", () => {
  it("elects one leader, which commits a no-op of its generation first", () => {
    const cluster = elected();
    const leader = cluster.leader()!;
    expect([...cluster.cores.values()].filter((core) => core.isLeader)).toHaveLength(1);
    const first = leader.log.entry(1);
    expect(first.type).toBe(entryTypes.noop);
    expect(first.generation).toBe(leader.generation);
    for (const id of three) expect(cluster.core(id).commitIndex).toBe(1);
  });

  it("replicates, commits and applies in order on every node, identically", () => {
    const cluster = elected();
    for (let n = 0; n < 20; n++) cluster.propose(`put ${n}`);
    cluster.advance(50);
    const expected = Array.from({ length: 20 }, (_, n) => `put ${n}`);
    for (const id of three) {
      expect(cluster.appliedTexts(id)).toEqual(expected);
      expect(cluster.logOf(id)).toEqual(cluster.logOf(cluster.leader()!.selfId));
      expect(cluster.core(id).commitIndex).toBe(21);
    }
  });

  it("batches proposals made together into one append per follower", () => {
    const cluster = elected();
    const before = cluster.sent.get("append") ?? 0;
    for (let n = 0; n < 50; n++) cluster.propose(`v${n}`);
    cluster.settle();
    // One append per follower with the batch, then one per follower carrying the commit index.
    expect((cluster.sent.get("append") ?? 0) - before).toBe(4);
    expect(cluster.appliedTexts("cyrene")).toHaveLength(50);
  });

  it("counts the leader only after its own write is durable", () => {
    const cluster = new CoreCluster(["athens"]);
    const core = cluster.core("athens");
    core.campaign();
    const ready = core.ready()!;
    expect(core.isLeader).toBe(true);
    expect(ready.logChanges).toHaveLength(1);
    expect(core.commitIndex).toBe(0);
    core.persisted(1, core.generation);
    expect(core.commitIndex).toBe(1);
    expect(core.ready()!.committedEntries.map((entry) => entry.index)).toEqual([1]);
  });

  it("refuses proposals definitely off the leader and beyond the uncommitted cap", () => {
    const cluster = elected(three, { uncommittedBytesMax: 10 });
    const follower = [...cluster.cores.values()].find((core) => !core.isLeader)!;
    expect(() => follower.propose([new Uint8Array(1)])).toThrow(NotLeaderError);
    const leader = cluster.leader()!;
    cluster.cut.add(follower.selfId);
    const other = three.find((id) => id !== follower.selfId && id !== leader.selfId)!;
    cluster.cut.add(other);
    leader.propose([new Uint8Array(8)]);
    let error: unknown;
    try {
      leader.propose([new Uint8Array(8)]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UncommittedLimitError);
    expect((error as UncommittedLimitError).outcome).toBe("definite");
  });

  it("a lagging follower catches up in a few round trips, not one per entry", () => {
    const cluster = elected();
    const leaderId = cluster.leader()!.selfId;
    const lagging = three.find((id) => id !== leaderId)!;
    cluster.cut.add(lagging);
    for (let n = 0; n < 50; n++) {
      cluster.propose(`e${n}`);
      cluster.advance(2);
    }
    const before = cluster.sent.get("append-response") ?? 0;
    cluster.cut.delete(lagging);
    cluster.advance(40);
    expect(cluster.logOf(lagging)).toEqual(cluster.logOf(leaderId));
    expect(cluster.appliedTexts(lagging)).toHaveLength(50);
    expect((cluster.sent.get("append-response") ?? 0) - before).toBeLessThan(20);
  });

  it("truncates a conflicting uncommitted suffix and converges", () => {
    const cluster = elected();
    const old = cluster.leader()!;
    for (const id of three) if (id !== old.selfId) cluster.cut.add(id);
    cluster.cut.add(old.selfId);
    for (let n = 0; n < 3; n++) old.propose([new TextEncoder().encode(`lost ${n}`)]);
    cluster.settle();
    expect(old.log.lastIndex).toBe(4);
    cluster.cut.clear();
    cluster.cut.add(old.selfId);
    cluster.advanceUntil(() => {
      const leader = cluster.leader();
      return leader !== undefined && leader !== old && leader.generation > old.generation;
    });
    cluster.propose("kept");
    cluster.advance(20);
    cluster.cut.clear();
    cluster.advance(200);
    const leaderId = cluster.leader()!.selfId;
    for (const id of three) {
      expect(cluster.logOf(id)).toEqual(cluster.logOf(leaderId));
      expect(cluster.appliedTexts(id)).toEqual(["kept"]);
    }
  });

  it("confirms a read index with a heartbeat round, and refuses it off the leader", () => {
    const cluster = elected();
    const leader = cluster.leader()!;
    cluster.propose("x");
    cluster.advance(5);
    leader.readIndex(7);
    cluster.settle();
    expect(cluster.readStates.get(leader.selfId)).toContainEqual({
      id: 7,
      from: undefined,
      index: 2,
    });
    const follower = three.find((id) => id !== leader.selfId)!;
    cluster.core(follower).readIndex(8);
    cluster.settle();
    expect(cluster.readStates.get(follower)).toContainEqual({ id: 8, from: undefined, index: 2 });
  });

  it("serves lease reads only while a quorum confirmed the leader recently", () => {
    const cluster = elected(three, { leaseReads: true });
    const leader = cluster.leader()!;
    cluster.advance(20);
    expect(leader.leaseReadIndex()).toBe(1);
    for (const id of three) if (id !== leader.selfId) cluster.cut.add(id);
    cluster.advance(100);
    expect(leader.leaseReadIndex()).toBeUndefined();
  });

  it("refuses lease reads after an abandoned transfer until a round started after it confirms", () => {
    const cluster = elected(three, { leaseReads: true });
    const leader = cluster.leader()!;
    cluster.advance(20);
    const [target, other] = three.filter((id) => id !== leader.selfId) as [string, string];
    cluster.cut.add(target);
    leader.transferLeadership(target);
    expect(leader.leaseReadIndex()).toBeUndefined();
    // Rounds confirmed during the transfer must not lend a lease once it is given up: the target
    // may have campaigned (skipping the voters' lease check) and won meanwhile.
    cluster.advanceUntil(() => leader.election.transferTarget === undefined);
    cluster.cut.add(other);
    expect(leader.isLeader).toBe(true);
    expect(leader.leaseReadIndex()).toBeUndefined();
    cluster.cut.delete(other);
    cluster.advance(30);
    expect(leader.leaseReadIndex()).toBe(leader.commitIndex);
  });

  it("an isolated leader steps down (CheckQuorum) and its reads are refused", () => {
    const cluster = elected();
    const leader = cluster.leader()!;
    cluster.cut.add(leader.selfId);
    leader.readIndex(1);
    cluster.advance(150);
    expect(leader.isLeader).toBe(false);
    expect(cluster.readStates.get(leader.selfId)).toContainEqual({
      id: 1,
      from: undefined,
      index: undefined,
    });
  });

  it("hands leadership over to a caught-up voter", () => {
    const cluster = elected();
    const leader = cluster.leader()!;
    const target = three.find((id) => id !== leader.selfId)!;
    cluster.propose("before");
    leader.transferLeadership(target);
    expect(() => leader.propose([new Uint8Array(1)])).toThrow(NotLeaderError);
    cluster.advance(20);
    expect(cluster.leader()!.selfId).toBe(target);
    expect(cluster.appliedTexts(target)).toEqual(["before"]);
  });

  it("stamps cluster time from the leader's elapsed time, never decreasing across leaders", () => {
    const cluster = elected();
    cluster.propose("a");
    cluster.advance(50);
    cluster.propose("b");
    cluster.advance(5);
    const times = cluster.applied.get("athens")!.map((entry) => entry.clusterTimeMs);
    expect(times.at(-1)! - times.at(-2)!).toBe(50);
    const leader = cluster.leader()!;
    leader.transferLeadership(three.find((id) => id !== leader.selfId)!);
    cluster.advance(30);
    cluster.propose("c");
    cluster.advance(5);
    const all = cluster.applied.get("athens")!.map((entry) => entry.clusterTimeMs);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
  });
});
