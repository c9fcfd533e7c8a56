import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  sessionCommandCodec,
  sessionFormatVersion,
  type SessionCommand,
} from "./session-command.ts";

const id = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

const commandArbitrary: fc.Arbitrary<SessionCommand> = fc.oneof(
  fc.constant({ type: "register" as const }),
  fc.record({ type: fc.constant("keep-alive" as const), clientId: id, firstUnacknowledged: id }),
  fc
    .record({
      clientId: id,
      sequence: id,
      lowered: fc.nat(),
      command: fc.uint8Array({ maxLength: 64 }),
    })
    .map(({ clientId, sequence, lowered, command }) => ({
      type: "request" as const,
      clientId,
      sequence,
      firstUnacknowledged: Math.max(1, sequence - lowered),
      command,
    })),
  fc.record({
    type: fc.constant("unsessioned" as const),
    command: fc.uint8Array({ maxLength: 64 }),
  }),
);

describe("sessionCommandCodec", () => {
  it("decodes what it encodes", () => {
    fc.assert(
      fc.property(commandArbitrary, (command) => {
        expect(sessionCommandCodec.decode(sessionCommandCodec.encode(command))).toEqual(command);
      }),
    );
  });

  it("is compact: a request costs a few bytes beyond its command", () => {
    const bytes = sessionCommandCodec.encode({
      type: "request",
      clientId: 1_000,
      sequence: 100,
      firstUnacknowledged: 90,
      command: new Uint8Array(10),
    });
    expect(bytes.length).toBe(2 + 2 + 1 + 1 + 10);
  });

  it("throws only DecodeError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          sessionCommandCodec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });

  it.each<[string, number[], RegExp]>([
    ["empty input", [], /format version is missing/],
    ["an unknown version", [9, 1], /format version 9 is not supported/],
    ["an unknown kind", [sessionFormatVersion, 7], /command kind 7 is unknown/],
    ["trailing bytes", [sessionFormatVersion, 1, 0], /1 trailing byte\(s\)/],
    ["a zero client id", [sessionFormatVersion, 2, 0, 1], /clientId is 0, below its minimum 1/],
    ["a truncated varint", [sessionFormatVersion, 2, 0x81], /clientId is missing/],
    [
      "a non-minimal varint",
      [sessionFormatVersion, 2, 0x81, 0x00, 1],
      /clientId is not in shortest form/,
    ],
    [
      "a varint beyond 2^53",
      [sessionFormatVersion, 2, ...Array<number>(7).fill(0xff), 0x7f, 1],
      /above its maximum 9007199254740991/,
    ],
    ["firstUnacknowledged above sequence", [sessionFormatVersion, 3, 1, 4, 5], /exceeds sequence/],
  ])("refuses %s with a DecodeError", (_name, bytes, message) => {
    const decode = (): unknown => sessionCommandCodec.decode(Uint8Array.from(bytes));
    expect(decode).toThrow(DecodeError);
    expect(decode).toThrow(message);
  });

  it("refuses to encode invalid fields", () => {
    const request = { type: "request", clientId: 1, command: new Uint8Array() } as const;
    expect(() =>
      sessionCommandCodec.encode({ ...request, sequence: 0, firstUnacknowledged: 1 }),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      sessionCommandCodec.encode({ ...request, sequence: 3, firstUnacknowledged: 4 }),
    ).toThrow(/must not exceed its sequence/);
    expect(() =>
      sessionCommandCodec.encode({ type: "keep-alive", clientId: 1.5, firstUnacknowledged: 1 }),
    ).toThrow(/clientId must be a safe integer >= 1/);
  });
});
