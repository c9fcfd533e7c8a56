import { InvalidArgumentError } from "@pods/core-interfaces";

const segmentNamePattern = /^wal-(\d{20})\.log$/;
const tempNamePattern = /^wal-\d{20}\.log\.tmp$/;

/**
 * The file name of the segment whose first record has index `baseIndex`:
 * `wal-<base index, 20 digits, zero padded>.log`, so name order is index order.
 *
 * @throws `InvalidArgumentError` unless `baseIndex` is a safe integer >= 1.
 */
export function segmentFileName(baseIndex: number): string {
  if (!Number.isSafeInteger(baseIndex) || baseIndex < 1) {
    throw new InvalidArgumentError(
      `A segment's base index must be a safe integer >= 1, got ${baseIndex}.`,
    );
  }
  return `wal-${String(baseIndex).padStart(20, "0")}.log`;
}

/**
 * The base index a segment file name stands for, or `null` for any other name (stray files,
 * temporary files, `wal-abc.log`, an index beyond 2^53 − 1).
 */
export function parseSegmentFileName(name: string): number | null {
  const match = segmentNamePattern.exec(name);
  if (match === null) return null;
  const baseIndex = Number(match[1]);
  return Number.isSafeInteger(baseIndex) && baseIndex >= 1 ? baseIndex : null;
}

/** The temporary name a segment is built under before it is renamed into place. @internal */
export function tempSegmentFileName(baseIndex: number): string {
  return `${segmentFileName(baseIndex)}.tmp`;
}

/** Whether `name` is one of this log's own temporary files (removed at open). @internal */
export function isTempSegmentFileName(name: string): boolean {
  return tempNamePattern.test(name);
}
