// Benchmarks of @pods/codec, each side by side with a baseline in the same process:
// (a) the MessagePack codec vs JSON on a typical replication message, (b) framing throughput,
// FrameDecoder on a socket-sized chunk of small frames, (c) CRC32C in TypeScript vs node:zlib's
// native CRC-32. Run with `pnpm bench`.
import { crc32 } from "node:zlib";
import { createMsgpackCodec, crc32c, encodeFrame, encodeFrames, FrameDecoder } from "@pods/codec";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";

/** Keeps results alive so the engine cannot skip the work. */
let sink = 0;

/** Runs `operation` `count` times per chunk of work. */
function repeat(count: number, operation: () => number): () => number {
  return () => {
    for (let i = 0; i < count; i++) sink ^= operation();
    return count;
  };
}

/** Restates an ops/s result in MB/s, given the bytes one operation handles. */
function inMegabytesPerSecond(result: BenchResult, bytesPerOperation: number): BenchResult {
  const toMBps = (opsPerSecond: number) => round((opsPerSecond * bytesPerOperation) / 1e6);
  return {
    ...result,
    value: toMBps(result.value),
    unit: "MB/s",
    ...(result.baseline && {
      baseline: { name: result.baseline.name, value: toMBps(result.baseline.value) },
    }),
  };
}

/** Deterministic pseudo-random bytes (a xorshift generator), so runs compare alike. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed | 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** An append-entries request with 16 entries carrying `payloadOf(i)`. */
function appendRequest<P>(payloadOf: (index: number) => P) {
  return {
    type: "append",
    generation: 7,
    leaderId: "athens",
    prevLogIndex: 1000,
    prevLogGeneration: 7,
    leaderCommit: 998,
    entries: Array.from({ length: 16 }, (_, i) => ({
      index: 1001 + i,
      generation: 7,
      type: "data",
      wallMs: 1_764_000_000_000 + i,
      payload: payloadOf(i),
    })),
  };
}

const codec = createMsgpackCodec();
const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const stringRequest = appendRequest((i) =>
  Array.from(pseudoRandomBytes(100, i + 1), (byte) => base64Alphabet[byte & 63]).join(""),
);
const binaryRequest = appendRequest((i) => pseudoRandomBytes(100, i + 1));
function encodeDecode(value: unknown): number {
  const bytes = codec.encode(value);
  codec.decode(bytes);
  return bytes.length;
}
const jsonBaseline = {
  name: "JSON.stringify+JSON.parse, same request with 100-char string payloads",
  work: repeat(100, () => {
    const text = JSON.stringify(stringRequest);
    JSON.parse(text);
    return text.length;
  }),
};

const results: BenchResult[] = [];

results.push({
  ...(await compareThroughput({
    name: "codec encode+decode, append request (16 entries, 100-char string payloads)",
    subject: { work: repeat(100, () => encodeDecode(stringRequest)) },
    baseline: jsonBaseline,
  })),
  encodedBytes: codec.encode(stringRequest).length,
  jsonBytes: JSON.stringify(stringRequest).length,
});

results.push({
  ...(await compareThroughput({
    name: "codec encode+decode, append request (16 entries, 100-byte binary payloads)",
    subject: { work: repeat(100, () => encodeDecode(binaryRequest)) },
    baseline: jsonBaseline,
  })),
  encodedBytes: codec.encode(binaryRequest).length,
});

const payload = pseudoRandomBytes(1024, 99);
const decoder = new FrameDecoder();
results.push(
  inMegabytesPerSecond(
    await compareThroughput({
      name: "encodeFrame + FrameDecoder.push, 1 KiB payloads (payload MB/s)",
      subject: { work: repeat(1000, () => decoder.push(encodeFrame(payload)).length) },
      baseline: {
        name: "copy into a frame and back out, no checksum",
        work: repeat(1000, () => {
          const frame = new Uint8Array(8 + payload.length);
          frame.set(payload, 8);
          return frame.slice(8).length;
        }),
      },
    }),
    payload.length,
  ),
);

// A socket read's worth of small frames: 64 frames of 100-byte payloads in one chunk.
const smallFrames = Buffer.from(
  encodeFrames(Array.from({ length: 64 }, (_, i) => pseudoRandomBytes(100, i + 1))),
);
const streamDecoder = new FrameDecoder();
results.push({
  ...(await compareThroughput({
    name: "FrameDecoder.push, 64 frames of 100 bytes per chunk (frames/s)",
    subject: {
      work: () => {
        let frames = 0;
        for (let i = 0; i < 10; i++) frames += streamDecoder.push(smallFrames).length;
        return frames;
      },
    },
    baseline: {
      name: "slice each 100-byte payload out of the chunk, no checksum",
      work: () => {
        let frames = 0;
        for (let i = 0; i < 10; i++) {
          for (let offset = 0; offset < smallFrames.length; offset += 108) {
            sink ^= Uint8Array.prototype.slice.call(smallFrames, offset + 8, offset + 108).length;
            frames++;
          }
        }
        return frames;
      },
    },
  })),
  unit: "frames/s",
});

const block = pseudoRandomBytes(64 * 1024, 7);
results.push(
  inMegabytesPerSecond(
    await compareThroughput({
      name: "crc32c (TypeScript, slice-by-8), 64 KiB buffers",
      subject: { work: repeat(20, () => crc32c(block)) },
      baseline: { name: "node:zlib crc32 (native CRC-32)", work: repeat(20, () => crc32(block)) },
    }),
    block.length,
  ),
);

writeBenchReport("codec", "@pods/codec", results);
if (sink === 0.5) console.log(sink); // never true; reads the sink
