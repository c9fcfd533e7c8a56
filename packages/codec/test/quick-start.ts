import { createMsgpackCodec, encodeFrame, FrameDecoder } from "@pods/codec";

interface Hello {
  type: "hello";
  from: string;
  payload: Uint8Array;
}
const codec = createMsgpackCodec<Hello>();
const frame = encodeFrame(
  codec.encode({ type: "hello", from: "athens", payload: Uint8Array.of(1, 2, 3) }),
);

// A stream delivers bytes in arbitrary pieces: here two chunks, split inside the 8-byte header.
const decoder = new FrameDecoder();
const payloads = [...decoder.push(frame.subarray(0, 5)), ...decoder.push(frame.subarray(5))];
decoder.finish(); // throws FrameTruncatedError if the stream stopped inside a frame

for (const payload of payloads) console.log(codec.decode(payload));
// { type: 'hello', from: 'athens', payload: Uint8Array(3) [ 1, 2, 3 ] }
