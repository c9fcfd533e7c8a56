import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * A read asked for a log index above the high-water mark: the entry may be appended but is not
 * committed, and a leader change could still replace it. Nothing was read (definite). Retry once
 * the mark has passed the index, or read at or below the mark.
 */
export class NotCommittedError extends PodsError {
  /** `"NOT_COMMITTED"`: the stable, machine-readable name of this failure. */
  readonly code = "NOT_COMMITTED";
  /** The index asked for. */
  readonly index: number;
  /** The high-water mark when it was refused. */
  readonly highWaterMark: number;

  /**
   * @param index - the index asked for.
   * @param highWaterMark - the mark at the time.
   */
  constructor(index: number, highWaterMark: number, options?: PodsErrorOptions) {
    super(
      `Index ${index} is above the high-water mark ${highWaterMark}: it is not committed and may ` +
        "still be replaced. Read at or below the mark, or retry once the mark has passed it.",
      "definite",
      options,
    );
    this.index = index;
    this.highWaterMark = highWaterMark;
  }
}

/**
 * The entry applied at a proposal's index is not the one proposed: a new leader replaced it.
 * Indefinite: the command may still take effect elsewhere (it may have been proposed again, or
 * forwarded), so retry only idempotently.
 */
export class EntryOverwrittenError extends PodsError {
  /** `"ENTRY_OVERWRITTEN"`: the stable, machine-readable name of this failure. */
  readonly code = "ENTRY_OVERWRITTEN";
  /** The log index of the proposal. */
  readonly index: number;
  /** The generation the proposal was appended in. */
  readonly proposedGeneration: number;
  /** The generation of the entry that was committed there instead. */
  readonly appliedGeneration: number;

  /**
   * @param index - the proposal's index.
   * @param proposedGeneration - the generation it was appended in.
   * @param appliedGeneration - the generation of the entry committed there.
   */
  constructor(
    index: number,
    proposedGeneration: number,
    appliedGeneration: number,
    options?: PodsErrorOptions,
  ) {
    super(
      `The proposal appended at index ${index} in generation ${proposedGeneration} was replaced by ` +
        `an entry of generation ${appliedGeneration} (a leader change). It may still take effect ` +
        "through a retry; retry only idempotently.",
      "indefinite",
      options,
    );
    this.index = index;
    this.proposedGeneration = proposedGeneration;
    this.appliedGeneration = appliedGeneration;
  }
}
