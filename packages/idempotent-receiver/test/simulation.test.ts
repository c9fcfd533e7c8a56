import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { operationCount, runSequencerWorld } from "./sequencer-world.ts";

// Exactly-once execution through sessions over a lossy, duplicating, reordering network, with a
// stalled sequencer and a client paused past its session timeout, over many seeds.

describe("sessions over a faulty network", () => {
  it("executes every operation at most once and each acknowledged one exactly once", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 100 }),
      async (seed) => {
        const { sim, sequencer, outcomes, lateReplica, joinedLate } = await runSequencerWorld(seed);
        sim.check("every operation settled", () => expect(outcomes).toHaveLength(operationCount));
        for (const replica of sequencer.replicas) {
          sim.check("exactly once", () => {
            for (const { name, kind, response } of outcomes) {
              const count = replica.app.count(name);
              if (kind === "ok") expect([name, count, response]).toEqual([name, 1, "1"]);
              if (kind === "definite") expect([name, count]).toEqual([name, 0]);
              if (kind === "indefinite") expect(count).toBeLessThanOrEqual(1);
            }
          });
        }
        sim.check("replicas end identical", () => {
          const snapshots = sequencer.replicas.map((replica) => replica.machine.snapshot());
          if (joinedLate) snapshots.push(lateReplica.snapshot());
          for (const snapshot of snapshots) expect(snapshot).toEqual(snapshots[0]);
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("expires the paused client's session and still answers most requests", async () => {
    let expirations = 0;
    let replays = 0;
    let ok = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const { sequencer, outcomes } = await runSequencerWorld(seed);
      expirations += sequencer.replicas[0]?.machine.stats.expired ?? 0;
      replays += sequencer.replicas[0]?.machine.stats.replayed ?? 0;
      ok += outcomes.filter((outcome) => outcome.kind === "ok").length;
    }
    // The faults are real: sessions expired and retries were answered from saved responses.
    expect(expirations).toBeGreaterThan(0);
    expect(replays).toBeGreaterThan(0);
    expect(ok).toBeGreaterThan(5 * operationCount * 0.8);
  }, 120_000);

  it("replays a seed exactly", async () => {
    const first = await runSequencerWorld(11);
    const again = await runSequencerWorld(11);
    expect(again.sim.traceHash).toBe(first.sim.traceHash);
    expect(again.outcomes).toEqual(first.outcomes);
  }, 60_000);
});
