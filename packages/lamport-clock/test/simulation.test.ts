import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { checkHappensBefore, runCluster } from "./cluster.ts";

describe("Lamport clocks across crashes and restarts", () => {
  it("keep every happens-before pair ordered when nodes crash (power loss) and restart from their ceiling", async () => {
    let restarts = 0;
    let pairs = 0;
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const result = await runCluster({ seed, crashes: true, durationMs: 2000 });
        restarts += result.restarts;
        const checked = checkHappensBefore(result.events);
        expect(checked.violation).toBeUndefined();
        pairs += checked.pairs;
      },
      { file: import.meta.url },
    );
    expect(restarts).toBeGreaterThan(20);
    expect(pairs).toBeGreaterThan(10_000);
  }, 120_000);

  it("replays a run exactly from its seed", async () => {
    const first = await runCluster({ seed: 5, crashes: true, durationMs: 1000 });
    expect((await runCluster({ seed: 5, crashes: true, durationMs: 1000 })).traceHash).toBe(
      first.traceHash,
    );
    expect((await runCluster({ seed: 6, crashes: true, durationMs: 1000 })).traceHash).not.toBe(
      first.traceHash,
    );
  }, 60_000);
});
