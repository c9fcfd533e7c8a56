import { crc32c, frameHeaderBytes } from "@pods/codec";
import { payloadBytes, type OutboundFrame } from "./outbox.ts";
import { envelopeBytes, envelopeBytesMax, writeEnvelope } from "./wire.ts";

/**
 * Write batches up to a quarter of this size are carved out of one shared slab, the way Node's
 * `Buffer` pool serves small buffers: a region is handed out once and never written again, so a
 * stream may keep it as long as it likes; a full slab is left to the garbage collector once the
 * last write that uses it is done, and a new one is started.
 */
const slabBytes = 64 * 1024;
let slab = new Uint8Array(0);
let slabUsed = 0;

/** A fresh region of `bytes` bytes for one write: from the slab when small, else its own array. */
function allocate(bytes: number): Uint8Array {
  if (bytes > slabBytes / 4) return new Uint8Array(bytes);
  if (slabUsed + bytes > slab.length) {
    slab = new Uint8Array(slabBytes);
    slabUsed = 0;
  }
  const region = slab.subarray(slabUsed, slabUsed + bytes);
  slabUsed += bytes;
  return region;
}

/**
 * A frame's length and envelope side by side, so that their checksum is one call without a view
 * of the target: 4 bytes of length, then an envelope of 1 or 9 bytes. Scratch: never kept.
 */
const shortPrefix = new Uint8Array(4 + 1);
const longPrefix = new Uint8Array(4 + envelopeBytesMax);

/**
 * Writes frames back to back into one array for one socket write, in the shared codec framing
 * (payload length, CRC32C of the length bytes and the payload, both unsigned 32-bit big-endian,
 * then the payload) — the bytes `encodeFrames` of `@pods/codec` writes for the same payloads. Each
 * payload is built in place from its envelope and body, so a message is copied once on its way
 * to the socket, and nothing is allocated per frame.
 *
 * @param totalBytes - the frames' size, headers included (as `takeBatch` counts it).
 * @internal
 */
export function writeFrames<M>(
  frames: readonly OutboundFrame<M>[],
  totalBytes: number,
): Uint8Array {
  const target = allocate(totalBytes);
  let offset = 0;
  for (const frame of frames) {
    const length = payloadBytes(frame);
    const prefix = envelopeBytes(frame.kind) === 1 ? shortPrefix : longPrefix;
    writeUint32(prefix, 0, length);
    writeEnvelope(prefix, 4, frame.kind, frame.id);
    const checksum = crc32c(frame.body, crc32c(prefix));
    for (let index = 0; index < 4; index++) target[offset + index] = prefix[index] as number;
    writeUint32(target, offset + 4, checksum);
    const payloadStart = offset + frameHeaderBytes;
    for (let index = 4; index < prefix.length; index++) {
      target[payloadStart + index - 4] = prefix[index] as number;
    }
    target.set(frame.body, payloadStart + prefix.length - 4);
    offset = payloadStart + length;
  }
  return target;
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = value >>> 16;
  target[offset + 2] = value >>> 8;
  target[offset + 3] = value;
}
