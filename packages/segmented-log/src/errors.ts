import { CorruptionError, PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * Open found a hole or an overlap in the chain of segments: the indexes from `missingFrom` to
 * `missingTo` are in no segment (a segment file was deleted by hand, or lost), or two segments
 * claim the same indexes. A `CorruptionError`, so one `catch` covers all damage.
 */
export class SegmentGapError extends CorruptionError {
  /** `"SEGMENT_GAP"`: a stable, machine-readable name of this failure. */
  override readonly code = "SEGMENT_GAP";
  /** The first index no segment holds (for an overlap: the first index claimed twice). */
  readonly missingFrom: number;
  /** The last index no segment holds (for an overlap: the last index claimed twice). */
  readonly missingTo: number;

  /**
   * @param problem - what is wrong with the chain.
   * @param missingFrom - first index of the range.
   * @param missingTo - last index of the range.
   * @param file - the segment file after the gap.
   */
  constructor(
    problem: string,
    missingFrom: number,
    missingTo: number,
    file: string,
    options?: PodsErrorOptions,
  ) {
    super(problem, { file, index: missingFrom }, options);
    this.missingFrom = missingFrom;
    this.missingTo = missingTo;
  }
}

/**
 * An earlier write, sync, truncation or deletion of the log failed, so what is durable is unknown.
 * The log refuses further changes; close it and open it again to recover from what is durable.
 */
export class LogFailedError extends PodsError {
  /** `"LOG_FAILED"`. */
  readonly code = "LOG_FAILED";

  /**
   * @param dir - the log's directory.
   * @param cause - the failure.
   */
  constructor(dir: string, cause: unknown) {
    super(
      `The log in ${dir}/ failed earlier (${cause instanceof Error ? cause.message : String(cause)}); ` +
        "its unsynced changes may be lost. Close it and open it again to recover from what is durable.",
      "definite",
      { cause },
    );
  }
}
