import { isPodsError } from "@pods/core-interfaces";
import {
  MajorityTracker,
  QuorumCollector,
  RequestWaitingList,
  type QuorumAnswers,
} from "@pods/request-waiting-list";
import { Simulation } from "@pods/simulation";

// Any Clock and Scheduler will do; here the simulator's virtual time (on Node: @pods/runtime-node).
const sim = new Simulation({ seed: 1 });
const { clock, scheduler } = sim;

// Client proposals wait by log index until the high-water mark passes them.
const proposals = new RequestWaitingList<number, string>({
  clock,
  scheduler,
  keyedBy: "index",
  timeoutMs: 900,
});
const answers = [3, 4, 5, 7].map((index) =>
  proposals.wait(index).then(
    (result) => `${index}: ${result}`,
    (error: unknown) =>
      `${index}: ${isPodsError(error) ? `${error.code}, ${error.outcome}` : String(error)}`,
  ),
);
proposals.completeUpTo(5, (index) => `applied at ${index}`); // 3, 4 and 5 complete, in order
await sim.runFor(1_000); // 7 expires after 900 ms
console.log(await Promise.all(answers)); // [..., "5: applied at 5", "7: TIMEOUT, indefinite"]

// A write acknowledged by a majority of three replicas.
type Ack = { ok: boolean };
const writes = new RequestWaitingList<string, Ack, QuorumAnswers<Ack>>({ clock, scheduler });
const replicas = ["athens", "byzantium", "cyrene"];
const written = writes.wait("write-1", {
  collector: new QuorumCollector(new MajorityTracker(replicas), { isSuccess: (ack) => ack.ok }),
});
writes.handleResponse("write-1", { ok: true }, "athens");
writes.handleResponse("write-1", { ok: true }, "cyrene"); // a majority: the write completes
writes.handleResponse("write-1", { ok: true }, "byzantium"); // late: ignored and counted
console.log((await written).responses.size, writes.metrics.ignoredResponses); // 2 1
