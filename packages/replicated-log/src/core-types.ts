import type { Clock, Logger, NodeId, Random } from "@pods/core-interfaces";
import type { GenerationStore } from "@pods/leader-and-followers";
import type { Membership } from "./membership.ts";
import type { ReplicationOptions } from "./options.ts";
import type { ProgressState } from "./progress.ts";
import type { RaftLog } from "./raft-log.ts";

/** Options of a `RaftCore`. */
export interface RaftCoreOptions extends ReplicationOptions {
  /** This node. */
  readonly selfId: NodeId;
  /** The cluster's membership (until configuration entries change it). */
  readonly membership: Membership;
  /** The durable generation and vote: `GenerationClock` of `@pods/generation-clock`. */
  readonly store: GenerationStore;
  /** Monotonic time: election timeouts, heartbeats, leases, cluster time. */
  readonly clock: Clock;
  /** Draws the randomised election timeouts. */
  readonly random: Random;
  /** The log as recovered from disk. Default empty. */
  readonly log?: RaftLog;
  /** The snapshot the state machine was restored from, if any. */
  readonly snapshot?: SnapshotPosition;
  /**
   * A commit index known from before a restart (a persisted high-water mark). Committed entries
   * up to it are applied again at once, membership changes among them included. Default 0.
   */
  readonly commitIndex?: number;
  /** Receives election events. Default none. */
  readonly logger?: Logger;
}

/** Where a snapshot stands in the log: its last included entry. */
export interface SnapshotPosition {
  /** The last included index. */
  readonly index: number;
  /** The generation of that entry. */
  readonly generation: number;
  /** The cluster time of that entry, in ms. */
  readonly clusterTimeMs: number;
}

/** What the leader knows of one follower, for introspection. */
export interface FollowerStatus {
  /** The replication state. */
  readonly state: ProgressState;
  /** The highest index known to match the leader's log. */
  readonly matchIndex: number;
  /** The next index to send. */
  readonly nextIndex: number;
  /** Appends sent and not acknowledged (replicate state). */
  readonly inflight: number;
}

/** Where a proposal was appended. */
export interface Proposed {
  /** The index of the first proposed entry (the others follow it). */
  readonly firstIndex: number;
  /** The generation they were appended in. */
  readonly generation: number;
}
