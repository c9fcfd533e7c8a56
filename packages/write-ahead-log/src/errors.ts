import { PodsError } from "@pods/core-interfaces";

/**
 * More entry bytes are waiting to be written than `pendingBytesMax` allows: the disk is not
 * keeping up. The append was not accepted (a definite failure); await earlier appends, then retry.
 */
export class AppendQueueFullError extends PodsError {
  /** `"APPEND_QUEUE_FULL"`. */
  readonly code = "APPEND_QUEUE_FULL";
  /** The limit, in bytes. */
  readonly pendingBytesMax: number;

  /**
   * @param pendingBytes - bytes waiting now.
   * @param pendingBytesMax - the limit.
   */
  constructor(pendingBytes: number, pendingBytesMax: number) {
    super(
      `${pendingBytes} bytes of appends are waiting to be written, and this one would pass ` +
        `pendingBytesMax (${pendingBytesMax}); await earlier appends before appending more, or raise the limit.`,
      "definite",
    );
    this.pendingBytesMax = pendingBytesMax;
  }
}
