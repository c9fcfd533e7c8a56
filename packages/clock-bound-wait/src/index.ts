/**
 * @pods/clock-bound-wait: Clock uncertainty made explicit: error-bounded time, commit wait, and reads that restart instead of returning stale values.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/clock-bound-wait";
