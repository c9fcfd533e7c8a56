import { InvalidArgumentError, type Env } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultEpochMs, Simulation } from "./simulation.ts";

async function nodeWithClock(
  clock: { offsetMs?: number; driftPpm?: number } = {},
): Promise<{ sim: Simulation; env: () => Env; node: ReturnType<Simulation["addNode"]> }> {
  const sim = new Simulation({ seed: 1 });
  const node = sim.addNode("athens", { boot: ({ env }) => env, clock });
  await node.ready();
  return { sim, env: () => node.env, node };
}

describe("node clocks", () => {
  it("start the wall clock at the epoch plus the node's offset, monotonic at 0", async () => {
    const { sim, env, node } = await nodeWithClock({ offsetMs: 5_000 });
    expect(env().clock.monotonicMs()).toBe(0);
    expect(env().clock.wallMs()).toBe(defaultEpochMs + 5_000);
    await sim.runFor(1_000);
    expect(env().clock.monotonicMs()).toBe(1_000);
    expect(env().clock.wallMs()).toBe(defaultEpochMs + 6_000);
    expect(node.clock.wallErrorMs()).toBe(5_000);
  });

  it("drift makes local time run fast or slow, and timers fire after their local delay", async () => {
    const fast = await nodeWithClock({ driftPpm: 100_000 });
    const firedAt: number[] = [];
    fast.env().scheduler.after(110, () => firedAt.push(fast.sim.now));
    await fast.sim.runFor(1_000);
    expect(firedAt).toHaveLength(1);
    expect(firedAt[0]).toBeCloseTo(100, 9);
    expect(fast.env().clock.monotonicMs()).toBeCloseTo(1_100, 9);
    expect(fast.node.clock.wallErrorMs()).toBeCloseTo(100, 9);
    const slow = await nodeWithClock({ driftPpm: -200_000 });
    await slow.sim.runFor(1_000);
    expect(slow.env().clock.monotonicMs()).toBeCloseTo(800, 9);
  });

  it("wall jumps go either way and move neither monotonic time nor timers", async () => {
    const { sim, env, node } = await nodeWithClock();
    const firedAt: number[] = [];
    env().scheduler.after(100, () => firedAt.push(sim.now));
    await sim.runFor(10);
    node.clock.jumpWall(-2_000);
    expect(env().clock.wallMs()).toBe(defaultEpochMs + 10 - 2_000);
    expect(env().clock.monotonicMs()).toBe(10);
    node.clock.jumpWall(+3_000);
    expect(node.clock.wallErrorMs()).toBe(1_000);
    await sim.runFor(200);
    expect(firedAt).toEqual([100]);
  });

  it("a drift change re-times pending timers by the remaining local delay", async () => {
    const { sim, env, node } = await nodeWithClock();
    const firedAt: number[] = [];
    env().scheduler.after(1_000, () => firedAt.push(sim.now));
    await sim.runFor(500);
    node.clock.setDriftPpm(250_000);
    expect(node.clock.driftPpm).toBe(250_000);
    await sim.runFor(1_000);
    expect(firedAt).toHaveLength(1);
    expect(firedAt[0]).toBeCloseTo(900, 9);
  });

  it("monotonic readings never decrease under any mix of drift changes and wall jumps", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ run: fc.double({ min: 0, max: 50, noNaN: true }) }),
            fc.record({ drift: fc.integer({ min: -500_000, max: 500_000 }) }),
            fc.record({ jump: fc.integer({ min: -10_000, max: 10_000 }) }),
          ),
          { maxLength: 30 },
        ),
        async (actions) => {
          const { sim, env, node } = await nodeWithClock({ driftPpm: 50 });
          let last = env().clock.monotonicMs();
          for (const action of actions) {
            if ("run" in action) await sim.runFor(action.run);
            else if ("drift" in action) node.clock.setDriftPpm(action.drift);
            else node.clock.jumpWall(action.jump);
            const reading = env().clock.monotonicMs();
            expect(reading).toBeGreaterThanOrEqual(last);
            last = reading;
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a restart keeps the clock's configuration and starts monotonic time again from 0", async () => {
    const { sim, env, node } = await nodeWithClock({ offsetMs: -300, driftPpm: 1_000 });
    await sim.runFor(1_000);
    node.crash();
    await node.restart();
    expect(env().clock.monotonicMs()).toBe(0);
    expect(node.clock.driftPpm).toBe(1_000);
    await sim.runFor(1_000);
    expect(env().clock.monotonicMs()).toBeCloseTo(1_001, 9);
    expect(node.clock.wallErrorMs()).toBeCloseTo(-300 + 2, 9);
  });

  it("rejects impossible drift and non-finite jumps or offsets", async () => {
    const { node } = await nodeWithClock();
    expect(() => {
      node.clock.setDriftPpm(600_000);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      node.clock.jumpWall(Number.POSITIVE_INFINITY);
    }).toThrow(InvalidArgumentError);
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.addNode("a", { boot: () => 1, clock: { offsetMs: Number.NaN } })).toThrow(
      InvalidArgumentError,
    );
  });
});
