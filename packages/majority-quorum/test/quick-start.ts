import { committedIndex, quorum, QuorumSet, QuorumTracker } from "@pods/majority-quorum";

console.log([1, 2, 3, 4, 5, 6, 7].map(quorum)); // [1, 2, 2, 3, 3, 4, 4]

// Moving from {athens, byzantium, cyrene} to {cyrene, delphi, ephesus}: while the change is in
// flight, every decision needs a majority of the old members AND a majority of the new ones.
const joint = QuorumSet.joint(
  QuorumSet.majority(["athens", "byzantium", "cyrene"]),
  QuorumSet.majority(["cyrene", "delphi", "ephesus"]),
);

// Count votes: each voter once, settled exactly once, failed as soon as winning is impossible.
const votes = new QuorumTracker<{ granted: boolean }>(joint, {
  kind: "election",
  isSuccess: (reply) => reply.granted,
});
votes.onResponse("athens", { granted: true });
votes.onResponse("byzantium", { granted: true });
votes.onResponse("delphi", { granted: true });
console.log(votes.state); // "pending": the new configuration has one vote of the two it needs
votes.onResponse("ephesus", { granted: true });
console.log(votes.state); // "reached"

// The commit index: the highest log index a quorum holds; a joint configuration takes the lower.
const matchIndex = new Map([
  ["athens", 9],
  ["byzantium", 7],
  ["cyrene", 7],
  ["delphi", 5],
  ["ephesus", 2],
]);
console.log(committedIndex(matchIndex, joint)); // 5: the old members hold 7, the new ones only 5
