import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArrivalWindow } from "./arrival-window.ts";

function naive(samples: readonly number[]) {
  const mean = samples.reduce((sum, sample) => sum + sample, 0) / samples.length;
  const variance =
    samples.reduce((sum, sample) => sum + (sample - mean) * (sample - mean), 0) / samples.length;
  return { mean, stdDev: Math.sqrt(variance) };
}

describe("ArrivalWindow", () => {
  it("is empty at first", () => {
    const window = new ArrivalWindow(4);
    expect([window.count, window.meanMs, window.stdDevMs]).toEqual([0, 0, 0]);
  });

  it("keeps the last samples only", () => {
    const window = new ArrivalWindow(3);
    for (const sample of [1000, 1000, 10, 20, 30]) window.add(sample);
    expect(window.count).toBe(3);
    expect(window.meanMs).toBeCloseTo(20, 9);
    expect(window.stdDevMs).toBeCloseTo(Math.sqrt(200 / 3), 9);
  });

  it("property: mean and standard deviation equal a recomputation over the last `capacity` samples", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 1, maxLength: 400 }),
        (capacity, samples) => {
          const window = new ArrivalWindow(capacity);
          for (const sample of samples) window.add(sample);
          const expected = naive(samples.slice(-capacity));
          expect(window.count).toBe(Math.min(capacity, samples.length));
          expect(window.meanMs).toBeCloseTo(expected.mean, 6);
          expect(window.stdDevMs).toBeCloseTo(expected.stdDev, 3);
        },
      ),
    );
  });
});
