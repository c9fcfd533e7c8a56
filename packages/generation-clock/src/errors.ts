import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * A request carried a generation lower than one the receiver has seen: it comes from a leader (or
 * writer) that has been replaced. Definite: the receiver did not apply it. The sender should adopt
 * `currentGeneration` and step down.
 */
export class StaleGenerationError extends PodsError {
  /** `"STALE_GENERATION"`: the stable, machine-readable name of this failure. */
  readonly code = "STALE_GENERATION";
  /** The generation the request carried. */
  readonly generation: number;
  /** The highest generation the receiver has seen. */
  readonly currentGeneration: number;

  /**
   * @param generation - the stale generation.
   * @param currentGeneration - the receiver's generation.
   * @param operation - what was refused, e.g. `"write to lock-7"`.
   */
  constructor(
    generation: number,
    currentGeneration: number,
    operation = "the request",
    options?: PodsErrorOptions,
  ) {
    super(
      `${operation} carries generation ${generation}, but generation ${currentGeneration} has ` +
        "been seen: it comes from a replaced leader and was not applied. Adopt the newer " +
        "generation and retry through the current leader.",
      "definite",
      options,
    );
    this.generation = generation;
    this.currentGeneration = currentGeneration;
  }
}

/**
 * Generation voting gave up: `attemptsMax` rounds of `Prepare` found no majority that would grant
 * a number (nodes unreachable, or competing proposers). Definite: no number was handed out to this
 * caller; retry later.
 */
export class GenerationVotingFailedError extends PodsError {
  /** `"GENERATION_VOTING_FAILED"`: the stable, machine-readable name of this failure. */
  readonly code = "GENERATION_VOTING_FAILED";
  /** The rounds tried. */
  readonly attempts: number;

  /**
   * @param attempts - the rounds tried.
   * @param lastError - why the last round failed.
   */
  constructor(attempts: number, lastError: unknown, options?: PodsErrorOptions) {
    super(
      `Generation voting found no majority in ${attempts} attempts (last: ${
        lastError instanceof Error ? lastError.message : String(lastError)
      }); no number was handed out. Retry once a majority of nodes is reachable.`,
      "definite",
      { cause: lastError, ...options },
    );
    this.attempts = attempts;
  }
}
