import { describe, expect, it } from "vitest";
import { systemClock } from "./clock.ts";

describe("systemClock", () => {
  it("reads monotonic time that never decreases", () => {
    let previous = systemClock.monotonicMs();
    let decreases = 0;
    for (let index = 0; index < 100_000; index++) {
      const now = systemClock.monotonicMs();
      if (now < previous) decreases++;
      previous = now;
    }
    expect(decreases).toBe(0);
  });

  it("reads wall time in milliseconds since the Unix epoch", () => {
    const before = Date.now();
    const wall = systemClock.wallMs();
    const after = Date.now();
    expect(wall).toBeGreaterThanOrEqual(before);
    expect(wall).toBeLessThanOrEqual(after);
    expect(Number.isInteger(wall)).toBe(true);
  });
});
