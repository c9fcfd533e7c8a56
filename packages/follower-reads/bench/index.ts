// Benchmark of @pods/follower-reads, side by side with naive baselines in the same process:
// 1. a read served at once (applied ≥ minVersion, staleness checked) against calling the read
//    function and wrapping its value in a promise — the cost of the checks;
// 2. reads parked for versions not applied yet, completed as applies reach them (10,000 reads
//    spread over 1,000 versions, one apply per version) against the naive waiting list: an
//    array of parked reads scanned on every apply.
// Run with `pnpm bench`.
import type { Clock, Scheduler } from "@pods/core-interfaces";
import { FollowerReader, ReplicaProgressTracker } from "@pods/follower-reads";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";

const clock: Clock = { monotonicMs: () => 0, wallMs: () => 0 }; // time stands still here
const scheduler: Scheduler = { after: () => () => undefined }; // no read expires here
const state = new Map([["title", "Microservices"]]);
const readTitle = (): string | undefined => state.get("title");

// 1. Served at once.
const chunk = 10_000;
const fastProgress = new ReplicaProgressTracker({ clock });
fastProgress.applied(100);
fastProgress.leaderContact(100);
const fastReader = new FollowerReader({ progress: fastProgress, clock, scheduler });
const served = await compareThroughput({
  name: "read served at once (minVersion and maxStalenessMs checked)",
  subject: {
    work: async () => {
      for (let i = 0; i < chunk; i++) {
        await fastReader.read(readTitle, { minVersion: 90, maxStalenessMs: 1000 });
      }
      return chunk;
    },
  },
  baseline: {
    name: "await Promise.resolve(read())",
    work: async () => {
      for (let i = 0; i < chunk; i++) await Promise.resolve(readTitle());
      return chunk;
    },
  },
});

// 2. Parked, then completed by applies.
const reads = 10_000;
const versions = 1000;

async function parkedReads(): Promise<number> {
  const progress = new ReplicaProgressTracker({ clock });
  const reader = new FollowerReader({ progress, clock, scheduler, waitingReadsMax: reads });
  const done: Promise<unknown>[] = [];
  for (let i = 0; i < reads; i++) {
    done.push(reader.read(readTitle, { minVersion: 1 + (i % versions) }));
  }
  for (let version = 1; version <= versions; version++) progress.applied(version);
  await Promise.all(done);
  return reads;
}

async function naiveParkedReads(): Promise<number> {
  let waiting: { minVersion: number; resolve: (value: string | undefined) => void }[] = [];
  const done: Promise<unknown>[] = [];
  for (let i = 0; i < reads; i++) {
    const minVersion = 1 + (i % versions);
    done.push(new Promise((resolve) => waiting.push({ minVersion, resolve })));
  }
  for (let version = 1; version <= versions; version++) {
    const still: typeof waiting = [];
    for (const read of waiting) {
      if (read.minVersion <= version) read.resolve(readTitle());
      else still.push(read);
    }
    waiting = still;
  }
  await Promise.all(done);
  return reads;
}

const parked = await compareThroughput({
  name: `reads parked over ${versions} versions and completed by applies (${reads} at once)`,
  subject: { work: parkedReads },
  baseline: { name: "an array of parked reads scanned on every apply", work: naiveParkedReads },
});

const results: BenchResult[] = [served, parked].map((result) => ({
  ...result,
  nsPerRead: round(1e9 / result.value, 1),
}));
writeBenchReport("follower-reads", "@pods/follower-reads", results);
