import { PodsError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { quorumSetOf } from "../src/membership.ts";
import type { RaftMessage } from "../src/messages.ts";
import { ReplicatedLog } from "../src/replicated-log.ts";
import { CoreCluster } from "./core-cluster.ts";
import { encodeCommand, KvStateMachine, type KvApplied } from "./kv.ts";
import { fastTiming, names, plainKvNodes, snapshotting } from "./sim-cluster.ts";

// The acceptance scenarios of PATTERNS.md §10 that this package implements. The first three
// script protocol cores message by message (test/core-cluster.ts); the fourth runs the driver in
// the simulator.

const text = (value: string) => new TextEncoder().encode(value);

describe("PATTERNS.md §10 acceptance scenarios", () => {
  it("book-five-node-election", () => {
    // Elections only when the test says so; the book's generation 2 is a real election.
    const cluster = new CoreCluster(names.slice(0, 5), {
      electionTimeoutMs: 10_000,
      heartbeatIntervalMs: 10,
      preVote: false,
      checkQuorum: false,
    });
    const [athens, byzantium, , delphi, ephesus] = names.slice(0, 5).map((id) => cluster.core(id));
    ephesus!.campaign();
    cluster.settle();
    expect([ephesus!.isLeader, ephesus!.generation]).toEqual([true, 1]);

    // The generation-1 entry reaches ephesus, delphi and athens only; no acknowledgement returns.
    cluster.dropIf = ({ from, to, message }) =>
      (from === "ephesus" && (to === "byzantium" || to === "cyrene")) ||
      message.type === "append-response";
    ephesus!.propose([text("gen-1 entry")]);
    cluster.settle();
    for (const core of [ephesus!, delphi!, athens!]) expect(core.log.lastIndex).toBe(2);
    expect(ephesus!.commitIndex).toBe(1);
    cluster.dropIf = () => false;
    cluster.cut.add("ephesus").add("delphi");

    byzantium!.campaign();
    cluster.settle();
    expect(byzantium!.generation).toBe(2);
    expect(byzantium!.election.votes).toEqual(
      new Map([
        ["byzantium", true],
        ["cyrene", true],
        ["athens", false],
      ]),
    );
    expect(cluster.leader()).toBe(ephesus); // the cut-off one still believes; nobody else leads

    const commits: number[] = [];
    cluster.dropIf = () => {
      if (commits.at(-1) !== athens!.commitIndex) commits.push(athens!.commitIndex);
      return false;
    };
    athens!.campaign();
    cluster.advance(20);
    expect([athens!.isLeader, athens!.generation]).toEqual([true, 3]);
    expect(athens!.election.votes.get("byzantium")).toBe(true);
    expect(athens!.election.votes.get("cyrene")).toBe(true);
    // The generation-1 entry is replicated, with athens's no-op after it...
    expect(cluster.logOf("byzantium")).toEqual([
      [1, 1],
      [2, 1],
      [3, 3],
    ]);
    // ...and the commit index jumps over it only once the no-op is stored on a majority.
    expect(commits).toEqual([1, 3]);
    expect(byzantium!.commitIndex).toBe(3);

    cluster.cut.clear();
    cluster.advance(20);
    expect([ephesus!.isLeader, ephesus!.role, ephesus!.generation]).toEqual([false, "follower", 3]);
    for (const id of names.slice(0, 5)) expect(cluster.logOf(id)).toEqual(cluster.logOf("athens"));
  });

  it("lagging-follower-catches-up", () => {
    const cluster = new CoreCluster(names.slice(0, 3));
    cluster.advanceUntil(() => cluster.leader() !== undefined);
    const leader = cluster.leader()!;
    const lagging = names.slice(0, 3).find((id) => id !== leader.selfId && id !== "athens")!;
    cluster.advance(20);
    cluster.cut.add(lagging);
    for (let n = 0; n < 50; n++) {
      cluster.propose(`entry ${n}`);
      cluster.advance(1);
    }
    expect(leader.commitIndex).toBe(51);
    let appendsToLagging = 0;
    cluster.dropIf = ({ to, message }) => {
      if (to === lagging && message.type === "append") appendsToLagging++;
      return false;
    };
    cluster.cut.clear();
    cluster.advanceUntil(() => cluster.core(lagging).log.lastIndex === 51, 200);
    cluster.advance(20);
    expect(appendsToLagging).toBeLessThanOrEqual(5);
    expect(cluster.logOf(lagging)).toEqual(cluster.logOf(leader.selfId));
    expect(cluster.appliedTexts(lagging)).toHaveLength(50);
  });

  it("conflicting-suffix-truncated", () => {
    const ids = names.slice(0, 3);
    const cluster = new CoreCluster(ids);
    cluster.core("athens").campaign();
    cluster.settle();
    for (let n = 2; n <= 5; n++) cluster.propose(`committed ${n}`);
    cluster.advance(20);
    const former = cluster.core("athens");
    expect([former.generation, former.commitIndex]).toEqual([1, 5]);

    cluster.cut.add("athens");
    for (let n = 6; n <= 8; n++) former.propose([text(`uncommitted ${n}`)]);
    cluster.settle();
    expect(cluster.logOf("athens").slice(5)).toEqual([
      [6, 1],
      [7, 1],
      [8, 1],
    ]);
    cluster.advanceUntil(() => (cluster.leader() ?? former) !== former);
    const successor = cluster.leader()!;
    expect(successor.generation).toBe(2);
    successor.propose([text("generation 2")]);
    cluster.advance(20);
    expect(cluster.logOf(successor.selfId).slice(5)).toEqual([
      [6, 2],
      [7, 2],
    ]);

    cluster.cut.clear();
    cluster.advance(50);
    expect(former.isLeader).toBe(false);
    expect(cluster.logOf("athens")).toEqual(cluster.logOf(successor.selfId));
    expect(cluster.appliedTexts("athens")).toEqual([
      "committed 2",
      "committed 3",
      "committed 4",
      "committed 5",
      "generation 2",
    ]);
  });

  it("isolated-leader-write-never-acked", async () => {
    const ids = names.slice(0, 5);
    const sim = new Simulation<RaftMessage>({ seed: 6 });
    const nodes = ids.map((id) =>
      sim.addNode(id, {
        boot: ({ env, transport }) =>
          ReplicatedLog.start({
            ...fastTiming,
            env,
            transport,
            voters: ids,
            stateMachine: new KvStateMachine(),
          }),
      }),
    );
    const leader = () => nodes.find((node) => node.isBooted && node.instance.isLeader);
    await sim.runUntil(() => leader() !== undefined, { timeoutMs: 5_000 });
    const old = leader()!.instance;
    const minority = [old.id, ids.find((id) => id !== old.id)!];
    const heal = sim.network.partition(
      minority,
      ids.filter((id) => !minority.includes(id)),
    );
    const write = old.propose(encodeCommand({ op: "put", key: "k", value: "minority" }));
    const [outcome] = await sim.runUntilSettled([
      write.then(
        () => "acknowledged",
        (e: unknown) => e,
      ),
    ]);
    expect(outcome).toBeInstanceOf(PodsError);
    expect((outcome as PodsError).outcome).toBe("indefinite");
    const uncommitted = old.core.log.lastIndex;
    expect(old.core.log.entry(uncommitted).generation).toBe(old.generation);

    await sim.runUntil(() => leader() !== undefined && leader()!.instance !== old, {
      timeoutMs: 5_000,
    });
    const successor = leader()!.instance;
    expect(successor.generation).toBeGreaterThan(old.core.log.entry(uncommitted).generation);
    const [applied] = await sim.runUntilSettled([
      successor.propose(encodeCommand({ op: "put", key: "k", value: "majority" })),
    ]);
    expect(applied.index).toBeLessThanOrEqual(uncommitted + 1);

    heal();
    await sim.runUntil(() => old.lastApplied >= applied.index, { timeoutMs: 5_000 });
    const entries = (log: ReplicatedLog<KvApplied>) =>
      Array.from({ length: log.core.log.lastIndex }, (_, i) => log.core.log.generationAt(i + 1));
    expect(entries(old).slice(0, applied.index)).toEqual(
      entries(successor).slice(0, applied.index),
    );
    const payloads = Array.from({ length: old.core.log.lastIndex }, (_, i) =>
      new TextDecoder().decode(old.core.log.entry(i + 1).payload),
    );
    expect(payloads.some((payload) => payload.includes("minority"))).toBe(false);
  });

  it("snapshot-catch-up", async () => {
    const ids = names.slice(0, 3);
    const { sim, nodes, leader } = plainKvNodes(ids, { seed: 5, replication: snapshotting });
    await sim.runUntil(() => leader() !== undefined, { timeoutMs: 5_000 });
    const chief = leader()!.instance;
    const down = nodes.find((node) => node.instance !== chief)!;
    const [before] = await sim.runUntilSettled([
      chief.log.propose(encodeCommand({ op: "put", key: "k", value: "0" })),
    ]);
    await sim.runUntil(() => down.instance.log.lastApplied >= before.index, { timeoutMs: 1_000 });
    const downLastIndex = down.instance.log.core.log.lastIndex;
    down.crash();

    for (let n = 1; n <= 60; n++) {
      await sim.runUntilSettled([
        chief.log.propose(encodeCommand({ op: "append", key: "k", value: `,${n}` })),
      ]);
    }
    expect(chief.log.core.log.firstIndex).toBeGreaterThan(downLastIndex + 1);
    const snapshot = chief.log.core.snapshot!;

    const back = await down.restart();
    await sim.runUntil(() => back.log.lastApplied === chief.log.lastApplied, {
      timeoutMs: 5_000,
    });
    expect(back.log.core.snapshot!.index).toBeGreaterThanOrEqual(snapshot.index);
    expect(back.log.core.log.firstIndex).toBe(back.log.core.snapshot!.index + 1);
    expect(back.kv.data).toEqual(chief.kv.data);
    expect(back.kv.get("k").split(",")).toHaveLength(61);
    // The tail after the snapshot came as entries, applied one by one.
    const [after] = await sim.runUntilSettled([
      chief.log.propose(encodeCommand({ op: "append", key: "k", value: ",tail" })),
    ]);
    await sim.runUntil(() => back.log.lastApplied >= after.index, { timeoutMs: 1_000 });
    expect(back.kv.applied.at(-1)!.index).toBe(after.index);
    expect(back.kv.get("k")).toBe(chief.kv.get("k"));
  });

  it("add-and-remove-members", async () => {
    const [athens, byzantium, cyrene, delphi] = names;
    const founders = [athens, byzantium, cyrene];
    const { sim, nodes, leader } = plainKvNodes([...founders, delphi], {
      seed: 9,
      replication: fastTiming,
      voters: founders,
      learners: [delphi],
    });
    await sim.runUntil(() => leader() !== undefined, { timeoutMs: 5_000 });
    if (leader()!.id === byzantium) {
      leader()!.instance.log.transferLeadership(cyrene);
      await sim.runUntil(() => leader()?.id === cyrene, { timeoutMs: 5_000 });
    }
    const chief = leader()!.instance;
    await sim.runUntilSettled([chief.log.read()]); // its first entry is applied
    expect(nodes[3]!.instance.log.role).toBe("learner");

    const acknowledged: string[] = [];
    let writing = true;
    const writer = sim.spawn("writer", async () => {
      for (let n = 0; writing; n++) {
        await chief.log.propose(encodeCommand({ op: "put", key: `k${n}`, value: `${n}` }));
        acknowledged.push(`k${n}`);
        await sim.sleep(5);
      }
    });

    const [withLearner] = await sim.runUntilSettled([
      chief.log.changeMembership({ kind: "add-learner", node: delphi }),
    ]);
    expect(withLearner).toMatchObject({ voters: founders, learners: [delphi] });
    const learner = nodes[3]!.instance;
    const caughtUp = () =>
      (chief.log.core.progress(delphi)?.matchIndex ?? 0) >= chief.log.commitIndex;
    await sim.runUntil(caughtUp, { timeoutMs: 5_000 });
    expect(learner.kv.data.size).toBeGreaterThan(0); // it receives the log without voting
    const [promoted] = await sim.runUntilSettled([
      chief.log.changeMembership({ kind: "promote", node: delphi }),
    ]);
    expect(promoted.voters).toEqual([athens, byzantium, cyrene, delphi]);
    expect(quorumSetOf(promoted).hasQuorum([athens, cyrene])).toBe(false); // 3 of 4 now
    await sim.runUntil(() => learner.log.role === "follower", { timeoutMs: 5_000 });

    const [shrunk] = await sim.runUntilSettled([
      chief.log.changeMembership({ kind: "remove", node: byzantium }),
    ]);
    expect(shrunk).toMatchObject({ voters: [athens, cyrene, delphi], learners: [] });
    await sim.runFor(200);
    writing = false;
    await sim.runUntilSettled([writer]);
    expect(acknowledged.length).toBeGreaterThan(20);
    expect(chief.log.isLeader).toBe(true);

    const members = nodes.filter((node) => node.id !== byzantium).map((node) => node.instance);
    await sim.runUntil(
      () => members.every((member) => member.log.lastApplied === chief.log.lastApplied),
      { timeoutMs: 5_000 },
    );
    for (const member of members) {
      expect(member.log.membership.voters).toEqual([athens, cyrene, delphi]);
      for (const key of acknowledged) expect(member.kv.get(key)).not.toBe("");
      expect(member.kv.data).toEqual(chief.kv.data);
    }
  });
});
