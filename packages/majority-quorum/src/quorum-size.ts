import { InvalidArgumentError } from "@pods/core-interfaces";

/** The largest group size accepted anywhere in this package: a sanity bound on configurations. */
export const votersMax = 1024;

/**
 * Checks a group size: a safe integer from 1 to {@link votersMax}.
 *
 * @throws `InvalidArgumentError` naming `what` and the value.
 */
export function assertGroupSize(n: number, what = "n"): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > votersMax) {
    throw new InvalidArgumentError(
      `${what} must be an integer from 1 to ${votersMax}, got ${String(n)}.`,
    );
  }
}

/**
 * The size of a majority of `n` voters: ⌊n/2⌋ + 1. Any two majorities of the same `n` voters share
 * at least one voter, so two groups that cannot talk to each other never both decide.
 *
 * | n              | 1 | 2 | 3 | 4 | 5 | 6 | 7 |
 * | -------------- | - | - | - | - | - | - | - |
 * | quorum(n)      | 1 | 2 | 2 | 3 | 3 | 4 | 4 |
 * | tolerated      | 0 | 0 | 1 | 1 | 2 | 2 | 3 |
 *
 * An even `n` buys nothing over `n − 1`: it tolerates as many failures and needs one more answer.
 *
 * @param n - the number of voters, from 1 to {@link votersMax}.
 * @throws `InvalidArgumentError` for any other `n`.
 */
export function quorum(n: number): number {
  assertGroupSize(n);
  return Math.floor(n / 2) + 1;
}

/**
 * How many of `n` voters may fail (crash, or be cut off) while a majority can still decide:
 * `n − quorum(n)`, i.e. f for a cluster of 2f + 1. See {@link quorum} for the table.
 *
 * @throws `InvalidArgumentError` unless `n` is an integer from 1 to {@link votersMax}.
 */
export function toleratedFailures(n: number): number {
  return n - quorum(n);
}
