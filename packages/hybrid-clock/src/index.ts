/**
 * @pods/hybrid-clock: Hybrid logical clock timestamps that stay close to wall time, never go backwards, and reject peers too far ahead.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/hybrid-clock";
