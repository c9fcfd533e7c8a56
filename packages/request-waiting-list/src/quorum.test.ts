import { InvalidArgumentError, UnreachableError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualTime } from "../test/manual-time.ts";
import { NoQuorumError } from "./errors.ts";
import { MajorityTracker, QuorumCollector, type QuorumAnswers } from "./quorum.ts";
import { RequestWaitingList } from "./request-waiting-list.ts";

const nodes = ["athens", "byzantium", "cyrene", "delphi", "ephesus", "sparta", "thebes"];

type Ack = { ok: boolean };

function quorumList() {
  const time = new ManualTime();
  const list = new RequestWaitingList<string, Ack, QuorumAnswers<Ack>>({
    clock: time.clock,
    scheduler: time.scheduler,
    timeoutMs: 1000,
  });
  const outcomes: unknown[] = [];
  const add = (key: string, voters: string[], collectorOptions = {}) =>
    list.add(
      key,
      {
        onComplete: (answers) => outcomes.push(answers),
        onFailure: (error) => outcomes.push(error),
      },
      {
        collector: new QuorumCollector<Ack>(new MajorityTracker(voters), {
          isSuccess: (ack) => ack.ok,
          ...collectorOptions,
        }),
      },
    );
  return { time, list, outcomes, add };
}

describe("MajorityTracker", () => {
  it("needs floor(n/2) + 1 positive answers and fails once more than n - quorum failed", () => {
    const quorums = [1, 2, 3, 4, 5, 6, 7].map((n) => new MajorityTracker(nodes.slice(0, n)).quorum);
    expect(quorums).toEqual([1, 2, 2, 3, 3, 4, 4]);
    for (let n = 1; n <= 7; n++) {
      const voters = nodes.slice(0, n);
      const failing = new MajorityTracker(voters);
      const tolerated = n - failing.quorum;
      voters.slice(0, tolerated).forEach((voter) => failing.record(voter, false));
      expect(failing.state).toBe("pending");
      failing.record(voters[tolerated] as string, false);
      expect(failing.state).toBe("impossible");
    }
  });

  it("counts each voter once and ignores non-voters", () => {
    const tracker = new MajorityTracker(["athens", "byzantium", "cyrene"]);
    expect(tracker.record("athens", true)).toBe(true);
    expect(tracker.record("athens", true)).toBe(false);
    expect(tracker.record("sparta", true)).toBe(false);
    expect(tracker.state).toBe("pending");
    tracker.record("cyrene", true);
    expect(tracker.state).toBe("reached");
  });

  it("refuses an empty or duplicated voter list", () => {
    expect(() => new MajorityTracker([])).toThrow(InvalidArgumentError);
    expect(() => new MajorityTracker(["athens", "athens"])).toThrow(InvalidArgumentError);
  });
});

describe("QuorumCollector", () => {
  it("completes on a majority of positive answers, once; the late answer is ignored", () => {
    const { list, outcomes, add } = quorumList();
    add("w", ["athens", "byzantium", "cyrene"]);
    list.handleResponse("w", { ok: true }, "athens");
    list.handleResponse("w", { ok: true }, "athens"); // repeated: counts once
    expect(outcomes).toEqual([]);
    list.handleResponse("w", { ok: true }, "cyrene");
    list.handleResponse("w", { ok: true }, "byzantium");
    expect(outcomes).toHaveLength(1);
    const answers = outcomes[0] as QuorumAnswers<Ack>;
    expect([...answers.responses.keys()]).toEqual(["athens", "cyrene"]);
    expect(list.metrics.ignoredResponses).toBe(1);
  });

  it("fails with NoQuorumError as soon as a majority can no longer be reached", () => {
    const { time, list, outcomes, add } = quorumList();
    add("w", ["athens", "byzantium", "cyrene"]);
    list.handleResponse("w", { ok: false }, "athens");
    list.trySend("w", "cyrene", () => {
      throw new UnreachableError("cyrene", "link refused");
    });
    expect(time.nowMs).toBe(0);
    expect(outcomes).toHaveLength(1);
    const error = outcomes[0] as NoQuorumError;
    expect(error).toBeInstanceOf(NoQuorumError);
    expect(error.outcome).toBe("indefinite");
    expect([...error.failures.keys()]).toEqual(["athens", "cyrene"]);
    expect(error.message).toMatch(/2 voters failed \(athens, cyrene\)/);
  });

  it("ignores answers without a sender or from non-voters, and takes a failure outcome", () => {
    const { list, outcomes, add } = quorumList();
    add("r", ["athens", "byzantium", "cyrene"], { failureOutcome: "definite" });
    list.handleResponse("r", { ok: true });
    list.handleResponse("r", { ok: true }, "sparta");
    list.handleError("r", new Error("no sender"));
    expect(outcomes).toEqual([]);
    list.handleError("r", new Error("down"), "athens");
    list.handleError("r", new Error("down"), "byzantium");
    expect((outcomes[0] as NoQuorumError).outcome).toBe("definite");
  });

  it("counts every response as positive without isSuccess", () => {
    const { list, outcomes } = quorumList();
    list.add(
      "w",
      {
        onComplete: (answers) => outcomes.push(answers),
        onFailure: (error) => outcomes.push(error),
      },
      { collector: new QuorumCollector<Ack>(new MajorityTracker(["athens"])) },
    );
    list.handleResponse("w", { ok: false }, "athens");
    expect((outcomes[0] as QuorumAnswers<Ack>).responses.get("athens")).toEqual({ ok: false });
  });

  it("settles once, at the first answer that decides, whatever the answers", () => {
    const answer = fc.record({
      from: fc.constantFrom(...nodes.slice(0, 6)),
      kind: fc.constantFrom("ack" as const, "nack" as const, "error" as const),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(answer, { maxLength: 20 }),
        (n, answers) => {
          const voters = nodes.slice(0, n);
          const quorum = Math.floor(n / 2) + 1;
          const { list, outcomes, add } = quorumList();
          add("k", voters);
          const seen = new Set<string>();
          let responded = 0;
          let acks = 0;
          let failures = 0;
          let expected: "ok" | "error" | undefined;
          for (const { from, kind } of answers) {
            if (kind === "error") list.handleError("k", new Error(kind), from);
            else list.handleResponse("k", { ok: kind === "ack" }, from);
            if (expected === undefined && voters.includes(from) && !seen.has(from)) {
              seen.add(from);
              if (kind !== "error") responded++;
              if (kind === "ack") acks++;
              else failures++;
              if (acks >= quorum) expected = "ok";
              else if (failures > n - quorum) expected = "error";
            }
            expect(outcomes.length).toBe(expected === undefined ? 0 : 1);
          }
          if (expected === "error") expect(outcomes[0]).toBeInstanceOf(NoQuorumError);
          if (expected === "ok")
            expect((outcomes[0] as QuorumAnswers<Ack>).responses.size).toBe(responded);
        },
      ),
      { numRuns: 500 },
    );
  });
});
