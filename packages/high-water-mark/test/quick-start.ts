import { HighWaterMark, LeaderCommitTracker, NotCommittedError } from "@pods/high-water-mark";
import { QuorumSet } from "@pods/majority-quorum";

// A leader's log: entries 1–3 from generation 1, then 4–5 from its own generation 2.
const generationOf = [0, 1, 1, 1, 2, 2];
const tracker = new LeaderCommitTracker({
  selfId: "athens",
  quorumSet: QuorumSet.majority(["athens", "byzantium", "cyrene"]),
  generation: 2,
  commitIndex: 0,
  lastIndex: 5,
  generationAt: (index) => generationOf[index]!,
});
const mark = HighWaterMark.inMemory();

mark.advance(tracker.selfDurable(5)); // the leader counts itself only for what it has synced
mark.advance(tracker.acknowledged("byzantium", 3));
console.log(mark.mark); // 0: index 3 is on a majority, but it is from an earlier generation
mark.advance(tracker.acknowledged("byzantium", 5));
console.log(mark.mark); // 5: an entry of generation 2 on a majority commits it and all before

// A follower learns the mark from every request, but never past what it holds in agreement.
const follower = HighWaterMark.inMemory();
follower.followLeader(mark.mark, 4);
console.log(follower.mark); // 4

// The read gate: appended is not visible.
const log = { read: (index: number) => Promise.resolve(`entry ${index}`) };
console.log(await follower.readCommitted(4, log)); // "entry 4"
await follower.readCommitted(5, log).catch((error: unknown) => {
  console.log(error instanceof NotCommittedError); // true
});
