import { formatExplanation } from "@pods/lincheck";
import { runSeeds, SeedFailedError, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { runRegister } from "./register-cluster.ts";

// The proof that the simulator, the history recorder and the checker work together: a correct
// register passes over hundreds of seeds, wrong ones are caught, and a failure replays exactly.

describe("registers over a faulty network, checked for linearizability", () => {
  it("a single-node register that deduplicates retries is linearizable on every seed", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 200 }),
      async (seed) => {
        const { sim, result } = await runRegister(seed, "single-deduplicating");
        sim.check("history is linearizable", () => expect(result.verdict).toBe("linearizable"));
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("a replicated register that acknowledges writes on one replica is caught, and the failing seed replays", async () => {
    const failure = await runSeeds(
      seedsFromEnv({ defaultCount: 50 }),
      async (seed) => {
        const { sim, result } = await runRegister(seed, "replicated-ack-one");
        sim.check("history is linearizable", () => expect(result.verdict).toBe("linearizable"));
      },
      { file: import.meta.url },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SeedFailedError);
    const seed = (failure as SeedFailedError).seed;
    expect((failure as Error).message).toMatch(
      new RegExp(`^seed ${seed} failed — replay with PODS_SEED=${seed} pnpm exec vitest run `),
    );

    const first = await runRegister(seed, "replicated-ack-one");
    const replay = await runRegister(seed, "replicated-ack-one");
    expect(first.result.verdict).toBe("not linearizable");
    expect(replay.sim.traceHash).toBe(first.sim.traceHash);
    expect(replay.file).toEqual(first.file);
    if (first.result.verdict !== "not linearizable") return;
    expect(formatExplanation(first.result.explanation).join("\n")).toMatch(/answers wrongly/);
  }, 120_000);

  it("a single-node register that applies duplicated requests again is caught on some seed", async () => {
    const verdicts: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      verdicts.push((await runRegister(seed, "single-reapplying")).result.verdict);
    }
    expect(verdicts).toContain("not linearizable");
  }, 120_000);
});
