/**
 * @pods/low-water-mark: durable snapshots of a state machine and a cleaner, on the injected
 * scheduler, that deletes the log segments no longer needed — below a snapshot's index, or older
 * or larger than a retention limit — never at or above the owner's safety floor.
 *
 * @packageDocumentation
 */

export {
  LogCleaner,
  type CleanableLog,
  type CleanerMetrics,
  type CleanReport,
  type LogCleanerEnv,
} from "./log-cleaner.ts";
export {
  LowWaterMark,
  type CatchUp,
  type LowWaterMarkEnv,
  type LowWaterMarkMetrics,
  type LowWaterMarkRecovery,
} from "./low-water-mark.ts";
export type {
  CapturedState,
  LogCleanerOptions,
  LowWaterMarkOptions,
  LowWaterMarkWalOptions,
  SnapshotStateMachine,
  SnapshotStoreOptions,
} from "./options.ts";
export { retentionMark, segmentAgeMs, type CleanPlan } from "./retention.ts";
export {
  snapshotChunkBytesMax,
  snapshotChunkBytesMin,
  snapshotFormatVersion,
} from "./snapshot-format.ts";
export { parseSnapshotFileName, snapshotFileName } from "./snapshot-name.ts";
export {
  SnapshotStore,
  type DamagedSnapshotFile,
  type Snapshot,
  type SnapshotInput,
  type SnapshotMeta,
  type SnapshotStoreRecovery,
} from "./snapshot-store.ts";
export { SnapshotReader, SnapshotReceiver } from "./snapshot-transfer.ts";
export {
  entryTypes,
  type Entry,
  type ReadFromOptions,
  type SegmentInfo,
  type WalRecoveryReport,
} from "@pods/write-ahead-log";
