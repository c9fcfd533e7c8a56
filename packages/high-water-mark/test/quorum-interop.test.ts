import { QuorumSet, QuorumTracker } from "@pods/majority-quorum";
import {
  NoQuorumError,
  QuorumCollector,
  RequestWaitingList,
  type QuorumAnswers,
  type QuorumTracker as WaitingListQuorumTracker,
} from "@pods/request-waiting-list";
import { Simulation } from "@pods/simulation";
import { expect, it } from "vitest";

// majority-quorum's tracker stands in for request-waiting-list's MajorityTracker: the waiting
// list parks a request until a joint quorum acknowledges it, and fails it as soon as one half of
// the joint configuration cannot.

it("a joint-configuration QuorumTracker plugs into request-waiting-list's QuorumCollector", async () => {
  const sim = new Simulation({ seed: 1 });
  const joint = QuorumSet.joint(
    QuorumSet.majority(["athens", "byzantium", "cyrene"]),
    QuorumSet.majority(["cyrene", "delphi", "ephesus"]),
  );
  const tracker: WaitingListQuorumTracker = new QuorumTracker(joint);
  const list = new RequestWaitingList<string, boolean, QuorumAnswers<boolean>>({
    clock: sim.clock,
    scheduler: sim.scheduler,
  });
  const acked = list.wait("write-1", { collector: new QuorumCollector(tracker) });
  for (const id of ["athens", "byzantium", "delphi"]) list.handleResponse("write-1", true, id);
  expect(list.has("write-1")).toBe(true); // the new configuration has one ack of the two it needs
  list.handleResponse("write-1", true, "cyrene");
  expect((await acked).responses.size).toBe(4);

  const refused = list
    .wait("write-2", {
      collector: new QuorumCollector(new QuorumTracker(joint), { isSuccess: (ok) => ok }),
    })
    .catch((e: unknown) => e);
  list.handleResponse("write-2", false, "delphi");
  list.handleResponse("write-2", false, "ephesus"); // the new half can no longer agree
  expect(await refused).toBeInstanceOf(NoQuorumError);
});
