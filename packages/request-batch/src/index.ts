/**
 * @pods/request-batch: Coalesce small requests into batches by count, bytes and linger time, with a promise per request.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/request-batch";
