import { ClosedError, CorruptionError, InvalidArgumentError, IOError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { addClockNode, outcome } from "../test/one-node.ts";
import { ManualClock } from "../test/arbitraries.ts";
import { compareHybridTimestamps, hybridTimestamp } from "./hybrid-timestamp.ts";
import { PersistentHybridClock } from "./persistent-hybrid-clock.ts";

const epochMs = 1_767_225_600_000;

async function oneNode(settings: Parameters<typeof addClockNode>[2] = {}) {
  const sim = new Simulation({ seed: 7, epochMs });
  const node = addClockNode(sim, "athens", settings);
  const clock = await node.ready();
  return { sim, node, clock };
}

describe("PersistentHybridClock", () => {
  it("on a first start begins at the wall clock and persists wall + persistWindowMs", async () => {
    const { node, clock } = await oneNode({ persistWindowMs: 200 });
    const start = clock.peek().wallMs;
    expect(start).toBeGreaterThanOrEqual(epochMs);
    expect(start).toBeLessThan(epochMs + 10);
    expect(clock.persistence).toMatchObject({ boundMs: start + 200, writes: 1, held: 0 });
    const raw = node.disk.readRaw("hybrid-clock.bound");
    expect(raw.durable).toEqual(raw.current);
    expect(new DataView(raw.durable.buffer).getBigUint64(4)).toBe(BigInt(start + 200));
    expect(node.disk.paths()).toEqual(["hybrid-clock.bound"]);
  });

  it("after a crash starts at the persisted bound, even with the wall clock set back", async () => {
    const { sim, node, clock } = await oneNode();
    const issued = Array.from({ length: 10 }, () => clock.now());
    const boundMs = clock.persistence.boundMs;
    node.crash();
    node.clock.jumpWall(-60_000);
    const restarted = await node.restart();
    expect(restarted.peek()).toEqual(hybridTimestamp(boundMs, 0, "athens"));
    const next = restarted.now();
    for (const before of issued) expect(compareHybridTimestamps(next, before)).toBeGreaterThan(0);
    expect(restarted.persistence.boundMs).toBe(boundMs + restarted.persistWindowMs);
    await sim.runFor(1);
  });

  it("persists the next bound in the background before issued time reaches the old one", async () => {
    const { sim, clock } = await oneNode({ persistWindowMs: 100 });
    let previous = clock.now();
    for (let step = 0; step < 500; step++) {
      await sim.runFor(1);
      const next = clock.now();
      expect(compareHybridTimestamps(next, previous)).toBeGreaterThan(0);
      expect(next.wallMs).toBeLessThan(clock.persistence.boundMs);
      previous = next;
    }
    const { writes, held, uncovered } = clock.persistence;
    expect(writes).toBeGreaterThanOrEqual(9);
    expect(writes).toBeLessThanOrEqual(12);
    expect([held, uncovered]).toEqual([0, 0]);
  });

  it("holds below the bound after a forward jump until the new bound is durable", async () => {
    const { sim, node, clock } = await oneNode();
    const boundMs = clock.persistence.boundMs;
    node.clock.jumpWall(3_600_000);
    expect(clock.now()).toEqual(hybridTimestamp(boundMs - 1, 0, "athens"));
    expect(clock.now()).toEqual(hybridTimestamp(boundMs - 1, 1, "athens"));
    expect(clock.persistence.held).toBe(2);
    await sim.runUntil(() => clock.persistence.writes === 2);
    const after = clock.now();
    expect(after.wallMs).toBeGreaterThanOrEqual(epochMs + 3_600_000);
    expect(after.wallMs).toBeLessThan(clock.persistence.boundMs);
    expect(clock.persistence.uncovered).toBe(0);
  });

  it("issues past the bound only when causality demands it, and persisted() covers it", async () => {
    const { sim, clock } = await oneNode({ maxOffsetMs: 1000, persistWindowMs: 100 });
    const boundMs = clock.persistence.boundMs;
    const remote = hybridTimestamp(boundMs + 500, 3, "byzantium");
    const received = clock.update(remote);
    expect(received).toEqual(hybridTimestamp(boundMs + 500, 4, "athens"));
    expect(clock.persistence.uncovered).toBe(1);
    expect(await outcome(sim, clock.persisted())).toBeUndefined();
    expect(clock.persistence.boundMs).toBeGreaterThan(received.wallMs);
  });

  it("reports a failed bound write through persisted() and the logger, then retries", async () => {
    const { sim, node, clock } = await oneNode({ maxOffsetMs: 1000, persistWindowMs: 100 });
    node.disk.failNext("sync");
    const received = clock.update(hybridTimestamp(clock.persistence.boundMs + 500, 0, "cyrene"));
    const failed = await outcome(sim, clock.persisted());
    expect(failed).toBeInstanceOf(IOError);
    expect(clock.persistence.failures).toBe(1);
    expect(node.logs.filter((record) => record.level === "error").at(-1)?.event).toBe(
      "hybrid-clock.persist-failed",
    );
    expect(await outcome(sim, clock.persisted())).toBeUndefined();
    expect(clock.persistence.boundMs).toBeGreaterThan(received.wallMs);
  });

  it("refuses to open on a damaged bound file and says how to recover", async () => {
    const sim = new Simulation({ seed: 5, epochMs });
    const node = sim.addNode("athens", {
      boot: ({ env }) =>
        PersistentHybridClock.open({ clock: env.clock, disk: env.disk }).catch(
          (error: unknown) => error,
        ),
    });
    expect(await node.ready()).toBeInstanceOf(PersistentHybridClock);
    node.crash();
    node.disk.flipBit("hybrid-clock.bound", 9, 2);
    const opened = await node.restart();
    expect(opened).toBeInstanceOf(CorruptionError);
    expect((opened as CorruptionError).file).toBe("hybrid-clock.bound");
    expect((opened as Error).message).toMatch(/persisted upper bound is damaged/);
    expect((opened as Error).message).toMatch(/remove the file/);
  });

  it("detects a truncated bound file as corruption", async () => {
    const sim = new Simulation({ seed: 3, epochMs });
    const node = sim.addNode("athens", { boot: () => undefined });
    await node.ready();
    const write = (async () => {
      await node.env.disk.mkdir("clock");
      const file = await node.env.disk.open("clock/bound", { create: true });
      await file.write(0, new TextEncoder().encode("HLCB1234"));
      await file.sync();
      await file.close();
      return PersistentHybridClock.open({
        clock: node.env.clock,
        disk: node.env.disk,
        path: "clock/bound",
      });
    })();
    const opened = await outcome(sim, write);
    expect(opened).toBeInstanceOf(CorruptionError);
    expect((opened as CorruptionError).file).toBe("clock/bound");
  });

  it("keeps the bound in a subdirectory when asked", async () => {
    const { node, clock } = await oneNode({ path: "time/hlc.bound" });
    expect(clock.path).toBe("time/hlc.bound");
    expect(node.disk.paths()).toEqual(["time/hlc.bound"]);
  });

  it("throws ClosedError once closed", async () => {
    const { sim, clock } = await oneNode();
    clock.now();
    await outcome(sim, clock.close());
    expect(() => clock.now()).toThrow(ClosedError);
    expect(() => clock.update(hybridTimestamp(epochMs))).toThrow(ClosedError);
    expect(await outcome(sim, clock.close())).toBeUndefined();
  });

  it("validates its options before touching the disk", () => {
    const clock = new ManualClock(epochMs);
    const disk = {} as never;
    const open = (options: object) => PersistentHybridClock.open({ clock, disk, ...options });
    return Promise.all([
      expect(open({ persistWindowMs: 600 })).rejects.toThrow(
        /persistWindowMs must be an integer from 2 to 500/,
      ),
      expect(open({ persistWindowMs: 1 })).rejects.toThrow(InvalidArgumentError),
      expect(open({ persistWindowMs: 10.5 })).rejects.toThrow(InvalidArgumentError),
      expect(open({ path: "../bound" })).rejects.toThrow(InvalidArgumentError),
      expect(open({})).rejects.toThrow(/needs options.disk/),
    ]);
  });
});
