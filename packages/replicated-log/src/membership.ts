import { createMsgpackCodec } from "@pods/codec";
import {
  assertNodeId,
  compareNodeIds,
  InvalidArgumentError,
  type NodeId,
} from "@pods/core-interfaces";
import { QuorumSet } from "@pods/majority-quorum";

/**
 * Who is in the cluster. During a joint change (replacing several voters at once),
 * `outgoingVoters` holds the voters of the configuration being left: decisions need a majority
 * of both `outgoingVoters` and `voters`.
 */
export interface Membership {
  /** The voters (of the new configuration, during a joint change). Sorted. */
  readonly voters: readonly NodeId[];
  /** Members that receive the log but never vote. Sorted. */
  readonly learners: readonly NodeId[];
  /** The old voters during a joint change; empty otherwise. Sorted. */
  readonly outgoingVoters: readonly NodeId[];
}

/**
 * A membership change. Single-node changes (one pending at a time, effective when applied):
 * `add-learner` (a new node receives the log), `promote` (a caught-up learner becomes a voter),
 * `remove` (a voter or learner leaves). Joint consensus for replacing several voters at once:
 * `joint` enters the joint configuration (old and new voters must both agree), and the leader
 * leaves it by itself (`leave-joint`) once it is applied.
 */
export type MembershipChange =
  | { readonly kind: "add-learner"; readonly node: NodeId }
  | { readonly kind: "promote"; readonly node: NodeId }
  | { readonly kind: "remove"; readonly node: NodeId }
  | {
      readonly kind: "joint";
      readonly voters: readonly NodeId[];
      readonly learners?: readonly NodeId[];
    }
  | { readonly kind: "leave-joint" };

function sortedIds(ids: readonly NodeId[], what: string): NodeId[] {
  if (!Array.isArray(ids)) throw new InvalidArgumentError(`${what} must be an array of node ids.`);
  for (const id of ids) assertNodeId(id, `${what} entry`);
  const sorted: NodeId[] = [...new Set<NodeId>(ids)].sort(compareNodeIds);
  if (sorted.length !== ids.length) {
    throw new InvalidArgumentError(`${what} lists a node twice; list every node once.`);
  }
  return sorted;
}

/**
 * Checks a membership and returns it sorted.
 *
 * @throws `InvalidArgumentError` for no voters, a bad or repeated id, or a node in two roles.
 */
export function membership(input: {
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  readonly outgoingVoters?: readonly NodeId[];
}): Membership {
  const result: Membership = {
    voters: sortedIds(input.voters, "voters"),
    learners: sortedIds(input.learners ?? [], "learners"),
    outgoingVoters: sortedIds(input.outgoingVoters ?? [], "outgoingVoters"),
  };
  quorumSetOf(result); // validates voters against learners
  return result;
}

/** Whether `m` is a joint configuration. */
export function isJoint(m: Membership): boolean {
  return m.outgoingVoters.length > 0;
}

/** Every member: voters (old and new) and learners. */
export function membersOf(m: Membership): NodeId[] {
  return [...new Set([...m.voters, ...m.outgoingVoters, ...m.learners])].sort(compareNodeIds);
}

/** The quorum set of `m`: a majority of the voters, or of both halves of a joint configuration. */
export function quorumSetOf(m: Membership): QuorumSet {
  const learners = m.learners.filter(
    (id) => !m.voters.includes(id) && !m.outgoingVoters.includes(id),
  );
  if (learners.length !== m.learners.length) {
    throw new InvalidArgumentError("a node cannot be both voter and learner.");
  }
  const next = QuorumSet.majority(m.voters, { learners });
  return isJoint(m) ? QuorumSet.joint(QuorumSet.majority(m.outgoingVoters), next) : next;
}

/**
 * The membership after `change`.
 *
 * @throws `InvalidArgumentError` when the change does not apply to `current` (adding a member,
 *   promoting a non-learner, removing a stranger or the last voter, entering a joint
 *   configuration from a joint one, a single-node change during a joint one).
 */
export function applyChange(current: Membership, change: MembershipChange): Membership {
  const members = new Set(membersOf(current));
  const refuse = (why: string): never => {
    throw new InvalidArgumentError(`Membership change ${JSON.stringify(change)} refused: ${why}.`);
  };
  if (change.kind !== "leave-joint" && isJoint(current)) {
    refuse("a joint change is in progress; it must be left first");
  }
  switch (change.kind) {
    case "add-learner":
      assertNodeId(change.node, "node");
      if (members.has(change.node)) refuse(`${change.node} is a member already`);
      return membership({ ...current, learners: [...current.learners, change.node] });
    case "promote":
      if (!current.learners.includes(change.node)) refuse(`${change.node} is not a learner`);
      return membership({
        voters: [...current.voters, change.node],
        learners: current.learners.filter((id) => id !== change.node),
      });
    case "remove":
      if (!members.has(change.node)) refuse(`${change.node} is not a member`);
      if (current.voters.length === 1 && current.voters[0] === change.node) {
        refuse("it is the last voter");
      }
      return membership({
        voters: current.voters.filter((id) => id !== change.node),
        learners: current.learners.filter((id) => id !== change.node),
      });
    case "joint": {
      const next = membership({ voters: change.voters, learners: change.learners ?? [] });
      return membership({ ...next, outgoingVoters: current.voters });
    }
    case "leave-joint":
      if (!isJoint(current)) refuse("no joint change is in progress");
      return membership({ voters: current.voters, learners: current.learners });
  }
}

const codec = createMsgpackCodec<{
  voters: string[];
  learners: string[];
  outgoingVoters: string[];
}>();

/** Encodes a membership for a configuration entry (deterministic: sorted lists). */
export function encodeMembership(m: Membership): Uint8Array {
  return codec.encode({
    voters: [...m.voters],
    learners: [...m.learners],
    outgoingVoters: [...m.outgoingVoters],
  });
}

/**
 * Decodes a configuration entry's membership.
 *
 * @throws `DecodeError` for bytes that are not one; `InvalidArgumentError` for an invalid one.
 */
export function decodeMembership(bytes: Uint8Array): Membership {
  return membership(codec.decode(bytes));
}
