import { InvalidArgumentError, IOError, type Disk, type DiskFile } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import type { SimDiskOptions } from "./disk-options.ts";
import { Simulation } from "./simulation.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function diskWorld(options: SimDiskOptions = {}, seed = 1) {
  const sim = new Simulation({ seed });
  const node = sim.addNode("athens", { boot: ({ env }): Disk => env.disk, disk: options });
  const disk = await node.ready();
  /** Runs `body` as a task inside the simulation until it settles. */
  const run = async <T>(body: () => Promise<T>): Promise<T> => {
    const [value] = await sim.runUntilSettled([sim.spawn("test", body)]);
    return value;
  };
  return { sim, node, disk, run };
}

async function failureOf(operation: Promise<unknown>): Promise<unknown> {
  return operation.then(
    () => "succeeded",
    (error: unknown) => error,
  );
}

describe("SimDisk timing and durability", () => {
  it("completes operations after their latency: writes fast, syncs slow", async () => {
    const { sim, disk, run } = await diskWorld({ latencyJitter: 0 });
    const times = await run(async () => {
      const file = await disk.open("a.log", { create: true });
      const start = sim.now;
      await file.write(0, encode("x"));
      const wrote = sim.now - start;
      await file.sync();
      return { wrote, synced: sim.now - start - wrote };
    });
    expect(times.wrote).toBeCloseTo(0.05, 9);
    expect(times.synced).toBeCloseTo(1, 9);
  });

  it("a sync covers the changes completed before it was called, and logs what it made durable", async () => {
    const { sim, node, disk, run } = await diskWorld();
    await run(async () => {
      const file = await disk.open("a.log", { create: true });
      await file.write(0, encode("first"));
      const syncing = file.sync();
      await file.write(5, encode("second"));
      await syncing;
      expect(decode(node.disk.readRaw("a.log").durable)).toBe("first");
      expect(node.disk.readRaw("a.log")).toMatchObject({ unsyncedChanges: 1 });
      await file.sync();
    });
    expect(decode(node.disk.readRaw("a.log").durable)).toBe("firstsecond");
    const log = node.disk.syncLog;
    expect(log.map(({ path, changes, bytes }) => ({ path, changes, bytes }))).toEqual([
      { path: "a.log", changes: 1, bytes: 5 },
      { path: "a.log", changes: 1, bytes: 6 },
    ]);
    expect(log[0]!.completedAtMs).toBeGreaterThan(log[0]!.calledAtMs);
    expect(log[1]!.completedAtMs).toBeLessThanOrEqual(sim.now);
    expect(node.disk.stats).toMatchObject({ writes: 2, bytesWritten: 11, syncs: 2 });
  });

  /**
   * A tiny group committer: appends write at reserved offsets and wait for a sync covering them;
   * one sync at a time covers everything `covered()` says is written. With `ordered` the writes
   * are chained, so completed writes always form a prefix; without, a sync may be started while
   * an earlier write is still in flight.
   */
  async function groupCommit(seed: number, ordered: boolean) {
    const { node, disk, run } = await diskWorld({}, seed);
    const appends = 200;
    const result = await run(async () => {
      const file = await disk.open("wal", { create: true });
      let reserved = 0;
      let writtenPrefix = 0;
      let durableEnd = 0;
      let chain = Promise.resolve();
      let syncing: Promise<void> | undefined;
      let syncCount = 0;
      let earlyAcknowledgements = 0;
      const syncUpTo = async (target: number): Promise<void> => {
        while (durableEnd < target) {
          if (syncing === undefined) {
            const covered = ordered ? writtenPrefix : reserved;
            syncCount++;
            syncing = file.sync().then(() => {
              durableEnd = Math.max(durableEnd, covered);
              syncing = undefined;
            });
          }
          await syncing;
        }
      };
      const append = async (record: Uint8Array): Promise<void> => {
        const offset = reserved;
        reserved += record.length;
        if (ordered) {
          chain = chain.then(async () => {
            await file.write(offset, record);
            writtenPrefix = offset + record.length;
          });
          await chain;
        } else {
          await file.write(offset, record);
        }
        await syncUpTo(offset + record.length);
        const durable = node.disk.readRaw("wal").durable;
        const written = durable.subarray(offset, offset + record.length);
        if (decode(written) !== decode(record)) earlyAcknowledgements++;
      };
      await Promise.all(Array.from({ length: appends }, (_, n) => append(encode(`record ${n};`))));
      return { syncCount, earlyAcknowledgements };
    });
    return { ...result, appends, syncLog: node.disk.syncLog };
  }

  it("makes group commit observable: every append acknowledged after a sync covering it, few syncs", async () => {
    const { syncCount, earlyAcknowledgements, appends, syncLog } = await groupCommit(1, true);
    expect(earlyAcknowledgements).toBe(0);
    expect(syncCount).toBeLessThan(appends / 10);
    expect(syncLog.reduce((total, record) => total + record.changes, 0)).toBe(appends);
  });

  it("catches a group commit that syncs while earlier writes are still in flight", async () => {
    const early = [];
    for (let seed = 1; seed <= 5; seed++)
      early.push((await groupCommit(seed, false)).earlyAcknowledgements);
    expect(Math.max(...early)).toBeGreaterThan(0);
  });

  it("power loss on a big unsynced write sometimes tears it at a sector boundary", async () => {
    const keptLengths = new Set<number>();
    for (let seed = 1; seed <= 60; seed++) {
      const { node, disk, run } = await diskWorld({}, seed);
      await run(async () => {
        const file = await disk.open("a.log", { create: true });
        await file.write(0, new Uint8Array(4096).fill(1));
      });
      node.crash();
      keptLengths.add(node.disk.readRaw("a.log").current.length);
    }
    const lengths = [...keptLengths];
    expect(lengths).toContain(0);
    expect(lengths).toContain(4096);
    const torn = lengths.filter((length) => length > 0 && length < 4096);
    expect(torn.length).toBeGreaterThan(0);
    for (const length of torn) expect(length % 512).toBe(0);
  });

  it("a crashed incarnation's operation in flight has no effect", async () => {
    const { sim, node, disk } = await diskWorld();
    void disk.mkdir("never");
    node.crash();
    await node.restart();
    await sim.runFor(10);
    expect(await sim.runUntilSettled([node.env.disk.exists("never")])).toEqual([false]);
  });
});

describe("SimDisk faults", () => {
  it("failNext fails the next matching operation with IOError and no effect", async () => {
    const { node, disk, run } = await diskWorld();
    await run(async () => {
      const file = await disk.open("a.log", { create: true });
      await file.write(0, encode("kept"));
      node.disk.failNext("write", "other.log");
      node.disk.failNext("write", "a.log");
      const error = await failureOf(file.write(0, encode("lost")));
      expect(error).toBeInstanceOf(IOError);
      expect((error as IOError).failure).toBe("failed");
      expect(decode(await file.read(0, 4))).toBe("kept");
      node.disk.failNext("sync");
      expect(await failureOf(file.sync())).toBeInstanceOf(IOError);
      expect(node.disk.readRaw("a.log")).toMatchObject({ unsyncedChanges: 1 });
      expect(node.disk.readRaw("a.log").durable).toHaveLength(0);
      node.disk.failNext("open");
      expect(await failureOf(disk.open("a.log"))).toBeInstanceOf(IOError);
      await file.sync();
    });
    expect(node.disk.stats.injectedFailures).toBe(3);
    expect(decode(node.disk.readRaw("a.log").durable)).toBe("kept");
  });

  it("random read, write and sync error rates", async () => {
    const { node, disk, run } = await diskWorld({ writeErrorRate: 1 });
    await run(async () => {
      const file = await disk.open("a.log", { create: true });
      expect(await failureOf(file.write(0, encode("x")))).toBeInstanceOf(IOError);
      expect(await failureOf(file.truncate(3))).toBeInstanceOf(IOError);
      node.disk.setErrorRates({ write: 0, read: 1 });
      await file.write(0, encode("x"));
      expect(await failureOf(file.read(0, 1))).toBeInstanceOf(IOError);
      node.disk.setErrorRates({ read: 0, sync: 1 });
      expect(await failureOf(file.sync())).toBeInstanceOf(IOError);
      expect(decode(await file.read(0, 1))).toBe("x");
    });
    expect(() => {
      node.disk.setErrorRates({ sync: 2 });
    }).toThrow(InvalidArgumentError);
  });

  it("flipBit and corrupt damage data at rest, in the current and the durable content", async () => {
    const { node, disk, run } = await diskWorld();
    let file!: DiskFile;
    await run(async () => {
      file = await disk.open("a.log", { create: true });
      await file.write(0, encode("abcd"));
      await file.sync();
    });
    node.disk.flipBit("a.log", 0, 1);
    node.disk.corrupt("a.log", 2, encode("ZZ"));
    expect(decode(node.disk.readRaw("a.log").durable)).toBe("cbZZ");
    expect(await run(async () => decode(await file.read(0, 4)))).toBe("cbZZ");
    node.crash();
    expect(decode(node.disk.readRaw("a.log").current)).toBe("cbZZ");
    expect(() => {
      node.disk.flipBit("a.log", 4, 0);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      node.disk.flipBit("a.log", 0, 8);
    }).toThrow(InvalidArgumentError);
    expect(() => node.disk.readRaw("missing")).toThrow(InvalidArgumentError);
    expect(node.disk.paths()).toEqual(["a.log"]);
  });
});

describe("SimDisk directories", () => {
  it("refuses to treat directories as files and files as directories", async () => {
    const { disk, run } = await diskWorld();
    await run(async () => {
      await disk.mkdir("dir");
      await (await disk.open("file", { create: true })).close();
      const failure = async (operation: Promise<unknown>): Promise<string | undefined> => {
        const error = await failureOf(operation);
        return error instanceof IOError ? error.failure : String(error);
      };
      expect(await failure(disk.open("dir"))).toBe("failed");
      expect(await failure(disk.remove("dir"))).toBe("failed");
      expect(await failure(disk.rename("dir", "elsewhere"))).toBe("failed");
      expect(await failure(disk.rename("file", "dir"))).toBe("failed");
      expect(await failure(disk.mkdir("file/sub"))).toBe("failed");
      expect(await failure(disk.list("file"))).toBe("failed");
      expect(await failure(disk.open("file/x", { create: true }))).toBe("failed");
      expect(await failure(disk.rename("file", "missing/file"))).toBe("not-found");
      await disk.rename("file", "file");
      expect(await disk.list("")).toEqual(["dir", "file"]);
      expect(await disk.exists("dir")).toBe(true);
    });
  });

  it("validates its options", () => {
    const sim = new Simulation({ seed: 1 });
    const bad: SimDiskOptions[] = [
      { syncLatencyMs: -1 },
      { latencyJitter: Number.NaN },
      { crashMode: "sometimes" as "any" },
      { sectorBytes: 0 },
      { readErrorRate: 1.5 },
      { syncLogEntriesMax: -1 },
    ];
    bad.forEach((disk, index) => {
      expect(() => sim.addNode(`node-${index}`, { boot: () => undefined, disk })).toThrow(
        InvalidArgumentError,
      );
    });
  });
});
