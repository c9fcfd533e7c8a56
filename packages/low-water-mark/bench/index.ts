// Benchmarks of @pods/low-water-mark on the real file system (temp dirs through runtime-node's
// createFsDisk), each measured side by side with a raw baseline of the same durability
// (DESIGN.md, "Benchmarks"):
// 1. saving a 10 MiB snapshot (frames + CRC32C, temp file, fdatasync, rename, prune) vs raw
//    write + fdatasync + rename + unlink of the same bytes;
// 2. loading it with full verification vs a raw read of the file;
// 3. cleaning: deleting sealed segments of a write-ahead log, per segment, vs raw unlink + fsync of
//    the directory per file (the durability runtime-node's remove gives).
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsDisk, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { WriteAheadLog } from "@pods/write-ahead-log";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";
import { LogCleaner, SnapshotStore } from "../src/index.ts";

const root = await mkdtemp(join(tmpdir(), "pods-bench-lwm-"));
const stateBytes = 10 * 1024 * 1024;
const state = Uint8Array.from({ length: stateBytes }, (_, at) => (at * 2654435761) >>> 24);
const mib = stateBytes / (1024 * 1024);

async function snapshots(): Promise<BenchResult[]> {
  mkdirSync(join(root, "store"));
  const store = await SnapshotStore.open(createFsDisk(join(root, "store")));
  let index = 0;
  const rawDir = join(root, "raw");
  mkdirSync(rawDir);
  let rawIndex = 0;
  const save = await compareThroughput({
    name: "snapshot save, 10 MiB state (temp file, fdatasync, rename, prune)",
    subject: {
      work: async () => {
        await store.save({ lastIncludedIndex: ++index, lastIncludedGeneration: 1, state });
        return 1;
      },
    },
    baseline: {
      name: "raw write + fdatasync + rename + unlink of the oldest, same bytes",
      work: () => {
        const temp = join(rawDir, "snapshot.tmp");
        const fd = openSync(temp, "w");
        writeSync(fd, state, 0, state.length, 0);
        fdatasyncSync(fd);
        closeSync(fd);
        renameSync(temp, join(rawDir, `snapshot-${++rawIndex}`));
        if (rawIndex > 2) unlinkSync(join(rawDir, `snapshot-${rawIndex - 2}`));
        return 1;
      },
    },
    rounds: 5,
    roundMs: 1500,
    warmupMs: 500,
  });
  const latest = store.latest()!;
  const rawFile = join(rawDir, `snapshot-${rawIndex}`);
  const load = await compareThroughput({
    name: "snapshot load, 10 MiB state, every frame's CRC32C and the state checksum verified",
    subject: {
      work: async () => {
        await store.load(latest.lastIncludedIndex);
        return 1;
      },
    },
    baseline: { name: "raw readFileSync of the same size", work: () => (readFileSync(rawFile), 1) },
    rounds: 5,
    roundMs: 1000,
  });
  return [save, load].map((result) => ({
    ...result,
    unit: "snapshots/s",
    mibPerSecond: round(result.value * mib),
    baselineMibPerSecond: round(result.baseline!.value * mib),
  }));
}

async function cleaning(): Promise<BenchResult> {
  const segments = 200;
  const rounds = 5;
  const subjectMs: number[] = [];
  const baselineMs: number[] = [];
  for (let roundAt = 0; roundAt < rounds; roundAt++) {
    const dir = join(root, `clean-${roundAt}`);
    mkdirSync(dir);
    const env = {
      disk: createFsDisk(dir),
      clock: systemClock,
      scheduler: createTimerScheduler({ unref: true }),
    };
    const wal = await WriteAheadLog.open(env, { sync: "none", segmentRecordsMax: 1 });
    const payload = new Uint8Array(200);
    for (let n = 0; n <= segments; n++) await wal.append({ payload });
    await wal.sync();
    const cleaner = new LogCleaner(wal, env, { snapshotMark: () => wal.lastIndex + 1 });
    let started = performance.now();
    const report = await cleaner.clean();
    subjectMs.push((performance.now() - started) / report.deleted.length);
    await wal.close();

    const rawDir = join(root, `unlink-${roundAt}`);
    mkdirSync(rawDir);
    for (let n = 0; n < segments; n++) writeFileSync(join(rawDir, `f${n}`), new Uint8Array(264));
    const dirFd = openSync(rawDir, "r");
    fsyncSync(dirFd);
    started = performance.now();
    for (let n = 0; n < segments; n++) {
      unlinkSync(join(rawDir, `f${n}`));
      fsyncSync(dirFd);
    }
    baselineMs.push((performance.now() - started) / segments);
    closeSync(dirFd);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[rounds >> 1]!;
  const value = median(subjectMs) * 1000;
  const baseline = median(baselineMs) * 1000;
  return {
    name: `cleaning pass, cost per sealed segment deleted (${segments} per pass)`,
    value: round(value),
    unit: "µs/segment",
    baseline: { name: "raw unlinkSync + fsync of the directory per file", value: round(baseline) },
    ratio: round(value / baseline, 3),
  };
}

try {
  const results = [...(await snapshots()), await cleaning()];
  writeBenchReport("low-water-mark", "@pods/low-water-mark", results);
} finally {
  await rm(root, { recursive: true, force: true });
}
