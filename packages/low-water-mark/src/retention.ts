import type { SegmentInfo } from "@pods/segmented-log";

/** What one cleaning pass decides from. @internal */
export interface CleanInputs {
  /** The log's segments, oldest first; the last is the active one. */
  readonly segments: readonly SegmentInfo[];
  /** The log's last index. */
  readonly lastIndex: number;
  /** The wall clock now, in ms since the epoch. */
  readonly nowMs: number;
  /** Time-based retention, ms (`Infinity`: off). */
  readonly retentionMs: number;
  /** Size-based retention, bytes (`Infinity`: off). */
  readonly retentionBytesMax: number;
  /** The lowest index the index-based (snapshot) policy keeps. */
  readonly snapshotMark: number;
  /** The lowest index that must be kept, whatever the policies say. */
  readonly safetyFloor: number;
}

/** What a cleaning pass decided. */
export interface CleanPlan {
  /** The lowest index the index-based (snapshot) policy keeps. */
  readonly snapshotMark: number;
  /** The lowest index the time- and size-based retention keep. */
  readonly retentionMark: number;
  /** The lowest index the owner requires kept. */
  readonly safetyFloor: number;
  /**
   * The effective mark: `min(max(snapshotMark, retentionMark), safetyFloor, lastIndex + 1)`.
   * Every sealed segment whose last index is below it may be deleted.
   */
  readonly target: number;
  /** How many of the oldest segments lie wholly below `target` (never the active one). */
  readonly deletable: number;
}

/**
 * The age of a segment's newest record at `nowMs`: how long ago it was written by this node's
 * wall clock. A timestamp in the future (the clock was stepped back since) counts as age 0.
 */
export function segmentAgeMs(segment: SegmentInfo, nowMs: number): number {
  const newest = segment.newestTimestampMs;
  return newest === undefined ? 0 : Math.max(0, nowMs - newest);
}

/**
 * The retention mark: the index after the longest run of oldest sealed segments that are each
 * disposable, by age (newest record older than `retentionMs`) or by size (the log holds more than
 * `retentionBytesMax` without them). The run stops at the first segment that is not: deletion is
 * oldest first, so a young segment shields the ones after it. `segments[0].baseIndex` when none is.
 */
export function retentionMark(
  segments: readonly SegmentInfo[],
  nowMs: number,
  retentionMs: number,
  retentionBytesMax: number,
): number {
  let mark = segments[0]?.baseIndex ?? 1;
  let byAge = true;
  let bytes = segments.reduce((sum, segment) => sum + segment.bytes, 0);
  for (const segment of segments) {
    if (!segment.sealed) break;
    byAge &&= segmentAgeMs(segment, nowMs) > retentionMs;
    const bySize = bytes > retentionBytesMax;
    if (!byAge && !bySize) break;
    bytes -= segment.bytes;
    mark = segment.lastIndex + 1;
  }
  return mark;
}

/** Decides a cleaning pass: the effective mark and the segments wholly below it. @internal */
export function planClean(inputs: CleanInputs): CleanPlan {
  const retention = retentionMark(
    inputs.segments,
    inputs.nowMs,
    inputs.retentionMs,
    inputs.retentionBytesMax,
  );
  const target = Math.min(
    Math.max(inputs.snapshotMark, retention),
    inputs.safetyFloor,
    inputs.lastIndex + 1,
  );
  let deletable = 0;
  while (
    deletable < inputs.segments.length - 1 &&
    inputs.segments[deletable]!.sealed &&
    inputs.segments[deletable]!.lastIndex < target
  ) {
    deletable++;
  }
  return {
    snapshotMark: inputs.snapshotMark,
    retentionMark: retention,
    safetyFloor: inputs.safetyFloor,
    target,
    deletable,
  };
}
