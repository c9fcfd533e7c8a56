/**
 * @pods/request-pipeline: Many requests in flight on one connection, matched by correlation id, with a bounded window and per-request timeouts.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/request-pipeline";
