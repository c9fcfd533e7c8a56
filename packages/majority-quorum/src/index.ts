/**
 * @pods/majority-quorum: majority quorums — sizes, quorum sets with learners, joint and flexible
 * configurations, a tracker that settles exactly once, the commit index a quorum holds, and a
 * leaderless (Dynamo-style) quorum key-value store.
 *
 * @packageDocumentation
 */

export { committedIndex, quorumIndex } from "./committed-index.ts";
export { QuorumFailedError, TooManyPendingError } from "./errors.ts";
export {
  type QuorumKvMessage,
  type QuorumKvMetrics,
  type QuorumKvStoreOptions,
  type ReadRepair,
} from "./quorum-kv-options.ts";
export { QuorumKvStore } from "./quorum-kv-store.ts";
export {
  QuorumSet,
  type FlexibleQuorumSizes,
  type QuorumKind,
  type QuorumSetOptions,
  type QuorumState,
  type VoterGroup,
} from "./quorum-set.ts";
export { assertGroupSize, quorum, toleratedFailures, votersMax } from "./quorum-size.ts";
export { QuorumTracker, type QuorumAnswers, type QuorumTrackerOptions } from "./quorum-tracker.ts";
export { ReplicaStore, type StoredValue } from "./replica-store.ts";
export {
  compareCounterVersions,
  counterVersion,
  counterVersions,
  emptyCounterVersion,
  type ClockVersions,
  type CounterVersion,
  type QuorumReadVersions,
  type VersionSource,
} from "./versions.ts";
