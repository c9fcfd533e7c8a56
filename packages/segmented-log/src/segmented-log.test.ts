import fc from "fast-check";
import { CompactedError, InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { SegmentedLog, type SegmentedLogOptions } from "./index.ts";
import { segmentHeaderFrameBytes } from "./record-format.ts";
import { bodyOf, inSimulation, makeRecords, text } from "../test/harness.ts";

// The segmented log against a simple in-memory model (an array of records), under random
// sequences of appends, rolls, reads across segments, truncations, prefix removals, resets,
// reopens and crashes after a sync.

type Command =
  | {
      readonly kind: "append";
      readonly count: number;
      readonly bodyBytes: number;
      readonly timeStepMs: number;
    }
  | { readonly kind: "truncateFrom"; readonly at: number }
  | { readonly kind: "truncateBefore"; readonly at: number }
  | { readonly kind: "reset"; readonly skip: number }
  | { readonly kind: "read"; readonly at: number; readonly limit: number }
  | { readonly kind: "reopen" }
  | { readonly kind: "crash" };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      count: fc.integer({ min: 1, max: 8 }),
      bodyBytes: fc.integer({ min: 0, max: 120 }),
      timeStepMs: fc.integer({ min: -5, max: 500 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("truncateFrom" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("truncateBefore" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("reset" as const),
      skip: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      limit: fc.integer({ min: 1, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "crash" as const }) },
);

const limits = fc.record({
  segmentBytesMax: fc.integer({ min: 100, max: 2000 }),
  segmentRecordsMax: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
  segmentAgeMsMax: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
  indexIntervalBytes: fc.integer({ min: 1, max: 600 }),
  readChunkBytes: fc.integer({ min: 64, max: 700 }),
  readHandlesMax: fc.integer({ min: 1, max: 3 }),
});

function withoutUndefined(options: Record<string, number | undefined>): SegmentedLogOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

describe("SegmentedLog against a model", () => {
  it("agrees with an array of records under random operations", async () => {
    await fc.assert(
      fc.asyncProperty(
        limits,
        fc.array(command, { maxLength: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        async (rawLimits, commands, seed) => {
          const options = withoutUndefined(rawLimits);
          await inSimulation(seed, async ({ env, node }) => {
            let log = await SegmentedLog.open(env().disk, options);
            let model: { index: number; body: string; generation: number }[] = [];
            let firstIndex = 1;
            let clockMs = 1_000;
            let generation = 0;
            const lastIndex = (): number => firstIndex + model.length - 1;
            const check = async (): Promise<void> => {
              expect(log.firstIndex).toBe(firstIndex);
              expect(log.lastIndex).toBe(lastIndex());
              const all = await log.readFrom(firstIndex, Number.MAX_SAFE_INTEGER);
              expect(
                all.map((record) => [record.index, text(record.body), record.generation]),
              ).toEqual(model.map((record) => [record.index, record.body, record.generation]));
              const segments = log.segments();
              expect(segments[0]!.baseIndex).toBe(firstIndex);
              expect(segments.at(-1)!.lastIndex).toBe(lastIndex());
              segments.forEach((segment, at) => {
                if (at > 0) expect(segment.baseIndex).toBe(segments[at - 1]!.lastIndex + 1);
                expect(segment.sealed).toBe(at < segments.length - 1);
                if (segment.sealed) expect(segment.records).toBeGreaterThan(0);
                if (segment.records > 1)
                  expect(segment.bytes).toBeLessThanOrEqual(options.segmentBytesMax!);
                if (options.segmentRecordsMax !== undefined)
                  expect(segment.records).toBeLessThanOrEqual(options.segmentRecordsMax);
              });
            };
            for (const step of commands) {
              switch (step.kind) {
                case "append": {
                  clockMs += step.timeStepMs;
                  generation += step.timeStepMs % 3 === 0 ? 1 : 0;
                  const records = makeRecords(lastIndex() + 1, step.count, {
                    bodyBytes: step.bodyBytes,
                    timestampMs: clockMs,
                    generation,
                  });
                  await log.append(records);
                  for (const record of records) {
                    model.push({
                      index: record.index,
                      body: text(record.body as Uint8Array),
                      generation,
                    });
                  }
                  break;
                }
                case "truncateFrom": {
                  // `at` may be exactly 1: clamp to lastIndex + 1, the last index these accept.
                  const index =
                    firstIndex + Math.min(model.length, Math.floor(step.at * (model.length + 1)));
                  await log.truncateFrom(index);
                  model = model.filter((record) => record.index < index);
                  generation = model.at(-1)?.generation ?? log.previousGeneration;
                  expect(log.lastGeneration).toBe(generation);
                  break;
                }
                case "truncateBefore": {
                  const index = 1 + Math.min(lastIndex(), Math.floor(step.at * (lastIndex() + 1)));
                  const first = await log.truncateBefore(index);
                  expect(first).toBeGreaterThanOrEqual(firstIndex);
                  expect(first).toBeLessThanOrEqual(Math.max(index, firstIndex));
                  if (first > firstIndex)
                    expect(log.previousGeneration).toBe(
                      model.find((record) => record.index === first - 1)!.generation,
                    );
                  model = model.filter((record) => record.index >= first);
                  firstIndex = first;
                  break;
                }
                case "reset": {
                  const start = lastIndex() + 1 + step.skip;
                  await log.reset(start, generation);
                  model = [];
                  firstIndex = start;
                  expect(log.previousGeneration).toBe(generation);
                  break;
                }
                case "read": {
                  if (model.length === 0) {
                    await expect(log.read(lastIndex() + 1)).rejects.toBeInstanceOf(
                      InvalidArgumentError,
                    );
                    break;
                  }
                  const offset = Math.min(model.length - 1, Math.floor(step.at * model.length));
                  const expected = model[offset]!;
                  expect(text((await log.read(expected.index)).body)).toBe(expected.body);
                  const range = await log.readFrom(expected.index, step.limit);
                  expect(range.map((record) => text(record.body))).toEqual(
                    model.slice(offset, offset + step.limit).map((record) => record.body),
                  );
                  if (firstIndex > 1)
                    await expect(log.read(firstIndex - 1)).rejects.toBeInstanceOf(CompactedError);
                  break;
                }
                case "reopen":
                  await log.close();
                  log = await SegmentedLog.open(env().disk, options);
                  expect(log.recovery.tornTail).toBeUndefined();
                  break;
                case "crash":
                  await log.sync();
                  node.crash();
                  await node.restart();
                  log = await SegmentedLog.open(env().disk, options);
                  break;
              }
              await check();
            }
          });
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});

describe("SegmentedLog edge cases", () => {
  it("rejects misuse with typed errors", async () => {
    await inSimulation(1, async ({ env }) => {
      const log = await SegmentedLog.open(env().disk);
      await expect(log.append(makeRecords(2, 1))).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(() => log.append([...makeRecords(1, 1), ...makeRecords(3, 1)])).toThrow(
        InvalidArgumentError,
      );
      await log.append(makeRecords(1, 3));
      await expect(log.read(4)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(log.truncateFrom(5)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(log.truncateBefore(5)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await log.readFrom(4, 10)).toEqual([]);
      await log.close();
      await expect(log.read(1)).rejects.toThrow(/closed/);
      await expect(log.append(makeRecords(4, 1))).rejects.toThrow(/closed/);
    });
  });

  it("starts after a snapshot at startIndex, remembering the generation before it", async () => {
    await inSimulation(2, async ({ env }) => {
      const log = await SegmentedLog.open(env().disk, { startIndex: 101, previousGeneration: 7 });
      expect([log.firstIndex, log.lastIndex, log.previousGeneration, log.lastGeneration]).toEqual([
        101, 100, 7, 7,
      ]);
      await log.append(makeRecords(101, 2, { generation: 8 }));
      await log.sync();
      await log.close();
      const reopened = await SegmentedLog.open(env().disk);
      expect([reopened.firstIndex, reopened.lastIndex, reopened.previousGeneration]).toEqual([
        101, 102, 7,
      ]);
      await expect(reopened.read(100)).rejects.toMatchObject({ lowWaterMark: 101, index: 100 });
    });
  });

  it("gives a record larger than the segment limit a segment to itself", async () => {
    await inSimulation(3, async ({ env }) => {
      const log = await SegmentedLog.open(env().disk, { segmentBytesMax: 100 });
      await log.append([
        ...makeRecords(1, 1),
        ...makeRecords(2, 1, { bodyBytes: 500 }),
        ...makeRecords(3, 1),
      ]);
      expect(log.segments().map((segment) => [segment.baseIndex, segment.lastIndex])).toEqual([
        [1, 1],
        [2, 2],
        [3, 3],
      ]);
      expect(log.segments()[1]!.bytes).toBe(segmentHeaderFrameBytes + 8 + 24 + 500);
      expect(text((await log.read(2)).body)).toBe(text(bodyOf(2, 500)));
    });
  });

  it("lets an iterator finish from its handle or throw CompactedError when segments go", async () => {
    await inSimulation(4, async ({ env }) => {
      const log = await SegmentedLog.open(env().disk, { segmentBytesMax: 300, readChunkBytes: 64 });
      await log.append(makeRecords(1, 40, { bodyBytes: 30 }));
      const seen: number[] = [];
      let error: unknown;
      try {
        for await (const record of log.records(1)) {
          seen.push(record.index);
          expect(text(record.body)).toBe(text(bodyOf(record.index, 30)));
          if (record.index === 5) await log.truncateBefore(30);
        }
      } catch (caught) {
        error = caught;
      }
      expect(seen).toEqual(Array.from({ length: seen.length }, (_, at) => at + 1));
      expect(error).toBeInstanceOf(CompactedError);
      expect((error as CompactedError).lowWaterMark).toBe(log.firstIndex);
    });
  });
});
