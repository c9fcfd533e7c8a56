// What the HTTP API needs of a replica of the store: the seam between the wire and the wiring of
// the replicated log, the sessions and the follower reads (kv-node.ts).
import type { KvCommand, KvResult } from "./kv-commands.ts";
import type { StoredValue } from "./kv-state-machine.ts";

/** A client session's numbering of one request (idempotent receiver). */
export interface SessionStamp {
  /** The client id the cluster gave at registration. */
  readonly clientId: number;
  /** The request's number: new per request, the same on every retry. */
  readonly sequence: number;
  /** The lowest sequence whose response the client still awaits. */
  readonly firstUnacknowledged: number;
}

/** How fresh a read must be. */
export type ReadConsistency =
  /** Linearizable: reflects every write acknowledged before the read began (ReadIndex). */
  | { readonly kind: "linearizable" }
  /**
   * Linearizable while clocks drift within the configured bound: the leader answers from its lease
   * without a heartbeat round (falls back to ReadIndex when it holds no lease).
   */
  | { readonly kind: "lease" }
  /** At least this version (read-your-writes): waits for the local replica to apply it. */
  | { readonly kind: "at-least"; readonly version: number }
  /** Whatever this replica has applied: fastest, may be stale. */
  | { readonly kind: "local" };

/** A node's view of the cluster, as `GET /status` reports it. */
export interface KvStatus {
  /** This node's id. */
  readonly node: string;
  /** The id of its operating-system process (to `kill -9` it in a demo). */
  readonly pid: number;
  /** Its role: leader, follower, candidate, pre-candidate or learner. */
  readonly role: string;
  /** The latest generation (term) it knows. */
  readonly generation: number;
  /** The leader it follows, if it knows one. */
  readonly leader: string | null;
  /** The leader's HTTP address, if known. */
  readonly leaderHttp: string | null;
  /** First and last index of its log, its commit index and the last index it applied. */
  readonly firstIndex: number;
  /** The last index in its log. */
  readonly lastIndex: number;
  /** The highest index known committed. */
  readonly commitIndex: number;
  /** The last index applied to its state machine. */
  readonly appliedIndex: number;
}

/** A replica of the store as the HTTP API uses it. */
export interface KvReplica {
  /** The node's current view. */
  status(): KvStatus;
  /**
   * Proposes a write through the log (this node must lead, else `NotLeaderError`); resolves once
   * committed and applied, with the result (its version is the write's log index).
   */
  write(command: KvCommand, session?: SessionStamp): Promise<KvResult>;
  /** Registers a client session through the log; resolves with its client id. */
  registerSession(): Promise<number>;
  /** Reads `key` at the given consistency from this replica's applied state. */
  read(
    key: string,
    consistency: ReadConsistency,
  ): Promise<{ stored: StoredValue | undefined; appliedIndex: number }>;
}
