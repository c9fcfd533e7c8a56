import { DecodeError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { parseVersionVectorMessage, replicateEntriesMax } from "./messages.ts";

const bytes = Uint8Array.of(1, 2);

describe("parseVersionVectorMessage", () => {
  it("accepts every well-formed message", () => {
    const messages = [
      { type: "put", id: 1, key: "x", value: bytes, context: bytes },
      { type: "put-ok", id: 1, dot: { node: "athens", counter: 3 }, context: bytes },
      {
        type: "put-failed",
        id: 1,
        failure: { reason: "obsolete", stored: bytes, attempted: bytes },
      },
      { type: "put-failed", id: 1, failure: { reason: "too-many-siblings", siblingsMax: 100 } },
      {
        type: "put-failed",
        id: 1,
        failure: { reason: "not-enough-replicas", needed: 2, answered: 1 },
      },
      { type: "get", id: 2, key: "x" },
      { type: "get-ok", id: 2, siblings: bytes },
      { type: "replicate", ackId: 0, entries: [{ key: "x", siblings: bytes }] },
      { type: "replicate-ack", ackId: 4 },
    ];
    for (const message of messages) expect(parseVersionVectorMessage(message)).toEqual(message);
  });

  it("refuses malformed messages with a DecodeError", () => {
    const bad: unknown[] = [
      null,
      "put",
      { type: "nope" },
      { type: "put", id: -1, key: "x", value: bytes, context: bytes },
      { type: "put", id: 1.5, key: "x", value: bytes, context: bytes },
      { type: "put", id: 1, key: 7, value: bytes, context: bytes },
      { type: "put", id: 1, key: "k".repeat(1025), value: bytes, context: bytes },
      { type: "put", id: 1, key: "x", value: [1, 2], context: bytes },
      { type: "put-ok", id: 1, dot: { node: "athens", counter: 0 }, context: bytes },
      { type: "put-ok", id: 1, dot: { node: "", counter: 1 }, context: bytes },
      { type: "put-failed", id: 1, failure: { reason: "bored" } },
      { type: "put-failed", id: 1, failure: { reason: "obsolete", stored: bytes } },
      { type: "replicate", ackId: 0, entries: {} },
      { type: "replicate", ackId: 0, entries: [null] },
      {
        type: "replicate",
        ackId: 0,
        entries: Array.from({ length: replicateEntriesMax + 1 }, () => ({
          key: "x",
          siblings: bytes,
        })),
      },
      { type: "replicate-ack" },
    ];
    for (const message of bad) {
      expect(() => parseVersionVectorMessage(message), JSON.stringify(message)).toThrow(
        DecodeError,
      );
    }
  });
});
