import { DecodeError } from "@pods/core-interfaces";
import { encodeFrames, FrameDecoder, frameHeaderBytes } from "@pods/codec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeFrames } from "./frame-writer.ts";
import { payloadBytes, type OutboundFrame } from "./outbox.ts";
import { decodeEnvelope, encodeFailureBody, kinds, writeEnvelope, type Kind } from "./wire.ts";

const ids = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const bodies = fc.uint8Array({ maxLength: 200 });
const frames: fc.Arbitrary<OutboundFrame<never>> = fc
  .tuple(fc.constantFrom<Kind>(kinds.message, kinds.request, kinds.response), ids, bodies)
  .map(([kind, id, body]) => ({
    kind,
    id: kind === kinds.message ? 0 : id,
    body,
    request: undefined,
    epoch: 0,
  }));

function write(batch: readonly OutboundFrame<never>[]): Uint8Array {
  const bytes = batch.reduce((sum, frame) => sum + frameHeaderBytes + payloadBytes(frame), 0);
  return writeFrames(batch, bytes);
}

/** The payload a frame carries, built the slow way: envelope then body in a fresh array. */
function payloadOf(frame: OutboundFrame<never>): Uint8Array {
  const payload = new Uint8Array(payloadBytes(frame));
  payload.set(frame.body, writeEnvelope(payload, 0, frame.kind, frame.id));
  return payload;
}

describe("frames on the wire after the handshake", () => {
  it("are exactly the codec's frames (encodeFrames) of the envelope payloads", () => {
    fc.assert(
      fc.property(fc.array(frames, { maxLength: 20 }), (batch) => {
        expect(write(batch)).toEqual(encodeFrames(batch.map(payloadOf)));
      }),
    );
  });

  it("decode back to their kind, correlation id and body", () => {
    fc.assert(
      fc.property(fc.array(frames, { minLength: 1, maxLength: 20 }), (batch) => {
        const payloads = new FrameDecoder().push(write(batch));
        expect(payloads.map(decodeEnvelope)).toEqual(
          batch.map(({ kind, id, body }) =>
            kind === kinds.message
              ? { kind: "message", body }
              : { kind: kind === kinds.request ? "request" : "response", id, body },
          ),
        );
      }),
    );
  });

  it("carry failures with outcome, code and message, and pings", () => {
    fc.assert(
      fc.property(
        ids,
        fc.boolean(),
        fc.string({ maxLength: 40 }),
        fc.string(),
        (id, definite, code, message) => {
          const outcome = definite ? "definite" : "indefinite";
          const body = encodeFailureBody(outcome, code, message);
          const [payload] = new FrameDecoder().push(
            write([{ kind: kinds.failure, id, body, request: undefined, epoch: 0 }]),
          );
          expect(decodeEnvelope(payload as Uint8Array)).toEqual({
            kind: "failure",
            id,
            outcome,
            code,
            message,
          });
        },
      ),
    );
    expect(decodeEnvelope(Uint8Array.of(kinds.ping))).toEqual({ kind: "ping" });
  });

  it("put the kind first and the correlation id big-endian after it", () => {
    const frame = {
      kind: kinds.request,
      id: 2 ** 32 + 5,
      body: Uint8Array.of(9),
      request: undefined,
      epoch: 0,
    };
    expect([...payloadOf(frame)]).toEqual([2, 0, 0, 0, 1, 0, 0, 0, 5, 9]);
  });

  it("refuse unknown kinds, short frames and ids beyond 2^53 with DecodeError", () => {
    for (const bad of [
      Uint8Array.of(),
      Uint8Array.of(0),
      Uint8Array.of(6, 1, 2),
      Uint8Array.of(5, 0), // a ping carries nothing
      Uint8Array.of(2, 0, 0, 0),
      Uint8Array.of(3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0),
      Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 1, 1, 5, 65), // code longer than the frame
    ]) {
      expect(() => decodeEnvelope(bad), `[${bad.join(",")}]`).toThrow(DecodeError);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeEnvelope(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });
});
