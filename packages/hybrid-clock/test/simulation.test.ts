import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { runCluster, type ClusterTally } from "./cluster.ts";

const sum = (tallies: ClusterTally[], key: Exclude<keyof ClusterTally, "traceHash">): number =>
  tallies.reduce((total, tally) => total + tally[key], 0);

describe("hybrid clocks on nodes with skewed, drifting and jumping wall clocks", () => {
  it("keep causality and per-node monotonicity, reject peers beyond maxOffsetMs unchanged, and stay near wall time", async () => {
    const tallies: ClusterTally[] = [];
    await runSeeds(
      seedsFromEnv({ defaultCount: 20 }),
      async (seed) => {
        tallies.push(
          await runCluster({
            seed,
            crashes: false,
            maxOffsetMs: 90_000,
            persistWindowMs: 250,
            durationMs: 5_000,
          }),
        );
      },
      { file: import.meta.url },
    );
    // Offsets of up to ±3 minutes against a 90 s tolerance: both outcomes must occur.
    expect(sum(tallies, "accepted")).toBeGreaterThan(1000);
    expect(sum(tallies, "rejected")).toBeGreaterThan(100);
  }, 120_000);

  it("stay monotonic across crashes with power loss and wall clocks set back across restarts", async () => {
    const tallies: ClusterTally[] = [];
    await runSeeds(
      seedsFromEnv({ defaultCount: 20 }),
      async (seed) => {
        tallies.push(
          await runCluster({
            seed,
            crashes: true,
            maxOffsetMs: 90_000,
            persistWindowMs: 250,
            durationMs: 5_000,
          }),
        );
      },
      { file: import.meta.url },
    );
    expect(sum(tallies, "restarts")).toBeGreaterThan(40);
    expect(sum(tallies, "accepted")).toBeGreaterThan(1000);
    // Forward jumps outran the bound and now() held below it instead of passing it.
    expect(sum(tallies, "held")).toBeGreaterThan(0);
  }, 120_000);

  it("replays a run exactly from its seed", async () => {
    const options = {
      crashes: true,
      maxOffsetMs: 90_000,
      persistWindowMs: 250,
      durationMs: 2_000,
    } as const;
    const first = await runCluster({ seed: 11, ...options });
    expect((await runCluster({ seed: 11, ...options })).traceHash).toBe(first.traceHash);
    expect((await runCluster({ seed: 12, ...options })).traceHash).not.toBe(first.traceHash);
  }, 60_000);
});
