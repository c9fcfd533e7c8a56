import { InvalidArgumentError, NotLeaderError } from "@pods/core-interfaces";
import { QuorumSet } from "@pods/majority-quorum";
import { SeededRandom } from "@pods/simulation";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ElectionHarness, ManualClock } from "../test/election-harness.ts";
import { Election } from "./election.ts";
import { MemoryGenerationStore } from "./generation-store.ts";
import type { VoteRequest } from "./messages.ts";

const three = ["athens", "byzantium", "cyrene"];
const five = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];

function request(overrides: Partial<VoteRequest> & { candidateId: string }): VoteRequest {
  return {
    type: "vote-request",
    generation: 1,
    lastLogIndex: 0,
    lastLogGeneration: 0,
    preVote: false,
    transfer: false,
    ...overrides,
  };
}

describe("Election", () => {
  it("draws each election timeout from [T, 2T)", () => {
    const clock = new ManualClock();
    const election = new Election({
      selfId: "athens",
      quorumSet: QuorumSet.majority(three),
      clock,
      random: new SeededRandom(3),
      store: new MemoryGenerationStore(),
      host: {
        lastLogPosition: () => ({ index: 0, generation: 0 }),
        send: () => {},
        heartbeat: () => {},
      },
      electionTimeoutMs: 100,
      heartbeatIntervalMs: 10,
    });
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const timeout = election.electionDeadlineMs - clock.nowMs;
      expect(timeout).toBeGreaterThanOrEqual(100);
      expect(timeout).toBeLessThan(200);
      seen.add(timeout);
      election.leaderContact("byzantium", election.generation + 1); // a new leader: a new draw
    }
    expect(seen.size).toBeGreaterThan(20);
  });

  it("elects a leader through pre-votes, votes and a heartbeat at once", () => {
    const h = new ElectionHarness({ voters: three, seed: 1 });
    h.election("athens").campaign();
    expect(h.election("athens").role).toBe("pre-candidate");
    expect(h.election("athens").generation).toBe(0); // a pre-vote changes nothing
    h.deliverAll();
    const athens = h.election("athens");
    expect(athens.role).toBe("leader");
    expect(athens.generation).toBe(1);
    expect(athens.votedFor).toBe("athens");
    expect([...athens.votes.keys()].sort()).toEqual(["athens", "byzantium"]); // won at a quorum
    expect(h.node("athens").heartbeats).toBe(1);
    expect(h.election("byzantium").votedFor).toBe("athens");
  });

  it("grants one vote per generation, only to a candidate whose log is at least as up to date", () => {
    const h = new ElectionHarness({ voters: five, preVote: false });
    const cyrene = h.election("cyrene");
    h.node("cyrene").position = { index: 5, generation: 2 };
    const sent = (): unknown => h.inFlight.at(-1)?.message;

    cyrene.step(
      "athens",
      request({ candidateId: "athens", generation: 3, lastLogIndex: 9, lastLogGeneration: 1 }),
    );
    expect(sent()).toMatchObject({ type: "vote-response", granted: false, generation: 3 });
    expect(cyrene.generation).toBe(3); // adopted, vote still free
    cyrene.step(
      "byzantium",
      request({ candidateId: "byzantium", generation: 3, lastLogIndex: 4, lastLogGeneration: 2 }),
    );
    expect(sent()).toMatchObject({ granted: false });
    cyrene.step(
      "delphi",
      request({ candidateId: "delphi", generation: 3, lastLogIndex: 5, lastLogGeneration: 2 }),
    );
    expect(sent()).toMatchObject({ granted: true, generation: 3 });
    cyrene.step(
      "ephesus",
      request({ candidateId: "ephesus", generation: 3, lastLogIndex: 50, lastLogGeneration: 3 }),
    );
    expect(sent()).toMatchObject({ granted: false }); // voted for delphi already
    cyrene.step(
      "delphi",
      request({ candidateId: "delphi", generation: 3, lastLogIndex: 5, lastLogGeneration: 2 }),
    );
    expect(sent()).toMatchObject({ granted: true }); // a retry of the same candidate
    cyrene.step(
      "ephesus",
      request({ candidateId: "ephesus", generation: 2, lastLogIndex: 50, lastLogGeneration: 3 }),
    );
    expect(sent()).toMatchObject({ granted: false, generation: 3 }); // lower generation refused
    expect(cyrene.votedFor).toBe("delphi");
    expect(cyrene.takeHardStateChanged()).toBe(true);
    expect(cyrene.takeHardStateChanged()).toBe(false);
  });

  it("answers pre-votes without changing any generation, and refuses them while a leader is heard", () => {
    const h = new ElectionHarness({ voters: three, electionTimeoutMs: 1000 });
    const cyrene = h.election("cyrene");
    cyrene.step("byzantium", request({ candidateId: "byzantium", generation: 1, preVote: true }));
    expect(h.inFlight.at(-1)?.message).toMatchObject({
      granted: true,
      generation: 1,
      preVote: true,
    });
    expect(cyrene.generation).toBe(0);
    expect(cyrene.votedFor).toBeUndefined();

    cyrene.leaderContact("athens", 4);
    h.clock.nowMs = 999;
    cyrene.step("byzantium", request({ candidateId: "byzantium", generation: 5, preVote: true }));
    expect(h.inFlight.at(-1)?.message).toMatchObject({ granted: false, generation: 4 });
    h.clock.nowMs = 1000; // the minimum election timeout without the leader: it may be gone
    cyrene.step("byzantium", request({ candidateId: "byzantium", generation: 5, preVote: true }));
    expect(h.inFlight.at(-1)?.message).toMatchObject({ granted: true, generation: 5 });
    expect(cyrene.generation).toBe(4);
  });

  it("ignores real votes while a leader is heard (CheckQuorum), unless the election is a transfer", () => {
    const h = new ElectionHarness({ voters: three });
    const cyrene = h.election("cyrene");
    cyrene.leaderContact("athens", 2);
    const before = h.inFlight.length;
    cyrene.step("byzantium", request({ candidateId: "byzantium", generation: 3 }));
    expect(h.inFlight.length).toBe(before);
    expect(cyrene.generation).toBe(2);
    cyrene.step("byzantium", request({ candidateId: "byzantium", generation: 3, transfer: true }));
    expect(h.inFlight.at(-1)?.message).toMatchObject({ granted: true, generation: 3 });
    expect(cyrene.leaderId).toBeUndefined();
  });

  it("ignores vote requests from nodes that are not voters", () => {
    const h = new ElectionHarness({ voters: three, learners: ["delphi"] });
    h.election("cyrene").step("delphi", request({ candidateId: "delphi", generation: 7 }));
    h.election("cyrene").step("sparta", request({ candidateId: "sparta", generation: 7 }));
    expect(h.inFlight).toEqual([]);
    expect(h.election("cyrene").generation).toBe(0);
  });

  it("never lets a learner campaign", () => {
    const h = new ElectionHarness({ voters: three, learners: ["delphi"] });
    const delphi = h.election("delphi");
    expect(delphi.role).toBe("learner");
    expect(delphi.nextDeadlineMs).toBe(Number.POSITIVE_INFINITY);
    delphi.campaign();
    expect(delphi.role).toBe("learner");
    expect(h.inFlight).toEqual([]);
  });

  it("steps down with CheckQuorum when no quorum was heard within an election timeout", () => {
    const h = new ElectionHarness({
      voters: three,
      electionTimeoutMs: 1000,
      heartbeatIntervalMs: 100,
    });
    h.election("athens").campaign();
    h.deliverAll();
    const athens = h.election("athens");
    expect(athens.role).toBe("leader");
    h.advanceTo(900);
    athens.heardFrom("byzantium");
    h.advanceTo(1000); // byzantium heard 100 ms ago: a quorum with athens
    expect(athens.role).toBe("leader");
    h.advanceTo(1899);
    expect(athens.role).toBe("leader");
    h.advanceTo(1900); // nobody heard within the last election timeout
    expect(athens.role).toBe("follower");
    expect(athens.generation).toBe(1);
    expect(athens.metrics.checkQuorumStepDowns).toBe(1);
  });

  it("keeps leading without CheckQuorum", () => {
    const h = new ElectionHarness({ voters: three, checkQuorum: false });
    h.election("athens").campaign();
    h.deliverAll();
    h.advanceTo(10_000);
    expect(h.election("athens").role).toBe("leader");
    expect(h.node("athens").heartbeats).toBeGreaterThan(90);
  });

  it("adopts a higher generation from any message and steps down", () => {
    const h = new ElectionHarness({ voters: three });
    h.election("athens").campaign();
    h.deliverAll();
    const athens = h.election("athens");
    expect(athens.observeGeneration(1)).toBe("current");
    expect(athens.observeGeneration(0)).toBe("stale");
    expect(athens.observeGeneration(4)).toBe("newer");
    expect(athens.role).toBe("follower");
    expect(athens.generation).toBe(4);
    expect(athens.votedFor).toBeUndefined();
    expect(athens.leaderContact("cyrene", 3)).toBe("stale");
    expect(athens.leaderContact("cyrene", 4)).toBe("accepted");
    expect(athens.leaderId).toBe("cyrene");
  });

  it("loses an election it cannot win and becomes a follower", () => {
    const h = new ElectionHarness({ voters: three, preVote: false });
    h.node("athens").position = { index: 1, generation: 1 };
    h.node("cyrene").position = { index: 1, generation: 1 };
    h.election("byzantium").campaign();
    h.deliverAll();
    expect(h.election("byzantium").role).toBe("follower");
    expect(h.election("byzantium").generation).toBe(1);
    expect(h.leaders()).toEqual([]);
  });

  it("hands leadership over with TimeoutNow once the target is caught up", () => {
    const h = new ElectionHarness({ voters: three });
    h.election("athens").campaign();
    h.deliverAll();
    const athens = h.election("athens");
    h.node("athens").caughtUp = false;
    expect(() => athens.transferLeadership("athens")).toThrow(InvalidArgumentError);
    expect(() => h.election("byzantium").transferLeadership("cyrene")).toThrow(NotLeaderError);
    athens.transferLeadership("cyrene");
    expect(athens.transferTarget).toBe("cyrene");
    expect(h.inFlight).toEqual([]);
    athens.transferTargetCaughtUp();
    expect(h.inFlight).toMatchObject([
      { to: "cyrene", message: { type: "timeout-now", generation: 1 } },
    ]);
    h.heartbeatFrom("athens"); // followers heard the leader just now: only a transfer gets votes
    h.deliverAll();
    expect(h.election("cyrene").role).toBe("leader");
    expect(h.election("cyrene").generation).toBe(2);
    expect(athens.role).toBe("follower");
  });

  it("gives a transfer up after one election timeout", () => {
    const h = new ElectionHarness({ voters: three, electionTimeoutMs: 1000 });
    h.election("athens").campaign();
    h.deliverAll();
    h.node("athens").caughtUp = false;
    h.election("athens").transferLeadership("cyrene");
    h.heartbeatFrom("athens");
    h.advanceTo(999);
    expect(h.election("athens").transferTarget).toBe("cyrene");
    h.heartbeatFrom("athens");
    h.advanceTo(1000);
    expect(h.election("athens").transferTarget).toBeUndefined();
    expect(h.election("athens").role).toBe("leader");
  });

  it("steps down when a configuration without it is applied", () => {
    const h = new ElectionHarness({ voters: three });
    h.election("athens").campaign();
    h.deliverAll();
    h.election("athens").reconfigure(QuorumSet.majority(["byzantium", "cyrene"]));
    expect(h.election("athens").role).toBe("follower");
    expect(h.election("athens").nextDeadlineMs).toBe(Number.POSITIVE_INFINITY);
  });

  it("defers a campaign while the host says no", () => {
    const clock = new ManualClock();
    let may = false;
    const election = new Election({
      selfId: "athens",
      quorumSet: QuorumSet.majority(["athens"]),
      clock,
      random: new SeededRandom(1),
      store: new MemoryGenerationStore(),
      host: {
        lastLogPosition: () => ({ index: 0, generation: 0 }),
        send: () => {},
        heartbeat: () => {},
        mayCampaign: () => may,
      },
    });
    clock.nowMs = election.nextDeadlineMs;
    election.tick();
    expect(election.role).toBe("follower");
    may = true;
    clock.nowMs = election.nextDeadlineMs;
    election.tick();
    expect(election.role).toBe("leader"); // a single voter wins alone
  });

  it("reports changes of role, generation and leader to listeners", () => {
    const h = new ElectionHarness({ voters: three });
    const roles: string[] = [];
    h.election("athens").onChange(({ current }) =>
      roles.push(`${current.role}@${current.generation}`),
    );
    h.election("athens").campaign();
    h.deliverAll();
    expect(roles).toEqual(["pre-candidate@0", "candidate@1", "leader@1"]);
  });

  it("validates its timing", () => {
    const base = {
      selfId: "athens",
      quorumSet: QuorumSet.majority(three),
      clock: new ManualClock(),
      random: new SeededRandom(1),
      store: new MemoryGenerationStore(),
      host: {
        lastLogPosition: () => ({ index: 0, generation: 0 }),
        send: () => {},
        heartbeat: () => {},
      },
    };
    expect(() => new Election({ ...base, electionTimeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(
      () => new Election({ ...base, electionTimeoutMs: 100, heartbeatIntervalMs: 100 }),
    ).toThrow(/below electionTimeoutMs/);
    expect(() => new Election({ ...base, preVote: "yes" as unknown as boolean })).toThrow(
      InvalidArgumentError,
    );
  });

  it("elects at most one leader per generation, and generations never fall, whatever is delivered", () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat(), duplicate: fc.boolean() }),
      fc.record({ kind: fc.constant("drop" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 1, max: 700 }) }),
      fc.record({ kind: fc.constant("campaign" as const), node: fc.nat({ max: 4 }) }),
      fc.record({ kind: fc.constant("grow-log" as const), node: fc.nat({ max: 4 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        fc.array(operation, { maxLength: 150 }),
        (seed, preVote, operations) => {
          const h = new ElectionHarness({
            voters: five,
            seed,
            preVote,
            electionTimeoutMs: 300,
            heartbeatIntervalMs: 50,
          });
          const leaderOf = new Map<number, string>();
          const generations = new Map<string, number>();
          const check = (): void => {
            for (const node of h.nodes.values()) {
              const { generation, role } = node.election;
              expect(generation).toBeGreaterThanOrEqual(generations.get(node.id) ?? 0);
              generations.set(node.id, generation);
              if (role !== "leader") continue;
              const known = leaderOf.get(generation);
              expect(known === undefined || known === node.id).toBe(true);
              leaderOf.set(generation, node.id);
            }
          };
          for (const op of operations) {
            switch (op.kind) {
              case "deliver": {
                if (h.inFlight.length === 0) break;
                const index = op.pick % h.inFlight.length;
                const item = h.inFlight[index]!;
                if (!op.duplicate) h.inFlight.splice(index, 1);
                h.deliver(item);
                break;
              }
              case "drop":
                if (h.inFlight.length > 0) h.inFlight.splice(op.pick % h.inFlight.length, 1);
                break;
              case "advance":
                h.advanceTo(h.clock.nowMs + op.ms);
                break;
              case "campaign":
                h.election(five[op.node]!).campaign();
                break;
              case "grow-log": {
                const node = h.node(five[op.node]!);
                node.position = {
                  index: node.position.index + 1,
                  generation: node.election.generation,
                };
                break;
              }
            }
            check();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
