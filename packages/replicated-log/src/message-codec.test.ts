import { createMsgpackCodec } from "@pods/codec";
import { DecodeError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entryTypes } from "./entry.ts";
import { raftMessageCodec } from "./message-codec.ts";
import { raftMessageProblem, type RaftMessage, type WireEntry } from "./messages.ts";

const index = fc.oneof(fc.nat(1_000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const node = fc.constantFrom("athens", "byzantium", "cyrene", "délos");
const entry = fc.record({
  generation: index,
  type: fc.constantFrom(entryTypes.data, entryTypes.noop, entryTypes.configuration),
  clusterTimeMs: fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e15, noNaN: true })),
  payload: fc.uint8Array({ maxLength: 200 }),
});
const message: fc.Arbitrary<RaftMessage> = fc.oneof(
  fc.record({
    type: fc.constant("append" as const),
    generation: index,
    leaderId: node,
    prevLogIndex: index,
    prevLogGeneration: index,
    entries: fc.array(entry, { maxLength: 20 }),
    leaderCommit: index,
  }),
  fc.record({
    type: fc.constant("append-response" as const),
    generation: index,
    followerId: node,
    success: fc.boolean(),
    prevLogIndex: index,
    matchIndex: index,
    conflictGeneration: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 })),
    conflictIndex: index,
  }),
  fc.record({
    type: fc.constant("heartbeat" as const),
    generation: index,
    leaderId: node,
    commit: index,
    round: index,
  }),
  fc.record({
    type: fc.constant("heartbeat-response" as const),
    generation: index,
    followerId: node,
    round: index,
  }),
  fc.record({
    type: fc.constant("vote-request" as const),
    generation: index,
    candidateId: node,
    lastLogIndex: index,
    lastLogGeneration: index,
    preVote: fc.boolean(),
  }) as fc.Arbitrary<RaftMessage>,
  fc.record({ type: fc.constant("read-index" as const), id: index }),
);

/** An append from athens at the start of the log, carrying `entry`. */
function appendOf(entry: WireEntry): RaftMessage {
  return {
    type: "append",
    generation: 1,
    leaderId: "athens",
    prevLogIndex: 0,
    prevLogGeneration: 0,
    entries: [entry],
    leaderCommit: 0,
  };
}

describe("raftMessageCodec", () => {
  it("decodes what it encodes, every kind of message", () => {
    fc.assert(
      fc.property(message, (sent) => {
        expect(raftMessageCodec.decode(raftMessageCodec.encode(sent))).toEqual(sent);
      }),
    );
  });

  it("writes appends and heartbeats in fewer bytes than MessagePack, the rest as MessagePack", () => {
    const msgpack = createMsgpackCodec<RaftMessage>();
    const append: RaftMessage = {
      type: "append",
      generation: 3,
      leaderId: "athens",
      prevLogIndex: 120,
      prevLogGeneration: 3,
      entries: Array.from({ length: 10 }, (_, at) => ({
        generation: 3,
        type: entryTypes.data,
        clusterTimeMs: 5_000 + at,
        payload: new Uint8Array(100).fill(at),
      })),
      leaderCommit: 118,
    };
    expect(raftMessageCodec.encode(append).length).toBeLessThan(msgpack.encode(append).length);
    const read: RaftMessage = { type: "read-index", id: 7 };
    expect(raftMessageCodec.encode(read)).toEqual(msgpack.encode(read));
  });

  it("never hands out a view of the bytes it decoded", () => {
    const bytes = raftMessageCodec.encode(
      appendOf({
        generation: 1,
        type: entryTypes.data,
        clusterTimeMs: 1,
        payload: new Uint8Array(80).fill(7),
      }),
    );
    const decoded = raftMessageCodec.decode(bytes);
    bytes.fill(0);
    expect(decoded.type === "append" && decoded.entries[0]!.payload[0]).toBe(7);
  });

  it("refuses malformed bytes with a DecodeError only, and truncations of every form", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
        try {
          raftMessageCodec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
    fc.assert(
      fc.property(message, fc.nat(), (sent, cut) => {
        const bytes = raftMessageCodec.encode(sent);
        if (bytes[0]! > 4) return;
        const short = bytes.subarray(0, cut % bytes.length);
        expect(() => raftMessageCodec.decode(short)).toThrow(DecodeError);
      }),
    );
  });

  it("leaves field checks to raftMessageProblem: a decoded message with a bad field is reported", () => {
    const bytes = raftMessageCodec.encode(
      appendOf({ generation: 1, type: 9 as never, clusterTimeMs: 1, payload: new Uint8Array(1) }),
    );
    const decoded = raftMessageCodec.decode(bytes);
    expect(raftMessageProblem("athens", decoded, 100)).toBe("an entry's type is unknown");
    expect(raftMessageProblem("byzantium", decoded, 100)).toBe("leaderId is not the sender");
  });
});
