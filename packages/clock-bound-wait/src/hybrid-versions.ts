import {
  assertHybridTimestamp,
  compareHybridTimestamps,
  decodeHybridTimestamp,
  encodeHybridTimestamp,
  formatHybridTimestamp,
  hybridTimestamp,
  type HybridTimestamp,
} from "@pods/hybrid-clock";
import type { VersionScheme } from "@pods/versioned-value";

/**
 * Hybrid timestamps as the versions of a `VersionedStore` from `@pods/versioned-value`:
 * `new VersionedStore<V, HybridTimestamp>({ versions: hybridVersions })` is the store the
 * classes of this package read and write.
 */
export const hybridVersions: VersionScheme<HybridTimestamp> = {
  zero: hybridTimestamp(0),
  compare: compareHybridTimestamps,
  assertValid: assertHybridTimestamp,
  format: formatHybridTimestamp,
  encode: encodeHybridTimestamp,
  decode: decodeHybridTimestamp,
};

/**
 * The smallest timestamp whose physical part is at least `ms`: (⌈ms⌉, 0, no node). Every
 * timestamp a clock issues at or after real time `ms` is at or above it.
 */
export function timestampAtOrAfter(ms: number): HybridTimestamp {
  return hybridTimestamp(Math.ceil(ms), 0);
}
