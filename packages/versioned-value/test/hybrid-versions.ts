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

export const hybridVersions: VersionScheme<HybridTimestamp> = {
  zero: hybridTimestamp(0), // (0, 0, no node): before every timestamp a clock issues
  compare: compareHybridTimestamps,
  assertValid: assertHybridTimestamp,
  format: formatHybridTimestamp,
  encode: encodeHybridTimestamp, // 8 bytes + the node id: sorts like compareHybridTimestamps
  decode: decodeHybridTimestamp,
};
