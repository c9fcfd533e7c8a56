import { ByteReader, ByteWriter, createMsgpackCodec } from "@pods/codec";
import { DecodeError, type Codec } from "@pods/core-interfaces";
import type { EntryType } from "./entry.ts";
import type {
  AppendRequest,
  AppendResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  RaftMessage,
  WireEntry,
} from "./messages.ts";

// The messages of steady replication (appends, heartbeats and their answers) travel in a compact
// binary form: a tag byte, then varints, node ids as UTF-8 and each entry's payload as it is.
// Every other message (votes, snapshots, reads) is MessagePack, whose first byte for a map is
// 0x80–0x8f or 0xde–0xdf: never one of these tags. Decoding checks the form only; the replicated
// log checks every received message's fields (`raftMessageProblem`) before it acts on one.
const tags = { append: 1, "append-response": 2, heartbeat: 3, "heartbeat-response": 4 } as const;

const fallback = createMsgpackCodec<RaftMessage>();
const context = { what: "replicated-log message" };

function encodeEntries(writer: ByteWriter, entries: readonly WireEntry[]): void {
  writer.uint(entries.length);
  for (const entry of entries) {
    writer.uint(entry.generation).u8(entry.type).f64(entry.clusterTimeMs).bytes(entry.payload);
  }
}

function encode(message: RaftMessage): Uint8Array {
  switch (message.type) {
    case "append": {
      let payloadBytes = 0;
      for (const entry of message.entries) payloadBytes += entry.payload.length + 24;
      const writer = new ByteWriter(64 + payloadBytes)
        .u8(tags.append)
        .uint(message.generation)
        .utf8(message.leaderId)
        .uint(message.prevLogIndex)
        .uint(message.prevLogGeneration)
        .uint(message.leaderCommit);
      encodeEntries(writer, message.entries);
      return writer.finish();
    }
    case "append-response":
      return new ByteWriter()
        .u8(tags["append-response"])
        .uint(message.generation)
        .utf8(message.followerId)
        .u8(message.success ? 1 : 0)
        .uint(message.prevLogIndex)
        .uint(message.matchIndex)
        .uint(message.conflictGeneration === null ? 0 : message.conflictGeneration + 1)
        .uint(message.conflictIndex)
        .finish();
    case "heartbeat":
      return new ByteWriter()
        .u8(tags.heartbeat)
        .uint(message.generation)
        .utf8(message.leaderId)
        .uint(message.commit)
        .uint(message.round)
        .finish();
    case "heartbeat-response":
      return new ByteWriter()
        .u8(tags["heartbeat-response"])
        .uint(message.generation)
        .utf8(message.followerId)
        .uint(message.round)
        .finish();
    default:
      return fallback.encode(message);
  }
}

function decodeAppend(reader: ByteReader): AppendRequest {
  const generation = reader.uint("generation");
  const leaderId = reader.utf8("leaderId");
  const prevLogIndex = reader.uint("prevLogIndex");
  const prevLogGeneration = reader.uint("prevLogGeneration");
  const leaderCommit = reader.uint("leaderCommit");
  // Each entry takes at least 11 bytes: generation, type, cluster time and payload length.
  const count = reader.count("entry count", Math.floor(reader.remaining / 11));
  const entries: WireEntry[] = [];
  for (let at = 0; at < count; at++) {
    entries.push({
      generation: reader.uint("entry generation"),
      type: reader.u8("entry type") as EntryType,
      clusterTimeMs: reader.f64("entry clusterTimeMs"),
      payload: reader.bytes("entry payload"),
    });
  }
  return {
    type: "append",
    generation,
    leaderId,
    prevLogIndex,
    prevLogGeneration,
    entries,
    leaderCommit,
  };
}

function decodeAppendResponse(reader: ByteReader): AppendResponse {
  const generation = reader.uint("generation");
  const followerId = reader.utf8("followerId");
  const success = reader.u8("success");
  if (success > 1) throw reader.error(`success is ${success}, not 0 or 1`);
  const prevLogIndex = reader.uint("prevLogIndex");
  const matchIndex = reader.uint("matchIndex");
  const conflict = reader.uint("conflictGeneration");
  return {
    type: "append-response",
    generation,
    followerId,
    success: success === 1,
    prevLogIndex,
    matchIndex,
    conflictGeneration: conflict === 0 ? null : conflict - 1,
    conflictIndex: reader.uint("conflictIndex"),
  };
}

function decodeHeartbeat(reader: ByteReader): HeartbeatRequest {
  return {
    type: "heartbeat",
    generation: reader.uint("generation"),
    leaderId: reader.utf8("leaderId"),
    commit: reader.uint("commit"),
    round: reader.uint("round"),
  };
}

function decodeHeartbeatResponse(reader: ByteReader): HeartbeatResponse {
  return {
    type: "heartbeat-response",
    generation: reader.uint("generation"),
    followerId: reader.utf8("followerId"),
    round: reader.uint("round"),
  };
}

function decode(bytes: Uint8Array): RaftMessage {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new DecodeError("a replicated-log message must be a non-empty Uint8Array");
  }
  const tag = bytes[0]!;
  if (tag > tags["heartbeat-response"]) return fallback.decode(bytes);
  // A private copy, as the MessagePack form makes: payloads view it, never the caller's bytes.
  const reader = new ByteReader(bytes.slice(), context);
  reader.u8("tag");
  let message: RaftMessage;
  if (tag === tags.append) message = decodeAppend(reader);
  else if (tag === tags["append-response"]) message = decodeAppendResponse(reader);
  else if (tag === tags.heartbeat) message = decodeHeartbeat(reader);
  else if (tag === tags["heartbeat-response"]) message = decodeHeartbeatResponse(reader);
  else throw reader.error(`tag ${tag} is unknown`, 0);
  reader.end();
  return message;
}

/**
 * The wire form of {@link RaftMessage}s for a transport that carries bytes (the single-socket
 * channel's `codec` option): appends, heartbeats and their answers in a compact binary form,
 * cheaper to encode and decode than MessagePack for the messages sent on every write; the rest
 * in MessagePack. `decode` throws `DecodeError` on malformed bytes and never returns a view of
 * its input; field values are checked by the log when a message arrives.
 */
export const raftMessageCodec: Codec<RaftMessage> = { encode, decode };
