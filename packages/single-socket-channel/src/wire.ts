import { DecodeError, type FailureOutcome } from "@pods/core-interfaces";

// Frame payloads after the handshake (docs in README "Wire format"). Byte 0 is the kind:
//   1 message   [1][codec bytes]                       one-way
//   2 request   [2][correlation id: u64][codec bytes]
//   3 response  [3][correlation id: u64][codec bytes]
//   4 failure   [4][correlation id: u64][outcome: u8][code length: u8][code][UTF-8 message]
//   5 ping      [5]                                    keep-alive, never delivered

/** The kinds of frame payload. */
export const kinds = { message: 1, request: 2, response: 3, failure: 4, ping: 5 } as const;

/** A frame payload's kind code. */
export type Kind = (typeof kinds)[keyof typeof kinds];

/** The bytes a correlation id takes on the wire. */
const idBytes = 8;
const twoTo32 = 2 ** 32;

/** The bytes an envelope adds before the body: the kind, and the correlation id if it has one. */
export function envelopeBytes(kind: Kind): number {
  return kind === kinds.message || kind === kinds.ping ? 1 : 1 + idBytes;
}

/** The most bytes an envelope adds. */
export const envelopeBytesMax = 1 + idBytes;

/** Writes an envelope's kind and correlation id at `offset`; returns the offset after it. */
export function writeEnvelope(target: Uint8Array, offset: number, kind: Kind, id: number): number {
  target[offset] = kind;
  if (envelopeBytes(kind) === 1) return offset + 1;
  const high = Math.floor(id / twoTo32);
  const low = id >>> 0;
  target[offset + 1] = high >>> 24;
  target[offset + 2] = high >>> 16;
  target[offset + 3] = high >>> 8;
  target[offset + 4] = high;
  target[offset + 5] = low >>> 24;
  target[offset + 6] = low >>> 16;
  target[offset + 7] = low >>> 8;
  target[offset + 8] = low;
  return offset + 1 + idBytes;
}

/** The body of a failure answer: outcome, code and message. */
export function encodeFailureBody(
  outcome: FailureOutcome,
  code: string,
  message: string,
): Uint8Array {
  const text = new TextEncoder();
  const codeBytes = text.encode(code).subarray(0, 255);
  const messageBytes = text.encode(message).subarray(0, 4096);
  const body = new Uint8Array(2 + codeBytes.length + messageBytes.length);
  body[0] = outcome === "definite" ? 0 : 1;
  body[1] = codeBytes.length;
  body.set(codeBytes, 2);
  body.set(messageBytes, 2 + codeBytes.length);
  return body;
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] as number) << 24) |
      ((bytes[offset + 1] as number) << 16) |
      ((bytes[offset + 2] as number) << 8) |
      (bytes[offset + 3] as number)) >>>
    0
  );
}

/** A decoded frame payload. */
export type Envelope =
  | { readonly kind: "message"; readonly body: Uint8Array }
  | { readonly kind: "request"; readonly id: number; readonly body: Uint8Array }
  | { readonly kind: "response"; readonly id: number; readonly body: Uint8Array }
  | {
      readonly kind: "failure";
      readonly id: number;
      readonly outcome: FailureOutcome;
      readonly code: string;
      readonly message: string;
    }
  | { readonly kind: "ping" };

/**
 * Decodes a frame payload.
 *
 * @throws DecodeError for an unknown kind or a payload too short for its kind.
 */
export function decodeEnvelope(payload: Uint8Array): Envelope {
  const kind = payload[0];
  if (kind === kinds.message) return { kind: "message", body: payload.subarray(1) };
  if (kind === kinds.ping && payload.length === 1) return { kind: "ping" };
  if (kind !== kinds.request && kind !== kinds.response && kind !== kinds.failure) {
    throw new DecodeError(`unknown frame kind ${String(kind)} (${payload.length} bytes)`);
  }
  if (payload.length < 1 + idBytes) {
    throw new DecodeError(`a frame of kind ${kind} needs a correlation id`);
  }
  const high = readUint32(payload, 1);
  if (high > 0x1fffff) throw new DecodeError("correlation id beyond 2^53");
  const id = high * twoTo32 + readUint32(payload, 5);
  const body = payload.subarray(1 + idBytes);
  if (kind === kinds.request) return { kind: "request", id, body };
  if (kind === kinds.response) return { kind: "response", id, body };
  const codeLength = body[1];
  if (body.length < 2 || codeLength === undefined || body.length < 2 + codeLength) {
    throw new DecodeError("a failure frame is shorter than its code");
  }
  const text = new TextDecoder();
  return {
    kind: "failure",
    id,
    outcome: body[0] === 0 ? "definite" : "indefinite",
    code: text.decode(body.subarray(2, 2 + codeLength)),
    message: text.decode(body.subarray(2 + codeLength)),
  };
}
