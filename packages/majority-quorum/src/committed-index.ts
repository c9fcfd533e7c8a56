import { InvalidArgumentError, type NodeId } from "@pods/core-interfaces";
import type { QuorumSet, VoterGroup } from "./quorum-set.ts";
import { quorum, votersMax } from "./quorum-size.ts";

// Scratch space for the insertion sort: committedIndex is synchronous and not re-entrant, so one
// buffer serves every call without allocating.
const scratch = new Float64Array(votersMax);

function assertIndex(index: number, who: string): void {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new InvalidArgumentError(
      `The match index of ${who} must be a safe integer >= 0, got ${String(index)}.`,
    );
  }
}

/** Sorts `scratch[0..n)` ascending (insertion sort: n is small, and often nearly sorted). */
function sortScratch(n: number): void {
  for (let i = 1; i < n; i++) {
    const value = scratch[i]!;
    let j = i - 1;
    while (j >= 0 && scratch[j]! > value) {
      scratch[j + 1] = scratch[j]!;
      j--;
    }
    scratch[j + 1] = value;
  }
}

/**
 * The highest index that at least `quorumSize` of `indexes` have reached: sort ascending and take
 * position `n − quorumSize` (0-based). With the default majority, [5, 3, 9] → 5,
 * [10, 10, 7, 3] → 7 and [1, 2, 3, 4, 5] → 3. (The book's position n/2 is wrong for even n.)
 *
 * @param indexes - one match index per voter (safe integers ≥ 0), 1 to {@link votersMax} of them.
 * @param quorumSize - how many must hold the index. Default `quorum(indexes.length)`.
 * @throws `InvalidArgumentError` for an empty list, a bad index or a bad size.
 */
export function quorumIndex(indexes: readonly number[], quorumSize?: number): number {
  const n = indexes.length;
  const size = quorumSize ?? quorum(Math.max(1, n));
  if (n === 0 || n > votersMax || !Number.isSafeInteger(size) || size < 1 || size > n) {
    throw new InvalidArgumentError(
      `quorumIndex needs 1 to ${votersMax} indexes and a quorum size from 1 to their number, ` +
        `got ${n} indexes and size ${String(size)}.`,
    );
  }
  for (let i = 0; i < n; i++) {
    const index = indexes[i]!;
    assertIndex(index, `entry ${i}`);
    scratch[i] = index;
  }
  sortScratch(n);
  return scratch[n - size]!;
}

function groupIndex(group: VoterGroup, matchIndexByVoter: ReadonlyMap<NodeId, number>): number {
  const voters = group.voters;
  for (let i = 0; i < voters.length; i++) {
    const voter = voters[i]!;
    const index = matchIndexByVoter.get(voter) ?? 0;
    assertIndex(index, `"${voter}"`);
    scratch[i] = index;
  }
  sortScratch(voters.length);
  return scratch[voters.length - group.replicationQuorum]!;
}

/**
 * The commit index a leader may declare: the highest log index held by a replication quorum of
 * `quorumSet`. For each voter group, sort its voters' match indexes ascending and take position
 * `n − quorum` (0-based); for a joint configuration take the lower of the two groups, since a
 * commit needs both. Voters missing from `matchIndexByVoter` count as holding nothing (0);
 * learners and other nodes in it are ignored.
 *
 * This is only the quorum part: a Raft leader must also check that the entry at that index
 * belongs to its current generation before committing (`@pods/high-water-mark` does).
 *
 * @param matchIndexByVoter - the highest index known to be stored on each node (the leader's own
 *   durable index included).
 * @throws `InvalidArgumentError` for a match index that is not a safe integer ≥ 0.
 */
export function committedIndex(
  matchIndexByVoter: ReadonlyMap<NodeId, number>,
  quorumSet: QuorumSet,
): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const group of quorumSet.groups) {
    lowest = Math.min(lowest, groupIndex(group, matchIndexByVoter));
  }
  return lowest;
}
