import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import {
  applyChange,
  decodeMembership,
  encodeMembership,
  isJoint,
  membersOf,
  membership,
  quorumSetOf,
} from "./membership.ts";

const base = membership({ voters: ["cyrene", "athens", "byzantium"] });

describe("membership", () => {
  it("sorts and validates", () => {
    expect(base.voters).toEqual(["athens", "byzantium", "cyrene"]);
    expect(() => membership({ voters: ["athens", "athens"] })).toThrow(InvalidArgumentError);
    expect(() => membership({ voters: ["athens"], learners: ["athens"] })).toThrow(
      /both voter and learner/,
    );
  });

  it("adds a learner, promotes it, removes a voter", () => {
    const withLearner = applyChange(base, { kind: "add-learner", node: "delphi" });
    expect(withLearner.learners).toEqual(["delphi"]);
    expect(quorumSetOf(withLearner).isVoter("delphi")).toBe(false);
    const promoted = applyChange(withLearner, { kind: "promote", node: "delphi" });
    expect(promoted.voters).toEqual(["athens", "byzantium", "cyrene", "delphi"]);
    expect(quorumSetOf(promoted).hasQuorum(["athens", "byzantium"])).toBe(false);
    const removed = applyChange(promoted, { kind: "remove", node: "byzantium" });
    expect(membersOf(removed)).toEqual(["athens", "cyrene", "delphi"]);
  });

  it("refuses changes that do not apply", () => {
    expect(() => applyChange(base, { kind: "add-learner", node: "athens" })).toThrow(/already/);
    expect(() => applyChange(base, { kind: "promote", node: "athens" })).toThrow(/not a learner/);
    expect(() => applyChange(base, { kind: "remove", node: "sparta" })).toThrow(/not a member/);
    expect(() => applyChange(base, { kind: "leave-joint" })).toThrow(/no joint/);
    const single = membership({ voters: ["athens"] });
    expect(() => applyChange(single, { kind: "remove", node: "athens" })).toThrow(/last voter/);
  });

  it("enters and leaves a joint configuration that needs both majorities", () => {
    const joint = applyChange(base, { kind: "joint", voters: ["cyrene", "delphi", "ephesus"] });
    expect(isJoint(joint)).toBe(true);
    const quorum = quorumSetOf(joint);
    expect(quorum.hasQuorum(["athens", "byzantium", "delphi"])).toBe(false);
    expect(quorum.hasQuorum(["athens", "cyrene", "delphi"])).toBe(true);
    expect(() => applyChange(joint, { kind: "add-learner", node: "sparta" })).toThrow(/joint/);
    const left = applyChange(joint, { kind: "leave-joint" });
    expect(left).toEqual({
      voters: ["cyrene", "delphi", "ephesus"],
      learners: [],
      outgoingVoters: [],
    });
  });

  it("round-trips through its encoding", () => {
    const joint = applyChange(base, { kind: "joint", voters: ["delphi"], learners: ["sparta"] });
    expect(decodeMembership(encodeMembership(joint))).toEqual(joint);
  });
});
