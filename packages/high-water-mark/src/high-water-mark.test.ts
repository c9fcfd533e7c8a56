import { CorruptionError, InvalidArgumentError, InvariantError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NotCommittedError } from "./errors.ts";
import { HighWaterMark } from "./high-water-mark.ts";

async function oneNode(seed = 1) {
  const sim = new Simulation({ seed });
  const node = sim.addNode("athens", { boot: ({ env }) => env });
  await node.ready();
  const settle = async <T>(work: Promise<T>): Promise<T> => (await sim.runUntilSettled([work]))[0];
  return { sim, node, settle, env: node.instance };
}

describe("HighWaterMark", () => {
  it("never decreases; a follower takes min(leader's mark, last matching index)", () => {
    const mark = HighWaterMark.inMemory();
    const seen: number[] = [];
    mark.onAdvance((m) => seen.push(m));
    expect(mark.advance(5)).toBe(true);
    expect(mark.advance(3)).toBe(false);
    expect(mark.followLeader(9, 7)).toBe(true);
    expect(mark.mark).toBe(7);
    expect(mark.followLeader(12, 4)).toBe(false); // a stale request cannot lower it
    expect(mark.mark).toBe(7);
    expect(seen).toEqual([5, 7]);
    expect(() => mark.advance(-1)).toThrow(InvalidArgumentError);
    expect(() => HighWaterMark.inMemory(1.5)).toThrow(InvalidArgumentError);
  });

  it("gates reads: appended is not visible", async () => {
    const mark = HighWaterMark.inMemory(3);
    const log = { read: (index: number) => Promise.resolve(`entry ${index}`) };
    expect(await mark.readCommitted(3, log)).toBe("entry 3");
    const error = await mark.readCommitted(4, log).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotCommittedError);
    expect(error).toMatchObject({ index: 4, highWaterMark: 3, outcome: "definite" });
    expect(mark.isCommitted(3)).toBe(true);
    expect(mark.isCommitted(4)).toBe(false);
  });

  it("guards truncation: never at or below the mark", () => {
    const mark = HighWaterMark.inMemory(10);
    expect(() => mark.guardTruncation(10)).toThrow(InvariantError);
    expect(() => mark.guardTruncation(9)).toThrow(/would remove committed entries/);
    expect(() => mark.guardTruncation(11)).not.toThrow();
  });

  it("persists lazily as a lower bound, coalescing advances", async () => {
    const { sim, node, settle, env } = await oneNode();
    const mark = await settle(
      HighWaterMark.open({ disk: env.disk, scheduler: env.scheduler, persistDelayMs: 100 }),
    );
    expect(mark.mark).toBe(0);
    const syncs = node.disk.stats.syncs;
    for (let i = 1; i <= 20; i++) mark.advance(i);
    await sim.runFor(50);
    expect(mark.persistedMark).toBe(0); // not yet: lazily
    await sim.runFor(100);
    expect(mark.persistedMark).toBe(20);
    expect(node.disk.stats.syncs - syncs).toBe(1);
    mark.advance(25);
    await settle(mark.flush());
    expect(mark.persistedMark).toBe(25);
    mark.advance(30); // lost in the crash: the file is a lower bound
    node.crash();
    const restarted = await node.restart();
    const reopened = await settle(
      HighWaterMark.open({ disk: restarted.disk, scheduler: restarted.scheduler }),
    );
    expect(reopened.mark).toBe(25);
  });

  it("a persisted mark above the log is lowered to it, with a warning", async () => {
    const { node, settle, env } = await oneNode(2);
    const mark = await settle(HighWaterMark.open({ disk: env.disk, scheduler: env.scheduler }));
    mark.advance(9);
    await settle(mark.flush());
    mark.close();
    const reopened = await settle(
      HighWaterMark.open({
        disk: env.disk,
        scheduler: env.scheduler,
        log: { lastIndex: 6 },
        logger: env.logger,
      }),
    );
    expect(reopened.mark).toBe(6);
    expect(node.logs.map((r) => r.event)).toContain("high-water-mark.above-log");
  });

  it("a damaged mark file is a CorruptionError that says what to do", async () => {
    const { node, settle, env } = await oneNode(3);
    const mark = await settle(HighWaterMark.open({ disk: env.disk, scheduler: env.scheduler }));
    mark.advance(4);
    await settle(mark.flush());
    node.disk.flipBit("high-water-mark/mark", 12, 1);
    const error = await settle(
      HighWaterMark.open({ disk: env.disk, scheduler: env.scheduler }).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as Error).message).toMatch(/delete it/);
  });

  it("property: the mark is the running maximum of what it was told", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("advance" as const), index: fc.nat(50) }),
      fc.record({ kind: fc.constant("follow" as const), leader: fc.nat(50), matching: fc.nat(50) }),
    );
    fc.assert(
      fc.property(fc.array(step), (steps) => {
        const mark = HighWaterMark.inMemory();
        let expected = 0;
        for (const s of steps) {
          if (s.kind === "advance") {
            mark.advance(s.index);
            expected = Math.max(expected, s.index);
          } else {
            mark.followLeader(s.leader, s.matching);
            expected = Math.max(expected, Math.min(s.leader, s.matching));
          }
          expect(mark.mark).toBe(expected);
        }
      }),
    );
  });
});
