import { QuorumSet } from "@pods/majority-quorum";
import { describe, expect, it } from "vitest";
import { ReadRounds } from "./read-rounds.ts";

const quorum = QuorumSet.majority(["athens", "byzantium", "cyrene"]);

describe("ReadRounds", () => {
  it("releases a read once a quorum answered a round started after it", () => {
    const reads = new ReadRounds("athens", 0);
    reads.request(1, undefined, 10);
    expect(reads.broadcastNeeded).toBe(true);
    const round = reads.startRound(0);
    expect(reads.acknowledge("byzantium", round - 1, quorum)).toEqual([]);
    expect(reads.acknowledge("byzantium", round, quorum)).toEqual([
      { id: 1, from: undefined, index: 10 },
    ]);
    expect(reads.pendingCount).toBe(0);
  });

  it("holds reads until the generation's first entry commits", () => {
    const reads = new ReadRounds("athens", 0);
    reads.request(1, "cyrene", undefined);
    const early = reads.startRound(0);
    expect(reads.acknowledge("byzantium", early, quorum)).toEqual([]);
    reads.commitReady(4);
    const round = reads.startRound(1);
    expect(reads.acknowledge("cyrene", round, quorum)).toEqual([
      { id: 1, from: "cyrene", index: 4 },
    ]);
  });

  it("keeps a lease from the start of the last confirmed round, revocable", () => {
    const reads = new ReadRounds("athens", 100);
    const round = reads.startRound(50);
    reads.acknowledge("cyrene", round, quorum);
    expect(reads.leaseHolds(149)).toBe(true);
    expect(reads.leaseHolds(150)).toBe(false);
    reads.revokeLease();
    expect(reads.leaseHolds(60)).toBe(false);
    reads.acknowledge("byzantium", round, quorum);
    expect(reads.leaseHolds(60)).toBe(false);
  });

  it("refuses everything waiting when leadership is lost", () => {
    const reads = new ReadRounds("athens", 0);
    reads.request(1, undefined, 3);
    reads.request(2, "cyrene", undefined);
    expect(reads.refuseAll()).toEqual([
      { id: 2, from: "cyrene", index: undefined },
      { id: 1, from: undefined, index: undefined },
    ]);
  });
});
