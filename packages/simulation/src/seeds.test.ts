import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { runSeeds, SeedFailedError, seedsFromEnv } from "./seeds.ts";
import { Simulation } from "./simulation.ts";

describe("seedsFromEnv", () => {
  it("runs the default count, PODS_SEEDS seeds, or just PODS_SEED", () => {
    expect(seedsFromEnv({ defaultCount: 3, env: {} })).toEqual([1, 2, 3]);
    expect(seedsFromEnv({ defaultCount: 3, firstSeed: 100, env: { PODS_SEEDS: "5" } })).toEqual([
      100, 101, 102, 103, 104,
    ]);
    expect(seedsFromEnv({ defaultCount: 3, env: { PODS_SEED: "1234", PODS_SEEDS: "9" } })).toEqual([
      1234,
    ]);
    expect(seedsFromEnv({ defaultCount: 2, env: { PODS_SEED: "", PODS_SEEDS: "" } })).toEqual([
      1, 2,
    ]);
  });

  it("rejects malformed variables and options with the variable's name", () => {
    expect(() => seedsFromEnv({ defaultCount: 1, env: { PODS_SEED: "abc" } })).toThrow(
      /PODS_SEED="abc" is not valid/,
    );
    expect(() => seedsFromEnv({ defaultCount: 1, env: { PODS_SEEDS: "0" } })).toThrow(
      /PODS_SEEDS="0"/,
    );
    expect(() => seedsFromEnv({ defaultCount: 1, env: { PODS_SEED: "-3" } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => seedsFromEnv({ defaultCount: 0, env: {} })).toThrow(InvalidArgumentError);
    expect(() => seedsFromEnv({ defaultCount: 1, firstSeed: -1, env: {} })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("runSeeds", () => {
  it("runs every seed in order when all pass", async () => {
    const ran: number[] = [];
    await runSeeds([4, 5, 6], async (seed) => {
      ran.push(seed);
      await Promise.resolve();
    });
    expect(ran).toEqual([4, 5, 6]);
  });

  it("stops at the first failing seed; the message starts with the seed and the replay command", async () => {
    const ran: number[] = [];
    const error = await runSeeds(
      [1, 2, 3],
      async (seed) => {
        ran.push(seed);
        const sim = new Simulation({ seed });
        sim.scheduler.after(10, () => {
          if (seed === 2) throw new Error("two leaders in generation 3");
        });
        await sim.runFor(20);
      },
      { file: new URL("../test/scenario.test.ts", import.meta.url) },
    ).catch((caught: unknown) => caught);
    expect(ran).toEqual([1, 2]);
    expect(error).toBeInstanceOf(SeedFailedError);
    const failure = error as SeedFailedError;
    expect(failure.seed).toBe(2);
    expect(failure.message).toMatch(
      /^seed 2 failed — replay with PODS_SEED=2 pnpm exec vitest run \S*test\/scenario\.test\.ts\n/,
    );
    expect(failure.message).toContain("two leaders in generation 3");
    expect(failure.message).toContain("virtual time 10.000 ms");
    expect(failure.message).toContain("Last trace lines:");
    expect(failure.replayCommand).toMatch(/^PODS_SEED=2 pnpm exec vitest run /);
  });
});
