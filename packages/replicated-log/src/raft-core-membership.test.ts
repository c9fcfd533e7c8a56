import { describe, expect, it } from "vitest";
import { CoreCluster } from "../test/core-cluster.ts";
import { MembershipChangeError } from "./errors.ts";
import { membership } from "./membership.ts";

const founders = ["athens", "byzantium", "cyrene"];

function cluster(): CoreCluster {
  const all = new CoreCluster([...founders, "delphi"], {
    membership: membership({ voters: founders }),
  });
  all.core("athens").campaign();
  all.advance(20);
  return all;
}

describe("RaftCore membership changes", () => {
  it("adds a learner that receives the log without voting, then promotes it", () => {
    const all = cluster();
    const leader = all.core("athens");
    const delphi = all.core("delphi");
    all.advance(500);
    expect(delphi.role).toBe("follower");
    expect(delphi.log.lastIndex).toBe(0); // not a member: nobody sends it anything
    leader.proposeMembership({ kind: "add-learner", node: "delphi" });
    expect(() => leader.proposeMembership({ kind: "remove", node: "cyrene" })).toThrow(
      MembershipChangeError,
    );
    all.advance(20);
    expect(leader.membership.learners).toEqual(["delphi"]);
    expect(delphi.role).toBe("learner");
    expect(delphi.log.lastIndex).toBe(leader.log.lastIndex);
    leader.proposeMembership({ kind: "promote", node: "delphi" });
    all.advance(20);
    expect(delphi.membership.voters).toEqual([...founders, "delphi"]);
    expect(delphi.role).toBe("follower");
  });

  it("refuses to promote a learner that has not caught up", () => {
    const all = cluster();
    const leader = all.core("athens");
    leader.proposeMembership({ kind: "add-learner", node: "delphi" });
    all.advance(20);
    all.cut.add("delphi");
    all.propose("while delphi is away");
    all.advance(20);
    expect(() => leader.proposeMembership({ kind: "promote", node: "delphi" })).toThrow(
      /below the commit index/,
    );
  });

  it("a leader that removes itself leads until the change applies, then steps down", () => {
    const all = cluster();
    const leader = all.core("athens");
    leader.proposeMembership({ kind: "remove", node: "athens" });
    expect(leader.isLeader).toBe(true);
    all.advance(20);
    expect(leader.isLeader).toBe(false);
    expect(leader.membership.voters).toEqual(["byzantium", "cyrene"]);
    all.advanceUntil(() => all.leader() !== undefined && all.leader() !== leader);
    // The removed node cannot disrupt: its campaigns are ignored.
    const generation = all.leader()!.generation;
    leader.campaign();
    all.advance(50);
    expect(all.leader()!.generation).toBe(generation);
  });

  it("enters a joint configuration and leaves it by itself", () => {
    const all = cluster();
    const leader = all.core("athens");
    leader.proposeMembership({ kind: "add-learner", node: "delphi" });
    all.advance(20);
    leader.proposeMembership({ kind: "joint", voters: ["athens", "cyrene", "delphi"] });
    all.advance(50);
    for (const id of ["athens", "cyrene", "delphi"]) {
      expect(all.core(id).membership).toEqual({
        voters: ["athens", "cyrene", "delphi"],
        learners: [],
        outgoingVoters: [],
      });
    }
    all.propose("after");
    all.advance(20);
    expect(all.appliedTexts("delphi")).toEqual(["after"]);
  });
});
