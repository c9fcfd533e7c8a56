import { NotLeaderError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { encodeCommand, KvStateMachine } from "../test/kv.ts";
import { fastTiming, plainKvNodes } from "../test/sim-cluster.ts";
import type { RaftMessage } from "./messages.ts";
import { ReplicatedLog } from "./replicated-log.ts";

function cluster(ids: string[], seed = 1) {
  return plainKvNodes(ids, { seed, replication: fastTiming });
}

const put = (key: string, value: string) => encodeCommand({ op: "put", key, value });

/** One node leading alone, every sync taking `syncLatencyMs`, once it has applied its no-op. */
async function loneLeader(seed: number, syncLatencyMs: number, requestTimeoutMs?: number) {
  const sim = new Simulation<RaftMessage>({ seed });
  const kv = new KvStateMachine();
  const node = sim.addNode("athens", {
    disk: { syncLatencyMs, latencyJitter: 0 },
    boot: ({ env, transport }) =>
      ReplicatedLog.start({
        ...fastTiming,
        ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
        env,
        transport,
        voters: ["athens"],
        stateMachine: kv,
      }),
  });
  await sim.runUntil(() => node.isBooted && node.instance.isLeader, { timeoutMs: 2_000 });
  const log = node.instance;
  await sim.runUntil(() => log.lastApplied >= 1, { timeoutMs: 2_000 });
  return { sim, log, kv };
}

describe("ReplicatedLog", () => {
  it("survives a power loss: the log replays, the vote and generation stay", async () => {
    const { sim, nodes, leader } = cluster(["athens"]);
    await sim.runUntil(() => leader() !== undefined, { timeoutMs: 2_000 });
    const node = nodes[0]!;
    const [applied] = await sim.runUntilSettled([node.instance.log.propose(put("k", "v1"))]);
    expect(applied).toEqual({ index: 2, generation: 1 });
    node.crash();
    const { log, kv } = await node.restart();
    expect(log.generation).toBe(1);
    expect(log.core.votedFor).toBe("athens");
    await sim.runUntil(() => log.isLeader && log.lastApplied >= 3, { timeoutMs: 2_000 });
    expect(log.generation).toBe(2);
    expect(kv.get("k")).toBe("v1");
    expect(kv.applied.map((command) => command.index)).toEqual([2]);
  });

  it("acknowledges a write only once a majority synced it", async () => {
    const { sim, nodes, leader } = cluster(["athens", "byzantium", "cyrene"]);
    await sim.runUntil(() => leader() !== undefined, { timeoutMs: 2_000 });
    const chief = leader()!;
    const followers = nodes.filter((node) => node !== chief);
    for (const follower of followers) sim.network.isolate(follower.id);
    let settled = false;
    const pending = chief.instance.log.propose(put("k", "v")).finally(() => {
      settled = true;
    });
    pending.catch(() => undefined);
    await sim.runFor(100);
    expect(settled).toBe(false);
    sim.network.heal();
    const [result] = await sim.runUntilSettled([pending]);
    expect(result.generation).toBeGreaterThan(0);
    const synced = followers.filter((node) => node.instance.log.core.durableIndex >= result.index);
    expect(synced.length).toBeGreaterThanOrEqual(1);
  });

  it("answers a committed proposal without waiting for the write in flight", async () => {
    const { sim, log } = await loneLeader(4, 20);
    const first = log.propose(put("a", "1"));
    await sim.runFor(5);
    // Proposed while the first one's fsync runs: it is written next, after the first commits.
    const second = log.propose(put("b", "2"));
    const durableWhenFirstAnswered = first.then(() => log.core.durableIndex);
    const [firstApplied, durable, secondApplied] = await sim.runUntilSettled([
      first,
      durableWhenFirstAnswered,
      second,
    ]);
    expect(secondApplied.index).toBe(firstApplied.index + 1);
    expect(durable).toBe(firstApplied.index);
  });

  it("lets proposals made during a write enter the log together, each answered with its own entry", async () => {
    const { sim, log, kv } = await loneLeader(5, 20);
    const first = log.propose(put("first", "0"));
    await sim.runFor(5);
    // The first write's fsync runs: these wait for it, then enter the log in proposal order.
    const held = ["a", "b", "c", "d"].map((key) => log.propose(put(key, key)));
    expect(log.core.log.lastIndex).toBe(2);
    const [firstApplied, ...heldApplied] = await sim.runUntilSettled([first, ...held]);
    expect(heldApplied.map((applied) => applied.index)).toEqual(
      [1, 2, 3, 4].map((offset) => firstApplied.index + offset),
    );
    for (const [at, applied] of heldApplied.entries()) {
      const command = kv.applied.find((entry) => entry.index === applied.index)!.command;
      expect(command).toEqual(put("abcd"[at]!, "abcd"[at]!));
    }
  });

  it("fails proposals still waiting for a write definitely when the log closes", async () => {
    const { sim, log } = await loneLeader(6, 20);
    const first = log.propose(put("first", "0")).catch((error: unknown) => error);
    await sim.runFor(5);
    const waiting = log.propose(put("late", "1")).catch((error: unknown) => error);
    const [, outcome] = await sim.runUntilSettled([log.close(), waiting, first]);
    expect(outcome).toMatchObject({ name: "ClosedError", outcome: "definite" });
    expect(log.core.log.lastIndex).toBe(2);
  });

  it("times out a proposal waiting for a write that does not finish (a stalled disk)", async () => {
    // Every sync takes longer than a proposal may wait.
    const { sim, log } = await loneLeader(7, 150, 100);
    const first = log.propose(put("first", "0")).catch((error: unknown) => error);
    await sim.runFor(5);
    let outcome: unknown;
    void log.propose(put("late", "1")).catch((error: unknown) => (outcome = error));
    await sim.runFor(120);
    // It timed out while the write still ran (it ends at 150 ms)...
    expect(outcome).toMatchObject({ name: "TimeoutError" });
    await sim.runUntilSettled([first]);
    await sim.runFor(500);
    // ...so it never entered the log.
    expect(log.core.log.lastIndex).toBe(2);
  });

  it("refuses a write on a follower with a hint, and serves reads there (follower ReadIndex)", async () => {
    const { sim, nodes, leader } = cluster(["athens", "byzantium", "cyrene"], 2);
    await sim.runUntil(() => leader() !== undefined, { timeoutMs: 2_000 });
    const chief = leader()!.instance;
    await sim.runUntilSettled([chief.log.propose(put("k", "v"))]);
    const follower = nodes.find((node) => !node.instance.log.isLeader)!.instance;
    await expect(follower.log.propose(put("k", "w"))).rejects.toMatchObject({
      name: "NotLeaderError",
      outcome: "definite",
      leaderHint: chief.log.id,
    });
    const [index] = await sim.runUntilSettled([follower.log.read()]);
    expect(index).toBeGreaterThanOrEqual(2);
    expect(follower.kv.get("k")).toBe("v");
  });

  it("fails waiting proposals indefinitely when leadership is lost", async () => {
    const { sim, leader } = cluster(["athens", "byzantium", "cyrene"], 3);
    await sim.runUntil(() => leader() !== undefined, { timeoutMs: 2_000 });
    const chief = leader()!;
    sim.network.isolate(chief.id);
    const pending = chief.instance.log.propose(put("k", "lost"));
    const [outcome] = await sim.runUntilSettled([
      pending.then(
        () => "ok",
        (error: unknown) => error,
      ),
    ]);
    expect(outcome).toMatchObject({ name: "LeadershipLostError", outcome: "indefinite" });
    await expect(chief.instance.log.propose(put("k", "x"))).rejects.toBeInstanceOf(NotLeaderError);
  });

  it("closes: later calls fail with ClosedError", async () => {
    const { sim, nodes, leader } = cluster(["athens"]);
    await sim.runUntil(() => leader() !== undefined, { timeoutMs: 2_000 });
    const { log } = nodes[0]!.instance;
    await sim.runUntilSettled([log.close()]);
    expect(log.closed).toBe(true);
    await expect(log.propose(put("k", "v"))).rejects.toMatchObject({ name: "ClosedError" });
    await expect(log.read()).rejects.toMatchObject({ name: "ClosedError" });
  });
});
