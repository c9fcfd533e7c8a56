import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rejection, testbed } from "../test/testbed.ts";
import { ClockBound } from "./clock-bound.ts";
import { ClockUnsafeError } from "./errors.ts";
import { waitMarginMs, waitUntilPast } from "./wait-until-past.ts";

async function athens(options: { errorBoundMs?: number; driftPpm?: number } = {}) {
  const { sim, nodes } = await testbed({ athens: { driftPpm: options.driftPpm ?? 0 } });
  const { env, node } = nodes.athens;
  const bound = new ClockBound({ clock: env.clock, errorBoundMs: options.errorBoundMs ?? 5 });
  const wait = (timeMs: number, waitMsMax = 1000) =>
    waitUntilPast(timeMs, { bound, scheduler: env.scheduler, waitMsMax });
  return { sim, node, env, bound, wait };
}

describe("waitUntilPast", () => {
  it("resolves with 0 when the time is certainly past already", async () => {
    const { sim, wait } = await athens();
    // Wall 1000, bound 5: earliest is 995.
    expect(await sim.runUntilSettled([wait(994)])).toEqual([0]);
    expect(sim.now).toBe(0);
  });

  it("waits until earliest is strictly above the time: twice the bound for latest", async () => {
    const { sim, bound, wait } = await athens();
    const [waitedMs] = await sim.runUntilSettled([wait(bound.now().latestMs)]);
    expect(waitedMs).toBeCloseTo(10 + waitMarginMs, 9);
    expect(bound.now().earliestMs).toBeGreaterThan(1005);
    expect(bound.now().earliestMs).toBeCloseTo(1005 + waitMarginMs, 9);
  });

  it("reads the clock again after a backward step and keeps waiting", async () => {
    const { sim, node, bound, wait } = await athens();
    sim.at(5, "step back 20 ms", () => node.clock.jumpWall(-20));
    const [waitedMs] = await sim.runUntilSettled([wait(1005)]);
    // The first timer fires at 10 ms with earliest at 985; the second once it passes 1005.
    expect(waitedMs).toBeCloseTo(30 + waitMarginMs, 9);
    expect(bound.isBefore(1005)).toBe(true);
  });

  it("ends at the first timer after a forward step", async () => {
    const { sim, node, wait } = await athens();
    sim.at(2, "step forward 30 ms", () => node.clock.jumpWall(30));
    const [waitedMs] = await sim.runUntilSettled([wait(1005)]);
    expect(waitedMs).toBeCloseTo(10 + waitMarginMs, 9);
  });

  it("fails with ClockUnsafeError, without waiting in vain, once the wait would pass waitMsMax", async () => {
    const { sim, node, wait } = await athens();
    const early = await rejection(wait(1300, 200));
    expect(early).toMatchObject({ reason: "wait", limitMs: 200 });
    expect((early as ClockUnsafeError).measuredMs).toBeCloseTo(305 + waitMarginMs, 9);
    expect(sim.now).toBe(0);

    sim.at(5, "step back a minute", () => node.clock.jumpWall(-60_000));
    const pending = wait(1005);
    const [outcome] = await sim.runUntilSettled([
      pending.then(
        () => "resolved",
        (e: unknown) => e,
      ),
    ]);
    expect(outcome).toBeInstanceOf(ClockUnsafeError);
    expect(outcome).toMatchObject({ reason: "wait", limitMs: 1000 });
    expect((outcome as ClockUnsafeError).measuredMs).toBeCloseTo(60_010 + waitMarginMs, 6);
    expect(sim.now).toBeCloseTo(10 + waitMarginMs, 9);
  });

  it("fails when the error bound becomes unusable during the wait", async () => {
    const { sim, nodes } = await testbed({ athens: {} });
    const { env } = nodes.athens;
    let reported = 5;
    const bound = new ClockBound({
      clock: env.clock,
      errorBoundMs: () => reported,
      errorBoundMsMax: 50,
    });
    sim.at(3, "the time daemon loses its sources", () => (reported = 80));
    const pending = waitUntilPast(1005, { bound, scheduler: env.scheduler, waitMsMax: 1000 });
    const [outcome] = await sim.runUntilSettled([
      pending.then(
        () => "resolved",
        (e: unknown) => e,
      ),
    ]);
    expect(outcome).toMatchObject({ reason: "error-bound", measuredMs: 80, limitMs: 50 });
  });

  it("rejects a time that is not finite", async () => {
    const { wait } = await athens();
    expect(await rejection(wait(Number.NaN))).toBeInstanceOf(InvalidArgumentError);
  });

  it("never ends before earliest is past the time, whatever the clock does", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: -2000, max: 2000 }),
        fc.integer({ min: -40, max: 40 }),
        fc.array(
          fc.record({
            atMs: fc.integer({ min: 0, max: 300 }),
            deltaMs: fc.integer({ min: -100, max: 100 }),
          }),
          { maxLength: 5 },
        ),
        async (errorBoundMs, driftPpm, aheadMs, jumps) => {
          const { sim, node, bound, wait } = await athens({ errorBoundMs, driftPpm });
          for (const { atMs, deltaMs } of jumps) {
            sim.at(atMs, `jump ${deltaMs}`, () => node.clock.jumpWall(deltaMs));
          }
          const target = bound.now().latestMs + aheadMs;
          const outcome = wait(target).then(
            (waitedMs) => ({ waitedMs, pastAtEnd: bound.isBefore(target) }),
            (error: unknown) => error,
          );
          const [result] = await sim.runUntilSettled([outcome]);
          if (result instanceof ClockUnsafeError) {
            expect(result.reason).toBe("wait");
            expect(result.measuredMs).toBeGreaterThan(1000);
          } else {
            expect(result).toMatchObject({ pastAtEnd: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
