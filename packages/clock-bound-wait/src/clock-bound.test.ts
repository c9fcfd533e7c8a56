import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FixedClock } from "../test/testbed.ts";
import { ClockBound, defaultErrorBoundMsMax, timeDaemonErrorBoundMs } from "./clock-bound.ts";
import { ClockUnsafeError } from "./errors.ts";

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("ClockBound", () => {
  it("returns the wall clock plus and minus a fixed error bound", () => {
    const bound = new ClockBound({ clock: new FixedClock(1000), errorBoundMs: 7 });
    expect(bound.now()).toEqual({ earliestMs: 993, latestMs: 1007, errorBoundMs: 7 });
    expect(bound.errorBoundMsMax).toBe(defaultErrorBoundMsMax);
  });

  it("isBefore is t < earliest and isAfter is t > latest, both strict", () => {
    const bound = new ClockBound({ clock: new FixedClock(1000), errorBoundMs: 5 });
    expect(bound.isBefore(994)).toBe(true);
    expect(bound.isBefore(995)).toBe(false);
    expect(bound.isAfter(1006)).toBe(true);
    expect(bound.isAfter(1005)).toBe(false);
    expect(bound.isBefore(1000) || bound.isAfter(1000)).toBe(false);
  });

  it("reads a dynamic bound on every now()", () => {
    let reported = 2;
    const bound = new ClockBound({ clock: new FixedClock(500), errorBoundMs: () => reported });
    expect(bound.now()).toMatchObject({ earliestMs: 498, latestMs: 502 });
    reported = 40;
    expect(bound.now()).toMatchObject({ earliestMs: 460, latestMs: 540, errorBoundMs: 40 });
  });

  it("refuses a dynamic bound above errorBoundMsMax, and recovers when it comes back", () => {
    let reported = 30;
    const bound = new ClockBound({
      clock: new FixedClock(500),
      errorBoundMs: () => reported,
      errorBoundMsMax: 20,
    });
    const error = thrown(() => bound.now());
    expect(error).toBeInstanceOf(ClockUnsafeError);
    expect(error).toMatchObject({
      code: "CLOCK_UNSAFE",
      outcome: "definite",
      reason: "error-bound",
      measuredMs: 30,
      limitMs: 20,
    });
    expect((error as Error).message).toMatch(/30 ms, more than errorBoundMsMax \(20 ms\)/);
    expect(() => bound.isBefore(0)).toThrow(ClockUnsafeError);
    reported = 20;
    expect(bound.now().errorBoundMs).toBe(20);
  });

  it("treats a source that returns no bound as an unusable clock", () => {
    for (const reported of [Number.NaN, -1, Number.POSITIVE_INFINITY, "3" as unknown as number]) {
      const bound = new ClockBound({ clock: new FixedClock(0), errorBoundMs: () => reported });
      const error = thrown(() => bound.now());
      expect(error).toBeInstanceOf(ClockUnsafeError);
      expect((error as Error).message).toMatch(/not a number of ms >= 0/);
    }
  });

  it("validates its options", () => {
    const clock = new FixedClock(0);
    expect(() => new ClockBound({ clock, errorBoundMs: 300 })).toThrow(/above errorBoundMsMax/);
    expect(() => new ClockBound({ clock, errorBoundMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new ClockBound({ clock, errorBoundMs: Number.NaN })).toThrow(/errorBoundMs/);
    expect(() => new ClockBound({ clock, errorBoundMs: "5" as unknown as number })).toThrow(
      /errorBoundMs/,
    );
    expect(() => new ClockBound({ clock, errorBoundMs: 1, errorBoundMsMax: -1 })).toThrow(
      /errorBoundMsMax/,
    );
    expect(() => new ClockBound({ clock: {} as FixedClock, errorBoundMs: 1 })).toThrow(
      /options.clock/,
    );
  });

  it("always holds the wall clock in the middle of an interval twice the bound wide", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2 ** 47, noNaN: true }),
        fc.double({ min: 0, max: 250, noNaN: true }),
        (wall, errorBoundMs) => {
          const bound = new ClockBound({ clock: new FixedClock(wall), errorBoundMs });
          const { earliestMs, latestMs } = bound.now();
          expect(earliestMs).toBeLessThanOrEqual(wall);
          expect(latestMs).toBeGreaterThanOrEqual(wall);
          expect(bound.isBefore(wall)).toBe(false);
          expect(bound.isAfter(wall)).toBe(false);
          // Exact up to the rounding of two additions at the operands' magnitude.
          const roundingMs = 4 * Number.EPSILON * Math.max(1, wall + errorBoundMs);
          expect(Math.abs(latestMs - earliestMs - 2 * errorBoundMs)).toBeLessThanOrEqual(
            roundingMs,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("timeDaemonErrorBoundMs", () => {
  it("is |offset| + dispersion + root delay / 2", () => {
    expect(timeDaemonErrorBoundMs({ offsetMs: -3, dispersionMs: 1.5, rootDelayMs: 4 })).toBe(6.5);
    expect(timeDaemonErrorBoundMs({ offsetMs: 3, dispersionMs: 0, rootDelayMs: 0 })).toBe(3);
  });

  it("rejects a malformed report", () => {
    expect(() =>
      timeDaemonErrorBoundMs({ offsetMs: Number.NaN, dispersionMs: 0, rootDelayMs: 0 }),
    ).toThrow(/offsetMs/);
    expect(() => timeDaemonErrorBoundMs({ offsetMs: 0, dispersionMs: -1, rootDelayMs: 0 })).toThrow(
      /dispersionMs/,
    );
    expect(() =>
      timeDaemonErrorBoundMs({ offsetMs: 0, dispersionMs: 0, rootDelayMs: Number.NaN }),
    ).toThrow(/rootDelayMs/);
  });
});
