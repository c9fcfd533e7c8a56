import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computePhi } from "./phi.ts";

describe("computePhi", () => {
  it("is log10(2) at the mean: an even chance that the heartbeat is still coming", () => {
    expect(computePhi(100, 100, 10)).toBeCloseTo(Math.log10(2), 12);
  });

  it("matches the normal tail at a few standard deviations", () => {
    // P(Z > 1) = 0.1587, P(Z > 2) = 0.02275, P(Z > 3) = 0.00135 (tables); the logistic
    // approximation is close to them.
    expect(computePhi(110, 100, 10)).toBeCloseTo(-Math.log10(0.1587), 1);
    expect(computePhi(120, 100, 10)).toBeCloseTo(-Math.log10(0.02275), 1);
    expect(computePhi(130, 100, 10)).toBeCloseTo(-Math.log10(0.00135), 1);
  });

  it("stays finite and non-negative for any silence, however long", () => {
    expect(computePhi(0, 1e9, 1)).toBeGreaterThanOrEqual(0);
    expect(computePhi(0, 1e9, 1)).toBeLessThan(1e-300);
    expect(Number.isFinite(computePhi(1e12, 100, 1))).toBe(true);
    expect(computePhi(1e12, 100, 1)).toBeGreaterThan(1e30);
  });

  it("property: increases with silence", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.double({ min: 1, max: 10_000, noNaN: true }),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        (a, b, meanMs, stdDevMs) => {
          const [shorter, longer] = a <= b ? [a, b] : [b, a];
          expect(computePhi(shorter, meanMs, stdDevMs)).toBeLessThanOrEqual(
            computePhi(longer, meanMs, stdDevMs),
          );
        },
      ),
    );
  });

  it("property: a wider distribution is less alarmed by a silence past its mean", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 10_000, noNaN: true }),
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        (meanMs, lateByMs, narrow, widen) => {
          expect(computePhi(meanMs + lateByMs, meanMs, narrow + widen)).toBeLessThanOrEqual(
            computePhi(meanMs + lateByMs, meanMs, narrow),
          );
        },
      ),
    );
  });

  it("rejects inputs it cannot judge", () => {
    expect(() => computePhi(Number.NaN, 100, 10)).toThrow(InvalidArgumentError);
    expect(() => computePhi(10, Number.POSITIVE_INFINITY, 10)).toThrow(InvalidArgumentError);
    expect(() => computePhi(10, 100, 0)).toThrow(/stdDevMs > 0/);
    expect(() => computePhi(10, 100, Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
  });
});
