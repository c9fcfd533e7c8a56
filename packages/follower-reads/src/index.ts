/**
 * @pods/follower-reads: Reads served by followers: nearest replica, read-your-writes with a minimum version, bounded staleness.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/follower-reads";
