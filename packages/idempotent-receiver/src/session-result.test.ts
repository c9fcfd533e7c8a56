import { DecodeError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RequestTooOldError, SessionExpiredError } from "./errors.ts";
import { sessionResultCodec, sessionResultError, type SessionResult } from "./session-result.ts";

const id = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

const resultArbitrary: fc.Arbitrary<SessionResult> = fc.oneof(
  fc.record({ type: fc.constant("registered" as const), clientId: id }),
  fc.record({ type: fc.constant("kept-alive" as const), clientId: id }),
  fc.record({ type: fc.constant("session-expired" as const), clientId: id }),
  fc.record({
    type: fc.constant("applied" as const),
    clientId: id,
    sequence: id,
    response: fc.uint8Array({ maxLength: 64 }),
    replayed: fc.boolean(),
  }),
  fc
    .record({ clientId: id, sequence: id, above: fc.nat() })
    .map(({ clientId, sequence, above }) => ({
      type: "request-too-old" as const,
      clientId,
      sequence,
      highestDiscarded: Math.min(Number.MAX_SAFE_INTEGER, sequence + above),
    })),
  fc.record({ type: fc.constant("malformed" as const), problem: fc.string() }),
  fc.record({
    type: fc.constant("unsessioned-applied" as const),
    response: fc.uint8Array({ maxLength: 100 }),
  }),
);

describe("sessionResultCodec", () => {
  it("decodes what it encodes", () => {
    fc.assert(
      fc.property(resultArbitrary, (result) => {
        expect(sessionResultCodec.decode(sessionResultCodec.encode(result))).toEqual(result);
      }),
    );
  });

  it("throws only DecodeError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          sessionResultCodec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
    expect(() => sessionResultCodec.decode(Uint8Array.of(1, 6, 0xff))).toThrow(/not UTF-8/);
    expect(() => sessionResultCodec.decode(Uint8Array.of(1, 3, 1, 1, 2))).toThrow(/replayed flag/);
  });

  it("refuses a too-old result below its own sequence", () => {
    expect(() =>
      sessionResultCodec.encode({
        type: "request-too-old",
        clientId: 1,
        sequence: 5,
        highestDiscarded: 4,
      }),
    ).toThrow(/highestDiscarded \(4\) >= sequence \(5\)/);
  });
});

describe("sessionResultError", () => {
  it("maps refusals to typed errors and successes to undefined", () => {
    expect(sessionResultError({ type: "registered", clientId: 1 })).toBeUndefined();
    expect(sessionResultError({ type: "kept-alive", clientId: 1 })).toBeUndefined();
    const applied = { clientId: 1, sequence: 1, response: new Uint8Array(), replayed: false };
    expect(sessionResultError({ type: "applied", ...applied })).toBeUndefined();

    const expired = sessionResultError({ type: "session-expired", clientId: 3 });
    expect(expired).toBeInstanceOf(SessionExpiredError);
    expect(expired).toMatchObject({ clientId: 3, outcome: "definite", code: "SESSION_EXPIRED" });

    const old = { type: "request-too-old", clientId: 3, sequence: 4, highestDiscarded: 9 } as const;
    expect(sessionResultError(old)).toBeInstanceOf(RequestTooOldError);
    expect(sessionResultError(old)).toMatchObject({ outcome: "indefinite", highestDiscarded: 9 });
    expect(sessionResultError(old)?.message).toMatch(/Request 4 of session 3 is too old/);

    const malformed = sessionResultError({ type: "malformed", problem: "bad bytes" });
    expect(malformed).toBeInstanceOf(DecodeError);
    expect(malformed?.message).toMatch(/bad bytes/);
  });
});
