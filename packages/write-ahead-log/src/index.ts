/**
 * @pods/write-ahead-log: a durable, checksummed, append-only log of commands with group commit,
 * torn-tail recovery and truncation, on any `Disk`.
 *
 * @packageDocumentation
 */

export { entryTypes, type Entry, type EntryInput } from "./entry.ts";
export { AppendQueueFullError } from "./errors.ts";
export type { SyncPolicy, WriteAheadLogEnv, WriteAheadLogOptions } from "./options.ts";
export {
  WriteAheadLog,
  type WalMetrics,
  type WalRecoveryReport,
  type WalRepairReport,
} from "./write-ahead-log.ts";
export {
  LogFailedError,
  SegmentGapError,
  type ReadFromOptions,
  type SegmentInfo,
  type TornTail,
} from "@pods/segmented-log";
