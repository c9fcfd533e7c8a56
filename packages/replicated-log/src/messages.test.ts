import { describe, expect, it } from "vitest";
import { raftMessageProblem } from "./messages.ts";

const append = {
  type: "append",
  generation: 2,
  leaderId: "athens",
  prevLogIndex: 1,
  prevLogGeneration: 1,
  entries: [{ generation: 2, type: 0, clusterTimeMs: 5, payload: new Uint8Array(1) }],
  leaderCommit: 1,
};

describe("raftMessageProblem", () => {
  it("accepts well-formed messages of every kind", () => {
    expect(raftMessageProblem("athens", append, 10)).toBeUndefined();
    const valid = [
      {
        type: "append-response",
        generation: 2,
        followerId: "athens",
        success: false,
        prevLogIndex: 3,
        matchIndex: 0,
        conflictGeneration: null,
        conflictIndex: 2,
      },
      { type: "heartbeat", generation: 1, leaderId: "athens", commit: 0, round: 1 },
      { type: "heartbeat-response", generation: 1, followerId: "athens", round: 1 },
      { type: "read-index", id: 4 },
      { type: "read-index-response", generation: 1, id: 4, index: null },
      {
        type: "vote-request",
        generation: 1,
        candidateId: "athens",
        lastLogIndex: 0,
        lastLogGeneration: 0,
        preVote: true,
        transfer: false,
      },
    ];
    for (const message of valid) expect(raftMessageProblem("athens", message, 10)).toBeUndefined();
  });

  it("names what is wrong: impostors, bad fields, oversized appends", () => {
    expect(raftMessageProblem("byzantium", append, 10)).toBe("leaderId is not the sender");
    expect(raftMessageProblem("athens", { ...append, prevLogIndex: -1 }, 10)).toBe(
      "prevLogIndex is not an index",
    );
    expect(raftMessageProblem("athens", append, 0)).toBe("more than 0 entries");
    expect(
      raftMessageProblem("athens", { ...append, entries: [{ ...append.entries[0], type: 7 }] }, 10),
    ).toBe("an entry's type is unknown");
    expect(raftMessageProblem("athens", { type: "gossip", generation: 1 }, 10)).toMatch(
      /unknown type/,
    );
    expect(raftMessageProblem("athens", null, 10)).toBe("not an object");
  });
});
