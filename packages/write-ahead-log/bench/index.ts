// Benchmarks of @pods/write-ahead-log on the real file system (a temp dir through runtime-node's
// createFsDisk), each measured side by side with its baseline in alternating rounds
// (DESIGN.md, "Benchmarks"):
// 1. durable appends, 64 writers, 100 B, sync "always", vs a raw write + fdatasync per record and
//    vs a raw loop writing 64 records then fdatasync-ing (this disk's group-commit limit);
// 2. the same workload vs classic-level (LevelDB) put with { sync: true } at concurrency 64;
// 3. unsynced append bandwidth with 1 KiB records vs raw writes of the same bytes;
// 4. replay (open) of 1 million 100 B entries vs decoding the same frames from one buffer.
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFrame } from "@pods/codec";
import { createFsDisk, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { ClassicLevel } from "classic-level";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";
import { WriteAheadLog, type WriteAheadLogEnv, type WriteAheadLogOptions } from "../src/index.ts";

const writers = 64;
const appendsPerWriter = 8;
const root = await mkdtemp(join(tmpdir(), "pods-bench-wal-"));
let dirs = 0;

async function freshEnv(): Promise<{ env: WriteAheadLogEnv; dir: string }> {
  const dir = join(root, `d${dirs++}`);
  const { mkdir } = await import("node:fs/promises");
  await mkdir(dir);
  return {
    env: {
      disk: createFsDisk(dir),
      clock: systemClock,
      scheduler: createTimerScheduler({ unref: true }),
    },
    dir,
  };
}

async function openWal(options: WriteAheadLogOptions): Promise<WriteAheadLog> {
  return WriteAheadLog.open((await freshEnv()).env, options);
}

/** `writers` concurrent appenders, each appending `appendsPerWriter` entries in turn. */
function concurrentAppends(wal: WriteAheadLog, payload: Uint8Array): () => Promise<number> {
  return async () => {
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let n = 0; n < appendsPerWriter; n++) await wal.append({ payload });
      }),
    );
    return writers * appendsPerWriter;
  };
}

function rawFile(): { fd: number; offset: number } {
  return { fd: openSync(join(root, `raw-${dirs++}.log`), "w+"), offset: 0 };
}

async function durableAppends(): Promise<BenchResult[]> {
  const payload = new Uint8Array(100).fill(0x61);
  const wal = await openWal({ sync: "always" });
  const subject = { work: concurrentAppends(wal, payload) };
  const perRecord = rawFile();
  const grouped = rawFile();
  const results = [
    await compareThroughput({
      name: `durable appends, ${writers} writers, 100 B, sync always`,
      subject,
      baseline: {
        name: "raw writeSync + fdatasyncSync per record",
        work: () => {
          for (let n = 0; n < 16; n++) {
            writeSync(perRecord.fd, payload, 0, payload.length, perRecord.offset);
            perRecord.offset += payload.length;
            fdatasyncSync(perRecord.fd);
          }
          return 16;
        },
      },
      rounds: 5,
      roundMs: 1000,
    }),
    await compareThroughput({
      name: `durable appends, ${writers} writers, 100 B, sync always (vs group-commit limit)`,
      subject,
      baseline: {
        name: `raw loop: writeSync ${writers} records, then fdatasyncSync`,
        work: () => {
          for (let n = 0; n < writers; n++) {
            writeSync(grouped.fd, payload, 0, payload.length, grouped.offset);
            grouped.offset += payload.length;
          }
          fdatasyncSync(grouped.fd);
          return writers;
        },
      },
      rounds: 5,
      roundMs: 1000,
    }),
  ];
  const metrics = wal.metrics;
  await wal.close();
  closeSync(perRecord.fd);
  closeSync(grouped.fd);
  const perSync = round(metrics.appends / metrics.syncs, 1);
  return results.map((result) => ({
    ...result,
    appendsPerSync: perSync,
    syncLatencyMsMean: round(metrics.syncLatencyMsTotal / metrics.syncs, 3),
  }));
}

async function versusLevelDb(): Promise<BenchResult> {
  const payload = new Uint8Array(100).fill(0x62);
  const wal = await openWal({ sync: "always" });
  const db = new ClassicLevel<string, Uint8Array>(join(root, "leveldb"), { valueEncoding: "view" });
  await db.open();
  let key = 0;
  const result = await compareThroughput({
    name: `durable appends, ${writers} writers, 100 B, sync always (vs LevelDB)`,
    subject: { work: concurrentAppends(wal, payload) },
    baseline: {
      name: `classic-level put { sync: true }, ${writers} concurrent writers`,
      work: async () => {
        await Promise.all(
          Array.from({ length: writers }, async () => {
            for (let n = 0; n < appendsPerWriter; n++) {
              await db.put(String(key++).padStart(12, "0"), payload, { sync: true });
            }
          }),
        );
        return writers * appendsPerWriter;
      },
    },
    rounds: 5,
    roundMs: 1000,
  });
  await wal.close();
  await db.close();
  return result;
}

async function unsyncedBandwidth(): Promise<BenchResult> {
  const payload = new Uint8Array(1024).fill(0x63);
  const wal = await openWal({ sync: "none" });
  const raw = rawFile();
  const result = await compareThroughput({
    name: `unsynced appends, ${writers} writers, 1 KiB, sync none (records/s)`,
    subject: { work: concurrentAppends(wal, payload) },
    baseline: {
      name: "raw writeSync of each 1 KiB record",
      work: () => {
        for (let n = 0; n < 256; n++) {
          writeSync(raw.fd, payload, 0, payload.length, raw.offset);
          raw.offset += payload.length;
        }
        return 256;
      },
    },
    rounds: 5,
    roundMs: 800,
  });
  await wal.close();
  closeSync(raw.fd);
  return {
    ...result,
    subjectMBps: round((result.value * 1024) / 1e6, 1),
    baselineMBps: round((result.baseline!.value * 1024) / 1e6, 1),
  };
}

async function replay(): Promise<BenchResult> {
  const entries = 1_000_000;
  const payload = new Uint8Array(100).fill(0x64);
  const { env } = await freshEnv();
  const wal = await WriteAheadLog.open(env, { sync: "none" });
  const batch = Array.from({ length: 10_000 }, () => ({ payload }));
  for (let n = 0; n < entries; n += batch.length) await wal.appendBatch(batch);
  const segments = wal.segments();
  await wal.close();
  // The same frames in one buffer, without the segment headers.
  const parts: Uint8Array[] = [];
  for (const segment of segments) {
    const file = await env.disk.open(segment.file);
    parts.push(await file.read(32, segment.bytes - 32));
    await file.close();
  }
  const buffer = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    buffer.set(part, at);
    at += part.length;
  }
  let sink = 0;
  const result = await compareThroughput({
    name: "replay: open a log of 1 million 100 B entries (entries/s)",
    subject: {
      work: async () => {
        const reopened = await WriteAheadLog.open(env, {
          sync: "none",
          replay: (entry) => (sink += entry.payload.length),
        });
        await reopened.close();
        return entries;
      },
    },
    baseline: {
      name: "decode the same frames from one in-memory buffer (framing + CRC + decoding)",
      work: () => {
        const view = new DataView(buffer.buffer);
        let offset = 0;
        let count = 0;
        for (;;) {
          const frame = readFrame(buffer, offset);
          if (frame.status !== "frame") break;
          const start = frame.end - frame.payload.length;
          const entry = {
            index: Number(view.getBigUint64(start)),
            generation: Number(view.getBigUint64(start + 8)),
            timestampMs: view.getFloat64(start + 16),
            type: buffer[start + 24]!,
            payload: frame.payload.subarray(25),
          };
          sink += entry.payload.length;
          offset = frame.end;
          count++;
        }
        return count;
      },
    },
    rounds: 3,
    roundMs: 1500,
    warmupMs: 500,
  });
  if (sink < 0) console.log(sink);
  return result;
}

try {
  const results = [
    ...(await durableAppends()),
    await versusLevelDb(),
    await unsyncedBandwidth(),
    await replay(),
  ];
  writeBenchReport(
    "write-ahead-log",
    "@pods/write-ahead-log",
    results.map((result) => ({ ...result, dir: tmpdir() })),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
