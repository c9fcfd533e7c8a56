import fc from "fast-check";
import { ClosedError, type DiskFile } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { SegmentedLog } from "./index.ts";
import { resolveOptions } from "./options.ts";
import {
  encodeRecordFrames,
  encodeSegmentHeader,
  recordFrameBytes,
  recordHeaderBytes,
  segmentHeaderFrameBytes,
  type RecordInput,
} from "./record-format.ts";
import { offsetOfRecord, readSegmentRecords, type Collector } from "./segment-reader.ts";
import { scanSegment } from "./segment-scan.ts";
import { bodyOf, inSimulation, makeRecords, text } from "../test/harness.ts";

// Every path that reads frames in chunks — open's scan, reads, iteration and the search for the
// cut point of truncateFrom — with chunks much smaller than the records, so that frame headers and
// payloads straddle chunk boundaries everywhere.

/** A read-only file over `bytes`, as the readers see a segment. */
function memoryFile(bytes: Uint8Array): DiskFile {
  const refuse = (): Promise<never> => Promise.reject(new ClosedError("memory file (read-only)"));
  return {
    path: "wal/wal-00000000000000000001.log",
    size: () => Promise.resolve(bytes.length),
    read: (offset, length) => Promise.resolve(bytes.slice(offset, offset + length)),
    write: refuse,
    truncate: refuse,
    sync: refuse,
    close: () => Promise.resolve(),
  };
}

/** One segment file holding records 1 … with these body sizes, and where each record starts. */
function segmentBytes(bodySizes: readonly number[]): {
  bytes: Uint8Array;
  records: RecordInput[];
  offsets: number[];
} {
  const records = bodySizes.map((bodyBytes, at) => ({
    index: at + 1,
    generation: 1,
    timestampMs: 1_000 + at,
    body: bodyOf(at + 1, bodyBytes),
  }));
  const lengths = records.map((record) => record.body.length);
  const offsets: number[] = [];
  let size = segmentHeaderFrameBytes;
  for (const length of lengths) {
    offsets.push(size);
    size += recordFrameBytes(length);
  }
  const bytes = new Uint8Array(size);
  encodeSegmentHeader({ baseIndex: 1, previousGeneration: 0 }, bytes);
  encodeRecordFrames(records, lengths, 0, records.length, bytes, segmentHeaderFrameBytes);
  return { bytes, records, offsets };
}

const bodySizes = fc.array(
  fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 40, max: 700 })),
  { minLength: 1, maxLength: 30 },
);

describe("chunked reads", () => {
  it("truncateFrom finds its cut when a large record's header straddles a read chunk", async () => {
    // Record 5's frame is 60 bytes, so the first 64-byte chunk ends 4 bytes into record 6's
    // header; record 6 is larger than a chunk.
    await inSimulation(1, async ({ env }) => {
      const options = { segmentRecordsMax: 2, readChunkBytes: 64 };
      const log = await SegmentedLog.open(env().disk, options);
      await log.append(makeRecords(1, 4, { bodyBytes: 10 }));
      await log.append(makeRecords(5, 1, { bodyBytes: 28 }));
      await log.append(makeRecords(6, 1, { bodyBytes: 100 }));
      await log.append(makeRecords(7, 4, { bodyBytes: 10 }));
      expect(log.segments().map((segment) => [segment.baseIndex, segment.lastIndex])).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
        [9, 10],
      ]);
      await log.truncateFrom(7);
      expect(log.lastIndex).toBe(6);
      expect(text((await log.read(6)).body)).toBe(text(bodyOf(6, 100)));
      await log.append(makeRecords(7, 1, { bodyBytes: 10 }));
      await log.sync();
      await log.close();
      const reopened = await SegmentedLog.open(env().disk, options);
      expect(reopened.lastIndex).toBe(7);
      expect((await reopened.readFrom(1, 10)).map((record) => text(record.body))).toEqual(
        [
          ...makeRecords(1, 4, { bodyBytes: 10 }),
          ...makeRecords(5, 1, { bodyBytes: 28 }),
          ...makeRecords(6, 1, { bodyBytes: 100 }),
          ...makeRecords(7, 1, { bodyBytes: 10 }),
        ].map((record) => text(record.body as Uint8Array)),
      );
    });
  });

  it("scan, reads and the cut search agree with the bytes for any chunk size", async () => {
    await fc.assert(
      fc.asyncProperty(
        bodySizes,
        fc.oneof(fc.constantFrom(16, 64, 256), fc.integer({ min: 1, max: 300 })),
        fc.integer({ min: 1, max: 1500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (sizes, chunkBytes, indexIntervalBytes, at) => {
          const { bytes, records, offsets } = segmentBytes(sizes);
          const file = memoryFile(bytes);
          const options = { ...resolveOptions({ indexIntervalBytes }), readChunkBytes: chunkBytes };
          const frameOptions = { frameBytesMax: recordHeaderBytes + options.recordBytesMax };
          const scanned: number[] = [];
          const outcome = await scanSegment({
            file,
            dir: "wal",
            baseIndex: 1,
            isLast: true,
            previousGeneration: undefined,
            options,
            onRecord: (record) => scanned.push(record.index),
          });
          if (outcome.kind !== "sound") throw new Error(`the scan found ${outcome.kind}`);
          const { segment } = outcome;
          expect(outcome.tail).toBeUndefined();
          expect(scanned).toEqual(records.map((record) => record.index));
          expect(segment.size).toBe(bytes.length);

          for (let index = 1; index <= records.length + 1; index++) {
            const offset = await offsetOfRecord(file, segment, index, chunkBytes, frameOptions);
            expect(offset).toBe(offsets[index - 1] ?? bytes.length);
          }

          const from = 1 + Math.min(records.length - 1, Math.floor(at * records.length));
          const collector: Collector = {
            records: [],
            bytes: 0,
            bytesMax: Number.MAX_SAFE_INTEGER,
            lastIndex: records.length,
            full: false,
          };
          const next = await readSegmentRecords(
            file,
            segment,
            from,
            collector,
            chunkBytes,
            frameOptions,
          );
          expect(next).toBe(records.length + 1);
          expect(collector.records.map((record) => [record.index, text(record.body)])).toEqual(
            records
              .slice(from - 1)
              .map((record) => [record.index, text(record.body as Uint8Array)]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the log reads, iterates, cuts and reopens with small read chunks", async () => {
    await fc.assert(
      fc.asyncProperty(
        bodySizes,
        fc.oneof(fc.constantFrom(64, 256), fc.integer({ min: 64, max: 400 })),
        fc.integer({ min: 100, max: 3000 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (sizes, readChunkBytes, segmentBytesMax, indexIntervalBytes, at) => {
          await inSimulation(1, async ({ env }) => {
            const options = { readChunkBytes, segmentBytesMax, indexIntervalBytes };
            const records = sizes.map(
              (bodyBytes, offset) => makeRecords(offset + 1, 1, { bodyBytes })[0]!,
            );
            const bodies = records.map((record) => text(record.body as Uint8Array));
            const log = await SegmentedLog.open(env().disk, options);
            await log.append(records);
            await log.sync();
            await log.close();

            const reopened = await SegmentedLog.open(env().disk, options);
            expect(reopened.lastIndex).toBe(records.length);
            for (let index = 1; index <= records.length; index++)
              expect(text((await reopened.read(index)).body)).toBe(bodies[index - 1]);
            const iterated: string[] = [];
            for await (const record of reopened.records()) iterated.push(text(record.body));
            expect(iterated).toEqual(bodies);

            const cut = 1 + Math.floor(at * records.length);
            await reopened.truncateFrom(cut);
            expect(reopened.lastIndex).toBe(cut - 1);
            const kept = await reopened.readFrom(1, records.length);
            expect(kept.map((record) => text(record.body))).toEqual(bodies.slice(0, cut - 1));
            await reopened.close();

            const again = await SegmentedLog.open(env().disk, options);
            expect(again.lastIndex).toBe(cut - 1);
            expect(again.recovery.tornTail).toBeUndefined();
            await again.close();
          });
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
