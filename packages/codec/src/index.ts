/**
 * @pods/codec: the MessagePack codec and the checksummed frame encoding shared by the logs and
 * the wire. A frame is an 8-byte header (payload length, CRC32C) and the payload; the decoders
 * find every damaged or truncated frame and report it with a typed error. `ByteWriter` and
 * `ByteReader` are the building blocks of the packages' compact binary forms.
 *
 * @packageDocumentation
 */

export { ByteReader, ByteWriter, type ByteReaderContext, type UintRange } from "./byte-io.ts";
export { crc32c } from "./crc32c.ts";
export {
  defaultFrameBytesMax,
  encodeFrame,
  encodeFrames,
  frameBytesMaxCeiling,
  frameHeaderBytes,
  readFrame,
  type FrameCorrupt,
  type FrameCorruption,
  type FrameIncomplete,
  type FrameOptions,
  type FrameRead,
  type FrameZeros,
  type ReadFrameResult,
} from "./frame.ts";
export { FrameDecoder } from "./frame-decoder.ts";
export { FrameChecksumError, FrameTooLargeError, FrameTruncatedError } from "./frame-errors.ts";
export {
  createMsgpackCodec,
  defaultNestingDepthMax,
  type MsgpackCodecOptions,
} from "./msgpack-codec.ts";
