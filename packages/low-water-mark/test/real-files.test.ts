// Real files through @pods/runtime-node: the test damages them with node:fs the way a crash or a
// failing disk would, which the determinism rules otherwise keep out of pattern tests.
// eslint-disable-next-line no-restricted-imports
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CorruptionError, delay, noopLogger, type Env } from "@pods/core-interfaces";
import { createNodeEnv } from "@pods/runtime-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LowWaterMark, type LowWaterMarkOptions } from "../src/index.ts";
import { fold, KvMachine, put, putAndApply } from "./harness.ts";

let dataDir: string;
let env: Env;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pods-low-water-mark-test-"));
  env = await createNodeEnv({ dataDir, logger: noopLogger });
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

type Options = Omit<LowWaterMarkOptions, "stateMachine">;

async function open(options: Options, machine = new KvMachine()) {
  return { store: await LowWaterMark.open(env, { ...options, stateMachine: machine }), machine };
}

async function fill(options: Options, count: number): Promise<Record<string, string>> {
  const { store, machine } = await open(options);
  const payloads: Uint8Array[] = [];
  for (let n = 1; n <= count; n++) {
    payloads.push(put(`key ${n % 13}`, `value ${n}`));
    await putAndApply(store, machine, `key ${n % 13}`, `value ${n}`);
  }
  await store.close(); // waits for the snapshot in progress and its cleaning pass
  expect(machine.toObject()).toEqual(fold(payloads));
  return machine.toObject();
}

const snapshotFiles = async (): Promise<string[]> =>
  (await readdir(join(dataDir, "snapshots"))).filter((name) => name.endsWith(".snap"));

describe("on real files", () => {
  it("snapshots, cleans and restores across a restart", async () => {
    const options: Options = { snapshotEveryEntries: 50, wal: { segmentBytesMax: 2048 } };
    const before = await fill(options, 500);
    expect(await snapshotFiles()).toEqual([
      "snapshot-00000000000000000450.snap",
      "snapshot-00000000000000000500.snap",
    ]);
    const { store, machine } = await open(options);
    expect(store.recovery.snapshot?.lastIncludedIndex).toBe(500);
    expect(store.recovery.replayed).toBe(0);
    expect(machine.toObject()).toEqual(before);
    expect(store.mark).toBe(501);
    expect(store.wal.segments()).toHaveLength(1); // every sealed segment went
    // The scheduled cleaner runs on the real timer too.
    await putAndApply(store, machine, "after", "restart");
    while (store.cleaner.metrics.passes === 0) await delay(env.scheduler, 5);
    await store.close();
  });

  it("falls back to the older snapshot when the newest is damaged, if the log still reaches it", async () => {
    const options: Options = {
      snapshotEveryEntries: 40,
      entriesRetainedAfterSnapshot: 60, // the log keeps the entries after the older snapshot too
      wal: { segmentBytesMax: 1024 },
    };
    const before = await fill(options, 200);
    const newest = join(dataDir, "snapshots", "snapshot-00000000000000000200.snap");
    const bytes = await readFile(newest);
    bytes[bytes.length - 3]! ^= 0x01; // bit rot in the state
    await writeFile(newest, bytes);
    await writeFile(join(dataDir, "snapshots", "snapshot-00000000000000000240.snap.tmp"), "half");

    const { store, machine } = await open(options);
    expect(store.recovery.snapshots.damaged.map((d) => d.file)).toEqual([
      "snapshots/snapshot-00000000000000000200.snap",
    ]);
    expect(store.recovery.snapshot?.lastIncludedIndex).toBe(160);
    expect(store.recovery.replayed).toBe(40);
    expect(machine.toObject()).toEqual(before);
    expect(await snapshotFiles()).toEqual(["snapshot-00000000000000000160.snap"]);
    expect(await readdir(join(dataDir, "snapshots"))).toEqual([
      "snapshot-00000000000000000160.snap",
    ]);
    await store.close();
  });

  it("refuses to open when the newest valid snapshot does not reach the log", async () => {
    const options: Options = { snapshotEveryEntries: 40, wal: { segmentBytesMax: 1024 } };
    await fill(options, 200);
    const newest = join(dataDir, "snapshots", "snapshot-00000000000000000200.snap");
    const bytes = await readFile(newest);
    bytes[bytes.length - 3]! ^= 0x01;
    await writeFile(newest, bytes);
    const error = await open(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as Error).message).toMatch(/entries 161 to \d+ are missing/);
  });
});
