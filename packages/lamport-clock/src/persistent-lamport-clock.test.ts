import { ClosedError, CorruptionError, InvalidArgumentError, IOError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { addClockNode, outcome } from "../test/one-node.ts";
import { lamportTimestamp } from "./lamport-timestamp.ts";
import { PersistentLamportClock } from "./persistent-lamport-clock.ts";

async function oneNode(settings: Parameters<typeof addClockNode>[2] = {}) {
  const sim = new Simulation({ seed: 9 });
  const node = addClockNode(sim, "athens", settings);
  const clock = await node.ready();
  return { sim, node, clock };
}

describe("PersistentLamportClock", () => {
  it("on a first start begins at 0 and persists a ceiling one block ahead", async () => {
    const { node, clock } = await oneNode();
    expect(clock.peek()).toEqual(lamportTimestamp(0, "athens"));
    expect(clock.tick()).toEqual(lamportTimestamp(1, "athens"));
    expect(clock.persistence).toEqual({ ceiling: 1000, writes: 1, failures: 0, uncovered: 0 });
    const raw = node.disk.readRaw("lamport-clock.ceiling");
    expect(raw.durable).toEqual(raw.current);
    expect(new DataView(raw.durable.buffer).getBigUint64(4)).toBe(1000n);
    expect(node.disk.paths()).toEqual(["lamport-clock.ceiling"]);
  });

  it("after a crash continues from the persisted ceiling", async () => {
    const { node, clock } = await oneNode({ ceilingBlock: 50 });
    for (let i = 0; i < 10; i++) clock.tick();
    node.crash();
    const restarted = await node.restart();
    expect(restarted.peek()).toEqual(lamportTimestamp(50, "athens"));
    expect(restarted.tick()).toEqual(lamportTimestamp(51, "athens"));
    expect(restarted.persistence.ceiling).toBe(100);
  });

  it("moves the ceiling ahead in the background while events keep coming", async () => {
    const { sim, clock } = await oneNode({ ceilingBlock: 1000 });
    for (let step = 0; step < 500; step++) {
      for (let i = 0; i < 10; i++) clock.tick();
      expect(clock.peek().counter).toBeLessThanOrEqual(clock.persistence.ceiling);
      await sim.runFor(1);
    }
    expect(clock.persistence.writes).toBeGreaterThanOrEqual(10);
    expect(clock.persistence.writes).toBeLessThanOrEqual(12);
    expect(clock.persistence.uncovered).toBe(0);
  });

  it("issues past the ceiling when it must, and persisted() waits until it is covered", async () => {
    const { sim, clock } = await oneNode();
    const received = clock.receive(lamportTimestamp(50_000, "byzantium"));
    expect(received).toEqual(lamportTimestamp(50_001, "athens"));
    expect(clock.persistence.uncovered).toBe(1);
    expect(await outcome(sim, clock.persisted())).toBeUndefined();
    expect(clock.persistence.ceiling).toBe(51_001);
  });

  it("reports a failed ceiling write through persisted() and the logger, then retries", async () => {
    const { sim, node, clock } = await oneNode();
    node.disk.failNext("sync");
    clock.receive(lamportTimestamp(5000));
    expect(await outcome(sim, clock.persisted())).toBeInstanceOf(IOError);
    expect(clock.persistence.failures).toBe(1);
    expect(node.logs.filter((record) => record.level === "error").at(-1)?.event).toBe(
      "lamport-clock.persist-failed",
    );
    expect(await outcome(sim, clock.persisted())).toBeUndefined();
    expect(clock.persistence.ceiling).toBe(6001);
  });

  it("refuses to open on a damaged ceiling file and says how to recover", async () => {
    const sim = new Simulation({ seed: 4 });
    const node = sim.addNode("athens", {
      boot: ({ env }) =>
        PersistentLamportClock.open({ disk: env.disk }).catch((error: unknown) => error),
    });
    expect(await node.ready()).toBeInstanceOf(PersistentLamportClock);
    node.crash();
    node.disk.flipBit("lamport-clock.ceiling", 11, 0);
    const opened = await node.restart();
    expect(opened).toBeInstanceOf(CorruptionError);
    expect((opened as CorruptionError).file).toBe("lamport-clock.ceiling");
    expect((opened as Error).message).toMatch(/ceiling is damaged.*reuse timestamps/);
  });

  it("throws ClosedError once closed", async () => {
    const { sim, clock } = await oneNode({ path: "clocks/lamport" });
    clock.tick();
    await outcome(sim, clock.close());
    expect(() => clock.tick()).toThrow(ClosedError);
    expect(() => clock.receive(lamportTimestamp(3))).toThrow(ClosedError);
    expect(() => clock.observe(lamportTimestamp(3))).toThrow(ClosedError);
    expect(clock.peek().counter).toBe(1);
  });

  it("validates its options before touching the disk", () => {
    const disk = {} as never;
    const open = (options: object) => PersistentLamportClock.open({ disk, ...options });
    return Promise.all([
      expect(open({ ceilingBlock: 1 })).rejects.toThrow(/ceilingBlock must be an integer/),
      expect(open({ ceilingBlock: 2 ** 41 })).rejects.toThrow(InvalidArgumentError),
      expect(open({ path: "/abs" })).rejects.toThrow(InvalidArgumentError),
      expect(open({ nodeId: "a b" })).rejects.toThrow(InvalidArgumentError),
      expect(open({})).rejects.toThrow(/needs options.disk/),
    ]);
  });
});
