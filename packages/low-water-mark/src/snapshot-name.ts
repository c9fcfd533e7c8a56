import { InvalidArgumentError } from "@pods/core-interfaces";

const snapshotNamePattern = /^snapshot-(\d{20})\.snap$/;

/** The suffix of the store's temporary files (a save or a transfer in progress), removed at open. */
export const tempFileSuffix = ".tmp";

/**
 * The file name of the snapshot whose last included index is `lastIncludedIndex`:
 * `snapshot-<index, 20 digits, zero padded>.snap`, so name order is index order.
 *
 * @throws `InvalidArgumentError` unless `lastIncludedIndex` is a safe integer >= 1.
 */
export function snapshotFileName(lastIncludedIndex: number): string {
  if (!Number.isSafeInteger(lastIncludedIndex) || lastIncludedIndex < 1) {
    throw new InvalidArgumentError(
      `A snapshot's last included index must be a safe integer >= 1, got ${String(lastIncludedIndex)}.`,
    );
  }
  return `snapshot-${String(lastIncludedIndex).padStart(20, "0")}.snap`;
}

/**
 * The last included index a snapshot file name stands for, or `null` for any other name
 * (temporary files, stray files, an index beyond 2^53 − 1).
 */
export function parseSnapshotFileName(name: string): number | null {
  const match = snapshotNamePattern.exec(name);
  if (match === null) return null;
  const index = Number(match[1]);
  return Number.isSafeInteger(index) && index >= 1 ? index : null;
}
