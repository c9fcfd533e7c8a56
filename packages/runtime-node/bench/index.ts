// Benchmarks of @pods/runtime-node: what the ports cost over the raw Node calls they wrap, measured
// side by side in one process (DESIGN.md, "Benchmarks").
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareThroughput, writeBenchReport, type BenchResult } from "../../../bench-kit.js";
import { createCryptoRandom, createFsDisk, createTimerScheduler } from "../src/index.ts";

const recordBytes = 100;
const recordsPerChunk = 20;
const tasksPerChunk = 1000;

/** Appends `recordsPerChunk` records, each synced, with `append(record, offset)`. */
function appender(append: (record: Uint8Array, offset: number) => unknown): () => Promise<number> {
  const record = new Uint8Array(recordBytes).fill(0x61);
  let offset = 0;
  return async () => {
    for (let index = 0; index < recordsPerChunk; index++) {
      await append(record, offset);
      offset += recordBytes;
    }
    return recordsPerChunk;
  };
}

async function durableAppends(dir: string): Promise<BenchResult[]> {
  const file = await createFsDisk(dir).open("port.log", { create: true });
  const handle = await open(join(dir, "handle.log"), "w+");
  const fd = openSync(join(dir, "raw.log"), "w+");
  const name = `fs Disk write + sync, ${recordBytes} B records`;
  const port = {
    work: appender(async (record, offset) => {
      await file.write(offset, record);
      await file.sync();
    }),
  };
  try {
    return [
      await compareThroughput({
        name,
        subject: port,
        baseline: {
          name: "fs.writeSync + fs.fdatasyncSync per record",
          work: appender((record, offset) => {
            writeSync(fd, record, 0, recordBytes, offset);
            fdatasyncSync(fd);
          }),
        },
        rounds: 5,
        roundMs: 1000,
      }),
      await compareThroughput({
        name: `${name} (async baseline)`,
        subject: port,
        baseline: {
          name: "FileHandle.write + FileHandle.datasync per record",
          work: appender(async (record, offset) => {
            await handle.write(record, 0, recordBytes, offset);
            await handle.datasync();
          }),
        },
        rounds: 5,
        roundMs: 1000,
      }),
    ];
  } finally {
    await file.close();
    await handle.close();
    closeSync(fd);
  }
}

async function zeroDelayTasks(): Promise<BenchResult> {
  const scheduler = createTimerScheduler();
  const burst = (schedule: (task: () => void) => void) => () =>
    new Promise<number>((resolve) => {
      let left = tasksPerChunk;
      const task = (): void => {
        if (--left === 0) resolve(tasksPerChunk);
      };
      for (let index = 0; index < tasksPerChunk; index++) schedule(task);
    });
  return compareThroughput({
    name: `scheduler.after(0) bursts of ${tasksPerChunk} tasks`,
    subject: { work: burst((task) => scheduler.after(0, task)) },
    baseline: { name: "setTimeout(task, 0)", work: burst((task) => setTimeout(task, 0)) },
  });
}

function randomInts(): Promise<BenchResult> {
  const random = createCryptoRandom();
  const draws = 10_000;
  let sink = 0;
  return compareThroughput({
    name: "cryptoRandom.int(0, 1000)",
    subject: {
      work: () => {
        for (let index = 0; index < draws; index++) sink += random.int(0, 1000);
        return draws;
      },
    },
    baseline: {
      name: "Math.floor(Math.random() * 1000)",
      work: () => {
        for (let index = 0; index < draws; index++) sink += Math.floor(Math.random() * 1000);
        return draws;
      },
    },
  }).finally(() => {
    if (sink < 0) console.log(sink);
  });
}

const dir = await mkdtemp(join(tmpdir(), "pods-bench-runtime-node-"));
try {
  const disk = (await durableAppends(dir)).map((result) => ({ ...result, dir: tmpdir() }));
  const results = [...disk, await zeroDelayTasks(), await randomInts()];
  writeBenchReport("runtime-node", "@pods/runtime-node", results);
} finally {
  await rm(dir, { recursive: true, force: true });
}
