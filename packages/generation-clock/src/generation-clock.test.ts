import { CorruptionError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { oneNode, settle } from "../test/sim-node.ts";
import { GenerationClock } from "./generation-clock.ts";

describe("GenerationClock", () => {
  it("starts at generation 0 with no vote, and campaigns with a vote for itself", async () => {
    const { sim, node } = await oneNode();
    const clock = await settle(sim, GenerationClock.open({ disk: node.instance.disk }));
    expect(clock.state).toEqual({ generation: 0, votedFor: undefined });
    const campaign = clock.campaign("athens");
    expect(clock.state).toEqual({ generation: 1, votedFor: "athens" }); // memory moves at once
    expect(clock.durable).toEqual({ generation: 0, votedFor: undefined });
    expect(await settle(sim, campaign)).toBe(1);
    expect(clock.durable).toEqual({ generation: 1, votedFor: "athens" });
  });

  it("votes once per generation; a higher generation clears the vote; a lower one is refused", async () => {
    const { sim, node } = await oneNode(2);
    const clock = await settle(sim, GenerationClock.open({ disk: node.instance.disk }));
    expect(await settle(sim, clock.vote(3, "byzantium"))).toBe(true);
    expect(clock.state).toEqual({ generation: 3, votedFor: "byzantium" });
    expect(await settle(sim, clock.vote(3, "cyrene"))).toBe(false);
    expect(await settle(sim, clock.vote(3, "byzantium"))).toBe(true); // a repeated request
    expect(await settle(sim, clock.vote(2, "cyrene"))).toBe(false);
    expect(await settle(sim, clock.adopt(4))).toBe(true);
    expect(clock.state).toEqual({ generation: 4, votedFor: undefined });
    expect(await settle(sim, clock.adopt(4))).toBe(false);
    expect(await settle(sim, clock.adopt(1))).toBe(false);
    expect(clock.generation).toBe(4);
    expect(clock.judge(3)).toBe("stale");
    expect(clock.judge(4)).toBe("current");
    expect(clock.judge(5)).toBe("newer");
  });

  it("two vote requests handled back to back in one generation: only the first is granted", async () => {
    const { sim, node } = await oneNode(3);
    const clock = await settle(sim, GenerationClock.open({ disk: node.instance.disk }));
    const [first, second] = await sim.runUntilSettled([
      clock.vote(1, "byzantium"),
      clock.vote(1, "cyrene"),
    ]);
    expect([first, second]).toEqual([true, false]);
  });

  it("a vote made durable before a crash is honoured after restart", async () => {
    const { sim, node } = await oneNode(4);
    const clock = await settle(sim, GenerationClock.open({ disk: node.instance.disk }));
    await settle(sim, clock.vote(5, "byzantium"));
    node.crash();
    const env = await node.restart();
    const reopened = await settle(sim, GenerationClock.open({ disk: env.disk }));
    expect(reopened.state).toEqual({ generation: 5, votedFor: "byzantium" });
    expect(await settle(sim, reopened.vote(5, "cyrene"))).toBe(false);
  });

  it("a generation behind the log is raised to the log's, with a warning", async () => {
    const { sim, node } = await oneNode(5);
    const clock = await settle(
      sim,
      GenerationClock.open({
        disk: node.instance.disk,
        log: { lastGeneration: 3 },
        logger: node.instance.logger,
      }),
    );
    expect(clock.durable).toEqual({ generation: 3, votedFor: undefined });
    expect(node.logs.map((r) => r.event)).toContain("generation-clock.behind-log");
  });

  it("a damaged state file is a CorruptionError with advice", async () => {
    const { sim, node } = await oneNode(6);
    const clock = await settle(sim, GenerationClock.open({ disk: node.instance.disk }));
    await settle(sim, clock.campaign("athens"));
    node.disk.flipBit("generation-clock/state", 13, 0);
    const error = await settle(
      sim,
      GenerationClock.open({ disk: node.instance.disk }).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as Error).message).toMatch(/vote twice/);
  });

  it("rejects bad generations and node ids", async () => {
    const { sim, node } = await oneNode(7);
    const clock = await settle(sim, GenerationClock.open({ disk: node.instance.disk }));
    await expect(clock.adopt(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(clock.vote(1.5, "a")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(clock.campaign("not an id")).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => clock.judge(Number.NaN)).toThrow(InvalidArgumentError);
  });

  it("property: across random operations and a crash, the generation never decreases, one vote per generation, and acknowledged state survives", async () => {
    const operation = fc.oneof(
      fc.record({
        kind: fc.constant("adopt" as const),
        generation: fc.integer({ min: 0, max: 8 }),
      }),
      fc.record({
        kind: fc.constant("vote" as const),
        generation: fc.integer({ min: 0, max: 8 }),
        candidate: fc.constantFrom("athens", "byzantium", "cyrene"),
      }),
      fc.record({ kind: fc.constant("campaign" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000 }),
        fc.array(operation, { maxLength: 12 }),
        fc.integer({ min: 0, max: 12 }),
        async (seed, operations, crashAfter) => {
          const { sim, node } = await oneNode(seed);
          const clock = await settle(sim, GenerationClock.open({ disk: node.instance.disk }));
          const granted = new Map<number, string>();
          let acknowledged = { generation: 0 };
          let previous = 0;
          for (const [i, op] of operations.entries()) {
            if (i === crashAfter) break;
            const work =
              op.kind === "adopt"
                ? clock.adopt(op.generation).then(() => undefined)
                : op.kind === "vote"
                  ? clock.vote(op.generation, op.candidate).then((ok) => {
                      if (!ok) return;
                      const earlier = granted.get(op.generation);
                      expect(earlier === undefined || earlier === op.candidate).toBe(true);
                      granted.set(op.generation, op.candidate);
                    })
                  : clock.campaign("athens").then((g) => {
                      expect(granted.has(g)).toBe(false);
                      granted.set(g, "athens");
                    });
            await settle(sim, work);
            expect(clock.generation).toBeGreaterThanOrEqual(previous);
            previous = clock.generation;
            acknowledged = { generation: clock.generation };
          }
          node.crash();
          const env = await node.restart();
          const reopened = await settle(sim, GenerationClock.open({ disk: env.disk }));
          expect(reopened.generation).toBe(acknowledged.generation);
          const vote = granted.get(reopened.generation);
          expect(reopened.votedFor).toBe(vote);
        },
      ),
      { numRuns: 60 },
    );
  });
});
