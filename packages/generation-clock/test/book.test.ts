import { isPodsError, type Env } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { WriteAheadLog } from "@pods/write-ahead-log";
import { describe, expect, it } from "vitest";
import {
  acceptsBallot,
  GenerationClock,
  GenerationFence,
  GenerationHistory,
  monotonicId,
  StaleGenerationError,
} from "../src/index.ts";
import { Server, type Message } from "./leader-fixture.ts";
import { votingCluster } from "./voting-cluster.ts";

// The acceptance scenarios of PATTERNS.md, "7. Generation Clock", one test each.

describe("generation clock: acceptance scenarios", () => {
  it("paused-leader-steps-down", async () => {
    const members = ["athens", "byzantium", "cyrene"];
    const sim = new Simulation<Message>({ seed: 1 });
    const nodes = members.map((id) =>
      sim.addNode(id, { boot: ({ env, transport }) => Server.start(members, env, transport) }),
    );
    for (const node of nodes) await node.ready();
    const [athens, byzantium, cyrene] = nodes.map((node) => node.instance) as [
      Server,
      Server,
      Server,
    ];
    await sim.runUntilSettled([athens.campaign()]);
    expect([athens.role, athens.clock.generation]).toEqual(["leader", 1]);
    await sim.runUntilSettled([athens.write()]);

    // A client write reaches athens just as it stalls: its appends do not get out in time.
    const cut = [
      sim.network.blockLink("athens", "byzantium"),
      sim.network.blockLink("athens", "cyrene"),
    ];
    const pending = athens.write().then(
      () => "acknowledged",
      (error: unknown) => error,
    );
    nodes[0]!.pause();
    for (const heal of cut) heal();
    // The election's requests never reach athens: it will learn of generation 2 from a refusal.
    const unheard = [
      sim.network.blockLink("byzantium", "athens"),
      sim.network.blockLink("cyrene", "athens"),
    ];
    await sim.runUntilSettled([byzantium.campaign()]);
    for (const heal of unheard) heal();
    expect([byzantium.role, byzantium.clock.generation, cyrene.clock.generation]).toEqual([
      "leader",
      2,
      2,
    ]);
    await sim.runFor(5_000);

    nodes[0]!.resume(); // athens still believes it leads generation 1 and resends its append
    const [outcome] = await sim.runUntilSettled([pending]);
    await sim.runUntilSettled([athens.clock.flushed()]);
    await sim.runFor(10);
    expect(athens.lastRejection).toBeInstanceOf(StaleGenerationError);
    expect(athens.lastRejection).toMatchObject({
      generation: 1,
      currentGeneration: 2,
      outcome: "definite",
    });
    expect([athens.role, athens.clock.generation, athens.clock.votedFor]).toEqual([
      "follower",
      2,
      undefined,
    ]);
    expect(isPodsError(outcome) && outcome.outcome).toBe("indefinite");
    expect(athens.clock.durable.generation).toBe(2);
  });

  it("restart-keeps-generation", async () => {
    const sim = new Simulation({ seed: 2 });
    const boot = async ({ env }: { env: Env }) => {
      const wal = await WriteAheadLog.open(env);
      const clock = await GenerationClock.open({ disk: env.disk, log: wal, logger: env.logger });
      return { wal, clock };
    };
    const node = sim.addNode("athens", { boot });
    const { wal, clock } = await node.ready();
    const payload = new Uint8Array([1]);
    await sim.runUntilSettled([
      (async () => {
        await clock.adopt(1);
        await wal.append({ payload, generation: 1 });
        await wal.append({ payload, generation: 1 });
        await clock.vote(3, "cyrene");
        await wal.append({ payload, generation: 3 });
      })(),
    ]);
    node.crash();
    const restarted = await node.restart();
    expect(restarted.clock.generation).toBeGreaterThanOrEqual(3);
    expect(restarted.clock.votedFor).toBe("cyrene");
    expect(restarted.wal.lastGeneration).toBe(3);
    expect(new GenerationHistory(restarted.wal).starts()).toEqual([
      { generation: 0, firstIndex: 0 },
      { generation: 1, firstIndex: 1 },
      { generation: 3, firstIndex: 3 },
    ]);

    // Even with the state file lost, the log's generation is the floor.
    await sim.runUntilSettled([restarted.wal.close(), restarted.clock.flushed()]);
    await sim.runUntilSettled([node.env.disk.remove("generation-clock/state")]);
    node.crash();
    const again = await node.restart();
    expect(again.clock.generation).toBe(3);
    expect(node.logs.map((r) => r.event)).toContain("generation-clock.behind-log");
  });

  it("voting-hands-out-numbers", async () => {
    const members = ["athens", "byzantium", "cyrene"];
    const { sim, node } = await votingCluster({ seed: 3, members });
    for (const expected of [1, 2, 3]) {
      const [generation] = await sim.runUntilSettled([node("athens").instance.voting.next()]);
      expect(generation).toBe(expected);
      await sim.runFor(50); // the last member's grant lands
      expect(members.map((id) => node(id).instance.clock.generation)).toEqual([
        expected,
        expected,
        expected,
      ]);
    }
  });

  it("voting-with-failures", async () => {
    const members = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];
    const { sim, node } = await votingCluster({ seed: 4, members });
    const generationOf = (id: string) => node(id).instance.clock.generation;
    const cutAthens = [
      sim.network.blockLink("athens", "byzantium", { mode: "refuse" }),
      sim.network.blockLink("athens", "ephesus", { mode: "refuse" }),
    ];
    expect(await sim.runUntilSettled([node("athens").instance.voting.next()])).toEqual([1]);
    await sim.runFor(50);
    expect(["athens", "cyrene", "delphi"].map(generationOf)).toEqual([1, 1, 1]);
    for (const heal of cutAthens) heal();

    sim.network.blockLink("ephesus", "athens", { mode: "refuse" });
    sim.network.blockLink("ephesus", "cyrene", { mode: "refuse" });
    expect(await sim.runUntilSettled([node("ephesus").instance.voting.next()])).toEqual([2]);
    await sim.runFor(50);
    expect(["byzantium", "delphi", "ephesus"].map(generationOf)).toEqual([2, 2, 2]);

    const handedOut = [1, 2];
    for (let i = 0; i < 10; i++) {
      const coordinator = i % 2 === 0 ? "athens" : "ephesus";
      const [generation] = await sim.runUntilSettled([node(coordinator).instance.voting.next()]);
      expect(generation).toBeGreaterThan(handedOut[handedOut.length - 1]!);
      handedOut.push(generation);
    }
    expect(new Set(handedOut).size).toBe(12);
  });

  it("ballot-order", () => {
    const promised = monotonicId(2, "byzantium");
    expect(acceptsBallot(promised, monotonicId(2, "athens"))).toBe(false);
    expect(acceptsBallot(promised, monotonicId(3, "athens"))).toBe(true);
  });

  it("fencing-helper", () => {
    const store = new GenerationFence(4);
    expect(() => store.check(3, "write")).toThrow(StaleGenerationError);
    expect(() => store.check(4, "write")).not.toThrow();
    expect(() => store.check(5, "write")).not.toThrow();
    expect(store.highest).toBe(5);
  });
});
