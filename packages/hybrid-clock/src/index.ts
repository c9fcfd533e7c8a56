/**
 * @pods/hybrid-clock: hybrid logical clock timestamps that stay close to wall time, never go
 * backwards (not even across restarts or wall-clock jumps), respect causality across messages, and
 * reject peers whose clocks run too far ahead — with encodings that sort as bytes and as strings.
 *
 * @packageDocumentation
 */

export { defaultMaxOffsetMs, HybridClock, type HybridClockOptions } from "./hybrid-clock.ts";
export {
  assertHybridTimestamp,
  compareHybridTimestamps,
  hybridLogicalMax,
  hybridTimestamp,
  hybridWallMsMax,
  maxHybridTimestamp,
  type HybridTimestamp,
} from "./hybrid-timestamp.ts";
export {
  decodeHybridTimestamp,
  encodeHybridTimestamp,
  formatHybridTimestamp,
  hybridTimestampCodec,
  hybridTimestampPackedBytes,
  hybridTimestampToIso,
  packHybridTimestamp,
  parseHybridTimestamp,
  unpackHybridTimestamp,
} from "./hybrid-timestamp-encoding.ts";
export {
  HybridClockOffsetError,
  offsetWarningRatio,
  type OffsetListener,
  type OffsetObservation,
  type OffsetStats,
} from "./offset.ts";
export {
  defaultBoundPath,
  defaultPersistWindowMs,
  PersistentHybridClock,
  type PersistenceStats,
  type PersistentHybridClockOptions,
} from "./persistent-hybrid-clock.ts";
