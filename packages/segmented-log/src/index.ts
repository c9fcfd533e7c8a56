/**
 * @pods/segmented-log: A log split into segment files named by their first index, with sparse offset indexes, crash-safe rolls and whole-segment deletion.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/segmented-log";
