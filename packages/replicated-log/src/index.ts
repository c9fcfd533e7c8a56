/**
 * @pods/replicated-log: a Raft-grade replicated log — elections (PreVote, CheckQuorum,
 * leadership transfer) embedded from `@pods/leader-and-followers`, pipelined replication with
 * the log-matching check and fast back-off, commit by majority of the leader's generation,
 * durable persistence through `@pods/write-ahead-log`, in-order application to a
 * `StateMachine`, linearizable reads (ReadIndex, optional leases), snapshots streamed to lagging
 * followers, and membership changes (single-node and joint). A pure protocol core
 * ({@link RaftCore}) and a driver on the ports ({@link ReplicatedLog}).
 *
 * @packageDocumentation
 */

export { clusterTimePrefixBytes, entryTypes, logEntryOf, walPayloadOf } from "./entry.ts";
export type { EntryType, LogEntry } from "./entry.ts";
export { MembershipChangeError, UncommittedLimitError } from "./errors.ts";
export { followerAppend, type AppendOutcome, type LogChange } from "./follower-append.ts";
export {
  applyChange,
  decodeMembership,
  encodeMembership,
  isJoint,
  membersOf,
  membership,
  quorumSetOf,
  type Membership,
  type MembershipChange,
} from "./membership.ts";
export { raftMessageCodec } from "./message-codec.ts";
export {
  raftMessageProblem,
  type AppendRequest,
  type AppendResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type RaftMessage,
  type ReadIndexRequest,
  type ReadIndexResponse,
  type SnapshotAck,
  type SnapshotChunk,
  type WireEntry,
} from "./messages.ts";
export {
  replicationDefaults,
  resolveReplicationOptions,
  type ReplicationOptions,
  type ResolvedReplicationOptions,
} from "./options.ts";
export type { ProgressState } from "./progress.ts";
export type { FollowerStatus, Proposed, RaftCoreOptions, SnapshotPosition } from "./core-types.ts";
export { RaftCore } from "./raft-core.ts";
export { RaftLog } from "./raft-log.ts";
export type { ReadState } from "./read-rounds.ts";
export { isEmptyReady, type Outgoing, type Ready, type SnapshotSend } from "./ready.ts";
export { ReplicatedLog, type ReadMode } from "./replicated-log.ts";
export { replicatedLogDefaults, type ReplicatedLogOptions } from "./replicated-log-options.ts";
