/**
 * @pods/low-water-mark: Snapshots and a cleaner that delete log segments no longer needed, by index or by age, never below a safety floor.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/low-water-mark";
