import { ClockOffsetError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryTimestamp, ManualClock } from "../test/arbitraries.ts";
import { HybridClock } from "./hybrid-clock.ts";
import {
  compareHybridTimestamps,
  hybridLogicalMax,
  hybridTimestamp,
  hybridWallMsMax,
  type HybridTimestamp,
} from "./hybrid-timestamp.ts";
import { HybridClockOffsetError, type OffsetObservation } from "./offset.ts";

const t = (wallMs: number, logical: number, nodeId = "athens"): HybridTimestamp =>
  hybridTimestamp(wallMs, logical, nodeId);

describe("HybridClock", () => {
  it("starts at (physical, 0) and ticks the logical part while the wall clock stands still", () => {
    const clock = new HybridClock({ clock: new ManualClock(1000), nodeId: "athens" });
    expect(clock.peek()).toEqual(t(1000, 0));
    expect(clock.now()).toEqual(t(1000, 1));
    expect(clock.now()).toEqual(t(1000, 2));
  });

  it("returns (physical, 0) once the wall clock moves past the latest timestamp", () => {
    const wall = new ManualClock(1000);
    const clock = new HybridClock({ clock: wall, nodeId: "athens" });
    clock.now();
    wall.advance(0.7); // fractions of a millisecond are floored
    expect(clock.now()).toEqual(t(1000, 2));
    wall.advance(1);
    expect(clock.now()).toEqual(t(1001, 0));
  });

  it("keeps increasing when the wall clock steps back", () => {
    const wall = new ManualClock(10_000);
    const clock = new HybridClock({ clock: wall });
    expect(clock.now()).toEqual(hybridTimestamp(10_000, 1));
    wall.advance(-5000);
    expect(clock.now()).toEqual(hybridTimestamp(10_000, 2));
    wall.advance(5001);
    expect(clock.now()).toEqual(hybridTimestamp(10_001, 0));
  });

  it("on logical overflow advances the wall part by 1 ms and restarts logical at 0", () => {
    const clock = new HybridClock({ clock: new ManualClock(1000) });
    let last = clock.peek();
    for (let i = 0; i < hybridLogicalMax; i++) last = clock.now();
    expect(last).toEqual(hybridTimestamp(1000, hybridLogicalMax));
    expect(clock.now()).toEqual(hybridTimestamp(1001, 0));
    expect(clock.now()).toEqual(hybridTimestamp(1001, 1));
    expect(clock.update(hybridTimestamp(1001, hybridLogicalMax))).toEqual(hybridTimestamp(1002, 0));
  });

  it("update moves past a remote timestamp and treats physical time as (physical, -1)", () => {
    const wall = new ManualClock(1000);
    const clock = new HybridClock({ clock: wall, nodeId: "athens", maxOffsetMs: 1000 });
    expect(clock.update(t(1500, 5, "byzantium"))).toEqual(t(1500, 6));
    expect(clock.update(t(200, 9, "byzantium"))).toEqual(t(1500, 7));
    wall.advance(1000);
    expect(clock.update(t(1700, 3, "byzantium"))).toEqual(t(2000, 0));
    expect(clock.update(t(2000, 0, "byzantium"))).toEqual(t(2000, 1));
  });

  it("rejects a remote timestamp too far ahead, leaves the clock unchanged, and reports it", () => {
    const observations: OffsetObservation[] = [];
    const clock = new HybridClock({
      clock: new ManualClock(1_767_225_600_000),
      nodeId: "athens",
      maxOffsetMs: 500,
      onOffset: (observation) => observations.push(observation),
    });
    const before = clock.now();
    const remote = t(1_767_225_600_000 + 2000, 4, "byzantium");
    const error = (() => {
      try {
        clock.update(remote);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(HybridClockOffsetError);
    expect(error).toBeInstanceOf(ClockOffsetError);
    const offsetError = error as HybridClockOffsetError;
    expect(offsetError.code).toBe("CLOCK_OFFSET");
    expect(offsetError.remote).toEqual(remote);
    expect(offsetError.local).toEqual(before);
    expect([offsetError.offsetMs, offsetError.maxOffsetMs, offsetError.localWallMs]).toEqual([
      2000, 500, 1_767_225_600_000,
    ]);
    expect(offsetError.message).toContain("2000 ms ahead");
    expect(offsetError.message).toContain('from node "byzantium"');
    expect(offsetError.message).toContain("NTP");
    expect(clock.peek()).toEqual(before);
    expect(observations).toEqual([
      { remote, localWallMs: 1_767_225_600_000, offsetMs: 2000, maxOffsetMs: 500, rejected: true },
    ]);
    expect(clock.offsetStats).toEqual({
      updates: 1,
      maxAheadMs: 2000,
      lastAheadMs: 2000,
      warnings: 0,
      rejections: 1,
    });
  });

  it("warns above 80 % of maxOffsetMs and accepts up to maxOffsetMs exactly", () => {
    const observations: OffsetObservation[] = [];
    const clock = new HybridClock({
      clock: new ManualClock(1000),
      maxOffsetMs: 500,
      onOffset: (observation) => observations.push(observation),
    });
    clock.update(t(1400, 0));
    expect(observations).toHaveLength(0);
    expect(clock.update(t(1401, 0))).toEqual(hybridTimestamp(1401, 1));
    expect(clock.update(t(1500, 0))).toEqual(hybridTimestamp(1500, 1));
    expect(() => clock.update(t(1501, 0))).toThrow(HybridClockOffsetError);
    expect(observations.map((o) => [o.offsetMs, o.rejected])).toEqual([
      [401, false],
      [500, false],
      [501, true],
    ]);
    clock.update(t(900, 0));
    expect(clock.offsetStats).toEqual({
      updates: 5,
      maxAheadMs: 501,
      lastAheadMs: -100,
      warnings: 2,
      rejections: 1,
    });
  });

  it("validates its options, remote timestamps and the injected clock's readings", () => {
    const clock = new ManualClock(1000);
    expect(() => new HybridClock({ clock, maxOffsetMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new HybridClock({ clock, maxOffsetMs: Number.POSITIVE_INFINITY })).toThrow(
      /maxOffsetMs/,
    );
    expect(() => new HybridClock({ clock, nodeId: "not valid" })).toThrow(InvalidArgumentError);
    expect(() => new HybridClock({} as never)).toThrow(/needs options.clock/);
    const hlc = new HybridClock({ clock });
    expect(() => hlc.update({ wallMs: 1, logical: -1, nodeId: "" })).toThrow(/remote timestamp/);
    clock.wall = Number.NaN;
    expect(() => hlc.now()).toThrow(/wallMs\(\) returned NaN/);
    clock.wall = -5;
    expect(() => hlc.now()).toThrow(InvalidArgumentError);
  });

  it("refuses to leave the 48-bit range instead of wrapping", () => {
    const clock = new HybridClock({ clock: new ManualClock(hybridWallMsMax) });
    expect(clock.update(t(hybridWallMsMax, hybridLogicalMax - 1))).toEqual(
      hybridTimestamp(hybridWallMsMax, hybridLogicalMax),
    );
    expect(() => clock.now()).toThrow(/48-bit physical range/);
  });

  it("is strictly monotonic, above every remote it accepts, and near the wall clock", () => {
    type Step =
      | { kind: "now"; deltaMs: number }
      | { kind: "update"; deltaMs: number; remote: HybridTimestamp };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant("now" as const),
        deltaMs: fc.integer({ min: -5000, max: 50 }),
      }),
      fc.record({
        kind: fc.constant("update" as const),
        deltaMs: fc.integer({ min: -5000, max: 50 }),
        remote: arbitraryTimestamp.map((remote) => ({
          ...remote,
          wallMs: 1_000_000 + (remote.wallMs % 3000),
        })),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const wall = new ManualClock(1_000_000);
        const clock = new HybridClock({ clock: wall, nodeId: "cyrene", maxOffsetMs: 1000 });
        let last = clock.peek();
        let highestWallSeen = wall.wall;
        for (const next of steps) {
          wall.advance(next.deltaMs);
          highestWallSeen = Math.max(highestWallSeen, wall.wall);
          let issued: HybridTimestamp;
          if (next.kind === "now") {
            issued = clock.now();
          } else {
            try {
              issued = clock.update(next.remote);
            } catch (error) {
              expect(error).toBeInstanceOf(HybridClockOffsetError);
              expect(next.remote.wallMs - wall.wall).toBeGreaterThan(1000);
              expect(clock.peek()).toEqual(last);
              continue;
            }
            expect(compareHybridTimestamps(issued, next.remote)).toBeGreaterThan(0);
          }
          expect(compareHybridTimestamps(issued, last)).toBeGreaterThan(0);
          expect(issued.wallMs).toBeLessThanOrEqual(highestWallSeen + 1000 + 1);
          last = issued;
        }
      }),
    );
  });
});
