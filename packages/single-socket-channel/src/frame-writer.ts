import { crc32c, frameHeaderBytes } from "@pods/codec";
import { payloadBytes, type OutboundFrame } from "./outbox.ts";
import { writeEnvelope } from "./wire.ts";

/**
 * Writes frames back to back into one array for one socket write, in the shared codec framing
 * (payload length, CRC32C of the length bytes and the payload, both unsigned 32-bit big-endian,
 * then the payload) — the bytes `encodeFrames` of `@pods/codec` writes for the same payloads. Each
 * payload is built in place from its envelope and body, so a message is copied once on its way
 * to the socket.
 *
 * @param totalBytes - the frames' size, headers included (as `takeBatch` counts it).
 * @internal
 */
export function writeFrames<M>(
  frames: readonly OutboundFrame<M>[],
  totalBytes: number,
): Uint8Array {
  const target = new Uint8Array(totalBytes);
  let offset = 0;
  for (const frame of frames) {
    const length = payloadBytes(frame);
    writeUint32(target, offset, length);
    const payloadStart = offset + frameHeaderBytes;
    const bodyStart = writeEnvelope(target, payloadStart, frame.kind, frame.id);
    target.set(frame.body, bodyStart);
    const end = payloadStart + length;
    const lengthCrc = crc32c(target.subarray(offset, offset + 4));
    writeUint32(target, offset + 4, crc32c(target.subarray(payloadStart, end), lengthCrc));
    offset = end;
  }
  return target;
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = value >>> 16;
  target[offset + 2] = value >>> 8;
  target[offset + 3] = value;
}
