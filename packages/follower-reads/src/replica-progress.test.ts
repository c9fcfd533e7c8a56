import { InvalidArgumentError, type Clock } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { ReplicaProgressTracker } from "./replica-progress.ts";
import { SessionToken } from "./session-token.ts";
import fc from "fast-check";

describe("ReplicaProgressTracker", () => {
  it("tells listeners about applies, once per new version, and never goes back", () => {
    const clock: Clock = { monotonicMs: () => 0, wallMs: () => 0 };
    const tracker = new ReplicaProgressTracker({ clock, appliedVersion: 2 });
    const seen: number[] = [];
    const unsubscribe = tracker.onApplied((version) => seen.push(version));
    tracker.applied(3);
    tracker.applied(3);
    tracker.applied(5);
    expect(seen).toEqual([3, 5]);
    expect(tracker.appliedVersion).toBe(5);
    expect(tracker.committedVersion).toBe(5);
    expect(() => tracker.applied(4)).toThrow(/move the applied version back from 5/);
    expect(() => tracker.applied(-1)).toThrow(InvalidArgumentError);
    unsubscribe();
    tracker.applied(6);
    expect(seen).toEqual([3, 5]);
  });

  it("records leader contact on the monotonic clock and keeps the highest committed version", () => {
    let nowMs = 10;
    const tracker = new ReplicaProgressTracker({
      clock: { monotonicMs: () => nowMs, wallMs: () => 0 },
    });
    expect(tracker.lastLeaderContactMs()).toBeUndefined();
    tracker.leaderContact(7);
    nowMs = 25;
    tracker.leaderContact(4); // a reordered, older message: contact, but the mark stays
    expect(tracker.lastLeaderContactMs()).toBe(25);
    expect(tracker.committedVersion).toBe(7);
    expect(tracker.appliedVersion).toBe(0);
    expect(() => tracker.leaderContact(1.5)).toThrow(InvalidArgumentError);

    // An echoed stamp: contact as of when it was taken; an older one never moves contact back.
    nowMs = 100;
    tracker.leaderContact(9, 60);
    expect([tracker.lastLeaderContactMs(), tracker.committedVersion]).toEqual([60, 9]);
    tracker.leaderContact(10, 40);
    expect([tracker.lastLeaderContactMs(), tracker.committedVersion]).toEqual([60, 10]);
    expect(() => tracker.leaderContact(10, 101)).toThrow(/at most now \(100\)/);
    expect(() => tracker.leaderContact(10, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => new ReplicaProgressTracker({ clock: undefined as unknown as Clock })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe("SessionToken", () => {
  it("keeps the highest version observed", () => {
    fc.assert(
      fc.property(fc.nat(100), fc.array(fc.nat(1000)), (start, versions) => {
        const token = new SessionToken(start);
        for (const version of versions) token.observe(version);
        expect(token.version).toBe(Math.max(start, ...versions));
      }),
    );
    expect(() => new SessionToken(-1)).toThrow(InvalidArgumentError);
    expect(() => new SessionToken().observe(Number.NaN)).toThrow(/observed version/);
  });
});
