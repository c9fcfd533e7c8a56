import { InvalidArgumentError } from "./errors.ts";

/**
 * The randomness port: election timeouts, backoff jitter, gossip peers. Seeded in simulation so a
 * run replays exactly; seeded from the operating system's entropy on Node. Not for cryptography.
 */
export interface Random {
  /** A number drawn uniformly from [0, 1). */
  float(): number;
  /**
   * An integer drawn uniformly from [minInclusive, maxExclusive).
   *
   * @throws {@link InvalidArgumentError} unless both are safe integers with min < max.
   */
  int(minInclusive: number, maxExclusive: number): number;
}

/**
 * Checks the bounds of {@link Random.int}; implementations share it so they fail alike.
 *
 * @throws {@link InvalidArgumentError} unless both are safe integers with min < max.
 */
export function assertIntRange(minInclusive: number, maxExclusive: number): void {
  if (
    !Number.isSafeInteger(minInclusive) ||
    !Number.isSafeInteger(maxExclusive) ||
    minInclusive >= maxExclusive
  ) {
    throw new InvalidArgumentError(
      `int(min, max) needs safe integers with min < max, got (${minInclusive}, ${maxExclusive}).`,
    );
  }
}
