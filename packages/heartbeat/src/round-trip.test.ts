import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoundTripEstimator } from "./round-trip.ts";

describe("RoundTripEstimator", () => {
  it("follows RFC 6298: the first sample sets the mean, later ones move it by 1/8", () => {
    const estimator = new RoundTripEstimator();
    expect(estimator.estimate).toBeUndefined();
    expect(estimator.add(40)).toEqual({ samples: 1, lastMs: 40, smoothedMs: 40, variationMs: 20 });
    expect(estimator.add(80)).toEqual({
      samples: 2,
      lastMs: 80,
      smoothedMs: 45,
      variationMs: 25,
    });
  });

  it("keeps the smoothed round trip within the range of the samples", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (samples) => {
          const estimator = new RoundTripEstimator();
          for (const sample of samples) estimator.add(sample);
          const estimate = estimator.estimate;
          expect(estimate?.samples).toBe(samples.length);
          expect(estimate?.smoothedMs).toBeGreaterThanOrEqual(Math.min(...samples) - 1e-9);
          expect(estimate?.smoothedMs).toBeLessThanOrEqual(Math.max(...samples) + 1e-9);
          expect(estimate?.variationMs).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
