/**
 * @pods/version-vector: Version vectors and dotted version vectors: detect concurrent updates and keep every concurrent sibling, compactly.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/version-vector";
