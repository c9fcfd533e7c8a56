import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchAccumulator, type Batch } from "./batch-accumulator.ts";

function sizes(batches: readonly Batch<number>[]): number[][] {
  return batches.map((batch) => [...batch.items]);
}

describe("BatchAccumulator", () => {
  it("closes the open batch before an item that would take it past batchBytesMax", () => {
    const batches = new BatchAccumulator<number>({ batchBytesMax: 100, batchCountMax: 10 });
    expect(batches.add(1, 40)).toEqual([]);
    expect(batches.add(2, 40)).toEqual([]);
    expect(sizes(batches.add(3, 40))).toEqual([[1, 2]]);
    expect([batches.count, batches.bytes]).toEqual([1, 40]);
  });

  it("sends an oversized item alone, closing what was open first", () => {
    const batches = new BatchAccumulator<number>({ batchBytesMax: 100, batchCountMax: 10 });
    batches.add(1, 10);
    const closed = batches.add(2, 500);
    expect(closed.map(({ items, reason }) => ({ items, reason }))).toEqual([
      { items: [1], reason: "bytes" },
      { items: [2], reason: "bytes" },
    ]);
    expect(batches.count).toBe(0);
  });

  it("closes a batch as soon as it is full by count, or has no room for the smallest item", () => {
    const byCount = new BatchAccumulator<number>({ batchBytesMax: 1_000, batchCountMax: 2 });
    byCount.add(1, 1);
    expect(byCount.add(2, 1).map(({ reason }) => reason)).toEqual(["count"]);
    const byBytes = new BatchAccumulator<number>({
      batchBytesMax: 100,
      batchCountMax: 10,
      envelopeBytes: 10,
      itemBytesMin: 5,
    });
    expect(byBytes.add(1, 80)).toEqual([]);
    expect(byBytes.add(2, 5)).toEqual([]);
    expect(byBytes.add(3, 5)).toEqual([{ items: [1, 2, 3], bytes: 100, reason: "bytes" }]);
  });

  it("closes the open batch on demand, and nothing when it is empty", () => {
    const batches = new BatchAccumulator<number>({ batchBytesMax: 100, batchCountMax: 10 });
    expect(batches.close("linger")).toBeUndefined();
    batches.add(7, 3);
    expect(batches.close("linger")).toEqual({ items: [7], bytes: 3, reason: "linger" });
  });

  it("validates its limits and item sizes", () => {
    expect(() => new BatchAccumulator({ batchBytesMax: 10, batchCountMax: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(
      () => new BatchAccumulator({ batchBytesMax: 10, batchCountMax: 1, envelopeBytes: 10 }),
    ).toThrow(InvalidArgumentError);
    const batches = new BatchAccumulator<number>({ batchBytesMax: 10, batchCountMax: 1 });
    expect(() => batches.add(1, 0)).toThrow(InvalidArgumentError);
  });

  it("keeps order and limits, and closes by bytes only when the next item would not fit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 500 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 10 }),
        fc.array(fc.integer({ min: 1, max: 600 }), { maxLength: 100 }),
        (batchBytesMax, batchCountMax, envelopeBytes, itemSizes) => {
          const batches = new BatchAccumulator<number>({
            batchBytesMax,
            batchCountMax,
            envelopeBytes,
          });
          const closed: Batch<number>[] = [];
          for (const [index, size] of itemSizes.entries()) closed.push(...batches.add(index, size));
          const rest = batches.close("close");
          if (rest !== undefined) closed.push(rest);
          expect(closed.flatMap((batch) => batch.items)).toEqual(
            itemSizes.map((_, index) => index),
          );
          for (const [position, batch] of closed.entries()) {
            const bytes =
              envelopeBytes + batch.items.reduce((sum, index) => sum + (itemSizes[index] ?? 0), 0);
            expect(batch.bytes).toBe(bytes);
            expect(batch.items.length).toBeLessThanOrEqual(batchCountMax);
            if (batch.items.length > 1) expect(batch.bytes).toBeLessThanOrEqual(batchBytesMax);
            const next = closed[position + 1];
            if (batch.reason === "bytes" && batch.items.length > 0 && next !== undefined) {
              // Closed for bytes only when no item could fit any more, or the next one would not.
              const nextBytes = itemSizes[next.items[0] as number] ?? 0;
              const full = batch.bytes + 1 > batchBytesMax;
              expect(full || batch.bytes + nextBytes > batchBytesMax).toBe(true);
            }
          }
        },
      ),
    );
  });
});
