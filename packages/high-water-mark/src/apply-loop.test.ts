import { TimeoutError } from "@pods/core-interfaces";
import { LeadershipLostError, RequestWaitingList } from "@pods/request-waiting-list";
import { Simulation } from "@pods/simulation";
import type { Entry } from "@pods/write-ahead-log";
import { describe, expect, it } from "vitest";
import { ApplyLoop } from "./apply-loop.ts";
import { EntryOverwrittenError } from "./errors.ts";
import { HighWaterMark } from "./high-water-mark.ts";

/** An in-memory log of entries with the given generations; reads resolve on a later turn. */
function memoryLog(generations: number[]) {
  const entries = (): Entry[] =>
    generations.map((generation, i) => ({
      index: i + 1,
      generation,
      type: 0,
      timestampMs: 0,
      payload: new TextEncoder().encode(`command ${i + 1}`),
    }));
  return {
    generations,
    reads: 0,
    async readFrom(index: number, limit: number): Promise<Entry[]> {
      this.reads++;
      await Promise.resolve();
      return entries().slice(index - 1, index - 1 + limit);
    },
  };
}

function setup(generations: number[], options: { batchEntriesMax?: number } = {}) {
  const sim = new Simulation({ seed: 1 });
  const log = memoryLog(generations);
  const mark = HighWaterMark.inMemory();
  const applied: number[] = [];
  const proposals = new RequestWaitingList<number, never, string>({
    clock: sim.clock,
    scheduler: sim.scheduler,
    keyedBy: "index",
    timeoutMs: 1_000,
  });
  const loop = new ApplyLoop<string>({
    log,
    highWaterMark: mark,
    proposals,
    apply: (entry) => {
      applied.push(entry.index);
      return `result of ${entry.index}`;
    },
    ...options,
  });
  return { sim, log, mark, applied, proposals, loop };
}

describe("ApplyLoop", () => {
  it("applies lastApplied + 1 … mark in order, exactly once, as the mark moves", async () => {
    const { sim, mark, applied, loop, log } = setup([1, 1, 1, 1, 1, 1, 1], { batchEntriesMax: 2 });
    mark.advance(3);
    mark.advance(5); // while the first batch is being read
    await sim.runUntilSettled([loop.appliedUpTo(5)]);
    expect(applied).toEqual([1, 2, 3, 4, 5]);
    expect(loop.lastApplied).toBe(5);
    await sim.runFor(10);
    expect(applied).toEqual([1, 2, 3, 4, 5]); // never above the mark
    mark.advance(7);
    await sim.runUntilSettled([loop.appliedUpTo(7)]);
    expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(log.reads).toBeGreaterThanOrEqual(4);
  });

  it("completes a proposal with the state machine's result", async () => {
    const { sim, mark, loop } = setup([1, 1, 1]);
    const result = loop.register(2, 1);
    mark.advance(3);
    expect(await sim.runUntilSettled([result])).toEqual(["result of 2"]);
  });

  it("fails a proposal whose entry was replaced, indefinitely", async () => {
    const { sim, mark, loop } = setup([1, 2, 2]);
    const replaced = loop.register(2, 1).catch((e: unknown) => e); // proposed in generation 1
    mark.advance(3);
    const [error] = await sim.runUntilSettled([replaced]);
    expect(error).toBeInstanceOf(EntryOverwrittenError);
    expect(error).toMatchObject({
      index: 2,
      proposedGeneration: 1,
      appliedGeneration: 2,
      outcome: "indefinite",
    });
  });

  it("proposals fail as the waiting list fails them: timeouts, leadership loss", async () => {
    const { sim, loop, proposals } = setup([1, 1, 1]);
    const expiring = loop.register(1, 1).catch((e: unknown) => e);
    const [timedOut] = await sim.runUntilSettled([expiring]);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    const lost = loop.register(2, 1).catch((e: unknown) => e);
    proposals.failAll(new LeadershipLostError(undefined));
    expect(await lost).toBeInstanceOf(LeadershipLostError);
    expect(() => loop.register(0, 1)).toThrow(/already applied|are applied/);
  });

  it("a throwing apply stops the loop and reports it", async () => {
    const sim = new Simulation({ seed: 2 });
    const mark = HighWaterMark.inMemory();
    const loop = new ApplyLoop({
      log: memoryLog([1, 1]),
      highWaterMark: mark,
      apply: (entry) => {
        if (entry.index === 2) throw new Error("state machine bug");
        return entry.index;
      },
    });
    mark.advance(2);
    const [error] = await sim.runUntilSettled([loop.appliedUpTo(2).catch((e: unknown) => e)]);
    expect((error as Error).message).toBe("state machine bug");
    expect(loop.lastApplied).toBe(1);
    expect(loop.failure).toBe(error);
    expect(() => loop.register(3, 1)).toThrow(/no proposals list/);
  });

  it("starts after a snapshot's index and stops following the mark when closed", async () => {
    const sim = new Simulation({ seed: 3 });
    const mark = HighWaterMark.inMemory();
    const applied: number[] = [];
    const loop = new ApplyLoop({
      log: memoryLog([1, 1, 1, 1]),
      highWaterMark: mark,
      lastApplied: 2,
      apply: (entry) => applied.push(entry.index),
    });
    mark.advance(3);
    await sim.runUntilSettled([loop.appliedUpTo(3)]);
    loop.close();
    mark.advance(4);
    await sim.runFor(10);
    expect(applied).toEqual([3]);
  });
});
