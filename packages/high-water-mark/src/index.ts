/**
 * @pods/high-water-mark: The commit index of a replicated log: computed from a quorum, spread to followers, never decreasing, gating what may be applied and read.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/high-water-mark";
