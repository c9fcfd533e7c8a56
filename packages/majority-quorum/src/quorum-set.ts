import {
  assertNodeId,
  compareNodeIds,
  InvalidArgumentError,
  type NodeId,
} from "@pods/core-interfaces";
import { assertGroupSize, quorum } from "./quorum-size.ts";

/**
 * Which decision a quorum is for. Plain majorities use the same size for both; a flexible quorum
 * set ({@link QuorumSet.flexible}) trades a larger election quorum (Q1, phase 1) for a smaller
 * replication quorum (Q2, phase 2).
 */
export type QuorumKind = "election" | "replication";

/** Where a quorum decision stands: the same three states as request-waiting-list's trackers. */
export type QuorumState = "pending" | "reached" | "impossible";

/** One group of voters with its quorum sizes. A joint configuration has two. */
export interface VoterGroup {
  /** The voters, sorted by `compareNodeIds`, no duplicates. */
  readonly voters: readonly NodeId[];
  /** The same voters as a set, for membership tests. */
  readonly voterSet: ReadonlySet<NodeId>;
  /** Positive answers an election needs from this group (Q1). */
  readonly electionQuorum: number;
  /** Positive answers a replication (a commit) needs from this group (Q2). */
  readonly replicationQuorum: number;
}

/** Options of {@link QuorumSet.majority}, {@link QuorumSet.flexible} and {@link QuorumSet.threshold}. */
export interface QuorumSetOptions {
  /**
   * Members that receive everything but never count towards a quorum (nodes catching up before
   * promotion). Must not also be voters. Default none.
   */
  readonly learners?: readonly NodeId[];
}

/** The two quorum sizes of {@link QuorumSet.flexible}. */
export interface FlexibleQuorumSizes {
  /** Q1: positive answers an election needs. */
  readonly electionQuorum: number;
  /** Q2: positive answers a replication (a commit) needs. */
  readonly replicationQuorum: number;
}

function sortedDistinct(ids: readonly NodeId[], what: string): NodeId[] {
  if (!Array.isArray(ids)) {
    throw new InvalidArgumentError(`${what} must be an array of node ids, got ${String(ids)}.`);
  }
  const sorted: NodeId[] = [];
  for (const id of ids as readonly unknown[]) {
    assertNodeId(id, `${what} entry`);
    sorted.push(id);
  }
  sorted.sort(compareNodeIds);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) {
      throw new InvalidArgumentError(`${what} lists "${sorted[i]}" twice; list every node once.`);
    }
  }
  return sorted;
}

function group(voters: readonly NodeId[], electionQuorum: number, replicationQuorum: number) {
  const sorted = sortedDistinct(voters, "voters");
  assertGroupSize(sorted.length, "the number of voters");
  for (const [name, size] of [
    ["electionQuorum", electionQuorum],
    ["replicationQuorum", replicationQuorum],
  ] as const) {
    if (!Number.isSafeInteger(size) || size < 1 || size > sorted.length) {
      throw new InvalidArgumentError(
        `${name} must be an integer from 1 to the number of voters (${sorted.length}), got ${String(size)}.`,
      );
    }
  }
  return { voters: sorted, voterSet: new Set(sorted), electionQuorum, replicationQuorum };
}

/**
 * Who decides, and how many of them must agree: the voters of a configuration (one group, or two
 * for a joint configuration), their quorum sizes, and the learners that never count.
 *
 * - {@link QuorumSet.majority}: the usual rule, ⌊n/2⌋ + 1 of n voters for every decision.
 * - {@link QuorumSet.joint}: during a membership change from `old` to `next`, a decision needs a
 *   quorum of **each** (Raft's joint consensus), so neither configuration can decide alone.
 * - {@link QuorumSet.flexible}: Flexible Paxos — election quorum Q1 and replication quorum Q2 with
 *   Q1 + Q2 > n (every election meets every commit) and 2·Q1 > n (two candidates of one
 *   generation cannot both win, since Pods' generations do not embed the candidate's id).
 * - {@link QuorumSet.threshold}: "any k of these n", with no intersection promise: the W and R of a
 *   leaderless store.
 *
 * Instances are immutable. Counting: {@link QuorumSet.tally}, {@link QuorumSet.hasQuorum}, the
 * {@link QuorumTracker}, and {@link committedIndex}.
 */
export class QuorumSet {
  /** The voter groups: one, or two (old, next) for a joint configuration. */
  readonly groups: readonly VoterGroup[];
  /** Every voter of every group, sorted, no duplicates. */
  readonly voters: readonly NodeId[];
  /** The learners, sorted: members that never count towards a quorum. */
  readonly learners: readonly NodeId[];
  readonly #voterSet: ReadonlySet<NodeId>;
  readonly #learnerSet: ReadonlySet<NodeId>;

  private constructor(groups: readonly VoterGroup[], learners: readonly NodeId[]) {
    this.groups = groups;
    this.#voterSet = new Set(groups.flatMap((g) => g.voters));
    this.voters = [...this.#voterSet].sort(compareNodeIds);
    this.learners = sortedDistinct(learners, "learners");
    this.#learnerSet = new Set(this.learners);
    const both = this.learners.filter((id) => this.#voterSet.has(id));
    if (both.length > 0) {
      throw new InvalidArgumentError(
        `${both.join(", ")} cannot be both voter and learner; list each node in one role.`,
      );
    }
  }

  /**
   * A majority of `voters`: ⌊n/2⌋ + 1 for elections and replication alike.
   *
   * @throws `InvalidArgumentError` for no voters, a duplicate, a bad node id, or a learner
   *   that is also a voter.
   */
  static majority(voters: readonly NodeId[], options: QuorumSetOptions = {}): QuorumSet {
    const size = quorum(Math.max(1, Array.isArray(voters) ? voters.length : 0));
    return new QuorumSet([group(voters, size, size)], options.learners ?? []);
  }

  /**
   * A flexible quorum set (Flexible Paxos): elections need `electionQuorum` (Q1) voters and
   * replication `replicationQuorum` (Q2), with Q1 + Q2 > n and 2·Q1 > n. With 5 voters, Q1 = 4 and
   * Q2 = 2 commits on two copies but needs four votes to elect.
   *
   * @throws `InvalidArgumentError` when a size is out of range or the sizes do not intersect.
   */
  static flexible(
    voters: readonly NodeId[],
    sizes: FlexibleQuorumSizes,
    options: QuorumSetOptions = {},
  ): QuorumSet {
    const g = group(voters, sizes.electionQuorum, sizes.replicationQuorum);
    const n = g.voters.length;
    if (g.electionQuorum + g.replicationQuorum <= n || 2 * g.electionQuorum <= n) {
      throw new InvalidArgumentError(
        `Flexible quorums of ${n} voters need electionQuorum + replicationQuorum > ${n} and ` +
          `2 × electionQuorum > ${n}, got Q1 = ${g.electionQuorum}, Q2 = ${g.replicationQuorum}; ` +
          "otherwise a new leader could miss a committed entry, or two could win one generation.",
      );
    }
    return new QuorumSet([g], options.learners ?? []);
  }

  /**
   * "Any `size` of `voters`", for elections and replication alike, with **no** intersection
   * promise: two such quorums may be disjoint when 2·size ≤ n. This is the W or R of a leaderless
   * store, where R + W > N is the user's choice.
   *
   * @throws `InvalidArgumentError` when `size` is not from 1 to the number of voters.
   */
  static threshold(
    voters: readonly NodeId[],
    size: number,
    options: QuorumSetOptions = {},
  ): QuorumSet {
    return new QuorumSet([group(voters, size, size)], options.learners ?? []);
  }

  /**
   * The joint configuration of a membership change: a decision needs a quorum of `old` **and** a
   * quorum of `next`, each by its own sizes. Learners are those of both, minus the voters of
   * either. Leave the joint configuration by switching to `next` alone.
   *
   * @throws `InvalidArgumentError` when `old` or `next` is itself joint.
   */
  static joint(old: QuorumSet, next: QuorumSet): QuorumSet {
    if (old.isJoint || next.isJoint) {
      throw new InvalidArgumentError(
        "A joint configuration joins two simple ones; leave the current joint configuration first.",
      );
    }
    const voters = new Set([...old.voters, ...next.voters]);
    const learners = new Set([...old.learners, ...next.learners].filter((id) => !voters.has(id)));
    return new QuorumSet([old.groups[0]!, next.groups[0]!], [...learners]);
  }

  /** Whether this is a joint configuration (two groups). */
  get isJoint(): boolean {
    return this.groups.length > 1;
  }

  /** Whether `id` votes in some group. */
  isVoter(id: NodeId): boolean {
    return this.#voterSet.has(id);
  }

  /** Whether `id` is a learner. */
  isLearner(id: NodeId): boolean {
    return this.#learnerSet.has(id);
  }

  /**
   * Where a decision stands given the voters that said yes and those that said no (or failed).
   * `"reached"` when every group has its quorum of yes; `"impossible"` when some group has more
   * no than it can afford (n − quorum); `"pending"` otherwise. Non-voters are ignored; a node in
   * both sets counts as yes.
   */
  tally(
    yes: ReadonlySet<NodeId>,
    no: ReadonlySet<NodeId> = new Set(),
    kind: QuorumKind = "replication",
  ): QuorumState {
    let reached = true;
    for (const g of this.groups) {
      const needed = kind === "election" ? g.electionQuorum : g.replicationQuorum;
      let ayes = 0;
      let nays = 0;
      for (const voter of g.voters) {
        if (yes.has(voter)) ayes++;
        else if (no.has(voter)) nays++;
      }
      if (nays > g.voters.length - needed) return "impossible";
      if (ayes < needed) reached = false;
    }
    return reached ? "reached" : "pending";
  }

  /** Whether the voters among `ids` form a quorum of the given kind. */
  hasQuorum(ids: Iterable<NodeId>, kind: QuorumKind = "replication"): boolean {
    return this.tally(new Set(ids), undefined, kind) === "reached";
  }

  /** A short description for messages: `majority of {a, b, c}`, `joint(…, …)`. */
  toString(): string {
    const describe = (g: VoterGroup): string => {
      const members = `{${g.voters.join(", ")}}`;
      const majority = quorum(g.voters.length);
      if (g.electionQuorum === majority && g.replicationQuorum === majority) {
        return `majority of ${members}`;
      }
      return g.electionQuorum === g.replicationQuorum
        ? `${g.replicationQuorum} of ${members}`
        : `Q1 ${g.electionQuorum}, Q2 ${g.replicationQuorum} of ${members}`;
    };
    const body = this.isJoint
      ? `joint(${this.groups.map(describe).join(", ")})`
      : describe(this.groups[0]!);
    return this.learners.length === 0 ? body : `${body} + learners {${this.learners.join(", ")}}`;
  }
}
