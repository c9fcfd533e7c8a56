import { CompactedError, PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/**
 * A version below the store's compaction point was asked for (or written): those versions were
 * garbage-collected, so the store refuses rather than guess. A `CompactedError`, so code that
 * handles log compaction handles this too; `code` is `"COMPACTED"`.
 */
export class VersionCompactedError<Ver> extends CompactedError {
  /** The stable, machine-readable name of this failure: `"COMPACTED"`, as for log compaction. */
  override readonly code = "COMPACTED";
  /** The store's compaction point: the oldest version still readable. */
  readonly compactedVersion: Ver;
  /** The version that was asked for. */
  readonly requestedVersion: Ver;

  /**
   * @param compactedVersion - the store's compaction point.
   * @param requestedVersion - the version asked for.
   * @param message - what was refused and what to do instead.
   */
  constructor(
    compactedVersion: Ver,
    requestedVersion: Ver,
    message: string,
    options?: PodsErrorOptions,
  ) {
    // The base class speaks of numeric log indexes; versions may be timestamps, so the base fields
    // hold the versions when they are numbers (NaN and undefined otherwise) and the message is ours.
    super(
      typeof compactedVersion === "number" ? compactedVersion : Number.NaN,
      typeof requestedVersion === "number" ? requestedVersion : undefined,
      options,
    );
    this.message = message;
    this.compactedVersion = compactedVersion;
    this.requestedVersion = requestedVersion;
  }
}

/**
 * A write gave a key a second, different value at a version it already has. A version holds one
 * value per key, so replicas could not agree on which one reads back; the write changed nothing.
 * Writing the same value (or a second delete) at the same version is accepted as a repeat.
 */
export class VersionConflictError<Ver> extends PodsError {
  /** The stable, machine-readable name of this failure: `"VERSION_CONFLICT"`. */
  readonly code = "VERSION_CONFLICT";
  /** The key written. */
  readonly key: string;
  /** The version the key already had. */
  readonly version: Ver;

  /**
   * @param key - the key written.
   * @param version - the version it already had.
   * @param message - what conflicted and what to do instead.
   */
  constructor(key: string, version: Ver, message: string, options?: PodsErrorOptions) {
    super(message, "definite", options);
    this.key = key;
    this.version = version;
  }
}
