import fc from "fast-check";
import type { SegmentInfo } from "@pods/segmented-log";
import { describe, expect, it } from "vitest";
import { planClean, retentionMark, segmentAgeMs } from "./retention.ts";

// The cleaning policy against a brute-force model: try every number of oldest segments to drop
// and keep the largest that each policy allows.

const hour = 3_600_000;

const segmentShape = fc.record({
  records: fc.integer({ min: 1, max: 20 }),
  bytes: fc.integer({ min: 32, max: 5000 }),
  newestOffsetMs: fc.integer({ min: -3 * hour, max: 3 * hour }),
});

const inputs = fc.record({
  firstIndex: fc.integer({ min: 1, max: 1000 }),
  shapes: fc.array(segmentShape, { minLength: 1, maxLength: 8 }),
  activeRecords: fc.integer({ min: 0, max: 5 }),
  nowMs: fc.integer({ min: 0, max: 10 * hour }),
  retentionMs: fc.oneof(
    fc.constant(Number.POSITIVE_INFINITY),
    fc.integer({ min: 0, max: 2 * hour }),
  ),
  retentionBytesMax: fc.oneof(
    fc.constant(Number.POSITIVE_INFINITY),
    fc.integer({ min: 0, max: 20_000 }),
  ),
  snapshotOffset: fc.integer({ min: -5, max: 200 }),
  floorOffset: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: -5, max: 200 })),
});

function build(
  firstIndex: number,
  shapes: readonly { records: number; bytes: number; newestOffsetMs: number }[],
  activeRecords: number,
  nowMs: number,
): SegmentInfo[] {
  let base = firstIndex;
  const segments = shapes.map((shape, at): SegmentInfo => {
    const last = at === shapes.length - 1;
    const records = last ? activeRecords : shape.records;
    const newest = records === 0 ? undefined : nowMs - shape.newestOffsetMs;
    const segment: SegmentInfo = {
      file: `wal/${base}`,
      baseIndex: base,
      lastIndex: base + records - 1,
      records,
      bytes: shape.bytes,
      oldestTimestampMs: newest === undefined ? undefined : newest - 10,
      newestTimestampMs: newest,
      sealed: !last,
    };
    base += records;
    return segment;
  });
  return segments;
}

/** The largest k such that `allows(k)` holds for every j ≤ k (dropping the j oldest segments). */
function longestRun(segments: readonly SegmentInfo[], allows: (k: number) => boolean): number {
  let best = 0;
  for (let k = 1; k < segments.length && allows(k); k++) best = k;
  return best;
}

describe("the cleaning policy", () => {
  it("agrees with a brute-force model and never passes the floor or touches the active segment", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const segments = build(input.firstIndex, input.shapes, input.activeRecords, input.nowMs);
        const lastIndex = segments.at(-1)!.lastIndex;
        const byAge = longestRun(segments, (k) => {
          const newest = segments[k - 1]!.newestTimestampMs!;
          return Math.max(0, input.nowMs - newest) > input.retentionMs;
        });
        const bySize = longestRun(segments, (k) => {
          const kept = segments.slice(k - 1).reduce((sum, s) => sum + s.bytes, 0);
          return kept > input.retentionBytesMax;
        });
        const dropped = Math.max(byAge, bySize);
        const expectedRetention =
          dropped === 0 ? input.firstIndex : segments[dropped - 1]!.lastIndex + 1;
        const snapshotMark = Math.max(1, input.firstIndex + input.snapshotOffset);
        const safetyFloor = input.firstIndex + input.floorOffset;
        const plan = planClean({
          segments,
          lastIndex,
          nowMs: input.nowMs,
          retentionMs: input.retentionMs,
          retentionBytesMax: input.retentionBytesMax,
          snapshotMark,
          safetyFloor,
        });
        expect(plan.retentionMark).toBe(expectedRetention);
        const target = Math.min(
          Math.max(snapshotMark, expectedRetention),
          safetyFloor,
          lastIndex + 1,
        );
        expect(plan.target).toBe(target);
        const deletable = segments.findIndex(
          (s, at) => at === segments.length - 1 || s.lastIndex >= target,
        );
        expect(plan.deletable).toBe(deletable);
        // Safety, stated directly:
        expect(plan.deletable).toBeLessThan(segments.length); // never the active segment
        for (const segment of segments.slice(0, plan.deletable)) {
          expect(segment.sealed).toBe(true);
          expect(segment.lastIndex).toBeLessThan(safetyFloor);
          expect(segment.lastIndex).toBeLessThan(Math.max(snapshotMark, expectedRetention));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("counts a timestamp in the future as age 0", () => {
    const [segment] = build(1, [{ records: 3, bytes: 100, newestOffsetMs: -hour }], 3, 5 * hour);
    const sealed = { ...segment!, sealed: true };
    expect(segmentAgeMs(sealed, 5 * hour)).toBe(0);
    expect(segmentAgeMs(sealed, 8 * hour)).toBe(2 * hour);
    const active = build(4, [{ records: 1, bytes: 100, newestOffsetMs: 0 }], 1, 5 * hour);
    expect(retentionMark([sealed, ...active], 5 * hour, 0, Number.POSITIVE_INFINITY)).toBe(1);
    expect(retentionMark([sealed, ...active], 6 * hour + 1, 0, Number.POSITIVE_INFINITY)).toBe(4);
  });

  it("lets a young segment shield the older ones after it from time retention", () => {
    const segments = build(
      1,
      [
        { records: 2, bytes: 100, newestOffsetMs: 3 * hour },
        { records: 2, bytes: 100, newestOffsetMs: -hour }, // written before a clock step back
        { records: 2, bytes: 100, newestOffsetMs: 3 * hour },
        { records: 1, bytes: 100, newestOffsetMs: 0 },
      ],
      1,
      10 * hour,
    );
    expect(retentionMark(segments, 10 * hour, hour, Number.POSITIVE_INFINITY)).toBe(3);
    expect(retentionMark(segments, 10 * hour, hour, 150)).toBe(7); // size alone drops all sealed
  });
});
