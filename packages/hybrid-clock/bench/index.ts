// Benchmarks of @pods/hybrid-clock, each side by side with a baseline in the same process:
// HybridClock.now() (and PersistentHybridClock.now() on a real disk, and update()) against bare
// wall-clock reads through the same injected systemClock. The clock read itself is the limit, so
// the goal is a ratio of at least 0.5. Run with `pnpm bench`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HybridClock, hybridTimestamp, PersistentHybridClock } from "@pods/hybrid-clock";
import { createFsDisk, systemClock } from "@pods/runtime-node";
import { compareThroughput, writeBenchReport, type BenchResult } from "../../../bench-kit.js";

/** Keeps results alive so the engine cannot skip the work. */
let sink = 0;
const chunk = 10_000;

const bareWallReads = {
  name: "bare systemClock.wallMs() reads",
  work: () => {
    for (let i = 0; i < chunk; i++) sink ^= systemClock.wallMs();
    return chunk;
  },
};

const results: BenchResult[] = [];

const clock = new HybridClock({ clock: systemClock, nodeId: "athens" });
results.push(
  await compareThroughput({
    name: "HybridClock.now()",
    subject: {
      work: () => {
        for (let i = 0; i < chunk; i++) sink ^= clock.now().logical;
        return chunk;
      },
    },
    baseline: bareWallReads,
  }),
);

const peer = new HybridClock({ clock: systemClock, nodeId: "byzantium" });
results.push(
  await compareThroughput({
    name: "HybridClock.update(remote)",
    subject: {
      work: () => {
        const remote = hybridTimestamp(systemClock.wallMs(), 7, "athens");
        for (let i = 0; i < chunk; i++) sink ^= peer.update(remote).logical;
        return chunk;
      },
    },
    baseline: bareWallReads,
  }),
);

const dataDir = await mkdtemp(join(tmpdir(), "pods-hybrid-clock-bench-"));
try {
  const persistent = await PersistentHybridClock.open({
    clock: systemClock,
    disk: createFsDisk(dataDir),
    nodeId: "cyrene",
  });
  const result = await compareThroughput({
    name: "PersistentHybridClock.now() (fs disk, bound written every ~125 ms)",
    subject: {
      // Yield between chunks so the background bound writes can complete.
      work: async () => {
        for (let i = 0; i < chunk; i++) sink ^= persistent.now().logical;
        await new Promise((resolve) => setImmediate(resolve));
        return chunk;
      },
    },
    baseline: {
      name: bareWallReads.name,
      work: async () => {
        const done = bareWallReads.work();
        await new Promise((resolve) => setImmediate(resolve));
        return done;
      },
    },
  });
  results.push({
    ...result,
    boundWrites: persistent.persistence.writes,
    held: persistent.persistence.held,
  });
  await persistent.close();
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

writeBenchReport("hybrid-clock", "@pods/hybrid-clock", results);
if (sink === 0.5) console.log(sink);
