/**
 * @pods/lamport-clock: Lamport timestamps — a logical clock that orders events by causality, with
 * node ids breaking ties for a total order — with encodings that sort as bytes and as strings, and
 * a persisted ceiling so a restarted node never reuses a timestamp.
 *
 * @packageDocumentation
 */

export {
  DurableCeiling,
  type CeilingFileFormat,
  type DurableCeilingOptions,
} from "./durable-ceiling.ts";
export { LamportCounterExhaustedError } from "./errors.ts";
export { LamportClock, type LamportClockOptions } from "./lamport-clock.ts";
export {
  assertLamportTimestamp,
  compareLamportTimestamps,
  lamportCounterMax,
  lamportTimestamp,
  maxLamportTimestamp,
  type LamportTimestamp,
} from "./lamport-timestamp.ts";
export {
  decodeLamportTimestamp,
  encodeLamportTimestamp,
  formatLamportTimestamp,
  lamportCounterBytes,
  lamportTimestampCodec,
  parseLamportTimestamp,
} from "./lamport-timestamp-encoding.ts";
export {
  ceilingBlockMax,
  defaultCeilingBlock,
  defaultCeilingPath,
  PersistentLamportClock,
  type CeilingStats,
  type PersistentLamportClockOptions,
} from "./persistent-lamport-clock.ts";
