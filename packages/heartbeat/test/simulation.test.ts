import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import {
  contradictingMessages,
  driftPpmMax,
  latency,
  members,
  runCluster,
  type ClusterRun,
} from "./heartbeat-cluster.ts";

// Both detectors in an all-to-all cluster under every fault the simulator has (loss,
// duplication, jitter, drift, pauses, a partition, a crash), over many seeds.

function verdictsAbout(run: ClusterRun, observer: string, peer: string, detector: "fixed" | "phi") {
  return run.verdicts.filter(
    (verdict) =>
      verdict.observer === observer && verdict.peer === peer && verdict.detector === detector,
  );
}

describe("heartbeat failure detection under faults", () => {
  it("suspects only real silence, finds the crashed node in bounded time, and trusts the rest again", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 30 }),
      async (seed) => {
        const run = await runCluster(seed, { pauseAware: true });
        const { sim, crashed, crashAtMs } = run;
        const live = members.filter((id) => id !== crashed);

        sim.check(
          "every down verdict follows a real silence, never the observer's own pause",
          () => {
            const downs = run.verdicts.filter((verdict) => verdict.status === "down");
            expect(downs.length).toBeGreaterThan(0);
            for (const verdict of downs) expect(contradictingMessages(run, verdict)).toEqual([]);
          },
        );

        sim.check("the crashed node is announced down by every live node in bounded time", () => {
          for (const observer of live) {
            const node = run.nodes.get(observer);
            expect(node?.instance.fixed.suspects()).toEqual([crashed]);
            expect(node?.instance.phi.suspects()).toEqual([crashed]);
            const fixedDown = verdictsAbout(run, observer, crashed, "fixed").at(-1);
            expect(fixedDown?.status).toBe("down");
            expect((fixedDown?.atMs ?? 0) - (fixedDown?.lastHeardMs ?? 0)).toBeLessThanOrEqual(
              1100,
            );
            // In true time: last message in flight at the crash, then timeout + one check on a
            // clock that may run slow.
            const slowest = 1 - driftPpmMax / 1e6;
            expect(fixedDown?.trueMs).toBeLessThanOrEqual(
              crashAtMs + latency.maxMs + 1100 / slowest,
            );
            expect(verdictsAbout(run, observer, crashed, "phi").at(-1)?.status).toBe("down");
          }
        });

        sim.check("every live node trusts every other live node at the end", () => {
          for (const observer of live) {
            for (const peer of live) {
              if (peer === observer) continue;
              for (const detector of ["fixed", "phi"] as const) {
                const last = verdictsAbout(run, observer, peer, detector).at(-1);
                expect(last === undefined || last.status === "up").toBe(true);
              }
            }
          }
        });

        sim.check("the observers noticed their own pauses", () => {
          const paused = new Set(run.pauses.map((pause) => pause.node));
          for (const observer of live) {
            const noticed = run.nodes.get(observer)?.instance.fixed.pausesNoticed ?? 0;
            expect(noticed > 0).toBe(paused.has(observer));
          }
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("without pause awareness, a resumed observer blames its peers for its own pause", async () => {
    const blamed: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const run = await runCluster(seed, { pauseAware: false });
      const wrong = run.verdicts.filter(
        (verdict) => contradictingMessages(run, verdict).length > 0,
      );
      if (wrong.length > 0) blamed.push(seed);
    }
    expect(blamed.length).toBeGreaterThan(5);
  }, 120_000);

  it("replays a seed exactly", async () => {
    const first = await runCluster(7, { pauseAware: true });
    const second = await runCluster(7, { pauseAware: true });
    expect(second.sim.traceHash).toBe(first.sim.traceHash);
    expect(second.verdicts).toEqual(first.verdicts);
    const other = await runCluster(8, { pauseAware: true });
    expect(other.sim.traceHash).not.toBe(first.sim.traceHash);
  }, 120_000);
});
