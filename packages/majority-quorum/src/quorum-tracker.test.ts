import { ClosedError, InvalidArgumentError, TimeoutError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QuorumFailedError } from "./errors.ts";
import { QuorumSet } from "./quorum-set.ts";
import { QuorumTracker } from "./quorum-tracker.ts";

const three = QuorumSet.majority(["athens", "byzantium", "cyrene"]);

describe("QuorumTracker", () => {
  it("succeeds at the first quorum of positive answers, once", async () => {
    const tracker = new QuorumTracker<{ ok: boolean }>(three, { isSuccess: (r) => r.ok });
    const settled = tracker.wait();
    expect(tracker.onResponse("athens", { ok: true })).toBe(true);
    expect(tracker.onResponse("athens", { ok: true })).toBe(false); // a duplicate counts once
    expect(tracker.state).toBe("pending");
    expect(tracker.onResponse("cyrene", { ok: true })).toBe(true);
    expect(tracker.state).toBe("reached");
    expect(tracker.onResponse("byzantium", { ok: false })).toBe(false); // late: ignored
    expect(tracker.state).toBe("reached");
    expect(tracker.ignored).toBe(2);
    const answers = await settled;
    expect([...answers.responses.keys()]).toEqual(["athens", "cyrene"]);
    expect(tracker.wait()).toBe(settled);
  });

  it("fails as soon as a quorum is impossible, with the failures", async () => {
    const tracker = new QuorumTracker<{ ok: boolean }>(three, {
      isSuccess: (r) => r.ok,
      operation: "write of x",
    });
    tracker.onResponse("athens", { ok: false });
    expect(tracker.state).toBe("pending");
    tracker.onError("cyrene", new Error("disk full"));
    expect(tracker.state).toBe("impossible");
    const error = await tracker.wait().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuorumFailedError);
    expect((error as QuorumFailedError).outcome).toBe("indefinite");
    expect((error as QuorumFailedError).message).toMatch(/write of x cannot reach a quorum/);
    expect([...(error as QuorumFailedError).failures.keys()]).toEqual(["athens", "cyrene"]);
  });

  it("non-voters and learners never count", () => {
    const set = QuorumSet.majority(["a", "b", "c"], { learners: ["d"] });
    const tracker = new QuorumTracker(set);
    expect(tracker.record("d", true)).toBe(false);
    expect(tracker.record("x", true)).toBe(false);
    expect(tracker.record("a", true)).toBe(true);
    expect(tracker.state).toBe("pending");
  });

  it("counts election or replication quorums of a flexible set", () => {
    const set = QuorumSet.flexible(["a", "b", "c", "d", "e"], {
      electionQuorum: 4,
      replicationQuorum: 2,
    });
    const vote = new QuorumTracker(set, { kind: "election" });
    const commit = new QuorumTracker(set);
    for (const id of ["a", "b"]) {
      vote.record(id, true);
      commit.record(id, true);
    }
    expect(commit.state).toBe("reached");
    expect(vote.state).toBe("pending");
    vote.record("c", false);
    vote.record("d", false); // 2 refusals > 5 − 4
    expect(vote.state).toBe("impossible");
  });

  it("a joint set needs both configurations", () => {
    const set = QuorumSet.joint(
      QuorumSet.majority(["a", "b", "c"]),
      QuorumSet.majority(["c", "d", "e"]),
    );
    const tracker = new QuorumTracker(set);
    for (const id of ["a", "b", "d"]) tracker.record(id, true);
    expect(tracker.state).toBe("pending");
    tracker.record("c", true);
    expect(tracker.state).toBe("reached");
  });

  it("times out on the scheduler with an indefinite TimeoutError, and not after settling", async () => {
    const sim = new Simulation({ seed: 1 });
    const slow = new QuorumTracker(three, {
      scheduler: sim.scheduler,
      timeoutMs: 100,
      operation: "vote",
    });
    const fast = new QuorumTracker(three, { scheduler: sim.scheduler, timeoutMs: 100 });
    fast.record("athens", true);
    fast.record("byzantium", true);
    const outcome = slow.wait().catch((e: unknown) => e);
    await sim.runFor(99);
    expect(slow.state).toBe("pending");
    await sim.runFor(1);
    expect(slow.state).toBe("impossible");
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).outcome).toBe("indefinite");
    expect(fast.state).toBe("reached");
    expect(slow.record("athens", true)).toBe(false);
  });

  it("abort fails a pending decision once", async () => {
    const tracker = new QuorumTracker(three);
    expect(tracker.abort()).toBe(true);
    expect(tracker.abort()).toBe(false);
    await expect(tracker.wait()).rejects.toBeInstanceOf(ClosedError);
  });

  it("validates its options", () => {
    expect(() => new QuorumTracker(three, { timeoutMs: 5 })).toThrow(/scheduler/);
    const sim = new Simulation({ seed: 1 });
    expect(() => new QuorumTracker(three, { timeoutMs: -1, scheduler: sim.scheduler })).toThrow(
      InvalidArgumentError,
    );
  });

  it("property: settles exactly once, at the first decisive answer, matching the tally", async () => {
    const names = ["a", "b", "c", "d", "e"];
    const answers = fc.array(
      fc.record({
        from: fc.constantFrom(...names, "stranger"),
        answer: fc.constantFrom("yes", "no", "error"),
      }),
      { maxLength: 20 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), answers, async (n, events) => {
        const set = QuorumSet.majority(names.slice(0, n));
        const tracker = new QuorumTracker<boolean>(set, { isSuccess: (ok) => ok });
        let settlements = 0;
        const settled = tracker.wait().then(
          () => settlements++,
          () => settlements++,
        );
        const yes = new Set<string>();
        const no = new Set<string>();
        let expected: string = "pending";
        for (const { from, answer } of events) {
          const counts =
            expected === "pending" && set.isVoter(from) && !yes.has(from) && !no.has(from);
          const counted =
            answer === "error"
              ? tracker.onError(from, new Error("x"))
              : tracker.onResponse(from, answer === "yes");
          expect(counted).toBe(counts);
          if (counts) (answer === "yes" ? yes : no).add(from);
          if (expected === "pending") expected = set.tally(yes, no);
          expect(tracker.state).toBe(expected);
        }
        tracker.abort();
        await settled;
        expect(settlements).toBe(1);
      }),
    );
  });
});
