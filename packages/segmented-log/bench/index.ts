// Benchmarks of @pods/segmented-log on the real file system (a temp dir through runtime-node's
// createFsDisk), side by side in alternating rounds (DESIGN.md, "Benchmarks"):
// 1. random reads by index in a log of 10 million 100 B records vs the same in a log of 10
//    thousand (reads must not slow down with the log's length);
// 2. open (the verifying scan) of 1 million 100 B records vs decoding the same frames from one
//    in-memory buffer.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFrame } from "@pods/codec";
import { createFsDisk } from "@pods/runtime-node";
import { compareThroughput, writeBenchReport, type BenchResult } from "../../../bench-kit.js";
import { SegmentedLog, segmentHeaderFrameBytes, type RecordInput } from "../src/index.ts";

const root = await mkdtemp(join(tmpdir(), "pods-bench-segmented-log-"));
const body = new Uint8Array(100).fill(0x61);

async function buildLog(name: string, records: number): Promise<SegmentedLog> {
  const dir = join(root, name);
  await mkdir(dir);
  const log = await SegmentedLog.open(createFsDisk(dir));
  const batch = 10_000;
  for (let first = 1; first <= records; first += batch) {
    const count = Math.min(batch, records - first + 1);
    const inputs: RecordInput[] = Array.from({ length: count }, (_, offset) => ({
      index: first + offset,
      generation: 1,
      timestampMs: first + offset,
      body,
    }));
    await log.append(inputs);
  }
  await log.sync();
  return log;
}

/** Random reads: each chunk reads 200 random indexes, one at a time. */
function randomReads(log: SegmentedLog): () => Promise<number> {
  let state = 12345;
  return async () => {
    for (let n = 0; n < 200; n++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const index = 1 + (state % log.lastIndex);
      const record = await log.read(index);
      if (record.index !== index) throw new Error(`read ${index}, got ${record.index}`);
    }
    return 200;
  };
}

async function reads(): Promise<BenchResult> {
  const large = await buildLog("large", 10_000_000);
  const small = await buildLog("small", 10_000);
  const result = await compareThroughput({
    name: "random reads by index, log of 10 million 100 B records",
    subject: { work: randomReads(large) },
    baseline: {
      name: "random reads by index, log of 10 thousand 100 B records",
      work: randomReads(small),
    },
    rounds: 5,
    roundMs: 1000,
  });
  const segments = large.segments().length;
  await large.close();
  await small.close();
  return { ...result, segments };
}

async function scan(): Promise<BenchResult> {
  const records = 1_000_000;
  const log = await buildLog("scan", records);
  const segments = log.segments();
  await log.close();
  const disk = createFsDisk(join(root, "scan"));
  const parts: Uint8Array[] = [];
  for (const segment of segments) {
    const file = await disk.open(segment.file);
    parts.push(await file.read(segmentHeaderFrameBytes, segment.bytes - segmentHeaderFrameBytes));
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
    name: "open: verify and hand out 1 million 100 B records (records/s)",
    subject: {
      work: async () => {
        const reopened = await SegmentedLog.open(
          disk,
          {},
          (record) => (sink += record.body.length),
        );
        await reopened.close();
        return records;
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
          const record = {
            index: Number(view.getBigUint64(start)),
            generation: Number(view.getBigUint64(start + 8)),
            timestampMs: view.getFloat64(start + 16),
            body: frame.payload.subarray(24),
          };
          sink += record.body.length;
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
  const results = [await scan(), await reads()];
  writeBenchReport(
    "segmented-log",
    "@pods/segmented-log",
    results.map((result) => ({ ...result, dir: tmpdir() })),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
