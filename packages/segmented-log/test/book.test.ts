import { CorruptionError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { SegmentGapError, SegmentedLog, parseSegmentFileName } from "../src/index.ts";
import { inSimulation, makeRecords, text } from "./harness.ts";

// The acceptance scenarios of PATTERNS.md, section 2 (Segmented Log), one test each, on the
// simulated disk. Records of `makeRecords(..., { bodyBytes: 18 })` take 50 bytes on disk.

const small = { bodyBytes: 18 };

async function segmentFiles(list: () => Promise<string[]>): Promise<string[]> {
  return (await list()).filter((name) => parseSegmentFileName(name) !== null);
}

describe("segmented log: book scenarios", () => {
  it("rolls-by-size", async () => {
    await inSimulation(1, async ({ env }) => {
      const log = await SegmentedLog.open(env().disk, { segmentBytesMax: 150 });
      for (const record of makeRecords(1, 10, small)) await log.append([record]);
      const files = await segmentFiles(() => env().disk.list("wal"));
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const segment of log.segments()) {
        expect(segment.file).toBe(`wal/wal-${String(segment.baseIndex).padStart(20, "0")}.log`);
        const first = await log.read(segment.baseIndex);
        expect(first.index).toBe(segment.baseIndex);
        expect(segment.bytes).toBeLessThanOrEqual(150);
      }
      expect(files).toEqual(log.segments().map((segment) => segment.file.slice("wal/".length)));
      const all = await log.readFrom(1, 100);
      expect(all.map((record) => record.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(all.map((record) => text(record.body))).toEqual(
        makeRecords(1, 10, small).map((record) => text(record.body as Uint8Array)),
      );
      await log.close();
    });
  });

  it("reopen-many-segments", async () => {
    await inSimulation(2, async ({ env, node }) => {
      const log = await SegmentedLog.open(env().disk, { segmentBytesMax: 150 });
      await log.append(makeRecords(1, 9, small));
      await log.sync();
      const segmentsBefore = log.segments();
      expect(segmentsBefore.length).toBeGreaterThan(3);
      node.crash();
      await node.restart();
      const reopened = await SegmentedLog.open(env().disk, { segmentBytesMax: 150 });
      expect(reopened.lastIndex).toBe(9);
      expect(reopened.segments()).toEqual(segmentsBefore);
      await reopened.append(makeRecords(10, 1, small));
      expect(reopened.lastIndex).toBe(10);
      expect(text((await reopened.read(1)).body)).toMatch(/^record 1\./);
      expect(text((await reopened.read(10)).body)).toMatch(/^record 10/);
    });
  });

  it("read-across-segments", async () => {
    await inSimulation(3, async ({ env }) => {
      const log = await SegmentedLog.open(env().disk, { segmentBytesMax: 150 });
      await log.append(makeRecords(1, 12, small));
      const second = log.segments()[1]!;
      expect(second.records).toBe(2);
      const x = second.baseIndex + 1; // the middle (last) record of an old segment
      const read = await log.readFrom(x, 100);
      expect(read.map((record) => record.index)).toEqual(
        Array.from({ length: 12 - x + 1 }, (_, offset) => x + offset),
      );
      const iterated: number[] = [];
      for await (const record of log.records(x)) iterated.push(record.index);
      expect(iterated).toEqual(read.map((record) => record.index));
    });
  });

  it("truncate-in-sealed-segment", async () => {
    await inSimulation(4, async ({ env, node }) => {
      const options = { segmentBytesMax: 500 };
      const log = await SegmentedLog.open(env().disk, options);
      await log.append(makeRecords(1, 6, { bodyBytes: 200 }));
      expect(log.segments().map((segment) => [segment.baseIndex, segment.lastIndex])).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      await log.truncateFrom(4);
      const expectState = async (current: SegmentedLog): Promise<void> => {
        expect(current.lastIndex).toBe(3);
        expect((await current.readFrom(1, 10)).map((record) => record.index)).toEqual([1, 2, 3]);
        expect(await segmentFiles(() => env().disk.list("wal"))).toEqual([
          "wal-00000000000000000001.log",
          "wal-00000000000000000003.log",
        ]);
        expect(current.segments().map((segment) => segment.sealed)).toEqual([true, false]);
      };
      await expectState(log);
      node.crash();
      await node.restart();
      const reopened = await SegmentedLog.open(env().disk, options);
      await expectState(reopened);
      await reopened.append(makeRecords(4, 1, { bodyBytes: 200, generation: 2 }));
      expect((await reopened.read(4)).generation).toBe(2);
    });
  });

  it("ignores-foreign-files", async () => {
    await inSimulation(5, async ({ env }) => {
      const disk = env().disk;
      const log = await SegmentedLog.open(disk, { segmentBytesMax: 150 });
      await log.append(makeRecords(1, 5, small));
      await log.sync();
      await log.close();
      for (const name of ["notes.txt", "wal-abc.log", "wal-00000000000000000006.log.tmp"]) {
        const file = await disk.open(`wal/${name}`, { create: true });
        await file.write(0, new TextEncoder().encode("not a segment"));
        await file.sync();
        await file.close();
      }
      expect(parseSegmentFileName("wal-abc.log")).toBeNull();
      expect(parseSegmentFileName("notes.txt")).toBeNull();
      expect(parseSegmentFileName("wal-00000000000000000006.log.tmp")).toBeNull();
      const reopened = await SegmentedLog.open(disk, { segmentBytesMax: 150 });
      expect(reopened.lastIndex).toBe(5);
      expect(reopened.segments().length).toBe(3);
      // The log's own leftover temporary file is cleaned up; foreign files stay untouched.
      expect(reopened.recovery.removedFiles).toEqual(["wal/wal-00000000000000000006.log.tmp"]);
      expect(await disk.exists("wal/notes.txt")).toBe(true);
      expect(await disk.exists("wal/wal-abc.log")).toBe(true);
      await reopened.append(makeRecords(6, 1, small));
      expect(reopened.lastIndex).toBe(6);
    });
  });

  it("missing-segment-detected", async () => {
    await inSimulation(6, async ({ env, node }) => {
      const log = await SegmentedLog.open(env().disk, { segmentBytesMax: 150 });
      await log.append(makeRecords(1, 10, small));
      await log.sync();
      const middle = log.segments()[2]!;
      await log.close();
      await env().disk.remove(middle.file);
      const error = await SegmentedLog.open(env().disk, { segmentBytesMax: 150 }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(CorruptionError);
      expect(error).toBeInstanceOf(SegmentGapError);
      const gap = error as SegmentGapError;
      expect([gap.missingFrom, gap.missingTo]).toEqual([middle.baseIndex, middle.lastIndex]);
      expect(gap.message).toContain(`Indexes ${middle.baseIndex} to ${middle.lastIndex}`);
      expect(node.disk.paths()).toHaveLength(4);
    });
  });
});
