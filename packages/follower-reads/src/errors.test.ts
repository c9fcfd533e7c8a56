import { isPodsError, UnreachableError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { NoReplicaAvailableError, ReplicaLaggingError, TooStaleError } from "./errors.ts";

describe("errors", () => {
  it("are definite Pods errors with stable codes", () => {
    const errors = [
      new ReplicaLaggingError({
        minVersion: 2,
        appliedVersion: 1,
        reason: "redirect",
        waitedMs: 0,
      }),
      new TooStaleError({ maxStalenessMs: 100, msSinceLeaderContact: undefined }),
      new NoReplicaAvailableError([]),
    ];
    expect(
      errors.map((error) => [error.code, error.name, error.outcome, isPodsError(error)]),
    ).toEqual([
      ["REPLICA_LAGGING", "ReplicaLaggingError", "definite", true],
      ["TOO_STALE", "TooStaleError", "definite", true],
      ["NO_REPLICA_AVAILABLE", "NoReplicaAvailableError", "definite", true],
    ]);
  });

  it("say what happened and what to do", () => {
    expect(
      new ReplicaLaggingError({
        nodeId: "delphi",
        minVersion: 9,
        appliedVersion: 4,
        reason: "wait-timeout",
        waitedMs: 5000,
      }).message,
    ).toBe(
      'Replica "delphi" has applied version 4, below the version 9 this read needs, and did not ' +
        "reach it within 5000 ms. Nothing was read: retry on another replica or the leader.",
    );
    expect(
      new ReplicaLaggingError({
        minVersion: 2,
        appliedVersion: 1,
        reason: "too-many-waiting",
        waitedMs: 0,
      }).message,
    ).toMatch(/^This replica .* too many reads are waiting/);
    expect(
      new TooStaleError({ maxStalenessMs: 100, msSinceLeaderContact: undefined }).message,
    ).toMatch(/has not heard from a leader yet.*or accept more staleness/);
    expect(new NoReplicaAvailableError([]).message).toMatch(/every replica is marked down/);
    const cause = new UnreachableError("cyrene", "no route");
    const error = new NoReplicaAvailableError([{ nodeId: "cyrene", error: cause }]);
    expect(error.cause).toBe(cause);
    expect(error.message).toMatch(/tried cyrene \(UNREACHABLE\)/);
  });
});
