// Benchmarks of @pods/clock-bound-wait, each side by side with a baseline in the same process:
// the bounded clock against bare wall-clock reads, the read-restart uncertainty check against a
// plain versioned read (single keys and 100-key ranges), and commit-wait writes on real timers
// against writes that do not wait. Run with `pnpm bench`.
import {
  ClockBound,
  CommitWaitStore,
  hybridVersions,
  ReadRestartStore,
} from "@pods/clock-bound-wait";
import { HybridClock, hybridTimestamp, type HybridTimestamp } from "@pods/hybrid-clock";
import { createTimerScheduler, systemClock } from "@pods/runtime-node";
import { VersionedStore } from "@pods/versioned-value";
import { compareThroughput, writeBenchReport, type BenchResult } from "../../../bench-kit.js";

/** Keeps results alive so the engine cannot skip the work. */
let sink = 0;
const chunk = 10_000;
const results: BenchResult[] = [];
const scheduler = createTimerScheduler();

// 1. ClockBound.now() against the wall-clock read it wraps.
const bound = new ClockBound({ clock: systemClock, errorBoundMs: 2 });
results.push(
  await compareThroughput({
    name: "ClockBound.now() (fixed bound)",
    subject: {
      work: () => {
        for (let i = 0; i < chunk; i++) sink += bound.now().earliestMs;
        return chunk;
      },
    },
    baseline: {
      name: "bare systemClock.wallMs() reads",
      work: () => {
        for (let i = 0; i < chunk; i++) sink += systemClock.wallMs();
        return chunk;
      },
    },
  }),
);

// 2. Uncertainty-checked reads against plain reads of the same store: 100,000 versions over
// 10,000 keys, read 30 ms behind the newest writes with a 20 ms window (no restarts: the
// common case), so the check is one more binary search per key.
const keyCount = 10_000;
const store = new VersionedStore<number, HybridTimestamp>({ versions: hybridVersions });
const keyOf = (index: number): string => `key-${String(index).padStart(6, "0")}`;
for (let version = 1; version <= 100_000; version++) {
  store.putAt(
    keyOf(version % keyCount),
    hybridTimestamp(1_000_000 + version, 0, "athens"),
    version,
  );
}
const storageClock = new HybridClock({ clock: { wallMs: () => 1_200_000, monotonicMs: () => 0 } });
const storage = new ReadRestartStore({ store, clock: storageClock, scheduler });
const readTs = hybridTimestamp(1_100_000 - 30, 0, "cyrene");
const request = { readTs, uncertaintyLimit: hybridTimestamp(readTs.wallMs + 21, 0) };
let cursor = 0;
const nextKey = (): string => keyOf((cursor = (cursor + 7919) % keyCount));
results.push(
  await compareThroughput({
    name: "ReadRestartStore.get (uncertainty check, 100,000 versions)",
    subject: {
      work: async () => {
        for (let i = 0; i < chunk; i++) {
          const answer = await storage.get(nextKey(), request);
          if (answer.kind === "value") sink += answer.entry?.value ?? 0;
        }
        return chunk;
      },
    },
    baseline: {
      name: "VersionedStore.get at the same timestamp",
      work: () => {
        for (let i = 0; i < chunk; i++) sink += store.get(nextKey(), readTs)?.value ?? 0;
        return chunk;
      },
    },
  }),
);
const rangeChunk = 100;
results.push({
  ...(await compareThroughput({
    name: "ReadRestartStore.range, 100 keys (uncertainty check per key)",
    subject: {
      work: async () => {
        for (let i = 0; i < rangeChunk; i++) {
          const start = nextKey();
          const answer = await storage.range(start, undefined, request, { limit: 100 });
          if (answer.kind === "values") sink += answer.entries.length;
        }
        return rangeChunk;
      },
    },
    baseline: {
      name: "VersionedStore.range, 100 keys at the same timestamp",
      work: () => {
        for (let i = 0; i < rangeChunk; i++) {
          sink += store.range(nextKey(), undefined, { atVersion: readTs, limit: 100 }).length;
        }
        return rangeChunk;
      },
    },
  })),
  unit: "ranges/s",
});

// 3. Commit-wait writes on real timers: 256 writers in flight, a 1 ms error bound (so each write
// waits about 2 ms), against the same writes stamped without waiting. The wait is the point;
// the figure shows what it costs in throughput at this concurrency.
const writers = 256;
const commitStore = new CommitWaitStore({
  store: new VersionedStore<number, HybridTimestamp>({ versions: hybridVersions }),
  clock: new HybridClock({ clock: systemClock, nodeId: "athens" }),
  bound: new ClockBound({ clock: systemClock, errorBoundMs: 1 }),
  scheduler,
});
const plainStore = new VersionedStore<number, HybridTimestamp>({ versions: hybridVersions });
const plainClock = new HybridClock({ clock: systemClock, nodeId: "byzantium" });
let written = 0;
const commitWait = await compareThroughput({
  name: `CommitWaitStore.put, ${writers} in flight, 1 ms error bound (real timers)`,
  subject: {
    work: async () => {
      const puts = Array.from({ length: writers }, (_, index) =>
        commitStore.put(keyOf(index), written++),
      );
      for (const { waitedMs } of await Promise.all(puts)) sink += waitedMs;
      return writers;
    },
  },
  baseline: {
    name: "VersionedStore.putAt with HybridClock.now(), no wait",
    work: () => {
      for (let index = 0; index < writers; index++) {
        plainStore.putAt(keyOf(index), plainClock.now(), written++);
      }
      return writers;
    },
  },
});
results.push({
  ...commitWait,
  unit: "writes/s",
  meanCommitWaitMs:
    commitStore.waitStats.commitWaitMsTotal / Math.max(1, commitStore.waitStats.commits),
});

writeBenchReport("clock-bound-wait", "@pods/clock-bound-wait", results);
if (sink === 0.5) console.log(sink);
