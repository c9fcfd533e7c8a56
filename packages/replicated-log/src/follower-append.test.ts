import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LogEntry } from "./entry.ts";
import { followerAppend } from "./follower-append.ts";
import type { AppendRequest, WireEntry } from "./messages.ts";
import { RaftLog } from "./raft-log.ts";

function wire(generation: number, tag = 0): WireEntry {
  return { generation, type: 0, clusterTimeMs: 0, payload: Uint8Array.of(tag) };
}

function logOf(generations: number[]): RaftLog {
  const log = new RaftLog();
  log.append(
    generations.map((generation, i): LogEntry => ({ index: i + 1, ...wire(generation), type: 0 })),
  );
  return log;
}

function append(
  prevLogIndex: number,
  prevLogGeneration: number,
  entries: WireEntry[],
): AppendRequest {
  return {
    type: "append",
    generation: 3,
    leaderId: "athens",
    prevLogIndex,
    prevLogGeneration,
    entries,
    leaderCommit: 0,
  };
}

const generations = (log: RaftLog) =>
  Array.from({ length: log.lastIndex }, (_, i) => log.generationAt(i + 1));

describe("followerAppend", () => {
  it("refuses a mismatch at prevLogIndex with a conflict hint", () => {
    const log = logOf([1, 1, 2, 2]);
    expect(followerAppend(log, 0, append(4, 3, []))).toEqual({
      kind: "refused",
      conflictGeneration: 2,
      conflictIndex: 3,
    });
    expect(followerAppend(log, 0, append(7, 3, []))).toEqual({
      kind: "refused",
      conflictGeneration: null,
      conflictIndex: 5,
    });
  });

  it("truncates from the first conflict and appends the rest", () => {
    const log = logOf([1, 1, 1, 1]);
    const outcome = followerAppend(log, 1, append(2, 1, [wire(1), wire(2)]));
    expect(outcome).toEqual({
      kind: "accepted",
      matchIndex: 4,
      changes: [
        { kind: "truncate", from: 4 },
        { kind: "append", entries: [expect.objectContaining({ index: 4, generation: 2 })] },
      ],
    });
    expect(generations(log)).toEqual([1, 1, 1, 2]);
  });

  it("never truncates matching entries: a stale, shorter append loses nothing", () => {
    const log = logOf([1, 1, 1, 1]);
    const outcome = followerAppend(log, 0, append(1, 1, [wire(1)]));
    expect(outcome).toEqual({ kind: "accepted", matchIndex: 2, changes: [] });
    expect(log.lastIndex).toBe(4);
  });

  it("skips entries at or below the commit index (compacted ones included)", () => {
    const log = logOf([1, 1, 1]);
    log.compactTo(3);
    const outcome = followerAppend(log, 2, append(0, 0, [wire(1), wire(1), wire(1), wire(1)]));
    expect(outcome).toMatchObject({ kind: "accepted", matchIndex: 4 });
    expect([log.firstIndex, log.lastIndex, log.generationAt(4)]).toEqual([3, 4, 1]);
  });

  it("converges whatever order and duplication the appends of one leader arrive in", () => {
    const leader = [1, 1, 2, 2, 3, 3, 3];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 6 }).map((g) => g.sort()),
        fc.array(fc.tuple(fc.nat(6), fc.nat(7)), { minLength: 1, maxLength: 20 }),
        (follower, requests) => {
          // A follower's own entries of generation 3 would be the leader's: keep them below it.
          const log = logOf(follower.map((g) => Math.min(g, 2)));
          const send = (prev: number, count: number) => {
            const entries = leader.slice(prev, prev + count).map((g) => wire(g));
            followerAppend(log, 0, append(prev, prev === 0 ? 0 : leader[prev - 1]!, entries));
          };
          for (const [prev, count] of requests) send(prev, count);
          for (let prev = 0; prev <= leader.length; prev++) send(prev, leader.length);
          expect(generations(log).slice(0, leader.length)).toEqual(leader);
        },
      ),
    );
  });
});
