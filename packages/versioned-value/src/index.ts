/**
 * @pods/versioned-value: a multi-version key-value store. Every write is a new version of its key,
 * so reads, range scans and histories can be made as of any retained version; deletes are
 * tombstones; compaction garbage-collects what no read at or above a point can see. Versions are
 * generic (integer revisions, hybrid or Lamport timestamps) through a {@link VersionScheme}.
 *
 * @packageDocumentation
 */

export { VersionCompactedError, VersionConflictError } from "./errors.ts";
export type { DeleteEvent, HistoryEvent, PutEvent, VersionedValue } from "./events.ts";
export { decodeKeyVersion, encodeKey, encodeKeyVersion, type KeyVersion } from "./key-encoding.ts";
export type { Pin } from "./pins.ts";
export { RevisionStore } from "./revision-store.ts";
export type { StoreSnapshot } from "./snapshot.ts";
export { integerVersions, type VersionScheme } from "./version-scheme.ts";
export {
  defaultKeyLengthMax,
  defaultPinsMax,
  type HistoryOptions,
  type ScanOptions,
  type StoreOptions,
  type VersionedStoreOptions,
} from "./options.ts";
export { VersionedStore } from "./versioned-store.ts";
