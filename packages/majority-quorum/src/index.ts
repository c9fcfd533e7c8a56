/**
 * @pods/majority-quorum: Majority quorums: sizes, joint and flexible quorum sets, a tracker that settles once, commit-index computation, and a leaderless quorum store.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/majority-quorum";
