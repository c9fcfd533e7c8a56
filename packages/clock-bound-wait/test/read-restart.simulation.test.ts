import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { runReadRestartCluster, type ReadRestartTally } from "./read-restart-cluster.ts";

const total = (tallies: ReadRestartTally[], key: "writes" | "reads" | "restarts" | "rescued") =>
  tallies.reduce((sum, tally) => sum + tally[key], 0);

describe("read restart on nodes with skewed, drifting and stepped clocks", () => {
  it("never returns a stale value while every two clocks are within maxOffsetMs", async () => {
    const tallies: ReadRestartTally[] = [];
    await runSeeds(
      seedsFromEnv({ defaultCount: 20 }),
      async (seed) => {
        tallies.push(await runReadRestartCluster({ seed, liar: false }));
      },
      { file: import.meta.url },
    );
    expect(total(tallies, "writes")).toBeGreaterThan(500);
    expect(total(tallies, "reads")).toBeGreaterThan(500);
    // Reads restarted, and some of them would have returned a stale value had they not: their
    // first read timestamp was below a write acknowledged before they began.
    expect(total(tallies, "restarts")).toBeGreaterThan(50);
    expect(total(tallies, "rescued")).toBeGreaterThan(5);
  }, 120_000);

  it("can return stale values, and the checker says so, when a clock is beyond maxOffsetMs", async () => {
    // The guarantee assumes any two clocks are within maxOffsetMs. Here a storage node's clock
    // runs 30–60 ms ahead with maxOffsetMs 20: versions acknowledged before a read began can lie
    // above its uncertainty window, and the read misses them.
    const tallies: ReadRestartTally[] = [];
    for (const seed of seedsFromEnv({ defaultCount: 10 })) {
      tallies.push(await runReadRestartCluster({ seed, liar: true }));
    }
    expect(tallies.some((tally) => tally.violations.length > 0)).toBe(true);
  }, 120_000);

  it("replays a run exactly from its seed", async () => {
    const first = await runReadRestartCluster({ seed: 3, liar: false, opsPerClient: 10 });
    const again = await runReadRestartCluster({ seed: 3, liar: false, opsPerClient: 10 });
    const other = await runReadRestartCluster({ seed: 4, liar: false, opsPerClient: 10 });
    expect(again.traceHash).toBe(first.traceHash);
    expect(other.traceHash).not.toBe(first.traceHash);
  }, 60_000);
});
