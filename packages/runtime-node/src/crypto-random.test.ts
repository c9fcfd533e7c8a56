import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCryptoRandom, PooledRandom } from "./crypto-random.ts";

/** A byte source that hands out the given 32-bit words, in order, then zeros. */
function words(...values: number[]): (bytes: Uint8Array) => void {
  const queue = [...values];
  return (bytes) => {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    for (let index = 0; index < view.length; index++) view[index] = queue.shift() ?? 0;
  };
}

/** The fraction of `draws` samples for which `predicate` holds. */
function fraction(draws: number, predicate: () => boolean): number {
  let hits = 0;
  for (let index = 0; index < draws; index++) if (predicate()) hits++;
  return hits / draws;
}

describe("createCryptoRandom", () => {
  const random = createCryptoRandom();

  it("draws floats in [0, 1) and ints in [min, max)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 2 }),
        fc.integer({ min: 1, max: 2 ** 53 - 1 }),
        (min, width) => {
          const max = Math.min(min + width, Number.MAX_SAFE_INTEGER);
          const value = random.int(min, max);
          expect(Number.isSafeInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(min);
          expect(value).toBeLessThan(max);
          const float = random.float();
          expect(float).toBeGreaterThanOrEqual(0);
          expect(float).toBeLessThan(1);
        },
      ),
    );
  });

  it("rejects bad bounds and options", () => {
    for (const [min, max] of [
      [1, 1],
      [2, 1],
      [0, 1.5],
      [Number.NaN, 3],
      [0, 2 ** 53],
    ] as const) {
      expect(() => random.int(min, max)).toThrow(InvalidArgumentError);
    }
    for (const poolBytes of [0, 4, 12, 65544, 1.5]) {
      expect(() => createCryptoRandom({ poolBytes })).toThrow(InvalidArgumentError);
    }
  });

  // Each of these fails with overwhelming probability if int() reduces modulo without rejection:
  // a span of 3·2^k leaves the lowest third of the range twice as likely as the rest (1/2 instead
  // of 1/3). 20 000 draws give a standard deviation of 0.0033, so the 0.02 margin is 6 sigma.
  for (const [name, span] of [
    ["32-bit", 3 * 2 ** 30],
    ["53-bit", 3 * 2 ** 51],
  ] as const) {
    it(`has no modulo bias on ${name} spans`, () => {
      const low = fraction(20_000, () => random.int(0, span) < span / 3);
      expect(Math.abs(low - 1 / 3)).toBeLessThan(0.02);
    });
  }

  it("covers the widest range of safe integers evenly", () => {
    const min = Number.MIN_SAFE_INTEGER;
    const max = Number.MAX_SAFE_INTEGER;
    expect(Math.abs(fraction(20_000, () => random.int(min, max) < 0) - 0.5)).toBeLessThan(0.025);
    expect(Math.abs(fraction(20_000, () => random.int(min, max) % 2 === 0) - 0.5)).toBeLessThan(
      0.025,
    );
  });

  it("gives floats 53 random bits and ints an even spread (chi-squared)", () => {
    // With 32 random bits the lowest of 53 would always be 0.
    const odd = fraction(20_000, () => (random.float() * 2 ** 53) % 2 === 1);
    expect(Math.abs(odd - 0.5)).toBeLessThan(0.025);
    const buckets = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let index = 0; index < draws; index++) {
      const bucket = random.int(0, 10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    const expected = draws / 10;
    const chiSquared = buckets.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi² > 40) ≈ 7e-6.
    expect(chiSquared).toBeLessThan(40);
  });
});

describe("PooledRandom", () => {
  it("rejects draws in the biased top of the range instead of reducing them", () => {
    // For a span of 3, 2^32 - 1 is the one 32-bit value that would make 0 more likely.
    const random = new PooledRandom(words(0xffffffff, 7), 8);
    expect(random.int(0, 3)).toBe(1);
  });

  it("builds floats from 21 + 32 bits and refills its pool when used up", () => {
    let fills = 0;
    const fill = words(0xffffffff, 0xffffffff, 0, 1);
    const random = new PooledRandom((bytes) => {
      fills++;
      fill(bytes);
    }, 8);
    expect(random.float()).toBe((2 ** 53 - 1) / 2 ** 53);
    expect(random.float()).toBe(2 ** -53);
    expect(fills).toBe(2);
  });
});
