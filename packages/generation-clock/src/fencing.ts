import { InvalidArgumentError } from "@pods/core-interfaces";
import { StaleGenerationError } from "./errors.ts";

/**
 * Compares a received generation with the current one: `"stale"` (lower: reject, replying with
 * the current generation), `"current"` (equal: process), or `"newer"` (higher: adopt it, forget
 * the vote, become a follower, then process).
 */
export type GenerationVerdict = "stale" | "current" | "newer";

/** Checks a generation: a safe integer ≥ 0. */
export function assertGeneration(generation: number, what = "generation"): void {
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new InvalidArgumentError(
      `${what} must be a safe integer >= 0, got ${String(generation)}.`,
    );
  }
}

/** The generation rule as a pure function; see {@link GenerationVerdict}. */
export function judgeGeneration(current: number, received: number): GenerationVerdict {
  assertGeneration(received, "received generation");
  return received < current ? "stale" : received === current ? "current" : "newer";
}

/**
 * The fencing check a resource (a storage service, a lock) runs on every write: it remembers the
 * highest generation it has seen and refuses writes tagged lower with {@link StaleGenerationError}
 * (definite), so a paused leader that wakes up cannot overwrite its successor's work. Equal and
 * higher generations pass, and a higher one raises the fence.
 *
 * The fence lives in memory: a resource that must fence across its own restarts persists
 * `highest` (e.g. with a {@link RecordFile}) and passes it back in.
 */
export class GenerationFence {
  #highest: number;

  /** @param highest - the highest generation seen so far. Default 0. */
  constructor(highest = 0) {
    assertGeneration(highest, "highest");
    this.#highest = highest;
  }

  /** The highest generation seen. */
  get highest(): number {
    return this.#highest;
  }

  /**
   * Admits a write tagged `generation`, raising the fence to it.
   *
   * @throws {@link StaleGenerationError} when `generation` is below the highest seen.
   */
  check(generation: number, operation?: string): void {
    assertGeneration(generation);
    if (generation < this.#highest) {
      throw new StaleGenerationError(generation, this.#highest, operation);
    }
    this.#highest = generation;
  }
}
