// Benchmarks of @pods/versioned-value, each side by side with a baseline in the same process:
// get-at-version on 1,000,000 versions over 100,000 keys against Map.get on a Map of the same keys
// (the goal: at least 0.2x), put throughput against Map.set, and scan throughput against a
// sorted array of the keys read through a Map. Run with `pnpm bench`.
import { RevisionStore } from "@pods/versioned-value";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";

const keyCount = 100_000;
const versionCount = 1_000_000;
const probeCount = 1 << 16;
const chunk = 1000;

/** Keeps results alive so the engine cannot skip the work. */
let sink = 0;

/** Deterministic pseudo-random integers in [0, max) (xorshift), so runs compare alike. */
function pseudoRandom(seed: number): (max: number) => number {
  let state = seed | 1;
  return (max) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % max;
  };
}

const keys = Array.from({ length: keyCount }, (_, n) => `user/${String(n).padStart(6, "0")}`);
const random = pseudoRandom(42);
/** Which key each write goes to: each key gets versionCount / keyCount writes, interleaved. */
const writeKeys = Array.from({ length: versionCount }, () => keys[random(keyCount)]!);

const heapBefore = process.memoryUsage().heapUsed;
const store = new RevisionStore<number>();
const buildStarted = performance.now();
for (let n = 0; n < versionCount; n++) store.put(writeKeys[n]!, n);
const buildMs = performance.now() - buildStarted;
const heapBytesPerVersion = (process.memoryUsage().heapUsed - heapBefore) / versionCount;
const map = new Map(keys.map((key, n) => [key, n]));

const probeKeys = Array.from({ length: probeCount }, () => keys[random(keyCount)]!);
const probeVersions = Array.from({ length: probeCount }, () => 1 + random(versionCount));
let probe = 0;

const results: BenchResult[] = [];

results.push({
  ...(await compareThroughput({
    name: `get at a random version, ${versionCount} versions over ${keyCount} keys`,
    rounds: 9,
    subject: {
      work: () => {
        for (let i = 0; i < chunk; i++) {
          probe = (probe + 1) & (probeCount - 1);
          sink += store.get(probeKeys[probe]!, probeVersions[probe])?.version ?? 0;
        }
        return chunk;
      },
    },
    baseline: {
      name: `Map.get on a Map of the same ${keyCount} keys`,
      work: () => {
        for (let i = 0; i < chunk; i++) {
          probe = (probe + 1) & (probeCount - 1);
          sink += map.get(probeKeys[probe]!) ?? 0;
        }
        return chunk;
      },
    },
  })),
  goal: 0.2,
});

results.push(
  await compareThroughput({
    name: `get the newest version, ${versionCount} versions over ${keyCount} keys`,
    subject: {
      work: () => {
        for (let i = 0; i < chunk; i++) {
          probe = (probe + 1) & (probeCount - 1);
          sink += store.get(probeKeys[probe]!)?.version ?? 0;
        }
        return chunk;
      },
    },
    baseline: {
      name: `Map.get on a Map of the same ${keyCount} keys`,
      work: () => {
        for (let i = 0; i < chunk; i++) {
          probe = (probe + 1) & (probeCount - 1);
          sink += map.get(probeKeys[probe]!) ?? 0;
        }
        return chunk;
      },
    },
  }),
);

// The same reads on a store small enough to stay in the CPU caches: 100,000 versions over 10,000
// keys. The gap to the large store is memory latency, not the work a read does.
const smallKeys = keys.slice(0, keyCount / 10);
const smallStore = new RevisionStore<number>();
for (let n = 0; n < versionCount / 10; n++) smallStore.put(smallKeys[random(smallKeys.length)]!, n);
const smallMap = new Map(smallKeys.map((key, n) => [key, n]));
const smallProbeKeys = Array.from(
  { length: probeCount },
  () => smallKeys[random(smallKeys.length)]!,
);
const smallProbeVersions = Array.from({ length: probeCount }, () => 1 + random(versionCount / 10));
results.push(
  await compareThroughput({
    name: `get at a random version, ${versionCount / 10} versions over ${keyCount / 10} keys (in cache)`,
    subject: {
      work: () => {
        for (let i = 0; i < chunk; i++) {
          probe = (probe + 1) & (probeCount - 1);
          sink += smallStore.get(smallProbeKeys[probe]!, smallProbeVersions[probe])?.version ?? 0;
        }
        return chunk;
      },
    },
    baseline: {
      name: `Map.get on a Map of the same ${keyCount / 10} keys`,
      work: () => {
        for (let i = 0; i < chunk; i++) {
          probe = (probe + 1) & (probeCount - 1);
          sink += smallMap.get(smallProbeKeys[probe]!) ?? 0;
        }
        return chunk;
      },
    },
  }),
);

// Puts into a store (and sets into a Map) that start afresh every million writes.
let putStore = new RevisionStore<number>();
let putMap = new Map<string, number>();
let written = 0;
results.push({
  ...(await compareThroughput({
    name: `put at the next revision, ${keyCount} keys, store restarted every ${versionCount} versions`,
    subject: {
      work: () => {
        if (putStore.recordCount >= versionCount) putStore = new RevisionStore<number>();
        for (let i = 0; i < chunk; i++) putStore.put(writeKeys[written++ % versionCount]!, i);
        return chunk;
      },
    },
    baseline: {
      name: "Map.set of the same keys, map restarted alike",
      work: () => {
        if (putMap.size >= keyCount) putMap = new Map<string, number>();
        for (let i = 0; i < chunk; i++) putMap.set(writeKeys[written++ % versionCount]!, i);
        return chunk;
      },
    },
  })),
  buildMs: round(buildMs),
  heapBytesPerVersion: round(heapBytesPerVersion),
});

const sortedKeys = [...keys].sort();
const scanLength = 100;
results.push(
  await compareThroughput({
    name: `range scan of ${scanLength} keys at a random version (entries/s)`,
    subject: {
      work: () => {
        probe = (probe + 1) & (probeCount - 1);
        const entries = store.range(probeKeys[probe]!, undefined, {
          atVersion: probeVersions[probe],
          limit: scanLength,
        });
        sink += entries.length;
        return entries.length;
      },
    },
    baseline: {
      name: `slice of a sorted key array + Map.get per key (no versions)`,
      work: () => {
        probe = (probe + 1) & (probeCount - 1);
        const start = sortedKeys.indexOf(probeKeys[probe]!);
        const slice = sortedKeys.slice(start, start + scanLength);
        for (const key of slice) sink += map.get(key) ?? 0;
        return slice.length;
      },
    },
  }),
);

const compactStarted = performance.now();
store.compact(store.currentVersion);
results.push({
  name: `compact ${versionCount} versions over ${keyCount} keys to the newest`,
  value: round(performance.now() - compactStarted),
  unit: "ms",
  recordsAfter: store.recordCount,
});

writeBenchReport("versioned-value", "@pods/versioned-value", results);
if (sink === 0.5) console.log(sink); // never true; reads the sink
