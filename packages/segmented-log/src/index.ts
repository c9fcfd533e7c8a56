/**
 * @pods/segmented-log: a log split into segment files named by their first index, with sparse
 * offset indexes, crash-safe rolls, torn-tail recovery and whole-segment deletion — the storage
 * layer under `@pods/write-ahead-log`.
 *
 * @packageDocumentation
 */

export { LogFailedError, SegmentGapError } from "./errors.ts";
export {
  defaultRecordBytesMax,
  defaultSegmentBytesMax,
  type RepairMode,
  type SegmentedLogOptions,
} from "./options.ts";
export {
  recordHeaderBytes,
  segmentFormatVersion,
  segmentHeaderFrameBytes,
  type LogRecord,
  type RecordInput,
} from "./record-format.ts";
export type { RecoveryReport, RepairReport, TornTail } from "./recovery.ts";
export { parseSegmentFileName, segmentFileName } from "./segment-name.ts";
export type { SegmentInfo } from "./segment.ts";
export { SegmentedLog, type ReadFromOptions } from "./segmented-log.ts";
