import { describe, expect, it } from "vitest";
import { Inflights, Progress } from "./progress.ts";

describe("Inflights", () => {
  it("fills up to its capacity and frees cumulatively", () => {
    const inflights = new Inflights(3);
    inflights.add(5);
    inflights.add(9);
    inflights.add(12);
    expect(inflights.full).toBe(true);
    expect(() => inflights.add(13)).toThrow(/window full/);
    inflights.freeTo(9);
    expect(inflights.count).toBe(1);
    inflights.add(15);
    inflights.add(20);
    inflights.freeTo(100);
    expect(inflights.count).toBe(0);
  });
});

describe("Progress", () => {
  it("moves between probe, replicate and snapshot, resetting the window", () => {
    const progress = new Progress(2);
    expect(progress.state).toBe("probe");
    progress.probeSent = true;
    progress.becomeReplicate();
    expect([progress.state, progress.probeSent]).toEqual(["replicate", false]);
    progress.inflights.add(4);
    progress.becomeSnapshot(40, 7);
    expect([progress.state, progress.pendingSnapshotIndex, progress.inflights.count]).toEqual([
      "snapshot",
      40,
      0,
    ]);
    progress.becomeProbe();
    expect(progress.state).toBe("probe");
  });
});
