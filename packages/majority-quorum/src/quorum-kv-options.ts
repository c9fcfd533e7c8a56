import {
  InvalidArgumentError,
  type Logger,
  type NodeId,
  type Random,
  type Scheduler,
} from "@pods/core-interfaces";
import type { StoredValue } from "./replica-store.ts";
import type { VersionSource } from "./versions.ts";

/** How a read fixes replicas that answered with an older version. */
export type ReadRepair = "sync" | "async" | "off";

/** The messages of a leaderless store. `requestId` routes replies to the coordinator's request. */
export type QuorumKvMessage<Val, Ver> =
  | { readonly type: "kv-read"; readonly requestId: number; readonly key: string }
  | {
      readonly type: "kv-read-reply";
      readonly requestId: number;
      readonly stored: StoredValue<Val, Ver> | null;
    }
  | {
      readonly type: "kv-write";
      readonly requestId: number;
      readonly key: string;
      readonly value: Val;
      readonly version: Ver;
    }
  | { readonly type: "kv-write-reply"; readonly requestId: number; readonly stored: boolean };

/** Options of {@link QuorumKvStore}. */
export interface QuorumKvStoreOptions<Ver> {
  /** Every replica of the data (N of them), this node included. */
  readonly replicas: readonly NodeId[];
  /** W: replicas that must hold a write before it succeeds. Default a majority of N. */
  readonly writeQuorum?: number;
  /** R: replicas that must answer a read. Default a majority of N. */
  readonly readQuorum?: number;
  /** What a read does about stale replicas. Default `"sync"`. */
  readonly readRepair?: ReadRepair;
  /** How writes are versioned: a clock, or a quorum read first. */
  readonly versions: VersionSource<Ver>;
  /** Runs the timeouts. */
  readonly scheduler: Scheduler;
  /** Picks where request ids start, so replies meant for a previous incarnation do not match. */
  readonly random: Random;
  /** Each round trip (version read, write, read, sync repair) fails after this long. Default 1000 ms. */
  readonly timeoutMs?: number;
  /** Requests in flight at once; one more fails with {@link TooManyPendingError}. Default 10 000. */
  readonly pendingMax?: number;
  /** Longest key, in UTF-16 code units. Default 1024. */
  readonly keyLengthMax?: number;
  /** Receives `quorum-kv.quorums-do-not-overlap` when R + W ≤ N. Default none. */
  readonly logger?: Logger;
}

/** Counters of a {@link QuorumKvStore}. */
export interface QuorumKvMetrics {
  /** Reads started by this node as coordinator. */
  readonly reads: number;
  /** Writes started by this node as coordinator. */
  readonly writes: number;
  /** Repair writes sent to replicas that answered a read with an older version or none. */
  readonly repairsSent: number;
  /** Messages ignored: replies for no pending request (late, duplicated), anything from a non-replica. */
  readonly ignoredReplies: number;
}

/** Checks a positive limit. @internal */
export function positive(name: string, value: number, integer = false): number {
  if (!(Number.isFinite(value) && value > 0 && (!integer || Number.isSafeInteger(value)))) {
    throw new InvalidArgumentError(
      `${name} must be a ${integer ? "positive safe integer" : "finite number > 0"}, got ${String(value)}.`,
    );
  }
  return value;
}
