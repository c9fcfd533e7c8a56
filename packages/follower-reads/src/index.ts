/**
 * @pods/follower-reads: reads served by followers — the nearest replica, read-your-writes and
 * monotonic reads through a minimum version that a lagging follower waits for, and bounded
 * staleness refused by a follower out of contact with its leader.
 *
 * @packageDocumentation
 */

export {
  NoReplicaAvailableError,
  ReplicaLaggingError,
  TooStaleError,
  type LaggingDetails,
  type LaggingReason,
  type ReplicaFailure,
  type StalenessDetails,
} from "./errors.ts";
export {
  FollowerReadClient,
  type ClientReadResult,
  type FollowerReadClientOptions,
  type ReplicaReadPort,
} from "./follower-read-client.ts";
export { FollowerReader } from "./follower-reader.ts";
export {
  followerReaderDefaults,
  type FollowerReaderOptions,
  type LagBehaviour,
} from "./options.ts";
export type { FollowerReaderMetrics, ReadOptions, ReadResult, ReplicaLag } from "./read-types.ts";
export {
  ReplicaProgressTracker,
  type AppliedListener,
  type ReplicaProgress,
  type ReplicaProgressTrackerOptions,
} from "./replica-progress.ts";
export {
  latencySampleWeight,
  ReplicaSelector,
  type ReplicaDescriptor,
  type ReplicaSelectorOptions,
  type ReplicaStatus,
} from "./replica-selector.ts";
export { SessionToken } from "./session-token.ts";
