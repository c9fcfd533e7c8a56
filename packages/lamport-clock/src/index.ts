/**
 * @pods/lamport-clock: Lamport timestamps: a logical clock that orders events by causality, with node ids breaking ties.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/lamport-clock";
