import type { NodeId } from "@pods/core-interfaces";
import {
  electionMessageProblem,
  electionMessageTypes,
  type ElectionMessage,
} from "@pods/leader-and-followers";
import { entryTypes, type EntryType } from "./entry.ts";
import { decodeMembership } from "./membership.ts";

/** A log entry on the wire: its index is implied by its position after `prevLogIndex`. */
export interface WireEntry {
  /** The generation it was appended in. */
  readonly generation: number;
  /** Its type tag. */
  readonly type: EntryType;
  /** Its cluster time, in ms. */
  readonly clusterTimeMs: number;
  /** Its payload. */
  readonly payload: Uint8Array;
}

/** The leader replicates entries (or, with none, probes where the follower's log matches). */
export interface AppendRequest {
  /** The discriminant. */
  readonly type: "append";
  /** The leader's generation. */
  readonly generation: number;
  /** The leader; must be the sender. */
  readonly leaderId: NodeId;
  /** The index just before `entries`. */
  readonly prevLogIndex: number;
  /** The generation of the entry at `prevLogIndex` (of the snapshot boundary, at its index). */
  readonly prevLogGeneration: number;
  /** The entries at `prevLogIndex + 1` onward. */
  readonly entries: readonly WireEntry[];
  /** The leader's commit index (high-water mark). */
  readonly leaderCommit: number;
}

/** A follower's answer to an append. */
export interface AppendResponse {
  /** The discriminant. */
  readonly type: "append-response";
  /** The follower's generation. */
  readonly generation: number;
  /** The follower; must be the sender. */
  readonly followerId: NodeId;
  /** Whether its log matched at `prevLogIndex` (then `matchIndex` is stored durably). */
  readonly success: boolean;
  /** The `prevLogIndex` of the refused append (on success: `matchIndex`). */
  readonly prevLogIndex: number;
  /** On success: the last index known to match the leader's log, stored durably. */
  readonly matchIndex: number;
  /**
   * On refusal: the generation of the follower's entry at `prevLogIndex`, or `null` when its log
   * ends before it.
   */
  readonly conflictGeneration: number | null;
  /**
   * On refusal: the first index the follower holds in `conflictGeneration`, or its last index + 1
   * when its log is shorter.
   */
  readonly conflictIndex: number;
}

/**
 * The leader's heartbeat: keeps followers from campaigning, carries the commit index (at most
 * what the follower is known to hold), and numbers a round that ReadIndex and leases count.
 */
export interface HeartbeatRequest {
  /** The discriminant. */
  readonly type: "heartbeat";
  /** The leader's generation. */
  readonly generation: number;
  /** The leader; must be the sender. */
  readonly leaderId: NodeId;
  /** min(commit index, the follower's match index). */
  readonly commit: number;
  /** The heartbeat round this belongs to (per leadership, increasing). */
  readonly round: number;
}

/** A follower's answer to a heartbeat: confirms the leader's leadership as of `round`. */
export interface HeartbeatResponse {
  /** The discriminant. */
  readonly type: "heartbeat-response";
  /** The follower's generation. */
  readonly generation: number;
  /** The follower; must be the sender. */
  readonly followerId: NodeId;
  /** The round answered. */
  readonly round: number;
}

/** One chunk of a snapshot file sent to a follower that fell below the leader's log. */
export interface SnapshotChunk {
  /** The discriminant. */
  readonly type: "snapshot";
  /** The leader's generation. */
  readonly generation: number;
  /** The leader; must be the sender. */
  readonly leaderId: NodeId;
  /** The snapshot's last included index. */
  readonly lastIncludedIndex: number;
  /** The generation of that entry. */
  readonly lastIncludedGeneration: number;
  /** The cluster time of that entry, in ms (the log continues from it). */
  readonly clusterTimeMs: number;
  /** The membership as of that entry (`encodeMembership`). */
  readonly membership: Uint8Array;
  /** The size of the whole snapshot file, in bytes. */
  readonly fileBytes: number;
  /** Where this chunk starts in the file. */
  readonly offset: number;
  /** The chunk's bytes. */
  readonly data: Uint8Array;
}

/** A follower's answer to a snapshot chunk. */
export interface SnapshotAck {
  /** The discriminant. */
  readonly type: "snapshot-ack";
  /** The follower's generation. */
  readonly generation: number;
  /** The follower; must be the sender. */
  readonly followerId: NodeId;
  /** The snapshot being received. */
  readonly lastIncludedIndex: number;
  /** Bytes received so far: where the next chunk must start. */
  readonly bytesReceived: number;
  /** The snapshot is installed (or the follower's log already covers it). */
  readonly installed: boolean;
}

/** A follower asks the leader for a read index (follower ReadIndex). */
export interface ReadIndexRequest {
  /** The discriminant. */
  readonly type: "read-index";
  /** The follower's id for this read. */
  readonly id: number;
}

/** The leader's answer: the index to wait for, or `null` when it does not lead. */
export interface ReadIndexResponse {
  /** The discriminant. */
  readonly type: "read-index-response";
  /** The responder's generation. */
  readonly generation: number;
  /** The follower's id for the read. */
  readonly id: number;
  /** The commit index confirmed by a quorum, or `null`: not the leader. */
  readonly index: number | null;
}

/** Every message of the replicated log: the election's and replication's. */
export type RaftMessage =
  | ElectionMessage
  | AppendRequest
  | AppendResponse
  | HeartbeatRequest
  | HeartbeatResponse
  | SnapshotChunk
  | SnapshotAck
  | ReadIndexRequest
  | ReadIndexResponse;

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function entryProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "an entry is not an object";
  if (!isIndex(value["generation"])) return "an entry's generation is not an index";
  const type = value["type"];
  if (type !== entryTypes.data && type !== entryTypes.noop && type !== entryTypes.configuration) {
    return "an entry's type is unknown";
  }
  const time = value["clusterTimeMs"];
  if (typeof time !== "number" || !Number.isFinite(time) || time < 0) {
    return "an entry's clusterTimeMs is not a time";
  }
  return value["payload"] instanceof Uint8Array ? undefined : "an entry's payload is not bytes";
}

/**
 * Checks a message received from `from`: every field the protocol reads has the right type and
 * range, and the sender named inside is the sender. Returns the problem, or `undefined` when it is
 * a valid {@link RaftMessage}. `entriesMax` bounds the entries of one append.
 */
export function raftMessageProblem(
  from: NodeId,
  value: unknown,
  entriesMax: number,
): string | undefined {
  if (!isRecord(value)) return "not an object";
  const type = value["type"];
  if (typeof type === "string" && electionMessageTypes.has(type)) {
    return electionMessageProblem(from, value);
  }
  if (type === "read-index") return isIndex(value["id"]) ? undefined : "id is not an index";
  if (!isIndex(value["generation"])) return "generation is not an index";
  switch (type) {
    case "append": {
      if (value["leaderId"] !== from) return "leaderId is not the sender";
      for (const field of ["prevLogIndex", "prevLogGeneration", "leaderCommit"]) {
        if (!isIndex(value[field])) return `${field} is not an index`;
      }
      const entries = value["entries"];
      if (!Array.isArray(entries)) return "entries is not an array";
      if (entries.length > entriesMax) return `more than ${entriesMax} entries`;
      for (const entry of entries) {
        const problem = entryProblem(entry);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case "append-response": {
      if (value["followerId"] !== from) return "followerId is not the sender";
      if (typeof value["success"] !== "boolean") return "success is not a boolean";
      for (const field of ["prevLogIndex", "matchIndex", "conflictIndex"]) {
        if (!isIndex(value[field])) return `${field} is not an index`;
      }
      const conflict = value["conflictGeneration"];
      return conflict === null || isIndex(conflict) ? undefined : "conflictGeneration is invalid";
    }
    case "heartbeat":
      if (value["leaderId"] !== from) return "leaderId is not the sender";
      return isIndex(value["commit"]) && isIndex(value["round"])
        ? undefined
        : "commit and round must be indexes";
    case "heartbeat-response":
      if (value["followerId"] !== from) return "followerId is not the sender";
      return isIndex(value["round"]) ? undefined : "round is not an index";
    case "snapshot": {
      if (value["leaderId"] !== from) return "leaderId is not the sender";
      for (const field of ["lastIncludedIndex", "lastIncludedGeneration", "fileBytes", "offset"]) {
        if (!isIndex(value[field])) return `${field} is not an index`;
      }
      const time = value["clusterTimeMs"];
      if (typeof time !== "number" || !Number.isFinite(time) || time < 0) {
        return "clusterTimeMs is not a time";
      }
      const membership = value["membership"];
      if (!(membership instanceof Uint8Array)) return "membership is not bytes";
      try {
        decodeMembership(membership);
      } catch {
        return "membership is not a valid membership";
      }
      const data = value["data"];
      if (!(data instanceof Uint8Array)) return "data is not bytes";
      return (value["offset"] as number) + data.length <= (value["fileBytes"] as number)
        ? undefined
        : "the chunk runs past the file";
    }
    case "snapshot-ack":
      if (value["followerId"] !== from) return "followerId is not the sender";
      if (typeof value["installed"] !== "boolean") return "installed is not a boolean";
      return isIndex(value["lastIncludedIndex"]) && isIndex(value["bytesReceived"])
        ? undefined
        : "lastIncludedIndex and bytesReceived must be indexes";
    case "read-index-response":
      if (!isIndex(value["id"])) return "id is not an index";
      return value["index"] === null || isIndex(value["index"]) ? undefined : "index is invalid";
    default:
      return `unknown type ${JSON.stringify(type)}`;
  }
}
