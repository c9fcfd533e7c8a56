/**
 * @pods/versioned-value: A multi-version key-value store: reads at a version, range scans, tombstones, history and garbage collection.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/versioned-value";
