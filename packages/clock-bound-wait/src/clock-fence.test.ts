import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FixedClock } from "../test/testbed.ts";
import { ClockFence, measureOffset } from "./clock-fence.ts";
import { ClockUnsafeError } from "./errors.ts";

const peers = ["byzantium", "cyrene", "delphi", "ephesus"];

function fence(maxOffsetMs = 500) {
  const clock = new FixedClock(0, 0);
  return { clock, fence: new ClockFence({ clock, peers, maxOffsetMs, measurementTtlMs: 1000 }) };
}

describe("measureOffset", () => {
  it("compares the peer's reading with the middle of the round trip, off by half of it", () => {
    expect(
      measureOffset({
        sentMonotonicMs: 100,
        sentWallMs: 5000,
        peerWallMs: 5300,
        receivedMonotonicMs: 140,
      }),
    ).toEqual({ offsetMs: 280, errorMs: 20 });
  });

  it("brackets the true offset whenever the peer read its clock within the round trip", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000, max: 10_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (trueOffsetMs, roundTripMs, when) => {
          const sentWallMs = 1_000_000;
          const peerWallMs = sentWallMs + roundTripMs * when + trueOffsetMs;
          const { offsetMs, errorMs } = measureOffset({
            sentMonotonicMs: 50,
            sentWallMs,
            peerWallMs,
            receivedMonotonicMs: 50 + roundTripMs,
          });
          expect(Math.abs(offsetMs - trueOffsetMs)).toBeLessThanOrEqual(errorMs + 1e-9);
        },
      ),
    );
  });

  it("rejects a probe that is not one", () => {
    const probe = { sentMonotonicMs: 10, sentWallMs: 0, peerWallMs: 0, receivedMonotonicMs: 5 };
    expect(() => measureOffset(probe)).toThrow(/round trip/);
    expect(() =>
      measureOffset({ ...probe, receivedMonotonicMs: 20, peerWallMs: Number.NaN }),
    ).toThrow(/peerWallMs/);
  });
});

describe("ClockFence", () => {
  it("fences the node once a majority of the cluster is certainly beyond 80 % of maxOffsetMs", () => {
    const { fence: f } = fence();
    expect(f.peersToFence).toBe(3);
    f.record("byzantium", { offsetMs: 450, errorMs: 10 });
    f.record("cyrene", { offsetMs: -460, errorMs: 5 });
    f.check();
    expect(f.safe).toBe(true);
    f.record("delphi", { offsetMs: 420, errorMs: 1 });
    expect(f.safe).toBe(false);
    let error: unknown;
    try {
      f.check();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ClockUnsafeError);
    expect(error).toMatchObject({ reason: "peer-offsets", measuredMs: 419, limitMs: 400 });
    expect((error as Error).message).toMatch(/at least 419 ms away from a majority/);
  });

  it("does not count an offset the round trip could explain", () => {
    const { fence: f } = fence();
    for (const peer of peers.slice(0, 3)) f.record(peer, { offsetMs: 450, errorMs: 60 });
    expect(f.safe).toBe(true);
  });

  it("recovers when fresh measurements say so, and forgets stale ones", () => {
    const { clock, fence: f } = fence();
    for (const peer of peers.slice(0, 3)) f.record(peer, { offsetMs: 480, errorMs: 0 });
    expect(f.safe).toBe(false);
    f.record("cyrene", { offsetMs: 20, errorMs: 0 });
    expect(f.safe).toBe(true);
    f.record("cyrene", { offsetMs: 480, errorMs: 0 });
    clock.monotonic = 1001;
    expect(f.safe).toBe(true);
    expect(f.peerOffsets().map((offset) => offset.peer)).toEqual(["byzantium", "cyrene", "delphi"]);
  });

  it("needs a majority of the cluster, so a two-node cluster never fences", () => {
    const clock = new FixedClock(0);
    const pair = new ClockFence({ clock, peers: ["byzantium"] });
    pair.record("byzantium", { offsetMs: 10_000, errorMs: 0 });
    expect(pair.peersToFence).toBe(2);
    expect(pair.safe).toBe(true);
    const trio = new ClockFence({ clock, peers: ["byzantium", "cyrene"] });
    trio.record("byzantium", { offsetMs: 10_000, errorMs: 0 });
    expect(trio.safe).toBe(true);
    trio.record("cyrene", { offsetMs: -10_000, errorMs: 0 });
    expect(trio.safe).toBe(false);
  });

  it("validates its options and measurements", () => {
    const clock = new FixedClock(0);
    expect(() => new ClockFence({ clock, peers: ["a", "a"] })).toThrow(/twice/);
    expect(() => new ClockFence({ clock, peers: ["bad id!"] })).toThrow(InvalidArgumentError);
    expect(() => new ClockFence({ clock, peers: "a" as never })).toThrow(/peers/);
    expect(() => new ClockFence({ clock, peers, maxOffsetMs: -1 })).toThrow(/maxOffsetMs/);
    const { fence: f } = fence();
    expect(() => f.record("sparta", { offsetMs: 0, errorMs: 0 })).toThrow(/not one of/);
    expect(() => f.record("cyrene", { offsetMs: Number.NaN, errorMs: 0 })).toThrow(/offsetMs/);
    expect(() => f.record("cyrene", { offsetMs: 0, errorMs: -1 })).toThrow(/errorMs/);
  });
});
