// Benchmarks of the hot paths a replicated log runs on every acknowledgement: the commit index
// over the followers' match indexes, and a quorum tracker counting answers. Each is measured
// side by side with the naive code it replaces, in the same process.
import { compareThroughput, writeBenchReport } from "../../../bench-kit.js";
import { committedIndex, QuorumSet, QuorumTracker } from "../src/index.ts";

const voters = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];
const set = QuorumSet.majority(voters);
const majority = Math.floor(voters.length / 2) + 1;
const matchIndex = new Map(voters.map((id, i) => [id, 1_000 + i * 7]));
const batch = 10_000;
let sink = 0;

const commitIndex = await compareThroughput({
  name: "committedIndex, 5 voters",
  subject: {
    work: () => {
      for (let i = 0; i < batch; i++) {
        matchIndex.set("athens", 1_000 + (i & 63));
        sink += committedIndex(matchIndex, set);
      }
      return batch;
    },
  },
  baseline: {
    name: "copy the values, sort with a comparator, index n − quorum",
    work: () => {
      for (let i = 0; i < batch; i++) {
        matchIndex.set("athens", 1_000 + (i & 63));
        const sorted = [...matchIndex.values()].sort((a, b) => a - b);
        sink += sorted[voters.length - majority]!;
      }
      return batch;
    },
  },
});

const joint = QuorumSet.joint(set, QuorumSet.majority(["cyrene", "delphi", "ephesus", "sparta"]));
matchIndex.set("sparta", 990);
const jointIndex = await compareThroughput({
  name: "committedIndex, joint 5 + 4 voters",
  subject: {
    work: () => {
      for (let i = 0; i < batch; i++) {
        matchIndex.set("athens", 1_000 + (i & 63));
        sink += committedIndex(matchIndex, joint);
      }
      return batch;
    },
  },
  baseline: {
    name: "filter, sort and index each configuration, take the lower",
    work: () => {
      for (let i = 0; i < batch; i++) {
        matchIndex.set("athens", 1_000 + (i & 63));
        let lowest = Number.POSITIVE_INFINITY;
        for (const group of joint.groups) {
          const sorted = group.voters.map((id) => matchIndex.get(id) ?? 0).sort((a, b) => a - b);
          lowest = Math.min(lowest, sorted[group.voters.length - group.replicationQuorum]!);
        }
        sink += lowest;
      }
      return batch;
    },
  },
});

const isSuccess = (ok: boolean): boolean => ok;
const voterSet = new Set(voters);
const tracker = await compareThroughput({
  name: "quorum decisions (5 voters, 3 positive answers, 1 late)",
  subject: {
    work: () => {
      for (let i = 0; i < batch; i++) {
        const t = new QuorumTracker<boolean>(set, { isSuccess });
        t.onResponse("athens", true);
        t.onResponse("cyrene", true);
        t.onResponse("ephesus", true);
        t.onResponse("byzantium", true);
        if (t.state === "reached") sink++;
      }
      return batch;
    },
  },
  baseline: {
    name: "a Set of responders, a Map of responses and a counter",
    work: () => {
      for (let i = 0; i < batch; i++) {
        const answered = new Set<string>();
        const responses = new Map<string, boolean>();
        let yes = 0;
        let done = false;
        for (const id of ["athens", "cyrene", "ephesus", "byzantium"]) {
          if (done || !voterSet.has(id) || answered.has(id)) continue;
          answered.add(id);
          responses.set(id, true);
          if (isSuccess(true) && ++yes >= majority) done = true;
        }
        if (done) sink++;
      }
      return batch;
    },
  },
});

writeBenchReport("majority-quorum", "@pods/majority-quorum", [commitIndex, jointIndex, tracker]);
if (sink === 42) console.log(sink);
