import fc from "fast-check";
import { ClosedError, CorruptionError, InvalidArgumentError } from "@pods/core-interfaces";
import { crc32c } from "@pods/codec";
import { describe, expect, it } from "vitest";
import { bytes, inSimulation, textOf } from "../test/harness.ts";
import {
  parseSnapshotFileName,
  snapshotFileName,
  SnapshotStore,
  type SnapshotInput,
} from "./index.ts";

const chunk = 4096;

function input(index: number, state: string | Uint8Array, generation = 1): SnapshotInput {
  return {
    lastIncludedIndex: index,
    lastIncludedGeneration: generation,
    membership: bytes(`athens,byzantium,cyrene @${index}`),
    state: typeof state === "string" ? bytes(state) : state,
  };
}

/** The checksum of a state that fits one chunk: the CRC32C of its frame's CRC32C. */
function stateChecksum(state: Uint8Array): number {
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, state.length);
  const frameCrc = new Uint8Array(4);
  new DataView(frameCrc.buffer).setUint32(0, crc32c(state, crc32c(length)));
  return crc32c(frameCrc);
}

/** `length` bytes that differ from position to position. */
function pattern(length: number, seed = 7): Uint8Array {
  return Uint8Array.from({ length }, (_, at) => (at * 31 + seed * 17 + (at >> 8)) & 0xff);
}

describe("snapshot file names", () => {
  it("sort by index and reject every other name", () => {
    expect(snapshotFileName(42)).toBe("snapshot-00000000000000000042.snap");
    expect(parseSnapshotFileName(snapshotFileName(Number.MAX_SAFE_INTEGER))).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    for (const name of [
      "snapshot-00000000000000000042.snap.tmp",
      "snapshot-42.snap",
      "snapshot-00000000000000000000.snap",
      "snapshot-99999999999999999999.snap",
      "receive-1.tmp",
      "notes.txt",
    ]) {
      expect(parseSnapshotFileName(name)).toBeNull();
    }
    expect(() => snapshotFileName(0)).toThrow(InvalidArgumentError);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (a, b) => {
          expect(parseSnapshotFileName(snapshotFileName(a))).toBe(a);
          expect(Math.sign(snapshotFileName(a).localeCompare(snapshotFileName(b)))).toBe(
            Math.sign(a - b),
          );
        },
      ),
    );
  });
});

describe("SnapshotStore", () => {
  it("saves, lists, loads and keeps the newest snapshotsRetained", async () => {
    await inSimulation(1, async ({ env }) => {
      const store = await SnapshotStore.open(env().disk, { snapshotChunkBytes: chunk });
      expect(store.latest()).toBeUndefined();
      const big = pattern(3 * chunk + 123);
      const first = await store.save(input(10, "state at 10"));
      expect(first).toMatchObject({
        lastIncludedIndex: 10,
        lastIncludedGeneration: 1,
        stateBytes: 11,
        checksum: stateChecksum(bytes("state at 10")),
        file: "snapshots/snapshot-00000000000000000010.snap",
      });
      await store.save(input(20, big, 2));
      await store.save(input(30, new Uint8Array(0), 3));
      expect(store.list().map((s) => s.lastIncludedIndex)).toEqual([20, 30]);
      expect(await env().disk.list("snapshots")).toEqual([
        "snapshot-00000000000000000020.snap",
        "snapshot-00000000000000000030.snap",
      ]);
      const loaded = await store.load(20);
      expect(loaded.state).toEqual(big);
      expect(textOf(loaded.membership)).toBe("athens,byzantium,cyrene @20");
      expect((await store.load()).lastIncludedIndex).toBe(30);
      expect((await store.load()).state).toEqual(new Uint8Array(0));
      await expect(store.load(10)).rejects.toThrow(InvalidArgumentError);

      const reopened = await SnapshotStore.open(env().disk, { snapshotsRetained: 1 });
      expect(reopened.list().map((s) => s.lastIncludedIndex)).toEqual([30]);
      expect(reopened.recovery.removedFiles).toEqual([
        "snapshots/snapshot-00000000000000000020.snap",
      ]);
      expect(reopened.recovery.damaged).toEqual([]);
    });
  });

  it("refuses bad input and snapshots that do not move forward, writing nothing", async () => {
    await inSimulation(2, async ({ env }) => {
      const store = await SnapshotStore.open(env().disk, { stateBytesMax: 100 });
      await store.save(input(5, "five"));
      await expect(store.save(input(5, "again"))).rejects.toThrow(/not newer/);
      await expect(store.save(input(4, "older"))).rejects.toThrow(InvalidArgumentError);
      expect(() => store.save(input(0, "x"))).toThrow(InvalidArgumentError);
      expect(() => store.save(input(6, "x", -1))).toThrow(InvalidArgumentError);
      expect(() => store.save(input(6, pattern(101)))).toThrow(/stateBytesMax/);
      expect(() => store.save({ ...input(6, "x"), state: "x" as unknown as Uint8Array })).toThrow(
        InvalidArgumentError,
      );
      expect(store.list().map((s) => s.lastIncludedIndex)).toEqual([5]);
      expect(await env().disk.list("snapshots")).toEqual(["snapshot-00000000000000000005.snap"]);
      await expect(SnapshotStore.open(env().disk, { snapshotsRetained: 0 })).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(SnapshotStore.open(env().disk, { snapshotChunkBytes: 100 })).rejects.toThrow(
        /snapshotChunkBytes/,
      );
    });
  });

  it("removes temporary files and damaged snapshots at open, keeping the valid ones", async () => {
    await inSimulation(3, async ({ env, node }) => {
      const store = await SnapshotStore.open(env().disk, {
        snapshotChunkBytes: chunk,
        snapshotsRetained: 3,
      });
      for (const index of [10, 20, 30]) await store.save(input(index, pattern(2 * chunk, index)));
      const disk = env().disk;
      const stray = await disk.open("snapshots/snapshot-00000000000000000040.snap.tmp", {
        create: true,
      });
      await stray.write(0, bytes("half a snapshot"));
      await stray.close();
      await (await disk.open("snapshots/notes.txt", { create: true })).close();
      node.disk.flipBit("snapshots/snapshot-00000000000000000030.snap", 5000, 3); // in a chunk
      const file = await disk.open("snapshots/snapshot-00000000000000000020.snap");
      await file.truncate(100); // a partial file under a final name
      await file.close();

      const reopened = await SnapshotStore.open(disk, { snapshotsRetained: 3 });
      expect(reopened.list().map((s) => s.lastIncludedIndex)).toEqual([10]);
      expect(reopened.recovery.damaged.map((d) => d.file)).toEqual([
        "snapshots/snapshot-00000000000000000030.snap",
        "snapshots/snapshot-00000000000000000020.snap",
      ]);
      expect(reopened.recovery.damaged[0]!.problem).toMatch(/damaged/);
      expect(await disk.list("snapshots")).toEqual([
        "notes.txt",
        "snapshot-00000000000000000010.snap",
      ]);
      expect((await reopened.load()).state).toEqual(pattern(2 * chunk, 10));
    });
  });

  it("never loads a damaged file: any bit flip or cut is a CorruptionError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * chunk }),
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        async (stateBytes, membershipBytes, where, bit, cut) => {
          await inSimulation(4, async ({ env, node }) => {
            const store = await SnapshotStore.open(env().disk, { snapshotChunkBytes: chunk });
            const state = pattern(stateBytes);
            const saved = await store.save({
              lastIncludedIndex: 9,
              lastIncludedGeneration: 4,
              membership: pattern(membershipBytes, 3),
              state,
            });
            const loaded = await store.load();
            expect(loaded.state).toEqual(state);
            expect(loaded.membership).toEqual(pattern(membershipBytes, 3));
            const offset = Math.min(saved.fileBytes - 1, Math.floor(where * saved.fileBytes));
            if (cut) {
              const file = await env().disk.open(saved.file);
              await file.truncate(offset);
              await file.close();
            } else {
              node.disk.flipBit(saved.file, offset, bit);
            }
            await expect(store.load()).rejects.toThrow(CorruptionError);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("notices state chunks swapped whole (each frame still verifies)", async () => {
    await inSimulation(7, async ({ env, node }) => {
      const store = await SnapshotStore.open(env().disk, { snapshotChunkBytes: chunk });
      const saved = await store.save(input(3, pattern(3 * chunk, 5)));
      const raw = node.disk.readRaw(saved.file).current;
      const frame = 8 + chunk;
      const first = saved.fileBytes - 3 * frame;
      const swapped = raw.slice();
      swapped.set(raw.subarray(first, first + frame), first + frame);
      swapped.set(raw.subarray(first + frame, first + 2 * frame), first);
      node.disk.corrupt(saved.file, 0, swapped);
      await expect(store.load()).rejects.toThrow(/checksum does not match/);
    });
  });

  it("streams a snapshot to another store in chunks and installs it atomically", async () => {
    await inSimulation(5, async ({ env }) => {
      const leader = await SnapshotStore.open(env().disk, {
        dir: "leader",
        snapshotChunkBytes: chunk,
      });
      const follower = await SnapshotStore.open(env().disk, { dir: "follower" });
      const state = pattern(5 * chunk + 17);
      await leader.save(input(40, state, 3));
      const reader = await leader.openReader();
      await leader.save(input(50, "newer")); // the transfer of 40 goes on
      await leader.save(input(60, "newest")); // 40 is pruned: the reader keeps its handle
      expect(leader.list().map((s) => s.lastIncludedIndex)).toEqual([50, 60]);

      const receiver = follower.receive(reader.meta.fileBytes);
      let offset = 0;
      while (offset < reader.meta.fileBytes) {
        const piece = await reader.read(offset, 3000);
        expect(() => receiver.write(offset + 1, piece)).toThrow(/must be at/);
        await receiver.write(offset, piece);
        offset += piece.length;
      }
      expect(await reader.read(offset, 10)).toEqual(new Uint8Array(0));
      await reader.close();
      await expect(reader.read(0, 10)).rejects.toThrow(ClosedError);
      const meta = await receiver.finish();
      expect(meta).toMatchObject({ lastIncludedIndex: 40, lastIncludedGeneration: 3 });
      expect((await follower.load()).state).toEqual(state);
      expect(await env().disk.list("follower")).toEqual(["snapshot-00000000000000000040.snap"]);
      expect(() => receiver.write(0, new Uint8Array(1))).toThrow(ClosedError);
    });
  });

  it("refuses a damaged, incomplete, oversized or stale transfer and leaves no file", async () => {
    await inSimulation(6, async ({ env }) => {
      const leader = await SnapshotStore.open(env().disk, { dir: "leader" });
      const follower = await SnapshotStore.open(env().disk, { dir: "follower" });
      const sent = await leader.save(input(7, "seven"));
      const raw = await (await leader.openReader()).read(0, sent.fileBytes);

      const damaged = follower.receive(raw.length);
      const copy = raw.slice();
      copy[copy.length - 2]! ^= 0x10;
      await damaged.write(0, copy);
      await expect(damaged.finish()).rejects.toThrow(CorruptionError);

      const incomplete = follower.receive(raw.length);
      await incomplete.write(0, raw.subarray(0, 10));
      await expect(incomplete.finish()).rejects.toThrow(/Only 10 of/);
      expect(() => incomplete.write(10, raw)).toThrow(/runs past/);
      await incomplete.abort();

      expect(() => follower.receive(2 ** 40)).toThrow(InvalidArgumentError);
      await follower.save(input(9, "nine"));
      const stale = follower.receive(raw.length);
      await stale.write(0, raw);
      await expect(stale.finish()).rejects.toThrow(/not newer/);
      expect(await env().disk.list("follower")).toEqual(["snapshot-00000000000000000009.snap"]);
    });
  });
});
