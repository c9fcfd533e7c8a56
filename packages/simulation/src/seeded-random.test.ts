import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeededRandom } from "./seeded-random.ts";

function draws(random: SeededRandom, count: number): number[] {
  return Array.from({ length: count }, () => random.uint32());
}

describe("SeededRandom", () => {
  it("gives the same sequence for the same seed and different ones for different seeds", () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        expect(draws(new SeededRandom(seed), 8)).toEqual(draws(new SeededRandom(seed), 8));
        expect(draws(new SeededRandom(seed), 8)).not.toEqual(draws(new SeededRandom(seed + 1), 8));
      }),
    );
  });

  it("uses the high bits of large seeds", () => {
    const low = 12345;
    expect(draws(new SeededRandom(low), 4)).not.toEqual(draws(new SeededRandom(low + 2 ** 40), 4));
  });

  it("forks independent streams that do not depend on how much the parent drew", () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    draws(b, 100);
    expect(draws(a.fork("network"), 5)).toEqual(draws(b.fork("network"), 5));
    expect(draws(a.fork("network"), 5)).not.toEqual(draws(a.fork("disk"), 5));
    expect(draws(a.fork("x").fork("y"), 5)).not.toEqual(draws(a.fork("y").fork("x"), 5));
    expect(a.fork("node").fork("athens").path).toBe("node/athens");
    expect(a.fork("node").seed).toBe(7);
  });

  it("int stays in range, including ranges wider than 2^32", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
        fc.integer({ min: 1, max: 2 ** 52 }),
        (seed, min, span) => {
          const value = new SeededRandom(seed).int(min, min + span);
          expect(Number.isSafeInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(min);
          expect(value).toBeLessThan(min + span);
        },
      ),
    );
  });

  it("int is roughly uniform (every value of a small range appears near its share)", () => {
    const random = new SeededRandom(3);
    const counts = new Array<number>(6).fill(0);
    for (let index = 0; index < 60_000; index++) counts[random.int(0, 6)]!++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(600);
  });

  it("float is in [0, 1) with mean near 1/2; chance honours 0 and 1", () => {
    const random = new SeededRandom(11);
    const values = Array.from({ length: 10_000 }, () => random.float());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const sum = values.reduce((total, value) => total + value, 0);
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
    expect(random.chance(0)).toBe(false);
    expect(random.chance(1)).toBe(true);
  });

  it("rejects bad seeds, ranges, probabilities and empty picks", () => {
    for (const seed of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => new SeededRandom(seed)).toThrow(InvalidArgumentError);
    }
    const random = new SeededRandom(1);
    expect(() => random.int(3, 3)).toThrow(InvalidArgumentError);
    expect(() => random.chance(1.5)).toThrow(InvalidArgumentError);
    expect(() => random.pick([])).toThrow(InvalidArgumentError);
    expect(["a", "b"]).toContain(random.pick(["a", "b"]));
  });
});
