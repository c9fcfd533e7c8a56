/**
 * @pods/lincheck: The lincheck pattern of Patterns of Distributed Systems.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/lincheck";
